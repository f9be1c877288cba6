"""A figure as people read it: its value, its goal, its definition, its source and when it was measured — and
the targets measured from the records with their definitions (`target_measure`).

A count target counts the rows of its frame where the definition is true; a row where it is unknown (a fact
not recorded) counts as not met and is reported as such. A share target sums a money fact over the rows where
the definition is true and divides by the city's total entered for the year, exactly: the numerator and the
denominator are fen, the percent is rounded half up to 0.01 only for display."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl

from shouzhan.insight.frames import enterprise_frame, filing_frame, pushdown
from shouzhan.insight.models import CityFigure, Target
from shouzhan.insight.vocabulary import facts_for
from shouzhan.rules import ir
from shouzhan.rules.polars_backend import compile_polars
from shouzhan.rules.types import compile_expression

CENT = Decimal("0.01")


@dataclass
class Figure:
    key: str
    title: str
    value: Decimal | None  # a count, a percent, or yuan; None when it cannot be measured (no city total)
    unit: str  # count | percent | yuan
    definition: str  # in words, or the rule text of a target
    source: str
    as_of: dt.date
    goal: Decimal | None = None
    unknown: int = 0  # rows where the definition could not be decided
    numerator_fen: int | None = None
    denominator_fen: int | None = None
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def progress(self) -> Decimal | None:
        """Value over goal in percent (0.01), or None."""
        if self.value is None or not self.goal:
            return None
        return (self.value * 100 / self.goal).quantize(CENT, ROUND_HALF_UP)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("value", "goal"):
            data[name] = None if data[name] is None else str(data[name])
        data["as_of"] = self.as_of.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Figure:
        data = dict(data)
        for name in ("value", "goal"):
            data[name] = None if data.get(name) is None else Decimal(data[name])
        data["as_of"] = dt.date.fromisoformat(data["as_of"])
        return cls(**data)


def percent(numerator: int, denominator: int) -> Decimal:
    """numerator / denominator in percent, rounded half up to 0.01."""
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(CENT, ROUND_HALF_UP)


def definition_tree(target: Target) -> ir.Expr:
    return compile_expression(target.definition, "bool", facts=facts_for(target.counts))


def definition_lines(target: Target) -> list[str]:
    """The definition as people read it: each condition of its top-level `and` in words (the page's language),
    from the same typed tree the count runs on."""
    return rule_words(target.definition)


def rule_words(text: str) -> list[str]:
    """A stored definition's rule text in words (a month-end snapshot keeps the text it was measured by);
    the text itself when it no longer reads against today's facts."""
    from shouzhan.insight.vocabulary import MEASURE_FACTS
    from shouzhan.policies.plain import condition_lines
    from shouzhan.rules.errors import RuleError

    try:
        return condition_lines(compile_expression(text, "bool", facts=MEASURE_FACTS))
    except RuleError:
        return [text]


def definition_expr(target: Target, on: dt.date) -> pl.Expr:
    return compile_polars(definition_tree(target), on)


def target_frames(targets: list[Target], as_of: dt.date, *, full: bool = False) -> dict[str, pl.DataFrame]:
    """The frames the targets read at the day's end ("enterprise", and "filing" when one counts filings), with
    what every definition requires of a plain column pushed down into SQL (`frames.pushdown`) and only the
    facts they read (and a share's summed fact); `full`: every fact and the name (lists of what counts)."""
    trees = [definition_tree(t) for t in targets]
    where = pushdown(trees)
    facts = None if full else set().union(*(tree.facts() for tree in trees), (t.sum_fact for t in targets))
    frames = {"enterprise": enterprise_frame(as_of=as_of, where=where, facts=facts)}
    if any(t.counts == Target.Counts.FILING for t in targets):
        frames["filing"] = filing_frame(as_of=as_of, enterprises=frames["enterprise"], where=where)
    return frames


def city_total(*, year: int, as_of: dt.date) -> CityFigure | None:
    """The city's total for the year as entered by the day (the latest entry wins); the previous year's when
    this year's is not published yet."""
    rows = CityFigure.objects.filter(
        kind=CityFigure.Kind.INDUSTRY_REVENUE, year__in=(year, year - 1), published_on__lte=as_of
    ).order_by("-year", "-entered_at")
    return rows.first()


def target_measure(target: Target, frame: pl.DataFrame, *, as_of: dt.date) -> Figure:
    """One target on its frame (`frames.enterprise_frame` or `frames.filing_frame` at the same day)."""
    expr = definition_expr(target, as_of)
    decided = frame.select(expr.alias("met"))["met"]
    met = frame.filter(decided.fill_null(False))
    unknown = int(decided.is_null().sum())
    figure = Figure(
        key=target.key, title=target.title, value=Decimal(met.height), unit="count",
        definition=target.definition, source=target.source, as_of=as_of, goal=target.goal, unknown=unknown,
    )  # fmt: skip
    if target.measure == Target.Measure.COUNT:
        return figure
    numerator = int(met[target.sum_fact].sum() or 0)
    total = city_total(year=as_of.year, as_of=as_of)
    figure.unit, figure.numerator_fen, figure.detail = "percent", numerator, {"enterprises": met.height}
    if total is None:
        figure.value, figure.note = None, "no_city_total"
        return figure
    figure.value = percent(numerator, total.value_fen)
    figure.denominator_fen = total.value_fen
    figure.detail |= {"city_year": total.year, "city_source": total.source,
                      "city_published_on": total.published_on.isoformat()}  # fmt: skip
    return figure
