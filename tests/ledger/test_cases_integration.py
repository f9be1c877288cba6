"""A policy application's decisions move the books: approve grants / reserves, disburse consumes, cancel releases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from shouzhan.cases.services import case_submit, case_transition
from shouzhan.core.models import AuditEntry
from shouzhan.ledger import selectors, services
from shouzhan.ledger.models import Account, Journal, Reservation
from shouzhan.registry.models import Project
from tests.ledger.conftest import CAP, YEAR, submit_claim

pytestmark = pytest.mark.django_db


def _approved(owner, caseworker, enterprise, clause_id, project, amount_fen):
    case = case_submit(
        actor=owner,
        case_type="policy_application",
        enterprise=enterprise,
        title="申报",
        clause_id=clause_id,
        project=project,
        year=YEAR,
    )
    case = case_transition(actor=caseworker, case=case, action="accept", expected_version=case.version)
    case = case_transition(actor=caseworker, case=case, action="start_review", expected_version=case.version)
    return case_transition(
        actor=caseworker, case=case, action="approve", expected_version=case.version, amount_fen=amount_fen
    )


@pytest.fixture
def studio(make_enterprise):
    return make_enterprise(name="光合剧场", district="徐汇", sector="micro_drama")


def test_approved_voucher_application_grants_and_cancel_takes_back(programme, caseworker, studio):
    enterprise, owner = studio
    project = Project.objects.create(
        enterprise=enterprise,
        kind="vouchers",
        title="算力",
        year=YEAR,
        extra_facts={"voucher_item": "compute"},
    )
    case = _approved(owner, caseworker, enterprise, "xuhui.compute_voucher", project, 20_000_000)
    wallet = Account.objects.get(kind="wallet", enterprise=enterprise)
    assert wallet.balance_fen == 20_000_000
    assert Journal.objects.get(kind="grant").case_id == case.pk
    case_transition(
        actor=caseworker, case=case, action="cancel", expected_version=case.version, note="公示有异议"
    )
    wallet.refresh_from_db()
    assert (wallet.balance_fen, wallet.capped_fen) == (0, 0)
    assert selectors.books_check().ok


def test_voucher_application_over_the_cap_is_refused(programme, officer, caseworker, studio):
    enterprise, owner = studio
    services.voucher_grant(actor=officer, programme=programme, enterprise=enterprise, amount_fen=CAP)
    project = Project.objects.create(
        enterprise=enterprise,
        kind="vouchers",
        title="算力",
        year=YEAR,
        extra_facts={"voucher_item": "compute"},
    )
    with pytest.raises(ValidationError, match="超过每年每项上限"):
        _approved(owner, caseworker, enterprise, "xuhui.compute_voucher", project, 1)


def test_clause_budget_follows_the_case(catalogue, officer, caseworker, studio):
    enterprise, owner = studio
    services.clause_budget_set(
        actor=officer, clause_id="xuhui.excellent_work", year=YEAR, amount_fen=150_000_000
    )
    drama = Project.objects.create(
        enterprise=enterprise, kind="micro_drama", title="弄堂里的光", year=YEAR, excellent=True
    )
    case = _approved(owner, caseworker, enterprise, "xuhui.excellent_work", drama, 100_000_000)
    assert Reservation.objects.get(case_id=case.pk).state == "reserved"
    other = Project.objects.create(
        enterprise=enterprise, kind="micro_drama", title="第二部", year=YEAR, excellent=True
    )
    with pytest.raises(ValidationError) as exc:
        _approved(owner, caseworker, enterprise, "xuhui.excellent_work", other, 60_000_000)
    assert "超出条款年度预算" in exc.value.messages[0] and "剩余 500,000.00 元" in exc.value.messages[0]
    case = case_transition(actor=caseworker, case=case, action="publish", expected_version=case.version)
    case_transition(actor=caseworker, case=case, action="disburse", expected_version=case.version)
    assert Reservation.objects.get(case_id=case.pk).state == "consumed"
    assert selectors.account_balance_fen(Account.objects.get(key="paid_out")) == 100_000_000


# ----------------------------------------------------------------------------- the way back
def _voucher_case(owner, caseworker, enterprise, amount_fen):
    project = Project.objects.create(
        enterprise=enterprise,
        kind="vouchers",
        title="算力",
        year=YEAR,
        extra_facts={"voucher_item": "compute"},
    )
    return _approved(owner, caseworker, enterprise, "xuhui.compute_voucher", project, amount_fen)


@pytest.fixture
def compute_budget(catalogue, officer):
    """The compute clause's own yearly budget: 500,000 yuan."""
    return services.clause_budget_set(
        actor=officer, clause_id="xuhui.compute_voucher", year=YEAR, amount_fen=50_000_000
    )


@pytest.mark.parametrize("published", [False, True])
def test_cancelled_application_releases_the_budget_and_reverses_the_grant(
    programme, compute_budget, caseworker, studio, published
):
    enterprise, owner = studio
    case = _voucher_case(owner, caseworker, enterprise, 20_000_000)
    budget = Account.objects.get(pk=compute_budget.account_id)
    assert budget.balance_fen == 30_000_000
    assert Reservation.objects.get(case_id=case.pk).state == "reserved"
    if published:  # cancelled during the public notice (公示有异议)
        case = case_transition(actor=caseworker, case=case, action="publish", expected_version=case.version)
    case = case_transition(
        actor=caseworker, case=case, action="cancel", expected_version=case.version, note="公示有异议"
    )
    assert case.state == "cancelled"
    budget.refresh_from_db()
    assert budget.balance_fen == 50_000_000
    assert Account.objects.get(pk=compute_budget.reserved_account_id).balance_fen == 0
    assert Reservation.objects.get(case_id=case.pk).state == "released"
    grant = Journal.objects.get(kind="grant", case_id=case.pk)
    reversal = Journal.objects.get(reverses=grant)
    assert reversal.kind == "reversal" and reversal.case_id == case.pk
    wallet = Account.objects.get(kind="wallet", enterprise=enterprise)
    assert (wallet.balance_fen, wallet.capped_fen) == (0, 0)
    programme.budget_account.refresh_from_db()
    assert programme.budget_account.balance_fen == 500_000_000
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"ledger.budget_release", "ledger.journal_reverse", "ledger.voucher_grant"} <= actions
    assert selectors.books_check().ok


def test_cancel_is_refused_once_the_vouchers_are_spent(
    programme, compute_budget, caseworker, provider, studio
):
    enterprise, owner = studio
    case = _voucher_case(owner, caseworker, enterprise, 20_000_000)
    submit_claim(
        programme,
        enterprise,
        provider,
        5_000_000,
        "SPENT-1",
        service_from=dt.date(YEAR, 4, 1),
        service_to=dt.date(YEAR, 4, 30),
    )
    with pytest.raises(ValidationError) as exc:
        case_transition(
            actor=caseworker, case=case, action="cancel", expected_version=case.version, note="公示有异议"
        )
    message = exc.value.messages[0]
    assert message.startswith("券余额不足"), message
    assert "可用 150,000.00 元" in message and "本次需要 200,000.00 元" in message
    # Nothing moved: the case, the reservation, the grant and the budget are as they were.
    case.refresh_from_db()
    assert case.state == "approved"
    assert Reservation.objects.get(case_id=case.pk).state == "reserved"
    assert not Journal.objects.filter(kind="reversal").exists()
    assert Account.objects.get(pk=compute_budget.account_id).balance_fen == 30_000_000
    assert selectors.books_check().ok


def test_not_supported_application_moves_nothing(programme, compute_budget, caseworker, studio):
    enterprise, owner = studio
    project = Project.objects.create(
        enterprise=enterprise,
        kind="vouchers",
        title="算力",
        year=YEAR,
        extra_facts={"voucher_item": "compute"},
    )
    case = case_submit(
        actor=owner,
        case_type="policy_application",
        enterprise=enterprise,
        title="申报",
        clause_id="xuhui.compute_voucher",
        project=project,
        year=YEAR,
    )
    case = case_transition(actor=caseworker, case=case, action="accept", expected_version=case.version)
    case = case_transition(actor=caseworker, case=case, action="start_review", expected_version=case.version)
    case = case_transition(
        actor=caseworker, case=case, action="not_support", expected_version=case.version, note="材料不符"
    )
    assert case.state == "not_supported"
    assert not Journal.objects.filter(case_id=case.pk).exists()
    assert not Reservation.objects.filter(case_id=case.pk).exists()
    assert Account.objects.get(pk=compute_budget.account_id).balance_fen == 50_000_000
