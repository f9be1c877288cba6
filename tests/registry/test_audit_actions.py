"""Every public service of the registry writes exactly its declared audit entries, in order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from shouzhan.accounts.models import Membership
from shouzhan.core.audit import audit_action_get
from shouzhan.core.models import AuditEntry
from shouzhan.registry import audit_actions as A
from shouzhan.registry import services
from shouzhan.registry.models import Enterprise, ImportJob, Person, Project
from tests.conftest import valid_credit_code
from tests.registry.conftest import csv_bytes

HEADER = ["统一社会信用代码", "企业名称", "员工人数"]


def _register(w: dict[str, Any]) -> None:
    services.entrepreneur_register(
        name="林晓", password="Guanghe-2026!", mobile="13811118888", enterprise_name="光合剧场"
    )


def _member_add(w: dict[str, Any]) -> None:
    services.enterprise_member_add(
        actor=w["owner"],
        enterprise=w["enterprise"],
        name="小周",
        mobile="13955551111",
        password="Edit-2026-x",
    )


def _member_remove(w: dict[str, Any]) -> None:
    _member_add(w)
    membership = Membership.objects.get(user__mobile="13955551111")
    services.enterprise_member_remove(actor=w["owner"], enterprise=w["enterprise"], membership=membership)


def _import(w: dict[str, Any]) -> None:
    code = w["enterprise"].credit_code
    rows = [HEADER, [valid_credit_code(), "新企业", 3], [code, w["enterprise"].name, 7]]
    services.enterprise_import(actor=w["caseworker"], data=csv_bytes(rows), filename="a.csv")


def _import_job(w: dict[str, Any], settings: Any) -> None:
    settings.IMPORT_INLINE_ROWS = 0
    rows = [HEADER, [valid_credit_code(), "排队企业", 1]]
    job = services.enterprise_import_submit(actor=w["caseworker"], data=csv_bytes(rows), filename="b.csv")
    assert isinstance(job, ImportJob)
    services.import_job_run(job_id=job.pk)


def _recover(w: dict[str, Any], settings: Any) -> None:
    settings.IMPORT_INLINE_ROWS = 0
    rows = [HEADER, [valid_credit_code(), "中断企业", 1]]
    job = services.enterprise_import_submit(actor=w["caseworker"], data=csv_bytes(rows), filename="c.csv")
    silent = timezone.now() - dt.timedelta(hours=1)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, heartbeat_at=silent)
    services.import_jobs_recover(job_id=job.pk)


def _import_job_fails(w: dict[str, Any], settings: Any) -> None:
    settings.IMPORT_INLINE_ROWS = 0
    rows = [HEADER, [valid_credit_code(), "失败企业", 1]]
    job = services.enterprise_import_submit(actor=w["caseworker"], data=csv_bytes(rows), filename="d.csv")
    type(w["caseworker"]).objects.filter(pk=w["caseworker"].pk).update(role="entrepreneur")  # lost the role
    services.import_job_run(job_id=job.pk)


def _record(w: dict[str, Any]) -> Any:
    from shouzhan.registry.talent.services import talent_record_ensure

    return talent_record_ensure(actor=w["owner"], person=w["person"])


def _title(w: dict[str, Any]) -> Any:
    from shouzhan.registry.talent.services import talent_title_add

    data = {"series": "art", "level": 2, "granted_on": "2024-06-01", "certificate_no": "SH-ART-1"}
    return talent_title_add(actor=w["owner"], record=_record(w), data=data)


def _certificate(w: dict[str, Any]) -> Any:
    from shouzhan.registry.talent.services import talent_certificate_add

    data = {
        "kind": "ai_av",
        "name": "AI视听内容创作",
        "number": "Y310000202600012345678",
        "issued_on": "2026-03-01",
    }
    return talent_certificate_add(actor=w["owner"], record=_record(w), data=data)


def _share(w: dict[str, Any]) -> None:
    from shouzhan.registry.talent.services import talent_share_set

    person = services.person_for_user(actor=w["owner"])
    Person.objects.filter(pk=person.pk).update(enterprise=w["enterprise"])
    person.refresh_from_db()
    talent_share_set(
        actor=w["owner"], record=_record({**w, "person": person}), enterprise=w["enterprise"], level="full"
    )


def _support(w: dict[str, Any]) -> None:
    from shouzhan.registry.talent.services import talent_support_record

    talent_support_record(
        actor=w["caseworker"],
        record=_record(w),
        kind="talent.housing",
        granted=True,
        summary="租房补贴每月2,000元",
        decided_on=dt.date(2026, 11, 30),
        source_case_id=1,
    )


def _course(w: dict[str, Any]) -> Any:
    from shouzhan.registry.talent.course_services import training_course_create

    return training_course_create(actor=w["owner"], organiser=w["enterprise"], data={"title": "AI视听创作课"})


def _session(w: dict[str, Any], course: Any = None, held_on: str = "2026-11-02") -> Any:
    from shouzhan.registry.talent.course_services import training_session_add

    course = course or _course(w)
    return training_session_add(
        actor=w["owner"], course=course, data={"held_on": held_on, "topic": "分镜", "hours": 3}
    )


def _trainee(w: dict[str, Any], course: Any = None) -> Any:
    from shouzhan.registry.talent.course_services import training_trainee_enrol

    return training_trainee_enrol(
        actor=w["owner"], course=course or _course(w), name="学员甲", mobile="13900001111"
    )


def _attendance(w: dict[str, Any]) -> None:
    from shouzhan.registry.talent.course_services import training_attendance_record

    course = _course(w)
    session, trainee = _session(w, course), _trainee(w, course)
    training_attendance_record(actor=w["owner"], session=session, marks={trainee.pk: True})


def _talent(name: str) -> Callable[[dict[str, Any]], None]:
    """A talent or training service after what it needs was made (the expected codes include those)."""

    def run(w: dict[str, Any]) -> None:
        from shouzhan.registry.talent import course_services as courses
        from shouzhan.registry.talent import services as talent

        if name == "talent_record_update":
            talent.talent_record_update(actor=w["owner"], record=_record(w), data={"field": "micro_drama"})
        elif name == "talent_item_remove":
            talent.talent_item_remove(actor=w["owner"], item=_title(w))
        elif name == "certificate_remove":
            talent.talent_item_remove(actor=w["owner"], item=_certificate(w))
        elif name == "training_course_update":
            courses.training_course_update(actor=w["owner"], course=_course(w), data={"title": "新课名"})
        elif name == "training_session_remove":
            courses.training_session_remove(actor=w["owner"], session=_session(w))
        elif name == "training_trainee_remove":
            courses.training_trainee_remove(actor=w["owner"], trainee=_trainee(w))

    return run


CASES: dict[str, tuple[Callable[..., None], list[str]]] = {
    "enterprise_create": (
        lambda w: services.enterprise_create(actor=w["caseworker"], name="新企业"),
        [A.ENTERPRISE_CREATE],
    ),
    "enterprise_update": (
        lambda w: services.enterprise_update(
            actor=w["owner"], enterprise=w["enterprise"], data={"employees": 9}
        ),
        [A.ENTERPRISE_UPDATE],
    ),
    "enterprise_stage_set": (
        lambda w: services.enterprise_stage_set(
            actor=w["owner"], enterprise=w["enterprise"], stage="overseas"
        ),
        [A.ENTERPRISE_STAGE_SET],
    ),
    "person_create": (
        lambda w: services.person_create(actor=w["owner"], enterprise=w["enterprise"], data={"name": "甲"}),
        [A.PERSON_CREATE],
    ),
    "person_update": (
        lambda w: services.person_update(actor=w["owner"], person=w["person"], data={"title": "导演"}),
        [A.PERSON_UPDATE],
    ),
    "person_delete": (
        lambda w: services.person_delete(actor=w["owner"], person=w["person"]),
        [A.PERSON_DELETE],
    ),
    "person_for_user": (lambda w: services.person_for_user(actor=w["owner"]), [A.PERSON_CREATE]),
    "project_create": (
        lambda w: services.project_create(
            actor=w["owner"], enterprise=w["enterprise"], data={"kind": "agent", "title": "智能体"}
        ),
        [A.PROJECT_CREATE],
    ),
    "project_update": (
        lambda w: services.project_update(actor=w["owner"], project=w["project"], data={"title": "新名"}),
        [A.PROJECT_UPDATE],
    ),
    "project_delete": (
        lambda w: services.project_delete(actor=w["owner"], project=w["project"]),
        [A.PROJECT_DELETE],
    ),
    "enterprise_import": (
        _import,
        [A.ENTERPRISE_IMPORT_CREATE, A.ENTERPRISE_IMPORT_UPDATE, A.ENTERPRISE_IMPORT],
    ),
    "enterprise_import_submit+import_job_run": (
        _import_job,
        [A.IMPORT_JOB_QUEUE, A.ENTERPRISE_IMPORT_CREATE, A.ENTERPRISE_IMPORT],
    ),
    "import_job_run (failed)": (_import_job_fails, [A.IMPORT_JOB_QUEUE, A.IMPORT_JOB_FAIL]),
    "import_jobs_recover": (_recover, [A.IMPORT_JOB_QUEUE, A.IMPORT_JOB_RESUME]),
    "enterprise_export": (
        lambda w: services.enterprise_export(actor=w["caseworker"], enterprises=Enterprise.objects.all()),
        [A.ENTERPRISE_EXPORT],
    ),
    "entrepreneur_register": (_register, ["accounts.user_register", A.ENTERPRISE_CREATE]),
    "enterprise_member_add": (_member_add, ["accounts.member_add"]),
    "enterprise_member_remove": (_member_remove, ["accounts.member_add", "accounts.member_remove"]),
    "talent_record_ensure": (_record, [A.TALENT_RECORD_CREATE]),
    "talent_record_update": (
        _talent("talent_record_update"),
        [A.TALENT_RECORD_CREATE, A.TALENT_RECORD_UPDATE],
    ),
    "talent_title_add": (_title, [A.TALENT_RECORD_CREATE, A.TALENT_TITLE_ADD]),
    "talent_item_remove (title)": (
        _talent("talent_item_remove"),
        [A.TALENT_RECORD_CREATE, A.TALENT_TITLE_ADD, A.TALENT_TITLE_REMOVE],
    ),
    "talent_certificate_add": (_certificate, [A.TALENT_RECORD_CREATE, A.TALENT_CERTIFICATE_ADD]),
    "talent_item_remove (certificate)": (
        _talent("certificate_remove"),
        [A.TALENT_RECORD_CREATE, A.TALENT_CERTIFICATE_ADD, A.TALENT_CERTIFICATE_REMOVE],
    ),
    "talent_share_set": (_share, [A.PERSON_CREATE, A.TALENT_RECORD_CREATE, A.TALENT_SHARE_SET]),
    "talent_support_record": (_support, [A.TALENT_RECORD_CREATE, A.TALENT_SUPPORT_RECORD]),
    "training_course_create": (_course, [A.PROJECT_CREATE, A.TRAINING_COURSE_CREATE]),
    "training_course_update": (
        _talent("training_course_update"),
        [A.PROJECT_CREATE, A.TRAINING_COURSE_CREATE, A.TRAINING_COURSE_UPDATE],
    ),
    "training_session_add": (
        lambda w: _session(w),
        [A.PROJECT_CREATE, A.TRAINING_COURSE_CREATE, A.TRAINING_SESSION_ADD],
    ),
    "training_session_remove": (
        _talent("training_session_remove"),
        [A.PROJECT_CREATE, A.TRAINING_COURSE_CREATE, A.TRAINING_SESSION_ADD, A.TRAINING_SESSION_REMOVE],
    ),
    "training_trainee_enrol": (
        lambda w: _trainee(w),
        [A.PROJECT_CREATE, A.TRAINING_COURSE_CREATE, A.PERSON_CREATE, A.TRAINING_TRAINEE_ENROL],
    ),
    "training_trainee_remove": (
        _talent("training_trainee_remove"),
        [
            A.PROJECT_CREATE,
            A.TRAINING_COURSE_CREATE,
            A.PERSON_CREATE,
            A.TRAINING_TRAINEE_ENROL,
            A.TRAINING_TRAINEE_REMOVE,
        ],
    ),
    "training_attendance_record": (
        _attendance,
        [
            A.PROJECT_CREATE,
            A.TRAINING_COURSE_CREATE,
            A.TRAINING_SESSION_ADD,
            A.PERSON_CREATE,
            A.TRAINING_TRAINEE_ENROL,
            A.TRAINING_ATTENDANCE_RECORD,
            A.PROJECT_TRAINEES_SYNC,
        ],
    ),
}


@pytest.fixture
def world(make_enterprise: Any, make_user: Any, caseworker: Any) -> dict[str, Any]:
    enterprise, owner = make_enterprise()
    person = Person.objects.create(enterprise=enterprise, name="乙")
    project = Project.objects.create(enterprise=enterprise, kind="agent", title="项目")
    return {
        "enterprise": enterprise,
        "owner": owner,
        "caseworker": caseworker,
        "person": person,
        "project": project,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(CASES))
def test_each_service_writes_exactly_its_declared_entries(
    name: str, world: dict[str, Any], settings: Any
) -> None:
    call, expected = CASES[name]
    start = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    if call.__code__.co_argcount == 2:
        call(world, settings)
    else:
        call(world)
    written = list(AuditEntry.objects.filter(id__gt=start).order_by("id").values_list("action", flat=True))
    assert written == expected
    assert all(audit_action_get(code) is not None for code in written)


def test_every_declared_registry_action_is_written_by_some_service() -> None:
    declared = {
        v for k, v in vars(A).items() if k.isupper() and isinstance(v, str) and v.startswith("registry.")
    }
    written = {code for _call, codes in CASES.values() for code in codes if code.startswith("registry.")}
    assert declared == written
    assert all(audit_action_get(code) is not None for code in declared)
