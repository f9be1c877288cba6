"""One wish per enterprise and slot on the waitlist (issue #11, defect 9 follow-up).

The same enterprise could join the waitlist twice for the same slot: two entries in the queue for
one wish. The second is refused with a clear message (service, API and page), and the database
holds one open entry per resource, enterprise and slot.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from shouzhan.spaces import services
from shouzhan.spaces.models import WaitlistEntry
from tests.spaces.conftest import at

pytestmark = pytest.mark.django_db


def join(owner: Any, enterprise: Any, resource: Any, start: Any, end: Any) -> WaitlistEntry:
    return services.waitlist_join(
        actor=owner, resource=resource, enterprise=enterprise, start_at=start, end_at=end
    )


def test_the_same_enterprise_waits_once_for_a_slot(make_enterprise: Any, live_room: Any, day: Any) -> None:
    a, owner_a = make_enterprise()
    b, owner_b = make_enterprise()
    first = join(owner_a, a, live_room, at(day, 10), at(day, 12))
    with pytest.raises(ValidationError) as info:
        join(owner_a, a, live_room, at(day, 10), at(day, 12))
    assert info.value.messages == [
        f"贵企业已在候补该空间 {day:%Y-%m-%d} 10:00–12:00（第 1 位），不能重复候补。"
    ]
    # Offered and not yet accepted: still the same wish.
    WaitlistEntry.objects.filter(pk=first.pk).update(status=WaitlistEntry.Status.OFFERED)
    with pytest.raises(ValidationError):
        join(owner_a, a, live_room, at(day, 10), at(day, 12))
    assert WaitlistEntry.objects.filter(enterprise=a).count() == 1

    # Another enterprise may wait for the same slot, and A for another time.
    second = join(owner_b, b, live_room, at(day, 10), at(day, 12))
    other_time = join(owner_a, a, live_room, at(day, 14), at(day, 16))
    # Its place in the queue is said: B is behind A.
    WaitlistEntry.objects.filter(pk=first.pk).update(status=WaitlistEntry.Status.WAITING)
    with pytest.raises(ValidationError) as info:
        join(owner_b, b, live_room, at(day, 10), at(day, 12))
    assert info.value.messages == [
        f"贵企业已在候补该空间 {day:%Y-%m-%d} 10:00–12:00（第 2 位），不能重复候补。"
    ]
    # Withdrawn, A may wait again (at the back of the queue).
    services.waitlist_withdraw(actor=owner_a, entry=first)
    again = join(owner_a, a, live_room, at(day, 10), at(day, 12))
    assert sorted(WaitlistEntry.objects.values_list("pk", "status")) == sorted(
        [
            (first.pk, "withdrawn"),
            (second.pk, "waiting"),
            (other_time.pk, "waiting"),
            (again.pk, "waiting"),
        ]
    )


def test_the_api_refuses_the_second_wish(
    make_enterprise: Any, live_room: Any, day: Any, login_client: Any
) -> None:
    a, owner = make_enterprise()
    api = login_client(owner)
    wish = {
        "resource_id": live_room.pk,
        "enterprise_id": a.pk,
        "start_at": at(day, 10).isoformat(),
        "end_at": at(day, 12).isoformat(),
    }
    assert api.post("/api/v1/spaces/waitlist", wish, content_type="application/json").status_code == 201
    again = api.post("/api/v1/spaces/waitlist", wish, content_type="application/json")
    assert again.status_code == 422
    assert again.json()["detail"] == [
        f"贵企业已在候补该空间 {day:%Y-%m-%d} 10:00–12:00（第 1 位），不能重复候补。"
    ]
    assert WaitlistEntry.objects.count() == 1
    assert len(api.get("/api/v1/spaces/waitlist").json()) == 1


def test_the_page_refuses_the_second_wish(
    make_enterprise: Any, live_room: Any, day: Any, login_client: Any
) -> None:
    a, owner = make_enterprise()
    page = login_client(owner)
    form = {"enterprise": a.pk, "date": day.isoformat(), "start": "10:00", "minutes": "120", "people": 1}
    assert page.post(f"/spaces/r/{live_room.pk}/waitlist/", form).status_code == 302
    again = page.post(f"/spaces/r/{live_room.pk}/waitlist/", form)
    assert again.status_code == 422
    assert (
        f"贵企业已在候补该空间 {day:%Y-%m-%d} 10:00–12:00（第 1 位），不能重复候补。"
        in again.content.decode()
    )
    assert WaitlistEntry.objects.count() == 1


def test_the_database_holds_one_open_entry_per_slot(make_enterprise: Any, live_room: Any, day: Any) -> None:
    a, owner = make_enterprise()
    first = join(owner, a, live_room, at(day, 10), at(day, 12))
    # Past the service (a race, a script): the database refuses the second open entry.
    with pytest.raises(IntegrityError), transaction.atomic():
        WaitlistEntry.objects.create(
            resource=live_room, enterprise=a, start_at=at(day, 10), end_at=at(day, 12)
        )
    # A withdrawn or booked entry does not count.
    WaitlistEntry.objects.filter(pk=first.pk).update(status=WaitlistEntry.Status.BOOKED)
    WaitlistEntry.objects.create(resource=live_room, enterprise=a, start_at=at(day, 10), end_at=at(day, 12))
    assert WaitlistEntry.objects.filter(enterprise=a).count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_migration_withdraws_repeats_already_stored(
    make_enterprise: Any, live_room: Any, day: Any
) -> None:
    """A database that already queued the same wish twice migrates: the earlier entry keeps its place."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    a, _owner = make_enterprise()
    b, _owner_b = make_enterprise()

    def migrate(target: list[tuple[str, str]]) -> Any:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(target)
        return executor.loader.project_state(target).apps

    old = migrate([("spaces", "0002_no_overlap_on_postgresql")])
    try:
        entry = old.get_model("spaces", "WaitlistEntry")
        slot = {"resource_id": live_room.pk, "start_at": at(day, 10), "end_at": at(day, 12)}
        first = entry.objects.create(enterprise_id=a.pk, **slot)
        repeat = entry.objects.create(enterprise_id=a.pk, status="offered", **slot)
        withdrawn = entry.objects.create(enterprise_id=a.pk, status="withdrawn", **slot)
        other = entry.objects.create(enterprise_id=b.pk, **slot)
    finally:
        executor = MigrationExecutor(connection)
        migrate(executor.loader.graph.leaf_nodes())  # every app back to its latest
    assert dict(WaitlistEntry.objects.values_list("pk", "status")) == {
        first.pk: "waiting",
        repeat.pk: "withdrawn",
        withdrawn.pk: "withdrawn",
        other.pk: "waiting",
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_wishes_for_one_slot_queue_once(make_enterprise: Any, live_room: Any, day: Any) -> None:
    """PostgreSQL: 10 simultaneous joins by one enterprise for one slot → one entry and 9 clear refusals."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    a, owner = make_enterprise()
    barrier = threading.Barrier(10)

    def attempt(_i: int) -> str:
        try:
            barrier.wait(timeout=30)
            join(owner, a, live_room, at(day, 10), at(day, 12))
            return "joined"
        except ValidationError as exc:
            return exc.messages[0]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(attempt, range(10)))
    assert (
        sorted(results)
        == ["joined"] + [f"贵企业已在候补该空间 {day:%Y-%m-%d} 10:00–12:00（第 1 位），不能重复候补。"] * 9
    )
    assert WaitlistEntry.objects.count() == 1
