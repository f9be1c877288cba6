"""Form widgets shared by every module."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe


class FastInputMixin:
    """An <input> written out in Python, character for character what django/forms/widgets/input.html
    (with attrs.html included) writes: two template renders per field saved on long forms."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        value_html = "" if widget["value"] is None else format_html(' value="{}"', str(widget["value"]))
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            value_html,
            _attrs_html(widget["attrs"]),
        )


class FastTextInput(FastInputMixin, forms.TextInput):
    pass


class FastNumberInput(FastInputMixin, forms.NumberInput):
    pass


class IsoDateInput(FastInputMixin, forms.DateInput):
    """A browser date picker. `<input type="date">` only understands YYYY-MM-DD, whatever the page's
    language, while Django would render the localised format (2026/11/30 under zh-hans) — which the
    browser shows as empty and then refuses to submit."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _attrs_html(attrs: dict[str, Any]) -> SafeString:
    """As django/forms/widgets/attrs.html writes them: False left out, True as a bare name."""
    return mark_safe(  # noqa: S308  (names and values escaped here)
        "".join(
            f" {conditional_escape(name)}"
            if value is True
            else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
            for name, value in attrs.items()
            if value is not False
        )
    )


class FastSelect(forms.Select):
    """forms.Select written out in Python: the same elements and attributes as Django's templates (the
    whitespace between tags aside), without two template includes per option — for long forms of
    drop-downs, where they were most of the page (the calculator: 80 options, about a third of its CPU)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], _attrs_html(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            parts.extend(
                format_html(
                    '<option value="{}"{}>{}</option>', str(o["value"]), _attrs_html(o["attrs"]), o["label"]
                )
                for o in options
            )
            if group_name:
                parts.append(mark_safe("</optgroup>"))
        parts.append(mark_safe("</select>"))
        return mark_safe("\n".join(parts))  # noqa: S308  (each part escaped by format_html)
