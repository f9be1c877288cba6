"""The JSON API keeps its OpenAPI contract: Schemathesis drives every operation in process (WSGI).

Each operation runs for three visitors — anonymous, an enterprise's owner, a caseworker — with a
small deterministic budget of examples (the examples, coverage and fuzzing phases), checking that:
no answer is a server error, every status code is declared for the operation, the content type is
the declared one, the body matches the declared schema (errors included: one ErrorOut shape), and an
operation that needs a session never succeeds without one.

A small world (the owner's enterprise and project, a live room, a salon) is made for every test, and
half of the generated ids of those kinds are replaced with the real ones, so the examples reach past
"not found" into the views.
"""

from __future__ import annotations

import collections
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shouzhan.community import services as community
from shouzhan.core.roles import Role
from shouzhan.registry.models import Project
from shouzhan.spaces.models import Floor, Resource, Site

MAX_EXAMPLES = 5  # per operation and visitor in the fuzzing phase; the coverage phase adds its boundary cases
CSRF = "schemathesisCsrfToken0123456789a"  # 32 characters: a valid unmasked CSRF secret

CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
        "phases": {"stateful": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application(), config=CONFIG)


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


def _known(values: Any) -> Any:
    if isinstance(values, dict):
        for name, value in values.items():
            # Every other generated id becomes a real one (deterministically: by the generated value).
            if name in KNOWN and isinstance(value, int) and not isinstance(value, bool) and value % 2 == 0:
                values[name] = KNOWN[name]
    return values


@schema.hook
def map_path_parameters(context: Any, path_parameters: dict[str, Any]) -> dict[str, Any]:
    return _known(path_parameters)


@schema.hook
def map_query(context: Any, query: dict[str, Any]) -> dict[str, Any]:
    return _known(query)


@schema.hook
def map_body(context: Any, body: Any) -> Any:
    return _known(body)


@pytest.fixture
def _in_test_transaction() -> Iterator[None]:
    # Like Django's test client: a request must not close the test's connection (and with it the rollback).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(make_enterprise: Any, make_user: Any) -> Iterator[dict[str, Any]]:
    enterprise, owner = make_enterprise(district="徐汇", sector="micro_drama")
    caseworker = make_user(role=Role.CASEWORKER)
    project = Project.objects.create(enterprise=enterprise, kind="micro_drama", title="弄堂里的光", year=2026)
    site = Site.objects.create(name="直播孵化基地", kind=Site.Kind.BASE, district="杨浦")
    room = Resource.objects.create(
        site=site,
        floor=Floor.objects.create(site=site, number=3, use="电商直播"),
        kind=Resource.Kind.LIVE_ROOM,
        unit=Resource.Unit.HOUR,
        name="直播间 A",
        capacity=4,
        opens_at=dt.time(8, 0),
        closes_at=dt.time(22, 0),
        price_hour_fen=12000,
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
    KNOWN.update(enterprise_id=enterprise.pk, project_id=project.pk, resource_id=room.pk, event_id=event.pk)
    yield {"owner": owner, "caseworker": caseworker}
    KNOWN.clear()


@pytest.fixture(params=["anonymous", "owner", "caseworker"])
def cookies(request: pytest.FixtureRequest, world: dict[str, Any], login_client: Any) -> dict[str, str]:
    jar = {"csrftoken": CSRF}
    if request.param != "anonymous":
        jar["sessionid"] = login_client(world[request.param]).cookies["sessionid"].value
    return jar


@pytest.mark.django_db
@schema.parametrize()
@settings(deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
def test_api_conforms(case: Any, cookies: dict[str, str], _in_test_transaction: None) -> None:
    response = case.call_and_validate(cookies=cookies, headers={"X-CSRFToken": CSRF}, checks=CHECKS)
    TALLY["requests"] += 1
    TALLY[str(response.status_code)] += 1


@pytest.fixture(autouse=True)
def _count_tests() -> None:
    TALLY["operations"] += 1
