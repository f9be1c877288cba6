"""Reads of talent records, scoped through `registry.talent.permissions`: one record as the reader may see it
(`record_view`), and the list of people's records (`record_list`) with each one's category.

What a reader sees follows the access level: the keeper and the centre's staff everything; an enterprise the
person shared everything with (FULL) everything, read-only; one shown the profile (PROFILE) the name, the
field, the education, the category and the titles — no certificates, trainings, support outcomes, household
or children. A list computes the categories of a page's people at once (a fixed number of queries).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.permissions import is_staff_member
from shouzhan.registry.models import Enterprise, Person
from shouzhan.registry.permissions import member_enterprise_ids
from shouzhan.registry.talent import permissions as P
from shouzhan.registry.talent.facts import (
    NO_CATEGORY,
    Category,
    categories_catalogue,
    category_decide,
    person_own_facts,
)
from shouzhan.registry.talent.models import (
    SkillCertificate,
    TalentRecord,
    TalentSupport,
    TalentTitle,
)
from shouzhan.registry.talent.training import PersonTraining, trainings_by_person
from shouzhan.rules.vocabulary import value_label

SCAN_LIMIT = 2000  # records a category filter looks through (the category is the rules', not a column)
FULL_ACCESS = (P.KEEPER, P.STAFF, P.FULL)


def category_label(key: str) -> str:
    """A category in words, in the page's language (the vocabulary's `person.category` values)."""
    english = not (get_language() or "zh-hans").startswith("zh")
    return value_label("person.category", key, english=english)


def category_choices() -> list[tuple[str, str]]:
    """The categories, highest first, then "no category yet" (a list's filter)."""
    keys = [c.id.split(".", 1)[1] for c in categories_catalogue().clauses]
    return [(k, category_label(k)) for k in [*keys, NO_CATEGORY]]


# ----------------------------------------------------------------------------- one record
def _records() -> QuerySet[TalentRecord]:
    return TalentRecord.objects.select_related("person", "person__enterprise").prefetch_related(
        "shares", "titles", "certificates"
    )


def record_get(*, actor: Actor, pk: int) -> TalentRecord:
    """The record, or 404 when the actor may not know of it."""
    record = _records().filter(pk=pk).first()
    if record is None or P.record_access(actor, record) is None:
        raise Http404(_("没有找到该人才档案。"))
    return record


@dataclass(frozen=True)
class ShareRow:
    enterprise: Enterprise
    level: str  # a ShareLevel, or "" when the enterprise reads nothing


@dataclass(frozen=True)
class RecordView:
    """A record as one reader may see it; what they may not see is empty."""

    record: TalentRecord
    access: str  # KEEPER, STAFF, FULL or PROFILE
    full: bool  # everything shown (KEEPER, STAFF, FULL)
    can_write: bool
    can_share: bool
    category: Category
    facts: dict[str, Any]  # {"person": own facts and category} for the category's reasons ({} unless full)
    titles: list[TalentTitle]
    certificates: list[SkillCertificate] = field(default_factory=list)
    trainings: list[PersonTraining] = field(default_factory=list)
    supports: list[TalentSupport] = field(default_factory=list)
    enterprises: list[Enterprise] = field(default_factory=list)  # the person's enterprises (full only)
    shares: list[ShareRow] = field(default_factory=list)  # for the person deciding who reads what

    @property
    def person(self) -> Person:
        return self.record.person

    @property
    def category_label(self) -> str:
        return category_label(self.category.key)


def record_view(*, actor: Actor, record: TalentRecord, on: dt.date) -> RecordView:
    access = P.require_record_read(actor, record)
    full = access in FULL_ACCESS
    trainings = trainings_by_person([record.person_id]).get(record.person_id, [])
    own = person_own_facts(record, on=on, trainings=trainings)
    category = category_decide(own, on=on)
    titles = list(record.titles.all())
    can_write = P.can_write_record(actor, record)
    user = actor_user(actor)
    can_share = user is not None and record.person.user_id == user.pk
    if not full:
        return RecordView(record, access, False, can_write, can_share, category, {}, titles)
    enterprises = list(
        Enterprise.objects.filter(pk__in=P.person_enterprise_ids(record.person)).order_by("name")
    )
    levels = {s.enterprise_id: s.level for s in record.shares.all()}
    return RecordView(
        record,
        access,
        True,
        can_write,
        can_share,
        category,
        {"person": {**own, "category": category.key}},
        titles,
        certificates=list(record.certificates.all()),
        trainings=trainings,
        supports=list(record.supports.all()),
        enterprises=enterprises,
        shares=[ShareRow(e, levels.get(e.pk, "")) for e in enterprises] if can_share else [],
    )


# ----------------------------------------------------------------------------- the list
def people_visible(*, actor: Actor) -> QuerySet[Person]:
    """Whose records the actor may list: the staff every record; an enterprise's member the records shared
    with their enterprises and the people without an account of their enterprises (whose records they keep,
    made the first time they open one)."""
    user = actor_user(actor)
    if user is None:
        return Person.objects.none()
    if is_staff_member(user):
        return Person.objects.filter(talent__isnull=False)
    mine = member_enterprise_ids(user)
    if not mine:
        return Person.objects.none()
    shared = Q(talent__shares__enterprise_id__in=mine)
    kept = Q(user__isnull=True, enterprise_id__in=mine)
    return Person.objects.filter(pk__in=Person.objects.filter(shared | kept).values("pk"))


@dataclass(frozen=True)
class RecordRow:
    person: Person
    record: TalentRecord | None  # None: a person of the reader's enterprise without a record yet
    category: str  # a category key, or "" without a record
    access: str  # what the reader sees of it (KEEPER, STAFF, FULL, PROFILE)
    employer: str = ""  # the enterprise they work for: their registry enterprise, else their account's first

    @property
    def category_label(self) -> str:
        return category_label(self.category) if self.category else ""


def _rows(actor: Actor, people: list[Person], on: dt.date) -> list[RecordRow]:
    """Rows with their categories: four queries for titles, certificates, shares and trainings at once."""
    records = {
        r.person_id: r
        for r in TalentRecord.objects.filter(person__in=people).prefetch_related(
            Prefetch("titles"), Prefetch("certificates"), Prefetch("shares")
        )
    }
    trainings = trainings_by_person(list(records))
    employers = _employer_names(people)
    user = actor_user(actor)
    staff = is_staff_member(user)
    mine = member_enterprise_ids(user) if user is not None else set()
    rows = []
    for person in people:
        record = records.get(person.pk)
        if record is None:
            rows.append(RecordRow(person, None, "", P.KEEPER, employers.get(person.pk, "")))
            continue
        record.person = person  # read already: the facts' age and the access need it
        own = person_own_facts(record, on=on, trainings=trainings.get(person.pk, []))
        key, access = category_decide(own, on=on).key, _row_access(record, staff, mine)
        rows.append(RecordRow(person, record, key, access, employers.get(person.pk, "")))
    return rows


def _employer_names(people: list[Person]) -> dict[int, str]:
    """Each person's employer as `person_employer` says, for a page at once (one query for those whose
    registry person has no enterprise: their account's first membership)."""
    names = {p.pk: p.enterprise.name for p in people if p.enterprise_id is not None and p.enterprise}
    by_user = {p.user_id: p.pk for p in people if p.enterprise_id is None and p.user_id is not None}
    rows = (
        Enterprise.objects.filter(organisation__memberships__user_id__in=list(by_user))
        .order_by("id")
        .values_list("organisation__memberships__user_id", "name")
    )
    for user_id, name in rows:
        names.setdefault(by_user[user_id], name)
    return names


def _row_access(record: TalentRecord, staff: bool, mine: set[int]) -> str:
    """record_access without its queries (the shares are read for the whole page)."""
    person = record.person
    if person.user_id is None and person.enterprise_id in mine:
        return P.KEEPER
    if staff:
        return P.STAFF
    levels = {s.level for s in record.shares.all() if s.enterprise_id in mine}
    return P.FULL if P.FULL in levels else P.PROFILE


class RecordRows(Sequence[RecordRow]):
    """The people a list shows, paged by Django's Paginator; the categories are computed for the page read."""

    def __init__(self, actor: Actor, people: QuerySet[Person], on: dt.date) -> None:
        self.actor, self.people, self.on = actor, people, on

    def count(self) -> int:  # type: ignore[override]  # the Paginator's way to ask for the length
        return self.people.count()

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> RecordRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[RecordRow]: ...
    def __getitem__(self, index: int | slice) -> RecordRow | list[RecordRow]:
        if isinstance(index, slice):
            return _rows(self.actor, list(self.people[index]), self.on)
        return _rows(self.actor, [self.people[index]], self.on)[0]

    def __iter__(self) -> Iterator[RecordRow]:
        return iter(self[:])


@dataclass(frozen=True)
class RecordList:
    rows: Sequence[RecordRow]
    scanned_all: bool  # False when a category filter looked through only the first SCAN_LIMIT people


def record_list(*, actor: Actor, on: dt.date, q: str = "", category: str = "") -> RecordList:
    """The people whose records the actor may list, by name; `q` a part of the name, `category` a category
    key (computed by the rules for up to SCAN_LIMIT people, the category being no column)."""
    people = people_visible(actor=actor).select_related("enterprise").order_by("name", "id")
    if q.strip():
        people = people.filter(name__icontains=q.strip())
    if not category:
        return RecordList(RecordRows(actor, people, on), True)
    scanned = list(people[: SCAN_LIMIT + 1])
    rows = [r for r in _rows(actor, scanned[:SCAN_LIMIT], on) if r.category == category]
    return RecordList(rows, len(scanned) <= SCAN_LIMIT)
