"""The licence pages (授权许可) and the library's application (以资产库申报补贴)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shouzhan.assets.forms_licences import LicenceEndForm, LicenceOfferForm, LicenceRequestForm
from shouzhan.assets.models import Licence, Work
from shouzhan.assets.nav import nav_key
from shouzhan.assets.panels import work_url
from shouzhan.assets.permissions import (
    can_read_content,
    require_licence_read,
    require_work_write,
    scope_licences,
    scope_works,
)
from shouzhan.assets.services.library import library_project_sync
from shouzhan.assets.services.licences import (
    licence_end,
    licence_offer,
    licence_request,
    term_words,
    terms_words,
)
from shouzhan.cases.permissions import can_read_case
from shouzhan.core.forms import form_saved
from shouzhan.core.permissions import is_staff_member
from shouzhan.registry.models import Enterprise
from shouzhan.registry.permissions import member_enterprise_ids

LIBRARY_CLAUSE = "xuhui.asset_library"
TAB_LIMIT = 200


def _licences(qs: QuerySet[Licence]) -> QuerySet[Licence]:
    return qs.select_related("work", "holder", "licensee", "case").order_by("-created_at", "-id")


def _rows(qs: QuerySet[Licence]) -> list[dict[str, Any]]:
    return [
        {
            "licence": lic,
            "terms": terms_words(lic),
            "term": term_words(lic),
            "work_url": work_url(lic.work_id),
        }
        for lic in qs[:TAB_LIMIT]
    ]


@login_required
def licences(request: HttpRequest) -> HttpResponse:
    """Three tabs: what my enterprise licensed out, what it obtained, the offers it may request."""
    user = request.user
    own = member_enterprise_ids(user)
    staff = is_staff_member(user)
    visible = scope_licences(user, Licence.objects.all())
    tabs: list[tuple[str, str, QuerySet[Licence]]] = []
    if own:
        tabs += [
            ("given", _("我授出的"), visible.filter(holder_id__in=own)),
            ("taken", _("我获得的"), visible.filter(licensee_id__in=own)),
        ]
    elif staff:
        tabs.append(("all", _("全部授权"), visible.exclude(state=Licence.State.OFFERED)))
    available = visible.filter(state=Licence.State.OFFERED, work__published=True).exclude(holder_id__in=own)
    tabs.append(("available", _("可申请的授权"), available))
    keys = [k for k, _label, _qs in tabs]
    tab = request.GET.get("tab", "")
    if tab not in keys:
        tab = keys[0]
    chosen = next(qs for k, _label, qs in tabs if k == tab)
    work_id = request.GET.get("work", "")
    work = None
    if work_id.isdigit():
        work = scope_works(user, Work.objects.filter(pk=int(work_id))).first()
        if work is not None:
            chosen = chosen.filter(work=work)
    return render(
        request,
        "assets/licence_list.html",
        {
            "active_nav": nav_key(request.user, "assets_licences"),
            "tabs": [(k, label, qs.count()) for k, label, qs in tabs],
            "tab": tab,
            "rows": _rows(_licences(chosen)),
            "work": work,
            "own": bool(own),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def licence_offer_new(request: HttpRequest, work_pk: int) -> HttpResponse:
    work = scope_works(request.user, Work.objects.select_related("enterprise")).filter(pk=work_pk).first()
    if work is None:
        raise Http404(_("没有找到该作品。"))
    require_work_write(request.user, work)
    form = LicenceOfferForm(request.POST or None, work=work)
    created: list[Licence] = []

    def save() -> None:
        d = form.cleaned_data
        created.append(
            licence_offer(
                actor=request.user,
                work=work,
                versions=list(d["versions"]),
                scope=d["scope"],
                exclusive=d["exclusive"],
                territory=d["territory"],
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
                fee_fen=d["fee"],
                terms=d["terms"],
            )
        )

    if request.method == "POST" and form_saved(form, save):
        if work.published:
            messages.success(request, _("授权许可已发布，其他企业可以在“可申请的授权”中看到并申请。"))
        else:
            messages.success(request, _("授权许可已保存。作品公开后，其他企业才能看到并申请。"))
        return redirect("assets:licence", pk=created[0].pk)
    return render(
        request,
        "assets/licence_offer.html",
        {
            "active_nav": nav_key(request.user, "assets_licences"),
            "work": work,
            "form": form,
            "work_url": work_url(work.pk),
        },
    )


def _licence_get(request: HttpRequest, pk: int) -> Licence:
    licence = _licences(Licence.objects.filter(pk=pk)).first()
    if licence is None:
        raise Http404(_("没有找到该授权。"))
    require_licence_read(request.user, licence)
    return licence


def _requestable(request: HttpRequest, licence: Licence) -> list[Enterprise]:
    """The actor's enterprises that may request this offer (none when it is not open or is their own)."""
    if licence.state != Licence.State.OFFERED or not licence.work.published:
        return []
    own = member_enterprise_ids(request.user) - {licence.holder_id}
    return list(Enterprise.objects.filter(pk__in=own).order_by("name"))


@login_required
def licence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    licence = _licence_get(request, pk)
    holder_side = can_read_content(request.user, licence.work)
    return render(
        request,
        "assets/licence_detail.html",
        {
            "active_nav": nav_key(request.user, "assets_licences"),
            "licence": licence,
            "terms": terms_words(licence),
            "term": term_words(licence),
            "versions": list(licence.versions.order_by("-number")),
            "work_url": work_url(licence.work_id),
            "case_visible": licence.case is not None and can_read_case(request.user, licence.case),
            "can_request": bool(_requestable(request, licence)),
            "can_end": holder_side and licence.state in (Licence.State.OFFERED, Licence.State.GRANTED),
            "end_form": LicenceEndForm(),
            "requests": _licences(licence.requests.all()) if holder_side else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def licence_request_new(request: HttpRequest, pk: int) -> HttpResponse:
    offer = _licence_get(request, pk)
    enterprises = _requestable(request, offer)
    if not enterprises:
        if offer.holder_id in member_enterprise_ids(request.user):
            messages.info(request, _("这是本企业自己的作品，无需申请授权。"))
        else:
            messages.info(request, _("该授权目前不接受申请，或您的账号还没有关联企业。"))
        return redirect("assets:licence", pk=offer.pk)
    form = LicenceRequestForm(request.POST or None, offer=offer, enterprises=enterprises)
    created: list[Licence] = []

    def save() -> None:
        d = form.cleaned_data
        enterprise = next(e for e in enterprises if e.pk == d["enterprise"])
        created.append(
            licence_request(
                actor=request.user,
                offer=offer,
                enterprise=enterprise,
                need=d["need"],
                territory=d["territory"],
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
                fee_fen=d["fee"],
            )
        )

    if request.method == "POST" and form_saved(form, save):
        messages.success(request, _("申请已提交，服务中心将与权利人居间洽谈，结果会通知您。"))
        return redirect("assets:licence", pk=created[0].pk)
    return render(
        request,
        "assets/licence_request.html",
        {
            "active_nav": nav_key(request.user, "assets_licences"),
            "offer": offer,
            "terms": terms_words(offer),
            "form": form,
            "work_url": work_url(offer.work_id),
        },
    )


@login_required
@require_POST
def licence_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    licence = _licence_get(request, pk)
    form = LicenceEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请说明终止原因。"))
        return redirect("assets:licence", pk=licence.pk)
    try:
        licence_end(actor=request.user, licence=licence, reason=form.cleaned_data["reason"])
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, _("授权许可已终止。"))
    return redirect("assets:licence", pk=licence.pk)


@login_required
@require_POST
def library_apply(request: HttpRequest) -> HttpResponse:
    """Sync the enterprise's library project from the registry, then open the 徐汇 application with it."""
    own = sorted(member_enterprise_ids(request.user))
    wanted = request.POST.get("enterprise", "")
    enterprise_id = int(wanted) if wanted.isdigit() and int(wanted) in own else (own[0] if own else None)
    if enterprise_id is None:
        messages.info(request, _("以资产库申报补贴需要以企业身份提交：请先登记您的企业。"))
        return redirect("assets:licences")
    enterprise = Enterprise.objects.get(pk=enterprise_id)
    try:
        project = library_project_sync(actor=request.user, enterprise=enterprise)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
        back = request.POST.get("back", "")
        safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
        return redirect(back if back and safe else "assets:licences")
    url = reverse("cases:apply", args=[LIBRARY_CLAUSE])
    return redirect(f"{url}?enterprise={enterprise.pk}&project={project.pk}")
