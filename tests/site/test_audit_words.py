"""The audit page as people read it: the action's words, fields by their labels, values as they are said
(choices, lists, money, dates, related records by name), the stored codes only in tooltips — in Chinese
and in English."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation

from shouzhan.community.models import Listing
from shouzhan.core.audit import audit_record
from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role
from shouzhan.site.audit_words import audit_rows, words_list


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def listing_change(make_enterprise: Any) -> tuple[Any, Any]:
    enterprise, owner = make_enterprise(name="旧企业")
    other, _owner = make_enterprise(name="新企业")
    listing = Listing.objects.create(
        direction=Listing.Direction.OFFER, owner_enterprise=enterprise, title="一种保温材料", field="新材料"
    )
    audit_record(
        actor=owner,
        action="community.listing_update",
        target=listing,
        before={"legal_status": "pending", "seeking": ["licence"], "owner_enterprise_id": enterprise.pk},
        after={"legal_status": "granted", "seeking": ["licence", "sale"], "owner_enterprise_id": other.pk},
    )
    return enterprise, other


@pytest.mark.django_db
def test_the_audit_page_says_action_fields_and_values_in_words(
    listing_change: Any, make_user: Any, login_client: Any
) -> None:
    old, new = listing_change
    page = text(login_client(make_user(role=Role.AUDITOR)).get("/audit/"))
    assert '<span title="community.listing_update">修改技术市场条目</span>' in page
    assert (
        '<strong title="legal_status">法律状态</strong>：<span class="diff-before" title="pending">申请中</span>'
        ' → <span class="diff-after" title="granted">已授权</span>'
    ) in page
    assert (
        '<strong title="seeking">合作方式</strong>：<span class="diff-before" title="licence">许可</span>'
        ' → <span class="diff-after" title="licence, sale">许可、转让</span>'
    ) in page
    assert (
        f'<strong title="owner_enterprise_id">发布企业</strong>：<span class="diff-before" '
        f'title="registry.enterprise #{old.pk}">旧企业</span> → <span class="diff-after" '
        f'title="registry.enterprise #{new.pk}">新企业</span>'
    ) in page
    # Codes never as the words themselves.
    words = re.sub(r'(title|value)="[^"]*"', "", page)  # tooltips and the filter's option values
    for code in ("community.listing_update", "legal_status", "granted", "['licence', 'sale']", "sale"):
        assert code not in words, code


@pytest.mark.django_db
def test_the_audit_page_in_english(listing_change: Any, make_user: Any, login_client: Any) -> None:
    client = login_client(make_user(role=Role.AUDITOR))
    client.cookies["django_language"] = "en"
    page = text(client.get("/audit/", headers={"accept-language": "en"}))
    assert '<span title="community.listing_update">Changed a technology market listing</span>' in page
    assert '<strong title="legal_status">Legal status</strong>: ' in page
    assert '<span class="diff-after" title="granted">Granted</span>' in page
    assert '<span class="diff-after" title="licence, sale">Licence and Transfer</span>' in page


@pytest.mark.django_db
def test_money_dates_moments_and_yes_no_as_people_read_them(make_enterprise: Any) -> None:
    enterprise, owner = make_enterprise(name="读法测试企业")
    audit_record(
        actor=owner,
        action="cases.case_submit",
        target_type="cases.case",
        target_id=1,
        target_label="申请",
        before={"amount_approved_fen": None, "due_on": "2026-12-31", "due_provisional": False},
        after={
            "amount_approved_fen": 150_000_000,
            "due_on": "2027-01-05",
            "due_provisional": True,
            "enterprise_id": enterprise.pk,
            "closed_at": "2026-03-18T01:05:00+00:00",
            "decision_reasons": "",
        },
    )
    (row,) = audit_rows(AuditEntry.objects.filter(action="cases.case_submit"))
    assert "decision_reasons" not in [c.field.code for c in row.changes]  # blank on a new record: left out
    shown = {c.field.text: (c.before and c.before.text, c.after.text, c.after.code) for c in row.changes}
    assert shown["核定金额"] == (None, "1,500,000.00 元", "150000000")
    assert shown["办理期限"] == ("2026年12月31日", "2027年1月5日", "2027-01-05")
    assert shown["期限为暂定"] == ("否", "是", "True")
    assert shown["企业"] == (None, "读法测试企业", f"registry.enterprise #{enterprise.pk}")
    assert shown["closed_at"][1] == "2026年3月18日 09:05"  # a key of the service's own: still a moment
    with translation.override("en"):
        (row,) = audit_rows(AuditEntry.objects.filter(action="cases.case_submit"))
    assert [c.field.text for c in row.changes][:2] == ["Approved amount", "Deadline"]
    assert row.changes[1].after.text == "Jan. 5, 2027"


@pytest.mark.django_db
def test_a_deleted_related_record_and_related_names_read_in_one_query_per_model(
    make_enterprise: Any, django_assert_num_queries: Any
) -> None:
    for i in range(5):
        enterprise, owner = make_enterprise(name=f"企业{i}")
        audit_record(
            actor=owner,
            action="registry.project_update",
            target_type="cases.case",
            target_id=i,
            after={"enterprise_id": enterprise.pk, "assignee_id": owner.pk},
        )
    audit_record(
        actor=None, action="registry.project_update", target_type="cases.case", after={"enterprise_id": 99999}
    )
    entries = list(AuditEntry.objects.filter(action="registry.project_update").order_by("pk"))
    with django_assert_num_queries(2):  # the enterprises, the users
        rows = audit_rows(entries)
    assert [r.changes[0].after.text for r in rows] == [f"企业{i}" for i in range(5)] + ["（已删除的记录）"]


def test_lists_joined_in_words() -> None:
    assert words_list(["许可", "转让", "投资"]) == "许可、转让、投资"
    with translation.override("en"):
        assert words_list(["licence", "sale", "investment"]) == "licence, sale and investment"
