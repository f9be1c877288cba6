"""Documents on a case: each file checked (format by content, size, structure), stored, versioned, audited."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from shouzhan.cases import audit_actions
from shouzhan.cases import workflow as wf
from shouzhan.cases.files import file_check
from shouzhan.cases.models import Case, Document
from shouzhan.cases.permissions import require_case_read, require_upload
from shouzhan.cases.services.common import case_audit, event_record
from shouzhan.core.actors import Actor, actor_user


def document_check(*, case_type: str, filename: str, content: bytes) -> str:
    """The detected format if the file is acceptable for the case type; else a clear Chinese refusal."""
    rule = wf.case_type_get(case_type).documents
    return file_check(filename=filename, content=content, formats=rule.formats, max_bytes=rule.max_bytes)


@transaction.atomic
def document_upload(*, actor: Actor, case: Case, name: str, filename: str, content: bytes) -> Document:
    """Store a file on a case. The same name again is a new version; earlier versions are kept."""
    require_case_read(actor, case)
    require_upload(actor, case)
    if wf.case_type_get(case.case_type).state(case.state).final:
        raise ValidationError({"file": [_("办件已办结，不能再上传材料。")]})
    name = (name or "").strip() or _("申报材料")
    if len(name) > 100:
        raise ValidationError({"name": [_("材料名称最多100字。")]})
    filename = (filename or "file").replace("/", "_").replace("\\", "_")[-200:]
    fmt = document_check(case_type=case.case_type, filename=filename, content=content)
    Case.objects.select_for_update().filter(pk=case.pk).first()  # serialise version numbering per case
    last = Document.objects.filter(case=case, name=name).order_by("-version").first()
    doc = Document(
        case=case,
        name=name,
        version=(last.version + 1) if last else 1,
        filename=filename,
        format=fmt,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=actor_user(actor),
    )
    doc.file.save(f"{doc.sha256[:16]}.{fmt}", ContentFile(content), save=False)
    doc.save()
    event_record(
        case=case,
        action="upload",
        actor=actor,
        note=f"{name} v{doc.version}：{filename}",
        data={"document_id": doc.pk, "sha256": doc.sha256},
    )
    after = {
        "document": name,
        "version": doc.version,
        "filename": filename,
        "sha256": doc.sha256,
        "size": doc.size,
    }
    case_audit(actor=actor, case=case, action=audit_actions.DOCUMENT_UPLOAD, after=after)
    return doc
