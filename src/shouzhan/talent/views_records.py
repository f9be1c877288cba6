"""Pages of a person's talent record: my record, a record (the person, the record's fields, titles, skill
certificates, trainings, support outcomes and cases, the category with its reasons, what each enterprise may
read), and the list of people's records (the staff's talent register, an enterprise's own people).

Every change is a POST answered with a redirect to the record (the htmx forms swap their card from it); bad
input renders the page again with the message inline and 400; a version changed meanwhile 409."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shouzhan.core.errors import Conflict
from shouzhan.core.forms import add_service_errors
from shouzhan.core.limits import PAGE_DEFAULT
from shouzhan.core.permissions import is_staff_member
from shouzhan.registry.models import Enterprise, SkillCertificate, TalentRecord, TalentTitle
from shouzhan.registry.permissions import member_enterprise_ids
from shouzhan.registry.services.people import person_for_user
from shouzhan.registry.talent import selectors
from shouzhan.registry.talent import services as talent
from shouzhan.talent import permissions as P
from shouzhan.talent.forms_records import (
    CertificateForm,
    PeopleFilterForm,
    RecordForm,
    ShareForm,
    TitleForm,
)
from shouzhan.talent.nav import nav_key
from shouzhan.talent.selectors_records import case_type_label, category_reasons, record_cases


def _htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request"))


def _page_number(value: str | None) -> int:
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 6 and int(text) > 0 else 1


def _active(user: Any, view: selectors.RecordView) -> str:
    if view.access == P.KEEPER and view.person.user_id == user.pk:
        return "talent_record"
    return nav_key(user, "talent_people")


# ----------------------------------------------------------------------------- my record
@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The logged-in person's own record, made the first time they open it (the staff keep none: the register)."""
    user = request.user
    if is_staff_member(user):
        return redirect("talent:people")
    person = person_for_user(actor=user)
    record = talent.talent_record_for(actor=user, person=person)
    return redirect("talent:record", pk=record.pk)


# ----------------------------------------------------------------------------- the record's page
def _share_forms(view: selectors.RecordView) -> list[tuple[Enterprise, ShareForm]]:
    return [
        (
            row.enterprise,
            ShareForm(
                initial={"enterprise": row.enterprise.pk, "level": row.level},
                auto_id=f"share-{row.enterprise.pk}-%s",
            ),
        )
        for row in view.shares
    ]


def _render(request: HttpRequest, record: TalentRecord, *, status: int = 200, **extra: Any) -> HttpResponse:
    user = request.user
    view = selectors.record_view(actor=user, record=record, on=timezone.localdate())
    context: dict[str, Any] = {
        "active_nav": _active(user, view),
        "v": view,
        "record": view.record,
        "person": view.person,
        "cases": record_cases(actor=user, view=view),
        "reasons": category_reasons(view),
        "supports": [(s, case_type_label(s.kind)) for s in view.supports],
        "sees_cases": P.sees_support_cases(view.access),
        "share_forms": _share_forms(view),
        "own": view.person.user_id == user.pk,
    }
    if view.can_write:
        context["record_form"] = RecordForm(initial=RecordForm.initial_for(view.record), auto_id="record-%s")
        context["title_form"] = TitleForm(auto_id="title-%s")
        context["certificate_form"] = CertificateForm(auto_id="cert-%s")
    context.update(extra)
    return render(request, "talent/record.html", context, status=status)


@login_required
@require_GET
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, selectors.record_get(actor=request.user, pk=pk))


def _done(request: HttpRequest, record: TalentRecord, message: str, anchor: str) -> HttpResponse:
    if not _htmx(request):  # an htmx form swaps its card in place: the change is in sight
        messages.success(request, message)
    return redirect(reverse("talent:record", args=[record.pk]) + anchor)


def _writable(request: HttpRequest, pk: int) -> TalentRecord:
    record = selectors.record_get(actor=request.user, pk=pk)
    P.require_record_write(request.user, record)
    return record


@login_required
@require_POST
def record_update(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    record = _writable(request, pk)
    form = RecordForm(request.POST, auto_id="record-%s")
    if form.is_valid():
        try:
            talent.talent_record_update(
                actor=user,
                record=record,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"],
            )
        except Conflict as exc:
            # Their words stay on the form with the current version: saving again (after reading the record,
            # shown beside) replaces it on purpose.
            record = selectors.record_get(actor=user, pk=pk)
            data = request.POST.copy()
            data["version"] = str(record.version)
            form = RecordForm(data, auto_id="record-%s")
            form.is_valid()
            return _render(request, record, status=409, record_form=form, conflict=exc.message_text)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _done(request, record, _("已保存人才档案。"), "#profile")
    return _render(request, record, status=400, record_form=form, record_open=True)


@login_required
@require_POST
def title_add(request: HttpRequest, pk: int) -> HttpResponse:
    record = _writable(request, pk)
    form = TitleForm(request.POST, auto_id="title-%s")
    if form.is_valid():
        try:
            talent.talent_title_add(actor=request.user, record=record, data=form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _done(request, record, _("已添加职称。"), "#titles")
    return _render(request, record, status=400, title_form=form, title_open=True)


@login_required
@require_POST
def certificate_add(request: HttpRequest, pk: int) -> HttpResponse:
    record = _writable(request, pk)
    form = CertificateForm(request.POST, auto_id="cert-%s")
    if form.is_valid():
        try:
            talent.talent_certificate_add(actor=request.user, record=record, data=form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _done(request, record, _("已添加技能证书。"), "#certificates")
    return _render(request, record, status=400, certificate_form=form, certificate_open=True)


def _remove(
    request: HttpRequest, pk: int, item: TalentTitle | SkillCertificate | None, anchor: str
) -> HttpResponse:
    record = _writable(request, pk)
    if item is None:
        raise Http404(_("没有找到这一项。"))
    try:
        talent.talent_item_remove(actor=request.user, item=item)
    except ValidationError as exc:
        return _render(request, record, status=400, remove_error=" ".join(exc.messages), remove_anchor=anchor)
    return _done(request, record, _("已删除。"), "#" + anchor)


@login_required
@require_POST
def title_remove(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    title = TalentTitle.objects.filter(pk=item, record_id=pk).select_related("record__person").first()
    return _remove(request, pk, title, "titles")


@login_required
@require_POST
def certificate_remove(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    cert = SkillCertificate.objects.filter(pk=item, record_id=pk).select_related("record__person").first()
    return _remove(request, pk, cert, "certificates")


@login_required
@require_POST
def share_set(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    record = selectors.record_get(actor=user, pk=pk)
    P.require_share_set(user, record)
    form = ShareForm(request.POST)
    enterprise = None
    if form.is_valid():
        enterprise = Enterprise.objects.filter(pk=form.cleaned_data["enterprise"]).first()
    if enterprise is None:
        return _render(request, record, status=400, share_error=_("请从列表中选择企业和可见范围。"))
    try:
        talent.talent_share_set(
            actor=user, record=record, enterprise=enterprise, level=form.cleaned_data["level"]
        )
    except ValidationError as exc:
        return _render(request, record, status=400, share_error=" ".join(exc.messages))
    return _done(request, record, _("已更新“%(name)s”可见的范围。") % {"name": enterprise.name}, "#sharing")


# ----------------------------------------------------------------------------- people's records
def _require_people_reader(user: Any) -> bool:
    staff = is_staff_member(user)
    if not staff and not member_enterprise_ids(user):
        raise PermissionDenied(_("人才档案列表供企业成员和服务中心工作人员使用。"))
    return staff


@login_required
@require_GET
def people(request: HttpRequest) -> HttpResponse:
    user = request.user
    staff = _require_people_reader(user)
    form = PeopleFilterForm(request.GET, categories=selectors.category_choices())
    valid = form.is_valid()
    q = form.cleaned_data.get("q", "") if valid else ""
    category = form.cleaned_data.get("category", "") if valid else ""
    found = selectors.record_list(actor=user, on=timezone.localdate(), q=q, category=category)
    page = Paginator(found.rows, PAGE_DEFAULT).get_page(_page_number(request.GET.get("page")))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "active_nav": nav_key(user, "talent_people"),
        "staff": staff,
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "filtered": bool(q or category),
        "scanned_all": found.scanned_all,
        "scan_limit": selectors.SCAN_LIMIT,
    }
    return render(request, "talent/people.html", context, status=200 if valid else 400)


@login_required
@require_GET
def person_record(request: HttpRequest, pk: int) -> HttpResponse:
    """A listed person's record, made the first time their keeper opens it (a person without an account)."""
    user = request.user
    person = selectors.people_visible(actor=user).filter(pk=pk).first()
    if person is None:
        raise Http404(_("没有找到该人员。"))
    try:
        record = talent.talent_record_for(actor=user, person=person)
    except ValidationError:
        raise Http404(_("没有找到该人才档案。")) from None
    return redirect("talent:record", pk=record.pk)
