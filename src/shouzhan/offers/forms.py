"""Forms of the offers pages. They parse and bound what is typed; the services decide (their
ValidationErrors come back onto these forms through core.forms.add_service_errors, field by field: the
prompt's fields are named by the facts they ask for, e.g. "enterprise.employees")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _l

from shouzhan.cases.forms import EnterpriseNameInput
from shouzhan.core.forms import CalendarDateField
from shouzhan.core.limits import SHORT_TEXT, BoundedForm
from shouzhan.offers.models import PushRun

CONTACT_MAX = 120
REASON_MAX = 500

# What the enterprise promises when it confirms (shown beside the checkbox it must tick).
DECLARATION = _l(
    "本企业承诺：所登记的企业和项目信息真实、准确、完整，并已如实反映最新情况；本事项未就同一内容重复申领"
    "其他同类财政扶持；同意服务中心为审核本次申报核验相关登记、纳税和社保信息；如有不实，愿退回所获资金"
    "并承担相应责任。"
)


class ConfirmForm(BoundedForm):
    contact = forms.CharField(
        label=_l("联系人和联系电话"),
        max_length=CONTACT_MAX,
        required=False,
        help_text=_l("服务中心办理时联系的人；已按您的账号预填，可修改。"),
    )
    declaration = forms.BooleanField(label=_l("我已阅读并同意上述申报承诺"), required=False)


class DeclineForm(BoundedForm):
    reason = forms.CharField(
        label=_l("放弃原因"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_l("例如：项目已调整、暂不需要、已通过其他渠道申报。"),
    )


class PromptForm(BoundedForm):
    """One field per missing fact: 是/否 as radio buttons, a fixed list as a drop-down, money, numbers and
    dates as inputs. Every answer is text here; the service checks its type and says what is wrong."""

    def __init__(self, *args: Any, questions: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for q in questions:
            self.fields[q["name"]] = _question_field(q)

    def answers(self) -> dict[str, str]:
        """The questions answered (left empty: not answered this time)."""
        out: dict[str, str] = {}
        for q in self.questions:
            value = (self.cleaned_data.get(q["name"]) or "").strip()
            if value:
                out[q["name"]] = value
        return out

    def rows(self) -> list[tuple[dict[str, Any], forms.BoundField]]:
        return [(q, self[q["name"]]) for q in self.questions]


def _question_field(q: dict[str, Any]) -> forms.Field:
    label, kind = q["label"], q["type"]
    if kind == "bool":
        return forms.ChoiceField(
            label=label,
            required=False,
            choices=[("true", _l("是")), ("false", _l("否"))],
            widget=forms.RadioSelect,
        )
    if q["choices"]:
        return forms.ChoiceField(label=label, required=False, choices=[("", _l("— 请选择 —")), *q["choices"]])
    attrs: dict[str, str] = {}
    help_text: Any = ""
    if kind == "money":
        attrs, help_text = {"inputmode": "decimal"}, _l("单位：元，例如 120000.50")
    elif kind == "int":
        attrs, help_text = {"inputmode": "numeric"}, _l("填写整数")
    elif kind == "date":
        attrs, help_text = {"placeholder": "YYYY-MM-DD"}, _l("格式：YYYY-MM-DD")
    return forms.CharField(
        label=label,
        required=False,
        max_length=SHORT_TEXT,
        help_text=help_text,
        widget=forms.TextInput(attrs=attrs),
    )


class RunStartForm(BoundedForm):
    engine = forms.ChoiceField(
        label=_l("计算引擎"),
        choices=PushRun.Engine.choices,
        initial=PushRun.Engine.POLARS,
    )
    scope = forms.ChoiceField(
        label=_l("范围"),
        choices=[
            (PushRun.Scope.FULL, PushRun.Scope.FULL.label),
            (PushRun.Scope.CHANGED, PushRun.Scope.CHANGED.label),
        ],
        initial=PushRun.Scope.FULL,
    )


class ExclusionForm(BoundedForm):
    enterprise = forms.CharField(
        label=_l("企业"),
        max_length=SHORT_TEXT,
        widget=EnterpriseNameInput(),
        help_text=_l("输入企业名称或统一社会信用代码，从提示中选择。"),
    )
    # Required here too (the page marks them), in the service's own words.
    reason = forms.CharField(
        label=_l("原因"),
        max_length=SHORT_TEXT,
        error_messages={"required": _l("请填写原因（最多200字）。")},
        help_text=_l("例如：严重失信主体"),
    )
    source = forms.CharField(
        label=_l("来源"),
        max_length=SHORT_TEXT,
        error_messages={"required": _l("请填写来源，例如信用信息平台的认定文书（最多200字）。")},
        help_text=_l("例如：信用信息平台的认定文书编号"),
    )
    valid_from = CalendarDateField(label=_l("生效日期"))
    valid_to = CalendarDateField(label=_l("失效日期"), required=False, help_text=_l("留空表示长期有效"))

    def __init__(self, *args: Any, today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if today is not None and not self.is_bound:
            self.initial.setdefault("valid_from", today)


class RevokeForm(BoundedForm):
    reason = forms.CharField(
        label=_l("解除原因"), max_length=SHORT_TEXT, error_messages={"required": _l("请填写解除原因。")}
    )
