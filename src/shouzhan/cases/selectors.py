"""Reads of cases, scoped to what the actor may see (staff: all; members: their enterprise's)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.cases import workflow as wf
from shouzhan.cases.models import Case, CaseEvent, Document
from shouzhan.cases.permissions import (
    CASEWORKER_ROLES,
    allowed_transitions,
    can_assign,
    provided_visibility,
    require_case_read,
    sees_every_case,
)
from shouzhan.core import notifications
from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.models import Notification
from shouzhan.core.permissions import user_role
from shouzhan.core.workdays import working_days_between
from shouzhan.registry.permissions import member_enterprise_ids


def _types_by_finals() -> list[tuple[list[str], list[str]]]:
    """Case types grouped by their set of final states: four groups for eleven types, so the open and
    closed filters stay small (each clause costs compiling on every query of a queue page)."""
    groups: dict[frozenset[str], list[str]] = {}
    for key, finals in wf.final_states().items():
        groups.setdefault(frozenset(finals), []).append(key)
    return [(sorted(keys), sorted(finals)) for finals, keys in groups.items()]


def _open_filter() -> Q:
    q = Q()
    for keys, finals in _types_by_finals():
        q |= Q(case_type__in=keys) & ~Q(state__in=finals)
    return q


def _closed_filter() -> Q:
    q = Q(pk__in=[])
    for keys, finals in _types_by_finals():
        q |= Q(case_type__in=keys, state__in=finals)
    return q


def case_visible(*, actor: Actor) -> QuerySet[Case]:
    cases = Case.objects.select_related("enterprise", "assignee", "project")
    if sees_every_case(actor):
        return cases
    user = actor_user(actor)
    if user is None or user_role(user) is None:
        return cases.none()
    ids = member_enterprise_ids(user)
    return cases.filter(
        Q(enterprise_id__in=ids)
        | Q(enterprise__isnull=True, applicant_id=user.pk)
        | provided_visibility(user)
    )


def member_enterprises(*, actor: Actor) -> list[Any]:
    """The enterprises the actor is a member of (whose cases they may submit), by name."""
    from shouzhan.registry.models import Enterprise

    user = actor_user(actor)
    if user is None:
        return []
    return list(Enterprise.objects.filter(pk__in=member_enterprise_ids(user)).order_by("name"))


def case_get(*, actor: Actor, pk: int) -> Case:
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
    actor: Actor,
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
    actor: Actor,
    due_before: dt.date | None = None,
    case_type: str = "",
    mine: bool = False,
    q: str = "",
    assigned: str = "",
) -> QuerySet[Case]:
    """Open cases for staff, the earliest due first (cases waiting for the applicant last).

    `assigned`: "mine" (assigned to the actor), "unassigned", or "" for all; `mine=True` is the
    older "mine and unassigned" view.
    """
    if not sees_every_case(actor):
        return Case.objects.none()
    cases = case_list(actor=actor, case_type=case_type, open_only=True, q=q)
    if due_before is not None:
        cases = cases.filter(due_on__lte=due_before)
    user = actor_user(actor)  # None for a system actor: nothing is assigned to it
    if mine:
        cases = cases.filter(Q(assignee__isnull=True) | (Q(assignee=user) if user else Q(pk__in=[])))
    if assigned == "mine":
        cases = cases.filter(assignee=user) if user else cases.none()
    elif assigned == "unassigned":
        cases = cases.filter(assignee__isnull=True)
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


def case_timeline(*, actor: Actor, case: Case) -> list[CaseEvent]:
    """The history; for applicants without the values of staff-only fields."""
    require_case_read(actor, case)
    events = list(case.events.select_related("actor"))
    if sees_every_case(actor):
        return events
    hidden = {f.name for f in wf.case_type_get(case.case_type).fields if f.staff_only}
    for e in events:
        if hidden and e.data:
            e.data = {k: v for k, v in e.data.items() if k not in hidden}
            if "changes" in e.data:
                e.data["changes"] = [c for c in e.data["changes"] if c.get("field") not in hidden]
    return events


def case_documents(*, actor: Actor, case: Case) -> list[Document]:
    """Every version of every document, newest version first within a name."""
    require_case_read(actor, case)
    return list(case.documents.select_related("uploaded_by"))


def document_get(*, actor: Actor, pk: int) -> Document:
    doc = Document.objects.select_related("case").filter(pk=pk).first()
    if doc is None:
        raise Http404(_("没有找到该材料。"))
    require_case_read(actor, doc.case)
    return doc


def case_actions(*, actor: Actor, case: Case) -> list[wf.Transition]:
    return allowed_transitions(actor, case)


# ----------------------------------------------------------------------------- on-time rate
class _OnTimeShare:
    """On-time rate = closed on time ÷ (closed on time + closed late + open and overdue)."""

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


@dataclass
class OnTimeRow(_OnTimeShare):
    key: str
    label: str
    on_time: int
    late: int
    open_overdue: int

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


def on_time_rates(*, actor: Actor, by: str = "type", today: dt.date | None = None) -> list[OnTimeRow]:
    """On-time rate = closed on time ÷ (closed + open and overdue), per case type or per caseworker."""
    return _on_time_table(_on_time_values(actor=actor, today=today), by=by)


def on_time_rates_by_type_and_caseworker(
    *, actor: Actor, today: dt.date | None = None
) -> tuple[list[OnTimeRow], list[OnTimeRow]]:
    """Both tables of the queue page from one read of the cases that count."""
    values = _on_time_values(actor=actor, today=today)
    return _on_time_table(values, by="type"), _on_time_table(values, by="caseworker")


def _on_time_values(*, actor: Actor, today: dt.date | None) -> list[tuple[Any, ...]]:
    if not sees_every_case(actor):
        return []
    today = today or timezone.localdate()
    # Plain values, not model instances: every case that counts is read, so this is the page's bulk.
    return list(
        Case.objects.filter(
            _closed_filter() | (_open_filter() & Q(due_on__lt=today) & Q(clock_stopped_on__isnull=True))
        )
        .order_by()
        .values_list("case_type", "state", "assignee_id", "assignee__name", "closed_on", "closed_on_time")
    )


def _on_time_table(values: list[tuple[Any, ...]], *, by: str) -> list[OnTimeRow]:
    rows: dict[str, OnTimeRow] = {}
    finals = wf.final_states()
    for case_type, state, assignee_id, assignee_name, closed_on, closed_on_time in values:
        if by == "caseworker":
            key = str(assignee_id or 0)
            label = assignee_name or _("未分派")
        else:
            key = case_type
            try:
                label = str(wf.case_type_get(key).label)
            except KeyError:
                label = key
        row = rows.setdefault(key, OnTimeRow(key, label, 0, 0, 0))
        if closed_on is not None and state in finals.get(case_type, set()):
            if closed_on_time:
                row.on_time += 1
            else:
                row.late += 1
        else:
            row.open_overdue += 1
    return sorted(rows.values(), key=lambda r: (-(r.denominator), r.label))


def queue_counts(*, actor: Actor, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    running = Q(clock_stopped_on__isnull=True)
    # One query for the four figures, not one each.
    return case_queue(actor=actor).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=running & Q(due_on__lt=today)),
        today=Count("pk", filter=running & Q(due_on=today)),
        stopped=Count("pk", filter=Q(clock_stopped_on__isnull=False)),
    )


def notifications_for(*, actor: Actor, unread_only: bool = False) -> QuerySet[Notification]:
    """The actor's in-site messages (core's, about cases and anything else), newest first."""
    return notifications.notification_list(actor=actor, unread_only=unread_only)


# ----------------------------------------------------------------------------- what the case says
def _norm(value: Any) -> Any:
    return None if value in (None, "") else value


@dataclass
class DataRow:
    name: str
    label: str
    value: Any
    before: Any = None  # the value when more information was last requested, if it changed since
    changed: bool = False


@dataclass
class ChangesSinceRequest:
    """What the applicant changed after the last request for more information."""

    requested_at: dt.datetime
    request_note: str
    resubmitted_at: dt.datetime | None
    fields: dict[str, tuple[Any, Any]]  # name → (before the request's answer, now)
    document_ids: set[int]


def case_changes_since_request(
    *, actor: Actor, case: Case, events: list[CaseEvent] | None = None
) -> ChangesSinceRequest | None:
    """Fields and documents changed since the last "more information" request (None if there was none).
    `events`: the case's whole timeline when the caller has read it already (the case page)."""
    require_case_read(actor, case)
    ct = wf.case_type_get(case.case_type)
    events = list(case.events.all()) if events is None else events
    stop_states = {s.key for s in ct.states if s.stops_clock}
    last = None
    for i, e in enumerate(events):
        if e.to_state in stop_states and e.from_state != e.to_state:
            last = i
    if last is None:
        return None
    request = events[last]
    first_before: dict[str, Any] = {}
    resubmitted_at = None
    docs: set[int] = set()
    for e in events[last + 1 :]:
        for change in (e.data or {}).get("changes", []):
            first_before.setdefault(change["field"], change["before"])
        if e.action == "upload" and (e.data or {}).get("document_id"):
            docs.add(int(e.data["document_id"]))
        if e.from_state == request.to_state and e.to_state != e.from_state and resubmitted_at is None:
            resubmitted_at = e.created_at
    now = {name: _norm(case.data.get(name)) for name in first_before}
    fields = {
        name: (before, now[name]) for name, before in first_before.items() if _norm(before) != now[name]
    }
    return ChangesSinceRequest(request.created_at, request.note, resubmitted_at, fields, docs)


def case_data_rows(*, actor: Actor, case: Case, changes: ChangesSinceRequest | None = None) -> list[DataRow]:
    """The case type's fields as people read them; staff-only fields for staff only."""
    require_case_read(actor, case)
    ct = wf.case_type_get(case.case_type)
    staff = sees_every_case(actor)
    changed = changes.fields if (changes and staff) else {}
    rows = []
    for f in (*ct.fields, *ct.asked_fields):  # what the applicant gave, then what the steps recorded
        if f.staff_only and not staff:
            continue
        value = case.data.get(f.name)
        if value in (None, "") and f.name not in changed:
            continue
        before = changed[f.name][0] if f.name in changed else None
        rows.append(DataRow(f.name, str(f.label), f.display(value), f.display(before), f.name in changed))
    return rows


def case_visible_data(*, actor: Actor, case: Case) -> dict[str, Any]:
    """The case's data without the fields only staff may see (the API's `data`)."""
    require_case_read(actor, case)
    if sees_every_case(actor):
        return dict(case.data)
    hidden = {f.name for f in wf.case_type_get(case.case_type).fields if f.staff_only}
    return {k: v for k, v in case.data.items() if k not in hidden}


def assignable_users() -> list[Any]:
    """Who a case may be assigned to: active caseworkers and administrators."""
    from shouzhan.accounts.models import User

    return list(
        User.objects.filter(Q(role__in=CASEWORKER_ROLES) | Q(is_superuser=True), is_active=True)
        .distinct()
        .order_by("name", "pk")
    )


def case_assign_choices(*, actor: Actor) -> list[Any]:
    """Caseworkers a case may be assigned to (empty for those who may not assign)."""
    return assignable_users() if can_assign(actor) else []


# ----------------------------------------------------------------------------- response times
@dataclass
class ResponseRow(_OnTimeShare):
    """FixMyStreet-style response times of one case type over a window of days."""

    key: str
    label: str
    limit_days: int
    limit_variants: str  # e.g. "紧急 2 · 特急 1"
    closed: int
    median_days: float | None  # working days from submission to closing, waiting for the applicant excluded
    on_time: int
    late: int
    open_overdue: int

    @property
    def percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.0f}%"

    @property
    def median_label(self) -> str:
        if self.median_days is None:
            return "—"
        return f"{self.median_days:g}"

    @property
    def within_limit(self) -> bool | None:
        return None if self.median_days is None else self.median_days <= self.limit_days


def _median(values: list[int]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[mid])
    return (ordered[mid - 1] + ordered[mid]) / 2


def response_times(*, actor: Actor, today: dt.date | None = None, window_days: int = 90) -> list[ResponseRow]:
    """Per case type: the time limit, the median working days to close (closed in the last `window_days`
    days, time waiting for the applicant excluded) and the on-time rate = closed on time ÷ (closed in
    the window + open and overdue now). Staff only; leaders read it, nobody changes anything here."""
    if not sees_every_case(actor):
        return []
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=window_days)
    # Plain values in one fetch: `.iterator()` of model instances cost a server-side cursor's extra round
    # trips on PostgreSQL and an object per case, on every view of the queue.
    closed = (
        Case.objects.filter(_closed_filter(), closed_on__gte=since, closed_on__lte=today)
        .order_by()
        .values_list("case_type", "submitted_on", "closed_on", "closed_on_time", "clock_waited_days")
    )
    durations: dict[str, list[int]] = {}
    on_time: dict[str, int] = {}
    late: dict[str, int] = {}
    for case_type, submitted_on, closed_on, closed_on_time, clock_waited_days in closed:
        assert closed_on is not None  # filtered on it above
        days = max(0, working_days_between(submitted_on, closed_on) - clock_waited_days)
        durations.setdefault(case_type, []).append(days)
        bucket = on_time if closed_on_time else late
        bucket[case_type] = bucket.get(case_type, 0) + 1
    overdue: dict[str, int] = {}
    running = Case.objects.filter(_open_filter(), due_on__lt=today, clock_stopped_on__isnull=True).order_by()
    for key in running.values_list("case_type", flat=True):
        overdue[key] = overdue.get(key, 0) + 1
    return _response_rows(durations, on_time, late, overdue)


def _response_rows(
    durations: dict[str, list[int]], on_time: dict[str, int], late: dict[str, int], overdue: dict[str, int]
) -> list[ResponseRow]:
    rows = []
    for ct in wf.case_types():
        variants = ""
        if ct.limit_by is not None:
            name, limits = ct.limit_by
            field = ct.field(name)
            variants = " · ".join(
                f"{str(field.display(value)).split('（')[0]} {days}" for value, days in limits
            )
        rows.append(
            ResponseRow(
                key=ct.key,
                label=str(ct.label),
                limit_days=ct.limit_days,
                limit_variants=variants,
                closed=len(durations.get(ct.key, [])),
                median_days=_median(durations.get(ct.key, [])),
                on_time=on_time.get(ct.key, 0),
                late=late.get(ct.key, 0),
                open_overdue=overdue.get(ct.key, 0),
            )
        )
    return rows


# ----------------------------------------------------------------------------- the queue page's figures
@dataclass
class QueueFigures:
    """Everything the queue page shows beside its rows: the four counts, the on-time tables by type and
    by caseworker, and the response times — what `queue_counts`, `on_time_rates_by_type_and_caseworker`
    and `response_times` answer, from one read."""

    counts: dict[str, int]
    by_type: list[OnTimeRow]
    by_worker: list[OnTimeRow]
    times: list[ResponseRow]


def queue_figures(*, actor: Actor, today: dt.date | None = None, window_days: int = 90) -> QueueFigures:
    """One plain read of every case, sorted into open and closed in Python. The three selectors above
    took four queries, each compiling the open/closed filters (a dozen OR-ed clauses, about a millisecond
    of CPU each); the on-time table already read every closed case, so the extra rows are the open ones."""
    counts = {"open": 0, "overdue": 0, "today": 0, "stopped": 0}
    if not sees_every_case(actor):
        return QueueFigures(counts, [], [], [])
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=window_days)
    finals = wf.final_states()
    counted: list[tuple[Any, ...]] = []  # the on-time tables' cases: closed, or open and overdue
    durations: dict[str, list[int]] = {}
    on_time: dict[str, int] = {}
    late: dict[str, int] = {}
    overdue: dict[str, int] = {}
    everything = Case.objects.order_by().values_list(
        "case_type",
        "state",
        "assignee_id",
        "assignee__name",
        "submitted_on",
        "due_on",
        "clock_stopped_on",
        "clock_waited_days",
        "closed_on",
        "closed_on_time",
    )
    for row in everything:  # one fetch of tuples (no server-side cursor's extra round trips)
        (
            case_type,
            state,
            assignee_id,
            assignee_name,
            submitted_on,
            due_on,
            stopped_on,
            waited,
            closed_on,
            ok,
        ) = row
        type_finals = finals.get(case_type)
        if type_finals is None:  # a type no longer in the workflow: neither open nor closed
            continue
        if state in type_finals:
            counted.append((case_type, state, assignee_id, assignee_name, closed_on, ok))
            if closed_on is not None and since <= closed_on <= today:
                days = max(0, working_days_between(submitted_on, closed_on) - waited)
                durations.setdefault(case_type, []).append(days)
                bucket = on_time if ok else late
                bucket[case_type] = bucket.get(case_type, 0) + 1
            continue
        counts["open"] += 1
        if stopped_on is not None:
            counts["stopped"] += 1
        elif due_on is not None and due_on <= today:
            if due_on == today:
                counts["today"] += 1
            else:
                counts["overdue"] += 1
                counted.append((case_type, state, assignee_id, assignee_name, closed_on, ok))
                overdue[case_type] = overdue.get(case_type, 0) + 1
    return QueueFigures(
        counts,
        _on_time_table(counted, by="type"),
        _on_time_table(counted, by="caseworker"),
        _response_rows(durations, on_time, late, overdue),
    )
