"""Listings: validation, xlsx import with a row-by-row report, the inventor's page, contact requests → cases."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from shouzhan.community import services
from shouzhan.community.models import ContactRequest, Listing
from shouzhan.core.models import AuditEntry
from shouzhan.registry import patent_number
from shouzhan.registry.models import Person

pytestmark = pytest.mark.django_db


def xlsx(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def inventor(make_user: Any) -> tuple[Any, Person]:
    user = make_user(name="周老先生")
    return user, Person.objects.create(name="周老先生", user=user, title="发明人")


def test_patent_number_is_validated(inventor: Any) -> None:
    user, person = inventor
    data = {"title": "保温墙体材料", "abstract": "低导热", "field": "新材料", "seeking": ["licence"]}
    with pytest.raises(ValidationError) as exc:
        services.listing_create(
            actor=user,
            direction="offer",
            owner_person=person,
            data=data | {"patent_number": "ZL202310123456.1"},
        )
    assert (
        exc.value.message_dict["patent_number"] == ["专利号校验位错误：应为 7"]
        or "校验位" in exc.value.message_dict["patent_number"][0]
    )
    listing = services.listing_create(
        actor=user,
        direction="offer",
        owner_person=person,
        data=data | {"patent_number": "CN 2023 1 0123456" + "." + patent_number.check_char("202310123456")},
    )
    assert listing.patent_number == patent_number.make("202310123456")
    assert listing.legal_status == "granted"
    with pytest.raises(ValidationError, match="已在技术市场上发布"):
        services.listing_create(
            actor=user,
            direction="offer",
            owner_person=person,
            data=data | {"patent_number": listing.patent_number},
        )


def test_someone_else_cannot_list_for_the_inventor(inventor: Any, make_user: Any) -> None:
    _user, person = inventor
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.listing_create(
            actor=make_user(),
            direction="offer",
            owner_person=person,
            data={"title": "x", "abstract": "y", "field": "z", "seeking": ["sale"]},
        )


def test_import_seventy_patents_with_a_row_report(inventor: Any, login_client: Any) -> None:
    user, person = inventor
    rows: list[list[Any]] = [["专利号", "名称", "摘要", "法律状态", "技术领域", "合作方式", "备注"]]
    for i in range(70):
        rows.append(
            [
                patent_number.make(f"2010{1 + i % 2}{1_000_000 + i:07d}"),
                f"一种保温材料（{i + 1}）",
                "节能保温",
                "已授权",
                "新材料",
                "许可、转让",
                "",
            ]
        )
    rows.append(["ZL201010000001.0", "校验位错误的专利", "", "已授权", "新材料", "许可", ""])
    rows.append([patent_number.make("201110000009"), "状态不明", "", "有点失效", "新材料", "捐赠", ""])
    client = login_client(user)
    upload = io.BytesIO(xlsx(rows))
    upload.name = "周老先生专利.xlsx"
    response = client.post(
        reverse("community:listing_import"), {"owner": f"person:{person.pk}", "file": upload}
    )
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.total_rows, report.created, report.updated, report.bad_rows) == (72, 70, 0, [72, 73])
    reasons = [(e.row, e.column, e.reason) for e in report.errors]
    assert reasons[0][:2] == (72, "专利号") and "校验位" in reasons[0][2]
    assert (73, "法律状态", "无法识别的法律状态：有点失效") in reasons
    assert (73, "合作方式", "无法识别的合作方式：捐赠") in reasons
    assert report.ignored_columns == ["备注"]
    assert Listing.objects.filter(owner_person=person).count() == 70
    assert AuditEntry.objects.filter(action="community.listing_import_create").count() == 70
    # Importing again updates, never duplicates.
    upload = io.BytesIO(xlsx(rows[:3]))
    upload.name = "again.xlsx"
    again = client.post(
        reverse("community:listing_import"), {"owner": f"person:{person.pk}", "file": upload}
    ).context["report"]
    assert (again.created, again.updated) == (0, 2)
    page = client.get(reverse("community:person", args=[person.pk]))
    assert page.status_code == 200 and len(page.context["listings"]) == 70


def test_bad_file_is_a_clear_message(inventor: Any, login_client: Any) -> None:
    user, person = inventor
    upload = io.BytesIO(b"not a spreadsheet \x00\x01")
    upload.name = "x.xlsx"
    response = login_client(user).post(
        reverse("community:listing_import"), {"owner": f"person:{person.pk}", "file": upload}
    )
    assert response.status_code == 422
    assert "文件内容不是 .xlsx 或 .csv 表格" in response.content.decode()


def test_contact_request_becomes_an_introduction_case_and_records_the_outcome(
    inventor: Any, make_enterprise: Any, make_user: Any, login_client: Any
) -> None:
    from shouzhan.cases.selectors import case_for
    from shouzhan.cases.services import case_transition

    user, person = inventor
    offer = services.listing_create(
        actor=user,
        direction="offer",
        owner_person=person,
        data={
            "title": "一种节能型保温墙体材料",
            "abstract": "发泡陶瓷保温",
            "field": "新材料",
            "seeking": ["licence"],
        },
    )
    ent, owner = make_enterprise(name="上海绿筑建材科技有限公司")
    need = services.listing_create(
        actor=owner,
        direction="need",
        owner_enterprise=ent,
        data={
            "title": "寻找外墙保温新材料技术",
            "abstract": "外墙保温板",
            "field": "新材料",
            "seeking": ["licence"],
        },
    )
    client = login_client(owner)
    response = client.post(
        reverse("community:contact", args=[offer.pk]),
        {"message": "希望获得该专利的许可", "from_listing": need.pk},
    )
    assert response.status_code == 302
    contact = ContactRequest.objects.get()
    assert (contact.enterprise, contact.from_listing, contact.outcome) == (ent, need, "open")
    case = case_for(related=offer)
    assert case is not None and case.pk == contact.case_id
    assert case.case_type == "service.introduction" and case.data["asks_for"] == "周老先生"
    with pytest.raises(ValidationError, match="您已申请对接该条目"):
        services.contact_request_create(actor=owner, listing=offer, message="再来一次申请", from_listing=need)
    # The inventor sees the interest; a stranger does not.
    page = login_client(user).get(reverse("community:person", args=[person.pk]))
    assert [c.enterprise.name for c in page.context["interest"]] == ["上海绿筑建材科技有限公司"]
    assert (
        login_client(make_user()).get(reverse("community:person", args=[person.pk])).context["interest"] == []
    )
    # Staff finish the case: the outcome lands on the request.
    from shouzhan.core.roles import Role

    worker = make_user(role=Role.CASEWORKER)
    from shouzhan.cases import workflow

    ct = workflow.case_type_get("service.introduction")
    path = _path_to(ct, case.state, "completed")
    for action in path:
        case.refresh_from_db()
        case = case_transition(
            actor=worker, case=case, action=action, expected_version=case.version, note="已安排双方见面"
        )
    contact.refresh_from_db()
    assert contact.outcome == "introduced"


def _path_to(ct: Any, start: str, goal: str) -> list[str]:
    """Breadth-first: the actions from one state to another in the case type's workflow."""
    from collections import deque

    queue = deque([(start, [])])
    seen = {start}
    while queue:
        state, path = queue.popleft()
        if state == goal:
            return path
        for t in ct.transitions:
            if state in t.sources and t.target not in seen:
                seen.add(t.target)
                queue.append((t.target, [*path, t.action]))
    raise AssertionError(f"no path {start} → {goal}")


def test_public_pages_answer(client: Any, inventor: Any) -> None:
    for name in (
        "community:index",
        "community:calendar",
        "community:market",
        "community:mentors",
        "community:search",
    ):
        assert client.get(reverse(name), {"q": "新材料 专利", "y": "abc"}).status_code == 200
    assert client.get(reverse("community:listing", args=[999])).status_code == 404
    assert client.get(reverse("community:calendar"), {"y": "99999", "m": "-4"}).status_code == 200
