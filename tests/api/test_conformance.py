"""The JSON API keeps its OpenAPI contract: Schemathesis drives every operation in process (WSGI).

Each operation runs for an enterprise's owner and a caseworker with a small deterministic budget of
examples (the examples, coverage and fuzzing phases), and for an anonymous caller with a couple of
examples (most operations answer them 401 whatever the input), checking that:
no answer is a server error, every status code is declared for the operation, the content type is
the declared one, the body matches the declared schema (errors included: one ErrorOut shape), and an
operation that needs a session never succeeds without one.

A small world (the owner's enterprise and project, a case, a listing, a booking, a tenancy, a salon and
a registration, the policy catalogue) is made once for the module, and half of the generated ids of
those kinds are replaced with the real ones, so the examples reach past "not found" into the views.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shouzhan.accounts.models import Membership, Organisation, User
from shouzhan.community import services as community
from shouzhan.core.roles import Role
from shouzhan.policies.services import catalogue_sync
from shouzhan.registry import credit_code
from shouzhan.registry.models import Enterprise, Project
from shouzhan.spaces.models import Resource, Site
from tests.conftest import live_room_create

MAX_EXAMPLES = 5  # per operation and visitor in the fuzzing phase; the coverage phase adds its boundary cases
ANONYMOUS_EXAMPLES = 2
BACKEND = "shouzhan.accounts.backends.MobileOrEmailBackend"
CSRF = "schemathesisCsrfToken0123456789a"  # 32 characters: a valid unmasked CSRF secret


def _config(examples: int, *, coverage: bool) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "generation": {"max-examples": examples, "deterministic": True},
            "phases": {"coverage": {"enabled": coverage}, "stateful": {"enabled": False}},
        }
    )


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """The site as a WSGI app for requests inside a test's transaction. As in Django's test client, a
    request must not close the database connection (and with it the test's rollback): the signal
    handler that would is held off until the response is read and closed."""
    held = [
        signal
        for signal in (signals.request_started, signals.request_finished)
        if signal.disconnect(close_old_connections)
    ]
    try:
        response = HANDLER(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            response.close()
    finally:
        for signal in held:
            signal.connect(close_old_connections)


HANDLER = get_wsgi_application()
DOCUMENT = "/api/v1/openapi.json"
schema = schemathesis.openapi.from_wsgi(DOCUMENT, app, config=_config(MAX_EXAMPLES, coverage=True))
# Without a session most operations only answer 401, whatever the input: a couple of examples each say
# so (and the anonymous_is_refused check holds them to it); the logged-in visitors get the full budget.
anonymous_schema = schemathesis.openapi.from_wsgi(
    DOCUMENT, app, config=_config(ANONYMOUS_EXAMPLES, coverage=False)
)


def anonymous_is_refused(ctx: Any, response: Any, case: Any) -> None:
    """An operation that needs a session never answers an anonymous caller with a success."""
    anonymous = "sessionid=" not in (response.request.headers.get("Cookie") or "")
    if anonymous and case.operation.definition.raw.get("security") and response.status_code < 400:
        raise AssertionError(f"{case.operation.label} answered {response.status_code} without a session")


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    anonymous_is_refused,
]

# The ids of this test's world, by parameter name; the hooks below put them into generated requests.
KNOWN: dict[str, int] = {}
TALLY: collections.Counter[str] = collections.Counter()
# Operations tried, and those that answered at least one success (for the summary line in conftest).
TRIED: set[str] = set()
SUCCEEDED: set[str] = set()


def _known(values: Any) -> Any:
    if isinstance(values, dict):
        for name, value in values.items():
            # Every other generated id becomes a real one (deterministically: by the generated value).
            if name in KNOWN and isinstance(value, int) and not isinstance(value, bool) and value % 2 == 0:
                values[name] = KNOWN[name]
    return values


def map_path_parameters(context: Any, path_parameters: dict[str, Any]) -> dict[str, Any]:
    return _known(path_parameters)


def map_query(context: Any, query: dict[str, Any]) -> dict[str, Any]:
    return _known(query)


def map_body(context: Any, body: Any) -> Any:
    return _known(body)


for _schema in (schema, anonymous_schema):
    for _hook in (map_path_parameters, map_query, map_body):
        _schema.hook(_hook)


def _created(client: Client, url: str, body: dict[str, Any]) -> int:
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 201, (url, response.content)
    return int(response.json()["id"])


def _seed() -> dict[str, Any]:
    """One of most things, made through the API where it can be (the public surface), else the ORM."""
    catalogue_sync(actor="system:test", directory=django_settings.CATALOGUE_DIR)
    owner = User.objects.create_user(name="光影工作室", mobile="13912340001", password=None)
    caseworker = User.objects.create_user(
        name="张洁", mobile="13912340002", password=None, role=Role.CASEWORKER
    )
    organisation = Organisation.objects.create(name="光影工作室")
    Membership.objects.create(user=owner, organisation=organisation, is_owner=True)
    enterprise = Enterprise.objects.create(
        name="光影工作室",
        organisation=organisation,
        credit_code=credit_code.make("91310104MA1234567"),
        district="徐汇",
        sector="micro_drama",
        is_startup=True,
        in_cluster=True,
    )
    project = Project.objects.create(enterprise=enterprise, kind="micro_drama", title="弄堂里的光", year=2026)
    room = live_room_create()  # the shared site with a bookable resource (tests/conftest.py)
    first_stop = Site.objects.create(name="徐汇创业首站", kind=Site.Kind.FIRST_STOP, district="徐汇")
    desk = Resource.objects.create(
        site=first_stop,
        kind=Resource.Kind.DESK,
        unit=Resource.Unit.MONTH,
        name="工位 D-01",
        price_month_fen=80000,
    )
    start = timezone.now() + dt.timedelta(days=3)
    event = community.event_create(
        actor=caseworker,
        data={
            "title": "OPC 创业能力沙龙",
            "capacity": 2,
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=3),
        },
    )
    as_owner, as_staff = Client(), Client()
    as_owner.force_login(owner, backend=BACKEND)
    as_staff.force_login(caseworker, backend=BACKEND)
    day = timezone.localdate() + dt.timedelta(days=7)
    at = dt.datetime.combine(day, dt.time(10, 0), tzinfo=timezone.get_current_timezone())
    known = {
        "enterprise_id": enterprise.pk,
        "project_id": project.pk,
        "resource_id": room.pk,
        "event_id": event.pk,
        "case_id": _created(
            as_owner,
            "/api/v1/cases",
            {"case_type": "service.financing", "title": "融资对接", "data": {"need": "贷款 200 万"}},
        ),
        "listing_id": _created(
            as_owner,
            "/api/v1/community/listings",
            {
                "title": "一种节能型保温墙体材料",
                "abstract": "发泡陶瓷保温墙体材料，导热系数低。",
                "field": "新材料",
                "seeking": ["licence"],
                "owner_enterprise_id": enterprise.pk,
            },
        ),
        "booking_id": _created(
            as_owner,
            "/api/v1/spaces/bookings",
            {
                "resource_id": room.pk,
                "start_at": at.isoformat(),
                "end_at": (at + dt.timedelta(hours=2)).isoformat(),
            },
        ),
        "tenancy_id": _created(
            as_staff,
            "/api/v1/spaces/tenancies",
            {
                "enterprise_id": enterprise.pk,
                "resource_id": desk.pk,
                "start_on": day.isoformat(),
                "months": 12,
            },
        ),
        "registration_id": _created(as_owner, f"/api/v1/community/events/{event.pk}/registrations", {}),
    }
    known["caseworker_id"] = caseworker.pk
    known["booking_at"] = at.isoformat()
    return {"owner": owner, "caseworker": caseworker, "known": known}


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """Made once for the module inside a transaction that is rolled back at its end; each test runs in a
    savepoint within it (pytest-django), so every test sees the same fresh world."""
    with django_db_blocker.unblock(), transaction.atomic():
        made = _seed()
        KNOWN.update(made["known"])
        yield made
        KNOWN.clear()
        transaction.set_rollback(True)


@pytest.fixture(params=["owner", "caseworker"])
def visitor(request: pytest.FixtureRequest, world: dict[str, Any]) -> Any:
    return world[request.param]


def _call(case: Any, cookies: dict[str, str]) -> Any:
    response = case.call_and_validate(
        cookies={"csrftoken": CSRF, **cookies}, headers={"X-CSRFToken": CSRF}, checks=CHECKS
    )
    TALLY["requests"] += 1
    TALLY[str(response.status_code)] += 1
    TRIED.add(case.operation.label)
    if response.status_code < 300:
        SUCCEEDED.add(case.operation.label)
    return response


HYPOTHESIS = settings(deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))


@pytest.mark.django_db
@schema.parametrize()
@HYPOTHESIS
def test_api_conforms(case: Any, visitor: Any, login_client: Any) -> None:
    _call(case, {"sessionid": login_client(visitor).cookies["sessionid"].value})


@pytest.mark.django_db
@anonymous_schema.parametrize()
@HYPOTHESIS
def test_api_conforms_anonymous(case: Any, world: dict[str, Any]) -> None:
    _call(case, {})


def _version(client: Client, url: str) -> int:
    return int(client.get(url).json()["version"])


def _valid_writes(
    k: dict[str, Any], owner: Client, staff: Client
) -> list[tuple[str, str, str, dict, Any, int]]:
    """(who, method, path, path parameters, body, expected status): writes that succeed — generated bodies
    rarely do — so their success answers are held to the schema too. A body that depends on the state
    the writes before it leave (a version) is a function, called just before its request."""
    later = dt.datetime.fromisoformat(k["booking_at"]) + dt.timedelta(hours=4)
    case_url = f"/api/v1/cases/{k['case_id']}"
    offer = {"title": "一种可降解包装膜", "abstract": "可降解。", "field": "新材料", "seeking": ["licence"]}
    return [
        (
            "owner",
            "POST",
            "/api/v1/cases",
            {},
            {"case_type": "service.financing", "title": "融资", "data": {"need": "贷款"}},
            201,
        ),
        ("caseworker", "POST", "/api/v1/cases/tickets", {}, {"data": {"need": "路灯坏了"}}, 201),
        (
            "caseworker",
            "POST",
            "/api/v1/cases/{case_id}/assign",
            {"case_id": k["case_id"]},
            lambda: {"assignee_id": k["caseworker_id"], "expected_version": _version(staff, case_url)},
            200,
        ),
        (
            "caseworker",
            "POST",
            "/api/v1/cases/{case_id}/transitions",
            {"case_id": k["case_id"]},
            lambda: {
                "action": staff.get(case_url).json()["actions"][0],
                "expected_version": _version(staff, case_url),
            },
            200,
        ),
        (
            "owner",
            "PATCH",
            "/api/v1/enterprises/{enterprise_id}",
            {"enterprise_id": k["enterprise_id"]},
            lambda: {
                "employees": 5,
                "expected_version": _version(owner, f"/api/v1/enterprises/{k['enterprise_id']}"),
            },
            200,
        ),
        (
            "owner",
            "POST",
            "/api/v1/enterprises/{enterprise_id}/projects",
            {"enterprise_id": k["enterprise_id"]},
            {"kind": "micro_drama", "title": "第二部"},
            201,
        ),
        (
            "owner",
            "POST",
            "/api/v1/community/listings",
            {},
            {**offer, "owner_enterprise_id": k["enterprise_id"]},
            201,
        ),
        (
            "owner",
            "POST",
            "/api/v1/community/needs",
            {},
            {**offer, "owner_enterprise_id": k["enterprise_id"]},
            201,
        ),
        (
            "owner",
            "POST",
            "/api/v1/community/registrations/{registration_id}/cancel",
            {"registration_id": k["registration_id"]},
            None,
            200,
        ),
        (
            "owner",
            "POST",
            "/api/v1/spaces/bookings",
            {},
            {
                "resource_id": k["resource_id"],
                "start_at": later.isoformat(),
                "end_at": (later + dt.timedelta(hours=1)).isoformat(),
            },
            201,
        ),
        (
            "owner",
            "POST",
            "/api/v1/spaces/bookings",
            {},
            {"resource_id": k["resource_id"], "start_at": k["booking_at"], "end_at": later.isoformat()},
            409,
        ),
        (
            "owner",
            "POST",
            "/api/v1/spaces/bookings/{booking_id}/cancel",
            {"booking_id": k["booking_id"]},
            {"reason": "改期"},
            200,
        ),
    ]


@pytest.mark.django_db
def test_valid_writes_conform(world: dict[str, Any], login_client: Any) -> None:
    clients = {who: login_client(world[who]) for who in ("owner", "caseworker")}
    for who, method, path, path_parameters, body, status in _valid_writes(
        world["known"], clients["owner"], clients["caseworker"]
    ):
        if callable(body):
            body = body()
        operation = schema[path][method]
        case = operation.Case(path_parameters=path_parameters, **({} if body is None else {"body": body}))
        response = _call(case, {"sessionid": clients[who].cookies["sessionid"].value})
        assert response.status_code == status, (method, path, response.text)


@pytest.fixture(autouse=True)
def _count_tests() -> None:
    TALLY["operations"] += 1
