"""Forms of the frontline pages. They parse and bound what is typed; the services decide (their
ValidationErrors come back onto these forms, field by field, through core.forms.add_service_errors)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _l

from shouzhan.cases.forms import EnterpriseNameInput
from shouzhan.core.forms import CalendarDateField
from shouzhan.core.limits import TEXT, BoundedForm
from shouzhan.frontline.models import Demand, DispatchRule, FollowUp

REASON_MAX = 500
NAME_MAX = 80
PLACE_MAX = 120
RULES_MAX = 200
DAYS_MAX = 60


class VersionForm(BoundedForm):
    """Every action on a ticket carries the version the page showed: a change meanwhile is a conflict."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class ReturnForm(VersionForm):
    reason = forms.CharField(
        label=_l("退单理由"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_l("说明为什么不属于本部门，以及应由哪个部门办理。"),
    )


class RedispatchForm(VersionForm):
    department = forms.TypedChoiceField(label=_l("改派给"), coerce=int, choices=())
    note = forms.CharField(label=_l("改派说明（可不填）"), max_length=REASON_MAX, required=False)

    def __init__(self, *args: Any, departments: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d.pk, d.name) for d in departments]  # type: ignore[attr-defined]


class ReplyForm(VersionForm):
    answer = forms.CharField(
        label=_l("答复内容"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_l("写明办理结果；企业会收到这段答复，并被请求评价。"),
    )


RESOLVED_CHOICES = [("yes", _l("已解决")), ("no", _l("未解决"))]


class FollowUpForm(VersionForm):
    """回访: resolved or not, how satisfied — by the requester online, or a caseworker after a call."""

    resolved = forms.ChoiceField(
        label=_l("问题解决了吗？"), choices=RESOLVED_CHOICES, widget=forms.RadioSelect, required=False
    )
    satisfaction = forms.ChoiceField(
        label=_l("满意度"),
        choices=FollowUp.Satisfaction.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(
        label=_l("说明"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_l("未解决时请说明还有什么没有解决。"),
    )

    def clean_resolved(self) -> bool:
        value = str(self.cleaned_data.get("resolved") or "")
        if value not in ("yes", "no"):
            raise forms.ValidationError(_l("请选择问题是否已解决。"))
        return value == "yes"


class ReasonForm(BoundedForm):
    reason = forms.CharField(
        label=_l("理由"), max_length=REASON_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class LinkRepeatForm(VersionForm):
    original = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class DemandForm(BoundedForm):
    """The desk / hotline form (caseworkers), or an enterprise member raising a demand of their own."""

    source = forms.ChoiceField(
        label=_l("来源"),
        choices=[(Demand.Source.DESK, _l("中心窗口")), (Demand.Source.HOTLINE, _l("热线"))],
        widget=forms.RadioSelect,
        initial=Demand.Source.DESK,
    )
    category = forms.ChoiceField(label=_l("诉求类别"), choices=())
    description = forms.CharField(
        label=_l("诉求内容"),
        max_length=TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_l("写清楚问题、发生的地点和时间，以及希望如何解决。"),
    )
    urgency = forms.ChoiceField(
        label=_l("紧急程度"),
        choices=Demand.Urgency.choices,
        widget=forms.RadioSelect,
        initial=Demand.Urgency.NORMAL,
    )
    enterprise = forms.CharField(
        label=_l("相关企业（可不填）"),
        required=False,
        max_length=200,
        help_text=_l("企业名称或统一社会信用代码；不涉及企业时填写反映人或地点"),
        widget=EnterpriseNameInput(),
    )
    requester_name = forms.CharField(label=_l("反映人"), max_length=NAME_MAX, required=False)
    requester_contact = forms.CharField(label=_l("联系方式"), max_length=NAME_MAX, required=False)
    place = forms.CharField(label=_l("地点"), max_length=PLACE_MAX, required=False)

    def __init__(
        self,
        *args: Any,
        rules: list[DispatchRule],
        own_enterprises: list[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [  # type: ignore[attr-defined]
            ("", _l("请选择类别")),
            *[(r.category, _l("%(c)s（%(d)s）") % {"c": r.label, "d": r.department.name}) for r in rules],
        ]
        self.own = own_enterprises is not None
        if own_enterprises is not None:  # an enterprise's member: their own demand, about their enterprise
            del self.fields["source"]
            del self.fields["requester_name"]
            self.fields["requester_contact"].label = _l("联系电话（可不填）")
            self.fields["place"].label = _l("地点（可不填）")
            self.fields["enterprise"] = forms.TypedChoiceField(
                label=_l("企业"), coerce=int, choices=[(e.pk, e.name) for e in own_enterprises]
            )
            if len(own_enterprises) == 1:
                self.fields["enterprise"].widget = forms.HiddenInput()
                self.initial.setdefault("enterprise", own_enterprises[0].pk)


class BoardFilterForm(BoundedForm):
    state = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    category = forms.ChoiceField(label=_l("类别"), required=False, choices=())
    department = forms.TypedChoiceField(
        label=_l("承办部门"), required=False, coerce=int, empty_value=None, choices=()
    )
    source = forms.ChoiceField(
        label=_l("来源"), required=False, choices=[("", _l("全部来源")), *Demand.Source.choices]
    )

    def __init__(self, *args: Any, categories: dict[str, str], departments: list[Any], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["category"].choices = [  # type: ignore[attr-defined]
            ("", _l("全部类别")),
            *sorted(categories.items(), key=lambda c: c[1]),
        ]
        self.fields["department"].choices = [  # type: ignore[attr-defined]
            ("", _l("全部部门")),
            *[(d.pk, d.name) for d in departments],
        ]


class RuleForm(BoundedForm):
    """One row of the catalogue: a category, the department that answers it, its working-day limits."""

    category = forms.SlugField(label=_l("类别代码"), max_length=40)
    label = forms.CharField(label=_l("类别"), max_length=80)
    department = forms.ChoiceField(label=_l("承办部门"), choices=())
    accept_days = forms.IntegerField(label=_l("签收（工作日）"), min_value=1, max_value=DAYS_MAX)
    resolve_days = forms.IntegerField(label=_l("办结（工作日）"), min_value=1, max_value=DAYS_MAX)
    urgent_resolve_days = forms.IntegerField(
        label=_l("紧急办结（工作日）"), min_value=1, max_value=DAYS_MAX, required=False
    )
    keywords = forms.CharField(label=_l("关键词"), max_length=500, required=False)

    def __init__(self, *args: Any, departments: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [  # type: ignore[attr-defined]
            ("", _l("请选择")),
            *[(d.key, d.name) for d in departments],
        ]

    def as_rule(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "DELETE"}


RuleFormSet = formset_factory(
    RuleForm, extra=1, max_num=RULES_MAX, absolute_max=RULES_MAX, validate_max=True, can_delete=True
)


class PublishForm(BoundedForm):
    valid_from = CalendarDateField(label=_l("生效日期"))
    note = forms.CharField(
        label=_l("修订说明"),
        max_length=REASON_MAX,
        required=False,
        help_text=_l("例如：城管类诉求办结时限由5个工作日缩短为3个。"),
    )
