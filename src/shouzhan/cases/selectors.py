"""Reads of cases, scoped to what the actor may see (staff: all; members: their enterprise's)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.cases import workflow as wf
from shouzhan.cases.models import Case, CaseEvent, Document, Notification
from shouzhan.cases.services import allowed_transitions, is_system, require_case_read
from shouzhan.core.permissions import is_staff_member, member_enterprise_ids, user_role
from shouzhan.core.workdays import working_days_between


def _open_filter() -> Q:
    q = Q()
    for key, finals in wf.final_states().items():
        q |= Q(case_type=key) & ~Q(state__in=finals)
    return q


def _closed_filter() -> Q:
    q = Q(pk__in=[])
    for key, finals in wf.final_states().items():
        q |= Q(case_type=key, state__in=finals)
    return q


def case_visible(*, actor: Any) -> QuerySet[Case]:
    cases = Case.objects.select_related("enterprise", "assignee", "project")
    if is_system(actor) or is_staff_member(actor):
        return cases
    if user_role(actor) is None:
        return cases.none()
    ids = member_enterprise_ids(actor)
    return cases.filter(Q(enterprise_id__in=ids) | Q(enterprise__isnull=True, applicant_id=actor.pk))


def case_get(*, actor: Any, pk: int) -> Case:
    case = case_visible(actor=actor).filter(pk=pk).first()
    if case is None:
        raise Http404(_("没有找到该办件。"))
    return case


def case_for(*, related: Model) -> Case | None:
    """The most recent case about a model instance (a booking, a listing…), or None."""
    ct = ContentType.objects.get_for_model(related)
    return (
        Case.objects.filter(related_type=ct, related_id=str(related.pk))
        .order_by("-created_at", "-id")
        .first()
    )


def case_list(
    *,
    actor: Any,
    case_type: str = "",
    state: str = "",
    enterprise_id: int | None = None,
    open_only: bool = False,
    q: str = "",
) -> QuerySet[Case]:
    cases = case_visible(actor=actor)
    if case_type:
        cases = cases.filter(case_type=case_type)
    if state:
        cases = cases.filter(state=state)
    if enterprise_id is not None:
        cases = cases.filter(enterprise_id=enterprise_id)
    if open_only:
        cases = cases.filter(_open_filter())
    q = (q or "").strip()
    if q:
        cases = cases.filter(Q(title__icontains=q) | Q(enterprise__name__icontains=q))
    return cases


def case_queue(
    *,
    actor: Any,
    due_before: dt.date | None = None,
    case_type: str = "",
    mine: bool = False,
    q: str = "",
) -> QuerySet[Case]:
    """Open cases for staff, the earliest due first (cases waiting for the applicant last)."""
    if not (is_system(actor) or is_staff_member(actor)):
        return Case.objects.none()
    cases = case_list(actor=actor, case_type=case_type, open_only=True, q=q)
    if due_before is not None:
        cases = cases.filter(due_on__lte=due_before)
    if mine:
        cases = cases.filter(Q(assignee=actor) | Q(assignee__isnull=True))
    # Running clocks first (by due date); cases waiting for the applicant after them.
    return cases.order_by(F("clock_stopped_on").asc(nulls_first=True), "due_on", "created_at", "id")


@dataclass
class Clock:
    """What the pages show about a case's deadline."""

    due_on: dt.date | None
    provisional: bool
    stopped: bool
    closed: bool
    on_time: bool | None
    days_left: int | None  # working days left (negative when overdue)
    status: str  # ok | today | soon | overdue | stopped | closed

    @property
    def badge(self) -> str:
        return {
            "ok": "badge-ok",
            "today": "badge-warn",
            "soon": "badge-warn",
            "overdue": "badge-bad",
            "stopped": "badge-muted",
        }.get(
            self.status,
            "badge-ok" if self.on_time else "badge-bad" if self.on_time is False else "badge-muted",
        )

    @property
    def label(self) -> str:
        if self.closed:
            return _("按期办结") if self.on_time else _("逾期办结")
        if self.stopped:
            return _("停表中（等待申请人补正）")
        if self.status == "overdue":
            return _("已逾期 %(n)s 个工作日") % {"n": -(self.days_left or 0)}
        if self.status == "today":
            return _("今日到期")
        return _("剩余 %(n)s 个工作日") % {"n": self.days_left}


def case_clock(case: Case, *, today: dt.date | None = None) -> Clock:
    today = today or timezone.localdate()
    ct = wf.case_type_get(case.case_type)
    state = ct.state(case.state)
    if state.final:
        return Clock(case.due_on, case.due_provisional, False, True, case.closed_on_time, None, "closed")
    if state.stops_clock:
        return Clock(case.due_on, case.due_provisional, True, False, None, None, "stopped")
    if case.due_on is None:
        return Clock(None, False, False, False, None, None, "ok")
    left = working_days_between(today, case.due_on)
    if case.due_on < today:
        status = "overdue"
        left = min(left, -1)
    elif case.due_on == today:
        status = "today"
    elif left <= 1:
        status = "soon"
    else:
        status = "ok"
    return Clock(case.due_on, case.due_provisional, False, False, None, left, status)


def case_is_overdue(case: Case, *, today: dt.date | None = None) -> bool:
    return case_clock(case, today=today).status == "overdue"


def case_timeline(*, actor: Any, case: Case) -> list[CaseEvent]:
    require_case_read(actor, case)
    return list(case.events.select_related("actor"))


def case_documents(*, actor: Any, case: Case) -> list[Document]:
    """Every version of every document, newest version first within a name."""
    require_case_read(actor, case)
    return list(case.documents.select_related("uploaded_by"))


def document_get(*, actor: Any, pk: int) -> Document:
    doc = Document.objects.select_related("case").filter(pk=pk).first()
    if doc is None:
        raise Http404(_("没有找到该材料。"))
    require_case_read(actor, doc.case)
    return doc


def case_actions(*, actor: Any, case: Case) -> list[wf.Transition]:
    return allowed_transitions(actor, case)


# ----------------------------------------------------------------------------- on-time rate
@dataclass
class OnTimeRow:
    key: str
    label: str
    on_time: int
    late: int
    open_overdue: int

    @property
    def denominator(self) -> int:
        return self.on_time + self.late + self.open_overdue

    @property
    def rate(self) -> float | None:
        # A ratio for display only (a percentage), never money.
        return None if self.denominator == 0 else self.on_time / self.denominator

    def widths(self) -> tuple[float, float, float]:
        """Shares (0–100) of on time, late and open-overdue for the stacked bar."""
        d = self.denominator or 1
        return (
            round(100 * self.on_time / d, 1),
            round(100 * self.late / d, 1),
            round(100 * self.open_overdue / d, 1),
        )

    @property
    def percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"


def on_time_rates(*, actor: Any, by: str = "type", today: dt.date | None = None) -> list[OnTimeRow]:
    """On-time rate = closed on time ÷ (closed + open and overdue), per case type or per caseworker."""
    if not (is_system(actor) or is_staff_member(actor)):
        return []
    today = today or timezone.localdate()
    rows: dict[str, OnTimeRow] = {}
    cases = Case.objects.select_related("assignee").filter(
        _closed_filter() | (_open_filter() & Q(due_on__lt=today) & Q(clock_stopped_on__isnull=True))
    )
    for case in cases:
        if by == "caseworker":
            key = str(case.assignee_id or 0)
            label = (case.assignee.name if case.assignee else "") or _("未分派")
        else:
            key = case.case_type
            try:
                label = str(wf.case_type_get(key).label)
            except KeyError:
                label = key
        row = rows.setdefault(key, OnTimeRow(key, label, 0, 0, 0))
        if case.closed_on is not None and case.state in wf.final_states().get(case.case_type, set()):
            if case.closed_on_time:
                row.on_time += 1
            else:
                row.late += 1
        else:
            row.open_overdue += 1
    return sorted(rows.values(), key=lambda r: (-(r.denominator), r.label))


def queue_counts(*, actor: Any, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    open_cases = case_queue(actor=actor)
    running = open_cases.filter(clock_stopped_on__isnull=True)
    return {
        "open": open_cases.count(),
        "overdue": running.filter(due_on__lt=today).count(),
        "today": running.filter(due_on=today).count(),
        "stopped": open_cases.filter(clock_stopped_on__isnull=False).count(),
    }


def notifications_for(*, actor: Any, unread_only: bool = False) -> QuerySet[Notification]:
    if user_role(actor) is None:
        return Notification.objects.none()
    notes = Notification.objects.filter(user=actor).select_related("case")
    return notes.filter(read_at__isnull=True) if unread_only else notes
