"""Forms of the works and verification pages. They check the shape of what was typed; the services check
the rest (the file's format by content, the DCI's shape, a series of the same enterprise) and their
refusals are put on the same fields (core.forms.add_service_errors)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import pgettext_lazy

from shouzhan.assets.models import AssetVersion, Provenance, Work, WorkKind
from shouzhan.assets.selectors import code_clean
from shouzhan.core.limits import LONG_TEXT, SHORT_TEXT, TEXT, BoundedForm
from shouzhan.registry.models import Enterprise

CHOOSE = _l("请从列表中选择。")
KIND_ALL = [("", _l("全部类型")), *WorkKind.choices]


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB"


def max_mb_text() -> str:
    return _mb(int(settings.ASSETS_MAX_BYTES))


def upload_size_check(upload: UploadedFile) -> None:
    """Refuse a file over ASSETS_MAX_BYTES before anything reads it (the same words as cases.files)."""
    limit = int(settings.ASSETS_MAX_BYTES)
    if (upload.size or 0) > limit:
        raise forms.ValidationError(
            _("文件“%(name)s”过大（上限 %(max)s）。") % {"name": upload.name, "max": _mb(limit)}
        )


class EnterpriseChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class SeriesChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def __init__(self, *args: Any, with_holder: bool = False, **kwargs: Any) -> None:
        self.with_holder = with_holder
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title}（{obj.enterprise.name}）" if self.with_holder else str(obj.title)


class WorkFilterForm(BoundedForm):
    enterprise = EnterpriseChoice(
        label=_l("权利人"),
        queryset=Enterprise.objects.none(),
        required=False,
        empty_label=_l("全部企业"),
        error_messages={"invalid_choice": CHOOSE},
    )
    kind = forms.ChoiceField(
        label=_l("类型"), choices=KIND_ALL, required=False, error_messages={"invalid_choice": CHOOSE}
    )

    def __init__(self, *args: Any, enterprises: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if enterprises is None:
            del self.fields["enterprise"]
        else:
            self.fields["enterprise"].queryset = enterprises  # type: ignore[attr-defined]


class WorkForm(BoundedForm):
    """Register a work or change its description. `enterprises` is offered only when there is a choice (a
    member of two enterprises, a caseworker registering on an enterprise's behalf)."""

    enterprise = EnterpriseChoice(
        label=_l("权利人"),
        queryset=Enterprise.objects.none(),
        empty_label=_l("请选择企业"),
        error_messages={"invalid_choice": CHOOSE, "required": _l("请选择登记作品的企业。")},
    )
    kind = forms.ChoiceField(
        label=_l("类型"),
        choices=[("", _l("请选择")), *WorkKind.choices],
        error_messages={"invalid_choice": CHOOSE, "required": _l("请选择作品类型。")},
    )
    title = forms.CharField(
        label=_l("名称"), max_length=SHORT_TEXT, error_messages={"required": _l("请填写作品名称。")}
    )
    description = forms.CharField(
        label=_l("简介"), required=False, max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    dci = forms.CharField(
        label=_l("DCI 标识"),
        required=False,
        max_length=60,
        help_text=_l("数字版权唯一标识，已在版权保护中心登记的填写，如 DCI0A12B34C56D。"),
    )
    parent = SeriesChoice(
        label=_l("所属剧集"),
        queryset=Work.objects.none(),
        required=False,
        empty_label=_l("不属于剧集"),
        help_text=_l("单集 / 成片可以归入本企业登记的一部微短剧剧集。"),
        error_messages={"invalid_choice": CHOOSE},
    )
    episode_no = forms.IntegerField(
        label=pgettext_lazy("episode", "集数"),
        required=False,
        min_value=1,
        max_value=10_000,
        error_messages={"invalid": _l("集数应为正整数。")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)

    def __init__(
        self,
        *args: Any,
        enterprises: Any = None,
        series: Any = None,
        series_with_holder: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if enterprises is None:
            del self.fields["enterprise"]
        else:
            self.fields["enterprise"].queryset = enterprises  # type: ignore[attr-defined]
        parent: Any = self.fields["parent"]
        parent.queryset = series if series is not None else Work.objects.none()
        parent.with_holder = series_with_holder

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "title": data["title"],
            "description": data.get("description", ""),
            "dci": data.get("dci", ""),
            "parent": data.get("parent"),
            "episode_no": data.get("episode_no"),
        }


class VersionForm(BoundedForm):
    file = forms.FileField(
        label=_l("文件"),
        allow_empty_file=True,  # an empty file gets the shared upload check's words (cases.files)
        error_messages={"required": _l("请选择要登记的文件。"), "invalid": _l("没有收到文件，请重新选择。")},
    )
    note = forms.CharField(label=_l("版本说明"), required=False, max_length=TEXT)

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        upload_size_check(upload)
        return upload


class PublishForm(BoundedForm):
    published = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")],
        coerce=lambda v: v == "1",
        error_messages={"invalid_choice": CHOOSE, "required": CHOOSE},
    )


class ProvenanceForm(BoundedForm):
    """This work's version came from another version: one of the enterprise's own (chosen from a list) or a
    published work's, named by its certificate code."""

    target = forms.TypedChoiceField(
        label=_l("本作品的版本"), coerce=int, error_messages={"invalid_choice": CHOOSE, "required": CHOOSE}
    )
    relation = forms.ChoiceField(
        label=_l("关系"),
        choices=[("", _l("请选择")), *Provenance.Relation.choices],
        error_messages={"invalid_choice": CHOOSE, "required": _l("请选择来源关系。")},
    )
    source = forms.TypedChoiceField(
        label=_l("来源版本（本企业）"),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": CHOOSE},
    )
    source_code = forms.CharField(
        label=_l("或来源版本的存证编号"),
        required=False,
        max_length=40,
        help_text=_l("其他企业已公开作品的版本，填写其存证证书上的编号，如 SZ-7KQ2-M9XD-PA。"),
    )
    note = forms.CharField(label=_l("说明"), required=False, max_length=TEXT)

    def __init__(
        self, *args: Any, targets: list[AssetVersion], sources: list[AssetVersion], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        target: Any = self.fields["target"]
        target.choices = [
            (v.pk, _("第 %(n)s 版 · %(name)s") % {"n": v.number, "name": v.filename}) for v in targets
        ]
        source: Any = self.fields["source"]
        source.choices = [("", _("不从列表选择"))] + [
            (v.pk, _("%(title)s · 第 %(n)s 版") % {"title": v.work.title, "n": v.number}) for v in sources
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code_text = (data.get("source_code") or "").strip()
        if code_text:
            code = code_clean(code_text)
            if not code:
                self.add_error("source_code", _("存证编号的格式应为 SZ-XXXX-XXXX-XX。"))
            data["source_code"] = code
        if not data.get("source") and not code_text and "source" not in self.errors:
            self.add_error("source", _("请选择来源版本，或填写来源版本的存证编号。"))
        elif data.get("source") and code_text:
            self.add_error("source_code", _("来源版本只能选一个：从列表选择，或填写存证编号。"))
        return data


class VerifyForm(BoundedForm):
    file = forms.FileField(
        label=_l("要核验的文件"),
        allow_empty_file=True,
        error_messages={"required": _l("请选择要核验的文件。"), "invalid": _l("没有收到文件，请重新选择。")},
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if not upload.size:
            raise forms.ValidationError(_("文件“%(name)s”是空的，请重新选择。") % {"name": upload.name})
        upload_size_check(upload)
        return upload


class CodeForm(BoundedForm):
    code = forms.CharField(
        label=_l("存证编号"), max_length=40, error_messages={"required": _l("请填写存证编号。")}
    )

    def clean_code(self) -> str:
        code = code_clean(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(_("存证编号的格式应为 SZ-XXXX-XXXX-XX。"))
        return code
