"""The one throttle every way in goes through: logins (the login page, the admin, password change —
all of them through the authentication backend), password-reset e-mails and registrations.

A try is *reserved* before the work it guards (the password check, the e-mail) in one short
transaction that locks a row per counted key, counts the tries in the window and records this one:
two parallel tries cannot both see "one left". A login that succeeds takes its try back.

Login tries count per (identity, client address) and per address. The identity is the account
(`user:42`) whenever the name typed belongs to one, so every spelling of a mobile number and the
account's e-mail are one count; a name that matches no account counts as its normalised self.
Someone else's failures never lock the owner out: they only slow every try on the account down,
a step per failure beyond the limit, up to a few seconds.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.accounts.models import AuthAttempt, ThrottleLock


@dataclass(frozen=True)
class Rule:
    """Count the tries that share the identity and/or the address; refuse at `limit_setting`."""

    by_identity: bool
    by_address: bool
    limit_setting: str


@dataclass(frozen=True)
class Scope:
    name: str
    rules: tuple[Rule, ...]
    window_setting: str
    slows_identity: bool = False  # progressive delay on the identity across all addresses

    @property
    def window(self) -> dt.timedelta:
        return dt.timedelta(seconds=getattr(settings, self.window_setting))


LOGIN = Scope(
    "login",
    (Rule(True, True, "LOGIN_MAX_FAILURES"), Rule(False, True, "LOGIN_MAX_FAILURES_PER_IP")),
    "LOGIN_LOCKOUT_SECONDS",
    slows_identity=True,
)
REGISTER = Scope("register", (Rule(False, True, "REGISTER_MAX_PER_IP"),), "REGISTER_WINDOW_SECONDS")
PASSWORD_RESET = Scope(
    "reset",
    (Rule(True, False, "PASSWORD_RESET_MAX_PER_EMAIL"), Rule(False, True, "PASSWORD_RESET_MAX_PER_IP")),
    "PASSWORD_RESET_WINDOW_SECONDS",
)


class Throttled(PermissionDenied):
    """Too many tries: wait `wait_seconds`."""

    def __init__(self, scope: Scope, wait_seconds: int) -> None:
        self.scope = scope
        self.wait_seconds = max(1, wait_seconds)
        super().__init__(self.message)

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.wait_seconds / 60))

    @property
    def message(self) -> str:
        if self.scope is REGISTER:
            return _("注册请求过于频繁，请 %(m)d 分钟后再试。") % {"m": self.minutes}
        if self.scope is PASSWORD_RESET:
            return _("请求过于频繁，请 %(m)d 分钟后再试。") % {"m": self.minutes}
        return _("登录失败次数过多，请 %(m)d 分钟后再试。") % {"m": self.minutes}


@dataclass
class Attempt:
    """A reserved try. Left alone it counts (a failed login, a sent e-mail); `succeeded` takes it back."""

    pk: int
    scope: Scope
    identity: str
    address: str
    delay: float  # seconds to wait before doing the guarded work
    reaches_limit: bool  # if this try counts, the next one from here is refused

    def succeeded(self) -> None:
        # The owner got in: forget this address's failures on the account (and this try).
        AuthAttempt.objects.filter(
            scope=self.scope.name, identity=self.identity, address=self.address
        ).delete()


def identity_for(user: Any, login: str) -> str:
    return f"user:{user.pk}" if user is not None else f"login:{login}"


def address_key(address: str | None) -> str:
    """The address a limit counts: IPv4 as is; IPv6 by its /64, which one subscriber usually holds whole."""
    if not address:
        return ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _filter(rule: Rule, identity: str, address: str) -> dict[str, str]:
    return {
        **({"identity": identity} if rule.by_identity else {}),
        **({"address": address} if rule.by_address else {}),
    }


def _lock(keys: list[str], now: dt.datetime) -> None:
    """Lock one row per key (created on first use), always in the same order: no deadlocks."""
    for key in keys:
        for _try in range(3):
            ThrottleLock.objects.bulk_create([ThrottleLock(key=key, at=now)], ignore_conflicts=True)
            # The UPDATE holds the row lock until commit (and takes SQLite's write lock first thing).
            if ThrottleLock.objects.filter(key=key).update(at=now):
                break


def reserve(scope: Scope, *, identity: str = "", address: str | None = None) -> Attempt:
    """Count this try, or raise Throttled (with how long to wait) when a limit is reached."""
    now = timezone.now()
    since = now - scope.window
    addr = address_key(address)
    rules = [(rule, getattr(settings, rule.limit_setting)) for rule in scope.rules]
    rules = [(rule, limit) for rule, limit in rules if limit > 0]  # 0 switches a limit off
    keys = sorted(
        {
            f"{scope.name}|" + "|".join(f"{k}={v}" for k, v in _filter(r, identity, addr).items())
            for r, _l in rules
        }
    )
    with transaction.atomic():
        _lock(keys, now)
        refused, wait, reaches_limit = False, 0, False
        for rule, limit in rules:
            times = list(
                AuthAttempt.objects.filter(scope=scope.name, at__gte=since, **_filter(rule, identity, addr))
                .order_by("-at")
                .values_list("at", flat=True)[:limit]
            )
            if len(times) >= limit:
                refused = True
                wait = max(wait, math.ceil((times[-1] + scope.window - now).total_seconds()))
            reaches_limit = reaches_limit or len(times) + 1 >= limit
        if refused:
            raise Throttled(scope, wait)
        delay = 0.0
        if scope.slows_identity and identity:
            failures = AuthAttempt.objects.filter(scope=scope.name, identity=identity, at__gte=since).count()
            delay = progressive_delay(failures)
        row = AuthAttempt.objects.create(scope=scope.name, identity=identity, address=addr, at=now)
    # Keep the table small: forget what has left every window.
    AuthAttempt.objects.filter(scope=scope.name, at__lt=since).delete()
    ThrottleLock.objects.filter(key__startswith=f"{scope.name}|", at__lt=since).delete()
    return Attempt(row.pk, scope, identity, addr, delay, reaches_limit)


def progressive_delay(failures: int) -> float:
    """Seconds a login try waits after `failures` recent failures on the account from anywhere."""
    allowed = settings.LOGIN_MAX_FAILURES
    if failures < allowed:
        return 0.0
    step = settings.LOGIN_DELAY_STEP_SECONDS * (failures - allowed + 1)
    return float(min(settings.LOGIN_DELAY_MAX_SECONDS, step))


_sleep = time.sleep  # tests record the pause instead of sleeping


def pause(seconds: float) -> None:
    if seconds > 0:
        _sleep(seconds)


# Django's authenticate() turns a backend's PermissionDenied into "no user"; the page that asked
# learns why (and how long to wait) from the request.
_REQUEST_ATTR = "_shouzhan_throttled"


def remember(request: Any, refusal: Throttled) -> None:
    if request is not None:
        setattr(request, _REQUEST_ATTR, refusal)


def refusal(request: Any) -> Throttled | None:
    return getattr(request, _REQUEST_ATTR, None)


def forget(scope: Scope, *, identity: str) -> None:
    """A new password makes the guesses at the old one moot: the owner starts afresh everywhere."""
    AuthAttempt.objects.filter(scope=scope.name, identity=identity).delete()
