"""A support case from application to the record: the title review's grant adds the title it recorded."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from shouzhan.cases import services as cases
from shouzhan.registry.models import TalentSupport, TalentTitle
from shouzhan.registry.talent.facts import person_facts
from shouzhan.registry.talent.services import talent_record_for
from shouzhan.talent.services import support_apply
from shouzhan.talent.workflow import HOUSING, TITLE_REVIEW

pytestmark = pytest.mark.django_db


def _to_in_progress(case, caseworker):
    case = cases.case_transition(actor=caseworker, case=case, action="accept", expected_version=case.version)
    return cases.case_transition(actor=caseworker, case=case, action="start", expected_version=case.version)


def test_title_review_grant_records_the_title(talent_person, caseworker):
    person, _enterprise, owner = talent_person
    case = support_apply(
        actor=owner,
        person=person,
        case_type=TITLE_REVIEW,
        data={"series": "art", "level": "2", "specialty": "数字媒体艺术", "achievements": "三部AI微短剧"},
    )
    assert case.enterprise_id is None  # her own application: her employer does not read it
    case = _to_in_progress(case, caseworker)
    with pytest.raises(ValidationError) as bad:
        cases.case_transition(
            actor=caseworker,
            case=case,
            action="complete",
            expected_version=case.version,
            answers={"granted_level": "2", "certificate_no": "证书 12", "granted_on": "2026-11-20"},
        )
    assert bad.value.message_dict["certificate_no"] == [
        "“职称证书编号”格式不对：应为4–40 位字母、数字或连字符。"
    ]
    case = cases.case_transition(
        actor=caseworker,
        case=case,
        action="complete",
        expected_version=case.version,
        answers={"granted_level": "2", "certificate_no": "SH-ART-2026-0088", "granted_on": "2026-11-20"},
    )
    title = TalentTitle.objects.get()
    assert (title.series, title.level, title.certificate_no, title.source_case_id) == (
        "art",
        2,
        "SH-ART-2026-0088",
        case.pk,
    )
    support = TalentSupport.objects.get()
    assert (support.kind, support.granted, support.reference) == (TITLE_REVIEW, True, "SH-ART-2026-0088")
    record = talent_record_for(actor=owner, person=person)
    import datetime as dt

    facts, _category = person_facts(record=record, on=dt.date(2026, 12, 1))
    assert facts["person"]["art_title_level"] == 2
    assert facts["enterprise"]["district"] == "徐汇"


def test_housing_refusal_recorded_with_its_reason(talent_person, caseworker):
    person, _enterprise, owner = talent_person
    case = support_apply(
        actor=owner,
        person=person,
        case_type=HOUSING,
        data={"kind": "rental_subsidy", "address": "徐汇区漕溪北路", "need": "租房"},
    )
    case = cases.case_transition(
        actor=caseworker, case=case, action="reject", expected_version=case.version, note="不在徐汇区工作"
    )
    support = TalentSupport.objects.get()
    assert (support.granted, support.summary) == (False, "不在徐汇区工作")
