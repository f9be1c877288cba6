"""Data checks: a case type's declared fields, the rules engine's answer for a policy clause."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shouzhan.cases import workflow as wf
from shouzhan.cases.models import Case
from shouzhan.core.audit import json_safe
from shouzhan.core.workdays import MAX_DATE, MIN_DATE, parse_iso_date


def data_clean(ct: wf.CaseType, data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Check the declared fields of the case type; undeclared keys pass through (other modules' data)."""
    return fields_clean(ct.fields, data, partial=partial)


def answers_clean(t: wf.Transition, answers: dict[str, Any] | None) -> dict[str, Any]:
    """What a step asks the staff for (`Transition.asks`), every field checked; nothing else accepted."""
    answers = answers or {}
    if not isinstance(answers, dict):
        raise ValidationError({"answers": [_("办理信息格式不正确。")]})
    unknown = sorted(set(answers) - {f.name for f in t.asks})
    if unknown:
        raise ValidationError(
            {
                "answers": [
                    _("“%(action)s”不需要这些信息：%(names)s。")
                    % {"action": t.label, "names": "、".join(unknown)}
                ]
            }
        )
    return fields_clean(t.asks, answers)


def fields_clean(
    fields: tuple[wf.Field, ...], data: dict[str, Any], *, partial: bool = False
) -> dict[str, Any]:
    """Check `fields` in `data` (kinds, bounds, choices, shapes), every error at once; other keys pass through."""
    if not isinstance(data, dict):
        raise ValidationError({"data": [_("申请内容格式不正确。")]})
    cleaned = dict(data)
    errors: dict[str, list[str]] = {}
    for f in fields:
        value = data.get(f.name)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            if f.required and not partial:
                errors[f.name] = [_("请填写“%(label)s”。") % {"label": f.label}]
            cleaned.pop(f.name, None) if value is None else cleaned.__setitem__(f.name, "")
            continue
        try:
            if f.kind in ("int", "percent"):
                value = _number_in_bounds(f, value)
            elif f.kind == "date":
                # YYYY-MM-DD within the calendar's range, as every date form field (CalendarDateField).
                value = parse_iso_date(value if isinstance(value, dt.date) else str(value)).isoformat()
            elif f.kind == "choice":
                value = str(value)
                if value not in {key for key, _label in f.choices}:
                    raise ValueError
            else:
                value = str(value)
                if len(value) > 5000:
                    raise ValueError
                if f.pattern and not re.fullmatch(f.pattern, value):
                    errors[f.name] = [
                        _("“%(label)s”格式不对：应为%(hint)s。") % {"label": f.label, "hint": f.pattern_hint}
                    ]
                    continue
        except ValueError:
            hint = {
                "int": _bounds_hint(f),
                "percent": _bounds_hint(f),
                "date": _("日期应为 YYYY-MM-DD，在 %(min)s 至 %(max)s 之间")
                % {"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()},
                "choice": _("请从列表中选择（可选：%(choices)s）")
                % {"choices": "、".join(str(label) for _key, label in f.choices)},
            }.get(f.kind, _("内容过长（最多5000字）"))
            errors[f.name] = [_("“%(label)s”：%(hint)s。") % {"label": f.label, "hint": hint}]
            continue
        cleaned[f.name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def _number_in_bounds(f: wf.Field, value: Any) -> int:
    """A whole number within the field's bounds (a bool or 2.5 is not one); ValueError otherwise."""
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError
    number = int(value) if isinstance(value, float) else int(str(value))
    low, high = f.bounds
    if number < low or (high is not None and number > high):
        raise ValueError
    return number


def _bounds_hint(f: wf.Field) -> str:
    low, high = f.bounds
    if high is None:
        return _("请填写不小于%(min)s的整数") % {"min": low}
    return _("请填写%(min)s到%(max)s之间的整数") % {"min": low, "max": high}


def _norm(value: Any) -> Any:
    return None if value in (None, "") else value


def data_changes(ct: wf.CaseType, before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """The declared fields whose value changed: name, label, before and after (None when empty)."""
    changes = []
    for f in ct.fields:
        old, new = _norm(before.get(f.name)), _norm(after.get(f.name))
        if old != new:
            changes.append({"field": f.name, "label": str(f.label), "before": old, "after": new})
    return changes


def rule_result(*, case: Case, on: dt.date) -> dict[str, Any]:
    """Run the rules engine for the case's clause with the enterprise's facts as they are now."""
    from shouzhan.policies.selectors import calculate
    from shouzhan.registry.selectors import enterprise_facts

    if case.enterprise is None:
        raise ValidationError(_("政策申报必须属于一个企业。"))
    facts = enterprise_facts(enterprise=case.enterprise, project=case.project)
    result = next((r for r in calculate(facts=facts, on=on).results if r.id == case.clause_id), None)
    if result is None:
        raise ValidationError(
            {"clause_id": [_("条款 %(id)s 在 %(on)s 不在有效期内。") % {"id": case.clause_id, "on": on}]}
        )
    cap_fen = _clause_cap_fen(case.clause_id, on)
    return {
        "on": on.isoformat(),
        "clause_id": result.id,
        "title": result.title,
        "status": result.status,
        "max_amount_fen": result.max_amount_fen,
        "cap_fen": cap_fen,
        "decision": result.decision,
        "missing_facts": list(result.missing_facts),
        "trace": json_safe(result.trace),
        "facts": json_safe(facts),
    }


def _clause_cap_fen(clause_id: str, on: dt.date) -> int | None:
    from shouzhan.policies.selectors import catalogue_in_force

    try:
        clause = catalogue_in_force(on=on).clause(clause_id)
    except KeyError:
        return None
    return clause.cap.fen if clause.cap is not None else None


def dedupe_key(*, enterprise_id: int, clause_id: str, project_id: int | None, year: int) -> str:
    return f"{enterprise_id}:{clause_id}:{project_id or 0}:{year}"
