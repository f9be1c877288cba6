"""The talent part of the demo district (talent/demo.py) on a fresh database after the registry's district:
the exact records and their categories, the shares, the support cases in their states with the granted one's
outcome on the record, the course with its attendance — all through the services (audited) — and loaded once."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from shouzhan.cases.models import Case
from shouzhan.core.models import AuditEntry
from shouzhan.registry.models import Project
from shouzhan.registry.talent.facts import person_facts
from shouzhan.registry.talent.models import (
    Attendance,
    SkillCertificate,
    TalentRecord,
    TalentShare,
    TalentSupport,
    TalentTitle,
    Trainee,
    TrainingCourse,
    TrainingSession,
)
from shouzhan.registry.talent.training import course_counts
from shouzhan.site.demo_data import DEMO_PASSWORD as PASSWORD
from shouzhan.site.demo_data import load_demo
from shouzhan.talent.demo import COURSE, talent_demo

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 15)  # a Friday


def test_the_talent_demo() -> None:
    load_demo()
    lines = talent_demo(today=TODAY, password=PASSWORD)
    company = TrainingCourse.objects.get().organiser.name
    assert lines == [
        "人才服务：3 份人才档案（复合型人才（AI视听） 1、领军人才 1、青年人才 1），授权企业查看 2 项，"
        "人才服务办件 3 件（已核准、办理中、待补正（停表））",
        f"人才服务：{company}的培训课程《{COURSE}》8 次课、30 名学员，出勤达到八成 24 人",
        "人才服务：演示账号 13800000051 周雨桐（青年人才）、13800000052 顾承志（领军人才），密码同上",
    ]
    records = {r.person.name.split("（")[0]: r for r in TalentRecord.objects.select_related("person")}
    assert sorted(records) == ["周雨桐", "林晓", "顾承志"]
    categories = {name: person_facts(record=r, on=TODAY)[1].key for name, r in records.items()}
    assert categories == {"林晓": "composite", "周雨桐": "youth", "顾承志": "leading"}
    assert records["林晓"].person.user.mobile == "13800000001"  # her own Person, as the pages make it
    assert sorted(TalentShare.objects.values_list("record__person__name", "level")) == [
        ("周雨桐", "profile"),
        ("顾承志", "full"),
    ]
    assert TalentTitle.objects.count() == 2 and SkillCertificate.objects.count() == 2
    certificate = SkillCertificate.objects.get(kind="ai_av")
    assert (certificate.record.person.name.startswith("林晓"), len(certificate.number)) == (True, 22)

    cases = {c.case_type: c for c in Case.objects.all()}
    assert {k: c.state for k, c in cases.items()} == {
        "talent.housing": "granted",
        "talent.title_review": "in_progress",
        "talent.schooling": "more_info",
    }
    assert cases["talent.schooling"].enterprise_id is not None  # the employer applied for its member
    assert cases["talent.housing"].enterprise_id is None  # she applied for herself
    support = TalentSupport.objects.get()
    assert (support.record.person.name, support.granted, support.summary) == (
        "周雨桐",
        True,
        "租房补贴每月 2,000 元，共 12 个月",
    )
    assert support.decided_on < TODAY

    course = TrainingCourse.objects.get(title=COURSE)
    sessions = list(TrainingSession.objects.filter(course=course).order_by("held_on"))
    assert len(sessions) == 8 and sessions[-1].held_on < TODAY
    assert Trainee.objects.filter(course=course).count() == 30
    assert Attendance.objects.filter(session__course=course).count() == 240
    count = course_counts([course.pk])[course.pk]
    assert (count.taken, count.enrolled, count.counted) == (8, 30, 24)
    assert Project.objects.get(pk=course.project_id).trainees == 24  # what hu8.training_course reads
    facts, _category = person_facts(record=records["林晓"], on=TODAY)
    assert (facts["person"]["courses_completed"], facts["person"]["training_hours"]) == (1, 21)

    actions = Counter(
        AuditEntry.objects.filter(action__startswith="registry.t").values_list("action", flat=True)
    )
    assert actions["registry.talent_share_set"] == 2
    assert actions["registry.training_attendance_record"] == 8
    assert actions["registry.training_trainee_enrol"] == 30

    assert talent_demo(today=TODAY, password=PASSWORD) == ["人才服务：已加载，跳过"]
    assert (TalentRecord.objects.count(), Case.objects.count(), Trainee.objects.count()) == (3, 3, 30)


def test_without_the_accounts_it_skips() -> None:
    assert talent_demo(today=TODAY, password=PASSWORD) == ["人才服务：未找到演示账号，已跳过"]


def test_without_the_past_the_same_records_are_made_now() -> None:
    load_demo()
    lines = talent_demo(today=TODAY, password=PASSWORD, history=False)
    assert lines[0].endswith("人才服务办件 3 件（已核准、办理中、待补正（停表））")
    assert "8 次课、30 名学员" in lines[1]
