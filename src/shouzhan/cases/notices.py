"""Chinese PDF notices: 受理通知书 and 决定书, rendered by weasyprint with a CJK font."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shouzhan.cases import workflow as wf
from shouzhan.cases.models import Case, CaseEvent
from shouzhan.cases.permissions import require_case_read
from shouzhan.core.actors import Actor

ACCEPT_ACTIONS = {"accept"}
DECISION_ACTIONS = {"approve", "not_support", "decline", "complete", "reject", "cancel"}
KINDS = {"acceptance": _l("受理通知书"), "decision": _l("决定书")}


def _event(case: Case, kind: str) -> CaseEvent | None:
    actions = ACCEPT_ACTIONS if kind == "acceptance" else DECISION_ACTIONS
    return case.events.filter(action__in=actions).order_by("-created_at", "-id").first()


def notices_available(case: Case, events: Iterable[CaseEvent] | None = None) -> list[tuple[str, str]]:
    """The notices the case has; from its events when the caller already read them (the case page reads
    the timeline anyway), else one query per kind."""
    if events is None:
        return [(kind, str(label)) for kind, label in KINDS.items() if _event(case, kind) is not None]
    actions = {e.action for e in events}
    return [
        (kind, str(label))
        for kind, label in KINDS.items()
        if actions & (ACCEPT_ACTIONS if kind == "acceptance" else DECISION_ACTIONS)
    ]


def _clause_words(case: Case) -> str:
    """The clause as the notice names it: the policy's and the clause's titles, never the internal id."""
    from shouzhan.policies.selectors import clause_heading

    if not case.clause_id:
        return ""
    rule_result = case.rule_result or {}
    on = rule_result.get("on")
    try:
        day = dt.date.fromisoformat(on) if on else None
    except ValueError:
        day = None
    return clause_heading(clause_id=case.clause_id, on=day) or str(rule_result.get("title") or "")


def notice_document(*, actor: Actor, case: Case, kind: str) -> Any:
    """The notice laid out by weasyprint (its pages carry the text as printed); 404 when the case has no
    such notice (yet)."""
    from weasyprint import HTML

    require_case_read(actor, case)
    if kind not in KINDS:
        raise Http404(_("没有这种通知书。"))
    event = _event(case, kind)
    if event is None:
        raise Http404(_("该办件还没有%(kind)s。") % {"kind": KINDS[kind]})
    ct = wf.case_type_get(case.case_type)
    html = render_to_string(
        "cases/notice_pdf.html",
        {
            "case": case,
            "kind": kind,
            "kind_label": KINDS[kind],
            "event": event,
            "case_type": ct,
            "state_label": ct.state(event.to_state).applicant_label,
            "issued_on": timezone.localtime(event.created_at).date(),
            "ok": ct.state(event.to_state).outcome != "bad",
            "clause": _clause_words(case),
        },
    )
    return HTML(string=html).render()


def notice_pdf(*, actor: Actor, case: Case, kind: str) -> tuple[bytes, str]:
    """The PDF bytes and a file name; 404 when the case has no such notice (yet)."""
    pdf = notice_document(actor=actor, case=case, kind=kind).write_pdf()
    assert pdf is not None
    return pdf, f"{case.reference}-{kind}.pdf"


def notice_response(*, actor: Actor, case: Case, kind: str) -> HttpResponse:
    """The notice as a PDF download (the page and the API answer the same)."""
    pdf, filename = notice_pdf(actor=actor, case=case, kind=kind)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
