"""A supervisor's review of a flagged patrol, through the page and the service: the exact states, a note
required to reject, a second review a Conflict (409 on the page beside the current state), who may not
review, and the audit entries written."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from shouzhan.core.errors import Conflict
from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role
from shouzhan.patrols import services
from shouzhan.patrols.models import Patrol

pytestmark = pytest.mark.django_db
REVIEW = "patrols.patrol_review"


def text(response: Any) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def codes_since(start: int) -> list[str]:
    return list(AuditEntry.objects.filter(pk__gt=start).order_by("pk").values_list("action", flat=True))


def last_audit() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.fixture
def flagged(record: Any) -> Patrol:
    """An honest walk that skipped every checkpoint: flagged for review."""
    patrol: Patrol = record(checkins=[])
    assert patrol.review == Patrol.Review.FLAGGED
    return patrol


def review_url(patrol: Patrol) -> str:
    return reverse("patrols:patrol_review", args=[patrol.pk])


def post(client: Client, patrol: Patrol, **data: Any) -> Any:
    data.setdefault("version", Patrol.objects.get(pk=patrol.pk).version)
    return client.post(review_url(patrol), data)


# ----------------------------------------------------------------------------- through the page
def test_accepting_on_the_page_counts_the_patrol(
    flagged: Patrol, supervisor: Any, login_client: Callable[..., Client]
) -> None:
    client = login_client(supervisor)
    start = last_audit()
    response = post(client, flagged, decision="accept", note="")
    assert response.status_code == 302 and response["Location"] == reverse(
        "patrols:patrol", args=[flagged.pk]
    )
    patrol = Patrol.objects.get(pk=flagged.pk)
    assert (patrol.review, patrol.reviewed_by_id, patrol.review_note) == ("accepted", supervisor.pk, "")
    assert patrol.counts is True
    assert codes_since(start) == [REVIEW]
    page = text(client.get(reverse("patrols:patrol", args=[flagged.pk])))
    assert "已复核：通过，计入履职。" in page
    assert "复核结论 结论 复核通过 复核人 河长办周主任" in page
    assert "提交复核" not in page


def test_rejecting_needs_a_note_and_then_the_list_shows_it(
    flagged: Patrol, supervisor: Any, login_client: Callable[..., Client]
) -> None:
    client = login_client(supervisor)
    start = last_audit()
    response = post(client, flagged, decision="reject", note="  ")
    assert response.status_code == 400
    assert "不通过时请写明理由，巡查人会看到。" in text(response)
    assert Patrol.objects.get(pk=flagged.pk).review == "flagged"
    assert codes_since(start) == []
    response = post(client, flagged, decision="", note="")
    assert response.status_code == 400 and "请选择通过或不通过。" in text(response)
    response = post(client, flagged, decision="reject", note="轨迹与打卡点不符，请补巡")
    assert response.status_code == 302
    patrol = Patrol.objects.get(pk=flagged.pk)
    assert (patrol.review, patrol.review_note, patrol.counts) == (
        "rejected",
        "轨迹与打卡点不符，请补巡",
        False,
    )
    assert codes_since(start) == [REVIEW]
    entry = AuditEntry.objects.filter(action=REVIEW).get()
    assert entry.note == "轨迹与打卡点不符，请补巡"
    page = text(client.get(reverse("patrols:patrol", args=[flagged.pk])))
    assert "已复核：不通过。" in page and "复核意见 轨迹与打卡点不符，请补巡" in page
    page = text(client.get(reverse("patrols:index")))
    assert "达标 复核不通过" in page and "待复核 0 复核通过 0 复核不通过 1" in page


def test_a_second_review_is_a_conflict_beside_the_current_state(
    flagged: Patrol, supervisor: Any, login_client: Callable[..., Client]
) -> None:
    client = login_client(supervisor)
    stale = Patrol.objects.get(pk=flagged.pk).version
    assert post(client, flagged, decision="reject", note="不属实").status_code == 302
    start = last_audit()
    response = post(client, flagged, decision="accept", note="", version=stale)
    assert response.status_code == 409
    page = text(response)
    assert "这次巡查已复核（复核不通过），请刷新页面。 现在的复核状态：复核不通过。" in page
    assert Patrol.objects.get(pk=flagged.pk).review == "rejected"
    assert codes_since(start) == []


def test_who_may_not_review(
    flagged: Patrol,
    chief: Any,
    make_user: Callable[..., Any],
    login_client: Callable[..., Client],
) -> None:
    response = post(login_client(chief), flagged, decision="accept", note="")
    assert response.status_code == 403
    assert "只有主管部门负责人或领导可以复核巡查。" in text(response)
    caseworker = make_user(Role.CASEWORKER)
    assert post(login_client(caseworker), flagged, decision="accept", note="").status_code == 403
    entrepreneur = make_user(Role.ENTREPRENEUR)
    assert post(login_client(entrepreneur), flagged, decision="accept", note="").status_code == 403
    assert Client().post(review_url(flagged), {"decision": "accept"}).status_code == 302  # to log in
    assert login_client(chief).get(review_url(flagged)).status_code == 405
    assert Patrol.objects.get(pk=flagged.pk).review == "flagged"


def test_a_leader_reviews_any_target(
    flagged: Patrol, make_user: Callable[..., Any], login_client: Callable[..., Client]
) -> None:
    leader = make_user(Role.LEADER, name="分管副区长")
    assert post(login_client(leader), flagged, decision="accept", note="已电话核实").status_code == 302
    assert Patrol.objects.get(pk=flagged.pk).review == "accepted"


# ----------------------------------------------------------------------------- through the service
def test_the_service_states_refusals_and_audit(flagged: Patrol, supervisor: Any, chief: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.patrol_review(
            actor=chief, patrol=flagged, accept=True, note="", expected_version=flagged.version
        )
    with pytest.raises(ValidationError) as err:
        services.patrol_review(
            actor=supervisor, patrol=flagged, accept=False, note="", expected_version=flagged.version
        )
    assert err.value.message_dict == {"note": ["不通过时请写明理由，巡查人会看到。"]}
    with pytest.raises(Conflict):
        services.patrol_review(
            actor=supervisor, patrol=flagged, accept=True, note="", expected_version=flagged.version + 1
        )
    start = last_audit()
    done = services.patrol_review(
        actor=supervisor, patrol=flagged, accept=True, note="现场核实", expected_version=flagged.version
    )
    assert (done.review, done.reviewed_by_id, done.review_note, done.version) == (
        "accepted",
        supervisor.pk,
        "现场核实",
        flagged.version + 1,
    )
    assert codes_since(start) == [REVIEW]
    with pytest.raises(Conflict) as conflict:
        services.patrol_review(
            actor=supervisor, patrol=done, accept=False, note="改判", expected_version=done.version
        )
    assert conflict.value.message_text == "这次巡查已复核（复核通过），请刷新页面。"
    assert codes_since(start) == [REVIEW]


def test_a_clean_patrol_is_not_up_for_review(record: Any, supervisor: Any) -> None:
    clean = record()
    assert clean.review == "clean"
    with pytest.raises(Conflict):
        services.patrol_review(
            actor=supervisor, patrol=clean, accept=True, note="", expected_version=clean.version
        )
