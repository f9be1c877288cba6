"""One throttle for every way to authenticate: the login page, the admin, password change.

Failures count on the normalised identity (every spelling of a number is one account) per client
address, and per address; the client address comes from a trusted proxy's header; the owner from
another address is slowed down, never locked out; check and count cannot race (PostgreSQL test).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from django.test import Client, RequestFactory

from shouzhan.accounts.models import User
from shouzhan.core.middleware import client_ip
from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role
from tests.conftest import PASSWORD

MOBILE = "13800000004"
SPELLINGS = [
    "13800000004",
    "+86 138 0000 0004",
    "138-0000-0004",
    "１３８０００００００４",  # full-width digits
    "+８６ １３８－００００－０００４",  # full-width plus, hyphens and digits, ideographic spaces
    "0086 (138) 0000 0004",
    "١٣٨٠٠٠٠٠٠٠٤",  # Arabic-Indic digits
]


def _login_page(client: Client, login: str, password: str) -> int:
    return client.post("/accounts/login/", {"login": login, "password": password}).status_code


def _admin_login(client: Client, login: str, password: str) -> Any:
    return client.post(
        "/admin/login/?next=/admin/", {"username": login, "password": password, "next": "/admin/"}
    )


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def owner(make_user: Any) -> User:
    return make_user(mobile=MOBILE, email="owner@example.cn")  # type: ignore[no-any-return]


@pytest.fixture
def staff(make_user: Any) -> User:
    return make_user(role=Role.ADMIN, mobile=MOBILE, is_staff=True, is_superuser=True)  # type: ignore[no-any-return]


# --- the login page -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_six_wrong_in_any_spelling_then_the_right_password_is_refused(owner: User) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [_login_page(client, SPELLINGS[i % len(SPELLINGS)], f"wrong-{i}") for i in range(6)]
    assert statuses == [400, 400, 400, 400, 400, 429]
    for spelling in SPELLINGS:
        response = client.post("/accounts/login/", {"login": spelling, "password": PASSWORD})
        assert response.status_code == 429, spelling
        assert "登录失败次数过多，请 15 分钟后再试。" in response.content.decode()
    assert not _logged_in(client)


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_of_the_number_logs_in(owner: User, spelling: str) -> None:
    client = Client()
    assert _login_page(client, spelling, PASSWORD) == 302
    assert client.get("/api/v1/me").json()["id"] == owner.pk


@pytest.mark.django_db
def test_mobile_and_email_of_one_account_share_one_count(owner: User) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    for i in range(3):
        assert _login_page(client, "OWNER@example.cn", f"wrong-{i}") == 400
    for i in range(2):
        assert _login_page(client, "138 0000 0004", f"wrong-{i}") == 400
    assert _login_page(client, "owner@example.cn", PASSWORD) == 429


@pytest.mark.django_db
def test_the_owner_from_another_address_logs_in_slowed_not_locked(
    owner: User, settings: Any, slept: list[float]
) -> None:
    settings.LOGIN_DELAY_STEP_SECONDS = 0.5
    settings.LOGIN_DELAY_MAX_SECONDS = 2.0
    attacker = Client(REMOTE_ADDR="198.51.100.66")
    assert [_login_page(attacker, SPELLINGS[i % 3], f"guess-{i}") for i in range(6)] == [400] * 5 + [429]
    assert slept == []  # the first five failures on an account cost nothing extra
    assert _login_page(attacker, MOBILE, PASSWORD) == 429  # the attacker's address stays locked out

    owner_client = Client(REMOTE_ADDR="192.0.2.10")
    assert _login_page(owner_client, MOBILE, PASSWORD) == 302
    assert owner_client.get("/api/v1/me").json()["id"] == owner.pk
    assert slept == [0.5]  # five failures elsewhere: the owner waits one step

    # Failures from ever more addresses slow every try on the account, up to the bound.
    for n in range(4):
        assert _login_page(Client(REMOTE_ADDR=f"198.51.100.{n + 1}"), MOBILE, "guess") == 400
    assert slept == [0.5, 0.5, 1.0, 1.5, 2.0]
    assert _login_page(Client(REMOTE_ADDR="192.0.2.11"), MOBILE, PASSWORD) == 302
    assert slept[-1] == 2.0


@pytest.mark.django_db
def test_a_success_clears_the_address_own_failures(owner: User) -> None:
    client = Client(REMOTE_ADDR="192.0.2.10")
    for i in range(4):
        assert _login_page(client, MOBILE, f"typo-{i}") == 400
    assert _login_page(client, MOBILE, PASSWORD) == 302
    client.post("/accounts/logout/")
    for i in range(4):
        assert _login_page(client, MOBILE, f"typo-again-{i}") == 400
    assert _login_page(client, MOBILE, PASSWORD) == 302


# --- the admin ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_login_six_wrong_in_any_spelling_then_the_right_password_is_refused(staff: User) -> None:
    client = Client(REMOTE_ADDR="203.0.113.8")
    for i in range(6):
        response = _admin_login(client, SPELLINGS[i % len(SPELLINGS)], f"wrong-{i}")
        assert response.status_code == 200 and not _logged_in(client)
    response = _admin_login(client, "+86 138-0000-0004", PASSWORD)
    assert not _logged_in(client)
    assert "登录失败次数过多，请 15 分钟后再试。" in response.content.decode()
    # The owner, from another address, gets in.
    other = Client(REMOTE_ADDR="192.0.2.20")
    assert _admin_login(other, MOBILE, PASSWORD).status_code == 302
    assert _logged_in(other)


@pytest.mark.django_db
def test_login_page_and_admin_share_one_count(staff: User) -> None:
    client = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(3):
        assert _login_page(client, MOBILE, f"wrong-{i}") == 400
    for i in range(2):
        _admin_login(client, MOBILE, f"wrong-admin-{i}")
    assert not _logged_in(client)
    assert _login_page(client, MOBILE, PASSWORD) == 429
    _admin_login(client, MOBILE, PASSWORD)
    assert not _logged_in(client)


# --- addresses and proxies ------------------------------------------------------------------------


def _request(remote: str, forwarded: str | None = None) -> Any:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("10.0.0.5", "203.0.113.5", "203.0.113.5"),
        # A client may send its own header: only the hops our proxies appended are believed.
        ("10.0.0.5", "1.2.3.4, 203.0.113.5", "203.0.113.5"),
        ("10.0.0.5", "1.2.3.4, 203.0.113.5, 10.0.0.7", "203.0.113.5"),
        ("10.0.0.5", " 2001:db8::1 ", "2001:db8::1"),
        ("10.0.0.5", "203.0.113.5:4711", "203.0.113.5"),
        # Not from a trusted proxy: the header is the client's own words.
        ("198.51.100.1", "203.0.113.5", "198.51.100.1"),
        # Rubbish in the header: fall back to the last address we can vouch for.
        ("10.0.0.5", "not-an-ip", "10.0.0.5"),
        ("10.0.0.5", "", "10.0.0.5"),
        ("10.0.0.5", None, "10.0.0.5"),
        # Every hop is one of ours: the left-most is the client.
        ("10.0.0.5", "10.0.0.9, 10.0.0.7", "10.0.0.9"),
    ],
)
def test_client_address_from_a_trusted_proxy(
    settings: Any, remote: str, forwarded: str | None, expected: str
) -> None:
    settings.SHOUZHAN_TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1"]
    settings.SHOUZHAN_CLIENT_IP_HEADER = "X-Forwarded-For"
    assert client_ip(_request(remote, forwarded)) == expected


def test_without_trusted_proxies_the_header_is_ignored(settings: Any) -> None:
    settings.SHOUZHAN_TRUSTED_PROXIES = []
    assert client_ip(_request("10.0.0.5", "203.0.113.5")) == "10.0.0.5"


@pytest.mark.django_db
def test_clients_behind_one_proxy_are_counted_apart(make_user: Any, settings: Any) -> None:
    settings.SHOUZHAN_TRUSTED_PROXIES = ["10.0.0.1"]
    settings.SHOUZHAN_CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.LOGIN_MAX_FAILURES_PER_IP = 8
    victim = make_user()
    noisy = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    # Eight failures over four names from one address: that address waits, whoever it tries.
    for i in range(8):
        assert _login_page(noisy, f"1390000{i % 4:04d}", "guess") == 400
    assert _login_page(noisy, victim.mobile, PASSWORD) == 429
    # A spoofed header from the noisy client does not get it a fresh address.
    spoofed = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.99, 198.51.100.1")
    assert _login_page(spoofed, victim.mobile, PASSWORD) == 429
    # Another client behind the same proxy is not affected.
    colleague = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert _login_page(colleague, victim.mobile, PASSWORD) == 302


@pytest.mark.django_db
def test_an_untrusted_client_cannot_rotate_its_address_with_the_header(owner: User) -> None:
    statuses = [
        _login_page(Client(REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}"), MOBILE, "x")
        for i in range(6)
    ]
    assert statuses == [400] * 5 + [429]


# --- the audit trail ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_success_failure_and_lockout_are_audited_without_passwords(owner: User) -> None:
    client = Client(REMOTE_ADDR="203.0.113.50")
    for i in range(6):
        _login_page(client, "138 0000 0004", f"Secret-wrong-{i}")
    assert _login_page(Client(REMOTE_ADDR="192.0.2.50"), MOBILE, PASSWORD) == 302
    entries = list(AuditEntry.objects.filter(action__startswith="accounts.login").order_by("id"))
    assert [(e.action, e.ip) for e in entries] == [
        ("accounts.login_fail", "203.0.113.50"),
        ("accounts.login_fail", "203.0.113.50"),
        ("accounts.login_fail", "203.0.113.50"),
        ("accounts.login_fail", "203.0.113.50"),
        ("accounts.login_fail", "203.0.113.50"),
        ("accounts.login_lock", "203.0.113.50"),
        ("accounts.login_succeed", "192.0.2.50"),
    ]
    assert {e.target_id for e in entries} == {str(owner.pk)}
    assert entries[-1].actor_id == owner.pk
    dumped = " ".join(str(AuditEntry.objects.filter(pk=e.pk).values().get()) for e in entries)
    assert "Secret-wrong" not in dumped and PASSWORD not in dumped


# --- PostgreSQL: the check and the count cannot race ----------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_thirty_parallel_wrong_passwords_get_exactly_the_allowed_checks(
    make_user: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.LOGIN_MAX_FAILURES = 5
    make_user(mobile=MOBILE)
    checks: list[str] = []
    lock = threading.Lock()
    real_check = User.check_password

    def counting_check(self: User, raw_password: str) -> bool:
        with lock:
            checks.append(raw_password)
        return real_check(self, raw_password)

    monkeypatch.setattr(User, "check_password", counting_check)
    n = 30
    barrier = threading.Barrier(n)

    def attempt(i: int) -> int:
        try:
            client = Client(REMOTE_ADDR="203.0.113.77")
            barrier.wait(timeout=30)
            return _login_page(client, SPELLINGS[i % len(SPELLINGS)], f"wrong-{i}")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=n) as pool:
        statuses = list(pool.map(attempt, range(n)))
    assert len(checks) == 5
    assert sorted(statuses) == [400] * 5 + [429] * 25
    assert _login_page(Client(REMOTE_ADDR="203.0.113.77"), MOBILE, PASSWORD) == 429
    assert _login_page(Client(REMOTE_ADDR="192.0.2.77"), MOBILE, PASSWORD) == 302


@pytest.mark.django_db
def test_any_caller_of_authenticate_goes_through_the_throttle(owner: User) -> None:
    """A future API login (or anything else) calling django.contrib.auth.authenticate is throttled too."""
    from django.contrib.auth import authenticate

    from shouzhan.accounts import throttle

    def request() -> Any:
        return RequestFactory().post("/api/v1/login", REMOTE_ADDR="203.0.113.90")

    for i in range(5):
        assert authenticate(request(), username=SPELLINGS[i], password="wrong") is None
    refused = request()
    assert authenticate(refused, username=MOBILE, password=PASSWORD) is None
    refusal = throttle.refusal(refused)
    assert refusal is not None and refusal.minutes == 15
    assert (
        authenticate(RequestFactory().post("/", REMOTE_ADDR="192.0.2.90"), username=MOBILE, password=PASSWORD)
        == owner
    )
