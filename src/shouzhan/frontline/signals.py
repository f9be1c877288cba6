"""未诉先办 (before anyone complains): signals that open a visit task on their own.

Each signal is data: a key, its words and a finder that reads the modules below frontline in bulk (one or
two queries a signal, never one per enterprise) and returns its hits: the enterprise, the reason in words
and a stable key naming the occurrence ("overdue_case:<case>:<due date>"). `signals_scan` opens one visit
task (a VisitPlan of origin "signal" with the enterprise as its target, the key on the target) for each
hit no task was opened for yet, so a second scan opens nothing; the visitor is the enterprise's usual
caseworker (the assignee of its latest case) or, failing one, the first active caseworker.

Thresholds are working days (core.workdays).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shouzhan.core.actors import Actor
from shouzhan.core.audit import audit_record
from shouzhan.core.notifications import notify
from shouzhan.core.workdays import add_working_days, is_workday
from shouzhan.frontline import audit_actions as aa
from shouzhan.frontline.models import FollowUp, VisitPlan, VisitTarget
from shouzhan.frontline.services.common import FRONTLINE
from shouzhan.frontline.services.visits import visit_plan_create

CASE_OVERDUE_DAYS = 1  # a case past its due date by at least this many working days
VOUCHER_EXPIRY_DAYS = 20  # vouchers left in a wallet whose programme ends within this many working days
TENANCY_END_DAYS = 20  # a tenancy (desk, office, floor) whose last day is within this many working days
OFFER_UNANSWERED_DAYS = 5  # an offer or information prompt unanswered this many working days after it
UNSATISFIED_LOOKBACK_DAYS = 10  # a 不满意 follow-up recorded within this many working days
VISIT_WITHIN_DAYS = 5  # the visit task is due this many working days after the scan
KEYS_PER_QUERY = 500  # keys looked up at once (SQLite's bound on a query's parameters)
REASON_MAX = 300  # VisitPlan.reason
TITLE_MAX = 120  # VisitPlan.title


class Hit(NamedTuple):
    enterprise_id: int
    reason: str
    key: str


class Signal(NamedTuple):
    key: str
    label: Promise
    finder: Callable[[dt.date], list[Hit]]


def working_days_ago(today: dt.date, n: int) -> dt.date:
    """The latest day with n working days after it up to and including today (n == 0: today)."""
    day, counted = today, 0
    while counted < n:
        if is_workday(day):
            counted += 1
        day -= dt.timedelta(days=1)
    return day


def working_days_ahead(today: dt.date, n: int) -> dt.date:
    return add_working_days(today, n).date


# ----------------------------------------------------------------------------- the finders
def overdue_cases(today: dt.date) -> list[Hit]:
    """An enterprise's open case whose running clock passed its due date."""
    from shouzhan.cases.selectors import case_queue

    rows = (
        case_queue(actor=FRONTLINE)
        .filter(
            enterprise__isnull=False,
            clock_stopped_on__isnull=True,
            due_on__lte=working_days_ago(today, CASE_OVERDUE_DAYS),
        )
        .values_list("pk", "enterprise_id", "title", "due_on")
    )
    return [
        Hit(
            enterprise,
            _("办件「%(title)s」已超过办理期限（%(due)s），尚未办结。") % {"title": title, "due": due},
            f"overdue_case:{pk}:{due}",
        )
        for pk, enterprise, title, due in rows
    ]


def vouchers_expiring(today: dt.date) -> list[Hit]:
    """Vouchers left unspent in a wallet whose programme ends soon."""
    from shouzhan.core.money import format_yuan
    from shouzhan.ledger.models import Account

    rows = Account.objects.filter(
        kind=Account.Kind.WALLET,
        enterprise__isnull=False,
        balance_fen__gt=0,
        programme__expired_at__isnull=True,
        programme__valid_until__gte=today,
        programme__valid_until__lte=working_days_ahead(today, VOUCHER_EXPIRY_DAYS),
    ).values_list("enterprise_id", "programme_id", "programme__name", "programme__valid_until", "balance_fen")
    return [
        Hit(
            enterprise,
            _("「%(name)s」还有 %(amount)s未使用，将于 %(until)s 到期。")
            % {"name": name, "amount": format_yuan(balance), "until": until},
            f"voucher_expiry:{programme}:{enterprise}",
        )
        for enterprise, programme, name, until, balance in rows
    ]


def tenancies_ending(today: dt.date) -> list[Hit]:
    """A tenancy whose last day is near and that was not renewed or moved."""
    from shouzhan.spaces.models import Tenancy

    last_by = working_days_ahead(today, TENANCY_END_DAYS)
    rows = Tenancy.objects.filter(
        status=Tenancy.Status.ACTIVE,
        end_on__gt=today,  # end_on is the day after the last one
        end_on__lte=last_by + dt.timedelta(days=1),
        next__isnull=True,
    ).values_list("pk", "enterprise_id", "resource__site__name", "resource__name", "end_on")
    return [
        Hit(
            enterprise,
            _("租用的「%(site)s · %(space)s」将于 %(last)s 到期，尚未续租。")
            % {"site": site, "space": space, "last": end_on - dt.timedelta(days=1)},
            f"tenancy_end:{pk}:{end_on}",
        )
        for pk, enterprise, site, space, end_on in rows
    ]


def offers_unanswered(today: dt.date) -> list[Hit]:
    """An offer not confirmed, or an information prompt not answered, some working days after it."""
    from shouzhan.offers.figures import GONE_CLAUSE, clause_headings
    from shouzhan.offers.models import Offer

    rows = list(
        Offer.objects.filter(
            current=True,
            state__in=[Offer.State.PROMPT, Offer.State.OFFERED],
            offered_on__lte=working_days_ago(today, OFFER_UNANSWERED_DAYS),
        ).values_list("pk", "enterprise_id", "clause_id", "state", "offered_on")
    )
    headings = clause_headings({row[2] for row in rows}, on=today) if rows else {}
    hits = []
    for pk, enterprise, clause_id, state, offered_on in rows:
        words = {"clause": headings.get(clause_id) or str(GONE_CLAUSE), "on": offered_on}
        words["n"] = OFFER_UNANSWERED_DAYS
        if state == Offer.State.PROMPT:
            reason = _("「%(clause)s」需补充信息，%(on)s 提示后 %(n)s 个工作日仍未答复。") % words
        else:
            reason = _("政策直达「%(clause)s」%(on)s 推送，%(n)s 个工作日仍未确认。") % words
        hits.append(Hit(enterprise, reason, f"offer_unanswered:{pk}"))
    return hits


def unsatisfied_follow_ups(today: dt.date) -> list[Hit]:
    """A requester who answered 不满意 to a reply."""
    rows = FollowUp.objects.filter(
        satisfaction=FollowUp.Satisfaction.UNSATISFIED,
        demand__enterprise__isnull=False,
        on__gte=working_days_ago(today, UNSATISFIED_LOOKBACK_DAYS),
        on__lte=today,
    ).values_list("pk", "demand__enterprise_id", "demand__case__title", "on")
    return [
        Hit(
            enterprise,
            _("对诉求「%(title)s」的回访评价为不满意（%(on)s）。") % {"title": title, "on": on},
            f"unsatisfied:{pk}",
        )
        for pk, enterprise, title, on in rows
    ]


SIGNALS: tuple[Signal, ...] = (
    Signal("overdue_case", _l("办件逾期"), overdue_cases),
    Signal("voucher_expiry", _l("券即将到期未用"), vouchers_expiring),
    Signal("tenancy_end", _l("租期即将到期"), tenancies_ending),
    Signal("offer_unanswered", _l("政策直达未答复"), offers_unanswered),
    Signal("unsatisfied", _l("回访不满意"), unsatisfied_follow_ups),
)


# ----------------------------------------------------------------------------- who goes
def usual_visitors(enterprise_ids: Iterable[int]) -> dict[int, Any]:
    """Enterprise id → who visits it: the active assignee of its latest case, else the first active
    caseworker (None when there is no caseworker at all). Three queries whatever the number."""
    from shouzhan.accounts.models import User
    from shouzhan.cases.models import Case
    from shouzhan.core.roles import Role
    from shouzhan.registry.models import Enterprise

    ids = set(enterprise_ids)
    if not ids:
        return {}
    latest = (
        Case.objects.filter(enterprise=OuterRef("pk"), assignee__isnull=False, assignee__is_active=True)
        .order_by("-created_at", "-pk")
        .values("assignee_id")[:1]
    )
    usual = dict(
        Enterprise.objects.filter(pk__in=ids).annotate(usual=Subquery(latest)).values_list("pk", "usual")
    )
    users = User.objects.filter(pk__in={u for u in usual.values() if u}).in_bulk()
    fallback = User.objects.filter(role=Role.CASEWORKER, is_active=True).order_by("pk").first()
    return {pk: users.get(usual.get(pk)) or fallback for pk in ids}


def plans_url() -> str:
    try:
        return reverse("frontline:visits")
    except NoReverseMatch:  # the pages not installed
        return ""


def keys_taken(keys: Iterable[str]) -> set[str]:
    """The signal keys a visit task was opened for already."""
    wanted = sorted(set(keys))
    taken: set[str] = set()
    for i in range(0, len(wanted), KEYS_PER_QUERY):
        chunk = wanted[i : i + KEYS_PER_QUERY]
        taken.update(VisitTarget.objects.filter(signal_key__in=chunk).values_list("signal_key", flat=True))
    return taken


# ----------------------------------------------------------------------------- the scan
def signals_scan(*, actor: Actor = FRONTLINE, today: dt.date | None = None) -> dict[str, int]:
    """Open a visit task for every signal hit that has none yet; returns the tasks opened per signal,
    "opened" in all and "no_visitor" (hits left for the next scan: no caseworker to send)."""
    from shouzhan.registry.models import Enterprise

    today = today or timezone.localdate()
    found = {hit.key: (signal, hit) for signal in SIGNALS for hit in signal.finder(today)}
    taken = keys_taken(found)
    new = [pair for key, pair in sorted(found.items()) if key not in taken]
    counts = {signal.key: 0 for signal in SIGNALS} | {"opened": 0, "no_visitor": 0}
    if not new:
        return counts
    enterprise_ids = {hit.enterprise_id for _s, hit in new}
    visitors = usual_visitors(enterprise_ids)
    enterprises = Enterprise.objects.in_bulk(enterprise_ids)
    due = working_days_ahead(today, VISIT_WITHIN_DAYS)
    url = plans_url()
    with transaction.atomic():
        for signal, hit in new:
            visitor, enterprise = visitors.get(hit.enterprise_id), enterprises.get(hit.enterprise_id)
            if visitor is None or enterprise is None:
                counts["no_visitor"] += 1
                continue
            plan = visit_plan_create(
                actor=actor,
                title=(
                    _("未诉先办：%(signal)s · %(name)s") % {"signal": signal.label, "name": enterprise.name}
                )[:TITLE_MAX],
                visitor=visitor,
                starts_on=today,
                due_on=due,
                enterprises=[enterprise],
                origin=VisitPlan.Origin.SIGNAL,
                reason=hit.reason[:REASON_MAX],
                signal_key=hit.key,
            )
            notify(
                users=[visitor],
                message=_("未诉先办：请在 %(due)s 前走访「%(name)s」。%(reason)s")
                % {"due": due, "name": enterprise.name, "reason": hit.reason},
                kind="visit",
                target=plan,
                url=url,
            )
            counts[signal.key] += 1
            counts["opened"] += 1
        if counts["opened"]:
            audit_record(
                actor=actor,
                action=aa.SIGNALS_SCAN,
                target_type="frontline.signals",
                target_label=_("未诉先办"),
                after={"on": today, **counts},
            )
    return counts
