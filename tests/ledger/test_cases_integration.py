"""A policy application's decisions move the books: approve grants / reserves, disburse consumes, cancel releases."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from shouzhan.cases.services import case_submit, case_transition
from shouzhan.ledger import selectors, services
from shouzhan.ledger.models import Account, Journal, Reservation
from shouzhan.registry.models import Project
from tests.ledger.conftest import CAP, YEAR

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
    assert Account.objects.get(key="paid_out").balance_fen == 100_000_000
