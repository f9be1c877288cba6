"""The evidence pack's contents, built from a report: a PDF for people and a zip for a verifier.

The PDF (weasyprint, Noto Sans CJK, like insight's bulletin) lists the right holder, the works and versions
with their SHA-256, time-stamps and DCI, each token checked again now, the suspect copy, every selected
match with its score and time ranges and the frames side by side, the granted licences, and the zip's
manifest. The zip holds the time-stamp responses (.tsr), the TSA's certificates, the frames as JPEG, the
matches and licences as CSV, a README on verifying with `openssl ts -verify`, the PDF itself and a
manifest.json with the SHA-256 of every other file in it. Nothing here writes to the database.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.assets.fingerprints.media import MediaError, frame_jpeg
from shouzhan.assets.models import AssetVersion, InfringementReport, Licence, MediaKind, ReportMatch, Work
from shouzhan.assets.services.blobs import blob_local_path

PDF_NAME = "evidence.pdf"
CERT_NAME = "tsa/shouzhan-tsa.pem"
# A fixed time inside the zip's entries: the entries' content, not the moment of packing, is the evidence.
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


# ----------------------------------------------------------------------------- words
def mmss(ms: int) -> str:
    """Milliseconds as mm:ss (minutes may pass 59: 75:03 for an hour and a quarter)."""
    seconds = max(0, int(ms)) // 1000
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def span(start_ms: int, end_ms: int) -> str:
    return f"{mmss(start_ms)}–{mmss(end_ms)}"


def work_label(work: Work) -> str:
    """How a work is named to people: an episode by its series and number."""
    if work.parent_id is not None and work.episode_no:
        return _("《%(series)s》第%(n)s集") % {"series": work.parent.title, "n": work.episode_no}  # type: ignore[union-attr]
    if work.episode_no:
        return _("《%(title)s》第%(n)s集") % {"title": work.title, "n": work.episode_no}
    return _("《%(title)s》") % {"title": work.title}


def has_range(match: ReportMatch) -> bool:
    return match.kind != MediaKind.IMAGE and match.ref_end_ms > match.ref_start_ms


def match_text(match: ReportMatch) -> str:
    """One match in words: “《霸总》第3集 v1 00:12–00:41 ↔ 疑似文件 00:00–00:29，相似度 0.94”."""
    version = match.version
    values = {
        "work": work_label(version.work),
        "v": version.number,
        "score": f"{match.score:.2f}",
    }
    if has_range(match):
        text = _("%(work)s v%(v)s %(ref)s ↔ 疑似文件 %(query)s，相似度 %(score)s") % {
            **values,
            "ref": span(match.ref_start_ms, match.ref_end_ms),
            "query": span(match.query_start_ms, match.query_end_ms),
        }
    else:
        text = _("%(work)s v%(v)s ↔ 疑似文件，相似度 %(score)s") % values
    if match.mirrored:
        text += _("（画面左右镜像）")
    return text


def mirrored_text(match: ReportMatch) -> str:
    return _("是（左右镜像）") if match.mirrored else _("否")


# ----------------------------------------------------------------------------- frames
def frame_pair(match: ReportMatch) -> tuple[bytes | None, bytes | None]:
    """The registered and the suspect picture at the middle of each matched range (JPEG), where there is
    a picture and it can be read; audio has none."""
    report = match.report
    if match.kind == MediaKind.AUDIO or report.suspect is None:
        return None, None
    ref_at = (match.ref_start_ms + match.ref_end_ms) // 2
    query_at = (match.query_start_ms + match.query_end_ms) // 2
    return frame_at(blob_local_path(match.version.blob), ref_at), frame_at(
        blob_local_path(report.suspect), query_at
    )


def frame_at(path: str, at_ms: int) -> bytes | None:
    """The picture at at_ms as a JPEG, or None where it cannot be read."""
    try:
        return frame_jpeg(path, at_ms, width=320)
    except MediaError:
        return None


def data_uri(jpeg: bytes | None) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode() if jpeg else ""


# ----------------------------------------------------------------------------- the pack's content
@dataclass
class VersionFacts:
    version: AssetVersion
    label: str
    token_name: str  # the .tsr in the zip ("" when the version has no time-stamp yet)
    verification: str
    verified: bool
    command: str


@dataclass
class MatchFacts:
    match: ReportMatch
    number: int
    text: str
    ref_range: str
    query_range: str
    mirrored: str
    ref_jpeg: bytes | None
    query_jpeg: bytes | None
    ref_uri: str = ""
    query_uri: str = ""


@dataclass
class PackContent:
    report: InfringementReport
    number: int
    generated_at: dt.datetime
    versions: list[VersionFacts]
    matches: list[MatchFacts]
    licences: list[Licence]
    files: dict[str, bytes] = field(default_factory=dict)  # the zip's entries but the PDF and the manifest


def _version_facts(version: AssetVersion) -> VersionFacts:
    from shouzhan.assets import tsa

    label = f"{work_label(version.work)} v{version.number}"
    stamp = getattr(version, "timestamp", None)
    if stamp is None:
        return VersionFacts(version, label, "", _("尚未加盖时间戳"), False, "")
    token_name = f"timestamps/{version.code}.tsr"
    result = tsa.token_verify(response_der=bytes(stamp.response_der), data_path=blob_local_path(version.blob))
    command = tsa.verify_command_text(
        digest_hex=version.blob.sha256, token_file=token_name, ca_file=CERT_NAME
    )
    return VersionFacts(version, label, token_name, result.message, result.ok, command)


def pack_content(report: InfringementReport, *, number: int) -> PackContent:
    """Read everything the pack shows (the tokens checked, the frames cut) — slow work, no writes."""
    from shouzhan.assets import tsa

    selected = list(
        report.matches.filter(selected=True, version__work__enterprise_id=report.enterprise_id)
        .select_related("version__work__parent", "version__blob", "version__timestamp", "report__suspect")
        .order_by("-score", "id")
    )
    versions: dict[int, AssetVersion] = {m.version_id: m.version for m in selected}
    version_facts = [_version_facts(v) for v in versions.values()]
    matches = []
    for i, match in enumerate(selected, start=1):
        ref_jpeg, query_jpeg = frame_pair(match)
        ranged = has_range(match)
        matches.append(
            MatchFacts(
                match=match,
                number=i,
                text=match_text(match),
                ref_range=span(match.ref_start_ms, match.ref_end_ms) if ranged else "—",
                query_range=span(match.query_start_ms, match.query_end_ms) if ranged else "—",
                mirrored=mirrored_text(match),
                ref_jpeg=ref_jpeg,
                query_jpeg=query_jpeg,
                ref_uri=data_uri(ref_jpeg),
                query_uri=data_uri(query_jpeg),
            )
        )
    works = {v.work_id for v in versions.values()}
    licences = list(
        Licence.objects.filter(work_id__in=works, state=Licence.State.GRANTED)
        .select_related("work", "licensee", "holder")
        .prefetch_related("versions")
        .order_by("work_id", "starts_on", "id")
    )
    content = PackContent(report, number, timezone.now(), version_facts, matches, licences)
    files: dict[str, bytes] = {CERT_NAME: tsa.tsa_certificate_pem()}
    for facts in version_facts:
        if facts.token_name:
            files[facts.token_name] = bytes(facts.version.timestamp.response_der)
    for m in matches:
        if m.ref_jpeg:
            files[f"frames/match-{m.number}-registered.jpg"] = m.ref_jpeg
        if m.query_jpeg:
            files[f"frames/match-{m.number}-suspect.jpg"] = m.query_jpeg
    files["matches.csv"] = _csv(_match_rows(matches))
    files["licences.csv"] = _csv(_licence_rows(licences))
    files["README.txt"] = _readme(version_facts).encode()
    content.files = files
    return content


def _csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return ("\ufeff" + out.getvalue()).encode()  # BOM: Excel opens UTF-8 Chinese correctly


def _match_rows(matches: list[MatchFacts]) -> list[list[Any]]:
    header = ["no", "work", "version", "version_sha256", "kind", "score", "registered_range", "suspect_range"]
    rows: list[list[Any]] = [[*header, "mirrored"]]
    for m in matches:
        v = m.match.version
        rows.append(
            [
                m.number,
                work_label(v.work),
                v.number,
                v.blob.sha256,
                m.match.kind,
                f"{m.match.score:.4f}",
                m.ref_range,
                m.query_range,
                "yes" if m.match.mirrored else "no",
            ]
        )
    return rows


def _licence_rows(licences: list[Licence]) -> list[list[Any]]:
    rows: list[list[Any]] = [["work", "licensee", "scope", "exclusive", "territory", "starts_on", "ends_on"]]
    for lic in licences:
        rows.append(
            [
                work_label(lic.work),
                lic.licensee.name if lic.licensee else "",
                lic.get_scope_display(),
                "yes" if lic.exclusive else "no",
                lic.territory,
                lic.starts_on.isoformat(),
                lic.ends_on.isoformat(),
            ]
        )
    return rows


def _readme(versions: list[VersionFacts]) -> str:
    lines = [
        "首站 版权维权证据包 / Shouzhan evidence pack",
        "",
        "【中文】",
        "1. manifest.json 列出本压缩包中其他每个文件的 SHA-256，可用 `sha256sum 文件名` 逐一核对。",
        "2. timestamps/ 下是各登记版本的 RFC 3161 时间戳应答（.tsr），tsa/shouzhan-tsa.pem 是时间戳服务的证书链。",
        "3. 用 OpenSSL 验证时间戳（-digest 后是登记文件的 SHA-256；也可以用 -data 原文件 代替）：",
    ]
    commands = [f"   {v.command}" for v in versions if v.command] or ["   （本证据包没有带时间戳的登记版本）"]
    lines += commands
    lines += [
        "   输出 “Verification: OK” 即表示该文件在时间戳时间已经存在且此后未被修改。",
        "4. frames/ 是每条比对结果中登记作品和疑似侵权文件在对应时间点的画面；matches.csv、licences.csv 是比对结果和已授权的许可。",
        "",
        "[English]",
        "1. manifest.json lists the SHA-256 of every other file in this zip; check each with `sha256sum FILE`.",
        "2. timestamps/ holds the RFC 3161 time-stamp responses (.tsr) of the registered versions;",
        "   tsa/shouzhan-tsa.pem is the time-stamping authority's certificate chain.",
        "3. Verify a time-stamp with OpenSSL (-digest is the registered file's SHA-256; or use -data FILE):",
    ]
    lines += [
        c if c.strip().startswith("openssl") else "   (no time-stamped version in this pack)"
        for c in commands
    ]
    lines += [
        '   "Verification: OK" means the file existed at the time-stamp\'s time and has not changed since.',
        "4. frames/ holds the registered and the suspect picture of each match; matches.csv and licences.csv",
        "   list the matches and the granted licences.",
        "",
    ]
    return "\n".join(lines)


def manifest_bytes(files: dict[str, bytes]) -> bytes:
    entries = [
        {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        for name, data in sorted(files.items())
    ]
    return json.dumps({"algorithm": "sha256", "files": entries}, ensure_ascii=False, indent=2).encode()


def pack_pdf(content: PackContent) -> bytes:
    from weasyprint import HTML

    listing = [
        (name, hashlib.sha256(data).hexdigest(), len(data)) for name, data in sorted(content.files.items())
    ]
    html = render_to_string(
        "assets/evidence_pdf.html",
        {
            "c": content,
            "report": content.report,
            "listing": listing,
            "pdf_name": PDF_NAME,
            "platform": content.report.get_platform_display(),
        },
    )
    return bytes(HTML(string=html).write_pdf())


def pack_zip(content: PackContent, pdf: bytes) -> bytes:
    files = {**content.files, PDF_NAME: pdf}
    files["manifest.json"] = manifest_bytes(files)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            archive.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), files[name], zipfile.ZIP_DEFLATED)
    return out.getvalue()
