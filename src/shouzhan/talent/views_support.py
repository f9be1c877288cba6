"""The support catalogue for people (人才服务) and applying for a service.

A person sees their talent category, the policy clauses about people as the calculator decides them for
their record, the five support services (the qualifying ones highlighted) and their support cases. A member
of the person's enterprise reads the same page with ?person= and applies for them; the centre's staff read it
with ?person= only (their own page is the case queue) and never apply.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shouzhan.cases import workflow as wf
from shouzhan.cases.models import Case
from shouzhan.cases.selectors import case_clock, case_visible
from shouzhan.core.forms import add_service_errors
from shouzhan.core.permissions import is_staff_member
from shouzhan.registry.models import Person, TalentRecord
from shouzhan.registry.services.people import person_for_user
from shouzhan.registry.talent.selectors import category_label
from shouzhan.registry.talent.services import talent_record_for
from shouzhan.talent import permissions as P
from shouzhan.talent.clauses import CLAUSE_SERVICES, service_slug
from shouzhan.talent.forms_support import SupportApplyForm
from shouzhan.talent.nav import nav_key
from shouzhan.talent.workflow import CASE_TYPES, KEYS


@dataclass
class Subject:
    """Whose support the page is about, and what the visitor may do with it."""

    person: Person
    record: TalentRecord | None
    access: str | None  # P.KEEPER, STAFF, FULL, PROFILE or None (record_access)
    own: bool  # the visitor's own page
    can_apply: bool

    @property
    def query(self) -> str:
        return "" if self.own else f"?person={self.person.pk}"


def _subject(request: HttpRequest) -> Subject:
    """The visitor's own person, or the one ?person= names if they may apply for them (staff: read only)."""
    user = request.user
    staff = is_staff_member(user)
    raw = request.GET.get("person", "")
    if not raw:
        if staff:
            raise PermissionDenied(
                _("人才服务页面供人才本人和所在企业使用；服务中心工作人员请在办件队列中办理人才服务。")
            )
        person = person_for_user(actor=user)
    else:
        found = (
            Person.objects.select_related("enterprise").filter(pk=int(raw)).first() if raw.isdigit() else None
        )
        if found is None or not (staff or P.can_apply_for(user, found)):
            raise Http404(_("没有找到该人员。"))
        person = found
    own = person.user_id is not None and person.user_id == user.pk
    if P.is_keeper(user, person):  # kept by the visitor: made on first visit
        record: TalentRecord | None = talent_record_for(actor=user, person=person)
        access: str | None = P.KEEPER
    else:
        record = TalentRecord.objects.prefetch_related("shares").filter(person=person).first()
        access = P.record_access(user, record) if record is not None else None
    # An enterprise applies for its member whether or not the record is shared with it (the case is its own).
    can_apply = not staff and P.can_apply_for(user, person)
    return Subject(person, record, access, own, can_apply)


def _url(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # a page of another part of the module: this one never breaks without it
        return None


def limit_text(ct: wf.CaseType) -> str:
    """ "10 个工作日内办结", or one limit per value of the field that decides it."""
    if ct.limit_by is None:
        return _("%(n)s 个工作日内办结") % {"n": ct.limit_days}
    name, limits = ct.limit_by
    field = ct.field(name)
    return _("；").join(
        _("%(what)s %(n)s 个工作日内办结") % {"what": field.display(value), "n": days}
        for value, days in limits
    )


def _clauses(actor: Any, subject: Subject, on: dt.date) -> tuple[list[Any], Any, list[Any]]:
    """(the clauses about people as the calculator shows them, the category, its reasons) — only for who
    reads the whole record (the person, the staff, an enterprise shown everything)."""
    from shouzhan.policies.present import present
    from shouzhan.policies.selectors import catalogue_in_force, person_calculate
    from shouzhan.policies.trace import condition_lines
    from shouzhan.registry.talent.facts import categories_catalogue

    if subject.record is None or not P.sees_support_cases(subject.access):
        return [], None, []
    result, category = person_calculate(actor=actor, record=subject.record, on=on)
    views = present(result.results, result.catalogue or catalogue_in_force(on=on), result.facts)
    decisions = {r.id: r.decision for r in result.results}
    for v in views:
        if decisions.get(v.id) == "in_kind":
            v.amount_text = _("服务保障，不计金额")
    decided = category.decided_by
    reasons = (
        condition_lines(decided.trace, categories_catalogue(), result.facts, decided.id) if decided else []
    )
    return views, decided, reasons


def _services(subject: Subject, views: list[Any]) -> list[dict[str, Any]]:
    by_service = {CLAUSE_SERVICES[v.id]: v for v in views if v.id in CLAUSE_SERVICES}
    rows = []
    for ct in CASE_TYPES:
        clause = by_service.get(ct.key)
        rows.append(
            {
                "type": ct,
                "slug": service_slug(ct.key),
                "limit": limit_text(ct),
                "clause": clause,
                "qualifies": clause is not None and clause.status == "eligible",
            }
        )
    return rows


def _cases(request: HttpRequest, subject: Subject, today: dt.date) -> list[dict[str, Any]]:
    """The support cases about the person's record: all of them for who reads the whole record, else those
    the visitor may read (their enterprise's)."""
    if subject.record is None:
        return []
    cases = Case.objects.filter(
        related_type=ContentType.objects.get_for_model(TalentRecord),
        related_id=str(subject.record.pk),
        case_type__in=KEYS,
    )
    if not P.sees_support_cases(subject.access):
        cases = cases.filter(pk__in=case_visible(actor=request.user).values("pk"))
    rows = []
    for case in cases.order_by("-submitted_on", "-id")[:100]:
        ct = wf.case_type_get(case.case_type)
        state = ct.state(case.state)
        rows.append(
            {
                "case": case,
                "type": ct,
                "state": state,
                "clock": case_clock(case, today=today),
                "open": not state.final,
            }
        )
    return rows


@login_required
@require_GET
def support(request: HttpRequest) -> HttpResponse:
    subject = _subject(request)
    today = timezone.localdate()
    views, category, reasons = _clauses(request.user, subject, today)
    record_url = None
    if subject.record is not None and subject.access is not None:
        record_url = _url("talent:mine") if subject.own else _url("talent:record", subject.record.pk)
    return render(
        request,
        "talent/support.html",
        {
            "subject": subject,
            "person": subject.person,
            "record": subject.record,
            "record_url": record_url,
            "sees_clauses": P.sees_support_cases(subject.access),
            "category": category,
            "category_label": category_label(category.id.split(".", 1)[1]) if category else "",
            "category_reasons": reasons,
            "clauses": views,
            "services": _services(subject, views),
            "cases": _cases(request, subject, today),
            "on": today,
            "active_nav": nav_key(request.user, "talent_support"),
        },
    )


def _service_type(slug: str) -> wf.CaseType:
    key = f"talent.{slug}"
    if key not in KEYS:
        raise Http404(_("没有这项人才服务。"))
    return wf.case_type_get(key)


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    ct = _service_type(slug)
    subject = _subject(request)
    if is_staff_member(request.user):
        raise PermissionDenied(_("服务中心工作人员不代为申请人才服务：请由本人或其所在企业申请。"))
    if not subject.can_apply:
        raise PermissionDenied(_("只有本人或其所在企业可以申请人才服务。"))
    form = SupportApplyForm(request.POST or None, request.FILES or None, case_type=ct)
    if request.method == "POST" and form.is_valid():
        try:
            case = _submit(request, subject, ct, form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已提交，办理期限 %(due)s。") % {"due": case.due_on})
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "talent/apply.html",
        {
            "form": form,
            "case_type": ct,
            "limit": limit_text(ct),
            "subject": subject,
            "person": subject.person,
            "active_nav": nav_key(request.user, "talent_support"),
        },
        status=400 if request.method == "POST" else 200,
    )


def _submit(request: HttpRequest, subject: Subject, ct: wf.CaseType, form: SupportApplyForm) -> Case:
    from shouzhan.talent.services import support_apply

    return support_apply(
        actor=request.user,
        person=subject.person,
        case_type=ct.key,
        data=form.case_data(),
        documents=form.documents(),
    )
