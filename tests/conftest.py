"""Shared fixtures: users of every role, enterprises with owners, a logged-in client, and a browser."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from django.db.backends.base.operations import BaseDatabaseOperations
from django.test import Client

from shouzhan.accounts.models import Membership, Organisation, User
from shouzhan.core.roles import Role
from shouzhan.registry import credit_code
from shouzhan.registry.models import Enterprise

PASSWORD = "Shouzhan-2026!"
_counter = itertools.count(1)

# Append-only tables (the audit trail, the ledger) refuse UPDATE/DELETE/TRUNCATE by trigger.
# Django's test flush (transactional tests, the live server) must empty them between tests, so
# tests — and only tests — lift every trigger around the flush and put them back afterwards.
_original_flush = BaseDatabaseOperations.execute_sql_flush


def _flush_with_triggers_lifted(self: BaseDatabaseOperations, sql_list: Iterable[str]) -> None:
    connection = self.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        try:
            _original_flush(self, sql_list)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    try:
        _original_flush(self, sql_list)
    finally:
        with connection.cursor() as cursor:
            for _name, sql in triggers:
                cursor.execute(sql)


BaseDatabaseOperations.execute_sql_flush = _flush_with_triggers_lifted  # type: ignore[method-assign,assignment]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `postgres` (concurrency, locking, constraints, scale) run only against PostgreSQL."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL; make test runs them there)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def pytest_configure(config: pytest.Config) -> None:
    # Playwright's sync API runs an event loop in the main thread; Django's ORM calls in the
    # same test are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def unique_mobile() -> str:
    return f"139{next(_counter) + os.getpid() % 1000 * 10000:08d}"[:11]


def valid_credit_code(n: int | None = None) -> str:
    """A valid 统一社会信用代码 (Xuhui region code 310104) with a correct check character."""
    n = (next(_counter) + os.getpid() * 1000) % 10**7 if n is None else n
    return credit_code.make(f"91310104MA{n:07d}")


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    def make(role: str = Role.ENTREPRENEUR, name: str = "", **extra: Any) -> User:
        mobile = extra.pop("mobile", None) or unique_mobile()
        return User.objects.create_user(
            name=name or f"{role}-{mobile[-4:]}", password=PASSWORD, mobile=mobile, role=role, **extra
        )

    return make


@pytest.fixture
def make_enterprise(db: Any, make_user: Callable[..., User]) -> Callable[..., tuple[Enterprise, User]]:
    """An enterprise with an organisation and an owner; returns (enterprise, owner)."""

    def make(name: str = "", owner: User | None = None, **facts: Any) -> tuple[Enterprise, User]:
        owner = owner or make_user()
        name = name or f"测试企业{next(_counter)}"
        organisation = Organisation.objects.create(name=name)
        Membership.objects.create(user=owner, organisation=organisation, is_owner=True)
        facts.setdefault("credit_code", valid_credit_code())
        enterprise = Enterprise.objects.create(name=name, organisation=organisation, **facts)
        return enterprise, owner

    return make


@pytest.fixture
def login_client() -> Callable[[User], Client]:
    def login(user: User) -> Client:
        client = Client()
        client.force_login(user, backend="shouzhan.accounts.backends.MobileOrEmailBackend")
        return client

    return login


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright (no browser download needed)."""
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not os.path.exists(executable):
        pytest.skip(f"Chromium not found at {executable} (make test installs it)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    pg = context.new_page()
    pg.base_url = live_server.url  # type: ignore[attr-defined]
    yield pg
    context.close()


@pytest.fixture(autouse=True)
def _fast_passwords(request: pytest.FixtureRequest, settings: Any) -> None:
    """Argon2 costs a noticeable fraction of a second per user; tests make hundreds of users.
    Tests about password hashing itself are marked `argon2` and keep the production hashers."""
    if request.node.get_closest_marker("argon2") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    """Rolled-back overrides fire no signal: start every test with an empty calendar cache."""
    from shouzhan.core.calendar import clear_calendar_cache

    clear_calendar_cache()
    yield
    clear_calendar_cache()


@pytest.fixture
def effect_handlers() -> Iterator[dict[str, Any]]:
    """The case effects' handler table (cases.events), restored after the test: a test may replace or wrap
    a module's handler without leaking it into the next test."""
    from shouzhan.cases import events

    saved = dict(events._handlers)
    try:
        yield events._handlers
    finally:
        events._handlers.clear()
        events._handlers.update(saved)


# ---------------------------------------------------------------------------------------------- spaces
def live_room_create() -> Any:
    """A site with a bookable resource: the live-streaming base (杨浦, floor 3) and its 直播间 A — four
    people, booked by the half hour 08:00–22:00, 120 yuan an hour, a 15-minute buffer after each booking.
    A plain function too, for data made outside a test's own fixtures (tests/api/test_conformance.py)."""
    import datetime as dt

    from shouzhan.spaces.models import Floor, Resource, Site

    base = Site.objects.create(
        name="中船科技园直播孵化基地", kind=Site.Kind.BASE, district="杨浦", area_sqm=15000
    )
    return Resource.objects.create(
        site=base,
        floor=Floor.objects.create(site=base, number=3, use="电商直播"),
        kind=Resource.Kind.LIVE_ROOM,
        unit=Resource.Unit.HOUR,
        name="直播间 A",
        capacity=4,
        opens_at=dt.time(8, 0),
        closes_at=dt.time(22, 0),
        price_hour_fen=12000,
        buffer_minutes=15,
    )


@pytest.fixture
def live_room(db: Any) -> Any:
    """The bookable live room of `live_room_create` (its site is `live_room.site`)."""
    return live_room_create()
