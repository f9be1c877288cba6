"""Every public service of community writes exactly its declared audit entries, in order (#12)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from shouzhan.community import services
from shouzhan.community.models import ContactRequest, Event, Listing, MentorProfile, OfficeHour, Registration
from shouzhan.core.audit import audit_action_get
from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role
from shouzhan.registry import patent_number
from shouzhan.registry.models import Project
from tests.community.test_listings import xlsx

pytestmark = pytest.mark.django_db

OFFER = {
    "title": "一种节能型保温墙体材料",
    "abstract": "发泡陶瓷保温墙体材料。",
    "field": "新材料",
    "seeking": ["licence"],
}
Call = Callable[[], Any]


@dataclass
class World:
    caseworker: Any
    owner: Any
    enterprise: Any
    member: Any  # a founder of another enterprise
    other: Any
    mentor: MentorProfile
    event: Event
    project: Project
    make_user: Callable[..., Any]

    def register(self, user: Any | None = None, project: Project | None = None) -> Registration:
        return services.registration_create(actor=user or self.owner, event=self.event, project=project)

    def offer(self) -> Listing:
        return services.listing_create(
            actor=self.owner, direction="offer", data=OFFER, owner_enterprise=self.enterprise
        )

    def slot(self) -> OfficeHour:
        start = timezone.now() + dt.timedelta(days=2)
        return services.office_hour_create(actor=self.mentor.user, starts_at=start, minutes=30)

    def contact(self, listing: Listing) -> ContactRequest:
        return services.contact_request_create(actor=self.member, listing=listing, message="想了解许可条件。")


@pytest.fixture
def world(make_user, make_enterprise, make_event, make_mentor, caseworker) -> World:  # type: ignore[no-untyped-def]
    enterprise, owner = make_enterprise(name="光影工作室")
    other, member = make_enterprise(name="远山材料")
    mentor = make_mentor()
    event = make_event(capacity=1, kind="roadshow", mentors=[mentor])
    project = Project.objects.create(enterprise=enterprise, kind="micro_drama", title="弄堂里的光", year=2026)
    return World(caseworker, owner, enterprise, member, other, mentor, event, project, make_user)


def _event_create(w: World) -> Call:
    start = timezone.now() + dt.timedelta(days=5)
    data = {"title": "路演", "capacity": 3, "starts_at": start, "ends_at": start + dt.timedelta(hours=2)}
    return lambda: services.event_create(actor=w.caseworker, data=data | {"new_series": "OPC 沙龙"})


def _event_update(w: World) -> Call:
    w.register()
    w.register(user=w.member)  # the event is full: the second waits
    return lambda: services.event_update(actor=w.caseworker, event=w.event, data={"capacity": 2})


def _registration_cancel(w: World) -> Call:
    reg = w.register()
    w.register(user=w.member)
    return lambda: services.registration_cancel(actor=w.owner, registration=reg)


def _check_in(w: World) -> Call:
    reg = w.register()
    w.event.starts_at = timezone.now()  # the door is open (check-in window)
    w.event.save(update_fields=["starts_at"])
    return lambda: services.registration_check_in(actor=w.caseworker, event=w.event, code=reg.code)


def _mentor_update(w: World) -> Call:
    user = w.mentor.user
    return lambda: services.mentor_profile_save(actor=user, user=user, data={"headline": "资深制片人"})


def _mentor_create(w: World) -> Call:
    user = w.make_user(role=Role.MENTOR, name="李导")
    return lambda: services.mentor_profile_save(actor=user, user=user, data={"expertise": "出海"})


def _feedback(w: World) -> Call:
    w.register(project=w.project)
    text = "节奏紧凑，建议先做试播。"
    return lambda: services.feedback_save(actor=w.mentor.user, event=w.event, project=w.project, text=text)


def _follow(w: World) -> Call:
    return lambda: services.mentor_follow(actor=w.mentor.user, mentor=w.mentor, project=w.project)


def _note(w: World) -> Call:
    services.mentor_follow(actor=w.mentor.user, mentor=w.mentor, project=w.project)
    return lambda: services.followup_note_add(actor=w.mentor.user, project=w.project, text="已介绍给平台方。")


def _book(w: World) -> Call:
    slot = w.slot()
    return lambda: services.office_hour_book(actor=w.owner, slot=slot, topic="融资")


def _release(w: World) -> Call:
    slot = services.office_hour_book(actor=w.owner, slot=w.slot(), topic="融资")
    return lambda: services.office_hour_release(actor=w.owner, slot=slot)


def _need(w: World) -> Call:
    data = OFFER | {"title": "寻找保温材料技术"}
    return lambda: services.listing_create(
        actor=w.owner, direction="need", data=data, owner_enterprise=w.enterprise
    )


def _update(w: World) -> Call:
    listing = w.offer()
    return lambda: services.listing_update(actor=w.owner, listing=listing, data={"title": "改进型保温材料"})


def _close(w: World) -> Call:
    listing = w.offer()
    return lambda: services.listing_set_status(actor=w.owner, listing=listing, status="closed")


def _import(w: World) -> Call:
    number = patent_number.make("202310123456")
    services.listing_create(
        actor=w.owner,
        direction="offer",
        data=OFFER | {"patent_number": number},
        owner_enterprise=w.enterprise,
    )
    new = patent_number.make("202310654321")
    data = xlsx([["专利号", "名称"], [number, "保温材料（更新）"], [new, "降噪材料"], ["", "无号"]])
    return lambda: services.listing_import(
        actor=w.owner, data=data, filename="p.xlsx", owner_enterprise=w.enterprise
    )


def _contact(w: World) -> Call:
    listing = w.offer()
    return lambda: w.contact(listing)


def _outcome(w: World) -> Call:
    case_id = w.contact(w.offer()).case_id
    assert case_id is not None
    return lambda: services.contact_outcome_record(actor=w.caseworker, case_id=case_id, outcome="introduced")


CASES: dict[str, tuple[Callable[[World], Call], list[str]]] = {
    "event_create": (_event_create, ["community.event_series_create", "community.event_create"]),
    "event_update": (_event_update, ["community.event_update", "community.registration_promote"]),
    "registration_create": (lambda w: w.register, ["community.registration_create"]),
    "registration_cancel": (
        _registration_cancel,
        ["community.registration_cancel", "community.registration_promote"],
    ),
    "registration_check_in": (_check_in, ["community.registration_check_in"]),
    "mentor_profile_save": (_mentor_update, ["community.mentor_update"]),
    "mentor_profile_save, a new profile": (_mentor_create, ["community.mentor_create"]),
    "feedback_save": (_feedback, ["community.feedback_save"]),
    "mentor_follow": (_follow, ["community.mentor_follow"]),
    "followup_note_add": (_note, ["community.followup_note_add"]),
    "office_hour_create": (lambda w: w.slot, ["community.office_hour_create"]),
    "office_hour_book": (_book, ["community.office_hour_book"]),
    "office_hour_release": (_release, ["community.office_hour_release"]),
    "listing_create": (lambda w: w.offer, ["community.offer_create"]),
    "listing_create, a need": (_need, ["community.need_create"]),
    "listing_update": (_update, ["community.listing_update"]),
    "listing_set_status": (_close, ["community.listing_status_set"]),
    "listing_import": (
        _import,
        ["community.listing_import_update", "community.listing_import_create", "community.listing_import"],
    ),
    "contact_request_create": (
        _contact,
        ["cases.case_submit", "community.contact_request_create"],
    ),
    "contact_outcome_record": (_outcome, ["community.contact_outcome_record"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_service_writes_exactly_its_declared_entries(world: World, name: str) -> None:
    prepare, expected = CASES[name]
    call = prepare(world)
    mark = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    call()
    written = list(AuditEntry.objects.filter(id__gt=mark).order_by("id").values_list("action", flat=True))
    assert written == expected
    assert all(audit_action_get(code) is not None for code in written), written


def test_every_public_write_is_covered() -> None:
    reads = {"EVENT_FIELDS", "LISTING_FIELDS", "ListingImportReport", "RowError", "normalise_code"}
    writes = set(services.__all__) - reads - {"registration_code_new"}
    assert writes == {name.split(",")[0] for name in CASES}
