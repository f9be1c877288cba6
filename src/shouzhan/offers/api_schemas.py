"""The offers API's shapes: what comes in (bounded, like every input) and what goes out (money as yuan text
and fen, never a float)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Schema
from pydantic import Field, StringConstraints

from shouzhan.core.limits import (
    JSON_BOUND,
    JSON_MAX_KEYS,
    Key,
    ShortText,
    Text,
)
from shouzhan.offers.models import PushRun
from shouzhan.policies.api import ClauseResultOut

IdempotencyKey = Annotated[str, StringConstraints(max_length=200)]


# ----------------------------------------------------------------------------- schemas
class OfferOut(Schema):
    id: int
    enterprise_id: int
    enterprise: str
    project_id: int | None
    project: str | None
    clause_id: str
    clause: str = Field(description="The policy and the clause as people name them: 政策 · 条款")
    state: str
    state_label: str
    rule_status: str = Field(description="eligible | unknown, when the offer was last evaluated")
    amount_yuan: str | None = Field(description='The most it may give, yuan as text, e.g. "1000000.00"')
    amount_fen: int | None
    offered_on: dt.date
    expires_on: dt.date | None
    case_id: int | None
    withdraw_cause: str
    withdraw_cause_label: str
    reason: str = Field(description="The enterprise's own reason, when it declined")


class OfferPage(Schema):
    count: int
    items: list[OfferOut]


class OfferReasonOut(Schema):
    """One sentence of the reasons; `value` is true (met), false (not met), "unknown", "not_needed" or
    null (information); an either-or carries its sides in `children`."""

    words: str
    sentence: str
    value: bool | str | None
    children: list[OfferReasonOut]


class OfferExpressionOut(Schema):
    step: str
    expression: str
    value: str


class OfferReasonsOut(Schema):
    heading: str
    in_force: OfferReasonOut | None
    conditions: list[OfferReasonOut]
    amounts: list[OfferReasonOut]
    conclusion: OfferReasonOut | None
    missing: list[str] = Field(description="The missing facts' labels")
    expressions: list[OfferExpressionOut] = Field(
        description="The rule text behind each step: policy officers"
    )


class OfferFactOut(Schema):
    name: str
    label: str
    value: str | None
    known: bool
    entity: str


class OfferChoiceOut(Schema):
    value: str
    label: str


class OfferQuestionOut(Schema):
    name: str
    label: str
    type: str
    choices: list[OfferChoiceOut]


class OfferDetailOut(OfferOut):
    policy: str
    clause_title: str
    clause_text: str
    version: int
    result: ClauseResultOut = Field(description="The one-case interpreter's answer over the offer's facts")
    reasons: OfferReasonsOut | None
    facts: list[OfferFactOut]
    missing: list[OfferQuestionOut] = Field(description="A prompt's questions (answer them at …/answer)")


class OfferConfirmIn(Schema):
    contact: ShortText = Field(description="The contact person and telephone the enterprise confirms")
    declaration_accepted: bool = Field(description="The declaration (申报承诺) read and accepted")


class OfferDeclineIn(Schema):
    reason: Text


Answer = ShortText | bool | int | float | None


class OfferAnswerIn(Schema):
    answers: Annotated[
        dict[Key, Answer],
        Field(max_length=JSON_MAX_KEYS, description='Fact name → value, e.g. {"enterprise.employees": 12}'),
        JSON_BOUND,
    ]


class PushRunOut(Schema):
    id: int
    trigger: str
    trigger_label: str
    engine: str
    scope: str
    status: str
    status_label: str
    on: dt.date
    phase: str
    subjects_total: int
    subjects_done: int
    enterprises: int
    offers_new: int
    offers_changed: int
    offers_withdrawn: int
    offers_kept: int
    started_by: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    interruptions: int
    error: str


class PushRunClauseOut(Schema):
    clause_id: str
    clause: str
    eligible: int
    unknown: int
    not_eligible: int
    potential_yuan: str
    potential_fen: int
    budget_left_yuan: str | None = Field(
        description="The clause's remaining budget of the run's year, if set"
    )
    budget_left_fen: int | None
    over_budget: bool = Field(description="The potential amount exceeds the remaining budget")


class PushRunBrokenOut(Schema):
    enterprise: int | None
    project: int | None
    fact: str
    value: str
    error: str


class PushRunDetailOut(PushRunOut):
    clauses: list[PushRunClauseOut]
    broken_rows: list[PushRunBrokenOut]
    timings: dict[str, float]


class PushRunIn(Schema):
    engine: Key = Field(PushRun.Engine.POLARS, description="polars | spark")
    scope: Key = Field(PushRun.Scope.FULL, description="full | changed")


OfferReasonOut.model_rebuild()


# ----------------------------------------------------------------------------- presenters
