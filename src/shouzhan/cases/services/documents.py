"""Documents on a case: each file checked (format by content, size, structure), stored, versioned, audited."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from shouzhan.cases import audit_actions
from shouzhan.cases import workflow as wf
from shouzhan.cases.files import EXTENSIONS, FORMAT_LABELS, extension, looks_executable, sniff, structure_ok
from shouzhan.cases.models import Case, Document
from shouzhan.cases.permissions import require_case_read, require_upload
from shouzhan.cases.services.common import case_audit, event_record
from shouzhan.core.actors import Actor, actor_user


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB"


def document_check(*, case_type: str, filename: str, content: bytes) -> str:
    """The detected format if the file is acceptable for the case type; else a clear Chinese refusal."""
    rule = wf.case_type_get(case_type).documents
    if not content:
        raise _refused(_("文件“%(name)s”是空的，请重新选择。"), filename)
    if len(content) > rule.max_bytes:
        raise _refused(_("文件“%(name)s”过大（上限 %(max)s）。"), filename, max=_mb(rule.max_bytes))
    detected = sniff(content[:16], content)
    if detected is None or detected not in rule.formats:
        allowed = rule.formats_text
        raise _refused(
            _("文件“%(name)s”的内容不是允许的格式（允许：%(allowed)s）。"), filename, allowed=allowed
        )
    if looks_executable(content):
        raise _refused(_("文件“%(name)s”含有可执行程序，不能上传。"), filename)
    real = FORMAT_LABELS[detected]
    if extension(filename) not in EXTENSIONS[detected]:
        raise _refused(_("文件“%(name)s”的扩展名与内容不符：内容是 %(real)s。"), filename, real=real)
    if not structure_ok(detected, content):
        raise _refused(
            _("文件“%(name)s”不是完整有效的 %(real)s 文件（已损坏或被截断），请重新导出后上传。"),
            filename,
            real=real,
        )
    return detected


def _refused(message: str, filename: str, **values: str) -> ValidationError:
    return ValidationError({"file": [message % {"name": filename, **values}]})


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
