"""The support case types as data: each one's working-day limit over a holiday, what a grant asks for, who
follows a case an enterprise opened for its member, and where the outcome goes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from shouzhan.cases import services as cases
from shouzhan.cases import workflow as wf
from shouzhan.cases.permissions import can_read_case, relations
from shouzhan.registry.models import Person, SkillCertificate, TalentSupport
from shouzhan.registry.talent.services import talent_record_for
from shouzhan.talent import workflow as w
from shouzhan.talent.services import support_apply

pytestmark = pytest.mark.django_db

# 2026's National Day holiday runs 1–7 October; Saturday 10 October is worked instead (调休).
BEFORE_HOLIDAY = dt.date(2026, 9, 30)
DATA = {
    w.SETTLING: {"route": "introduction", "need": "引进落户"},
    w.HOUSING: {"kind": "rental_subsidy", "address": "徐汇区漕溪北路", "need": "租房"},
    w.SCHOOLING: {"stage": "primary", "need": "一年级入学"},
    w.TITLE_REVIEW: {
        "series": "engineering",
        "level": "2",
        "specialty": "广播电视工程",
        "achievements": "平台研发",
    },
    w.SKILL_CERTIFICATION: {"item": "ai_av_creation", "need": "参加认定"},
}


@pytest.mark.parametrize(
    ("key", "data", "limit", "due"),
    [
        (w.SETTLING, DATA[w.SETTLING], 15, dt.date(2026, 10, 27)),
        (w.HOUSING, DATA[w.HOUSING], 10, dt.date(2026, 10, 20)),
        (w.HOUSING, {**DATA[w.HOUSING], "kind": "apartment"}, 15, dt.date(2026, 10, 27)),
        (w.SCHOOLING, DATA[w.SCHOOLING], 10, dt.date(2026, 10, 20)),
        (w.TITLE_REVIEW, DATA[w.TITLE_REVIEW], 20, dt.date(2026, 11, 3)),
        (w.SKILL_CERTIFICATION, DATA[w.SKILL_CERTIFICATION], 20, dt.date(2026, 11, 3)),
    ],
)
def test_each_limit_counts_working_days_over_national_day(
    talent_person: Any, key: str, data: dict[str, str], limit: int, due: dt.date
) -> None:
    """Submitted on 30 September: 10 working days are 8, 9, 10 (the worked Saturday), 12–16 and 19–20 October."""
    person, _enterprise, owner = talent_person
    record = talent_record_for(actor=owner, person=person)
    assert wf.case_type_get(key).limit_for(data) == limit
    case = cases.case_submit(
        actor=owner,
        case_type=key,
        enterprise=None,
        title="x",
        data=data,
        related=record,
        submitted_on=BEFORE_HOLIDAY,
    )
    assert (case.due_on, case.due_provisional) == (due, False)


def test_the_five_types_are_the_centres_service_flow_opened_for_a_person() -> None:
    for ct in w.CASE_TYPES:
        assert (ct.group, ct.listed, ct.initial) == ("person", False, "submitted")
        complete = ct.transition("complete")
        assert complete.effects == (w.SUPPORT_OUTCOME,) and ct.transition("reject").effects == (
            w.SUPPORT_OUTCOME,
        )
        assert ct.transition("withdraw").effects == ()
        assert complete.asks, ct.key  # every grant records its particulars
    asked = {ct.key: [f.name for f in ct.transition("complete").asks] for ct in w.CASE_TYPES}
    assert asked == {
        w.SETTLING: ["letter_no"],
        w.HOUSING: ["granted"],
        w.SCHOOLING: ["arranged"],
        w.TITLE_REVIEW: ["granted_level", "certificate_no", "granted_on"],
        w.SKILL_CERTIFICATION: ["certificate_no", "issued_on"],
    }


def _in_progress(case: Any, caseworker: Any) -> Any:
    case = cases.case_transition(actor=caseworker, case=case, action="accept", expected_version=case.version)
    return cases.case_transition(actor=caseworker, case=case, action="start", expected_version=case.version)


def test_skill_certification_grant_checks_the_number_and_records_the_certificate(
    talent_person: Any, caseworker: Any
) -> None:
    person, _enterprise, owner = talent_person
    case = _in_progress(
        support_apply(
            actor=owner, person=person, case_type=w.SKILL_CERTIFICATION, data=DATA[w.SKILL_CERTIFICATION]
        ),
        caseworker,
    )
    with pytest.raises(ValidationError) as missing:
        cases.case_transition(actor=caseworker, case=case, action="complete", expected_version=case.version)
    assert missing.value.message_dict == {
        "certificate_no": ["请填写“证书编号”。"],
        "issued_on": ["请填写“发证日期”。"],
    }
    with pytest.raises(ValidationError) as wrong:
        cases.case_transition(
            actor=caseworker,
            case=case,
            action="complete",
            expected_version=case.version,
            answers={"certificate_no": "Y31000020260001234567", "issued_on": "2026-11-30"},  # 20 digits
        )
    assert wrong.value.message_dict == {"certificate_no": ["“证书编号”格式不对：应为S 或 Y 加 21 位数字。"]}
    with pytest.raises(ValidationError) as future:
        cases.case_transition(
            actor=caseworker,
            case=case,
            action="complete",
            expected_version=case.version,
            answers={"certificate_no": "Y310000202600012345678", "issued_on": "2099-01-01"},
        )
    assert list(future.value.message_dict) == ["issued_on"]
    case.refresh_from_db()
    assert case.state == "in_progress" and not SkillCertificate.objects.exists()  # nothing half-done
    case = cases.case_transition(
        actor=caseworker,
        case=case,
        action="complete",
        expected_version=case.version,
        answers={"certificate_no": "Y310000202600012345678", "issued_on": "2026-11-30"},
    )
    certificate = SkillCertificate.objects.get()
    assert (certificate.kind, certificate.name, certificate.number, certificate.source_case_id) == (
        "ai_av",
        "AI视听内容创作",
        "Y310000202600012345678",
        case.pk,
    )
    assert case.state == "certified" and case.data["certificate_no"] == "Y310000202600012345678"
    assert TalentSupport.objects.get().reference == "Y310000202600012345678"


def test_an_applicant_cannot_write_what_a_step_records(talent_person: Any, caseworker: Any) -> None:
    person, _enterprise, owner = talent_person
    case = support_apply(actor=owner, person=person, case_type=w.SETTLING, data=DATA[w.SETTLING])
    case = cases.case_transition(actor=caseworker, case=case, action="accept", expected_version=case.version)
    case = cases.case_transition(
        actor=caseworker, case=case, action="request_info", expected_version=case.version, note="补充社保记录"
    )
    with pytest.raises(ValidationError) as refused:
        cases.case_resubmit(
            actor=owner,
            case=case,
            expected_version=case.version,
            data={**DATA[w.SETTLING], "letter_no": "TJ-1"},
        )
    assert refused.value.message_dict == {"letter_no": ["这一项在办理时记录，不能在申请内容中修改。"]}


def test_an_enterprise_applies_for_its_member_who_follows_the_case(
    talent_person: Any, make_user: Any, caseworker: Any, login_client: Any
) -> None:
    _person, enterprise, owner = talent_person
    member = make_user(name="王工")
    member_person = Person.objects.create(enterprise=enterprise, user=member, name="王工")
    case = support_apply(actor=owner, person=member_person, case_type=w.HOUSING, data=DATA[w.HOUSING])
    assert case.enterprise_id == enterprise.pk and case.applicant_id == owner.pk
    assert relations(member, case) == {wf.APPLICANT} and can_read_case(member, case)
    # Not a member of the enterprise's organisation, yet she finds it in her cases and on its page.
    client = login_client(member)
    assert case.title in client.get(reverse("cases:mine")).content.decode()
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    case = cases.case_transition(actor=member, case=case, action="withdraw", expected_version=case.version)
    assert case.state == "withdrawn" and not TalentSupport.objects.exists()  # a withdrawal leaves no outcome


def test_staff_queue_shows_the_new_types(talent_person: Any, caseworker: Any, login_client: Any) -> None:
    person, _enterprise, owner = talent_person
    support_apply(actor=owner, person=person, case_type=w.HOUSING, data=DATA[w.HOUSING])
    page = login_client(caseworker).get(reverse("cases:queue")).content.decode()
    assert "人才租房补贴 / 人才公寓 · " in page and "人才租房补贴 / 人才公寓" in page


def test_the_person_sets_their_birth_year_on_the_record_and_the_age_follows(talent_person: Any) -> None:
    from shouzhan.registry.talent.facts import person_own_facts
    from shouzhan.registry.talent.services import talent_record_update

    person, _enterprise, owner = talent_person
    record = talent_record_for(actor=owner, person=person)
    record = talent_record_update(actor=owner, record=record, data={"birth_year": "1999"})
    person.refresh_from_db()
    assert person.birth_year == 1999
    assert person_own_facts(record, on=dt.date(2026, 12, 1))["age"] == 27
    with pytest.raises(ValidationError) as bad:
        talent_record_update(actor=owner, record=record, data={"birth_year": "1850"})
    assert list(bad.value.message_dict) == ["birth_year"]
