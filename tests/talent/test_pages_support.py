"""The support catalogue for people (talent:support) and applying for a service (talent:apply)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shouzhan.cases.models import Case, Document
from shouzhan.core.roles import Role
from shouzhan.core.workdays import add_working_days
from shouzhan.registry.models import Person, SkillCertificate, TalentRecord, TalentTitle
from shouzhan.registry.talent.services import talent_record_for, talent_record_update
from tests.cases.samples import pdf

pytestmark = pytest.mark.django_db
SUPPORT = "/talent/support/"
HOUSING_APPLY = "/talent/support/housing/apply/"
RENTAL = {"kind": "rental_subsidy", "address": "徐汇区漕溪北路88号", "need": "入职光合剧场，租房通勤"}


def _composite(talent_person: Any) -> TalentRecord:
    """A composite talent (micro-drama, an art title, the AI audiovisual certificate) working in 徐汇."""
    person, _enterprise, owner = talent_person
    record = talent_record_for(actor=owner, person=person)
    record = talent_record_update(
        actor=owner,
        record=record,
        data={"field": "micro_drama", "education": "master", "years_experience": "6"},
    )
    TalentTitle.objects.create(record=record, series="art", level=2, granted_on=dt.date(2024, 6, 1))
    SkillCertificate.objects.create(
        record=record,
        kind="ai_av",
        name="AI视听内容创作",
        number="Y310000202600012345678",
        issued_on=dt.date(2026, 3, 1),
    )
    return record


def _card(html: str, attr: str) -> str:
    """The HTML from `attr` to the end of its service (</article>), clause card or section."""
    start = html.index(attr)
    ends = [html.find(m, start + len(attr)) for m in ("</article>", "data-clause=", "</section>")]
    return html[start : min(e for e in ends if e != -1)]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def _post_rental(client: Any, url: str = HOUSING_APPLY, **extra: Any) -> Any:
    upload = SimpleUploadedFile("租房合同.pdf", pdf("lease"), content_type="application/pdf")
    return client.post(url, {**RENTAL, "document_name": "租房合同", "file": upload, **extra})


# ----------------------------------------------------------------------------- the catalogue
def test_person_sees_the_services_with_limits_and_documents(talent_person: Any, login_client: Any) -> None:
    _person, _enterprise, owner = talent_person
    response = login_client(owner).get(SUPPORT)
    assert response.status_code == 200
    html = response.content.decode()
    housing = _text(_card(html, 'id="service-housing"'))
    assert "人才租房补贴 / 人才公寓" in housing
    assert "办理时限：租房补贴 10 个工作日内办结；人才公寓 15 个工作日内办结" in housing
    assert "允许的格式" in housing and "10.0 MB" in housing
    assert f'href="{HOUSING_APPLY}"' in _card(html, 'id="service-housing"')
    assert "办理时限：15 个工作日内办结" in _text(_card(html, 'id="service-settling"'))
    for slug, days in (("schooling", 10), ("title_review", 20), ("skill_certification", 20)):
        assert f"办理时限：{days} 个工作日内办结" in _text(_card(html, f'id="service-{slug}"'))
    assert "还没有人才服务办件。" in html


def test_someone_with_no_enterprise_and_no_record_gets_a_page(make_user: Any, login_client: Any) -> None:
    user = make_user(Role.ENTREPRENEUR, name="周宁")
    response = login_client(user).get(SUPPORT)
    assert response.status_code == 200
    record = TalentRecord.objects.select_related("person").get()
    assert (record.person.user_id, record.person.name) == (user.pk, "周宁")
    assert "暂未认定人才类别" in response.content.decode()


def test_composite_talent_in_xuhui_may_apply_for_housing(
    talent_person: Any, login_client: Any, catalogue: Any
) -> None:
    _composite(talent_person)
    html = login_client(talent_person[2]).get(SUPPORT).content.decode()
    assert "复合型人才（AI视听）" in _text(_card(html, 'id="category"'))
    clause = _text(_card(html, 'data-clause="xuhui.talent_housing"'))
    assert "可申报" in clause and "行业复合型人才租房保障" in clause and "服务保障，不计金额" in clause
    # She already holds the certificate: the certification is not for her, with the reason.
    certification = _text(_card(html, 'data-clause="hu8.ai_av_skill_certification"'))
    assert "不符合" in certification
    assert '<article class="card service clause-result status-eligible" id="service-housing">' in html
    assert "符合条件" in _card(html, 'id="service-housing"')
    assert "符合条件" not in _card(html, 'id="service-skill_certification"')


def test_missing_information_is_named(talent_person: Any, login_client: Any, catalogue: Any) -> None:
    record = _composite(talent_person)
    assert record.children_school_age is None
    html = login_client(talent_person[2]).get(SUPPORT).content.decode()
    schooling = _text(_card(html, 'data-clause="xuhui.talent_schooling"'))
    assert "待补充信息" in schooling and "还缺" in schooling and "学龄子女人数" in schooling


# ----------------------------------------------------------------------------- applying
def test_person_applies_for_the_rental_subsidy(talent_person: Any, login_client: Any) -> None:
    person, _enterprise, owner = talent_person
    client = login_client(owner)
    assert client.get(HOUSING_APPLY).status_code == 200
    response = _post_rental(client)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.pk])
    record = TalentRecord.objects.get(person=person)
    assert (case.case_type, case.related, case.enterprise_id, case.applicant_id) == (
        "talent.housing",
        record,
        None,
        owner.pk,
    )
    assert case.data == RENTAL
    assert case.due_on == add_working_days(case.submitted_on, 10).date
    assert list(Document.objects.values_list("name", "filename")) == [("租房合同", "租房合同.pdf")]
    follow = client.get(response["Location"])
    assert f"已提交，办理期限 {case.due_on}。" in follow.content.decode()
    # The catalogue lists it with its state and due date.
    row = _text(_card(client.get(SUPPORT).content.decode(), 'id="cases"'))
    assert "人才租房补贴 / 人才公寓" in row and "已提交" in row and case.due_on.isoformat() in row


def test_apartment_takes_fifteen_working_days(talent_person: Any, login_client: Any) -> None:
    response = _post_rental(login_client(talent_person[2]), kind="apartment")
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.due_on == add_working_days(case.submitted_on, 15).date


@pytest.mark.parametrize(
    ("changes", "field_error"),
    [
        ({"kind": ""}, "请填写“申请事项”。"),
        ({"address": ""}, "请填写“租住地址或意向区域”。"),
        ({"lease_start": "2026-13-40"}, "请输入有效日期，如 2026-05-06。"),
        ({"kind": "villa"}, "请从列表中选择。"),
    ],
)
def test_bad_application_is_refused_inline(
    talent_person: Any, login_client: Any, changes: dict[str, str], field_error: str
) -> None:
    response = _post_rental(login_client(talent_person[2]), **changes)
    assert response.status_code == 400
    html = response.content.decode()
    assert "请修改下面标红的项目后再提交。" in html
    assert f'<span class="field-error" role="alert">{field_error}</span>' in html
    assert Case.objects.count() == 0


def test_a_file_of_the_wrong_kind_saves_nothing(talent_person: Any, login_client: Any) -> None:
    upload = SimpleUploadedFile("合同.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")
    response = login_client(talent_person[2]).post(HOUSING_APPLY, {**RENTAL, "file": upload})
    assert response.status_code == 400
    assert "文件“合同.pdf”的内容不是允许的格式（允许：" in response.content.decode()
    assert (Case.objects.count(), Document.objects.count()) == (0, 0)


def test_unknown_service_is_not_found(talent_person: Any, login_client: Any) -> None:
    assert login_client(talent_person[2]).get("/talent/support/villa/apply/").status_code == 404


# ----------------------------------------------------------------------------- for someone else
def test_enterprise_applies_for_its_member_without_an_account(talent_person: Any, login_client: Any) -> None:
    _person, enterprise, owner = talent_person
    member = Person.objects.create(enterprise=enterprise, name="王磊")
    client = login_client(owner)
    page = client.get(f"{SUPPORT}?person={member.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "王磊的人才服务" in html
    assert f'href="{HOUSING_APPLY}?person={member.pk}"' in html
    response = _post_rental(client, f"{HOUSING_APPLY}?person={member.pk}")
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.enterprise_id, case.related) == (enterprise.pk, TalentRecord.objects.get(person=member))


def test_another_enterprise_cannot_see_or_apply(
    talent_person: Any, login_client: Any, make_enterprise: Callable[..., Any]
) -> None:
    _person, enterprise, _owner = talent_person
    member = Person.objects.create(enterprise=enterprise, name="王磊")
    _other, stranger = make_enterprise(name="别家公司")
    client = login_client(stranger)
    assert client.get(f"{SUPPORT}?person={member.pk}").status_code == 404
    assert client.get(f"{SUPPORT}?person=abc").status_code == 404
    assert _post_rental(client, f"{HOUSING_APPLY}?person={member.pk}").status_code == 404
    assert Case.objects.count() == 0


def test_staff_read_with_person_only_and_never_apply(
    talent_person: Any, login_client: Any, caseworker: Any
) -> None:
    person, _enterprise, owner = talent_person
    talent_record_for(actor=owner, person=person)
    client = login_client(caseworker)
    own = client.get(SUPPORT)
    assert own.status_code == 403
    assert "服务中心工作人员请在办件队列中办理人才服务" in own.content.decode()
    page = client.get(f"{SUPPORT}?person={person.pk}")
    assert page.status_code == 200
    assert "/apply/" not in page.content.decode()
    assert _post_rental(client, f"{HOUSING_APPLY}?person={person.pk}").status_code == 403
    assert Case.objects.count() == 0


def test_support_page_queries_are_bounded(
    talent_person: Any, login_client: Any, catalogue: Any, django_assert_max_num_queries: Any
) -> None:
    _composite(talent_person)
    client = login_client(talent_person[2])
    for _ in range(3):
        assert _post_rental(client).status_code == 302
    client.get(SUPPORT)  # the catalogue in force read once
    with django_assert_max_num_queries(20):
        assert client.get(SUPPORT).status_code == 200
