"""Forms of the talent record pages. They carry what was typed to the registry's services, which check it
(`registry.talent.services`: one set of checks and messages for the pages, the API and the case outcomes);
a form refuses only what cannot be read at all (a date that is no date). Labels are the models' verbose names,
choices the models' choices."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _l

from shouzhan.core.forms import CalendarDateField
from shouzhan.core.limits import KEY_TEXT, QUERY_TEXT, BoundedForm
from shouzhan.registry.models import Person
from shouzhan.registry.talent.choices import (
    CertificateKind,
    Education,
    ShareLevel,
    TalentField,
    TitleLevel,
    TitleSeries,
)
from shouzhan.registry.talent.models import SkillCertificate, TalentRecord, TalentShare, TalentTitle

UNSET = ("", _l("未填写"))
CHOOSE = ("", _l("请选择"))


def _model_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    found = model._meta.get_field(name)
    assert isinstance(found, models.Field)
    return found


def _label(model: type[models.Model], name: str) -> Any:
    return _model_field(model, name).verbose_name


def _choice(model: type[models.Model], name: str, choices: Any, blank: Any, **kw: Any) -> forms.CharField:
    """A list to choose from whose value the service checks (a value not in the list gets its message)."""
    return forms.CharField(
        label=_label(model, name),
        max_length=KEY_TEXT,
        widget=forms.Select(choices=[blank, *choices]),
        **kw,
    )


def _whole(model: type[models.Model], name: str, high: int) -> forms.CharField:
    return forms.CharField(
        label=_label(model, name),
        required=False,
        max_length=KEY_TEXT,
        widget=forms.NumberInput(attrs={"min": 0, "max": high, "inputmode": "numeric"}),
    )


def _text(model: type[models.Model], name: str, **kw: Any) -> forms.CharField:
    field = _model_field(model, name)
    return forms.CharField(label=field.verbose_name, max_length=field.max_length, **kw)


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None else ""


class RecordForm(BoundedForm):
    field = _choice(TalentRecord, "field", TalentField.choices, UNSET, required=False)
    education = _choice(TalentRecord, "education", Education.choices, UNSET, required=False)
    years_experience = _whole(TalentRecord, "years_experience", 70)
    birth_year = _whole(Person, "birth_year", 2100)
    shanghai_hukou = _choice(
        TalentRecord, "shanghai_hukou", [("true", _l("是")), ("false", _l("否"))], UNSET, required=False
    )
    children_school_age = _whole(TalentRecord, "children_school_age", 10)
    summary = _text(TalentRecord, "summary", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)

    @staticmethod
    def initial_for(record: TalentRecord) -> dict[str, Any]:
        hukou = record.shanghai_hukou
        return {
            "field": record.field,
            "education": record.education,
            "years_experience": "" if record.years_experience is None else record.years_experience,
            "birth_year": "" if record.person.birth_year is None else record.person.birth_year,
            "shanghai_hukou": "" if hukou is None else ("true" if hukou else "false"),
            "children_school_age": "" if record.children_school_age is None else record.children_school_age,
            "summary": record.summary,
            "version": record.version,
        }

    def service_data(self) -> dict[str, Any]:
        """The fields sent (a form missing one, by an old page or a script, leaves it as it was)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version" and k in self.data}


class TitleForm(BoundedForm):
    series = _choice(
        TalentTitle,
        "series",
        TitleSeries.choices,
        CHOOSE,
        error_messages={"required": _l("请选择职称系列。")},
    )
    level = _choice(
        TalentTitle, "level", TitleLevel.choices, CHOOSE, error_messages={"required": _l("请选择职称等级。")}
    )
    specialty = _text(TalentTitle, "specialty", required=False)
    granted_on = CalendarDateField(label=_label(TalentTitle, "granted_on"))
    issuer = _text(TalentTitle, "issuer", required=False)
    certificate_no = _text(TalentTitle, "certificate_no", required=False)

    def service_data(self) -> dict[str, Any]:
        return {**self.cleaned_data, "granted_on": _iso(self.cleaned_data.get("granted_on"))}


class CertificateForm(BoundedForm):
    kind = _choice(
        SkillCertificate,
        "kind",
        CertificateKind.choices,
        CHOOSE,
        error_messages={"required": _l("请选择证书类型。")},
    )
    name = _text(SkillCertificate, "name")
    level = _text(SkillCertificate, "level", required=False)
    number = _text(SkillCertificate, "number", help_text=_l("国家职业技能证书：S 或 Y 加 21 位数字"))
    issued_on = CalendarDateField(label=_label(SkillCertificate, "issued_on"))
    issuer = _text(SkillCertificate, "issuer", required=False)

    def service_data(self) -> dict[str, Any]:
        return {**self.cleaned_data, "issued_on": _iso(self.cleaned_data.get("issued_on"))}


NOT_SHOWN = ("", _l("不可见：企业看不到我的档案"))


class ShareForm(BoundedForm):
    """What one of the person's enterprises may read (the enterprises offered are the person's own)."""

    enterprise = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    level = forms.ChoiceField(
        label=_label(TalentShare, "level"),
        choices=[NOT_SHOWN, *ShareLevel.choices],
        required=False,
        widget=forms.RadioSelect,
    )


class PeopleFilterForm(BoundedForm):
    q = forms.CharField(label=_l("姓名"), required=False, max_length=QUERY_TEXT)
    category = forms.ChoiceField(label=_l("人才类别"), required=False)

    def __init__(self, *args: Any, categories: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _l("全部类别")), *categories]  # type: ignore[attr-defined]
