"""The review of a flagged patrol, warning levels, a river plan's progress, and the frequency rules published."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.audit import audit_record, audited_update
from shouzhan.core.errors import Conflict
from shouzhan.core.limits import check_length, required_text
from shouzhan.core.notifications import notify
from shouzhan.core.workdays import DateOutOfRange, check_date
from shouzhan.patrols import audit_actions as aa
from shouzhan.patrols.models import (
    FrequencyRule,
    FrequencyVersion,
    Level,
    Patrol,
    PlanMeasure,
    Target,
    Warning,
    WarningSpell,
)
from shouzhan.patrols.permissions import require_manage, require_review, require_update_plan
from shouzhan.patrols.rules import month_day

NOTE_MAX = 500


@transaction.atomic
def patrol_review(*, actor: Actor, patrol: Patrol, accept: bool, note: str, expected_version: int) -> Patrol:
    """A supervisor's decision on a flagged patrol: accepted ones count, rejected ones do not."""
    require_review(actor, patrol.target)
    note = str(note or "").strip()
    check_length(field="note", text=note, limit=NOTE_MAX)
    if not accept and not note:
        raise ValidationError({"note": [_("不通过时请写明理由，巡查人会看到。")]})
    locked = Patrol.objects.select_for_update().get(pk=patrol.pk)
    if locked.review != Patrol.Review.FLAGGED:
        raise Conflict(
            _("这次巡查已复核（%(r)s），请刷新页面。") % {"r": locked.get_review_display()},
            detail={"current_version": locked.version},
            api_error="already_reviewed",
        )
    updated = audited_update(
        actor=actor,
        instance=locked,
        action=aa.PATROL_REVIEW,
        changes={
            "review": Patrol.Review.ACCEPTED if accept else Patrol.Review.REJECTED,
            "reviewed_by": actor_user(actor),
            "reviewed_at": timezone.now(),
            "review_note": note,
        },
        expected_version=expected_version,
        note=note,
    )
    notify(
        users=[updated.patroller],
        message=(_("您 %(d)s 在“%(t)s”的巡查复核通过。") if accept else _(
            "您 %(d)s 在“%(t)s”的巡查复核不通过：%(n)s"
        )) % {"d": updated.on.isoformat(), "t": updated.target.name, "n": note},
        target=updated,
        url=reverse("patrols:patrol", args=[updated.pk]),
        skip=actor,
    )  # fmt: skip
    return updated


def _day(value: Any, field: str) -> dt.date:
    try:
        return check_date(value)
    except (DateOutOfRange, TypeError):
        raise ValidationError({field: [_("日期超出日历范围。")]}) from None


@transaction.atomic
def warning_set(
    *, actor: Actor, target: Target, level: str, from_on: dt.date, to_on: dt.date | None, reason: str
) -> WarningSpell:
    """Raise (or lift) a target's warning level over dates; patrols from then on are judged by it."""
    require_manage(actor)
    if level not in Warning.values:
        raise ValidationError({"level": [_("预警等级不正确。")]})
    start = _day(from_on, "from_on")
    end = _day(to_on, "to_on") if to_on is not None else None
    if end is not None and end < start:
        raise ValidationError({"to_on": [_("结束日期不能早于开始日期。")]})
    reason = required_text(reason, field="reason", limit=200, missing=_("请写明预警原因。"))
    spell = WarningSpell.objects.create(target=target, level=level, from_on=start, to_on=end, reason=reason)
    audit_record(
        actor=actor,
        action=aa.WARNING_SET,
        target=spell,
        after={"target": target.pk, "level": level, "from_on": start, "to_on": end, "reason": reason},
    )
    return spell


@transaction.atomic
def measure_update(*, actor: Actor, measure: PlanMeasure, progress: int, note: str) -> PlanMeasure:
    """一河一策: a measure's progress (0–100 %) and what was done."""
    require_update_plan(actor, measure.plan.river.office_id)
    if not isinstance(progress, int) or not 0 <= progress <= 100:
        raise ValidationError({"progress": [_("进度应为 0 到 100 之间的整数。")]})
    note = str(note or "").strip()
    check_length(field="note", text=note, limit=300)
    return audited_update(
        actor=actor, instance=measure, action=aa.MEASURE_UPDATE, changes={"progress": progress, "note": note}
    )


RULE_KEYS = ("level", "warning", "season", "period", "min_patrols", "min_minutes", "min_distance_m")


def _rules_check(rows: Any) -> list[dict[str, Any]]:
    """Every level × warning × season once, each with a period and positive minimums."""
    if not isinstance(rows, list):
        raise ValidationError({"rules": [_("频次规则格式不正确。")]})
    seen: dict[tuple[str, str, str], dict[str, Any]] = {}
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or set(row) - set(RULE_KEYS) or set(RULE_KEYS) - set(row):
            raise ValidationError(
                {"rules": [_("第 %(n)s 条规则应包含：%(k)s。") % {"n": n, "k": "、".join(RULE_KEYS)}]}
            )
        key = (str(row["level"]), str(row["warning"]), str(row["season"]))
        if (
            key[0] not in Level.values
            or key[1] not in Warning.values
            or key[2] not in FrequencyRule.Season.values
        ):
            raise ValidationError({"rules": [_("第 %(n)s 条规则的层级、预警或时段不正确。") % {"n": n}]})
        if row["period"] not in FrequencyRule.Period.values:
            raise ValidationError({"rules": [_("第 %(n)s 条规则的周期不正确。") % {"n": n}]})
        for field in ("min_patrols", "min_minutes", "min_distance_m"):
            value = row[field]
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100_000:
                raise ValidationError({"rules": [_("第 %(n)s 条规则的最低要求应为正整数。") % {"n": n}]})
        if key in seen:
            raise ValidationError({"rules": [_("第 %(n)s 条规则与前面的规则重复。") % {"n": n}]})
        seen[key] = row
    missing = [
        (lv, w, s) for lv in Level.values for w in Warning.values for s in FrequencyRule.Season.values
        if (lv, w, s) not in seen
    ]  # fmt: skip
    if missing:
        lv, w, s = missing[0]
        raise ValidationError({"rules": [_("缺少“%(l)s · %(w)s · %(s)s”的规则（共缺 %(n)s 条）。") % {
            "l": Level(lv).label, "w": Warning(w).label, "s": FrequencyRule.Season(s).label, "n": len(missing),
        }]})  # fmt: skip
    return list(seen.values())


def _same_as(version: FrequencyVersion, data: dict[str, Any], rows: list[dict[str, Any]]) -> bool:
    if (version.valid_from, version.flood_from, version.flood_to) != (
        data["valid_from"],
        data["flood_from"],
        data["flood_to"],
    ):
        return False
    stored = {tuple(getattr(r, k) for k in RULE_KEYS) for r in version.rules.all()}
    return stored == {tuple(row[k] for k in RULE_KEYS) for row in rows}


@transaction.atomic
def frequency_publish(*, actor: Actor, data: dict[str, Any], source: str = "") -> FrequencyVersion | None:
    """Publish the frequency rules as a new version valid from its date; None when nothing changed."""
    require_manage(actor)
    valid_from = data.get("valid_from")
    if isinstance(valid_from, str):
        try:
            valid_from = dt.date.fromisoformat(valid_from)
        except ValueError:
            valid_from = None
    if not isinstance(valid_from, dt.date):
        raise ValidationError({"valid_from": [_("请填写生效日期。")]})
    season = data.get("flood_season") or {}
    flood_from, flood_to = str(season.get("from", "")), str(season.get("to", ""))
    month_day(flood_from), month_day(flood_to)
    rows = _rules_check(data.get("rules"))
    clean = {"valid_from": _day(valid_from, "valid_from"), "flood_from": flood_from, "flood_to": flood_to}
    latest = FrequencyVersion.objects.order_by("-number").prefetch_related("rules").first()
    if latest is not None and _same_as(latest, clean, rows):
        return None
    version = FrequencyVersion.objects.create(
        number=(latest.number + 1) if latest else 1,
        note=str(data.get("note") or "")[:500],
        source=source[:200],
        published_by=actor_user(actor),
        **clean,
    )
    FrequencyRule.objects.bulk_create([FrequencyRule(version=version, **row) for row in rows])
    audit_record(
        actor=actor,
        action=aa.FREQUENCY_PUBLISH,
        target=version,
        after={"number": version.number, "valid_from": version.valid_from, "rules": len(rows),
               "flood_season": f"{flood_from}—{flood_to}"},
    )  # fmt: skip
    return version
