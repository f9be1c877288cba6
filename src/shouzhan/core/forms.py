"""Glue between forms and services: a service's refusal shown on the form that asked for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError


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
