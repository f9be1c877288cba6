"""Insight's page forms for placements and relations. They parse (an enterprise named by its name, a node
as "chain/node"); the services decide, and their refusals come back through core.forms.add_service_errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shouzhan.core.limits import KEY_TEXT, QUERY_TEXT, SHORT_TEXT, BoundedForm
from shouzhan.insight.models import Placement, Relation
from shouzhan.registry.models import Enterprise

NodeChoices = list[tuple[str, list[tuple[str, str]]]]  # [(chain title, [("chain/node", node title)])]
STATUS_ALL = "all"


def enterprise_by_name(text: str) -> Enterprise:
    """The one enterprise a typed name means: its full name, or the only one whose name contains it."""
    name = (text or "").strip()
    if not name:
        raise ValidationError(_("请填写企业名称。"))
    exact = list(Enterprise.objects.filter(name=name).order_by("pk")[:2])
    if len(exact) == 1:
        return exact[0]
    found = exact or list(Enterprise.objects.filter(name__icontains=name).order_by("pk")[:2])
    if not found:
        raise ValidationError(_("找不到名称为“%(n)s”的企业。") % {"n": name})
    if len(found) > 1:
        raise ValidationError(_("有多家企业的名称含“%(n)s”，请填写企业全称。") % {"n": name})
    return found[0]


def split_node(value: str) -> tuple[str, str]:
    chain, _sep, node = (value or "").partition("/")
    return chain, node


class PlacementFilterForm(BoundedForm):
    chain = forms.ChoiceField(label=_l("产业链"), required=False)
    status = forms.ChoiceField(label=_l("状态"), required=False)
    q = forms.CharField(label=_l("企业名称"), required=False, max_length=QUERY_TEXT)

    def __init__(self, *args: Any, chains: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chain"].choices = [("", _l("全部产业链")), *chains]  # type: ignore[attr-defined]
        self.fields["status"].choices = [*Placement.Status.choices, (STATUS_ALL, _l("全部状态"))]  # type: ignore[attr-defined]

    def clean_status(self) -> str:
        return str(self.cleaned_data.get("status") or Placement.Status.SUGGESTED)


class DecideForm(BoundedForm):
    decision = forms.ChoiceField(
        label=_l("处理"),
        choices=[("confirm", _l("确认")), ("reject", _l("否定")), ("change", _l("改到其他环节"))],
        error_messages={"required": _l("请选择确认、否定或改到其他环节。")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    node = forms.CharField(label=_l("改到环节"), required=False, max_length=KEY_TEXT)
    note = forms.CharField(label=_l("说明"), required=False, max_length=200)


class PlaceForm(BoundedForm):
    enterprise = forms.CharField(label=_l("企业名称"), max_length=SHORT_TEXT)
    node = forms.ChoiceField(
        label=_l("环节"),
        error_messages={"required": _l("请选择环节。"), "invalid_choice": _l("请从列表中选择环节。")},
    )
    note = forms.CharField(label=_l("说明"), required=False, max_length=200)

    def __init__(self, *args: Any, nodes: NodeChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = [("", _l("请选择环节")), *nodes]  # type: ignore[attr-defined]

    def clean_enterprise(self) -> Enterprise:
        return enterprise_by_name(self.cleaned_data.get("enterprise") or "")


class RelationForm(BoundedForm):
    source = forms.CharField(label=_l("企业"), max_length=SHORT_TEXT)
    kind = forms.ChoiceField(label=_l("关系"), choices=Relation.Kind.choices)
    target = forms.CharField(label=_l("对方企业"), max_length=SHORT_TEXT)
    source_note = forms.CharField(
        label=_l("来源"),
        max_length=200,
        help_text=_l("从哪里得知：走访记录、合同、工商登记、企业自报……"),
        error_messages={"required": _l("请写明这条关系从哪里得知（走访、合同、工商登记……）。")},
    )

    def clean_source(self) -> Enterprise:
        return enterprise_by_name(self.cleaned_data.get("source") or "")

    def clean_target(self) -> Enterprise:
        return enterprise_by_name(self.cleaned_data.get("target") or "")


class RelationFilterForm(BoundedForm):
    q = forms.CharField(label=_l("企业名称"), required=False, max_length=QUERY_TEXT)
    kind = forms.ChoiceField(label=_l("关系"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _l("全部关系")), *Relation.Kind.choices]  # type: ignore[attr-defined]
