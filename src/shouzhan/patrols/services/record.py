"""Recording a patrol sent from a phone: its track, check-ins, observations, photos and hazards.

Everything is checked before anything is saved, and saved in one transaction. The patrol carries the
phone's key (`client_key`) and each hazard its own, so a patrol sent again after a lost answer comes back
as it was and nothing is recorded twice. Each hazard becomes a frontline demand (source 巡查) dispatched by
the catalogue in force, so it is a ticket in its department's queue with a working-day clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.audit import audit_record
from shouzhan.core.limits import TEXT, check_length, required_text
from shouzhan.core.notifications import notify
from shouzhan.frontline.services import demand_record
from shouzhan.frontline.services.visits import PHOTO_FORMATS, photo_check
from shouzhan.patrols import audit_actions as aa
from shouzhan.patrols import honesty
from shouzhan.patrols.models import Checkpoint, Hazard, Patrol, PatrolCheckin, PatrolPhoto, Target
from shouzhan.patrols.observations import observations_clean
from shouzhan.patrols.permissions import require_chief
from shouzhan.patrols.rules import RuleBook, Warnings, verdict_for
from shouzhan.patrols.services.reviewers import reviewers_of

KEY_MAX = 64
TRACK_MAX = 20_000  # a five-hour patrol at one fix a second
CHECKINS_MAX = 200
HAZARDS_MAX = 20
PHOTOS_MAX = 12
PATROL_MAX = dt.timedelta(hours=12)
CLOCK_SLACK = dt.timedelta(minutes=5)  # a phone's clock a little ahead of the server's
DESCRIPTION_MAX = 2000


def patrol_record(
    *,
    actor: Actor,
    target: Target,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    track: Sequence[Any],
    checkins: Sequence[Any] = (),
    observations: dict[str, Any] | None = None,
    notes: str = "",
    hazards: Sequence[Any] = (),
    photos: Sequence[tuple[str, bytes]] = (),
    client_key: str | None = None,
) -> Patrol:
    """Record a patrol; `checkins` are {code, at, method}, `hazards` {category, description, urgent,
    latitude, longitude, observed_at, client_key, photos: [indexes into `photos`]}."""
    key = (client_key or "").strip() or None
    if key is not None and len(key) > KEY_MAX:
        raise ValidationError({"client_key": [_("记录标识过长（最多%(n)s个字符）。") % {"n": KEY_MAX}]})
    if key:
        found = Patrol.objects.filter(client_key=key).first()
        if found is not None:
            return _own(actor, found)
    try:
        with transaction.atomic():
            return _record(
                actor, target, started_at, ended_at, track, checkins, observations or {}, notes, hazards,
                photos, key,
            )  # fmt: skip
    except IntegrityError:
        found = Patrol.objects.filter(client_key=key).first() if key else None
        if found is None:
            raise
        return _own(actor, found)  # the same patrol sent twice at once: the first one won


def _own(actor: Actor, found: Patrol) -> Patrol:
    user = actor_user(actor)
    if user is None or user.pk != found.patroller_id:
        raise ValidationError({"client_key": [_("这个记录标识已被其他记录使用，请重新生成后再发送。")]})
    return found


def _aware(value: Any, field: str, label: str) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError({field: [_("%(l)s格式不正确。") % {"l": label}]}) from None
    if not isinstance(value, dt.datetime):
        raise ValidationError({field: [_("请填写%(l)s。") % {"l": label}]})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if not dt.datetime(2000, 1, 1, tzinfo=dt.UTC) <= value <= timezone.now() + CLOCK_SLACK:
        raise ValidationError({field: [_("%(l)s不在合理范围内（不能晚于现在）。") % {"l": label}]})
    when: dt.datetime = value
    return when


def track_clean(track: Any, started_at: dt.datetime, ended_at: dt.datetime) -> list[list[float]]:
    """[[lat, lon, unix seconds, accuracy], …] checked point by point, or the first problem in words."""
    if not isinstance(track, list | tuple) or not track:
        raise ValidationError(
            {"track": [_("轨迹没有定位点：请打开手机定位后再巡查，本次记录已保留在手机上。")]}
        )
    if len(track) > TRACK_MAX:
        raise ValidationError({"track": [_("轨迹点过多（最多 %(n)s 个）。") % {"n": TRACK_MAX}]})
    lo = started_at.timestamp() - CLOCK_SLACK.total_seconds()
    hi = ended_at.timestamp() + CLOCK_SLACK.total_seconds()
    clean: list[list[float]] = []
    last_t = -math.inf
    for i, point in enumerate(track, start=1):
        try:
            if not isinstance(point, list | tuple) or not 3 <= len(point) <= 4:
                raise TypeError
            values = [float(v) if v is not None else None for v in point]
        except (TypeError, ValueError):
            raise ValidationError({"track": [_("第 %(n)s 个定位点格式不正确。") % {"n": i}]}) from None
        lat, lon, t = values[0], values[1], values[2]
        accuracy = values[3] if len(values) == 4 else None
        if lat is None or lon is None or t is None or not all(map(math.isfinite, (lat, lon, t))):
            raise ValidationError({"track": [_("第 %(n)s 个定位点格式不正确。") % {"n": i}]})
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValidationError({"track": [
                _("第 %(n)s 个定位点的坐标超出范围（纬度 -90 至 90，经度 -180 至 180）。") % {"n": i}
            ]})  # fmt: skip
        if not lo <= t <= hi:
            raise ValidationError({"track": [_("第 %(n)s 个定位点的时间不在巡查起止时间内。") % {"n": i}]})
        if t < last_t:
            raise ValidationError({"track": [_("第 %(n)s 个定位点的时间早于前一个点。") % {"n": i}]})
        last_t = t
        if accuracy is not None and not (math.isfinite(accuracy) and accuracy >= 0):
            accuracy = None
        clean.append([round(lat, 6), round(lon, 6), round(t, 1), round(min(accuracy, 1e5), 1)]
                     if accuracy is not None else [round(lat, 6), round(lon, 6), round(t, 1)])  # fmt: skip
    return clean


def _checkins_clean(
    checkins: Any, target: Target, points: Sequence[Checkpoint], measured: honesty.Measured, start: dt.datetime,
    end: dt.datetime,
) -> list[tuple[Checkpoint, dt.datetime, str]]:  # fmt: skip
    if not isinstance(checkins, list | tuple) or len(checkins) > CHECKINS_MAX:
        raise ValidationError({"checkins": [_("打卡记录格式不正确。")]})
    by_code = {p.code: p for p in points}
    done: dict[int, tuple[Checkpoint, dt.datetime, str]] = {}
    for item in checkins:
        if not isinstance(item, dict):
            raise ValidationError({"checkins": [_("打卡记录格式不正确。")]})
        code = str(item.get("code") or "").strip()[:64]
        point = by_code.get(code)
        if point is None:
            other = Checkpoint.objects.filter(code=code).select_related("target").first()
            raise ValidationError({"checkins": [
                _("打卡码属于“%(o)s”的线路，不是本次巡查的“%(t)s”。") % {"o": other.target.name, "t": target.name}
                if other is not None else _("打卡码“%(c)s”不是“%(t)s”的打卡点。") % {"c": code, "t": target.name}
            ]})  # fmt: skip
        at = _aware(item.get("at") or end.isoformat(), "checkins", _("打卡时间"))
        if not start - CLOCK_SLACK <= at <= end + CLOCK_SLACK:
            raise ValidationError(
                {"checkins": [_("“%(p)s”的打卡时间不在巡查起止时间内。") % {"p": point.name}]}
            )
        method = PatrolCheckin.Method.QR if item.get("method") != "near" else PatrolCheckin.Method.NEAR
        if method == PatrolCheckin.Method.NEAR and not _near(point, target, measured):
            continue  # claimed near, but no precise fix of the track was: the check reports it as missed
        done.setdefault(point.pk, (point, at, method))
    return list(done.values())


def _near(point: Checkpoint, target: Target, measured: honesty.Measured) -> bool:
    from shouzhan.patrols import geo

    if not measured.points:
        return False
    d = geo.haversine_m(measured.lat, measured.lon, float(point.latitude), float(point.longitude))
    return bool((d <= target.checkin_radius_m).any())


def _coordinate(value: Any, bound: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError({"hazards": [_("隐患位置坐标格式不正确。")]}) from None
    if not math.isfinite(number) or not -bound <= number <= bound:
        raise ValidationError({"hazards": [_("隐患位置坐标超出范围。")]})
    return Decimal(f"{number:.6f}")


def _record(
    actor: Actor, target: Target, started_at: Any, ended_at: Any, track: Any, checkins: Any,
    observations: Any, notes: str, hazards: Any, photos: Sequence[tuple[str, bytes]], key: str | None,
) -> Patrol:  # fmt: skip
    start = _aware(started_at, "started_at", _("开始时间"))
    end = _aware(ended_at, "ended_at", _("结束时间"))
    if end < start:
        raise ValidationError({"ended_at": [_("结束时间早于开始时间。")]})
    if end - start > PATROL_MAX:
        raise ValidationError({"ended_at": [_("一次巡查不能超过 12 小时。")]})
    on = timezone.localdate(start)
    chief = require_chief(actor, target, on)
    points_clean = track_clean(track, start, end)
    observed = observations_clean(observations)
    notes = str(notes or "").strip()
    check_length(field="notes", text=notes, limit=TEXT)
    if not isinstance(hazards, list | tuple) or len(hazards) > HAZARDS_MAX:
        raise ValidationError({"hazards": [_("一次巡查最多上报 %(n)s 个隐患。") % {"n": HAZARDS_MAX}]})
    if len(photos) > PHOTOS_MAX:
        raise ValidationError({"photos": [_("一次巡查最多上传 %(n)s 张照片。") % {"n": PHOTOS_MAX}]})
    formats = [photo_check(content, name=name) for name, content in photos]
    digests = [hashlib.sha256(content).hexdigest() for _n, content in photos]

    measured = honesty.measure(points_clean)
    checkpoints = list(target.checkpoints.all())
    done = _checkins_clean(checkins, target, checkpoints, measured, start, end)
    duration = int((end - start).total_seconds())
    verdict = verdict_for(
        RuleBook.load(), day=on, level=chief.level, warning=Warnings.load([target.pk]).on(target.pk, on),
        duration_s=duration, distance_m=measured.distance_m,
    )  # fmt: skip
    flags = honesty.checks_run(
        measured,
        path=target.path,
        duration_s=duration,
        min_minutes=verdict.rule.min_minutes,
        min_distance_m=verdict.rule.min_distance_m,
        checkpoints=[p.name for p in checkpoints],
        checked_in=[p.name for p, _a, _m in done],
        reused_photos=_reused(digests),
    )
    patrol = Patrol.objects.create(
        target=target, patroller=chief.user, level=chief.level, started_at=start, ended_at=end, on=on,
        track=points_clean, points=len(points_clean), distance_m=measured.distance_m, duration_s=duration,
        observations=observed, notes=notes, rule_version_id=verdict.version.pk, rule=verdict.rule,
        warning=verdict.warning, season=verdict.season, meets_rules=verdict.meets, verdict=verdict.items,
        flags=flags, review=Patrol.Review.FLAGGED if flags else Patrol.Review.CLEAN, client_key=key,
    )  # fmt: skip
    PatrolCheckin.objects.bulk_create(
        [PatrolCheckin(patrol=patrol, checkpoint=p, at=at, method=m) for p, at, m in done]
    )
    saved = _photos_save(patrol, photos, formats, digests)
    for i, item in enumerate(hazards, start=1):
        _hazard_record(actor, patrol, item, i, saved, start, end)
    audit_record(
        actor=actor,
        action=aa.PATROL_RECORD,
        target=patrol,
        after={
            "target": target.pk, "on": on, "minutes": duration // 60, "distance_m": measured.distance_m,
            "meets_rules": verdict.meets, "flags": [f["check"] for f in flags], "hazards": len(hazards),
            "photos": len(photos),
        },
    )  # fmt: skip
    if flags:
        notify(
            users=reviewers_of(target),
            message=_("“%(t)s”%(d)s 的巡查有 %(n)s 项异常，待复核。") % {
                "t": target.name, "d": on.isoformat(), "n": len(flags),
            },
            target=patrol,
            url=reverse("patrols:patrol", args=[patrol.pk]),
            skip=actor,
        )  # fmt: skip
    return patrol


def _reused(digests: list[str]) -> list[str]:
    """Where each photo sent was already used (another patrol, or twice in this one), in words."""
    where: list[str] = []
    seen: set[str] = set()
    for d in digests:
        if d in seen:
            where.append(_("本次巡查中重复"))
        seen.add(d)
    earlier = (
        PatrolPhoto.objects.filter(sha256__in=set(digests))
        .select_related("patrol__target")
        .order_by("patrol__started_at")
    )
    for photo in earlier:
        where.append(f"{photo.patrol.on.isoformat()} {photo.patrol.target.name}")
    return where


def _photos_save(
    patrol: Patrol, photos: Sequence[tuple[str, bytes]], formats: list[str], digests: list[str]
) -> list[PatrolPhoto]:
    saved: list[PatrolPhoto] = []
    for (_name, content), fmt, digest in zip(photos, formats, digests, strict=True):
        photo = PatrolPhoto(patrol=patrol, sha256=digest, content_type=PHOTO_FORMATS[fmt], size=len(content))
        photo.file.save(f"{digest[:16]}.{fmt}", ContentFile(content), save=False)
        photo.save()
        saved.append(photo)
    return saved


def _hazard_record(
    actor: Actor, patrol: Patrol, item: Any, i: int, photos: list[PatrolPhoto], start: dt.datetime,
    end: dt.datetime,
) -> Hazard:  # fmt: skip
    if not isinstance(item, dict):
        raise ValidationError({"hazards": [_("第 %(n)s 个隐患格式不正确。") % {"n": i}]})
    description = required_text(
        item.get("description"), field="hazards", limit=DESCRIPTION_MAX,
        missing=_("第 %(n)s 个隐患：请描述看到的情况。") % {"n": i},
    )  # fmt: skip
    observed = _aware(item.get("observed_at") or end.isoformat(), "hazards", _("隐患发现时间"))
    if not start - CLOCK_SLACK <= observed <= end + CLOCK_SLACK:
        raise ValidationError({"hazards": [_("第 %(n)s 个隐患的发现时间不在巡查起止时间内。") % {"n": i}]})
    urgent = item.get("urgent") in (True, "true", "1", 1, "on")
    today = timezone.localdate()
    try:
        demand = demand_record(
            actor=actor,
            source="patrol",
            category=str(item.get("category") or "water"),
            description=description,
            urgency="urgent" if urgent else "normal",
            place=patrol.target.name,
            requester_name=actor_label_short(patrol),
            received_on=today,
            client_key=item.get("client_key"),
        )
    except ValidationError as exc:
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"hazards": exc.messages}
        raise ValidationError(
            {
                "hazards": [
                    _("第 %(n)s 个隐患：%(m)s") % {"n": i, "m": m} for ms in messages.values() for m in ms
                ]
            }
        ) from None
    hazard = Hazard.objects.create(
        patrol=patrol, category=demand.category, description=description, urgent=urgent,
        latitude=_coordinate(item.get("latitude"), 90), longitude=_coordinate(item.get("longitude"), 180),
        observed_at=observed, reported_on=today, demand=demand,
    )  # fmt: skip
    indexes = item.get("photos") or []
    if isinstance(indexes, list):
        chosen = [photos[n].pk for n in indexes if isinstance(n, int) and 0 <= n < len(photos)]
        PatrolPhoto.objects.filter(pk__in=chosen).update(hazard=hazard)
    return hazard


def actor_label_short(patrol: Patrol) -> str:
    user = patrol.patroller
    return (user.name or str(user))[:80]
