"""Self-service password change and reset by e-mail, and registration, all through the one throttle."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from shouzhan.accounts.models import User
from shouzhan.core.models import AuditEntry
from tests.accounts.test_accounts import _register_data
from tests.conftest import PASSWORD

NEW_PASSWORD = "Xuhui-Bridge-2027"


def _change(client: Client, old: str, new: str = NEW_PASSWORD) -> Any:
    return client.post(
        "/accounts/password/", {"old_password": old, "new_password1": new, "new_password2": new}
    )


@pytest.mark.django_db
def test_password_change_page_is_for_logged_in_users_only() -> None:
    response = Client().get("/accounts/password/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/accounts/password/")


@pytest.mark.django_db
def test_logged_in_user_changes_password(make_user: Any) -> None:
    user = make_user()
    client = Client()
    assert client.post("/accounts/login/", {"login": user.mobile, "password": PASSWORD}).status_code == 302
    page = client.get("/accounts/password/")
    assert page.status_code == 200 and "修改密码" in page.content.decode()
    response = _change(client, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/accounts/password/done/"
    assert "密码已修改" in client.get("/accounts/password/done/").content.decode()
    # Still logged in on this browser; the old password no longer works, the new one does.
    assert client.get("/api/v1/me").json()["id"] == user.pk
    assert Client().post("/accounts/login/", {"login": user.mobile, "password": PASSWORD}).status_code == 400
    assert (
        Client().post("/accounts/login/", {"login": user.mobile, "password": NEW_PASSWORD}).status_code == 302
    )
    entry = AuditEntry.objects.get(action="accounts.password_change")
    assert entry.actor_id == user.pk and entry.target_id == str(user.pk)
    assert PASSWORD not in str(AuditEntry.objects.filter(pk=entry.pk).values().get())


@pytest.mark.django_db
def test_password_change_refuses_a_wrong_old_password_and_a_weak_new_one(
    make_user: Any, login_client: Any
) -> None:
    user = make_user()
    client = login_client(user)
    wrong = _change(client, "not-my-password")
    assert wrong.status_code == 400
    assert "原密码不正确" in wrong.content.decode()
    weak = _change(client, PASSWORD, new="12345678")
    assert weak.status_code == 400
    assert "密码" in weak.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_wrong_old_passwords_count_towards_the_login_lockout(make_user: Any) -> None:
    user = make_user()
    client = Client(REMOTE_ADDR="203.0.113.30")
    client.force_login(user, backend="shouzhan.accounts.backends.MobileOrEmailBackend")
    assert [_change(client, f"guess-{i}").status_code for i in range(6)] == [400] * 5 + [429]
    locked = _change(client, PASSWORD)
    assert locked.status_code == 429
    assert "登录失败次数过多，请 15 分钟后再试。" in locked.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert (
        Client(REMOTE_ADDR="203.0.113.30")
        .post("/accounts/login/", {"login": user.mobile, "password": PASSWORD})
        .status_code
        == 429
    )


def _reset_link(message: Any) -> str:
    match = re.search(r"http://testserver(/accounts/password/reset/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.mark.django_db
def test_password_reset_by_email(make_user: Any) -> None:
    user = make_user(email="lin@example.cn")
    client = Client()
    assert "找回密码" in client.get("/accounts/password/reset/").content.decode()
    response = client.post("/accounts/password/reset/", {"email": "LIN@example.cn"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"
    assert "邮件已发送" in client.get(response["Location"]).content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lin@example.cn"]
    assert message.subject == "首站：重设密码"
    assert "重设密码" in message.body
    link = _reset_link(message)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and "设置新密码" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/accounts/password/reset/done/"
    assert "密码已重设" in client.get(done["Location"]).content.decode()
    assert (
        Client().post("/accounts/login/", {"login": "lin@example.cn", "password": NEW_PASSWORD}).status_code
        == 302
    )
    # The link works once.
    assert "链接无效" in client.get(link, follow=True).content.decode()
    assert list(
        AuditEntry.objects.filter(target_id=str(user.pk), action__startswith="accounts.password")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["accounts.password_reset_request", "accounts.password_reset"]


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing() -> None:
    response = Client().post("/accounts/password/reset/", {"email": "nobody@example.cn"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


@pytest.mark.django_db
def test_password_reset_is_throttled_per_address_and_per_mailbox(make_user: Any, settings: Any) -> None:
    settings.PASSWORD_RESET_MAX_PER_EMAIL = 2
    settings.PASSWORD_RESET_MAX_PER_IP = 4
    make_user(email="lin@example.cn")
    statuses = [
        Client(REMOTE_ADDR=f"192.0.2.{i}").post("/accounts/password/reset/", {"email": "lin@example.cn"})
        for i in range(3)
    ]
    assert [r.status_code for r in statuses] == [302, 302, 429]
    assert "请求过于频繁，请 60 分钟后再试。" in statuses[2].content.decode()
    assert len(mail.outbox) == 2
    # One address asking about many mailboxes waits too.
    client = Client(REMOTE_ADDR="198.51.100.3")
    answers = [
        client.post("/accounts/password/reset/", {"email": f"x{i}@example.cn"}).status_code for i in range(5)
    ]
    assert answers == [302, 302, 302, 302, 429]


@pytest.mark.django_db
def test_registration_is_rate_limited_per_address(settings: Any) -> None:
    settings.REGISTER_MAX_PER_IP = 3
    client = Client(REMOTE_ADDR="203.0.113.40")
    assert client.post("/accounts/register/", _register_data(mobile="12345")).status_code == 400
    assert client.post("/accounts/register/", _register_data(mobile="13811110001")).status_code == 302
    client.post("/accounts/logout/")
    assert client.post("/accounts/register/", _register_data(mobile="13811110002")).status_code == 302
    client.post("/accounts/logout/")
    refused = client.post("/accounts/register/", _register_data(mobile="13811110003"))
    assert refused.status_code == 429
    assert "注册请求过于频繁，请 60 分钟后再试。" in refused.content.decode()
    assert not User.objects.filter(mobile="13811110003").exists()
    # Someone at another address registers.
    other = Client(REMOTE_ADDR="192.0.2.40")
    assert other.post("/accounts/register/", _register_data(mobile="13811110003")).status_code == 302


@pytest.mark.django_db
def test_login_page_links_to_password_reset() -> None:
    assert 'href="/accounts/password/reset/"' in Client().get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_the_header_links_a_logged_in_user_to_the_password_change(make_user: Any, login_client: Any) -> None:
    page = login_client(make_user()).get("/accounts/password/").content.decode()
    assert 'class="whoami" href="/accounts/password/"' in page


@pytest.mark.django_db
def test_password_reset_page_in_english() -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/accounts/password/reset/").content.decode()
    assert "Reset your password" in page and "Send the reset link" in page
