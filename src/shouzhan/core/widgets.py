"""Form widgets shared by every module."""

from __future__ import annotations

from typing import Any

from django import forms


class IsoDateInput(forms.DateInput):
    """A browser date picker. `<input type="date">` only understands YYYY-MM-DD, whatever the page's
    language, while Django would render the localised format (2026/11/30 under zh-hans) — which the
    browser shows as empty and then refuses to submit."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")
