"""One input rule for the whole site and API: no control characters in what a client sends.

A NUL byte cannot be stored by PostgreSQL (a query with one is a server error), and the other C0
control characters (all but tab, line feed and carriage return) cannot be written to an .xlsx or
shown on a page. They never belong in typed text, so the request is refused before any view runs:
400 with the API's error shape under /api/, a short page elsewhere. Checked: the path, every query
parameter (names and values, decoded), every form field and uploaded file name, and every string
and key of a JSON body (decoded, at any depth).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

# C0 controls except \t \n \r.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# In JSON text a control character can only appear escaped (\u0000 … \u001f) — or raw, which is
# already invalid JSON. Only a body matching this is decoded here; others go on untouched.
_JSON_CONTROL = re.compile(rb"\\u00[01][0-9a-fA-F]|[\x00-\x08\x0b\x0c\x0e-\x1f]")

API_MESSAGE = "control characters (such as NUL) are not allowed / 输入中含有不允许的控制字符（如 NUL）"


def has_control(text: str) -> bool:
    return CONTROL.search(text) is not None


def _pairs(data: Any) -> Iterator[tuple[str, str]]:
    for key, values in data.lists():
        for value in values:
            yield key, value if isinstance(value, str) else ""


def _json_strings(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            inner = f"{path}.{key}" if path else str(key)
            yield inner, str(key)
            yield from _json_strings(value, inner)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _json_strings(value, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, node


def _first_bad(pairs: Iterable[tuple[str, str]]) -> str | None:
    for name, value in pairs:
        if has_control(name) or has_control(value):
            return CONTROL.sub("?", name)
    return None


def offending_field(request: HttpRequest) -> str | None:
    """The name of the first part of the request with a control character ("" for the path), or None."""
    if has_control(request.path):
        return "path"
    bad = _first_bad(_pairs(request.GET))
    if bad is not None:
        return bad
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    content_type = request.content_type or ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if _fits_in_memory(request):
            # Keep the raw body: a view that reads it after the form is parsed (the API does, for a
            # JSON endpoint sent a form) then still can. A larger upload is parsed from the stream.
            request.body  # noqa: B018
        bad = _first_bad(_pairs(request.POST))
        if bad is None:
            bad = _first_bad(
                (name, getattr(upload, "name", "") or "")
                for name, uploads in request.FILES.lists()
                for upload in uploads
            )
        return bad
    # Any other body may be JSON: the API reads a body as JSON whatever content type it is sent with.
    body = request.body
    if not _JSON_CONTROL.search(body):
        return None
    try:
        decoded = json.loads(body)
    except ValueError:
        return None  # not JSON: the API's own parser answers that
    return _first_bad(_json_strings(decoded))


def _fits_in_memory(request: HttpRequest) -> bool:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return limit is None or length <= limit


def too_large(request: HttpRequest) -> bool:
    """A body that is not a form (JSON from the API or a phone's outbox) larger than the site reads at once:
    Django would refuse reading it with a bare 400; here it is a 413 in words before any view runs."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    if (request.content_type or "") in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return False  # forms: files are streamed to disk, fields bounded by Django's own limits
    return not _fits_in_memory(request)


def too_large_refusal() -> HttpResponse:
    mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    message = _("发送的内容太大（超过 %(mb)s MB），请减少照片或附件后再发送。") % {"mb": mb}
    # `error` is the API's shape; the phones' outboxes read `error` or `message` and keep the record as refused.
    return JsonResponse({"error": message, "message": message, "detail": []}, status=413)


def refusal(request: HttpRequest, field: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": API_MESSAGE, "detail": [{"field": field, "message": API_MESSAGE}]}, status=400
        )
    message = _("您输入的内容中含有不允许的控制字符（如空字符），请删除后重试。")
    return render(request, "core/error.html", {"status": 400, "message": message}, status=400)


class InputRulesMiddleware:
    """Refuse a request carrying control characters (400) before any view or database sees it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if too_large(request):
            return too_large_refusal()
        field = offending_field(request)
        if field is not None:
            return refusal(request, field)
        return self.get_response(request)
