"""The one way to say "someone else changed or took it meanwhile" (optimistic locking, a taken slot).

Services raise `Conflict` (or a subclass that carries more, e.g. spaces' `BookingConflict` with free
alternatives); nothing was written. Pages answer 409 and show the message beside the current state; the API
answers 409 with the one error shape, ``{"error": …, "detail": exc.detail}``, from one handler
(`shouzhan.api.urls`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from ninja import Schema


class Conflict(ValidationError):
    """The thing changed since the caller read it, or is taken: nothing was written.

    `detail` is what a client needs to recover (the current version, the free alternatives …);
    `api_error` is the API's English-first wording when it differs from the Chinese message.
    """

    def __init__(
        self,
        message: Any,
        *,
        detail: dict[str, Any] | None = None,
        api_error: str = "",
        code: str = "conflict",
    ) -> None:
        super().__init__(message, code=code)
        self.detail: dict[str, Any] = dict(detail or {})
        self.api_error = api_error

    @property
    def message_text(self) -> str:
        return str(self.messages[0]) if self.messages else ""


class ErrorOut(Schema):
    """The one error shape of the API (every module's router declares its error answers with it)."""

    error: str
    detail: Any = None
