"""Writes of offers: push runs (start, run, recover), an enterprise's answers (confirm, decline, answer a
prompt), expiry, and the exclusion list. Each checks the actor here and records its own audit entry."""

from shouzhan.offers.services.answers import (
    offer_confirm,
    offer_decline,
    offer_outcome_record,
    offers_expire,
    prompt_answer,
)
from shouzhan.offers.services.common import PUSHER
from shouzhan.offers.services.exclusions import exclusion_add, exclusion_revoke
from shouzhan.offers.services.exports import offers_export
from shouzhan.offers.services.people import person_offer_apply
from shouzhan.offers.services.runs import (
    enterprise_reevaluate,
    push_run_execute,
    push_run_scheduled,
    push_run_start,
    push_runs_recover,
)

__all__ = [
    "PUSHER",
    "enterprise_reevaluate",
    "exclusion_add",
    "exclusion_revoke",
    "offer_confirm",
    "offer_decline",
    "offer_outcome_record",
    "offers_expire",
    "offers_export",
    "person_offer_apply",
    "prompt_answer",
    "push_run_execute",
    "push_run_scheduled",
    "push_run_start",
    "push_runs_recover",
]
