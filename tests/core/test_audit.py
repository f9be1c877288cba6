"""The audit trail: one entry per change, with who/when/before/after; append-only down to the database."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from shouzhan.core.audit import audit_action_label, audit_record
from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role

pytestmark = pytest.mark.usefixtures("trail_test_actions")


@pytest.mark.django_db
def test_record_keeps_actor_target_and_changes(make_user: Any, make_enterprise: Any) -> None:
    enterprise, owner = make_enterprise(name="光合剧场")
    entry = audit_record(
        actor=owner,
        action="registry.enterprise_update",
        target=enterprise,
        before={"employees": 1, "district": "徐汇"},
        after={"employees": 3, "district": "徐汇"},
        enterprise_id=enterprise.pk,
    )
    entry.refresh_from_db()
    assert entry.actor == owner
    assert entry.actor_label == owner.name
    assert entry.target_type == "registry.enterprise"
    assert entry.target_id == str(enterprise.pk)
    assert entry.target_label == "光合剧场"
    assert entry.changes == [("employees", 1, 3)]


@pytest.mark.django_db
def test_entries_cannot_be_changed_or_deleted_by_the_model(make_user: Any) -> None:
    entry = audit_record(actor="system:test", action="x.y", target_type="t", target_id=1)
    entry.note = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


@pytest.mark.django_db
def test_entries_cannot_be_changed_or_deleted_in_the_database(make_user: Any) -> None:
    entry = audit_record(actor="system:test", action="x.y", target_type="t", target_id=1)
    for sql in (
        f"UPDATE core_auditentry SET note = 'tampered' WHERE id = {entry.pk}",
        f"DELETE FROM core_auditentry WHERE id = {entry.pk}",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(note="tampered")
    assert AuditEntry.objects.get(pk=entry.pk).note == ""


@pytest.mark.django_db
def test_audit_page_is_for_auditors_only(make_user: Any, login_client: Any, make_enterprise: Any) -> None:
    enterprise, owner = make_enterprise(name="审计测试企业")
    audit_record(
        actor=owner, action="registry.enterprise_update", target=enterprise, before={"a": 1}, after={"a": 2}
    )
    auditor = make_user(role=Role.AUDITOR)
    response = login_client(auditor).get("/audit/", {"q": "审计测试"})
    assert response.status_code == 200
    assert "审计测试企业" in response.content.decode()
    assert (
        audit_action_label("registry.enterprise_update") in response.content.decode()
    )  # words, not the code
    assert login_client(owner).get("/audit/").status_code == 403
    assert login_client(make_user(role=Role.CASEWORKER)).get("/audit/").status_code == 403
    # Bad filter input is a clear form error, not a crash.
    assert login_client(auditor).get("/audit/", {"since": "not-a-date"}).status_code == 200


def test_date_pickers_render_iso_dates_under_chinese() -> None:
    """`<input type="date">` only accepts YYYY-MM-DD; the Chinese locale must not change that."""
    import datetime as dt

    from django.utils import translation

    from shouzhan.core.widgets import IsoDateInput

    with translation.override("zh-hans"):
        html = IsoDateInput().render("on", dt.date(2026, 11, 30))
    assert 'type="date"' in html and 'value="2026-11-30"' in html
