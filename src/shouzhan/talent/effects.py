"""The handler of SUPPORT_OUTCOME (talent/workflow.py): a support case's outcome goes on the person's talent
record — whichever door the transition came through (the case page, the API).

A granted title review adds the title, a passed skill certification adds the certificate (both marked as
recorded by the case, so the person cannot delete them); every outcome adds a line of what was granted or
refused. A bad particular (a certificate number already on file, a date after today) refuses the transition
with the message on the field the caseworker filled.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from shouzhan.cases.events import CaseTransitioned, effect_handler_register
from shouzhan.talent import workflow as w


def _rekeyed(exc: ValidationError, names: dict[str, str]) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({names.get(k, k): v for k, v in exc.message_dict.items()})


def _particulars(event: CaseTransitioned, record: Any) -> tuple[str, str]:
    """(what was granted in words, its reference) — adding the title or certificate a grant carries."""
    from shouzhan.registry.talent import services as talent

    case, answers = event.case, event.answers
    if case.case_type == w.TITLE_REVIEW:
        data = {
            "series": case.data.get("series"),
            "level": answers.get("granted_level"),
            "specialty": case.data.get("specialty") or "",
            "granted_on": answers.get("granted_on"),
            "certificate_no": answers.get("certificate_no"),
        }
        try:
            talent.talent_title_add(actor=event.actor, record=record, data=data, source_case_id=case.pk)
        except ValidationError as exc:
            raise _rekeyed(exc, {"level": "granted_level"}) from None
        return "", str(answers.get("certificate_no") or "")
    if case.case_type == w.SKILL_CERTIFICATION:
        item = w.SKILL_CERTIFICATION_TYPE.field("item").display(case.data.get("item"))
        data = {
            "kind": "ai_av",
            "name": f"{item}",
            "number": answers.get("certificate_no"),
            "issued_on": answers.get("issued_on"),
        }
        try:
            talent.talent_certificate_add(actor=event.actor, record=record, data=data, source_case_id=case.pk)
        except ValidationError as exc:
            raise _rekeyed(exc, {"number": "certificate_no"}) from None
        return "", str(answers.get("certificate_no") or "")
    if case.case_type == w.SETTLING:
        return "", str(answers.get("letter_no") or "")
    text = answers.get("granted") if case.case_type == w.HOUSING else answers.get("arranged")
    return str(text or ""), ""


def on_support_outcome(event: CaseTransitioned) -> None:
    from shouzhan.registry.models import TalentRecord
    from shouzhan.registry.talent import services as talent

    record = TalentRecord.objects.select_related("person").filter(pk=event.case.related_id).first()
    if record is None or event.outcome not in ("ok", "bad"):
        return
    summary, reference = _particulars(event, record) if event.outcome == "ok" else (event.note, "")
    talent.talent_support_record(
        actor=event.actor,
        record=record,
        kind=event.case.case_type,
        granted=event.outcome == "ok",
        summary=summary,
        reference=reference,
        decided_on=event.on or event.at.date(),
        source_case_id=event.case.pk,
    )


def register() -> None:
    effect_handler_register(w.SUPPORT_OUTCOME, on_support_outcome)
