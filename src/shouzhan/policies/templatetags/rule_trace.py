"""`{% rule_trace trace facts=… missing=… %}`: a clause's trace in sentences, on any module's page.

The application form, the case page and the notices show a trace through this one tag (the calculator
through `present`, built on the same presenter). Policy officers also get the expressions, behind a toggle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django import template
from django.utils import timezone

from shouzhan.policies.permissions import can_read_rule_expressions
from shouzhan.policies.plain import fact_label
from shouzhan.policies.trace import TraceView, trace_present

register = template.Library()


def trace_view(
    trace: Sequence[Mapping[str, Any]] | None,
    *,
    facts: Mapping[str, Any] | None = None,
    missing: list[str] | None = None,
) -> TraceView | None:
    """The trace presented with the catalogue in force on the day it was computed."""
    from shouzhan.policies.selectors import catalogue_in_force

    if not trace:
        return None
    step = next((s for s in trace if s.get("step") == "in_force"), {})
    try:
        on = dt.date.fromisoformat(str(step.get("on")))
    except ValueError:
        on = timezone.localdate()
    return trace_present(list(trace), catalogue=catalogue_in_force(on=on), facts=facts, missing=missing)


@register.inclusion_tag("policies/_trace.html", takes_context=True)
def rule_trace(
    context: template.Context,
    trace: Sequence[Mapping[str, Any]] | None,
    facts: Mapping[str, Any] | None = None,
    missing: list[str] | None = None,
    expanded: bool = True,
) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "t": trace_view(trace, facts=facts, missing=missing),
        "officer": user is not None and can_read_rule_expressions(user),
        "open": expanded,
    }


@register.filter
def fact_labels(names: list[str] | None) -> str:
    """Missing facts by their labels: ["project.award_winning"] → 「是否获奖作品」."""
    return "、".join(fact_label(n) for n in names or [])


@register.filter
def clause_heading(clause_id: str | None, fallback: str = "") -> str:
    """A clause as pages name it: the policy's and the clause's titles (`fallback` when it is gone)."""
    from shouzhan.policies.selectors import clause_heading as heading

    return (heading(clause_id=clause_id) if clause_id else "") or fallback
