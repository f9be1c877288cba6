"""A target's progress told in words: its monthly series (the stored month-end snapshots, then the figure
now), the average monthly gain over the last months, and where that line reaches by the end of the target
period (`TargetVersion.period_to`) — on track when the projection reaches the goal, behind otherwise.

Exact: the gain and the projection are Fractions; only the words round (a count to a whole number, a percent
to 0.01, half up). The figure now stands for the month it is measured in, so the months left are counted
from that month to the period's last month."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import polars as pl
from django.http import Http404
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor
from shouzhan.insight.figures import Figure, definition_expr, target_frames, target_measure
from shouzhan.insight.models import CityFigure, Target, TargetVersion
from shouzhan.insight.permissions import require_read
from shouzhan.insight.selectors import snapshot_series, target_list, targets_current
from shouzhan.insight.vocabulary import MEASURE_FACTS
from shouzhan.registry.choices import Sector
from shouzhan.registry.models import Enterprise
from shouzhan.rules.vocabulary import fact_label

WINDOW = 6  # months the average gain is taken over (fewer when the history is shorter)


@dataclass(frozen=True)
class Point:
    month: dt.date  # the first day of the month
    value: Decimal
    stored: bool  # a month-end snapshot (True) or the figure now (False)


@dataclass(frozen=True)
class Progress:
    points: list[Point]
    goal: Decimal | None
    months_used: int  # months the gain is averaged over (0: not enough history)
    gain: Fraction | None  # per month
    months_left: int
    projected: Fraction | None
    on_track: bool | None  # None: cannot be told
    reached: bool
    text: str


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _decimal(value: Fraction, places: str) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(places), ROUND_HALF_UP)


def amount_words(value: Fraction | Decimal, unit: str) -> str:
    """A count as the whole number of 家/部/个 reached (rounded down: 82.8 家 is 82 reached), a percent with two
    decimals (half up)."""
    value = Fraction(value)
    if unit == "percent":
        return f"{_decimal(value, '0.01')}%"
    return str(value.numerator // value.denominator)


def gain_words(gain: Fraction, unit: str) -> str:
    if unit == "percent":
        return _("%(g)s 个百分点") % {"g": _decimal(gain, "0.01")}
    text = str(_decimal(gain, "0.01")).rstrip("0").rstrip(".")
    return text


def shortfall_words(short: Fraction, unit: str, noun: str) -> str:
    """What is missing at the period's end: whole units rounded up (0.4 家 short is 1 家 short)."""
    if unit == "percent":
        return gain_words(short, unit)
    whole = -((-short.numerator) // short.denominator)
    return f"{whole} {noun}".strip()


def series_points(history: list[tuple[dt.date, Figure]], current: Figure | None) -> list[Point]:
    """The stored months (oldest first) and the figure now, unless its month is already stored."""
    points = [Point(month.replace(day=1), f.value, True) for month, f in history if f.value is not None]
    if current is not None and current.value is not None:
        month = current.as_of.replace(day=1)
        if not points or month_index(points[-1].month) < month_index(month):
            points.append(Point(month, current.value, False))
    return points


def progress_project(
    *,
    history: list[tuple[dt.date, Figure]],
    current: Figure | None,
    goal: Decimal | None,
    period_to: dt.date,
    noun: str = "",
    unit: str = "count",
    window: int = WINDOW,
) -> Progress:
    """The trend and the projection of one target; `noun` is its measure word (家, 部, 个)."""
    points = series_points(history, current)
    last = points[-1] if points else None
    months_left = max(month_index(period_to) - month_index(last.month), 0) if last else 0
    reached = bool(last is not None and goal is not None and last.value >= goal)
    end = _("%(y)s年%(m)s月") % {"y": period_to.year, "m": period_to.month}

    def done(text: str, **kw: object) -> Progress:
        base: dict[str, object] = dict(
            points=points, goal=goal, months_used=0, gain=None, months_left=months_left,
            projected=None, on_track=None, reached=reached, text=text,
        )  # fmt: skip
        base.update(kw)
        return Progress(**base)  # type: ignore[arg-type]

    if last is None:
        return done(_("尚无数据，暂不推算。"))
    if reached:
        return done(_("已达到目标。"), on_track=True)
    earlier = [p for p in points[:-1] if month_index(last.month) - month_index(p.month) <= window]
    if not earlier or goal is None:
        return done(_("月末快照不足两个月，暂不推算趋势。"))
    first = earlier[0]
    months = month_index(last.month) - month_index(first.month)
    gain = (Fraction(last.value) - Fraction(first.value)) / months
    projected = Fraction(last.value) + gain * months_left
    on_track = projected >= Fraction(goal)
    verb = _("新增") if unit != "percent" else _("提高")
    if gain < 0:
        verb = _("减少") if unit != "percent" else _("下降")
    gain_text = gain_words(abs(gain), unit)
    value_text = amount_words(projected, unit)
    if unit != "percent":
        gain_text, value_text = f"{gain_text} {noun}".strip(), f"{value_text} {noun}".strip()
    verdict = (
        _("可完成目标")
        if on_track
        else _("落后于目标，尚差 %(d)s") % {"d": shortfall_words(Fraction(goal) - projected, unit, noun)}
    )
    text = _("按近%(n)s个月平均每月%(verb)s %(gain)s推算，到 %(end)s 将达 %(value)s，%(verdict)s。") % {
        "n": months, "verb": verb, "gain": gain_text, "end": end, "value": value_text, "verdict": verdict,
    }  # fmt: skip
    return done(text, months_used=months, gain=gain, projected=projected, on_track=on_track)


# ----------------------------------------------------------------------------- the pages' reads
# A target's measure word; otherwise by what it counts (in English, the noun: enterprises, teams, dramas).
NOUNS = {"incubated_teams": pgettext_lazy("measure word of teams", "个")}
NOUN_BY_COUNTS = {
    "enterprise": pgettext_lazy("measure word of enterprises", "家"),
    "filing": pgettext_lazy("measure word of dramas", "部"),
}
PAGE_SIZE = 50  # the enterprises or filings listed under a target, per page (bounded)


@dataclass(frozen=True)
class TargetProgress:
    target: Target
    figure: Figure
    progress: Progress
    noun: str
    unknown_words: list[str]
    history: list[tuple[dt.date, Figure]]  # the stored month-ends, oldest first


def noun_for(target: Target) -> str:
    return str(NOUNS.get(target.key, NOUN_BY_COUNTS.get(target.counts, "")))


def _fact_words(name: str) -> str:
    """A fact's name in the page's language, without its unit ("年营业收入（元）" → 年营业收入)."""
    if name not in MEASURE_FACTS:
        return name
    english = not (get_language() or "zh-hans").startswith("zh")
    return fact_label(name, english=english).split("（", 1)[0].split(" (", 1)[0]


def unknown_explained(target: Target, frame: pl.DataFrame, *, as_of: dt.date) -> list[str]:
    """Why rows could not be decided, in words: the facts the definition reads that are not recorded for
    them ("3 家企业因年营业收入未登记无法判断")."""
    decided = frame.select(definition_expr(target, as_of).alias("met"))["met"]
    unknown = frame.filter(decided.is_null())
    if unknown.height == 0:
        return []
    noun = _("家企业") if target.counts == Target.Counts.ENTERPRISE else _("部备案作品")
    words = []
    for column in unknown.columns:
        if column.startswith(("enterprise.", "filing.")) and column in target.definition:
            missing = int(unknown[column].is_null().sum())
            if missing:
                words.append(
                    _("%(n)s %(noun)s因%(fact)s未登记无法判断")
                    % {"n": missing, "noun": noun, "fact": _fact_words(column)}
                )
    return words


def targets_progress(*, actor: Actor, as_of: dt.date) -> tuple[TargetVersion | None, list[TargetProgress]]:
    """Every target in force: measured now, its stored month-ends, the projection and the unknowns explained."""
    require_read(actor)
    version = targets_current()
    targets = target_list(version)
    if version is None or not targets:
        return version, []
    frames = target_frames(targets, as_of)
    history = snapshot_series(keys=[t.key for t in targets])
    out = []
    for target in targets:
        frame = frames[target.counts]
        figure = target_measure(target, frame, as_of=as_of)
        unit = "percent" if target.measure == Target.Measure.SHARE else "count"
        noun = noun_for(target)
        progress = progress_project(
            history=history.get(target.key, []), current=figure, goal=target.goal,
            period_to=version.period_to, noun=noun, unit=unit,
        )  # fmt: skip
        unknown = unknown_explained(target, frame, as_of=as_of) if figure.unknown else []
        out.append(TargetProgress(target, figure, progress, noun, unknown, history.get(target.key, [])))
    return version, out


def target_get(*, actor: Actor, key: str) -> tuple[TargetVersion, Target]:
    require_read(actor)
    version = targets_current()
    target = version.targets.filter(key=key).first() if version is not None else None
    if version is None or target is None:
        raise Http404(_("没有这个目标。"))
    return version, target


@dataclass(frozen=True)
class Members:
    """The enterprises or filings a target counts now, one page of them."""

    rows: list[dict[str, object]]
    total: int
    page: int
    pages: int


def target_members(*, actor: Actor, target: Target, as_of: dt.date, page: int = 1) -> Members:
    require_read(actor)
    frame = target_frames([target], as_of, full=True)[target.counts]
    met = frame.filter(frame.select(definition_expr(target, as_of).alias("m"))["m"].fill_null(False))
    total = met.height
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    chunk = met.sort("id").slice((page - 1) * PAGE_SIZE, PAGE_SIZE)
    if target.counts == Target.Counts.FILING:
        rows: list[dict[str, object]] = [
            {"id": r[0], "enterprise_id": r[1], "decided_on": r[2], "ai_share": r[3], "episodes": r[4]}
            for r in chunk.select(
                "id", "enterprise_id", "filing.decided_on", "filing.ai_share_percent", "filing.episodes"
            ).iter_rows()
        ]
        ids = {r["enterprise_id"] for r in rows}
        names = dict(Enterprise.objects.filter(pk__in=ids).values_list("pk", "name"))
        for r in rows:
            r["name"] = names.get(r["enterprise_id"], "")  # type: ignore[call-overload]
    else:
        sectors = dict(Sector.choices)
        rows = [
            {"id": r[0], "name": r[1], "district": r[2], "sector_label": str(sectors.get(r[3] or "", r[3] or "—")),
             "revenue_fen": r[4]}
            for r in chunk.select(
                "id", "name", "enterprise.district", "enterprise.sector", "enterprise.annual_revenue_yuan"
            ).iter_rows()
        ]  # fmt: skip
    return Members(rows=rows, total=total, page=page, pages=pages)


def city_figures(*, actor: Actor, limit: int = 20) -> list[CityFigure]:
    """The city's totals entered, newest year and entry first (bounded)."""
    require_read(actor)
    return list(CityFigure.objects.select_related("entered_by").order_by("-year", "-entered_at")[:limit])
