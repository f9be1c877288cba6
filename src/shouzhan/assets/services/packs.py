"""Evidence packs (证据包): built for a report, numbered per report, frozen once made, downloads audited.

A pack is made when the rights-protection case opens (the day the copy is found) and again on request
(a new version registered, a licence ended): each build is a new number, the old ones stay as they were.
The PDF and the zip are blobs like any stored file, named by their SHA-256.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from shouzhan.assets import audit_actions as aa
from shouzhan.assets import evidence
from shouzhan.assets.models import EvidencePack, InfringementReport
from shouzhan.assets.permissions import require_pack_build, require_report_read
from shouzhan.assets.services.blobs import blob_read, blob_store
from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.audit import audit_record

KINDS = {"pdf": "application/pdf", "zip": "application/zip"}


def pack_filename(pack: EvidencePack, kind: str) -> str:
    return f"证据包-{pack.report.created_at:%Y%m%d}-第{pack.number}版.{kind}"


def pack_ascii_filename(pack: EvidencePack, kind: str) -> str:
    return f"evidence-pack-{pack.report.created_at:%Y%m%d}-{pack.number}.{kind}"


@transaction.atomic
def pack_build(*, actor: Actor, report: InfringementReport) -> EvidencePack:
    """Build the report's next evidence pack: the PDF, the zip holding it, both stored, audited."""
    locked = (
        InfringementReport.objects.select_for_update(of=("self",)).select_related("suspect").get(pk=report.pk)
    )
    require_pack_build(actor, locked)
    number = (locked.packs.aggregate(n=Max("number"))["n"] or 0) + 1
    content = evidence.pack_content(locked, number=number)
    pdf = evidence.pack_pdf(content)
    archive = evidence.pack_zip(content, pdf)
    stem = f"evidence-{locked.pk}-{number}"
    pdf_blob = blob_store(filename=f"{stem}.pdf", content=pdf, formats=frozenset({"pdf"}))
    zip_blob = blob_store(filename=f"{stem}.zip", content=archive, formats=frozenset({"zip"}))
    pack = EvidencePack.objects.create(
        report=locked, number=number, pdf=pdf_blob, archive=zip_blob, created_by=actor_user(actor)
    )
    audit_record(
        actor=actor,
        action=aa.PACK_GENERATE,
        target=pack,
        after={
            "number": number,
            "pdf_sha256": pdf_blob.sha256,
            "zip_sha256": zip_blob.sha256,
            "matches": len(content.matches),
        },
        enterprise_id=locked.enterprise_id,
    )
    return pack


@transaction.atomic
def pack_download(*, actor: Actor, pack: EvidencePack, kind: str) -> bytes:
    """The pack's PDF or zip, for the reporting enterprise's members and the centre's staff; audited."""
    require_report_read(actor, pack.report)
    data = blob_read(pack.pdf if kind == "pdf" else pack.archive)
    audit_record(
        actor=actor,
        action=aa.PACK_DOWNLOAD,
        target=pack,
        after={"number": pack.number, "kind": kind},
        enterprise_id=pack.report.enterprise_id,
    )
    return data
