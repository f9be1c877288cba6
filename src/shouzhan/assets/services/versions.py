"""Versions of a work: stored by content, time-stamped (RFC 3161) and fingerprinted, each step audited.

`version_register` stores the file and the version in one transaction and then, once it has committed,
stamps it and (for images, video and audio) fingerprints it. A short file is finished in the request; a
long video, or a stamp the authority did not give (an external TSA down), is finished by the task
`version_finish`, which the page shows as "待加盖时间戳" / "待提取指纹" until then — the version and its
file are never lost for a stamp or a fingerprint not yet made.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.assets import audit_actions as aa
from shouzhan.assets.fingerprints.media import MediaError
from shouzhan.assets.models import AssetVersion, Blob, Fingerprint, MediaKind, Provenance, Timestamp, Work
from shouzhan.assets.permissions import require_work_write
from shouzhan.assets.services.blobs import blob_local_path, blob_store
from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.audit import audit_record
from shouzhan.core.limits import TEXT, check_length

log = logging.getLogger(__name__)

# A video longer than this is fingerprinted by the worker, not in the request that uploaded it.
INLINE_SECONDS = 300
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from paper


def code_new() -> str:
    """A public code for the certificate: 'SZ' and 10 characters (50 bits), e.g. SZ-7KQ2-M9XD-PA."""
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    return f"SZ-{body[:4]}-{body[4:8]}-{body[8:]}"


def _prints_state(blob: Blob) -> str:
    if blob.media in (MediaKind.VIDEO, MediaKind.AUDIO, MediaKind.IMAGE):
        return AssetVersion.Prints.PENDING
    return AssetVersion.Prints.NONE


@transaction.atomic
def version_register(
    *,
    actor: Actor,
    work: Work,
    filename: str,
    content: bytes,
    note: str = "",
    finish: bool = True,
) -> AssetVersion:
    """Store a new version of `work`. The same content as one of its versions already is refused in words.

    With `finish` (the default) the stamp and the fingerprints are made once the transaction commits —
    in this request for a short file, by the worker for a long video."""
    locked = Work.objects.select_for_update().get(pk=work.pk)  # serialise the numbering per work
    require_work_write(actor, locked)
    note = (note or "").strip()
    check_length(field="note", text=note, limit=TEXT)
    filename = (filename or "file").replace("/", "_").replace("\\", "_")[-200:]
    blob = blob_store(filename=filename, content=content)
    same = locked.versions.filter(blob=blob).first()
    if same is not None:
        raise ValidationError(
            {"file": [_("该文件与本作品第 %(n)s 版的内容完全相同，无需重复登记。") % {"n": same.number}]}
        )
    last = locked.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = AssetVersion(
        work=locked,
        number=last + 1,
        blob=blob,
        filename=filename,
        note=note,
        code=code_new(),
        prints_state=_prints_state(blob),
        created_by=actor_user(actor),
    )
    version.save()
    audit_record(
        actor=actor,
        action=aa.VERSION_REGISTER,
        target=version,
        after={"version": version.number, "filename": filename, "sha256": blob.sha256, "size": blob.size},
        enterprise_id=locked.enterprise_id,
    )
    if finish:
        transaction.on_commit(lambda: _finish_after_commit(version.pk))
    return version


def _finish_after_commit(version_id: int) -> None:
    version = AssetVersion.objects.select_related("blob").get(pk=version_id)
    long_video = (
        version.blob.media == MediaKind.VIDEO and (version.blob.duration_ms or 0) > INLINE_SECONDS * 1000
    )
    version_stamp(version=version)
    if long_video:
        from shouzhan.assets.tasks import version_finish

        version_finish.enqueue(version_id=version_id)
    else:
        version_fingerprint(version=version)


def version_stamp(*, version: AssetVersion) -> AssetVersion:
    """Ask the time-stamping authority for a token on the version's SHA-256 (once; a failure is kept as
    'failed' with its reason in the audit trail, and tried again by `version_finish`)."""
    from shouzhan.assets.tsa import TsaError, timestamp_digest

    if Timestamp.objects.filter(version=version).exists():
        return version
    try:
        stamp = timestamp_digest(version.blob.sha256)
    except TsaError as exc:
        with transaction.atomic():
            AssetVersion.objects.filter(pk=version.pk).update(stamp_state=AssetVersion.Stamp.FAILED)
            audit_record(
                actor="system:assets",
                action=aa.VERSION_STAMP,
                target=version,
                after={"state": AssetVersion.Stamp.FAILED, "error": str(exc)[:500]},
                enterprise_id=version.work.enterprise_id,
            )
        version.stamp_state = AssetVersion.Stamp.FAILED
        return version
    with transaction.atomic():
        Timestamp.objects.create(
            version=version,
            tsa_name=stamp.tsa_name,
            response_der=stamp.response_der,
            gen_time=stamp.gen_time,
            serial=stamp.serial,
            policy=stamp.policy,
            hash_name=stamp.hash_name,
        )
        AssetVersion.objects.filter(pk=version.pk).update(stamp_state=AssetVersion.Stamp.STAMPED)
        audit_record(
            actor="system:assets",
            action=aa.VERSION_STAMP,
            target=version,
            after={"tsa": stamp.tsa_name, "gen_time": stamp.gen_time.isoformat(), "serial": stamp.serial},
            enterprise_id=version.work.enterprise_id,
        )
    version.stamp_state = AssetVersion.Stamp.STAMPED
    return version


def version_fingerprint(*, version: AssetVersion) -> AssetVersion:
    """Fingerprint the version's file (video: frame hashes per 10-second segment; audio: chromaprint;
    image: perceptual hashes, plain and mirrored). Made once; the index sees them at its next read."""
    from shouzhan.assets import prints

    if version.prints_state != AssetVersion.Prints.PENDING:
        return version
    after: dict[str, Any]
    try:
        rows = prints.fingerprint_rows(blob_local_path(version.blob), version.blob.media)
    except MediaError as exc:
        state, after = (
            AssetVersion.Prints.FAILED,
            {"state": AssetVersion.Prints.FAILED, "error": str(exc)[:500]},
        )
        rows = []
    else:
        state, after = AssetVersion.Prints.DONE, {"segments": len(rows)}
    with transaction.atomic():
        Fingerprint.objects.bulk_create(
            Fingerprint(
                version=version,
                kind=row.kind,
                start_ms=row.start_ms,
                end_ms=row.end_ms,
                step_ms=row.step_ms,
                hashes=row.hashes,
            )
            for row in rows
        )
        AssetVersion.objects.filter(pk=version.pk).update(prints_state=state)
        audit_record(
            actor="system:assets",
            action=aa.VERSION_FINGERPRINT,
            target=version,
            after=after,
            enterprise_id=version.work.enterprise_id,
        )
    version.prints_state = state
    return version


@transaction.atomic
def provenance_record(
    *, actor: Actor, target: AssetVersion, source: AssetVersion, relation: str, note: str = ""
) -> Provenance:
    """Record that `target` came from `source` (a model version trained on a corpus version …).

    The source must be one the enterprise may name: its own, or a published work's (a licence is the
    holder's business, not checked here)."""
    from shouzhan.assets.permissions import require_work_read

    require_work_write(actor, target.work)
    require_work_read(actor, source.work)
    if relation not in Provenance.Relation.values:
        raise ValidationError({"relation": [_("请选择来源关系。")]})
    if source.pk == target.pk:
        raise ValidationError({"source": [_("一个版本不能来源于它自己。")]})
    if _reaches(source, target):
        raise ValidationError({"source": [_("这条来源关系会形成循环：所选版本本身来源于当前版本。")]})
    note = (note or "").strip()
    check_length(field="note", text=note, limit=TEXT)
    link, created = Provenance.objects.get_or_create(
        target=target, source=source, relation=relation, defaults={"note": note}
    )
    if created:
        audit_record(
            actor=actor,
            action=aa.PROVENANCE_RECORD,
            target=link,
            after={"target": str(target), "source": str(source), "relation": relation},
            enterprise_id=target.work.enterprise_id,
        )
    return link


def _reaches(start: AssetVersion, goal: AssetVersion) -> bool:
    """Whether `goal` is among `start`'s sources, however far back (one query a generation)."""
    frontier, seen = {start.pk}, {start.pk}
    while frontier:
        nxt = set(Provenance.objects.filter(target_id__in=frontier).values_list("source_id", flat=True))
        if goal.pk in nxt:
            return True
        frontier = nxt - seen
        seen |= nxt
    return False


def versions_unfinished() -> list[int]:
    """Versions whose stamp failed or whose fingerprints are still to make (for the worker's pass)."""
    stale = timezone.now() - dt.timedelta(minutes=10)  # a clock time, not a deadline
    return list(
        AssetVersion.objects.filter(created_at__lt=stale)
        .exclude(stamp_state=AssetVersion.Stamp.STAMPED, prints_state__in=["done", "none", "failed"])
        .values_list("pk", flat=True)[:500]
    )
