"""A version's certificate of existence (存证证书): a PDF with the work, the file's SHA-256, the time-stamp
(time in Shanghai and UTC, the authority and its serial), a QR code to the public verification page and the
`openssl` command anyone can run to check the token without trusting this platform.

Only the work's holder and the centre's staff download it (it names an unpublished work); each download is
audited. The public verification page shows less (views_verify)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import segno
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from shouzhan.assets import audit_actions as aa
from shouzhan.assets import tsa
from shouzhan.assets.models import AssetVersion, Timestamp
from shouzhan.assets.permissions import require_content_read
from shouzhan.core.actors import Actor
from shouzhan.core.audit import audit_record

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC


@dataclass(frozen=True)
class StampTimes:
    shanghai: str
    utc: str


def stamp_times(when: dt.datetime) -> StampTimes:
    """A time-stamp's time as people on both sides read it: Beijing time and UTC, to the second."""
    return StampTimes(
        shanghai=when.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
        utc=when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
    )


def qr_png_data_uri(text: str) -> str:
    """The QR code as a PNG data URI: weasyprint draws it sharp, and no file leaves the process."""
    code = segno.make_qr(text, error="m")  # a full QR code, never a Micro QR (see community.qr)
    return str(code.png_data_uri(scale=6, border=2, dark="#1d2733"))


def certificate_filename(version: AssetVersion) -> str:
    title = re.sub(r'[\\/:*?"<>|\s]+', "_", version.work.title)[:60] or "work"
    return f"存证证书-{title}-v{version.number}-{version.code}.pdf"


def _timestamp(version: AssetVersion) -> Timestamp | None:
    try:
        return version.timestamp
    except Timestamp.DoesNotExist:
        return None


def certificate_context(version: AssetVersion, *, verify_url: str) -> dict[str, Any]:
    stamp = _timestamp(version)
    work = version.work
    return {
        "version": version,
        "work": work,
        "blob": version.blob,
        "stamp": stamp,
        "times": stamp_times(stamp.gen_time) if stamp is not None else None,
        "verify_url": verify_url,
        "qr": qr_png_data_uri(verify_url),
        "command_data": tsa.verify_command_text(data_file=version.filename),
        "command_digest": tsa.verify_command_text(digest_hex=version.blob.sha256),
        "token_filename": tsa.TOKEN_FILENAME,
        "ca_filename": tsa.CERTIFICATE_FILENAME,
        "generated_at": timezone.localtime(),
    }


def certificate_html(version: AssetVersion, *, verify_url: str) -> str:
    return render_to_string(
        "assets/certificate_pdf.html", certificate_context(version, verify_url=verify_url)
    )


def certificate_pdf(version: AssetVersion, *, verify_url: str) -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string=certificate_html(version, verify_url=verify_url)).write_pdf())


@transaction.atomic
def certificate_download(*, actor: Actor, version: AssetVersion, verify_url: str) -> bytes:
    """The version's certificate for its holder or the staff; the download is audited with who took it."""
    require_content_read(actor, version.work)
    pdf = certificate_pdf(version, verify_url=verify_url)
    audit_record(
        actor=actor,
        action=aa.CERTIFICATE_DOWNLOAD,
        target=version,
        after={"code": version.code, "sha256": version.blob.sha256},
        enterprise_id=version.work.enterprise_id,
    )
    return pdf
