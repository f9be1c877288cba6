"""The auditor's page tells the audit chain's state in words: proven up to entry N at time T, or
broken at entry N and how; the fingerprint only shortened, behind a toggle."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from shouzhan.core.audit import audit_record
from shouzhan.core.audit_chain import chain_pending
from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role

from .test_audit_chain import triggers_off  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("trail_test_actions")


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def auditor_client(make_user: Any, login_client: Any) -> Any:
    return login_client(make_user(role=Role.AUDITOR, name="审计员甲"))


def write(n: int) -> None:
    for i in range(n):
        audit_record(actor="system:test", action="test.step", target_type="t", target_id=i)
    chain_pending()


@pytest.mark.django_db
def test_the_page_says_when_the_chain_was_never_checked(auditor_client: Any) -> None:
    write(2)
    page = text(auditor_client.get("/audit/"))
    assert "审计链还没有核验过。" in page
    assert "立即核验" in page


@pytest.mark.django_db
def test_checking_from_the_page_proves_the_chain_up_to_its_head(auditor_client: Any) -> None:
    write(3)
    chain_pending()
    entries = AuditEntry.objects.count()
    response = auditor_client.post("/audit/verify/")
    assert response.status_code == 302
    page = text(auditor_client.get("/audit/"))
    check = AuditEntry.objects.get(action="core.chain_verify")
    when = timezone.localtime(check.at).strftime("%Y-%m-%d %H:%M")
    assert f"审计链完整：已核验至第 {entries} 条记录（{when}，核验人：审计员甲）。" in page
    head = AuditEntry.objects.get(sequence=entries).hash
    # The fingerprint: shortened, behind a toggle; never whole on the page.
    assert f"<code>{head[:12]}…</code>" in page
    assert head not in page
    assert '<summary class="muted">技术信息</summary>' in page
    # Entries written after the check are counted.
    write(2)
    assert "此后又写入了 2 条记录，下次核验时一并核验。" in text(auditor_client.get("/audit/"))


@pytest.mark.django_db
def test_a_broken_chain_is_told_in_words(auditor_client: Any, triggers_off: None) -> None:  # noqa: F811
    write(5)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE sequence = 2")
    auditor_client.post("/audit/verify/")
    page = text(auditor_client.get("/audit/"))
    assert "审计链在第 2 条记录处断裂" in page
    assert "第 2 条记录不见了：它被删除了。" in page


@pytest.mark.django_db
def test_only_audit_readers_may_check(make_user: Any, login_client: Any) -> None:
    for role in (Role.CASEWORKER, Role.ENTREPRENEUR):
        assert login_client(make_user(role=role)).post("/audit/verify/").status_code == 403
    assert not AuditEntry.objects.filter(action="core.chain_verify").exists()
    assert login_client(make_user(role=Role.LEADER)).post("/audit/verify/").status_code == 302
    assert login_client(make_user(role=Role.AUDITOR)).get("/audit/verify/").status_code == 405
