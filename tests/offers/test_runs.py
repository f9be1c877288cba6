"""Runs as the district lives with them: a publication queues one, a profile change re-evaluates its
enterprise after the commit, a dead run is taken up again without duplicates, broken rows are reported
and the run goes on, and the fast-track case's decision comes back on its offer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from shouzhan.cases.services import case_transition
from shouzhan.core.roles import Role
from shouzhan.offers import services
from shouzhan.offers.models import Offer, PushRun
from shouzhan.policies.models import PolicyVersion
from shouzhan.registry.services import enterprise_update, project_update
from tests.offers.conftest import ON, run_push
from tests.offers.test_push import current_offers, interpreter_offers

pytestmark = pytest.mark.django_db


def test_publishing_a_version_queues_a_full_run(
    register: dict[str, Any], make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.offers.test_lifecycle import publish_changed_xuhui

    with django_capture_on_commit_callbacks(execute=True):
        publish_changed_xuhui(make_user)
    run = PushRun.objects.get()
    version = PolicyVersion.objects.get(status="published", document__code="xuhui", effective_from=ON)
    assert (run.trigger, run.scope, run.status, run.policy_version_id) == (
        "publish",
        "full",
        "queued",
        version.pk,
    )
    assert run.task_id  # the worker's task was enqueued with it


def test_a_profile_change_is_re_evaluated_after_its_commit(
    register: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    run_push(on=dt.date.today())
    # The fixture's own saves wait for a commit a test never reaches; this transaction starts afresh.
    transaction.get_connection().run_on_commit.clear()
    outside = register["outside"]
    with django_capture_on_commit_callbacks(execute=True):
        enterprise_update(actor=register["outside_owner"], enterprise=outside, data={"district": "徐汇"})
        project_update(
            actor=register["outside_owner"], project=register["outside_drama"], data={"trainees": 3}
        )
    runs = list(PushRun.objects.filter(scope="enterprise"))
    assert [(r.enterprise_id, r.trigger, r.status) for r in runs] == [(outside.pk, "profile", "done")]
    assert current_offers() == interpreter_offers(dt.date.today())
    # The city's 沪8条 offers it had already; the 徐汇 ones are new.
    assert (
        runs[0].offers_new
        == len([k for k in current_offers() if k.startswith(f"{outside.pk}:") and ":xuhui." in k])
        == 3
    )


def test_nothing_is_re_evaluated_before_offers_are_in_use(
    register: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        enterprise_update(
            actor=register["outside_owner"], enterprise=register["outside"], data={"employees": 9}
        )
    assert not PushRun.objects.exists()


def test_a_dead_run_is_taken_up_again_and_leaves_no_duplicates(register: dict[str, Any]) -> None:
    run = services.push_run_start(actor="system:test", on=ON)
    # A worker claimed it and died before its write committed: running, silent for longer than the lease.
    PushRun.objects.filter(pk=run.pk).update(
        status="running",
        run_token="dead",
        heartbeat_at=timezone.now() - dt.timedelta(minutes=10),
        phase="compute",
    )
    taken = services.push_runs_recover()
    assert [(r.pk, r.status, r.interruptions) for r in taken] == [(run.pk, "queued", 1)]
    done = services.push_run_execute(run_id=run.pk)
    assert done.status == "done"
    again = run_push()
    assert (again.offers_new, again.offers_changed, again.offers_withdrawn) == (0, 0, 0)
    keys = list(Offer.objects.filter(current=True).values_list("key", flat=True))
    assert len(keys) == len(set(keys)) == done.offers_new


def test_a_run_dead_too_often_fails_with_a_reason(register: dict[str, Any], settings: Any) -> None:
    run = services.push_run_start(actor="system:test", on=ON)
    PushRun.objects.filter(pk=run.pk).update(
        status="running",
        interruptions=settings.PUSH_RUN_MAX_RUNS - 1,
        heartbeat_at=timezone.now() - dt.timedelta(hours=1),
    )
    [failed] = services.push_runs_recover()
    assert failed.status == "failed" and "意外中断" in failed.error


def test_broken_rows_are_reported_and_the_run_goes_on(register: dict[str, Any]) -> None:
    drama = register["drama"]
    type(drama).objects.filter(pk=drama.pk).update(
        extra_facts={"award_winning": "yes", "benchmark_work": False}
    )
    run = run_push()
    assert run.status == "done"
    assert run.broken_rows == [
        {
            "enterprise": register["studio"].pk,
            "project": drama.pk,
            "fact": "project.award_winning",
            "value": "yes",
        }
    ]
    assert Offer.objects.filter(project=drama, clause_id="xuhui.excellent_work", state="offered").exists()


def test_the_fast_track_decision_comes_back_on_the_offer(register: dict[str, Any], make_user: Any) -> None:
    run_push()
    studio, drama = register["studio"], register["drama"]
    offer = Offer.objects.get(enterprise=studio, project=drama, clause_id="xuhui.excellent_work")
    offer = services.offer_confirm(
        actor=register["studio_owner"], offer=offer, contact="林晓", declaration_accepted=True, today=ON
    )
    worker = make_user(role=Role.CASEWORKER)
    case = offer.case
    for action, kw in (("accept", {}), ("start_review", {}), ("approve", {"amount_fen": 80_000_000})):
        case = case_transition(
            actor=worker, case=case, action=action, expected_version=case.version, on=ON, **kw
        )
    offer.refresh_from_db()
    assert offer.state == "granted"
    # Another one refused.
    other = Offer.objects.get(
        enterprise=register["agent"], project=register["agent_rd"], clause_id="xuhui.agent_rd"
    )
    other = services.offer_confirm(
        actor=register["agent_owner"], offer=other, contact="张总", declaration_accepted=True, today=ON
    )
    case = other.case
    case = case_transition(
        actor=worker, case=case, action="decline", expected_version=case.version, on=ON, note="材料不全"
    )
    other.refresh_from_db()
    assert other.state == "refused"


def test_the_applicant_withdrawing_the_case_declines_the_offer(register: dict[str, Any]) -> None:
    run_push()
    offer = Offer.objects.get(
        enterprise=register["agent"], project=register["agent_rd"], clause_id="xuhui.agent_rd"
    )
    offer = services.offer_confirm(
        actor=register["agent_owner"], offer=offer, contact="张总", declaration_accepted=True, today=ON
    )
    case_transition(
        actor=register["agent_owner"],
        case=offer.case,
        action="withdraw",
        expected_version=offer.case.version,
        on=ON,
    )
    offer.refresh_from_db()
    assert (offer.state, offer.reason) == ("declined", "企业撤回了申报")


def test_the_daily_pass_expires_then_runs_what_changed(register: dict[str, Any]) -> None:
    first = run_push()
    assert services.push_run_scheduled(on=ON).scope == "changed"
    PushRun.objects.filter(status="queued").delete()
    assert first.catalogue
    PushRun.objects.filter(pk=first.pk).update(catalogue=[0])  # as if the catalogue had changed since
    assert services.push_run_scheduled(on=ON).scope == "full"
    assert services.push_run_scheduled(on=ON) is None  # one is waiting already


def test_the_daily_pass_is_scheduled_once(django_capture_on_commit_callbacks: Any) -> None:
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from shouzhan.offers.tasks import push_daily

    call_command("offers_schedule")
    call_command("offers_schedule")
    waiting = DBTaskResult.objects.filter(task_path=push_daily.module_path, status="READY")
    assert waiting.count() == 1
    assert timezone.localtime(waiting.get().run_after).time() == dt.time(6, 0)


def test_loading_a_catalogue_of_several_documents_queues_one_run(
    db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.conf import settings

    from shouzhan.policies.services import catalogue_sync

    with django_capture_on_commit_callbacks(execute=True):
        report = catalogue_sync(actor="system:test", directory=settings.CATALOGUE_DIR)
    assert sorted(report.published) == ["hu8", "xuhui"]
    assert list(PushRun.objects.values_list("trigger", "status")) == [("publish", "queued")]
