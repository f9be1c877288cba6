"""What the staff pages of offers read: a run told in words (per clause against its remaining budget,
broken rows, timings), the funnel offered → confirmed → granted → paid with its chart, the time from an
offer to its confirmation in working days, per-clause counts, the .xlsx export, and the exclusion list.

Every read checks the actor through offers.permissions (the centre's staff); none costs a query per row.

The funnel counts each subject × clause × period once (the current row of its key):
- offered: the rules found it eligible (whatever became of it since);
- confirmed: the enterprise confirmed it (a fast-track case was opened);
- granted: the case approved an amount (the offer's state is 已核定);
- paid: the case reached 已拨付 (disbursed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shouzhan.core.actors import Actor
from shouzhan.core.money import yuan_decimal
from shouzhan.core.workdays import working_days_between
from shouzhan.offers import permissions
from shouzhan.offers.models import Exclusion, Offer, PushRun

PHASES = {"read": _l("读取企业登记数据"), "compute": _l("逐条款计算"), "write": _l("比对并写入推送")}
TIMINGS = {  # in the order a run goes through them
    "read": _l("读取登记数据"),
    "compute": _l("规则计算"),
    "reconcile": _l("与现有推送比对"),
    "write": _l("写入推送"),
    "reconcile_write": _l("比对与写入"),
    "finish": _l("收尾"),
}
GONE_CLAUSE = _l("（已不在政策目录中的条款）")
EXPORT_MAX_ROWS = 1_000_000  # an .xlsx sheet holds 1,048,576 rows; the export says so when it stops


# ----------------------------------------------------------------------------- clause names
def clause_headings(clause_ids: Iterable[str], *, on: dt.date | None = None) -> dict[str, str]:
    """Clause id → "policy · clause" as pages name it: from the catalogue in force, else from the
    version an offer of the clause was made under; never the id itself."""
    from shouzhan.policies.models import PolicyVersion
    from shouzhan.policies.selectors import catalogue_in_force, version_policy

    wanted = set(clause_ids)
    out: dict[str, str] = {}
    if not wanted:
        return out
    catalogue = catalogue_in_force(on=on or timezone.localdate())
    for cid in wanted:
        try:
            clause = catalogue.clause(cid)
        except KeyError:
            continue
        policy = catalogue.policy_of(clause)
        out[cid] = f"{policy.short_title or policy.title} · {clause.title}"
    rest = wanted - set(out)
    if rest:
        version_ids = set(
            Offer.objects.filter(clause_id__in=rest).values_list("policy_version_id", flat=True).distinct()
        )
        for version in PolicyVersion.objects.select_related("document").filter(pk__in=version_ids):
            policy = version_policy(version)
            for clause in policy.clauses:
                if clause.id in rest and clause.id not in out:
                    out[clause.id] = f"{policy.short_title or policy.title} · {clause.title}"
    return out


# ----------------------------------------------------------------------------- one run
@dataclass
class ClauseRow:
    heading: str
    eligible: int
    unknown: int
    not_eligible: int
    potential_fen: int
    remaining_fen: int | None  # the clause's budget left this year; None: no budget set
    over_budget: bool


@dataclass
class RunReport:
    clauses: list[ClauseRow] = field(default_factory=list)
    quiet: int = 0  # clauses no subject is eligible for or unknown to (not listed)
    broken: list[str] = field(default_factory=list)
    timings: list[tuple[str, str]] = field(default_factory=list)
    phase: str = ""
    percent: int = 0


def run_report(*, actor: Actor, run: PushRun) -> RunReport:
    """The run in words. Per clause: how many subjects are eligible / unknown / not eligible, and the
    potential amount against the clause's budget left in the run's year (a warning where it exceeds)."""
    from shouzhan.ledger.selectors import clause_budgets

    permissions.require_staff(actor)
    report = RunReport(
        phase=str(PHASES.get(run.phase, "")),
        percent=min(100, round(100 * run.subjects_done / run.subjects_total)) if run.subjects_total else 0,
    )
    stats: dict[str, dict[str, int]] = run.clause_stats or {}
    if stats:
        names = clause_headings(stats, on=run.on)
        left = {b["budget"].clause_id: b["available_fen"] for b in clause_budgets(year=run.on.year)}
        for cid, s in stats.items():
            if not (s.get("eligible") or s.get("unknown")):
                report.quiet += 1
                continue
            potential, remaining = int(s.get("potential_fen", 0)), left.get(cid)
            report.clauses.append(
                ClauseRow(
                    heading=names.get(cid, str(GONE_CLAUSE)),
                    eligible=int(s.get("eligible", 0)),
                    unknown=int(s.get("unknown", 0)),
                    not_eligible=int(s.get("not_eligible", 0)),
                    potential_fen=potential,
                    remaining_fen=remaining,
                    over_budget=remaining is not None and potential > remaining,
                )
            )
        report.clauses.sort(key=lambda r: (-r.eligible, -r.unknown, r.heading))
    report.broken = broken_rows_in_words(run.broken_rows or [])
    spent = run.timings or {}
    report.timings = [(str(label), f"{float(spent[k]):.2f}") for k, label in TIMINGS.items() if k in spent]
    return report


def broken_rows_in_words(rows: list[dict[str, Any]]) -> list[str]:
    """Each broken row a run reported, as a sentence naming the enterprise, the project and the fact."""
    from shouzhan.registry.models import Enterprise, Project
    from shouzhan.rules.vocabulary import fact_label

    if not rows:
        return []
    enterprises = dict(
        Enterprise.objects.filter(pk__in={r.get("enterprise") for r in rows}).values_list("pk", "name")
    )
    projects = dict(
        Project.objects.filter(pk__in={r.get("project") for r in rows if r.get("project")}).values_list(
            "pk", "title"
        )
    )
    out = []
    for r in rows:
        who = enterprises.get(int(r.get("enterprise") or 0), _("（已删除的企业）"))
        if r.get("fact"):
            out.append(
                _("%(e)s · %(p)s：“%(f)s”填写为“%(v)s”，不是有效的值，本次按未填写处理。")
                % {
                    "e": who,
                    "p": projects.get(int(r.get("project") or 0), _("（已删除的项目）")),
                    "f": fact_label(str(r["fact"])),
                    "v": r.get("value", ""),
                }
            )
        else:
            out.append(_("%(e)s：%(err)s") % {"e": who, "err": r.get("error", _("数据有误"))})
    return out


# ----------------------------------------------------------------------------- the funnel
FUNNEL = (
    ("offered", _l("已推送")),
    ("confirmed", _l("企业已确认")),
    ("granted", _l("已核定")),
    ("paid", _l("已拨付")),
)


def _funnel_filters() -> dict[str, Q]:
    return {
        "offered": Q(rule_status="eligible"),
        "confirmed": Q(rule_status="eligible", case__isnull=False),
        "granted": Q(rule_status="eligible", state=Offer.State.GRANTED),
        "paid": Q(rule_status="eligible", case__state="disbursed"),
    }


def funnel(*, actor: Actor) -> list[dict[str, Any]]:
    """[{key, label, count, percent of offered, width %}] in the funnel's order, in one query."""
    permissions.require_staff(actor)
    counts = Offer.objects.filter(current=True).aggregate(
        **{k: Count("pk", filter=q) for k, q in _funnel_filters().items()}
    )
    top = counts["offered"] or 0
    rows = []
    for key, label in FUNNEL:
        n = counts[key] or 0
        rows.append(
            {
                "key": key,
                "label": label,
                "count": n,
                "percent": round(100 * n / top, 1) if top else 0.0,
            }
        )
    return rows


LABEL_W, BAR_W, TAIL_W, ROW_H = 110, 330, 120, 34


def funnel_chart(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The funnel as centred horizontal bars (server-side SVG geometry, no script)."""
    top = max((r["count"] for r in rows), default=0)
    if not top:
        return None
    bars = []
    for i, r in enumerate(rows):
        width = round(BAR_W * r["count"] / top, 1)
        bars.append(
            {
                "y": i * ROW_H,
                "x": round(LABEL_W + (BAR_W - width) / 2, 1),
                "width": max(width, 1.0),
                "label": r["label"],
                "count": r["count"],
                "percent": r["percent"],
                "key": r["key"],
            }
        )
    return {"width": LABEL_W + BAR_W + TAIL_W, "height": len(bars) * ROW_H, "bars": bars, "label_w": LABEL_W}


# ----------------------------------------------------------------------------- time to confirm
BUCKETS = (
    (0, 0, _l("当天确认")),
    (1, 1, _l("1 个工作日")),
    (2, 2, _l("2 个工作日")),
    (3, 5, _l("3–5 个工作日")),
    (6, 10, _l("6–10 个工作日")),
    (11, 20, _l("11–20 个工作日")),
    (21, None, _l("20 个工作日以上")),
)


@dataclass
class ConfirmTimes:
    count: int
    median: float | None
    buckets: list[tuple[str, int]]


def confirm_times(*, actor: Actor) -> ConfirmTimes:
    """Working days from the offer to the enterprise's confirmation: the median and a distribution. Read
    as (offered on, confirmed on, how many) pairs, so a city's offers cost a few hundred calendar walks."""
    permissions.require_staff(actor)
    pairs = (
        Offer.objects.filter(current=True, case__isnull=False, answered_at__isnull=False)
        .annotate(day=TruncDate("answered_at", tzinfo=timezone.get_current_timezone()))
        .values_list("offered_on", "day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    days: list[tuple[int, int]] = []
    for offered, confirmed, n in pairs:
        days.append((max(0, working_days_between(offered, confirmed)), n))
    buckets = [
        (str(label), sum(n for v, n in days if v >= low and (high is None or v <= high)))
        for low, high, label in BUCKETS
    ]
    return ConfirmTimes(count=sum(n for _v, n in days), median=weighted_median(days), buckets=buckets)


def weighted_median(pairs: list[tuple[int, int]]) -> float | None:
    """The median of values given as (value, how many times) pairs."""
    total = sum(n for _v, n in pairs)
    if not total:
        return None
    ordered = sorted(pairs)

    def at(k: int) -> int:  # the k-th smallest value, from 0
        seen = 0
        for v, n in ordered:
            seen += n
            if k < seen:
                return v
        return ordered[-1][0]

    if total % 2:
        return float(at(total // 2))
    return (at(total // 2 - 1) + at(total // 2)) / 2


# ----------------------------------------------------------------------------- per clause
def clause_counts(*, actor: Actor) -> list[dict[str, Any]]:
    """Per clause: prompts, offered, confirmed, granted, paid, declined, expired, withdrawn, and the
    amount still open (offers waiting for confirmation)."""
    permissions.require_staff(actor)
    f = _funnel_filters()
    rows = list(
        Offer.objects.filter(current=True)
        .values("clause_id")
        .annotate(
            prompts=Count("pk", filter=Q(state=Offer.State.PROMPT)),
            offered=Count("pk", filter=f["offered"]),
            confirmed=Count("pk", filter=f["confirmed"]),
            granted=Count("pk", filter=f["granted"]),
            paid=Count("pk", filter=f["paid"]),
            declined=Count("pk", filter=Q(state=Offer.State.DECLINED)),
            expired=Count("pk", filter=Q(state=Offer.State.EXPIRED)),
            withdrawn=Count("pk", filter=Q(state=Offer.State.WITHDRAWN)),
            open_fen=Sum("max_amount_fen", filter=Q(state=Offer.State.OFFERED)),
        )
        .order_by("clause_id")
    )
    names = clause_headings([r["clause_id"] for r in rows])
    for r in rows:
        r["heading"] = names.get(r.pop("clause_id"), str(GONE_CLAUSE))
        r["open_fen"] = r["open_fen"] or 0
    rows.sort(key=lambda r: (-r["offered"], r["heading"]))
    return rows


# ----------------------------------------------------------------------------- the export
EXPORT_HEADER = (
    _l("企业"),
    _l("统一社会信用代码"),
    _l("项目 / 作品"),
    _l("政策条款"),
    _l("状态"),
    _l("最高金额（元）"),
    _l("推送日期"),
    _l("确认期限"),
    _l("确认时间"),
    _l("联系人"),
    _l("办件编号"),
    _l("办件状态"),
    _l("办理期限"),
    _l("撤回原因"),
    _l("放弃原因"),
)


def export_offers(*, actor: Actor) -> QuerySet[Offer]:
    permissions.require_staff(actor)
    return (
        Offer.objects.filter(current=True)
        .select_related("enterprise", "project", "case")
        .order_by("enterprise__name", "enterprise_id", "clause_id", "id")
    )


def export_rows(offers: QuerySet[Offer]) -> Iterator[list[Any]]:
    """One row per offer, streamed (a city's offers never sit in memory at once)."""
    from shouzhan.cases.workflow import case_type_get

    names = clause_headings(offers.values_list("clause_id", flat=True).distinct().order_by())
    causes = dict(Offer.Cause.choices)
    states = dict(Offer.State.choices)
    for n, o in enumerate(offers.iterator(chunk_size=2000)):
        if n >= EXPORT_MAX_ROWS:
            yield [_("…… 超出一个表格的行数上限，其余 %(n)s 行未导出。") % {"n": offers.count() - n}]
            return
        case = o.case
        yield [
            o.enterprise.name,
            o.enterprise.credit_code or "",
            o.project.title if o.project else _("企业本身"),
            names.get(o.clause_id, str(GONE_CLAUSE)),
            str(states.get(o.state, "")),
            yuan_decimal(o.max_amount_fen) if o.max_amount_fen is not None else None,
            o.offered_on,
            o.expires_on,
            timezone.localtime(o.answered_at) if o.answered_at and o.case_id else None,
            o.contact,
            case.reference if case else "",
            str(case_type_get(case.case_type).state(case.state).staff_label) if case else "",
            case.due_on if case else None,
            str(causes.get(o.withdraw_cause, "")) if o.withdraw_cause else "",
            o.reason,
        ]


# ----------------------------------------------------------------------------- the exclusion list
def exclusions_list(*, actor: Actor, limit: int = 500) -> list[Exclusion]:
    """The exclusion list, those in force first, then ended and revoked ones (newest first)."""
    permissions.require_staff(actor)
    rows = list(
        Exclusion.objects.select_related("enterprise", "created_by", "revoked_by").order_by(
            "-created_at", "-id"
        )[:limit]
    )
    today = timezone.localdate()
    rows.sort(key=lambda e: (not exclusion_in_force(e, today), -(e.pk or 0)))
    return rows


def exclusion_in_force(exclusion: Exclusion, today: dt.date) -> bool:
    return (
        exclusion.revoked_at is None
        and exclusion.valid_from <= today
        and (exclusion.valid_to is None or exclusion.valid_to >= today)
    )


def exclusion_get(*, actor: Actor, pk: int) -> Exclusion:
    permissions.require_staff(actor)
    exclusion = Exclusion.objects.select_related("enterprise").filter(pk=pk).first()
    if exclusion is None:
        raise Http404(_("没有找到该排除记录。"))
    return exclusion


def enterprise_exclusions(*, actor: Actor, enterprise_id: int) -> list[Exclusion]:
    """The exclusions in force for one enterprise today (staff only; an enterprise is not shown this)."""
    if not permissions.can_see_all(actor):
        return []
    today = timezone.localdate()
    return list(
        Exclusion.objects.filter(enterprise_id=enterprise_id, revoked_at__isnull=True, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .order_by("-valid_from", "-id")
    )
