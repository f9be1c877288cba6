"""The training course pages: the organiser's members run their courses, the staff read every course (the
caseworkers may run them), another enterprise's member gets 404; the attendance export; query counts."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from shouzhan.accounts.models import User
from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role
from shouzhan.registry.models import Enterprise, Project
from shouzhan.registry.talent.course_services import (
    training_attendance_record,
    training_course_create,
    training_session_add,
    training_trainee_enrol,
)
from shouzhan.registry.talent.models import Attendance, Trainee, TrainingCourse, TrainingSession

Login = Callable[[User], Client]


def text(response: Any) -> str:
    """The page's main content as words (tags out, whitespace squeezed)."""
    page = response.content.decode()
    main = page[page.index("<main") : page.index("</main>")] if "<main" in page else page
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


@pytest.fixture
def school(make_enterprise: Callable[..., tuple[Enterprise, User]]) -> tuple[Enterprise, User]:
    return make_enterprise(name="光启视听学院", district="徐汇", sector="micro_drama")


FIRST = dt.date(2026, 3, 2)
SECOND = dt.date(2026, 3, 9)


@pytest.fixture
def course(catalogue: Any, school: tuple[Enterprise, User]) -> TrainingCourse:
    """Two sessions held (the first taken), one planned next year; two trainees, 王一 attended the first."""
    enterprise, owner = school
    course = training_course_create(
        actor=owner, organiser=enterprise, data={"title": "AI 视听创制实训营", "field": "ai_audiovisual"}
    )
    one = training_session_add(actor=owner, course=course, data={"held_on": FIRST, "topic": "提示词"})
    training_session_add(actor=owner, course=course, data={"held_on": SECOND, "topic": "分镜"})
    future = dt.date(timezone.localdate().year + 1, 12, 10)
    training_session_add(actor=owner, course=course, data={"held_on": future, "topic": "结业展映"})
    wang = training_trainee_enrol(actor=owner, course=course, name="王一", mobile="13700000001")
    li = training_trainee_enrol(actor=owner, course=course, name="李二", mobile="13700000002")
    training_attendance_record(actor=owner, session=one, marks={wang.pk: True, li.pk: False})
    return course


def sessions(course: TrainingCourse) -> list[TrainingSession]:
    return list(TrainingSession.objects.filter(course=course).order_by("held_on"))


def trainees(course: TrainingCourse) -> dict[str, Trainee]:
    return {t.person.name: t for t in Trainee.objects.filter(course=course).select_related("person")}


# ----------------------------------------------------------------------------- who sees what
def test_the_organisers_member_sees_their_courses_with_the_clause(
    course: TrainingCourse, school: tuple[Enterprise, User], login_client: Login
) -> None:
    client = login_client(school[1])
    page = text(client.get("/talent/courses/"))
    assert "AI 视听创制实训营" in page
    assert "不符合" in page and "每个课程不超过 200,000.00 元" in page
    detail = client.get(f"/talent/courses/{course.pk}/")
    assert detail.status_code == 200
    words = text(detail)
    assert (
        "学员出勤达到已记录考勤课次的五分之四（80%，含）才计入参训人数：目前已记录 1 次课，计入 1 人。"
        in words
    )
    assert "沪8条 · 培训课程奖励： 不符合 每个课程不超过 200,000.00 元" in words
    assert (
        "李二 缺勤 0 / 1 未计入 移除 王一 1 / 1 计入 保存 2026-03-02 的考勤 保存 2026-03-09 的考勤 删除课次"
        in words
    )


def test_the_staff_see_every_course_and_only_caseworkers_run_them(
    course: TrainingCourse,
    make_enterprise: Callable[..., tuple[Enterprise, User]],
    make_user: Callable[..., User],
    login_client: Login,
) -> None:
    other, owner = make_enterprise(name="虹口影视培训中心", district="虹口")
    training_course_create(actor=owner, organiser=other, data={"title": "短剧编剧课"})
    leader = login_client(make_user(Role.LEADER))
    page = text(leader.get("/talent/courses/"))
    assert (
        "AI 视听创制实训营 AI 视听创制 光启视听学院 1 2 1 不符合" in page
        and "短剧编剧课 虹口影视培训中心 0 0 0 不符合" in page
    )
    assert leader.get(f"/talent/courses/{course.pk}/").status_code == 200
    first = sessions(course)[0]
    refused = leader.post(f"/talent/courses/{course.pk}/sessions/{first.pk}/attendance/", {"present": []})
    assert refused.status_code == 403
    caseworker = login_client(make_user(Role.CASEWORKER))
    wang, li = trainees(course)["王一"], trainees(course)["李二"]
    done = caseworker.post(
        f"/talent/courses/{course.pk}/sessions/{first.pk}/attendance/", {"present": [wang.pk, li.pk]}
    )
    assert done.status_code == 302
    course.refresh_from_db()
    assert course.project is not None and course.project.trainees == 2


def test_another_enterprises_member_gets_404(
    course: TrainingCourse, make_enterprise: Callable[..., tuple[Enterprise, User]], login_client: Login
) -> None:
    _other, stranger = make_enterprise(name="别家公司")
    client = login_client(stranger)
    assert "AI 视听创制实训营" not in text(client.get("/talent/courses/"))
    first = sessions(course)[0]
    for response in (
        client.get(f"/talent/courses/{course.pk}/"),
        client.get(f"/talent/courses/{course.pk}/attendance.xlsx"),
        client.get(f"/talent/courses/{course.pk}/edit/"),
        client.post(f"/talent/courses/{course.pk}/sessions/{first.pk}/attendance/", {"present": []}),
        client.post(f"/talent/courses/{course.pk}/trainees/", {"name": "x", "mobile": "13700000009"}),
    ):
        assert response.status_code == 404
    assert Attendance.objects.filter(session=first).count() == 2


# ----------------------------------------------------------------------------- running a course
def test_a_course_is_made_with_its_project(school: tuple[Enterprise, User], login_client: Login) -> None:
    enterprise, owner = school
    client = login_client(owner)
    assert client.get("/talent/courses/new/").status_code == 200
    bad = client.post("/talent/courses/new/", {"organiser": enterprise.pk, "title": ""})
    assert bad.status_code == 400
    response = client.post(
        "/talent/courses/new/",
        {"organiser": enterprise.pk, "title": "AIGC 剪辑课", "field": "", "description": ""},
    )
    course = TrainingCourse.objects.get(title="AIGC 剪辑课")
    assert response["Location"] == f"/talent/courses/{course.pk}/"
    assert course.project is not None
    assert (course.project.kind, course.project.title, course.project.trainees) == (
        "course",
        "AIGC 剪辑课",
        0,
    )


def test_sessions_trainees_and_attendance_through_the_page(
    course: TrainingCourse, school: tuple[Enterprise, User], login_client: Login
) -> None:
    client = login_client(school[1])
    url = f"/talent/courses/{course.pk}/"
    bad = client.post(url + "trainees/", {"name": "赵三", "mobile": "12345"})
    assert bad.status_code == 400
    assert '<span class="field-error" role="alert">请输入有效的 11 位手机号码（如 13800138000）。</span>' in (
        bad.content.decode()
    )
    repeat = client.post(url + "trainees/", {"name": "王一", "mobile": "137 0000 0001"})
    assert repeat.status_code == 400
    assert "手机号 13700000001 的学员已报名本课程，无需重复报名。" in text(repeat)
    assert client.post(url + "trainees/", {"name": "赵三", "mobile": "13700000003"}).status_code == 302
    assert (
        client.post(url + "sessions/", {"held_on": "2026-03-16", "topic": "剪辑", "hours": "2"}).status_code
        == 302
    )
    first, second, third, planned = sessions(course)
    assert (third.topic, planned.topic) == ("剪辑", "结业展映")
    names = trainees(course)
    taken = client.post(
        url + f"sessions/{second.pk}/attendance/", {"present": [names["王一"].pk, names["赵三"].pk]}
    )
    assert taken.status_code == 302
    refused = client.post(url + f"sessions/{planned.pk}/attendance/", {"present": [names["王一"].pk]})
    assert refused.status_code == 400
    assert f"课次日期 {planned.held_on.isoformat()} 还未到，不能记为出勤。" in text(refused)
    assert not Attendance.objects.filter(session=planned).exists()
    removal = client.post(url + f"sessions/{first.pk}/remove/")
    assert removal.status_code == 400 and "该课次已记录考勤，不能删除。" in text(removal)
    assert client.post(url + f"sessions/{third.pk}/remove/").status_code == 302
    assert client.post(url + f"trainees/{names['李二'].pk}/remove/").status_code == 302
    course.refresh_from_db()
    assert course.project is not None and course.project.trainees == 1  # 王一 2/2; 赵三 1/2


def test_the_registry_form_shows_the_counted_trainees_read_only(
    course: TrainingCourse, school: tuple[Enterprise, User], login_client: Login
) -> None:
    enterprise, owner = school
    client = login_client(owner)
    assert course.project is not None
    url = f"/e/{enterprise.pk}/projects/{course.project.pk}/edit/"
    page = client.get(url).content.decode()
    field = re.search(r'<input[^>]*name="trainees"[^>]*>', page)
    assert field is not None and "disabled" in field.group(0)
    assert "参训人数按课程考勤自动计算，不能手工填写。" in page
    client.post(url, {"kind": "course", "title": "AI 视听创制实训营", "trainees": "300"})
    assert Project.objects.get(pk=course.project.pk).trainees == 1  # the counted number stays


# ----------------------------------------------------------------------------- the export
def test_the_attendance_export_opens_with_the_exact_rows(
    course: TrainingCourse, school: tuple[Enterprise, User], login_client: Login
) -> None:
    response = login_client(school[1]).get(f"/talent/courses/{course.pk}/attendance.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = [list(r) for r in book.active.iter_rows(values_only=True)]
    today = timezone.localdate()
    future = dt.date(today.year + 1, 12, 10).isoformat()
    assert rows[0][0] == (
        f"AI 视听创制实训营 · 截至 {today.isoformat()}：已记录考勤 1 次课，报名 2 人，"
        "出勤不低于 80% 计入参训人数 1 人"
    )
    assert rows[1] == [
        "姓名",
        "手机号",
        "报名日期",
        "2026-03-02 提示词",
        "2026-03-09 分镜",
        f"{future} 结业展映",
        "出勤次数",
        "计入参训人数",
    ]
    enrolled = today.isoformat()
    assert rows[2:] == [
        ["李二", "13700000002", enrolled, "缺勤", None, "未到", 0, "否"],
        ["王一", "13700000001", enrolled, "出勤", None, "未到", 1, "是"],
    ]
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.after) == ("talent.course_attendance_export", {"trainees": 2, "sessions": 3})


# ----------------------------------------------------------------------------- queries
def test_the_course_page_reads_a_bounded_number_of_queries(
    course: TrainingCourse,
    school: tuple[Enterprise, User],
    login_client: Login,
    django_assert_max_num_queries: Any,
) -> None:
    owner = school[1]
    client = login_client(owner)
    client.get(f"/talent/courses/{course.pk}/")  # the catalogue read once into its cache
    for i in range(20):
        training_trainee_enrol(actor=owner, course=course, name=f"学员{i:02d}", mobile=f"1360000{i:04d}")
    for i in range(6):
        training_session_add(actor=owner, course=course, data={"held_on": FIRST, "topic": f"加课{i}"})
    with django_assert_max_num_queries(10):
        assert client.get(f"/talent/courses/{course.pk}/").status_code == 200


def test_the_course_list_reads_the_same_queries_for_one_course_or_six(
    catalogue: Any, school: tuple[Enterprise, User], login_client: Login, django_assert_max_num_queries: Any
) -> None:
    enterprise, owner = school
    client = login_client(owner)
    training_course_create(actor=owner, organiser=enterprise, data={"title": "课程0"})
    client.get("/talent/courses/")  # the catalogue read once into its cache
    with django_assert_max_num_queries(10):
        client.get("/talent/courses/")
    for i in range(5):
        training_course_create(actor=owner, organiser=enterprise, data={"title": f"课程{i + 1}"})
    with django_assert_max_num_queries(10):
        page = text(client.get("/talent/courses/"))
    assert page.count("不符合") == 6
