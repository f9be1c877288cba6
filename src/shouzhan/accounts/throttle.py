"""Login throttling: too many failures for one login name, or from one address, wait a while."""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.utils import timezone

from shouzhan.accounts.models import LoginFailure


def _keys(login: str, ip: str | None) -> list[tuple[str, int]]:
    keys = [(f"login:{login.strip().lower()}", settings.LOGIN_MAX_FAILURES)]
    if ip:
        keys.append((f"ip:{ip}", settings.LOGIN_MAX_FAILURES_PER_IP))
    return keys


def seconds_locked(login: str, ip: str | None) -> int:
    """0 when the login may be tried; otherwise how long until the oldest counted failure expires."""
    now = timezone.now()
    window = dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    wait = 0
    for key, limit in _keys(login, ip):
        times = list(
            LoginFailure.objects.filter(key=key, at__gte=now - window)
            .order_by("-at")
            .values_list("at", flat=True)[:limit]
        )
        if len(times) >= limit:
            wait = max(wait, math.ceil((times[-1] + window - now).total_seconds()))
    return wait


def record_failure(login: str, ip: str | None) -> None:
    LoginFailure.objects.bulk_create([LoginFailure(key=key) for key, _ in _keys(login, ip)])
    # Keep the table small: forget failures older than the window.
    LoginFailure.objects.filter(
        at__lt=timezone.now() - dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    ).delete()


def record_success(login: str) -> None:
    LoginFailure.objects.filter(key=f"login:{login.strip().lower()}").delete()
