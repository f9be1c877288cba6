"""The people's list of talent records: the staff's register (search, category), an enterprise's shared records
and the people it keeps, who may open it, and its query count."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from shouzhan.accounts.models import User
from shouzhan.core.roles import Role
from shouzhan.registry.models import Enterprise, Person, TalentRecord, TalentShare, TalentTitle
from shouzhan.registry.talent.services import talent_record_for
from tests.talent.test_pages_records import colleague, make_composite, text, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def composite(talent_person: tuple[Person, Enterprise, User]) -> TalentRecord:
    person, _enterprise, owner = talent_person
    return make_composite(talent_record_for(actor=owner, person=person))


# ----------------------------------------------------------------------------- the people's list
def test_the_staff_register_searches_and_filters_by_category(
    composite: TalentRecord,
    caseworker: User,
    make_enterprise: Callable[..., tuple[Enterprise, User]],
    login_client: Callable[[User], Client],
) -> None:
    _other, founder = make_enterprise(name="远山影视")
    plain = talent_record_for(actor=founder, person=Person.objects.create(name="赵一", user=founder))
    client = login_client(caseworker)
    page = client.get("/talent/people/")
    assert page.status_code == 200
    assert page.context["active_nav"] == "centre_talent_records"
    rows = [(r.person.name, r.category_label) for r in page.context["page"].object_list]
    assert rows == [(composite.person.name, "复合型人才（AI视听）"), ("赵一", "尚未认定类别")]
    assert f'href="/talent/records/{plain.pk}/"' in page.content.decode()
    found = client.get("/talent/people/", {"q": "赵"})
    assert [r.person.name for r in found.context["page"].object_list] == ["赵一"]
    composite_only = client.get("/talent/people/", {"category": "composite"})
    assert [r.person.name for r in composite_only.context["page"].object_list] == [composite.person.name]
    nobody = client.get("/talent/people/", {"category": "leading"})
    assert "没有符合条件的人员，请调整筛选条件。" in text(nobody.content)
    assert client.get("/talent/people/", {"category": "film"}).status_code == 400


def test_an_enterprise_lists_shared_records_and_the_people_it_keeps(
    composite: TalentRecord,
    talent_person: Any,
    make_user: Callable[..., User],
    login_client: Callable[[User], Client],
) -> None:
    _person, enterprise, owner = talent_person
    boss_user = colleague(make_user, enterprise)
    boss = login_client(boss_user)
    assert "还没有成员向本企业开放人才档案。" in text(boss.get("/talent/people/").content)
    member = Person.objects.create(name="陈一", enterprise=enterprise)  # a team member without an account
    TalentShare.objects.create(record=composite, enterprise=enterprise, level="profile")
    page = boss.get("/talent/people/")
    rows = [(r.person.name, r.record is not None, r.access) for r in page.context["page"].object_list]
    assert rows == [(composite.person.name, True, "profile"), ("陈一", False, "keeper")]
    assert page.context["active_nav"] == "talent_people"
    opened = boss.get(f"/talent/people/{member.pk}/")
    made = TalentRecord.objects.get(person=member)
    assert opened.status_code == 302 and opened["Location"] == url(made)
    assert "修改档案信息" in text(boss.get(url(made)).content)
    assert boss.get(f"/talent/people/{owner.pk + 1000}/").status_code == 404


def test_the_people_list_is_for_members_and_staff(
    make_user: Callable[..., User], login_client: Callable[[User], Client]
) -> None:
    assert login_client(make_user(Role.MENTOR)).get("/talent/people/").status_code == 403
    assert Client().get("/talent/people/").status_code == 302


def test_the_people_list_reads_a_page_in_a_bounded_number_of_queries(
    composite: TalentRecord,
    caseworker: User,
    django_assert_max_num_queries: Any,
    login_client: Callable[[User], Client],
) -> None:
    for n in range(12):
        person = Person.objects.create(name=f"人员{n:02d}")
        rec = TalentRecord.objects.create(person=person, field="micro_drama")
        TalentTitle.objects.create(record=rec, series="art", level=1, granted_on=dt.date(2020, 1, 1))
    client = login_client(caseworker)
    client.get("/talent/people/")
    with django_assert_max_num_queries(13):
        page = client.get("/talent/people/")
    assert len(page.context["page"].object_list) == 13
    with django_assert_max_num_queries(13):
        assert client.get("/talent/people/", {"category": "skilled"}).status_code == 200
