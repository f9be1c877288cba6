"""What the offers' services share: the system actor of runs, input bounds, the re-evaluated mark."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from shouzhan.core.actors import system_actor
from shouzhan.core.limits import check_length

PUSHER = system_actor("offers")  # the audit trail's actor of runs nobody started by hand
CONTACT_MAX = 120
REASON_MAX = 500


def required_text(value: str, *, field: str, limit: int, missing: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: [missing]})
    check_length(field=field, text=text, limit=limit)
    return text
