"""The service figures beside the targets (#17 part 4): how the centre serves, measured for a month from the
modules' own records, each a `Figure` with its definition in words, its source and its as-of day.

- 按期办结率 — cases closed in the month on time ÷ cases closed in the month (cases).
- 响应率 / 解决率 / 满意率 — the frontline's three rates of the demands received in the month
  (`shouzhan.frontline.rates`, its definitions).
- 政策资金 已推送 / 已确认 / 已拨付 ÷ the year's clause budgets (offers, ledger), in fen.
- 空间出租率 — monthly-rented spaces (desks, offices …) let on the month's last day ÷ those open (spaces).
- 沙龙到场率 — checked-in registrations of the month's salons ÷ their confirmed registrations (community).
- 服务券使用率 — voucher amount redeemed ÷ amount issued in the year (ledger).

Every ratio is exact: the numerator and the denominator are kept (fen for money, counts otherwise, in
`detail`), the percent is rounded half up to 0.01. One query per table, whatever the size of the records.
What the records do not date (a budget's balance, a voucher's redemption) is read as it stands when the
figure is taken — which is why month-end figures are kept as snapshots."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from shouzhan.cases.models import Case
from shouzhan.community.models import Event, Registration
from shouzhan.core.actors import system_actor
from shouzhan.frontline.rates import rates_total
from shouzhan.insight.figures import Figure, percent
from shouzhan.insight.frames import day_after
from shouzhan.ledger import selectors as ledger_selectors
from shouzhan.ledger.models import Payment
from shouzhan.offers.models import Offer
from shouzhan.spaces.models import Resource, Tenancy

# The centre reading its own figures: a month-end snapshot is taken by the worker, not a person, and the
# other modules' reads let the system read every department's rows, as the centre's staff do.
CENTRE_READER = system_actor("insight")


def _ratio(
    key: str, title: str, numerator: int, denominator: int, *, definition: str, source: str, as_of: dt.date
) -> Figure:
    """A share of two counts, exact: None when there is nothing to divide."""
    value = percent(numerator, denominator) if denominator else None
    return Figure(
        key=key, title=title, value=value, unit="percent", definition=definition, source=source, as_of=as_of,
        note="" if denominator else "no_denominator",
        detail={"numerator": numerator, "denominator": denominator},
    )  # fmt: skip


def _money(
    key: str, title: str, numerator_fen: int, budget_fen: int, *, definition: str, source: str, as_of: dt.date
) -> Figure:
    """Money against the year's budgets, exact in fen."""
    figure = _ratio(key, title, numerator_fen, budget_fen, definition=definition, source=source, as_of=as_of)
    figure.numerator_fen, figure.denominator_fen = numerator_fen, budget_fen
    return figure


def cases_on_time(*, as_of: dt.date) -> Figure:
    start = as_of.replace(day=1)
    counts = Case.objects.filter(closed_on__gte=start, closed_on__lte=as_of).aggregate(
        closed=Count("pk"), on_time=Count("pk", filter=Q(closed_on_time=True))
    )
    return _ratio(
        "cases_on_time", _("按期办结率"), counts["on_time"], counts["closed"], as_of=as_of,
        definition=_("本月办结的办件中，在办理期限内办结的件数 ÷ 本月办结的件数（按办结日期）。"),
        source=_("办件（全部事项）"),
    )  # fmt: skip


def frontline_rates(*, as_of: dt.date) -> list[Figure]:
    start = as_of.replace(day=1)
    row = rates_total(actor=CENTRE_READER, start=start, end=as_of, today=as_of)
    source = _("一线走访诉求（签收、回访记录）")
    base = _("本月受理、计入三率的诉求：")
    rates = (
        ("frontline_response", _("诉求响应率"), row.responded, row.response_due,
         _("首次签收在签收时限内的诉求数 ÷ 已签收或签收时限已过的诉求数。")),
        ("frontline_resolution", _("诉求解决率"), row.resolved, row.followed_up,
         _("最近一次回访为“已解决”的诉求数 ÷ 有回访结果的诉求数。")),
        ("frontline_satisfaction", _("诉求满意率"), row.satisfied + row.basic, row.rated,
         _("最近一次评价为“满意”或“基本满意”的诉求数 ÷ 有满意度评价的诉求数。")),
    )  # fmt: skip
    return [
        _ratio(key, title, n, d, definition=base + words, source=source, as_of=as_of)
        for key, title, n, d, words in rates
    ]


def policy_money(*, as_of: dt.date) -> list[Figure]:
    """Offered, confirmed and paid this year against the year's clause budgets (available + reserved + paid)."""
    end = day_after(as_of)
    budgets = ledger_selectors.clause_budgets(year=as_of.year)
    budget = sum(b["available_fen"] + b["reserved_fen"] + b["consumed_fen"] for b in budgets)
    offers = Offer.objects.filter(
        current=True, rule_status="eligible", offered_on__year=as_of.year, offered_on__lte=as_of
    ).aggregate(
        offered=Sum("max_amount_fen"),
        confirmed=Sum("max_amount_fen", filter=Q(case__isnull=False, answered_at__lt=end)),
    )
    paid = Payment.objects.filter(
        status=Payment.Status.PAID, reservation__isnull=False, reservation__budget__year=as_of.year,
        updated_at__lt=end,
    ).aggregate(s=Sum("amount_fen"))["s"]  # fmt: skip
    budget_words = _("本年度各政策条款预算合计（可用 + 已核定待拨付 + 已拨付）")
    source = _("政策推送、资金台账（条款年度预算、拨付记录）")
    return [
        _money("money_offered", _("政策资金已推送"), offers["offered"] or 0, budget, as_of=as_of, source=source,
               definition=_("本年度推送给企业的政策（规则判定符合）最高金额合计 ÷ %(b)s。") % {"b": budget_words}),
        _money("money_confirmed", _("政策资金已确认"), offers["confirmed"] or 0, budget, as_of=as_of,
               source=source,
               definition=_("其中企业已确认申领（已开办件）的最高金额合计 ÷ %(b)s。") % {"b": budget_words}),
        _money("money_paid", _("政策资金已拨付"), paid or 0, budget, as_of=as_of, source=source,
               definition=_("本年度预算已支付到企业的金额合计（支付成功） ÷ %(b)s。") % {"b": budget_words}),
    ]  # fmt: skip


def space_occupancy(*, as_of: dt.date) -> Figure:
    monthly = dict(
        Resource.objects.filter(is_active=True, unit=Resource.Unit.MONTH).values_list("id", "kind")
    )
    let = set(
        Tenancy.objects.filter(resource_id__in=list(monthly), start_on__lte=as_of, end_on__gt=as_of)
        .values_list("resource_id", flat=True)
        .distinct()
    )
    figure = _ratio(
        "space_occupancy", _("空间出租率"), len(let), len(monthly), as_of=as_of,
        definition=_("当日在租的按月出租空间（工位、办公室、直播间等）个数 ÷ 开放的按月出租空间个数。"),
        source=_("空间资源、租约"),
    )  # fmt: skip
    by_kind: dict[str, list[int]] = {}
    for pk, kind in monthly.items():
        pair = by_kind.setdefault(kind, [0, 0])
        pair[0] += pk in let
        pair[1] += 1
    labels = dict(Resource.Kind.choices)
    figure.detail["by_kind"] = [
        {"label": str(labels.get(kind, kind)), "let": n, "open": d}
        for kind, (n, d) in sorted(by_kind.items())
    ]
    return figure


def salon_attendance(*, as_of: dt.date) -> Figure:
    start = as_of.replace(day=1)
    counts = Registration.objects.filter(
        event__kind=Event.Kind.SALON,
        event__starts_at__gte=day_after(start - dt.timedelta(days=1)),
        event__starts_at__lt=day_after(as_of),
        status=Registration.Status.CONFIRMED,
    ).aggregate(registered=Count("pk"), attended=Count("pk", filter=Q(checked_in_at__isnull=False)))
    return _ratio(
        "salon_attendance", _("沙龙到场率"), counts["attended"], counts["registered"], as_of=as_of,
        definition=_("本月举办的沙龙中，已签到的报名人数 ÷ 报名确认的人数（不含取消和候补）。"),
        source=_("社区活动报名与签到"),
    )  # fmt: skip


def voucher_use(*, as_of: dt.date) -> Figure:
    usage = ledger_selectors.programme_usage(year=as_of.year)
    granted = sum(u.granted_fen for u in usage)
    redeemed = sum(u.redeemed_fen for u in usage)
    return _money(
        "voucher_use", _("服务券使用率"), redeemed, granted, as_of=as_of,
        definition=_("本年度各券项目已核销的金额 ÷ 已发放给企业的券额度。"),
        source=_("资金台账（算力券、模型券、语料券）"),
    )  # fmt: skip


def service_figures(*, as_of: dt.date) -> list[Figure]:
    """Every service figure of the month that ends (or stands) at `as_of`."""
    return [
        cases_on_time(as_of=as_of),
        *frontline_rates(as_of=as_of),
        *policy_money(as_of=as_of),
        space_occupancy(as_of=as_of),
        salon_attendance(as_of=as_of),
        voucher_use(as_of=as_of),
    ]
