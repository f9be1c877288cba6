"""ShouzhanAPI: the NinjaAPI of /api/v1/, keeping the OpenAPI document true to what the API answers.

Three things, each done once here rather than in every route:

- Errors. Every error the API sends is made by the exception handlers in shouzhan.api.urls as
  {"error": str, "detail": …}. The document declares those codes, with that one schema (ErrorOut), on
  every operation that can answer them (an operation's own declaration, e.g. a 409 carrying the free
  alternatives, wins).
- Integers. An integer a client sends (an id in the path, a filter in the query, a field of a body)
  that has no maximum of its own gets the range a database integer holds (64 bits). Beyond it SQLite
  cannot even bind the value (a 500 on `?enterprise_id=99999999999999999999`); now it is a 422 naming
  the field, and the document shows the range.
- Schema names. Ninja files every schema under its class name and silently keeps the last of two
  classes with one name (two `DayOut`s made the working-day answer look like a booking calendar), so
  the document records every such clash in `name_clashes`; a test keeps it empty.

The conformance test (tests/api/) runs Schemathesis against the document and the running API.
"""

from __future__ import annotations

import types
import typing
from typing import Any

import annotated_types
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.types import DictStrAny
from pydantic import BaseModel

from shouzhan.core.errors import ErrorOut

UNSAFE_METHODS = frozenset({"post", "put", "patch", "delete"})
INT_MAX = 2**63 - 1  # SQLite INTEGER and PostgreSQL bigint: the widest integer column
INT_MIN = -(2**63)


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
    return sorted(set(codes))


class _Document(OpenAPISchema):
    """The generated OpenAPI document, noting schema names that two different definitions claim."""

    def __init__(self, api: NinjaAPI, path_prefix: str) -> None:
        self.name_clashes: dict[str, list[DictStrAny]] = {}
        super().__init__(api, path_prefix)

    def add_schema_definitions(self, definitions: dict) -> None:
        for name, definition in definitions.items():
            known = self.schemas.get(name)
            if known is not None and known != definition:
                self.name_clashes.setdefault(name, [known]).append(definition)
        super().add_schema_definitions(definitions)


# ------------------------------------------------------------------------------------------ integers
def _arms(annotation: Any) -> tuple[Any, ...]:
    """The types a field accepts: `int | None` → (int, NoneType); `list[X]` → (X,)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return tuple(a for arm in typing.get_args(annotation) for a in _arms(arm))
    if origin in (list, tuple, set, frozenset):
        return tuple(a for arm in typing.get_args(annotation) if arm is not Ellipsis for a in _arms(arm))
    return (annotation,)


def _bound_integers(model: type[BaseModel], done: dict[type[BaseModel], bool]) -> bool:
    """Give every plain `int` field of `model` (and of the models it nests) the 64-bit range unless it has
    bounds of its own; rebuild what changed. Returns whether `model` or a model inside it changed (a model
    embeds its nested models' validators, so it is rebuilt after them)."""
    if model in done:
        return done[model]
    done[model] = False
    changed = False
    for field in model.model_fields.values():
        arms = _arms(field.annotation)
        for arm in arms:
            if isinstance(arm, type) and issubclass(arm, BaseModel):
                changed |= _bound_integers(arm, done)
        if int not in arms:  # `bool` fields are not `int` here
            continue
        metadata = field.metadata
        if not any(isinstance(m, annotated_types.Le | annotated_types.Lt) for m in metadata):
            metadata.append(annotated_types.Le(INT_MAX))
            changed = True
        if not any(isinstance(m, annotated_types.Ge | annotated_types.Gt) for m in metadata):
            metadata.append(annotated_types.Ge(INT_MIN))
            changed = True
    if changed:
        model.model_rebuild(force=True)
    done[model] = changed
    return changed


class ShouzhanAPI(NinjaAPI):
    """NinjaAPI with the shared error responses, bounded integers and unique schema names (see above)."""

    _integers_bounded = False

    @property
    def urls(self) -> Any:
        # Every router is registered by now (ninja refuses routers added after the URLs are built).
        if not self._integers_bounded:
            done: dict[type[BaseModel], bool] = {}
            for bound_router in self._get_bound_routers():
                for path_view in bound_router.path_operations.values():
                    for operation in path_view.operations:
                        for model in operation.models:
                            _bound_integers(model, done)
            self._integers_bounded = True
        return super().urls

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        schema = _Document(self, path_prefix)
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
