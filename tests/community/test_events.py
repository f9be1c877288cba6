"""Events: capacity, the waitlist moving up by itself, QR check-in, mentors' feedback."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from shouzhan.community import selectors, services
from shouzhan.community.models import Feedback, Registration
from shouzhan.core.models import AuditEntry
from shouzhan.registry.models import Project

pytestmark = pytest.mark.django_db


def test_capacity_then_waitlist_then_automatic_promotion(make_event: Any, make_user: Any) -> None:
    event = make_event(capacity=2)
    a, b, c, d = (make_user(name=n) for n in "甲乙丙丁")
    ra = services.registration_create(actor=a, event=event)
    rb = services.registration_create(actor=b, event=event)
    rc = services.registration_create(actor=c, event=event)
    rd = services.registration_create(actor=d, event=event)
    assert [r.status for r in (ra, rb, rc, rd)] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert selectors.waitlist_position(registration=rc) == 1
    assert selectors.waitlist_position(registration=rd) == 2

    services.registration_cancel(actor=b, registration=rb)
    rc.refresh_from_db()
    rd.refresh_from_db()
    assert (rc.status, rd.status) == ("confirmed", "waitlisted")
    assert selectors.waitlist_position(registration=rd) == 1
    promoted = AuditEntry.objects.get(action="community.registration_promote")
    assert promoted.actor_label == "system:waitlist"
    assert promoted.target_id == str(rc.pk)

    # More seats: the waitlist moves up too.
    services.event_update(actor=make_user(role="caseworker"), event=event, data={"capacity": 3})
    rd.refresh_from_db()
    assert rd.status == "confirmed"


def test_one_live_registration_per_person(make_event: Any, make_user: Any) -> None:
    event = make_event()
    user = make_user()
    reg = services.registration_create(actor=user, event=event)
    with pytest.raises(ValidationError, match="您已报名本活动"):
        services.registration_create(actor=user, event=event)
    services.registration_cancel(actor=user, registration=reg)
    again = services.registration_create(actor=user, event=event)
    assert again.status == "confirmed" and again.code != reg.code


def test_closed_event_refuses(make_event: Any, make_user: Any) -> None:
    event = make_event(registration_open=False)
    with pytest.raises(ValidationError, match="暂未开放报名"):
        services.registration_create(actor=make_user(), event=event)


def test_check_in_once_and_only_for_its_event(make_event: Any, make_user: Any, caseworker: Any) -> None:
    event = make_event(capacity=1, starts_at=timezone.now())  # the door is open (check-in window)
    other = make_event(title="第一场 OPC 创业能力沙龙")
    user, late = make_user(name="林晓"), make_user(name="迟到")
    reg = services.registration_create(actor=user, event=event)
    waiting = services.registration_create(actor=late, event=event)
    other_reg = services.registration_create(actor=late, event=other)

    done = services.registration_check_in(actor=caseworker, event=event, code=f"  {reg.code.lower()} ")
    assert done.checked_in_at is not None and done.checked_in_by == caseworker
    with pytest.raises(ValidationError, match=r"该签到码已于 \d\d:\d\d 签到（林晓），不能重复使用"):
        services.registration_check_in(actor=caseworker, event=event, code=reg.code)
    with pytest.raises(ValidationError, match="该签到码属于另一场活动：第一场 OPC 创业能力沙龙"):
        services.registration_check_in(actor=caseworker, event=event, code=other_reg.code)
    with pytest.raises(ValidationError, match="仍在候补名单中"):
        services.registration_check_in(actor=caseworker, event=event, code=waiting.code)
    with pytest.raises(ValidationError, match="签到码 SZNOPE 无效"):
        services.registration_check_in(actor=caseworker, event=event, code="sz-nope")
    with pytest.raises(PermissionDenied):
        services.registration_check_in(actor=user, event=event, code=reg.code)
    assert AuditEntry.objects.filter(action="community.registration_check_in").count() == 1


def test_feedback_by_panel_mentor_on_presented_project(
    make_event: Any, make_user: Any, make_mentor: Any, make_enterprise: Any, caseworker: Any
) -> None:
    mentor = make_mentor()
    outsider = make_mentor(name="路人导师")
    ent, owner = make_enterprise(name="晓剧场一人公司")
    project = Project.objects.create(enterprise=ent, kind="micro_drama", title="AI 微短剧《弄堂里的光》")
    event = make_event(capacity=5)
    services.event_update(actor=caseworker, event=event, data={"mentors": [mentor]})
    services.registration_create(actor=owner, event=event, project=project)

    fb = services.feedback_save(
        actor=mentor.user, event=event, project=project, text="选题扎实，建议先做三集试播。"
    )
    assert fb.text == "选题扎实，建议先做三集试播。"
    services.feedback_save(
        actor=mentor.user, event=event, project=project, text="修改：先做五集试播，再找平台。"
    )
    assert Feedback.objects.get().text == "修改：先做五集试播，再找平台。"
    assert list(mentor.followed_projects.all()) == [project]
    with pytest.raises(PermissionDenied, match="不在本场活动的点评导师名单中"):
        services.feedback_save(actor=outsider.user, event=event, project=project, text="我也来说两句话")
    # The team sees it; another enterprise does not.
    assert [f.text for f in selectors.feedback_for_team(actor=owner, project=project)] == [
        "修改：先做五集试播，再找平台。"
    ]
    _, stranger = make_enterprise()
    with pytest.raises(Exception, match="没有找到该项目"):
        selectors.feedback_for_team(actor=stranger, project=project)
    note = services.followup_note_add(actor=mentor.user, project=project, text="已介绍给平台方。")
    assert note.project == project
    assert (
        AuditEntry.objects.filter(
            action__in=["community.feedback_save", "community.followup_note_add"]
        ).count()
        == 3
    )


def test_office_hour_booked_once(make_mentor: Any, make_user: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    mentor = make_mentor()
    slot = services.office_hour_create(
        actor=mentor.user,
        starts_at=timezone.now() + dt.timedelta(days=2),
        minutes=30,
        place="上钢营商服务中心",
    )
    a, b = make_user(), make_user()
    services.office_hour_book(actor=a, slot=slot, topic="融资路演怎么准备")
    with pytest.raises(ValidationError, match="已被预约"):
        services.office_hour_book(actor=b, slot=slot, topic="我也想聊")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_take_the_last_seat_at_once(make_event: Any, make_user: Any) -> None:
    event = make_event(capacity=1)
    people = [make_user(name=f"抢座{i}") for i in range(2)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def take(user: Any) -> None:
        try:
            barrier.wait()
            services.registration_create(actor=user, event=event)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    statuses = sorted(Registration.objects.filter(event=event).values_list("status", flat=True))
    assert statuses == ["confirmed", "waitlisted"]
