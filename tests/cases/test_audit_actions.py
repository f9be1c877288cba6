"""Each public service of the cases module writes exactly its declared audit entries, in order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from shouzhan.cases import audit_actions, services
from shouzhan.cases import workflow as wf
from shouzhan.cases.models import Case
from shouzhan.core import audit
from shouzhan.core.models import AuditEntry
from tests.cases import samples

pytestmark = pytest.mark.django_db


def _consult(studio: Any, **kw: Any) -> Case:
    enterprise, owner = studio
    return services.case_submit(
        actor=owner,
        case_type="service.consultation",
        enterprise=enterprise,
        title="咨询",
        data={"need": "x"},
        **kw,
    )


def _accepted(studio: Any, caseworker: Any) -> Case:
    return services.case_transition(
        actor=caseworker, case=_consult(studio), action="accept", expected_version=1
    )


def _more_info(studio: Any, caseworker: Any) -> Case:
    case = _accepted(studio, caseworker)
    services.case_transition(actor=caseworker, case=case, action="start", expected_version=2)
    return services.case_transition(
        actor=caseworker, case=case, action="request_info", expected_version=3, note="请补充"
    )


# Each scenario prepares what its service needs (entries written then do not count) and returns the call.
Prepare = Callable[[Any, Any, Any], Callable[[], Any]]  # (studio, caseworker, caseworker2) → the call
SCENARIOS: dict[str, tuple[Prepare, list[str]]] = {}


def scenario(name: str, *expected: str) -> Callable[[Prepare], Prepare]:
    def register(prepare: Prepare) -> Prepare:
        SCENARIOS[name] = (prepare, list(expected))
        return prepare

    return register


@scenario("case_submit", "cases.case_submit")
def _submit(studio: Any, cw: Any, cw2: Any) -> Callable[[], Any]:
    return lambda: _consult(studio)


@scenario("case_transition", "cases.case_accept")
def _transition(studio: Any, cw: Any, cw2: Any) -> Callable[[], Any]:
    case = _consult(studio)
    return lambda: services.case_transition(actor=cw, case=case, action="accept", expected_version=1)


@scenario("case_assign", "cases.case_assign")
def _assign(studio: Any, cw: Any, cw2: Any) -> Callable[[], Any]:
    case = _consult(studio)
    return lambda: services.case_assign(actor=cw, case=case, assignee=cw2, expected_version=1)


@scenario("document_upload", "cases.document_upload")
def _upload(studio: Any, cw: Any, cw2: Any) -> Callable[[], Any]:
    case = _consult(studio)
    return lambda: services.document_upload(
        actor=studio[1], case=case, name="材料", filename="a.pdf", content=samples.pdf()
    )


@scenario("case_resubmit", "cases.document_upload", "cases.case_resubmit")
def _resubmit(studio: Any, cw: Any, cw2: Any) -> Callable[[], Any]:
    case = _more_info(studio, cw)
    return lambda: services.case_resubmit(
        actor=studio[1],
        case=case,
        expected_version=4,
        data={"need": "补充后的需求"},
        documents=[("补正材料", "b.pdf", samples.pdf("b"))],
    )


@scenario("ticket_open", "cases.case_submit", "cases.case_assign")
def _ticket(studio: Any, cw: Any, cw2: Any) -> Callable[[], Any]:
    return lambda: services.ticket_open(
        actor=cw, enterprise=studio[0], data={"need": "路灯坏了"}, assignee=cw2
    )


@scenario("case_deadlines_notify", "cases.overdue_alert")
def _deadlines(studio: Any, cw: Any, cw2: Any) -> Callable[[], Any]:
    _consult(studio, submitted_on=dt.date.today() - dt.timedelta(days=40))
    return lambda: services.case_deadlines_notify()


@scenario("notification_mark_read")  # writes no audit entry: reading one's messages changes no record
def _mark_read(studio: Any, cw: Any, cw2: Any) -> Callable[[], Any]:
    _consult(studio)
    return lambda: services.notification_mark_read(actor=studio[1])


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_service_writes_its_declared_entries(
    name: str, studio: Any, caseworker: Any, caseworker2: Any
) -> None:
    scenario, expected = SCENARIOS[name]
    call = scenario(studio, caseworker, caseworker2)
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    call()
    written = list(AuditEntry.objects.filter(id__gt=last).order_by("id").values_list("action", flat=True))
    assert written == expected
    assert all(audit.audit_action_get(code) is not None for code in written)


def test_every_public_service_has_a_scenario() -> None:
    writes = {
        name
        for name in services.__all__
        if name.startswith(("case_", "document_", "ticket_", "notification_"))
        and callable(getattr(services, name))
    }
    writes -= {"case_conflict", "document_check"}  # a refusal built, a file judged: nothing written
    assert writes == set(SCENARIOS)


def test_every_transition_action_has_its_own_declared_code() -> None:
    actions = {t.action for ct in wf.case_types() for t in ct.transitions}
    assert actions <= set(audit_actions.TRANSITIONS)
    for action in actions:
        declared = audit.audit_action_get(audit_actions.transition_action(action))
        assert declared is not None and str(declared.label)
    assert audit_actions.transition_action("something_new") == audit_actions.TRANSITION_OTHER


def test_the_reminder_before_a_deadline_is_declared_too(studio: Any, caseworker: Any) -> None:
    enterprise, owner = studio
    case = services.case_submit(
        actor=owner,
        case_type="planning_filing",
        enterprise=enterprise,
        title="备案",
        data={
            "work_title": "弄堂里的光",
            "episodes": 60,
            "episode_minutes": 2,
            "synopsis": "故事。",
            "producer": "光影工作室",
            "ai_share": 40,
        },
        submitted_on=dt.date(2026, 9, 30),
    )
    services.case_transition(
        actor=caseworker, case=case, action="accept", expected_version=1, on=dt.date(2026, 9, 30)
    )
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    assert services.case_deadlines_notify(today=dt.date(2026, 10, 9)) == {"reminded": 1, "alerted": 0}
    assert list(AuditEntry.objects.filter(id__gt=last).values_list("action", flat=True)) == [
        "cases.deadline_remind"
    ]
