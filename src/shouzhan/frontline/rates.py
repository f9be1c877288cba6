"""The three rates (三率) of frontline tickets, computed exactly from the events (TicketMove, FollowUp).

口径 (the definitions, written on the dashboard too — DEFINITIONS):

- 计入三率的诉求 (counted demands): received in the period (by `received_on`, both ends included), not
  excluded by a supervisor (`excluded_reason` empty) and not merged into another demand (`repeat_of` empty).
- 响应率 (response rate) = counted demands whose first 签收 (`accept` move) was made within its limit
  (`on_time`) ÷ counted demands that were accepted or whose accept limit has passed by the as-of day. A
  demand still waiting within its limit is not counted yet; one returned (退单) and accepted by the next
  department counts by that acceptance (the re-dispatch gave it a fresh limit). A returned demand waiting to
  be re-dispatched runs against the limit of its last dispatch.
- 解决率 (resolution rate) = counted demands whose LAST follow-up (回访) says resolved ÷ counted demands with
  at least one follow-up (reopened and resolved later → resolved).
- 满意率 (satisfaction rate) = counted demands whose last follow-up with a satisfaction answer says 满意 or
  基本满意 ÷ counted demands with a satisfaction answer; unrated tickets count in neither.
- Grouping: by department (the one that accepted the ticket, else the one responsible now, else 待改派), by
  category (the dispatch catalogue's label) and by month (of `received_on`); the total row too.
- Rates are percentages with one decimal (ROUND_HALF_UP), None when the denominator is 0 (shown "—").

The work is one grouped query whatever the number of demands or rows: each move keeps on its demand the
facts the rates read (the first acceptance on time or not, the latest dispatch's accept limit, the last
follow-up's answer, the last satisfaction given — frontline/effects.py, in the move's own transaction), so
the counts are grouped in the database by (department, category, month) — a few hundred cells at most — and
folded in Python into any of the three groupings and the total (every counted demand falls in one cell).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import CharField, Count, F, Q
from django.db.models.functions import Cast, Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shouzhan.core.actors import Actor, is_system
from shouzhan.core.permissions import is_staff_member
from shouzhan.frontline.models import Demand, Department, DispatchRule, FollowUp, TicketMove
from shouzhan.frontline.permissions import member_departments, require_read_rates

BY_DEPARTMENT, BY_CATEGORY, BY_MONTH = "department", "category", "month"
GROUPINGS = (BY_DEPARTMENT, BY_CATEGORY, BY_MONTH)
UNASSIGNED = "unassigned"  # the key of the 待改派 row: returned, not yet re-dispatched
TOTAL = "total"
SATISFIED_ANSWERS = (FollowUp.Satisfaction.SATISFIED, FollowUp.Satisfaction.BASIC)

DEFINITIONS = (
    (
        _l("计入三率的诉求"),
        _l(
            "统计期内受理（按受理日期）的诉求，不含经部门负责人或中心领导决定不计入三率的诉求，"
            "也不含已并入原诉求的重复诉求。"
        ),
    ),
    (
        _l("响应率"),
        _l(
            "首次签收在签收时限内的诉求数 ÷ 已签收或签收时限已过的诉求数。仍在签收时限内等待签收的诉求暂不计入；"
            "退单后由改派部门签收的，按改派后的签收是否在新的时限内计算。"
        ),
    ),
    (
        _l("解决率"),
        _l(
            "最近一次回访为“已解决”的诉求数 ÷ 有回访结果的诉求数。回访未解决、重新办理后再次回访已解决的，"
            "计为已解决。"
        ),
    ),
    (
        _l("满意率"),
        _l(
            "最近一次满意度评价为“满意”或“基本满意”的诉求数 ÷ 有满意度评价的诉求数。"
            "未评价的诉求既不计入分子，也不计入分母。"
        ),
    ),
    (
        _l("分组"),
        _l(
            "按部门：签收的部门；尚未签收的按当前承办部门；退单待改派的列为“待改派”。按类别：派单目录的类别。"
            "按月份：受理日期所在月份。比率保留一位小数（四舍五入），分母为 0 时显示“—”。"
        ),
    ),
)


@dataclass(frozen=True)
class Counts:
    """The counts behind the rates of one group of counted demands (additive across groups)."""

    counted: int = 0
    response_due: int = 0
    responded: int = 0
    followed_up: int = 0
    resolved: int = 0
    rated: int = 0
    satisfied: int = 0  # 满意
    basic: int = 0  # 基本满意
    unsatisfied: int = 0  # 不满意

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(Counts)})


@dataclass(frozen=True)
class RateRow:
    key: str
    label: str
    counted: int
    response_due: int
    responded: int
    followed_up: int
    resolved: int
    rated: int
    satisfied: int
    basic: int
    unsatisfied: int
    response_rate: Decimal | None
    resolution_rate: Decimal | None
    satisfaction_rate: Decimal | None


@dataclass(frozen=True)
class RatesReport:
    """All three groupings and the total of one period, from one set of queries (the dashboard, the export)."""

    start: dt.date
    end: dt.date
    as_of: dt.datetime
    by_department: list[RateRow]
    by_category: list[RateRow]
    by_month: list[RateRow]
    total: RateRow

    def rows(self, by: str) -> list[RateRow]:
        return {
            BY_DEPARTMENT: self.by_department,
            BY_CATEGORY: self.by_category,
            BY_MONTH: self.by_month,
        }[by]


def percent(numerator: int, denominator: int) -> Decimal | None:
    """numerator ÷ denominator as a percentage with one decimal (ROUND_HALF_UP); None when nothing to divide."""
    if denominator <= 0:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def rate_row(key: str, label: str, c: Counts) -> RateRow:
    return RateRow(
        key=key,
        label=label,
        **{f.name: getattr(c, f.name) for f in fields(Counts)},
        response_rate=percent(c.responded, c.response_due),
        resolution_rate=percent(c.resolved, c.followed_up),
        satisfaction_rate=percent(c.satisfied + c.basic, c.rated),
    )


def rates_sum(rows: Iterable[RateRow], *, key: str = TOTAL, label: str = "") -> RateRow:
    """The row of several rows together (their counts added, the rates recomputed from the sums)."""
    total = Counts()
    for r in rows:
        total = total + Counts(**{f.name: getattr(r, f.name) for f in fields(Counts)})
    return rate_row(key, label or _("合计"), total)


# ----------------------------------------------------------------------------- the public reads
def rates_report(
    *,
    actor: Actor,
    start: dt.date,
    end: dt.date,
    department_id: int | None = None,
    today: dt.date | None = None,
) -> RatesReport:
    """The three rates of the period by department, by category, by month and in total (about 7 queries)."""
    as_of = timezone.localtime()
    today = today or as_of.date()
    cells = _cells_cached(actor=actor, start=start, end=end, department_id=department_id, today=today)
    departments, categories = _labels(cells)  # not kept: a renamed department reads its new name at once
    by_department = _fold(cells, 0, lambda k: departments.get(k, (UNASSIGNED, _("待改派"), (9, ""))))
    by_category = _fold(cells, 1, lambda k: (k, categories.get(k, _("其他")), (0, categories.get(k, ""))))
    by_month = _fold(cells, 2, lambda k: (k, _month_label(k), (0, k)))
    return RatesReport(
        start=start,
        end=end,
        as_of=as_of,
        by_department=by_department,
        by_category=by_category,
        by_month=by_month,
        total=rates_sum(by_month),
    )


def rates_compute(
    *,
    actor: Actor,
    start: dt.date,
    end: dt.date,
    by: str,
    department_id: int | None = None,
    today: dt.date | None = None,
) -> list[RateRow]:
    """The rows of one grouping (`by`: department, category or month) for the counted demands of the period."""
    if by not in GROUPINGS:
        raise ValidationError({"by": [_("分组方式不正确，请选择按部门、按类别或按月份。")]})
    report = rates_report(actor=actor, start=start, end=end, department_id=department_id, today=today)
    return report.rows(by)


def rates_total(
    *,
    actor: Actor,
    start: dt.date,
    end: dt.date,
    department_id: int | None = None,
    today: dt.date | None = None,
) -> RateRow:
    """The total row of the period (every counted demand the actor may see)."""
    return rates_report(actor=actor, start=start, end=end, department_id=department_id, today=today).total


def rates_departments(*, actor: Actor) -> list[Department]:
    """The departments the actor may choose in the rates' filter: all for the centre's staff, else their own."""
    require_read_rates(actor)
    departments = Department.objects.all()
    if not is_staff_member(actor):
        departments = departments.filter(pk__in=list(member_departments(actor)))
    return list(departments)


# ----------------------------------------------------------------------------- the queries
Cell = tuple[int | None, str, str]  # (department, category, 'YYYY-MM')


def _scope(actor: Actor, department_id: int | None) -> set[int] | None:
    """The departments whose rows the actor may read (None: all of them); 403 for anyone else."""
    require_read_rates(actor)
    if is_system(actor) or is_staff_member(actor):
        return None if department_id is None else {department_id}
    mine = set(member_departments(actor))
    if department_id is None:
        return mine
    if department_id not in mine:
        raise PermissionDenied(_("只能查看本部门的三率。"))
    return {department_id}


def _counted(actor: Actor, start: dt.date, end: dt.date, department_id: int | None, prefix: str = "") -> Q:
    """The counted demands (through `prefix`, e.g. "demand__" from a move), within the actor's departments."""
    if start > end:
        raise ValidationError({"end": [_("截止日期不能早于起始日期。")]})
    p = prefix
    q = Q(**{f"{p}received_on__gte": start, f"{p}received_on__lte": end, f"{p}excluded_reason": ""})
    q &= Q(**{f"{p}repeat_of__isnull": True})
    scope = _scope(actor, department_id)
    if scope is not None:
        ids = sorted(scope)
        q &= Q(**{f"{p}accepted_by_id__in": ids}) | Q(
            **{f"{p}accepted_by__isnull": True, f"{p}department_id__in": ids}
        )
    return q


def _cell_values(prefix: str = "") -> dict[str, Any]:
    return {
        "dept": Coalesce(f"{prefix}accepted_by_id", f"{prefix}department_id"),
        "cat": F(f"{prefix}category"),
        # 'YYYY-MM' by the database's own functions (TruncMonth is a Python function per row on SQLite)
        "month": Substr(Cast(f"{prefix}received_on", CharField()), 1, 7),
    }


CACHE_SECONDS = 600


@contextmanager
def _no_jit() -> Iterator[None]:
    """On PostgreSQL, without JIT: the correlated subqueries' estimates put these grouped queries over the JIT
    threshold, and compiling them took longer (1.2 s of 1.8 s, 100,000 demands) than running them."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'")
        yield


def _fingerprint() -> tuple[Any, ...]:
    """What changes whenever a figure may: every rates event (dispatch, accept, return, reply, follow-up,
    reopen, close, merge, exclude, include) adds a TicketMove or a FollowUp. Two index reads."""
    move = TicketMove.objects.order_by("-pk").values_list("pk", "at").first()
    follow_up = FollowUp.objects.order_by("-pk").values_list("pk", "at").first()
    return (move, follow_up)


def _cells_cached(
    *, actor: Actor, start: dt.date, end: dt.date, department_id: int | None, today: dt.date
) -> dict[Cell, Counts]:
    """The cells, kept in the cache until the next event (or CACHE_SECONDS, whichever comes first): a
    dashboard looked at again and again between two moves costs two index reads (and two for the labels)."""
    scope = _scope(actor, department_id)
    parts = ("all" if scope is None else ",".join(map(str, sorted(scope))), start, end, today, _fingerprint())
    key = "frontline:rates:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    found = cache.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    with _no_jit():
        cells = _cells(actor=actor, start=start, end=end, department_id=department_id, today=today)
    cache.set(key, cells, CACHE_SECONDS)
    return cells


def _cells(
    *, actor: Actor, start: dt.date, end: dt.date, department_id: int | None, today: dt.date
) -> dict[Cell, Counts]:
    """The counts per (department, category, month): one grouped scan of the period's demands.

    It reads the facts each move keeps on its demand (frontline/effects.py): the first acceptance on time or
    not, the latest dispatch's accept limit, the last follow-up's answer, the last satisfaction given."""
    counted = _counted(actor, start, end, department_id)
    accepted = Q(first_accept_on_time__isnull=False)
    rows = (
        Demand.objects.filter(counted)
        .values(**_cell_values())
        .annotate(
            counted=Count("pk"),
            # accepted, or its (latest) accept limit has passed by the as-of day
            response_due=Count("pk", filter=accepted | Q(accept_limit_on__lt=today)),
            responded=Count("pk", filter=Q(first_accept_on_time=True)),
            followed_up=Count("pk", filter=Q(last_resolved__isnull=False)),
            resolved=Count("pk", filter=Q(last_resolved=True)),
            rated=Count("pk", filter=~Q(last_satisfaction="")),
            satisfied=Count("pk", filter=Q(last_satisfaction=FollowUp.Satisfaction.SATISFIED)),
            basic=Count("pk", filter=Q(last_satisfaction=FollowUp.Satisfaction.BASIC)),
            unsatisfied=Count("pk", filter=Q(last_satisfaction=FollowUp.Satisfaction.UNSATISFIED)),
        )
        .order_by()
    )
    names = [f.name for f in fields(Counts)]
    return {(r["dept"], r["cat"], r["month"]): Counts(**{n: r[n] for n in names}) for r in rows}


def _labels(cells: dict[Cell, Counts]) -> tuple[dict[int, tuple[str, str, tuple[int, str]]], dict[str, str]]:
    """The departments' names (in their usual order) and the categories' labels (the latest catalogue's)."""
    ids = {c[0] for c in cells if c[0] is not None}
    departments: dict[int, tuple[str, str, tuple[int, str]]] = {}
    if ids:
        rows = Department.objects.filter(pk__in=ids).values_list("pk", "key", "name")
        for position, (pk, key, name) in enumerate(rows):
            departments[pk] = (key, name, (0, f"{position:06d}"))
    categories: dict[str, str] = {}
    wanted = {c[1] for c in cells}
    if wanted:
        rules = DispatchRule.objects.filter(category__in=wanted).order_by(
            "version__valid_from", "version__number"
        )
        categories = dict(rules.values_list("category", "label"))  # the latest version's label wins
    return departments, categories


def _fold(cells: dict[Cell, Counts], axis: int, describe: Any) -> list[RateRow]:
    """The cells added up along one axis; `describe(value)` gives the row's (key, label, sort order)."""
    sums: dict[Any, Counts] = defaultdict(Counts)
    for cell, counts in cells.items():
        sums[cell[axis]] = sums[cell[axis]] + counts
    described = [(describe(value), counts) for value, counts in sums.items()]
    described.sort(key=lambda d: d[0][2])
    return [rate_row(key, label, counts) for (key, label, _order), counts in described]


def _month_label(month: str) -> str:
    year, number = month.split("-")[:2]
    return _("%(y)s年%(m)s月") % {"y": int(year), "m": int(number)}


def month_range(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first days of the months from start's to end's (for the dashboard's month axis)."""
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months
