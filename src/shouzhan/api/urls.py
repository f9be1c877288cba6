"""The JSON API under /api/v1/ — one router per module; OpenAPI schema at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

from shouzhan.api.core import router as core_router
from shouzhan.api.schema import ShouzhanAPI
from shouzhan.core.errors import Conflict

api = ShouzhanAPI(
    title="Shouzhan API",
    version="1",
    description="首站 一站式营商服务平台 JSON API. Session authentication (log in on the site); "
    "unsafe methods need the CSRF token in X-CSRFToken.",
    auth=django_auth,
    urls_namespace="api",
)


UNPARSEABLE = "cannot parse the request body (JSON expected) / 无法解析请求内容（应为 JSON）"


def _error(request: HttpRequest, status: int, message: str, detail: Any = None) -> HttpResponse:
    body: dict[str, Any] = {"error": message}
    if detail is not None:
        body["detail"] = detail
    return api.create_response(request, body, status=status)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    reason = str(exc)
    return _error(request, 403, f"forbidden / 无权操作{'：' + reason if reason else ''}")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    reason = str(exc)
    return _error(request, 404, f"not found / 未找到{'：' + reason if reason else ''}")


@api.exception_handler(NinjaValidationError)
def _schema_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """Wrong types or missing fields in the request, in the same shape as every other error."""
    detail = [{"field": _field_path(err.get("loc", ())), "message": _message(err)} for err in exc.errors]
    return _error(request, 422, "invalid input / 输入有误", detail)


def _message(err: dict[str, Any]) -> str:
    """A bound of shouzhan.core.limits said in both languages; other messages as pydantic words them."""
    kind, ctx = err.get("type"), err.get("ctx") or {}
    if kind == "string_too_long":
        return f"at most {ctx.get('max_length')} characters / 最多 {ctx.get('max_length')} 个字"
    if kind == "too_long":
        return f"at most {ctx.get('max_length')} items / 最多 {ctx.get('max_length')} 项"
    if kind == "less_than_equal":
        return f"at most {ctx.get('le')} / 不能大于 {ctx.get('le')}"
    return str(err.get("msg", ""))


def _field_path(loc: Any) -> str | None:
    # ("body", "payload", "facts") → "facts"; ("query", "n") → "n"
    parts = [str(p) for p in loc]
    parts = parts[2:] if parts[:1] == ["body"] and len(parts) > 2 else parts[1:]
    return ".".join(parts) or None


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = str(exc.message)
    if message == "Cannot parse request body":  # ninja's words for a body that is not JSON
        message = UNPARSEABLE
    return _error(request, exc.status_code, message)


@api.exception_handler(RawPostDataException)
def _body_already_read(request: HttpRequest, exc: RawPostDataException) -> HttpResponse:
    # A large multipart upload is parsed from the stream before the view (the input rules); a JSON
    # endpoint sent one cannot read it as JSON.
    return _error(request, 400, UNPARSEABLE)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "authentication required / 请先登录")


@api.exception_handler(Conflict)
def _conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    """Every "changed meanwhile" and "taken" of every module: 409 with what the client needs to recover."""
    error = f"{exc.api_error or 'conflict'} / {exc.message_text}"
    return _error(request, 409, error, exc.detail or None)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    return _error(request, 422, "invalid input / 输入有误", detail)


api.add_router("/", core_router)

from shouzhan.assets.api import router as assets_router  # noqa: E402
from shouzhan.cases.api import router as cases_router  # noqa: E402
from shouzhan.community.api import router as community_router  # noqa: E402
from shouzhan.frontline.api import router as frontline_router  # noqa: E402
from shouzhan.insight.api import router as insight_router  # noqa: E402
from shouzhan.ledger.api import router as ledger_router  # noqa: E402
from shouzhan.offers.api import router as offers_router  # noqa: E402
from shouzhan.patrols.api import router as patrols_router  # noqa: E402
from shouzhan.policies.api import router as policies_router  # noqa: E402
from shouzhan.registry.api import router as registry_router  # noqa: E402
from shouzhan.spaces.api import router as spaces_router  # noqa: E402
from shouzhan.talent.api import router as talent_router  # noqa: E402

api.add_router("/", registry_router)
api.add_router("/", policies_router)
api.add_router("/", cases_router)
api.add_router("/", ledger_router)
api.add_router("/", spaces_router)
api.add_router("/", community_router)
api.add_router("/", assets_router)
api.add_router("/", talent_router)
api.add_router("/", offers_router)
api.add_router("/", frontline_router)
api.add_router("/", patrols_router)
api.add_router("/", insight_router)
