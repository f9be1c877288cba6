"""Login by mobile or e-mail (argon2), throttling, registration with inline errors, members, CSRF."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from shouzhan.accounts.models import Membership, User
from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role
from shouzhan.registry.models import Enterprise
from tests.conftest import PASSWORD, valid_credit_code


@pytest.mark.argon2
@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2(make_user: Any) -> None:
    user = make_user()
    assert user.password.startswith("argon2")


@pytest.mark.django_db
@pytest.mark.parametrize("login_as", ["mobile", "spaced_mobile", "email_upper"])
def test_login_by_mobile_or_email(make_user: Any, login_as: str) -> None:
    user = make_user(mobile="13912345678", email="lin@example.cn")
    login = {"mobile": "13912345678", "spaced_mobile": "+86 139-1234-5678", "email_upper": "LIN@example.cn"}[
        login_as
    ]
    client = Client()
    response = client.post("/accounts/login/", {"login": login, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/api/v1/me").json()["id"] == user.pk
    assert AuditEntry.objects.filter(action="accounts.login_succeed", actor=user).count() == 1


@pytest.mark.django_db
def test_wrong_password_is_400_with_message(make_user: Any) -> None:
    make_user(mobile="13912345670")
    response = Client().post("/accounts/login/", {"login": "13912345670", "password": "wrong-password"})
    assert response.status_code == 400
    assert "手机号/邮箱或密码不正确" in response.content.decode()


@pytest.mark.django_db
def test_login_is_throttled_after_repeated_failures(make_user: Any, settings: Any) -> None:
    settings.LOGIN_MAX_FAILURES = 5
    make_user(mobile="13912345671")
    client = Client()
    for _ in range(5):
        assert (
            client.post("/accounts/login/", {"login": "13912345671", "password": "nope"}).status_code == 400
        )
    # Even the right password now waits.
    locked = client.post("/accounts/login/", {"login": "13912345671", "password": PASSWORD})
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    # Another account from another address is not affected.
    make_user(mobile="13912345672")
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post("/accounts/login/", {"login": "13912345672", "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_csrf_is_enforced_on_login() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": "13900000000", "password": "x"})
    assert response.status_code == 403
    assert "安全令牌" in response.content.decode()


def _register_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "林晓",
        "mobile": "13811112222",
        "email": "",
        "password1": "Guanghe-2026!",
        "password2": "Guanghe-2026!",
        "enterprise_name": "上海光合剧场文化科技有限公司",
        "credit_code": "",
        "district": "徐汇",
        "sector": "micro_drama",
        "agree": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_register_creates_owner_organisation_and_enterprise() -> None:
    client = Client()
    code = valid_credit_code()
    response = client.post("/accounts/register/", _register_data(credit_code=code.lower()))
    assert response.status_code == 302
    user = User.objects.get(mobile="13811112222")
    enterprise = Enterprise.objects.get(credit_code=code)
    assert response["Location"] == f"/e/{enterprise.pk}/edit/"
    assert user.role == Role.ENTREPRENEUR
    assert enterprise.district == "徐汇" and enterprise.stage == "registered"
    assert Membership.objects.get(user=user, organisation=enterprise.organisation).is_owner
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {
        "accounts.user_register",
        "registry.enterprise_create",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mobile", "12345", "请输入有效的 11 位手机号码"),
        ("credit_code", "91330100799655058A", "校验位错误：最后一位应为“B”"),
        ("credit_code", "9133010079965505", "应为 18 位"),
        ("password2", "different-2026!", "两次输入的密码不一致"),
        ("password1", "12345678", "密码"),
        ("enterprise_name", "", "这个字段是必填项"),
    ],
)
def test_register_bad_input_is_400_with_inline_message(field: str, value: str, message: str) -> None:
    data = _register_data(**{field: value})
    if field == "password1":
        data["password2"] = value
    response = Client().post("/accounts/register/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_register_refuses_a_taken_mobile(make_user: Any) -> None:
    make_user(mobile="13811112222")
    response = Client().post("/accounts/register/", _register_data())
    assert response.status_code == 400
    assert "该手机号已注册" in response.content.decode()


@pytest.mark.django_db
def test_owner_adds_and_removes_members(make_enterprise: Any, login_client: Any) -> None:
    enterprise, owner = make_enterprise()
    client = login_client(owner)
    url = f"/accounts/enterprise/{enterprise.pk}/members/"
    response = client.post(
        url, {"name": "小周", "mobile": "13955556666", "title": "剪辑", "password": "Edit-2026-x"}
    )
    assert response.status_code == 302
    member = User.objects.get(mobile="13955556666")
    membership = Membership.objects.get(user=member, organisation=enterprise.organisation)
    assert not membership.is_owner
    # The new member can read the enterprise but cannot manage members.
    assert login_client(member).get(f"/e/{enterprise.pk}/").status_code == 200
    assert login_client(member).post(url, {"remove": membership.pk}).status_code == 403
    assert client.post(url, {"remove": membership.pk}).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    actions = list(AuditEntry.objects.filter(enterprise_id=enterprise.pk).values_list("action", flat=True))
    assert "accounts.member_add" in actions and "accounts.member_remove" in actions


@pytest.mark.django_db
def test_members_of_another_enterprise_are_404(make_enterprise: Any, login_client: Any) -> None:
    _a, owner_a = make_enterprise()
    b, _ = make_enterprise()
    client = login_client(owner_a)
    url = f"/accounts/enterprise/{b.pk}/members/"
    assert client.get(url).status_code == 404
    assert (
        client.post(url, {"name": "x", "mobile": "13955550000", "password": "Strong-pass-1"}).status_code
        == 404
    )
    assert not User.objects.filter(mobile="13955550000").exists()


@pytest.mark.django_db
def test_bad_member_input_is_400(make_enterprise: Any, login_client: Any) -> None:
    enterprise, owner = make_enterprise()
    response = login_client(owner).post(
        f"/accounts/enterprise/{enterprise.pk}/members/", {"name": "小周", "mobile": "555", "password": ""}
    )
    assert response.status_code == 400
    assert "请输入有效的 11 位手机号码" in response.content.decode()


@pytest.mark.django_db
def test_pages_never_500_on_unknown_urls(client: Any) -> None:
    assert client.get("/e/999999/").status_code in {302, 404}
    assert client.get("/no-such-page/").status_code == 404
    assert "没有找到" in client.get("/no-such-page/").content.decode()


@pytest.mark.django_db
def test_landing_is_chinese_and_english_is_switchable(client: Any) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "创业首站" in response.content.decode()
    assert response["Content-Security-Policy"].startswith("default-src 'self'")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "First Stop" in client.get("/").content.decode()
