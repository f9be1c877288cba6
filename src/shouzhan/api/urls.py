"""The JSON API under /api/v1/ — one router per module; OpenAPI schema at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import django_auth

from shouzhan.api.core import router as core_router

api = NinjaAPI(
    title="Shouzhan API",
    version="1",
    description="首站 一站式营商服务平台 JSON API. Session authentication (log in on the site); "
    "unsafe methods need the CSRF token in X-CSRFToken.",
    auth=django_auth,
    urls_namespace="api",
)


def _error(request: HttpRequest, status: int, message: str, detail: Any = None) -> HttpResponse:
    body: dict[str, Any] = {"error": message}
    if detail is not None:
        body["detail"] = detail
    return api.create_response(request, body, status=status)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, str(exc) or "forbidden / 无权操作")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, str(exc) or "not found / 未找到")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "authentication required / 请先登录")


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    return _error(request, 422, "invalid input / 输入有误", detail)


api.add_router("/", core_router)

from shouzhan.policies.api import router as policies_router  # noqa: E402

api.add_router("/", policies_router)
try:  # the registry router is being written
    from shouzhan.registry.api import router as registry_router

    api.add_router("/", registry_router)
except ImportError:  # pragma: no cover
    pass
