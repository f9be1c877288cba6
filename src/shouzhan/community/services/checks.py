"""Checks every community service shares."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def unknown_fields(data: dict[str, Any], allowed: set[str]) -> None:
    """Refuse a field the service does not know (a typo in an API client), naming it."""
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError(_("未知字段：%(names)s") % {"names": "、".join(unknown)})
