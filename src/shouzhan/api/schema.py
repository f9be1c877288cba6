"""The API's OpenAPI document states every error an operation can answer, in one shared shape.

Every error the API sends is made by the exception handlers in shouzhan.api.urls as
{"error": str, "detail": …}. Rather than repeat the error codes in a hundred route decorators,
ShouzhanAPI adds them to each operation of the generated schema (an operation's own declaration,
e.g. a 409 with alternatives, wins). The conformance test (tests/api/) holds the document to what the
running API answers.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI, Schema
from ninja.openapi.schema import OpenAPISchema

UNSAFE_METHODS = frozenset({"post", "put", "patch", "delete"})


class ErrorOut(Schema):
    """The one error shape of the API."""

    error: str
    detail: Any = None


# Why each code can come back; which operations can answer it is decided in _error_codes.
ERROR_DESCRIPTIONS = {
    400: "Malformed request (unparseable body, forbidden characters such as NUL) / 请求格式有误",
    401: "Not logged in / 请先登录",
    403: "Logged in but not allowed, or the CSRF token is missing / 无权操作",
    404: "Not found, or not yours to see / 未找到",
    409: "Conflict: a stale version, or the slot is taken / 冲突",
    422: "Invalid input (detail names the fields) / 输入有误",
    429: "Too many requests / 请求过于频繁",
}


def _error_codes(method: str, operation: dict[str, Any]) -> list[int]:
    codes = [400, 422]
    if operation.get("security"):
        # Session-authenticated: anonymous callers get 401; a role or an enterprise may be refused (403),
        # and a record of another enterprise is 404 — it is never confirmed to exist.
        codes += [401, 403, 404]
    elif any(p.get("in") == "path" for p in operation.get("parameters", [])):
        codes.append(404)
    if method in UNSAFE_METHODS and operation.get("security"):
        codes.append(403)  # CSRF refusals happen before the view, on every unsafe method
    return sorted(set(codes))


class ShouzhanAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document declares the shared error responses on every operation."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault(
            "ErrorOut", ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        )
        ref = {"$ref": "#/components/schemas/ErrorOut"}
        for methods in schema["paths"].values():
            for method, operation in methods.items():
                responses = operation.setdefault("responses", {})
                for code in _error_codes(method, operation):
                    responses.setdefault(
                        code,
                        {
                            "description": ERROR_DESCRIPTIONS[code],
                            "content": {self.renderer.media_type: {"schema": ref}},
                        },
                    )
        return schema
