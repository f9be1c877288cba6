"""Glue between forms and services (a service's refusal shown on the form that asked for it), and the
one date field every form uses (CalendarDateField)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _l

from shouzhan.core.widgets import IsoDateInput
from shouzhan.core.workdays import MAX_DATE, MIN_DATE

DATE_RANGE_MESSAGE = _l("日期应在 %(min)s 至 %(max)s 之间。")


class CalendarDateField(forms.DateField):
    """A date typed into a page, within the working-day calendar's range (core.workdays: 1900–2200).

    Every date field of every form is one of these (a test keeps it so): a date from a page never
    reaches a deadline, a booking or a report outside the range the calendar answers for, nor Python's
    own date limits (9999-12-31 plus a day overflowed into a 500). The browser's date picker gets the
    same bounds as min/max."""

    widget = IsoDateInput
    default_error_messages = {
        "invalid": _l("请输入有效日期，如 2026-05-06。"),
        "out_of_range": DATE_RANGE_MESSAGE,
    }

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if not widget.is_hidden:
            attrs.update({"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()})
        return attrs

    def validate(self, value: dt.date | None) -> None:
        super().validate(value)
        if value is not None and not MIN_DATE <= value <= MAX_DATE:
            raise ValidationError(
                self.error_messages["out_of_range"],
                code="out_of_range",
                params={"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()},
            )


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError onto the form: field errors inline, the rest on top.

    A service speaks in fen (`amount_fen`) where the form asks in yuan (`amount_yuan`): such an error
    goes to the yuan field when the form has one."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        yuan = name.removesuffix("_fen") + "_yuan" if name.endswith("_fen") else None
        if name in form.fields:
            target: str | None = name
        elif yuan in form.fields:
            target = yuan
        else:
            target = None
        form.add_error(target, errors)


def form_saved(form: forms.Form, save: Callable[[], Any]) -> bool:
    """Validate the form, then call the service (`save`, which reads `form.cleaned_data`).
    True when it saved; otherwise the form carries the errors, inline where a field is named."""
    if not form.is_valid():
        return False
    try:
        save()
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    return True
