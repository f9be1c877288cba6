"""The form of a support application: the case type's own fields (as the cases pages build them) and one
document. What a field may hold is checked again by the service (`talent.services.support_apply`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shouzhan.cases import workflow as wf
from shouzhan.cases.forms import case_fields, cleaned_case_data
from shouzhan.core.limits import BoundedForm


class SupportApplyForm(BoundedForm):
    document_name = forms.CharField(
        label=_l("材料名称"), max_length=100, required=False, initial=_l("申请材料")
    )
    file = forms.FileField(
        label=_l("材料文件（可选）"),
        required=False,
        allow_empty_file=True,  # the service refuses empty files with its own message
    )

    def __init__(self, *args: Any, case_type: wf.CaseType, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case_type = case_type
        case_fields(self, case_type, staff_only=False)
        for f in case_type.fields:
            # The service's words for a field left empty, not Django's "this field is required".
            if f.name in self.fields and f.required:
                self.fields[f.name].error_messages["required"] = _("请填写“%(label)s”。") % {"label": f.label}

    def data_fields(self) -> list[Any]:
        return [self[f.name] for f in self.case_type.fields if f.name in self.fields]

    def case_data(self) -> dict[str, Any]:
        return cleaned_case_data(self, self.case_type)

    def documents(self) -> list[tuple[str, str, bytes]]:
        """(name, file name, content) of the upload, read one byte past the limit so the service sees
        a file too large rather than a cut one."""
        upload = self.cleaned_data.get("file")
        if upload is None:
            return []
        name = (self.cleaned_data.get("document_name") or "").strip() or _("申请材料")
        return [(name, upload.name, upload.read(self.case_type.documents.max_bytes + 1))]
