"""frontline's reads for its pages: the demand board, a department's queue, an enterprise's own demands, a
demand's history in words, and the dispatch catalogue with its versions. Each is scoped through
frontline.permissions and reads a constant number of queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shouzhan.cases.selectors import Clock, case_clock
from shouzhan.core.actors import Actor, actor_user
from shouzhan.frontline.catalogue import dispatch_version_in_force
from shouzhan.frontline.models import (
    Demand,
    Department,
    DispatchRule,
    DispatchVersion,
    FollowUp,
    TicketMove,
)
from shouzhan.frontline.permissions import (
    can_use_frontline,
    member_departments,
    require_demand_read,
    scope_demands,
)
from shouzhan.registry.permissions import member_enterprise_ids

# The board's columns, in the order a ticket goes through them, with the words the board uses.
STATES: tuple[tuple[str, Any], ...] = (
    ("dispatched", _l("待签收")),
    ("returned", _l("待改派")),
    ("accepted", _l("办理中")),
    ("replied", _l("待回访")),
    ("closed", _l("已办结")),
    ("merged", _l("已并入")),
)
OPEN_STATES = ("dispatched", "returned", "accepted", "replied")
BOARD_LIMIT = 100
MINE_LIMIT = 100
RELATED = ("case", "department", "accepted_by", "enterprise")


def state_label(state: str) -> str:
    for key, label in STATES:
        if key == state:
            return str(label)
    return _("未知")


@dataclass
class Board:
    rows: list[Demand]
    counts: list[tuple[str, str, int]]  # (state, words, count) in the board's order
    total: int
    shown: int
    page: int = 1  # 1-based, BOARD_LIMIT rows a page
    pages: int = 1


def demand_board(
    actor: Actor,
    state: str | None = None,
    *,
    category: str | None = None,
    department_id: int | None = None,
    source: str | None = None,
    limit: int = BOARD_LIMIT,
    page: int = 1,
) -> Board:
    """The demands the actor may know of, by state; the counts per state follow the other filters."""
    if not can_use_frontline(actor):
        raise PermissionDenied(_("诉求看板仅供服务中心和承办部门使用。"))
    base = scope_demands(actor, Demand.objects.all())
    if category:
        base = base.filter(category=category)
    if department_id:
        base = base.filter(Q(department_id=department_id) | Q(accepted_by_id=department_id))
    if source:
        base = base.filter(source=source)
    by_state = dict(base.order_by().values_list("case__state").annotate(n=Count("pk")))
    rows = base.filter(case__state=state) if state else base
    shown = by_state.get(state, 0) if state else sum(by_state.values())
    pages = max(1, -(-shown // limit))
    page = min(max(1, page), pages)  # a page past the end shows the last one
    ordered = rows.select_related(*RELATED).order_by("-received_at", "-pk")
    return Board(
        rows=list(ordered[(page - 1) * limit : page * limit]),
        counts=[(key, str(label), by_state.get(key, 0)) for key, label in STATES],
        total=sum(by_state.values()),
        shown=shown,
        page=page,
        pages=pages,
    )


@dataclass
class QueueRow:
    demand: Demand
    clock: Clock
    due_label: str  # which deadline the clock runs against: 签收 or 办结


def department_queue(actor: Actor, *, today: dt.date | None = None) -> list[QueueRow]:
    """The open tickets with the actor's departments: to accept, and accepted ones to reply to; overdue first,
    then by the deadline."""
    mine = list(member_departments(actor))
    if not mine:
        raise PermissionDenied(_("只有承办部门的工作人员可以使用部门工单队列。"))
    today = today or timezone.localdate()
    demands = (
        Demand.objects.filter(department_id__in=mine, case__state__in=("dispatched", "accepted"))
        .select_related(*RELATED)
        .order_by("case__due_on", "pk")
    )
    rows = [
        QueueRow(
            demand=d,
            clock=case_clock(d.case, today=today),
            due_label=_("签收期限") if d.case.state == "dispatched" else _("办结期限"),
        )
        for d in demands
    ]
    rows.sort(key=lambda r: (r.clock.status != "overdue", r.clock.due_on or dt.date.max, r.demand.pk))
    return rows


def my_demands(actor: Actor, *, limit: int = MINE_LIMIT) -> list[Demand]:
    """The demands of the actor's enterprises (and the ones they raised), newest first, with the answers."""
    user = actor_user(actor)
    if user is None:
        return []
    enterprises = list(member_enterprise_ids(user))
    replies = Prefetch(
        "moves",
        queryset=TicketMove.objects.filter(action="reply").order_by("-at"),
        to_attr="replies",
    )
    return list(
        Demand.objects.filter(Q(enterprise_id__in=enterprises) | Q(requester=user))
        .select_related(*RELATED)
        .prefetch_related(replies, "follow_ups")
        .order_by("-received_at", "-pk")[:limit]
    )


@dataclass
class TimelineEntry:
    at: dt.datetime
    label: str
    department: str
    actor: str
    note: str = ""
    due_on: dt.date | None = None
    on_time: bool | None = None
    warn: bool = False
    details: list[str] = field(default_factory=list)


def _follow_up_words(f: FollowUp) -> list[str]:
    words = [str(FollowUp.Channel(f.channel).label)]
    if f.satisfaction:
        words.append(str(FollowUp.Satisfaction(f.satisfaction).label))
    return words


def demand_timeline(actor: Actor, demand: Demand) -> list[TimelineEntry]:
    """Every move with its department, in order, in words; a follow-up joins the move it caused (回访)."""
    require_demand_read(actor, demand)
    moves = list(demand.moves.select_related("department").order_by("at", "pk"))
    follow_ups = list(demand.follow_ups.order_by("at", "pk"))
    entries: list[TimelineEntry] = []
    for m in moves:
        entry = TimelineEntry(
            at=m.at,
            label=str(TicketMove.Action(m.action).label)
            if m.action in TicketMove.Action.values
            else m.action,
            department=m.department.name if m.department else "",
            actor=m.actor_label,
            note=m.note,
            due_on=m.due_on,
            on_time=m.on_time,
            warn=m.action in ("return", "reopen", "exclude"),
        )
        if m.action in ("resolved", "reopen") and follow_ups:
            entry.details = _follow_up_words(follow_ups.pop(0))
        entries.append(entry)
    for f in follow_ups:  # answered but not (yet) a move of its own
        label = _("回访：已解决") if f.resolved else _("回访：未解决")
        entries.append(TimelineEntry(at=f.at, label=label, department="", actor="", note=f.note))
        entries[-1].details = _follow_up_words(f)
    entries.sort(key=lambda e: e.at)
    return entries


@dataclass
class CatalogueView:
    in_force: DispatchVersion | None
    rules: list[DispatchRule]
    versions: list[Any]  # DispatchVersion, newest first, each with `rule_count`
    upcoming: list[Any]  # published, valid from a later day


def dispatch_catalogue_view(*, on: dt.date | None = None) -> CatalogueView:
    """The catalogue in force on `on` (today) with its rules, and every version with who/when/why."""
    on = on or timezone.localdate()
    in_force = dispatch_version_in_force(on)
    rules = list(in_force.rules.select_related("department").order_by("label")) if in_force else []
    versions = list(
        DispatchVersion.objects.select_related("published_by")
        .annotate(rule_count=Count("rules"))
        .order_by("-valid_from", "-number")
    )
    return CatalogueView(
        in_force=in_force,
        rules=rules,
        versions=versions,
        upcoming=[v for v in versions if v.valid_from > on],
    )


def active_departments() -> QuerySet[Department]:
    return Department.objects.filter(active=True).order_by("kind", "name")


def catalogue_department(demand: Demand) -> Department | None:
    """The department the catalogue the demand was dispatched under names for its category."""
    rule = (
        DispatchRule.objects.filter(version_id=demand.dispatch_version_id, category=demand.category)
        .select_related("department")
        .first()
    )
    return rule.department if rule else None


def category_labels(version_id: int | None = None) -> dict[str, str]:
    """Category code → its words: in one version, or across all (the latest label wins)."""
    rules = DispatchRule.objects.order_by("version__number")
    if version_id is not None:
        rules = rules.filter(version_id=version_id)
    return dict(rules.values_list("category", "label"))


def enterprise_named(user: Any, text: str) -> Any:
    """The enterprise a demand is about, by exact name or credit code; a clear refusal otherwise."""
    from shouzhan.registry.selectors import enterprise_visible

    text = (text or "").strip()
    if not text:
        return None
    found = list(enterprise_visible(actor=user, q=text)[:50])
    exact = [e for e in found if e.name == text or (e.credit_code or "") == text.upper()]
    if len(exact) == 1 or len(found) == 1:
        return (exact or found)[0]
    if not found:
        raise ValidationError(
            {"enterprise": [_("企业库中没有找到“%(q)s”，请检查名称或留空。") % {"q": text}]}
        )
    raise ValidationError(
        {"enterprise": [_("“%(q)s”对应多家企业，请填写完整名称或统一社会信用代码。") % {"q": text}]}
    )
