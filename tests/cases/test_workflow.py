"""The contract: case types as data, submission, transitions, clock, conflicts, signal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from shouzhan.cases import workflow as wf
from shouzhan.cases.events import CaseTransitioned
from shouzhan.cases.models import Case
from shouzhan.cases.selectors import case_clock, case_for, case_get
from shouzhan.cases.services import CaseConflict, case_submit, case_transition
from shouzhan.core.models import AuditEntry
from tests.cases.conftest import FILING

pytestmark = pytest.mark.django_db


def test_shipped_case_types() -> None:
    keys = {ct.key for ct in wf.case_types()}
    assert {
        "policy_application",
        "planning_filing",
        "finished_film_filing",
        "service.registration_tax",
        "service.ip_design",
        "service.financing",
        "service.overseas",
        "service.consultation",
        "service.filming_location",
        "ticket",
        "service.introduction",
    } <= keys
    filming = wf.case_type_get("service.filming_location")
    assert {s.key for s in filming.states if s.final} == {"approved", "rejected", "withdrawn"}
    assert wf.case_type_get("service.consultation").state("more_info").stops_clock


def test_register_case_type_is_data(case_type_registry: Any) -> None:
    states, _transitions = wf.service_flow()
    ct = wf.register_case_type(wf.service_type("test.demo", "测试", 3))
    assert wf.case_type_get("test.demo") is ct
    with pytest.raises(ValueError):
        wf.register_case_type(
            wf.CaseType(
                "bad",
                "坏",
                states=states,
                transitions=(wf.Transition("x", "x", ("nowhere",), "accepted", frozenset({"caseworker"})),),
            )
        )


def test_planning_filing_due_in_two_working_days(studio: Any) -> None:
    enterprise, owner = studio
    case = case_submit(
        actor=owner,
        case_type="planning_filing",
        enterprise=enterprise,
        title="《弄堂里的光》规划备案",
        data=FILING,
        submitted_on=dt.date(2026, 9, 30),
    )
    assert case.due_on == dt.date(2026, 10, 9)
    assert case.due_provisional is False
    assert case.state == "submitted" and case.version == 1


def test_finished_film_filing_due_in_five_working_days_with_working_saturday(studio: Any) -> None:
    enterprise, owner = studio
    case = case_submit(
        actor=owner,
        case_type="finished_film_filing",
        enterprise=enterprise,
        title="完成片备案",
        data=FILING,
        submitted_on=dt.date(2026, 9, 29),
    )
    assert case.due_on == dt.date(2026, 10, 12)


def test_deadline_into_unknown_year_is_provisional(studio: Any) -> None:
    enterprise, owner = studio
    case = case_submit(
        actor=owner,
        case_type="service.consultation",
        enterprise=enterprise,
        title="年末咨询",
        data={"need": "政策咨询"},
        submitted_on=dt.date(2026, 12, 30),
    )
    assert case.due_on == dt.date(2027, 1, 5)  # New Year's Day 2027 off, from the holidays package (#13)
    assert case.due_provisional is True


def test_filing_fields_are_checked(studio: Any) -> None:
    enterprise, owner = studio
    with pytest.raises(ValidationError) as exc:
        case_submit(
            actor=owner,
            case_type="planning_filing",
            enterprise=enterprise,
            title="备案",
            data={**FILING, "episodes": "很多", "ai_share": 140, "synopsis": ""},
        )
    errors = exc.value.message_dict
    assert errors["episodes"] == ["“集数”：请填写1到1000之间的整数。"]
    assert errors["ai_share"] == ["“AI生成内容占比（%）”：请填写0到100之间的整数。"]
    assert errors["synopsis"] == ["请填写“剧情梗概”。"]
    assert Case.objects.count() == 0


def test_stopped_clock_moves_due_date_by_the_days_waited(studio: Any, caseworker: Any) -> None:
    enterprise, owner = studio
    case = case_submit(
        actor=owner,
        case_type="service.registration_tax",
        enterprise=enterprise,
        title="注册代办",
        data={"need": "注册一人公司"},
        submitted_on=dt.date(2026, 3, 2),  # Monday
    )
    assert case.due_on == dt.date(2026, 3, 9)
    case_transition(actor=caseworker, case=case, action="accept", expected_version=1, on=dt.date(2026, 3, 3))
    case_transition(
        actor=caseworker,
        case=case,
        action="request_info",
        expected_version=2,
        note="请补充身份证明",
        on=dt.date(2026, 3, 3),
    )
    assert case_clock(case, today=dt.date(2026, 3, 5)).status == "stopped"
    case_transition(actor=owner, case=case, action="resubmit", expected_version=3, on=dt.date(2026, 3, 6))
    case.refresh_from_db()
    assert case.state == "in_progress"
    assert case.due_on == dt.date(2026, 3, 12)  # three working days later (Wed, Thu, Fri waited)
    case_transition(
        actor=caseworker, case=case, action="complete", expected_version=4, on=dt.date(2026, 3, 12)
    )
    case.refresh_from_db()
    assert (case.state, case.closed_on, case.closed_on_time) == ("completed", dt.date(2026, 3, 12), True)


def test_stale_version_is_refused_and_nothing_changes(studio: Any, caseworker: Any, caseworker2: Any) -> None:
    enterprise, owner = studio
    case = case_submit(
        actor=owner, case_type="service.financing", enterprise=enterprise, title="融资", data={"need": "贷款"}
    )
    first = Case.objects.get(pk=case.pk)
    second = Case.objects.get(pk=case.pk)
    case_transition(actor=caseworker, case=first, action="accept", expected_version=1)
    with pytest.raises(CaseConflict) as exc:
        case_transition(actor=caseworker2, case=second, action="reject", expected_version=1, note="不办")
    assert exc.value.messages == ["该办件已被他人处理，请刷新后重试"]
    case.refresh_from_db()
    assert (case.state, case.version, case.assignee_id) == ("accepted", 2, caseworker.pk)


def test_transition_not_allowed_from_state_or_for_role(studio: Any, caseworker: Any) -> None:
    enterprise, owner = studio
    case = case_submit(
        actor=owner,
        case_type="service.overseas",
        enterprise=enterprise,
        title="出海",
        data={"need": "海外发行"},
    )
    with pytest.raises(ValidationError) as exc:
        case_transition(actor=caseworker, case=case, action="complete", expected_version=1)
    assert exc.value.messages == ["办件当前状态为“待受理”，不能进行“办结”。"]
    with pytest.raises(PermissionDenied) as denied:
        case_transition(actor=owner, case=case, action="accept", expected_version=1)
    assert "只有" in str(denied.value) and "受理" in str(denied.value)
    with pytest.raises(ValidationError):
        case_transition(actor=caseworker, case=case, action="fly", expected_version=1)


def test_other_enterprise_sees_nothing(studio: Any, make_enterprise: Any) -> None:
    enterprise, owner = studio
    _other, stranger = make_enterprise(name="别家公司")
    case = case_submit(
        actor=owner, case_type="service.ip_design", enterprise=enterprise, title="IP", data={"need": "形象"}
    )
    with pytest.raises(Http404):
        case_get(actor=stranger, pk=case.pk)
    with pytest.raises(Http404):
        case_transition(actor=stranger, case=case, action="withdraw", expected_version=1)
    with pytest.raises(Http404):
        case_submit(
            actor=stranger,
            case_type="service.ip_design",
            enterprise=enterprise,
            title="冒名",
            data={"need": "x"},
        )


def test_effect_runs_inside_transaction_and_its_error_rolls_back(
    studio: Any, caseworker: Any, effect_handlers: dict[str, Any]
) -> None:
    enterprise, owner = studio
    case = case_submit(
        actor=owner,
        case_type="service.filming_location",
        enterprise=enterprise,
        title="协拍",
        data={"location": "武康路", "shoot_date": "2026-05-06"},
        related=enterprise,
    )
    assert case_for(related=enterprise) == case
    seen: list[tuple[str, str, str]] = []

    def refuse(event: CaseTransitioned) -> None:
        seen.append((event.action, event.from_state, event.to_state))
        raise ValidationError("场地已被占用")

    effect_handlers[wf.BOOKING_REFUSE.key] = (wf.BOOKING_REFUSE, refuse)
    case_transition(actor="system:spaces", case=case, action="accept", expected_version=1)
    with pytest.raises(ValidationError):
        case_transition(actor=caseworker, case=case, action="reject", expected_version=2, note="无场地")
    case.refresh_from_db()
    assert seen == [("reject", "accepted", "rejected")]  # accepting has no effect elsewhere
    assert (case.state, case.version) == ("accepted", 2)
    assert list(
        AuditEntry.objects.filter(target_id=str(case.pk)).values_list("action", flat=True).order_by("id")
    ) == [
        "cases.case_submit",
        "cases.case_accept",
    ]
