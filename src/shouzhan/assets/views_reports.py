"""Pages of the infringement reports (侵权线索) and their rights protection (版权维权).

- GET /assets/reports/ — the enterprise's reports (staff: all), state and outcome in words.
- GET|POST /assets/reports/new/ — a suspect file and/or link, platform, account, first seen; matched at once.
- GET /assets/reports/<pk>/ — the matches with their time ranges and frames, the form that opens the
  case, the case, the evidence packs and the outcome.
- POST /assets/reports/<pk>/case/ — open the rights-protection case (and build the first pack).
- POST /assets/reports/<pk>/packs/ — build the next evidence pack.
- GET /assets/reports/<pk>/packs/<n>/<pdf|zip>/ — download a pack (audited).
- GET /assets/reports/<pk>/matches/<m>/<registered|suspect>/ — a match's frame (JPEG), permissions checked.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouzhan.assets import evidence
from shouzhan.assets.forms_reports import CaseOpenForm, ReportForm
from shouzhan.assets.models import (
    AssetVersion,
    EvidencePack,
    Fingerprint,
    InfringementReport,
    MediaKind,
    ReportMatch,
)
from shouzhan.assets.nav import nav_key
from shouzhan.assets.permissions import (
    can_build_pack,
    can_read_content,
    require_enterprise_register,
    require_report_read,
)
from shouzhan.assets.services import packs as pack_services
from shouzhan.assets.services import reports as services
from shouzhan.assets.services.blobs import blob_local_path
from shouzhan.assets.workflow import RIGHTS_PROTECTION
from shouzhan.core.errors import Conflict
from shouzhan.core.forms import add_service_errors
from shouzhan.registry.models import Enterprise
from shouzhan.registry.permissions import member_enterprise_ids

NAV = "assets_reports"


def _report(request: HttpRequest, pk: int) -> InfringementReport:
    report = get_object_or_404(
        InfringementReport.objects.select_related("enterprise", "case", "suspect", "reported_by"), pk=pk
    )
    require_report_read(request.user, report)
    return report


def _can_open(request: HttpRequest, report: InfringementReport) -> bool:
    try:
        require_enterprise_register(request.user, report.enterprise_id)
    except Http404:
        return False
    return report.case_id is None


@login_required
@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    rows = []
    for report in services.report_list(actor=request.user).prefetch_related("matches"):
        rows.append(
            {
                "report": report,
                "matches": len(report.matches.all()),
                "state": _case_state(report),
                "outcome": services.outcome_label(report.outcome) if report.outcome else "",
            }
        )
    own = bool(member_enterprise_ids(request.user))
    return render(
        request,
        "assets/report_list.html",
        {"rows": rows, "can_report": own, "active_nav": nav_key(request.user, NAV)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    enterprises = list(Enterprise.objects.filter(pk__in=member_enterprise_ids(request.user)).order_by("name"))
    if not enterprises:
        raise PermissionDenied(_("提交侵权线索需要先关联您的企业。"))
    form = ReportForm(request.POST or None, request.FILES or None, enterprises=enterprises)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("file")
        try:
            report = services.report_create(
                actor=request.user,
                enterprise=next(e for e in enterprises if e.pk == data["enterprise"]),
                filename=upload.name if upload is not None else None,
                content=upload.read() if upload is not None else None,
                link=data.get("link") or "",
                platform=data["platform"],
                account=data.get("account") or "",
                first_seen_on=data["first_seen_on"],
                note=data.get("note") or "",
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            n = report.matches.count()
            if n:
                messages.success(request, _("已提交侵权线索，在登记库中找到 %(n)s 条相似内容。") % {"n": n})
            else:
                messages.info(request, _("已提交侵权线索。"))
            return redirect("assets:report_detail", pk=report.pk)
    context = {"form": form, "active_nav": nav_key(request.user, NAV)}
    return render(request, "assets/report_new.html", context, status=400 if form.errors else 200)


def _match_rows(request: HttpRequest, report: InfringementReport) -> list[dict[str, Any]]:
    rows = []
    matches = report.matches.select_related(
        "version__work__parent", "version__work__enterprise", "version__blob"
    )
    for m in matches:
        work = m.version.work
        ranged = evidence.has_range(m)
        pictured = m.kind != MediaKind.AUDIO and report.suspect_id is not None
        rows.append(
            {
                "match": m,
                "work": evidence.work_label(work),
                "holder": work.enterprise.name,
                "own": work.enterprise_id == report.enterprise_id,
                "score": round(m.score * 100),
                "ref_range": evidence.span(m.ref_start_ms, m.ref_end_ms) if ranged else "",
                "query_range": evidence.span(m.query_start_ms, m.query_end_ms) if ranged else "",
                "mirrored": evidence.mirrored_text(m),
                "kind": m.get_kind_display(),
                "ref_frame": pictured and can_read_content(request.user, work),
                "query_frame": pictured,
            }
        )
    return rows


def _compared(report: InfringementReport) -> str:
    """What the suspect file was compared with, in words (the empty state says it)."""
    if report.suspect is None:
        return _("只提交了链接，没有上传文件，因此没有做指纹比对。")
    versions = Fingerprint.objects.values("version").distinct().count()
    seconds = (report.suspect.duration_ms or 0) // 1000
    media = report.suspect.get_media_display()
    if seconds:
        return _("已将这段 %(s)s 秒的%(media)s与登记库中 %(n)s 个已提取指纹的作品版本逐段比对。") % {
            "s": seconds,
            "media": media,
            "n": versions,
        }
    return _("已将这张%(media)s与登记库中 %(n)s 个已提取指纹的作品版本比对。") % {
        "media": media,
        "n": versions,
    }


def _detail(
    request: HttpRequest, report: InfringementReport, form: CaseOpenForm | None, status: int = 200
) -> HttpResponse:
    can_open = _can_open(request, report)
    own = [(m.pk, evidence.match_text(m)) for m in services.own_matches(report)]
    if form is None and can_open:
        form = CaseOpenForm(paths=services.path_choices(), matches=own)
    context = {
        "report": report,
        "rows": _match_rows(request, report),
        "compared": _compared(report),
        "form": form if can_open else None,
        "packs": list(report.packs.select_related("pdf", "archive", "created_by")),
        "can_build": can_build_pack(request.user, report),
        "outcome": services.outcome_label(report.outcome) if report.outcome else "",
        "case_state": _case_state(report),
        "active_nav": nav_key(request.user, NAV),
    }
    return render(request, "assets/report_detail.html", context, status=status)


def _case_state(report: InfringementReport) -> str:
    if report.case is None:
        return ""
    try:
        return str(RIGHTS_PROTECTION.state(report.case.state).staff_label)
    except KeyError:
        return ""


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _report(request, pk), None)


@login_required
@require_POST
def report_case(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    if not _can_open(request, report):
        messages.info(request, _("这条线索已经发起了版权维权。"))
        return redirect("assets:report_detail", pk=report.pk)
    own = [(m.pk, evidence.match_text(m)) for m in services.own_matches(report)]
    form = CaseOpenForm(request.POST, paths=services.path_choices(), matches=own)
    if form.is_valid():
        try:
            services.report_case_open(
                actor=request.user,
                report=report,
                path=form.cleaned_data["path"],
                need=form.cleaned_data.get("need") or "",
                match_ids=form.cleaned_data.get("match_ids") or [],
            )
        except Conflict as exc:
            messages.info(request, " ".join(exc.messages))
            return redirect("assets:report_detail", pk=report.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已发起版权维权，证据包已生成。"))
            return redirect("assets:report_detail", pk=report.pk)
    return _detail(request, report, form, status=400)


@login_required
@require_POST
def report_pack_build(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    pack = pack_services.pack_build(actor=request.user, report=report)
    messages.success(request, _("已生成第 %(n)s 版证据包。") % {"n": pack.number})
    return redirect("assets:report_detail", pk=report.pk)


@login_required
@require_GET
def report_pack_download(request: HttpRequest, pk: int, number: int, kind: str) -> HttpResponse:
    report = _report(request, pk)
    if kind not in pack_services.KINDS:
        raise Http404(_("证据包只有 PDF 和 ZIP 两种格式。"))
    pack = get_object_or_404(
        EvidencePack.objects.select_related("report", "pdf", "archive"), report=report, number=number
    )
    data = pack_services.pack_download(actor=request.user, pack=pack, kind=kind)
    response = HttpResponse(data, content_type=pack_services.KINDS[kind])
    name, ascii_name = pack_services.pack_filename(pack, kind), pack_services.pack_ascii_filename(pack, kind)
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "private, no-store"  # every download is audited: never from a cache
    return response


@login_required
@require_GET
def report_frame(request: HttpRequest, pk: int, match_pk: int, side: str) -> HttpResponse:
    report = _report(request, pk)
    match: ReportMatch = get_object_or_404(
        ReportMatch.objects.select_related("version__work", "version__blob", "report__suspect"),
        pk=match_pk,
        report=report,
    )
    if side not in ("registered", "suspect") or report.suspect is None or match.kind == MediaKind.AUDIO:
        raise Http404(_("没有这张画面。"))
    version: AssetVersion = match.version
    if side == "registered" and not can_read_content(request.user, version.work):
        raise Http404(_("没有这张画面。"))
    if side == "registered":
        path, at_ms = blob_local_path(version.blob), (match.ref_start_ms + match.ref_end_ms) // 2
    else:
        path, at_ms = blob_local_path(report.suspect), (match.query_start_ms + match.query_end_ms) // 2
    jpeg = evidence.frame_at(path, at_ms)
    if not jpeg:
        raise Http404(_("没有这张画面。"))
    response = HttpResponse(jpeg, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response
