"""Staff pages for events (create, edit, inline errors, the waitlist moving up), the menu, the admin,
and an individual listing a patent with no caseworker involved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from shouzhan.accounts.models import User
from shouzhan.community import services
from shouzhan.community.models import Event, EventSeries, Feedback, Listing, Registration
from shouzhan.core.models import AuditEntry
from shouzhan.registry.models import Person, Project

pytestmark = pytest.mark.django_db


def _form(**values: Any) -> dict[str, Any]:
    start = timezone.localtime() + dt.timedelta(days=7)
    data = {
        "kind": "salon",
        "title": "第三场 OPC 创业能力沙龙",
        "starts_at": start.strftime("%Y-%m-%dT14:00"),
        "ends_at": start.strftime("%Y-%m-%dT17:00"),
        "venue": "徐汇区营商服务中心 3 楼",
        "capacity": "30",
        "registration_open": "on",
        "speakers": "陈导",
        "agenda": "14:00 开场\n14:30 项目路演",
        "summary": "带上你的项目",
    }
    data.update(values)
    return data


def test_staff_create_an_event_with_series_and_mentors(
    caseworker: Any, make_mentor: Any, login_client: Any
) -> None:
    mentor, other = make_mentor(), make_mentor(name="王导")
    client = login_client(caseworker)
    page = client.get(reverse("community:event_new"))
    assert page.status_code == 200 and "陈导（微短剧、智能体、融资）" in page.content.decode()
    response = client.post(
        reverse("community:event_new"),
        _form(new_series="OPC 创业能力沙龙", number_in_series="3", mentors=[str(mentor.pk)]),
    )
    event = Event.objects.get()
    assert response.status_code == 302 and response.url == reverse("community:event", args=[event.pk])
    assert (event.series.name, event.number_in_series, event.capacity) == ("OPC 创业能力沙龙", 3, 30)
    assert list(event.mentors.all()) == [mentor]
    assert timezone.localtime(event.starts_at).strftime("%H:%M") == "14:00"
    assert AuditEntry.objects.filter(action="community.event_series_create").count() == 1
    created = AuditEntry.objects.get(action="community.event_create")
    assert created.after["mentors"] == [mentor.pk]
    # The same series again by choosing it; the same number in it is refused inline.
    again = client.post(
        reverse("community:event_new"),
        _form(series=str(event.series_id), number_in_series="3", mentors=[str(other.pk)]),
    )
    assert again.status_code == 422
    assert "该系列中已有这一场次" in again.content.decode()
    assert Event.objects.count() == 1 and EventSeries.objects.count() == 1


def test_bad_input_is_shown_inline_and_nothing_saved(caseworker: Any, login_client: Any) -> None:
    client = login_client(caseworker)
    start = timezone.localtime() + dt.timedelta(days=7)
    response = client.post(
        reverse("community:event_new"),
        _form(
            ends_at=(start - dt.timedelta(days=1)).strftime("%Y-%m-%dT10:00"),
            starts_at=start.strftime("%Y-%m-%dT14:00"),
        ),
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'class="field-error" role="alert">结束时间不能早于开始时间' in html
    assert "第三场 OPC 创业能力沙龙" in html  # what was typed is kept
    bad = client.post(
        reverse("community:event_new"), _form(capacity="0", starts_at="明天", number_in_series="2")
    )
    assert bad.status_code == 422
    text = bad.content.decode()
    assert "名额至少为 1" in text and "请输入有效时间" in text
    assert not Event.objects.exists()
    orphan = client.post(reverse("community:event_new"), _form(number_in_series="2"))
    assert orphan.status_code == 422 and "请先选择或新建系列" in orphan.content.decode()


def test_edit_raises_capacity_and_the_waitlist_moves_up(
    caseworker: Any, make_event: Any, make_user: Any, make_mentor: Any, login_client: Any
) -> None:
    event = make_event(capacity=1)
    regs = [services.registration_create(actor=make_user(), event=event) for _ in range(3)]
    assert [r.status for r in regs] == ["confirmed", "waitlisted", "waitlisted"]
    client = login_client(caseworker)
    url = reverse("community:event_edit", args=[event.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="第二场 OPC 创业能力沙龙"' in page.content.decode()
    assert (
        reverse("community:event_edit", args=[event.pk])
        in client.get(reverse("community:event", args=[event.pk])).content.decode()
    )

    mentor = make_mentor()
    local = timezone.localtime(event.starts_at)
    data = _form(
        title=event.title,
        capacity="2",
        starts_at=local.strftime("%Y-%m-%dT%H:%M"),
        ends_at=(local + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        mentors=[str(mentor.pk)],
    )
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert "候补名单中 1 人已自动转为正式报名" in response.content.decode()
    statuses = list(Registration.objects.filter(event=event).order_by("id").values_list("status", flat=True))
    assert statuses == ["confirmed", "confirmed", "waitlisted"]
    assert list(Event.objects.get(pk=event.pk).mentors.all()) == [mentor]
    update = AuditEntry.objects.get(action="community.event_update")
    assert (update.before["capacity"], update.after["capacity"]) == (1, 2)
    assert (update.before["mentors"], update.after["mentors"]) == ([], [mentor.pk])

    lower = client.post(url, data | {"capacity": "1"})
    assert lower.status_code == 422
    assert "已有 2 人确认报名，名额不能少于这个数" in lower.content.decode()
    assert Event.objects.get(pk=event.pk).capacity == 2


def test_only_event_staff_manage_events(make_event: Any, make_user: Any, login_client: Any) -> None:
    event = make_event()
    client = login_client(make_user())
    assert client.get(reverse("community:event_new")).status_code == 403
    assert client.get(reverse("community:event_edit", args=[event.pk])).status_code == 403
    assert (
        client.post(reverse("community:event_edit", args=[event.pk]), _form(capacity="99")).status_code == 403
    )
    assert Event.objects.get(pk=event.pk).capacity == 2
    assert (
        reverse("community:event_edit", args=[event.pk])
        not in client.get(reverse("community:event", args=[event.pk])).content.decode()
    )
    login = "/accounts/login/"
    from django.test import Client

    assert Client().get(reverse("community:event_edit", args=[event.pk])).url.startswith(login)


def test_menu_shows_contact_requests_to_staff_only(
    caseworker: Any, make_user: Any, login_client: Any
) -> None:
    contacts = reverse("community:contacts")
    assert f'href="{contacts}"' in login_client(caseworker).get(reverse("community:index")).content.decode()
    assert (
        f'href="{contacts}"' not in login_client(make_user()).get(reverse("community:index")).content.decode()
    )


def test_admin_lists_community_models_and_keeps_records_read_only(
    make_event: Any, make_mentor: Any, make_enterprise: Any, login_client: Any
) -> None:
    root = User.objects.create_superuser(email="root@example.cn", password="Shouzhan-2026!")
    mentor = make_mentor()
    event = make_event(mentors=[mentor])
    enterprise, owner = make_enterprise()
    project = Project.objects.create(enterprise=enterprise, kind="agent", title="智能体项目")
    reg = services.registration_create(actor=owner, event=event, project=project)
    fb = services.feedback_save(
        actor=mentor.user, event=event, project=project, text="方向清楚，先做客户访谈。"
    )
    client = login_client(root)
    for model in (
        "eventseries",
        "event",
        "registration",
        "mentorprofile",
        "feedback",
        "followupnote",
        "officehour",
        "listing",
        "contactrequest",
    ):
        assert client.get(f"/admin/community/{model}/").status_code == 200, model
    assert client.get("/admin/community/feedback/add/").status_code == 403
    change = client.get(f"/admin/community/feedback/{fb.pk}/change/")
    assert change.status_code == 200 and 'name="text"' not in change.content.decode()
    client.post(f"/admin/community/feedback/{fb.pk}/change/", {"text": "改写"})
    assert Feedback.objects.get(pk=fb.pk).text == "方向清楚，先做客户访谈。"
    assert client.get(f"/admin/community/feedback/{fb.pk}/delete/").status_code == 403
    reg_page = client.get(f"/admin/community/registration/{reg.pk}/change/").content.decode()
    assert 'name="checked_in_at' not in reg_page and 'name="status"' in reg_page
    assert client.get(f"/admin/community/event/{event.pk}/change/").status_code == 200


def test_an_individual_lists_a_patent_on_the_page_without_a_caseworker(
    make_user: Any, login_client: Any
) -> None:
    user = make_user(name="周老先生")
    client = login_client(user)
    page = client.get(reverse("community:listing_new"))
    html = page.content.decode()
    assert 'value="person:me"' in html and "周老先生（个人）" in html
    assert "请联系营商服务中心建立档案" not in html
    response = client.post(
        reverse("community:listing_new"),
        {
            "owner": "person:me",
            "title": "一种节能型保温墙体材料",
            "abstract": "发泡陶瓷保温",
            "legal_status": "granted",
            "field": "新材料",
            "seeking": ["licence"],
        },
    )
    listing = Listing.objects.get()
    assert response.status_code == 302 and response.url == reverse("community:listing", args=[listing.pk])
    person = Person.objects.get(user=user)
    assert listing.owner_person == person and person.name == "周老先生"
    # Next time the person's own record is offered, and bad input creates nothing.
    assert f'value="person:{person.pk}"' in client.get(reverse("community:listing_new")).content.decode()
    other = make_user(name="李工")
    bad = login_client(other).post(
        reverse("community:listing_new"),
        {"owner": "person:me", "title": "x", "abstract": "y", "legal_status": "granted", "field": "z"},
    )
    assert bad.status_code == 200 and not Person.objects.filter(user=other).exists()
