"""Infringement reports (侵权线索) and the rights-protection case (版权维权) opened from them.

A right holder reports a suspect copy — the file, a link, or both — with the platform and the day it was
first seen. The file is matched against every registered fingerprint at once; the matches the reporting
enterprise may know of are kept (its own works and published ones). Only matches on its own works can be
chosen for its case: whoever reports a copy of someone else's work is told it matched, not given a case
about it. Opening the case builds the first evidence pack in the same step, so the evidence is fixed the
day the copy was found; the case's outcome comes back through assets.effects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.assets import audit_actions as aa
from shouzhan.assets.evidence import match_text, work_label
from shouzhan.assets.fingerprints.media import MediaError
from shouzhan.assets.models import AssetVersion, InfringementReport, ReportMatch, Work
from shouzhan.assets.permissions import require_enterprise_register, require_report_read, scope_reports
from shouzhan.assets.services.blobs import SUSPECT_FORMATS, blob_local_path, blob_store, max_bytes
from shouzhan.assets.workflow import PATH_LIMITS, PATHS, RIGHTS_KEY, RIGHTS_PROTECTION
from shouzhan.cases.files import file_check
from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.audit import audit_record
from shouzhan.core.errors import Conflict
from shouzhan.core.limits import TEXT, check_length

OUTCOMES = ("removed", "settled", "judged", "unresolved", "withdrawn")
LINK_MAX = 500
ACCOUNT_MAX = 200


def path_limit(path: str) -> int:
    return dict(PATH_LIMITS)[path]


def path_choices() -> list[tuple[str, str]]:
    """The paths with their working-day limits in words, for the case form."""
    return [
        (key, _("%(label)s（%(n)s 个工作日）") % {"label": label, "n": path_limit(key)})
        for key, label in PATHS
    ]


def outcome_label(outcome: str) -> str:
    try:
        return str(RIGHTS_PROTECTION.state(outcome).staff_label)
    except KeyError:
        return ""


# ----------------------------------------------------------------------------- create
def _report_errors(
    *,
    filename: str | None,
    content: bytes | None,
    link: str,
    platform: str,
    account: str,
    first_seen_on: Any,
    note: str,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if content is None and not link:
        errors[NON_FIELD_ERRORS] = [_("请上传疑似侵权的文件，或填写侵权链接（至少一项）。")]
    if content is not None:
        try:
            file_check(
                filename=filename or "file", content=content, formats=SUSPECT_FORMATS, max_bytes=max_bytes()
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if link:
        if len(link) > LINK_MAX:
            errors["link"] = [_("链接最多 %(n)s 个字符。") % {"n": LINK_MAX}]
        else:
            try:
                URLValidator(schemes=["http", "https"])(link)
            except ValidationError:
                errors["link"] = [_("请填写以 http:// 或 https:// 开头的完整链接。")]
    if platform not in InfringementReport.Platform.values:
        errors["platform"] = [_("请选择发现侵权内容的平台。")]
    if len(account) > ACCOUNT_MAX:
        errors["account"] = [_("发布账号最多 %(n)s 个字符。") % {"n": ACCOUNT_MAX}]
    if not isinstance(first_seen_on, dt.date):
        errors["first_seen_on"] = [_("请填写首次发现日期。")]
    elif first_seen_on > timezone.localdate():
        errors["first_seen_on"] = [_("首次发现日期不能晚于今天。")]
    try:
        check_length(field="note", text=note, limit=TEXT)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    return errors


@transaction.atomic
def report_create(
    *,
    actor: Actor,
    enterprise: Any,
    filename: str | None = None,
    content: bytes | None = None,
    link: str = "",
    platform: str,
    account: str = "",
    first_seen_on: dt.date,
    note: str = "",
) -> InfringementReport:
    """Record a suspect copy and match its file against the registry. Every wrong input is said at once
    (on its field) and nothing is stored."""
    require_enterprise_register(actor, enterprise.pk)
    link, account, note = (link or "").strip(), (account or "").strip(), (note or "").strip()
    if filename is not None:
        filename = filename.replace("/", "_").replace("\\", "_")[-200:]
    errors = _report_errors(
        filename=filename,
        content=content,
        link=link,
        platform=platform,
        account=account,
        first_seen_on=first_seen_on,
        note=note,
    )
    if errors:
        raise ValidationError(errors)
    blob = (
        blob_store(filename=filename or "file", content=content, formats=SUSPECT_FORMATS) if content else None
    )
    report = InfringementReport.objects.create(
        enterprise=enterprise,
        reported_by=actor_user(actor),
        suspect=blob,
        suspect_filename=(filename or "") if blob else "",
        link=link,
        platform=platform,
        account=account,
        first_seen_on=first_seen_on,
        note=note,
    )
    found = _matches_store(report) if blob is not None else []
    audit_record(
        actor=actor,
        action=aa.REPORT_CREATE,
        target=report,
        after={
            "platform": platform,
            "link": link,
            "sha256": blob.sha256 if blob else "",
            "first_seen_on": first_seen_on.isoformat(),
            "matches": len(found),
        },
        enterprise_id=enterprise.pk,
    )
    return report


def _matches_store(report: InfringementReport) -> list[ReportMatch]:
    """Match the suspect file and keep what the reporting enterprise may know of: its own works' versions
    and published works' (another enterprise's unpublished work is never named to it)."""
    from shouzhan.assets.matching import suspect_matches

    assert report.suspect is not None
    try:
        found = suspect_matches(blob_local_path(report.suspect), report.suspect.media)
    except MediaError as exc:
        raise ValidationError(
            {"file": [_("无法读取该文件的画面或声音：%(why)s") % {"why": _(str(exc))}]}
        ) from None
    visible = Q(work__enterprise_id=report.enterprise_id) | Q(work__published=True)
    versions = {
        v.pk: v
        for v in AssetVersion.objects.filter(visible, pk__in=[m.ref_id for m in found]).select_related("work")
    }
    rows = [
        ReportMatch(
            report=report,
            version=versions[m.ref_id],
            kind=m.kind,
            score=round(float(m.score), 4),
            query_start_ms=m.query_start_ms,
            query_end_ms=m.query_end_ms,
            ref_start_ms=m.ref_start_ms,
            ref_end_ms=m.ref_end_ms,
            mirrored=m.mirrored,
            selected=versions[m.ref_id].work.enterprise_id == report.enterprise_id,
        )
        for m in found
        if m.ref_id in versions
    ]
    return ReportMatch.objects.bulk_create(rows)


# ----------------------------------------------------------------------------- the case
def own_matches(report: InfringementReport) -> QuerySet[ReportMatch]:
    """The matches on the reporting enterprise's own works: the only ones its case may be about."""
    return report.matches.filter(version__work__enterprise_id=report.enterprise_id).select_related(
        "version__work__parent"
    )


def _case_works(matches: Iterable[ReportMatch]) -> str:
    seen: dict[int, Work] = {}
    for m in matches:
        seen.setdefault(m.version.work_id, m.version.work)
    return "、".join(work_label(w) for w in seen.values())


@transaction.atomic
def report_case_open(
    *, actor: Actor, report: InfringementReport, path: str, need: str, match_ids: Iterable[int]
) -> InfringementReport:
    """Open the rights-protection case on the chosen path with the chosen matches (own works only), and
    build the first evidence pack at once."""
    from shouzhan.assets.services.packs import pack_build
    from shouzhan.cases.services.submit import case_submit

    locked = InfringementReport.objects.select_for_update().get(pk=report.pk)
    require_report_read(actor, locked)
    require_enterprise_register(actor, locked.enterprise_id)
    if locked.case_id is not None:
        raise Conflict(_("这条线索已经发起了版权维权，请在办件中跟进。"))
    need = (need or "").strip()
    errors: dict[str, list[str]] = {}
    if path not in dict(PATHS):
        errors["path"] = [_("请选择维权路径。")]
    try:
        check_length(field="need", text=need, limit=TEXT)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    wanted = {int(i) for i in match_ids}
    own = list(own_matches(locked))
    chosen = [m for m in own if m.pk in wanted]
    if wanted - {m.pk for m in chosen}:
        errors["match_ids"] = [_("只能选择本企业作品的比对结果。")]
    elif own and not chosen:
        errors["match_ids"] = [_("请至少选择一条比对结果作为维权依据。")]
    if errors:
        raise ValidationError(errors)
    locked.matches.exclude(pk__in=[m.pk for m in chosen]).update(selected=False)
    locked.matches.filter(pk__in=[m.pk for m in chosen]).update(selected=True)
    works = _case_works(chosen)
    platform = locked.get_platform_display()
    title = (
        _("版权维权：%(works)s 在%(platform)s被侵权") % {"works": works, "platform": platform}
        if works
        else _("版权维权：%(platform)s上的侵权内容") % {"platform": platform}
    )
    data = {
        "path": path,
        "work": works,
        "platform": platform,
        "link": locked.link,
        "first_seen_on": locked.first_seen_on.isoformat(),
        "matches": "\n".join(match_text(m) for m in chosen)
        or (
            _("仅提交了链接，未上传文件，未做指纹比对。")
            if locked.suspect_id is None
            else _("未选择比对结果。")
        ),
        "need": need,
    }
    case = case_submit(
        actor=actor,
        case_type=RIGHTS_KEY,
        enterprise=locked.enterprise,
        title=title[:200],
        data=data,
        related=locked,
    )
    locked.case = case
    locked.save(update_fields=["case"])
    audit_record(
        actor=actor,
        action=aa.REPORT_CASE_OPEN,
        target=locked,
        after={
            "case": case.pk,
            "path": path,
            "matches": len(chosen),
            "due_on": case.due_on.isoformat() if case.due_on else "",
        },
        enterprise_id=locked.enterprise_id,
    )
    pack_build(actor=actor, report=locked)
    return locked


@transaction.atomic
def report_outcome_record(
    *, case: Any, outcome: str, note: str, actor: Actor, on: dt.date | None = None
) -> InfringementReport | None:
    """The case's final state recorded on its report (assets.effects calls this on every outcome)."""
    report = InfringementReport.objects.select_for_update().filter(case=case).first()
    if report is None:  # a case opened without a report (by hand, an import): nothing to record on
        return None
    if outcome not in OUTCOMES:
        raise ValidationError({"outcome": [_("未知的维权结果。")]})
    before = {
        "outcome": report.outcome,
        "outcome_on": report.outcome_on.isoformat() if report.outcome_on else None,
    }
    report.outcome = outcome
    report.outcome_note = (note or "")[:TEXT]
    outcome_on = on or timezone.localdate()
    report.outcome_on = outcome_on
    report.save(update_fields=["outcome", "outcome_note", "outcome_on"])
    audit_record(
        actor=actor,
        action=aa.REPORT_OUTCOME,
        target=report,
        before=before,
        after={"outcome": outcome, "outcome_on": outcome_on.isoformat(), "note": report.outcome_note},
        enterprise_id=report.enterprise_id,
    )
    return report


# ----------------------------------------------------------------------------- reading
def report_list(*, actor: Actor) -> QuerySet[InfringementReport]:
    return scope_reports(actor, InfringementReport.objects.all()).select_related(
        "enterprise", "case", "suspect"
    )


def reports_for_work(*, actor: Actor, work: Work) -> list[ReportMatch]:
    """The matches of the actor's reports on this work's versions (the partial on a work's page)."""
    reports = scope_reports(actor, InfringementReport.objects.all())
    return list(
        ReportMatch.objects.filter(version__work=work, report__in=reports)
        .select_related("report", "report__case", "version")
        .order_by("-report__created_at", "-score")
    )
