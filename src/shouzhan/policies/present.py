"""Turn engine results into what people read: status words, amounts, reasons in plain Chinese."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shouzhan import rules
from shouzhan.core.money import format_yuan, parse_yuan_fen
from shouzhan.policies.plain import describe, fact_label
from shouzhan.policies.trace import PER, Line, bonus_rate, condition_lines, modifier_line
from shouzhan.rules import ir

STATUS = {
    "eligible": (_l("可申报"), "badge-ok"),
    "not_eligible": (_l("不符合"), "badge-muted"),
    "unknown": (_l("待补充信息"), "badge-warn"),
}
DECISION = {
    "formula": _l("按公式计算的上限"),
    "caseworker": _l("上限，具体金额由经办人在上限内核定"),
    "in_kind": _l("费用减免，不计金额"),
}


# A reason on the calculator is a line of the one trace presenter (words, value, mark, css, sides).
Reason = Line


@dataclass
class ClauseView:
    id: str
    policy_id: str
    policy_title: str
    title: str
    text: str
    status: str
    status_label: str
    badge: str
    amount_text: str
    decision_text: str
    cap_text: str
    reasons: list[Reason] = field(default_factory=list)
    modifiers: list[Line] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""
    max_amount_fen: int | None = None

    @property
    def url(self) -> str:
        return clause_url(self.id)

    @property
    def failed(self) -> list[Reason]:
        """The reasons that are not met (the not-eligible table lists these only)."""
        return [r for r in self.reasons if r.value is False]


# (script prefix, clause id) → the clause page's URL: reverse() costs about 40 µs, twice per clause on
# every calculator view, for an answer that never changes while the process runs.
_urls: dict[tuple[str, str], str] = {}


def clause_url(clause_id: str) -> str:
    key = (get_script_prefix(), clause_id)
    url = _urls.get(key)
    if url is None:
        if len(_urls) >= 4096:
            _urls.clear()
        url = _urls[key] = reverse("policies:clause", args=[clause_id])
    return url


# (id of the catalogue, language) → (that catalogue, its words). The catalogue in force is one object for
# the whole process (policies.selectors caches it by version), so its words are worked out once per
# language, not on every calculator view.
_words_cache: dict[tuple[int, str], tuple[rules.Catalogue, dict[str, str]]] = {}


def _leaf_words(catalogue: rules.Catalogue) -> dict[str, str]:
    """Expression text → plain words, for every leaf condition the catalogue can trace (read-only)."""
    key = (id(catalogue), get_language() or "")
    hit = _words_cache.get(key)
    if hit is not None and hit[0] is catalogue:
        return hit[1]
    words = _leaf_words_build(catalogue)
    if len(_words_cache) >= 64:
        _words_cache.clear()
    _words_cache[key] = (catalogue, words)
    return words


def _leaf_words_build(catalogue: rules.Catalogue) -> dict[str, str]:
    words: dict[str, str] = {}
    for policy in catalogue.policies:
        params = {name: p.label_zh for name, p in policy.parameters.items()}
        exprs = (
            [policy.applies_to]
            + [c.condition for c in policy.clauses]
            + [c.applies_to for c in policy.clauses]
        )
        exprs += [m.condition for m in policy.modifiers]
        for expression in exprs:
            if expression is None:
                continue
            for node in expression.tree.walk():
                if ir.is_leaf_condition(node) or isinstance(node, ir.FactRef):
                    text = describe(node, params)
                    if isinstance(node, ir.FactRef) and node.type == "bool":
                        text = _("%(subject)s为“是”") % {"subject": text}
                    words.setdefault(node.src.strip(), text)
    return words


def present(
    results: list[rules.ClauseResult], catalogue: rules.Catalogue, facts: dict[str, Any] | None = None
) -> list[ClauseView]:
    """The calculator's cards: each clause's status, amount and reasons in the trace presenter's words
    (with the values of `facts` when given)."""
    titles = {p.id: p.short_title or p.title for p in catalogue.policies}
    clauses = {c.id: c for c in catalogue.clauses}
    views = []
    for r in results:
        label, badge = STATUS.get(r.status, (r.status, "badge-muted"))
        reasons = condition_lines(r.trace, catalogue, facts, r.id)
        modifiers = [modifier_line(s, catalogue, facts) for s in r.trace if s.get("step") == "modifier"]
        cap = r.cap or {}
        cap_text = ""
        if cap.get("yuan"):
            cap_text = _("%(per)s最高 %(amount)s") % {
                "per": PER.get(cap.get("per", ""), ""),
                "amount": format_yuan(parse_yuan_fen(Decimal(cap["yuan"]))),
            }
            rate = bonus_rate(r.trace)
            if rate and r.max_amount_fen is not None:
                # The headline includes the bonus: the footer says so, with the same amount.
                cap_text += _("，加成 %(rate)s 后最高 %(amount)s") % {
                    "rate": rate,
                    "amount": format_yuan(r.max_amount_fen),
                }
        if r.max_amount_fen is not None:
            amount_text = format_yuan(r.max_amount_fen)
        elif r.decision == "in_kind" and r.status != "not_eligible":
            amount_text = _("费用减免")
        else:
            amount_text = "—"
        clause = clauses.get(r.id)
        views.append(
            ClauseView(
                id=r.id,
                policy_id=r.policy_id,
                policy_title=titles.get(r.policy_id, r.policy_id),
                title=r.title,
                text=clause.text if clause else "",
                status=r.status,
                status_label=str(label),
                badge=badge,
                amount_text=amount_text,
                decision_text=str(DECISION.get(r.decision, "")),
                cap_text=cap_text,
                reasons=reasons,
                modifiers=modifiers,
                missing=[(f, fact_label(f, brackets=False)) for f in r.missing_facts],
                note=r.note,
                max_amount_fen=r.max_amount_fen,
            )
        )
    order = {"eligible": 0, "unknown": 1, "not_eligible": 2}
    return sorted(views, key=lambda v: (order.get(v.status, 3), -(v.max_amount_fen or 0), v.id))
