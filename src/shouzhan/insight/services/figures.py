"""The city's totals entered by hand, and the month-end snapshots: a month's figures stored once, at the
month's end, so that history does not move when records change later."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.audit import audit_record
from shouzhan.core.money import parse_yuan_fen
from shouzhan.insight import audit_actions as aa
from shouzhan.insight.models import CityFigure, Snapshot
from shouzhan.insight.permissions import require_manage
from shouzhan.insight.selectors import targets_measure
from shouzhan.insight.service_figures import service_figures


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


@transaction.atomic
def city_figure_enter(
    *, actor: Actor, year: int, value_yuan: Decimal, source: str, published_on: dt.date
) -> CityFigure:
    """Enter the city's industry revenue for a year with where it was published and when."""
    require_manage(actor)
    source = source.strip()
    if not source:
        raise ValidationError({"source": _("请写明数据来源（如：上海市统计局 2026 年统计公报）。")})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("年度应在 2000 至 2100 之间。")})
    value_fen = parse_yuan_fen(value_yuan)
    if value_fen <= 0:
        raise ValidationError({"value_yuan": _("全市统计数应大于 0。")})
    figure = CityFigure.objects.create(
        year=year,
        value_fen=value_fen,
        source=source[:200],
        published_on=published_on,
        entered_by=actor_user(actor),
    )
    audit_record(
        actor=actor,
        action=aa.CITY_FIGURE_ENTER,
        target=figure,
        after={
            "year": year,
            "value_fen": value_fen,
            "source": figure.source,
            "published_on": published_on.isoformat(),
        },
    )
    return figure


def snapshot_take(*, actor: Actor, month: dt.date) -> list[Snapshot]:
    """Store the month's figures as they stand at its end: the targets and the service figures. A month
    already taken is left as it is (its rows are returned); a month not yet over is refused."""
    month = month_start(month)
    as_of = month_end(month)
    existing = list(Snapshot.objects.filter(month=month).order_by("key"))
    if existing:
        return existing
    from django.utils import timezone

    if as_of >= timezone.localdate():
        raise ValidationError(
            _("%(m)s 尚未结束，不能生成月末快照。") % {"m": f"{month.year}-{month.month:02d}"}
        )
    figures = [*targets_measure(as_of=as_of), *service_figures(as_of=as_of)]
    try:
        with transaction.atomic():
            rows = Snapshot.objects.bulk_create(
                Snapshot(month=month, key=f.key, as_of=as_of, figure=f.to_json()) for f in figures
            )
            audit_record(
                actor=actor,
                action=aa.SNAPSHOT_TAKE,
                target_type="insight.Snapshot",
                target_label=f"{month.year}-{month.month:02d}",
                after={"month": month.isoformat(), "figures": len(rows)},
            )
    except IntegrityError:  # taken at the same moment by another worker: theirs stands
        return list(Snapshot.objects.filter(month=month).order_by("key"))
    return rows
