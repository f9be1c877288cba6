"""The monthly bulletin's content (月度通报), composed from the month's stored snapshots only — never from the
records as they are now, so a bulletin regenerated from the same snapshots says the same.

For each target: its value at the month's end, its goal, the progress (value over goal), the change on the
previous month's snapshot and the share of the target period already past; then the service figures with
their change; then a few sentences written from those figures (“集聚优质企业：本月新增 2 家，累计 18 家，
完成目标 40 家的 45.00%”). The charts are geometry computed here and drawn as inline SVG by the template:
bars of progress against the goal (with the time elapsed marked), and a line of each target's monthly
progress over the last twelve months.

The reads (`bulletin_archive`, `bulletin_for_month`) check the one door like every insight read."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from shouzhan.core.actors import Actor
from shouzhan.core.money import format_wan
from shouzhan.insight import audit_actions as aa
from shouzhan.insight.figures import CENT, Figure, rule_words
from shouzhan.insight.models import Bulletin, Snapshot, Target
from shouzhan.insight.permissions import require_read
from shouzhan.insight.selectors import snapshot_series, targets_current
from shouzhan.insight.services.figures import month_end, month_start

TREND_MONTHS = 12
COLOURS = ("#0b57a4", "#17703d", "#d84315", "#6a1b9a", "#00838f", "#5d4037")
# The measure word a count takes, by how its title ends (a team is 个, a drama 部); 家 for enterprises.
MEASURE_WORDS = (("团队", "个"), ("项目", "个"), ("剧", "部"), ("作品", "部"), ("企业", "家"))


def previous_month(month: dt.date) -> dt.date:
    return month_start(month_start(month) - dt.timedelta(days=1))


# In English the noun stands for the measure word (progress.py says it the same way).
_WORDS = {
    "个": pgettext_lazy("measure word of teams", "个"),
    "部": pgettext_lazy("measure word of dramas", "部"),
    "家": pgettext_lazy("measure word of enterprises", "家"),
}


def measure_word(title: str) -> str:
    for ending, word in MEASURE_WORDS:
        if title.endswith(ending):
            return str(_WORDS[word])
    return str(_WORDS["个"]) if title else ""


def _fmt(value: Decimal | None, unit: str) -> str:
    """A value as the bulletin prints it: a count whole, a percent to 0.01 with “%”, money in 万元."""
    if value is None:
        return "—"
    if unit == "percent":
        return f"{value.quantize(CENT, ROUND_HALF_UP)}%"
    if unit == "yuan":
        return format_wan(int((value * 100).to_integral_value(ROUND_HALF_UP)))
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.quantize(CENT, ROUND_HALF_UP):,}"


def _fmt_change(change: Decimal | None, unit: str) -> str:
    if change is None:
        return "—"
    sign = "+" if change > 0 else ""
    if unit == "percent":
        return _("%(sign)s%(n)s 个百分点") % {"sign": sign, "n": change.quantize(CENT, ROUND_HALF_UP)}
    if unit == "yuan":
        return ("+" if change > 0 else "-" if change < 0 else "") + _fmt(abs(change), unit)
    return sign + _fmt(change, unit)


@dataclass
class Line:
    """One figure of the bulletin with everything printed beside it."""

    key: str
    title: str
    unit: str
    value: Decimal | None
    goal: Decimal | None
    progress: Decimal | None  # value over goal, percent
    previous: Decimal | None  # last month's value (None: no snapshot, or not measurable then)
    change: Decimal | None
    definition: str
    source: str
    as_of: dt.date
    unknown: int = 0
    note: str = ""
    word: str = ""  # the measure word of a count (家, 个, 部)

    @property
    def value_text(self) -> str:
        text = _fmt(self.value, self.unit)
        return f"{text} {self.word}" if self.word and self.value is not None else text

    @property
    def goal_text(self) -> str:
        text = _fmt(self.goal, self.unit)
        return f"{text} {self.word}" if self.word and self.goal is not None else text

    @property
    def previous_text(self) -> str:
        return _fmt(self.previous, self.unit)

    @property
    def change_text(self) -> str:
        return _fmt_change(self.change, self.unit)

    @property
    def progress_text(self) -> str:
        return "—" if self.progress is None else f"{self.progress}%"


def _line(figure: Figure, previous: Figure | None, *, target: bool) -> Line:
    change = None
    if previous is not None and previous.value is not None and figure.value is not None:
        change = figure.value - previous.value
    return Line(
        key=figure.key,
        title=figure.title,
        unit=figure.unit,
        value=figure.value,
        goal=figure.goal,
        progress=figure.progress,
        previous=None if previous is None else previous.value,
        change=change,
        # A target's definition is a rule: the bulletin says it in words; a service figure's is words already.
        definition="；".join(rule_words(figure.definition)) if target else figure.definition,
        source=figure.source,
        as_of=figure.as_of,
        unknown=figure.unknown,
        note=figure.note,
        word=measure_word(figure.title) if target and figure.unit == "count" else "",
    )


def target_sentence(line: Line, elapsed: Decimal | None) -> str:
    """One sentence on a target, written from its figures."""
    if line.value is None:
        if line.note == "no_city_total":
            return _("%(t)s：尚未录入全市统计数，本月无法计算。") % {"t": line.title}
        return _("%(t)s：本月无法计算。") % {"t": line.title}
    parts = []
    if line.unit == "count":
        if line.change is None:
            parts.append(_("上月无快照，不计变化"))
        elif line.change > 0:
            parts.append(_("本月新增 %(n)s") % {"n": _fmt(line.change, "count") + f" {line.word}"})
        elif line.change < 0:
            parts.append(_("本月减少 %(n)s") % {"n": _fmt(-line.change, "count") + f" {line.word}"})
        else:
            parts.append(_("本月无新增"))
        parts.append(_("累计 %(v)s") % {"v": line.value_text})
    else:
        parts.append(_("本月为 %(v)s") % {"v": line.value_text})
        if line.change is None:
            parts.append(_("上月无快照，不计变化"))
        elif line.change == 0:
            parts.append(_("与上月持平"))
        else:
            word = _("上升") if line.change > 0 else _("下降")
            amount = _fmt(abs(line.change), line.unit)
            if line.unit == "percent":
                amount = _("%(n)s 个百分点") % {"n": abs(line.change).quantize(CENT, ROUND_HALF_UP)}
            parts.append(_("较上月%(w)s %(n)s") % {"w": word, "n": amount})
    if line.progress is not None:
        parts.append(_("完成目标 %(g)s的 %(p)s") % {"g": line.goal_text, "p": line.progress_text})
        if elapsed is not None:
            ahead = line.progress >= elapsed
            parts.append(
                _("快于时间进度（%(e)s%%）") % {"e": elapsed}
                if ahead
                else _("落后于时间进度（%(e)s%%）") % {"e": elapsed}
            )
    text = _("%(t)s：%(parts)s。") % {"t": line.title, "parts": _("，").join(parts)}
    if line.unknown:
        text += _("另有 %(n)s 条记录因数据未登记无法判断，未计入。") % {"n": line.unknown}
    return text


def service_sentence(line: Line) -> str:
    if line.value is None:
        return _("%(t)s：本月暂无数据。") % {"t": line.title}
    if line.change is None:
        return _("%(t)s %(v)s。") % {"t": line.title, "v": line.value_text}
    if line.change == 0:
        return _("%(t)s %(v)s（与上月持平）。") % {"t": line.title, "v": line.value_text}
    word = _("上升") if line.change > 0 else _("下降")
    amount = _fmt(abs(line.change), line.unit)
    if line.unit == "percent":
        amount = _("%(n)s 个百分点") % {"n": abs(line.change).quantize(CENT, ROUND_HALF_UP)}
    return _("%(t)s %(v)s（较上月%(w)s %(n)s）。") % {
        "t": line.title,
        "v": line.value_text,
        "w": word,
        "n": amount,
    }


# ------------------------------------------------------------------------------------------- charts
@dataclass(frozen=True)
class ProgressBar:
    y: float
    label: str
    width: float  # of the bar (capped at the frame)
    text: str
    colour: str


@dataclass
class BarsChart:
    width: float
    height: float
    left: float  # where the bars start (the labels are left of it)
    span: float  # the width of 100 %
    bars: list[ProgressBar]
    elapsed_x: float | None  # the time-elapsed marker
    elapsed_text: str = ""


@dataclass(frozen=True)
class Series:
    title: str
    colour: str
    points: str  # the polyline's "x,y x,y …"
    dots: list[tuple[float, float]]
    last_text: str
    legend_y: float


@dataclass
class TrendChart:
    width: float
    height: float
    left: float
    top: float
    plot_w: float
    plot_h: float
    months: list[tuple[float, str]]  # x and label of each month
    grid: list[tuple[float, str]]  # y and label of each horizontal grid line
    series: list[Series]


def bars_chart(lines: list[Line], elapsed: Decimal | None) -> BarsChart:
    left, span, row = 150.0, 380.0, 30.0
    bars = []
    for n, line in enumerate(lines):
        progress = line.progress if line.progress is not None else Decimal(0)
        width = float(min(progress, Decimal(120))) * span / 100
        text = line.progress_text if line.progress is not None else _("无法计算")
        bars.append(ProgressBar(20 + n * row, line.title, round(width, 1), text, COLOURS[n % len(COLOURS)]))
    elapsed_x = None if elapsed is None else round(left + float(min(elapsed, Decimal(100))) * span / 100, 1)
    return BarsChart(
        width=640,
        height=40 + len(lines) * row,
        left=left,
        span=span,
        bars=bars,
        elapsed_x=elapsed_x,
        elapsed_text="" if elapsed is None else _("时间进度 %(e)s%%") % {"e": elapsed},
    )


def trend_chart(series: dict[str, list[tuple[dt.date, Figure]]], lines: list[Line]) -> TrendChart:
    months = sorted({m for key in series for m, _f in series[key]})[-TREND_MONTHS:]
    left, top, plot_w, plot_h = 50.0, 16.0, 420.0, 180.0
    values = [f.progress for key in series for m, f in series[key] if m in months and f.progress is not None]
    top_value = max([Decimal(100), *values])
    top_value = Decimal(int((top_value + 24) // 25) * 25)
    step = plot_w / max(len(months) - 1, 1)
    xs = {m: round(left + i * step, 1) for i, m in enumerate(months)}

    def y(value: Decimal) -> float:
        return round(top + plot_h - float(value / top_value) * plot_h, 1)

    drawn: list[Series] = []
    for n, line in enumerate(lines):
        points = [
            (xs[m], y(f.progress)) for m, f in series.get(line.key, []) if m in xs and f.progress is not None
        ]
        if not points:
            continue
        drawn.append(
            Series(
                line.title,
                COLOURS[n % len(COLOURS)],
                " ".join(f"{a},{b}" for a, b in points),
                points,
                line.progress_text,
                top + 4.0 + 16.0 * len(drawn),
            )
        )
    grid = [(y(top_value * k / 4), f"{(top_value * k / 4).quantize(Decimal(1))}%") for k in range(5)]
    return TrendChart(
        width=640,
        height=top + plot_h + 40,
        left=left,
        top=top,
        plot_w=plot_w,
        plot_h=plot_h,
        months=[(xs[m], f"{m.year}-{m.month:02d}") for m in months],
        grid=grid,
        series=drawn,
    )


# ------------------------------------------------------------------------------------------ content
@dataclass
class Content:
    month: dt.date
    as_of: dt.date
    targets: list[Line]
    services: list[Line]
    summary: list[str]
    elapsed: Decimal | None  # percent of the target period past at the month's end
    period: tuple[dt.date, dt.date] | None
    trend: dict[str, list[tuple[dt.date, Figure]]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return _("%(y)s年%(m)s月") % {"y": self.month.year, "m": self.month.month}

    def bars(self) -> BarsChart:
        return bars_chart(self.targets, self.elapsed)

    def trend_chart(self) -> TrendChart:
        return trend_chart(self.trend, self.targets)

    def to_json(self) -> dict[str, Any]:
        def line(item: Line) -> dict[str, Any]:
            data = asdict(item)
            for name in ("value", "goal", "progress", "previous", "change"):
                data[name] = None if data[name] is None else str(data[name])
            data["as_of"] = item.as_of.isoformat()
            return data

        return {
            "month": self.month.isoformat(),
            "as_of": self.as_of.isoformat(),
            "targets": [line(t) for t in self.targets],
            "services": [line(s) for s in self.services],
            "summary": self.summary,
            "elapsed": None if self.elapsed is None else str(self.elapsed),
        }


def _elapsed(as_of: dt.date) -> tuple[Decimal | None, tuple[dt.date, dt.date] | None]:
    version = targets_current()
    if version is None or version.period_to <= version.period_from:
        return None, None
    total = (version.period_to - version.period_from).days + 1
    past = min(max((as_of - version.period_from).days + 1, 0), total)
    share = (Decimal(past) * 100 / Decimal(total)).quantize(CENT, ROUND_HALF_UP)
    return share, (version.period_from, version.period_to)


def bulletin_compose(month: dt.date) -> Content:
    """The bulletin of a month from its snapshots (taken before: `snapshot_take`) and the previous month's."""
    month = month_start(month)
    target_keys = set(Target.objects.values_list("key", flat=True))
    rows = Snapshot.objects.filter(month__in=(month, previous_month(month))).order_by("key")
    now = {s.key: Figure.from_json(s.figure) for s in rows if s.month == month}
    before = {s.key: Figure.from_json(s.figure) for s in rows if s.month != month}
    order: dict[str, int] = {}
    for n, key in enumerate(
        Target.objects.order_by("-version__number", "order").values_list("key", flat=True)
    ):
        order.setdefault(key, n)  # the latest version's order
    targets = sorted((k for k in now if k in target_keys), key=lambda k: order.get(k, 0))
    lines = [_line(now[k], before.get(k), target=True) for k in targets]
    services = [_line(now[k], before.get(k), target=False) for k in now if k not in target_keys]
    elapsed, period = _elapsed(month_end(month))
    summary = [target_sentence(line, elapsed) for line in lines]
    summary += [service_sentence(line) for line in services]
    trend = {k: [(m, f) for m, f in v if m <= month] for k, v in snapshot_series(keys=targets).items()}
    return Content(
        month=month,
        as_of=month_end(month),
        targets=lines,
        services=services,
        summary=summary,
        elapsed=elapsed,
        period=period,
        trend=trend,
    )


# -------------------------------------------------------------------------------------------- reads
@dataclass(frozen=True)
class ArchiveRow:
    bulletin: Bulletin
    downloads: int

    @property
    def slug(self) -> str:
        return f"{self.bulletin.month.year}-{self.bulletin.month.month:02d}"


def bulletin_archive(*, actor: Actor) -> list[ArchiveRow]:
    """Every bulletin, newest first, with how many times it was downloaded (two queries)."""
    from shouzhan.core.models import AuditEntry

    require_read(actor)
    bulletins = list(Bulletin.objects.defer("pdf", "xlsx").select_related("generated_by"))
    counts = dict(
        AuditEntry.objects.filter(action=aa.BULLETIN_DOWNLOAD, target_type="insight.bulletin")
        .values("target_id")
        .annotate(n=Count("id"))
        .values_list("target_id", "n")
    )
    return [ArchiveRow(b, counts.get(str(b.pk), 0)) for b in bulletins]


def bulletin_for_month(*, actor: Actor, month: dt.date) -> Bulletin:
    """The bulletin of a month; 404 when there is none."""
    require_read(actor)
    bulletin = Bulletin.objects.filter(month=month_start(month)).first()
    if bulletin is None:
        raise Http404(_("%(y)s年%(m)s月的月度通报尚未生成。") % {"y": month.year, "m": month.month})
    return bulletin
