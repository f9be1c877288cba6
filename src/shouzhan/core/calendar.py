"""The working-day calendar with the database's administrator overrides."""

from __future__ import annotations

import threading
import time

from django.db.models.signals import post_delete, post_save
from django.db.utils import DatabaseError

from shouzhan.core.models import ConfirmedYear, WorkdayOverride
from shouzhan.core.workdays import DEFAULT, Calendar

_TTL_SECONDS = 30.0
_lock = threading.Lock()
_cached: tuple[float, Calendar] | None = None


def current_calendar() -> Calendar:
    """The package's calendar plus overrides; cached briefly, cleared when overrides change."""
    global _cached
    with _lock:
        if _cached is not None and time.monotonic() - _cached[0] < _TTL_SECONDS:
            return _cached[1]
    try:
        overrides = dict(WorkdayOverride.objects.values_list("date", "is_workday"))
        years = frozenset(ConfirmedYear.objects.values_list("year", flat=True))
    except DatabaseError:  # no tables yet (before migrate): the package's calendar alone
        return DEFAULT
    calendar = Calendar(overrides=overrides, confirmed_years=years)
    with _lock:
        _cached = (time.monotonic(), calendar)
    return calendar


def clear_calendar_cache(**_: object) -> None:
    global _cached
    with _lock:
        _cached = None


for _model in (WorkdayOverride, ConfirmedYear):
    post_save.connect(clear_calendar_cache, sender=_model, dispatch_uid=f"cal-save-{_model.__name__}")
    post_delete.connect(clear_calendar_cache, sender=_model, dispatch_uid=f"cal-del-{_model.__name__}")
