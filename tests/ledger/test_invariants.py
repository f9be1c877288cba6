"""Property-based: any sequence of grants, claims, decisions, reversals and expiries keeps every invariant,
and the services refuse exactly what a plain reference model says they must refuse."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shouzhan.ledger import selectors, services
from shouzhan.ledger.models import Account
from tests.ledger.conftest import CAP, YEAR

pytestmark = pytest.mark.django_db

BUDGET = CAP * 5 // 2  # 2.5 caps: grants run into the budget as well as the caps
_invoice = itertools.count(1)

amounts = st.one_of(st.integers(1, 1000), st.integers(1, CAP), st.sampled_from([CAP, CAP // 2, BUDGET]))
operation = st.one_of(
    st.tuples(st.just("grant"), st.integers(0, 2), amounts),
    st.tuples(st.just("claim"), st.integers(0, 2), amounts),
    st.tuples(st.sampled_from(["confirm", "decline", "approve", "reject"]), st.integers(0, 50)),
    st.tuples(st.just("reverse"), st.integers(0, 50)),
    st.tuples(st.just("expire")),
)


@pytest.fixture
def world(catalogue, officer, caseworker, provider, make_enterprise):
    programme = services.programme_open(
        actor=officer,
        item="corpus",
        year=YEAR,
        valid_from=dt.date(YEAR, 1, 1),
        valid_until=dt.date(YEAR, 12, 31),
        budget_fen=BUDGET,
        providers=[provider[0]],
    )
    enterprises = [make_enterprise() for _ in range(3)]
    return programme, enterprises, officer, caseworker, provider


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operation, min_size=1, max_size=25))
def test_any_sequence_keeps_the_invariants(world, ops):
    programme, enterprises, officer, caseworker, provider = world
    with transaction.atomic():
        programme.refresh_from_db()
        budget, expired = BUDGET, False
        wallet = [0, 0, 0]
        capped = [0, 0, 0]
        receivable = 0
        claims: list[list] = []  # [claim, enterprise index, state]
        grants: list[list] = []  # [journal, enterprise index, amount, reversed]
        for op in ops:
            kind = op[0]
            try:
                if kind == "grant":
                    e, a = op[1], op[2]
                    ok = not expired and capped[e] + a <= CAP and a <= budget
                    j = services.voucher_grant(
                        actor=officer, programme=programme, enterprise=enterprises[e][0], amount_fen=a
                    )
                    budget, wallet[e], capped[e] = budget - a, wallet[e] + a, capped[e] + a
                    grants.append([j, e, a, False])
                elif kind == "claim":
                    e, a = op[1], op[2]
                    ok = not expired and a <= wallet[e]
                    c = services.claim_submit(
                        actor=provider[1],
                        programme=programme,
                        enterprise=enterprises[e][0],
                        provider=provider[0],
                        amount_fen=a,
                        invoice_no=f"H{next(_invoice)}",
                        service_from=dt.date(YEAR, 5, 1),
                        service_to=dt.date(YEAR, 5, 2),
                    )
                    wallet[e] -= a
                    claims.append([c, e, "submitted"])
                elif kind in ("confirm", "decline", "approve", "reject"):
                    if not claims:
                        continue
                    row = claims[op[1] % len(claims)]
                    c, e, state = row
                    allowed = {
                        "confirm": ("submitted",),
                        "decline": ("submitted",),
                        "approve": ("confirmed",),
                        "reject": ("submitted", "confirmed"),
                    }[kind]
                    ok = state in allowed
                    owner = enterprises[e][1]
                    if kind == "confirm":
                        services.claim_confirm(actor=owner, claim=c)
                        row[2] = "confirmed"
                    elif kind == "decline":
                        services.claim_decline(actor=owner, claim=c, note="不认可")
                    elif kind == "approve":
                        services.claim_approve(actor=caseworker, claim=c)
                        receivable += c.amount_fen
                        row[2] = "approved"
                    else:
                        services.claim_reject(actor=caseworker, claim=c, note="不通过")
                    if kind in ("decline", "reject"):
                        row[2] = "refused"
                        if expired:
                            budget += c.amount_fen
                        else:
                            wallet[e] += c.amount_fen
                elif kind == "reverse":
                    if not grants:
                        continue
                    row = grants[op[1] % len(grants)]
                    j, e, a, done = row
                    ok = not done and wallet[e] >= a
                    services.journal_reverse(actor=officer, journal=j, reason="冲正测试")
                    row[3] = True
                    budget, wallet[e], capped[e] = budget + a, wallet[e] - a, capped[e] - a
                else:
                    ok = not expired
                    services.programme_expire(
                        actor=officer, programme=programme, today=dt.date(YEAR + 1, 1, 1)
                    )
                    expired = True
                    budget += sum(wallet)
                    wallet = [0, 0, 0]
                assert ok, f"{op} should have been refused"
            except ValidationError:
                assert not ok, f"{op} was refused but the model allows it"
            check = selectors.books_check()
            assert check.ok, check
            assert Account.objects.get(pk=programme.budget_account_id).balance_fen == budget
            for i, (enterprise, _owner) in enumerate(enterprises):
                acct = Account.objects.filter(
                    kind="wallet", programme=programme, enterprise=enterprise
                ).first()
                assert (acct.balance_fen if acct else 0, acct.capped_fen if acct else 0) == (
                    wallet[i],
                    capped[i],
                )
                assert 0 <= capped[i] <= CAP
            held = sum(c.amount_fen for c, _e, s in claims if s in ("submitted", "confirmed"))
            owed = Account.objects.filter(kind="receivable").first()
            assert (selectors.account_balance_fen(owed) if owed else 0) == receivable
            # Money is conserved: the budget's original funding is exactly accounted for.
            assert budget + sum(wallet) + held + receivable == BUDGET
        transaction.set_rollback(True)
