"""Every input is bounded, by one mechanism (shouzhan.core.limits) that every module uses.

These tests walk the whole API schema and every form class, so a field added later without a bound
fails here rather than in production."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest
from django import forms

import shouzhan
from shouzhan.api.urls import api
from shouzhan.core import limits

# Strings these formats parse into a fixed-size value (or a file, bounded by the upload limits).
PARSED_FORMATS = {"date", "date-time", "time", "binary"}


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _unbounded(schema: dict[str, Any], components: dict[str, Any], where: str) -> Iterator[str]:
    """Where a request schema lets a client send text, a list or an object of any size."""
    schema = _resolve(schema, components)
    for key in ("anyOf", "oneOf", "allOf"):
        for i, option in enumerate(schema.get(key, [])):
            yield from _unbounded(option, components, f"{where}<{key}{i}>")
    kind = schema.get("type")
    if kind == "string":
        if "maxLength" not in schema and "enum" not in schema and schema.get("format") not in PARSED_FORMATS:
            yield f"{where}: string without maxLength"
    elif kind == "array":
        if "maxItems" not in schema:
            yield f"{where}: array without maxItems"
        yield from _unbounded(schema.get("items", {}), components, f"{where}[]")
    elif kind == "object":
        extra = schema.get("additionalProperties")
        if extra not in (None, False) and "maxProperties" not in schema:
            yield f"{where}: object without maxProperties"
        for name, prop in schema.get("properties", {}).items():
            yield from _unbounded(prop, components, f"{where}.{name}")
        if isinstance(extra, dict):
            yield from _unbounded(extra, components, f"{where}.*")


def _operations() -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    schema = api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation, components


def test_every_string_list_and_object_a_client_sends_the_api_is_bounded() -> None:
    problems: list[str] = []
    checked = 0
    for name, operation, components in _operations():
        for param in operation.get("parameters", []):
            checked += 1
            problems += _unbounded(param["schema"], components, f"{name} {param['in']}:{param['name']}")
        for media, content in (operation.get("requestBody") or {}).get("content", {}).items():
            checked += 1
            problems += _unbounded(content["schema"], components, f"{name} body({media})")
    assert checked > 60
    assert problems == []


def test_every_list_endpoint_caps_its_page_at_the_shared_maximum() -> None:
    limited = []
    for name, operation, components in _operations():
        for param in operation.get("parameters", []):
            if param["name"] == "limit":
                schema = _resolve(param["schema"], components)
                assert schema.get("maximum", limits.PAGE_MAX + 1) <= limits.PAGE_MAX, name
                assert schema.get("minimum") == 1, name
                limited.append(name)
    assert {"GET /api/v1/community/listings", "GET /api/v1/cases", "GET /api/v1/enterprises"} <= set(limited)


# Arrays bounded by what they list, not by what clients add: the workflow's case types, one row per case
# type or caseworker, the policy catalogue and its versions, the staff's programmes (an enterprise's
# wallets: one per programme), the staff's sites and resources.
FIXED_SIZE_LISTS = {
    "GET /api/v1/cases/types",
    "GET /api/v1/cases/on-time",
    "GET /api/v1/cases/response-times",
    "GET /api/v1/policies",
    "GET /api/v1/policies/{code}/versions",
    "GET /api/v1/ledger/programmes",
    "GET /api/v1/ledger/enterprises/{enterprise_id}/wallets",
    "GET /api/v1/spaces/sites",
    "GET /api/v1/spaces/resources",
    "GET /api/v1/insight/chains",  # the chains in force: a handful of data files
    "GET /api/v1/insight/targets",  # the targets in force: one data file's few
    "GET /api/v1/insight/gaps",  # one row per node of the chains in force
    "GET /api/v1/insight/gaps/{chain}/{node}/prospects",  # at most PER_KIND of each of three kinds
    "GET /api/v1/talent/support-types",  # the five talent support case types
}


def _returns_array(operation: dict[str, Any], components: dict[str, Any]) -> bool:
    responses = operation.get("responses", {})
    content = (responses.get(200) or responses.get("200") or {}).get("content", {})
    return any(_resolve(c.get("schema", {}), components).get("type") == "array" for c in content.values())


def test_every_operation_returning_an_array_pages_it_with_limit_and_offset() -> None:
    arrays: set[str] = set()
    unpaged: list[str] = []
    for name, operation, components in _operations():
        if not _returns_array(operation, components):
            continue
        arrays.add(name)
        params = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}
        if name in FIXED_SIZE_LISTS:
            continue
        if "limit" not in params or "offset" not in params:
            unpaged.append(name)
            continue
        limit = _resolve(params["limit"]["schema"], components)
        assert (limit.get("minimum"), limit.get("maximum")) == (1, limits.PAGE_MAX), name
    assert unpaged == []
    assert FIXED_SIZE_LISTS <= arrays  # an exception that no longer exists is taken off the list
    assert {
        "GET /api/v1/community/events",
        "GET /api/v1/spaces/bookings",
        "GET /api/v1/spaces/tenancies",
    } <= (arrays - FIXED_SIZE_LISTS)


# ------------------------------------------------------------------------------------------ forms
def _import_everything() -> None:
    for module in pkgutil.walk_packages(shouzhan.__path__, "shouzhan."):
        if ".migrations" in module.name or module.name.endswith(("demo_data", "wsgi")):
            continue
        importlib.import_module(module.name)


def _project_forms() -> list[type[forms.BaseForm]]:
    _import_everything()
    found: list[type[forms.BaseForm]] = []
    todo = [forms.BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("shouzhan."):
                found.append(sub)
    return sorted(set(found), key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _unbounded_fields(fields: dict[str, forms.Field]) -> list[str]:
    return [name for name, f in fields.items() if isinstance(f, forms.CharField) and f.max_length is None]


def _fields_of(cls: type[forms.BaseForm]) -> dict[str, forms.Field]:
    """The fields of a form as made (Django's own forms set some bounds in __init__); the declared ones
    when the form needs arguments only its view has."""
    for args in ((), (None,)):
        try:
            return cls(*args).fields
        except TypeError:
            continue
    return cls.base_fields


@pytest.mark.django_db
def test_every_char_field_of_every_form_class_has_a_max_length() -> None:
    classes = _project_forms()
    assert len(classes) > 25
    problems = {
        f"{cls.__module__}.{cls.__qualname__}": bad
        for cls in classes
        if (bad := _unbounded_fields(_fields_of(cls)))
    }
    assert problems == {}


@pytest.mark.django_db
def test_fields_a_form_adds_when_it_is_made_are_bounded_too() -> None:
    from shouzhan.cases import workflow as wf
    from shouzhan.cases.forms import CaseForm, ResubmitForm
    from shouzhan.policies.forms import FactsForm

    made: list[forms.BaseForm] = [FactsForm()]
    for ct in wf.case_types():
        made.append(CaseForm(case_type=ct, enterprises=[], projects=[]))
        made.append(ResubmitForm(case_type=ct))
    for form in made:
        assert _unbounded_fields(form.fields) == [], type(form).__name__


def test_a_bounded_form_bounds_what_it_declares_and_what_its_init_adds() -> None:
    class Note(limits.BoundedForm):
        title = forms.CharField()
        body = forms.CharField(widget=forms.Textarea)
        code = forms.CharField(max_length=8)

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.fields["later"] = forms.CharField(widget=forms.Textarea, required=False)

    form = Note(
        data={"title": "x" * (limits.TEXT + 1), "body": "y" * limits.LONG_TEXT, "code": "z", "later": ""}
    )
    assert [form.fields[n].max_length for n in ("title", "body", "code", "later")] == [
        limits.TEXT,
        limits.LONG_TEXT,
        8,
        limits.LONG_TEXT,
    ]
    assert form.fields["title"].widget.attrs["maxlength"] == str(limits.TEXT)
    assert not form.is_valid()
    assert list(form.errors) == ["title"]
    assert "2000" in form.errors["title"][0]


# ------------------------------------------------------------------------------------------ the API refuses
def _post_json(client: Any, url: str, body: Any, method: str = "post") -> Any:
    import json

    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_case_data_is_bounded_in_depth_keys_and_size(make_enterprise: Any, login_client: Any) -> None:
    from shouzhan.cases.models import Case

    enterprise, owner = make_enterprise()
    client = login_client(owner)
    base = {"case_type": "service.consultation", "enterprise_id": enterprise.pk, "title": "政策咨询"}
    deep: Any = "底"
    for _ in range(limits.JSON_MAX_DEPTH):
        deep = {"层": deep}
    cases = [
        (
            {"need": "问", **{f"k{i}": i for i in range(limits.JSON_MAX_KEYS)}},
            f"at most {limits.JSON_MAX_KEYS} items",
        ),
        ({"need": "问", "extra": deep}, f"nested deeper than {limits.JSON_MAX_DEPTH} levels"),
        ({"need": "问" * (limits.LONG_TEXT + 1)}, f"a text longer than {limits.LONG_TEXT} characters"),
        (
            {"need": "问", **{f"k{i}": "长" * limits.LONG_TEXT for i in range(11)}},
            f"more than {limits.JSON_MAX_CHARS} characters in all",
        ),
    ]
    for data, message in cases:
        response = _post_json(client, "/api/v1/cases", base | {"data": data})
        assert response.status_code == 422, message
        detail = response.json()["detail"]
        assert [d["field"] for d in detail] == ["data"], message
        assert detail[0]["message"].startswith(message), detail
    assert not Case.objects.exists()
    # Within the bounds: accepted.
    ok = {"need": "问" * limits.LONG_TEXT, "extra": {"a": {"b": ["c"]}}}
    assert _post_json(client, "/api/v1/cases", base | {"data": ok}).status_code == 201


@pytest.mark.django_db
def test_project_and_enterprise_descriptions_are_bounded(make_enterprise: Any, login_client: Any) -> None:
    enterprise, owner = make_enterprise()
    client = login_client(owner)
    too_long = "述" * (limits.LONG_TEXT + 1)
    expected = [
        {
            "field": "description",
            "message": f"at most {limits.LONG_TEXT} characters / 最多 {limits.LONG_TEXT} 个字",
        }
    ]
    project = _post_json(
        client,
        f"/api/v1/enterprises/{enterprise.pk}/projects",
        {"kind": "agent", "title": "智能体", "description": too_long},
    )
    assert (project.status_code, project.json()["detail"]) == (422, expected)
    patched = _post_json(
        client,
        f"/api/v1/enterprises/{enterprise.pk}",
        {"expected_version": enterprise.version, "description": too_long},
        method="patch",
    )
    assert (patched.status_code, patched.json()["detail"]) == (422, expected)
    enterprise.refresh_from_db()
    assert enterprise.description == ""
