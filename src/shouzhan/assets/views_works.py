"""Pages of the registry: an enterprise's works (the staff's all), a work with its versions, uploading a new
version, publishing, provenance, the file's download and the version's certificate of existence.

The owner and the staff see the files; another enterprise sees a published work without them; an
unpublished work of another enterprise is a 404 (assets.permissions)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouzhan.assets import selectors
from shouzhan.assets.certificates import certificate_download, certificate_filename, stamp_times
from shouzhan.assets.forms import (
    ProvenanceForm,
    PublishForm,
    VersionForm,
    WorkFilterForm,
    WorkForm,
    max_mb_text,
)
from shouzhan.assets.models import AssetVersion, Provenance, Timestamp, Work, WorkKind
from shouzhan.assets.nav import nav_key
from shouzhan.assets.permissions import (
    CASEWORK_ROLES,
    can_read_content,
    can_read_work,
    is_owner,
    own_enterprise_ids,
    require_content_read,
    require_work_read,
    require_work_write,
    sees_every_work,
)
from shouzhan.assets.services import versions as version_services
from shouzhan.assets.services import works as work_services
from shouzhan.assets.services.library import library_summary
from shouzhan.assets.services.licences import licences_for_work
from shouzhan.assets.services.reports import reports_for_work
from shouzhan.core.errors import Conflict
from shouzhan.core.forms import add_service_errors
from shouzhan.core.limits import PAGE_DEFAULT
from shouzhan.core.permissions import user_role
from shouzhan.registry.models import Enterprise

ACTIVE = "assets_works"


def _page_number(value: str | None) -> int:
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 6 and int(text) > 0 else 1


def _caseworker(user: Any) -> bool:
    return user_role(user) in CASEWORK_ROLES


def _can_write(user: Any, work: Work) -> bool:
    return is_owner(user, work) or _caseworker(user)


def _require_registry_user(user: Any) -> tuple[bool, set[int]]:
    staff, own = sees_every_work(user), own_enterprise_ids(user)
    if not staff and not own:
        raise PermissionDenied(_("数字资产库供企业成员和服务中心工作人员使用。"))
    return staff, own


# ----------------------------------------------------------------------------- the list
@login_required
@require_GET
def works(request: HttpRequest) -> HttpResponse:
    user = request.user
    staff, own = _require_registry_user(user)
    form = WorkFilterForm(request.GET, enterprises=selectors.enterprises_with_works() if staff else None)
    valid = form.is_valid()
    filters = form.cleaned_data if valid else {}
    enterprise = filters.get("enterprise")
    kind = filters.get("kind") or ""
    base = selectors.works_list(user, enterprise=enterprise)
    rows = base.filter(kind=kind) if kind else base
    page = Paginator(rows, PAGE_DEFAULT).get_page(_page_number(request.GET.get("page")))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "active_nav": nav_key(request.user, ACTIVE),
        "form": form,
        "staff": staff,
        "page": page,
        "query": query.urlencode(),
        "counts": selectors.kind_counts(base),
        "total": base.count(),
        "kind": kind,
        "filtered": bool(enterprise or kind),
        "can_register": bool(own) or _caseworker(user),
        "stamp_words": dict(AssetVersion.Stamp.choices),
        "library": library_summary(actor=user),
    }
    return render(request, "assets/works_list.html", context, status=200 if valid else 400)


# ----------------------------------------------------------------------------- register / edit
def _register_choices(user: Any) -> tuple[Any, Any, bool]:
    """(enterprises to choose from or None when fixed, the series offered, series labelled with holder)."""
    own = own_enterprise_ids(user)
    if _caseworker(user):
        return Enterprise.objects.order_by("name", "id"), selectors.series_choices(None), True
    if not own:
        raise PermissionDenied(_("只有企业成员或营商专员可以登记作品。"))
    enterprises = Enterprise.objects.filter(pk__in=own).order_by("name", "id") if len(own) > 1 else None
    return enterprises, selectors.series_choices(own), len(own) > 1


def _initial_from_query(request: HttpRequest) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    if request.GET.get("kind") in WorkKind.values:
        initial["kind"] = request.GET["kind"]
    parent = request.GET.get("parent", "")
    if parent.isdigit() and len(parent) <= 9:
        initial["parent"] = int(parent)
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def work_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    enterprises, series, with_holder = _register_choices(user)
    kwargs = {"enterprises": enterprises, "series": series, "series_with_holder": with_holder}
    if request.method == "POST":
        form = WorkForm(request.POST, **kwargs)
        if form.is_valid():
            enterprise = form.cleaned_data.get("enterprise") or Enterprise.objects.get(
                pk=min(own_enterprise_ids(user))
            )
            try:
                work = work_services.work_create(actor=user, enterprise=enterprise, data=form.service_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            except Http404:
                form.add_error("enterprise", _("不能为该企业登记作品。"))
            else:
                messages.success(
                    request, _("已登记作品“%(title)s”，请上传第一个版本。") % {"title": work.title}
                )
                return redirect("assets:work", pk=work.pk)
        status = 400
    else:
        form = WorkForm(initial=_initial_from_query(request), **kwargs)
        status = 200
    context = {"active_nav": nav_key(request.user, ACTIVE), "form": form, "work": None}
    return render(request, "assets/works_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def work_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    work = selectors.work_for_write(pk)
    require_work_write(user, work)
    series = selectors.series_choices({work.enterprise_id}).exclude(pk=work.pk)
    conflict = ""
    status = 200
    if request.method == "POST":
        form = WorkForm(request.POST, series=series)
        if form.is_valid():
            seen = form.cleaned_data.get("version")
            try:
                work_services.work_update(
                    actor=user, work=work, data=form.service_data(), version=-1 if seen is None else seen
                )
            except Conflict as exc:
                conflict, status = exc.message_text, 409
                work = selectors.work_for_write(pk)
                # Their words stay on the form; the version is now the current one, so saving again
                # (after reading what changed, shown beside) replaces it on purpose.
                data = request.POST.copy()
                data["version"] = str(work.version)
                form = WorkForm(data, series=series)
                form.is_valid()
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("已保存作品信息。"))
                return redirect("assets:work", pk=pk)
        else:
            status = 400
    else:
        form = WorkForm(
            initial={
                "kind": work.kind,
                "title": work.title,
                "description": work.description,
                "dci": work.dci,
                "parent": work.parent_id,
                "episode_no": work.episode_no,
                "version": work.version,
            },
            series=series,
        )
    context = {"active_nav": nav_key(request.user, ACTIVE), "form": form, "work": work, "conflict": conflict}
    return render(request, "assets/works_form.html", context, status=status)


# ----------------------------------------------------------------------------- the work's page
def _stamp(version: AssetVersion) -> Timestamp | None:
    try:
        return version.timestamp
    except Timestamp.DoesNotExist:
        return None


def _link_row(user: Any, link: Provenance, *, other: AssetVersion, here: AssetVersion) -> dict[str, Any]:
    readable = can_read_work(user, other.work)
    return {
        "relation": link.get_relation_display(),
        "here": here,
        "other": other if readable else None,  # another enterprise's unpublished work is not named
        "note": link.note,
    }


def _detail_context(request: HttpRequest, work: Work, **extra: Any) -> dict[str, Any]:
    user = request.user
    versions = list(work.versions.all())
    rows, sources, derived = [], [], []
    for v in versions:
        stamp = _stamp(v)
        rows.append({"v": v, "stamp": stamp, "times": stamp_times(stamp.gen_time) if stamp else None})
        sources += [_link_row(user, p, other=p.source, here=v) for p in v.sources.all()]
        derived += [_link_row(user, p, other=p.target, here=v) for p in v.derived.all()]
    can_write = _can_write(user, work)
    context: dict[str, Any] = {
        "active_nav": nav_key(request.user, ACTIVE),
        "work": work,
        "rows": rows,
        "latest": versions[0] if versions else None,
        "sources": sources,
        "derived": derived,
        "parts": list(work.parts.all()) if work.kind == WorkKind.SERIES else [],
        "can_write": can_write,
        "can_files": can_read_content(user, work),
        "is_owner": is_owner(user, work),
        "max_mb": max_mb_text(),
        # The reports' and the licences' panels (assets/_work_reports.html, _work_licences.html).
        "work_reports": reports_for_work(actor=user, work=work),
        "work_licences": licences_for_work(actor=user, work=work),
    }
    if can_write:
        context.setdefault("version_form", VersionForm(auto_id="version-%s"))
        if versions:
            context.setdefault(
                "provenance_form",
                ProvenanceForm(
                    targets=versions, sources=selectors.provenance_sources(work), auto_id="prov-%s"
                ),
            )
    context.update(extra)
    return context


def _detail(request: HttpRequest, pk: int, *, status: int = 200, **extra: Any) -> HttpResponse:
    work = selectors.work_detail(request.user, pk)
    return render(request, "assets/works_detail.html", _detail_context(request, work, **extra), status=status)


@login_required
@require_GET
def work_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


@login_required
@require_POST
def version_upload(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    work = selectors.work_for_write(pk)
    require_work_write(user, work)
    form = VersionForm(request.POST, request.FILES, auto_id="version-%s")
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            version = version_services.version_register(
                actor=user,
                work=work,
                filename=upload.name or "file",
                content=upload.read(),
                note=form.cleaned_data.get("note", ""),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("已登记第 %(n)s 版，存证编号 %(code)s。") % {"n": version.number, "code": version.code},
            )
            return redirect(reverse("assets:work", args=[pk]) + "#versions")
    return _detail(request, pk, status=400, version_form=form)


@login_required
@require_POST
def work_publish(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    work = selectors.work_for_write(pk)
    require_work_write(user, work)
    form = PublishForm(request.POST)
    if form.is_valid():
        published = bool(form.cleaned_data["published"])
        try:
            work_services.work_publish(actor=user, work=work, published=published)
        except ValidationError as exc:
            return _detail(request, pk, status=400, publish_errors=exc.messages)
        messages.success(request, _("作品已公开。") if published else _("作品已取消公开。"))
        return redirect("assets:work", pk=pk)
    return _detail(request, pk, status=400, publish_errors=[_("请求无效，请刷新页面后重试。")])


def _source_version(form: ProvenanceForm, user: Any) -> AssetVersion | None:
    data = form.cleaned_data
    if data.get("source"):
        return AssetVersion.objects.select_related("work").filter(pk=data["source"]).first()
    source = selectors.version_by_code(data.get("source_code", ""))
    if source is None or not can_read_work(user, source.work):
        form.add_error("source_code", _("没有找到该存证编号的版本，或该作品尚未公开。"))
        return None
    return source


@login_required
@require_POST
def provenance_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    work = selectors.work_for_write(pk)
    require_work_write(user, work)
    targets = list(work.versions.order_by("-number"))
    form = ProvenanceForm(
        request.POST, targets=targets, sources=selectors.provenance_sources(work), auto_id="prov-%s"
    )
    if form.is_valid():
        target = next(v for v in targets if v.pk == form.cleaned_data["target"])
        source = _source_version(form, user)
        if source is not None:
            try:
                version_services.provenance_record(
                    actor=user,
                    target=target,
                    source=source,
                    relation=form.cleaned_data["relation"],
                    note=form.cleaned_data.get("note", ""),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except Http404:
                form.add_error("source_code", _("没有找到该存证编号的版本，或该作品尚未公开。"))
            else:
                messages.success(request, _("已登记来源关系。"))
                return redirect(reverse("assets:work", args=[pk]) + "#provenance")
    return _detail(request, pk, status=400, provenance_form=form)


# ----------------------------------------------------------------------------- files and certificates
def _version(code: str) -> AssetVersion:
    version = selectors.version_by_code(code)
    if version is None:
        raise Http404(_("没有找到该存证编号的登记记录。"))
    return version


@login_required
@require_GET
def version_file(request: HttpRequest, code: str) -> HttpResponseBase:
    version = _version(code)
    require_content_read(request.user, version.work)
    try:
        handle = default_storage.open(version.blob.file.name, "rb")
    except OSError:
        raise Http404(_("该版本的文件暂时无法读取，请联系服务中心。")) from None
    return FileResponse(handle, as_attachment=True, filename=version.filename)


@login_required
@require_GET
def certificate(request: HttpRequest, code: str) -> HttpResponse:
    version = _version(code)
    require_work_read(request.user, version.work)
    verify_url = request.build_absolute_uri(reverse("assets:verify_code", args=[version.code]))
    pdf = certificate_download(actor=request.user, version=version, verify_url=verify_url)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, certificate_filename(version)) or ""
    return response
