"""What the record page shows beyond the registry's record (`registry.talent.selectors`): the support cases
opened for the record, the outcomes named by their case types, and the category's reasons in words — the
cases and the trace presenters live above the registry."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType

from shouzhan.cases import workflow as wf
from shouzhan.cases.models import Case
from shouzhan.cases.permissions import sees_every_case
from shouzhan.core.actors import Actor, actor_user
from shouzhan.policies.trace import Line, condition_lines
from shouzhan.registry.models import TalentRecord
from shouzhan.registry.permissions import member_enterprise_ids
from shouzhan.registry.talent.facts import categories_catalogue
from shouzhan.registry.talent.selectors import RecordView, category_label
from shouzhan.talent.permissions import sees_support_cases

CASES_SHOWN = 50


def case_type_label(key: str) -> str:
    try:
        return str(wf.case_type_get(key).label)
    except KeyError:  # a case type retired since: its key is no words
        return ""


@dataclass(frozen=True)
class CaseRow:
    case: Case
    label: str  # the case type's
    state: str  # the state as this reader's side reads it
    readable: bool  # the reader may open the case page


def record_cases(*, actor: Actor, view: RecordView) -> list[CaseRow]:
    """The support cases opened for the record (its keeper, the staff and a FULL share only), latest first."""
    if not sees_support_cases(view.access):
        return []
    ct = ContentType.objects.get_for_model(TalentRecord)
    cases = list(
        Case.objects.filter(related_type=ct, related_id=str(view.record.pk)).order_by("-created_at", "-id")[
            :CASES_SHOWN
        ]
    )
    staff = sees_every_case(actor)
    user = actor_user(actor)
    own = user is not None and view.person.user_id == user.pk  # the person is every such case's applicant
    mine = member_enterprise_ids(user) if user is not None else set()
    readable = staff or own
    rows = []
    for case in cases:
        try:
            state = wf.case_type_get(case.case_type).state(case.state)
            state_label = str(state.staff_label if staff else state.applicant_label)
        except KeyError:
            state_label = ""
        opens = readable or case.enterprise_id in mine or (user is not None and case.applicant_id == user.pk)
        rows.append(CaseRow(case, case_type_label(case.case_type), state_label, opens))
    return rows


@dataclass(frozen=True)
class CategoryReason:
    key: str
    title: str
    status: str  # eligible | not_eligible | unknown
    decided: bool  # the category the person is in
    lines: list[Line]


def category_reasons(view: RecordView) -> list[CategoryReason]:
    """Each category's answer with its conditions in words, like a clause's trace (full readers only)."""
    if not view.full:
        return []
    catalogue = categories_catalogue()
    reasons = []
    for result in view.category.results:
        key = result.id.split(".", 1)[1]
        lines = condition_lines(result.trace, catalogue, view.facts, result.id)
        reasons.append(
            CategoryReason(key, category_label(key), result.status, key == view.category.key, lines)
        )
    return reasons
