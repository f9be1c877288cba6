"""A patrol sent by the phone (JSON), checked for shape and size; the service checks the rest in words.

Photos come as base64 (downscaled on the phone to 1600 px JPEG), the patrol's own and each hazard's in one
list; a hazard names its photos by their place in that list.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shouzhan.core.limits import TEXT
from shouzhan.frontline.forms_visits import base64_photos
from shouzhan.patrols.services.record import (
    CHECKINS_MAX,
    DESCRIPTION_MAX,
    HAZARDS_MAX,
    KEY_MAX,
    PHOTOS_MAX,
    TRACK_MAX,
)


def _text(payload: dict[str, Any], name: str, limit: int) -> str:
    value = payload.get(name)
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        raise ValidationError({name: [_("“%(f)s”格式不正确。") % {"f": name}]})
    text = str(value).strip()
    if len(text) > limit:
        raise ValidationError({name: [_("内容过长（最多 %(n)s 个字）。") % {"n": limit}]})
    return text


def _target_id(payload: dict[str, Any]) -> int:
    value = payload.get("target_id")
    try:
        return int(str(value))
    except ValueError:
        raise ValidationError({"target": [_("请选择巡查对象。")]}) from None


def _list(payload: dict[str, Any], name: str, limit: int, message: str) -> list[Any]:
    value = payload.get(name)
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ValidationError({name: [message]})
    if len(value) > limit:
        raise ValidationError({name: [message]})
    return value


def _hazards(payload: dict[str, Any]) -> list[dict[str, Any]]:
    items = _list(payload, "hazards", HAZARDS_MAX, _("一次巡查最多上报 %(n)s 个隐患。") % {"n": HAZARDS_MAX})
    hazards = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ValidationError({"hazards": [_("第 %(n)s 个隐患格式不正确。") % {"n": i}]})
        photos = item.get("photos") or []
        if not isinstance(photos, list) or not all(isinstance(n, int) for n in photos):
            raise ValidationError({"hazards": [_("第 %(n)s 个隐患的照片格式不正确。") % {"n": i}]})
        hazards.append(
            {
                "client_key": _text(item, "client_key", KEY_MAX) or None,
                "category": _text(item, "category", 40) or "water",
                "description": _text(item, "description", DESCRIPTION_MAX),
                "urgent": item.get("urgent") is True,
                "latitude": _text(item, "latitude", 20) or None,
                "longitude": _text(item, "longitude", 20) or None,
                "observed_at": _text(item, "observed_at", 40) or None,
                "photos": photos[:PHOTOS_MAX],
            }
        )
    return hazards


def payload_parse(payload: Any, *, idempotency_key: str, photo_max: int) -> dict[str, Any]:
    """The keyword arguments of `patrol_record` (but the target, which is returned as `target_id`)."""
    if not isinstance(payload, dict):
        raise ValidationError({"__all__": [_("记录格式不正确，无法读取。")]})
    key = _text(payload, "client_key", KEY_MAX)
    header = (idempotency_key or "").strip()[:200]
    if key and header and key != header:
        raise ValidationError({"client_key": [_("记录标识与 Idempotency-Key 不一致。")]})
    observations = payload.get("observations") or {}
    if not isinstance(observations, dict):
        raise ValidationError({"observations": [_("巡查情况格式不正确。")]})
    track = payload.get("track")
    if isinstance(track, list) and len(track) > TRACK_MAX:
        raise ValidationError({"track": [_("轨迹点过多（最多 %(n)s 个）。") % {"n": TRACK_MAX}]})
    return {
        "client_key": key or header or None,
        "target_id": _target_id(payload),
        "started_at": _text(payload, "started_at", 40) or None,
        "ended_at": _text(payload, "ended_at", 40) or None,
        "track": track if track is not None else [],
        "checkins": _list(payload, "checkins", CHECKINS_MAX, _("打卡记录格式不正确。")),
        "observations": observations,
        "notes": _text(payload, "notes", TEXT),
        "hazards": _hazards(payload),
        "photos": base64_photos(
            payload.get("photos"),
            photo_max,
            at_most=PHOTOS_MAX,
            too_many=_("一次巡查最多上传 %(n)s 张照片。"),
        ),
    }
