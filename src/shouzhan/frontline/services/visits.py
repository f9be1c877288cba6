"""Visit plans and visits as recorded on a phone, with the demands heard on them.

A visit sent from a phone carries the phone's own key (`client_key`): sent again after a lost answer, the
same visit comes back and nothing is recorded twice; its demands carry keys of their own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shouzhan.cases.files import sniff
from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.audit import audit_record
from shouzhan.core.limits import TEXT, required_text
from shouzhan.core.workdays import DateOutOfRange, check_date
from shouzhan.frontline import audit_actions as aa
from shouzhan.frontline.models import Visit, VisitPhoto, VisitPlan, VisitTarget
from shouzhan.frontline.permissions import require_receive
from shouzhan.frontline.services.common import NAME_MAX, PLACE_MAX, day_check, optional_text
from shouzhan.frontline.services.demands import KEY_MAX, demand_record

PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTOS_MAX = 6
DEMANDS_MAX = 20
TARGETS_MAX = 200
PHOTO_FORMATS = {"jpg": "image/jpeg", "png": "image/png"}


@transaction.atomic
def visit_plan_create(
    *,
    actor: Actor,
    title: str,
    visitor: Any,
    starts_on: dt.date,
    due_on: dt.date,
    enterprises: list[Any] = (),  # type: ignore[assignment]
    places: list[str] = (),  # type: ignore[assignment]
    origin: str = VisitPlan.Origin.PLAN,
    reason: str = "",
    signal_key: str = "",
) -> VisitPlan:
    """Plan visits: which enterprises and places (sites, 党群服务站), who goes, by when."""
    require_receive(actor)
    title = required_text(title, field="title", limit=120, missing=_("请填写计划名称。"))
    for name, day in (("starts_on", starts_on), ("due_on", due_on)):
        try:
            check_date(day)
        except (DateOutOfRange, TypeError):
            raise ValidationError({name: [_("日期超出日历范围。")]}) from None
    if due_on < starts_on:
        raise ValidationError({"due_on": [_("完成期限不能早于开始日期。")]})
    if signal_key and len(enterprises) != 1:  # a signal's key names one enterprise's task (unique)
        raise ValueError("signal_key is for a plan with exactly one enterprise")
    places = [p.strip() for p in places if p and p.strip()]
    if not enterprises and not places:
        raise ValidationError({"enterprises": [_("请至少选择一家企业或填写一个地点。")]})
    if len(enterprises) + len(places) > TARGETS_MAX:
        raise ValidationError({"enterprises": [_("一个计划最多 %(n)s 个走访对象。") % {"n": TARGETS_MAX}]})
    plan = VisitPlan.objects.create(
        title=title,
        visitor=visitor,
        starts_on=starts_on,
        due_on=due_on,
        origin=origin,
        reason=optional_text(reason, field="reason", limit=300),
        created_by=actor_user(actor),
    )
    VisitTarget.objects.bulk_create(
        [VisitTarget(plan=plan, enterprise=e, signal_key=signal_key) for e in enterprises]
        + [VisitTarget(plan=plan, place=optional_text(p, field="places", limit=PLACE_MAX)) for p in places]
    )
    audit_record(
        actor=actor,
        action=aa.PLAN_CREATE,
        target=plan,
        after={
            "visitor": visitor.pk,
            "targets": len(enterprises) + len(places),
            "due_on": due_on,
            "origin": origin,
        },
    )
    return plan


def _coordinate(value: Any, field: str, bound: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("位置坐标格式不正确。")]}) from None
    if not -bound <= number <= bound:
        raise ValidationError({field: [_("位置坐标超出范围。")]})
    return number


def photo_check(content: bytes, *, name: str = "") -> str:
    """The photo's format from its content (JPEG or PNG), or a clear refusal."""
    if len(content) > PHOTO_MAX_BYTES:
        raise ValidationError({"photos": [_("照片“%(n)s”超过 8 MB。") % {"n": name}]})
    fmt = sniff(content[:1024], content)
    if fmt not in PHOTO_FORMATS:
        raise ValidationError(
            {"photos": [_("“%(n)s”不是照片（只接受 JPEG、PNG）。") % {"n": name or _("附件")}]}
        )
    return fmt


def visit_record(
    *,
    actor: Actor,
    visited_on: dt.date | None,
    enterprise: Any = None,
    place: str = "",
    met: str = "",
    notes: str = "",
    latitude: Any = None,
    longitude: Any = None,
    accuracy_m: Any = None,
    target: VisitTarget | None = None,
    demands: list[dict[str, Any]] = (),  # type: ignore[assignment]
    photos: list[tuple[str, bytes]] = (),  # type: ignore[assignment]
    client_key: str | None = None,
) -> Visit:
    """Record a visit with the demands heard on it (each dispatched at once) and its photos.

    `demands`: dicts of demand_record's fields (category, description, urgency, requester_name, place,
    client_key). Everything is checked before anything is saved, and saved in one transaction.
    """
    key = (client_key or "").strip() or None
    if key and len(key) > KEY_MAX:
        raise ValidationError({"client_key": [_("记录标识过长（最多%(n)s个字符）。") % {"n": KEY_MAX}]})
    if key:
        found = Visit.objects.filter(client_key=key).first()
        if found is not None:
            return _own_visit(actor, found)
    try:
        with transaction.atomic():
            return _visit_record(
                actor=actor,
                visited_on=visited_on,
                enterprise=enterprise,
                place=place,
                met=met,
                notes=notes,
                latitude=latitude,
                longitude=longitude,
                accuracy_m=accuracy_m,
                target=target,
                demands=list(demands),
                photos=list(photos),
                client_key=key,
            )
    except IntegrityError:
        found = Visit.objects.filter(client_key=key).first() if key else None
        if found is None:
            raise
        return _own_visit(actor, found)


def _own_visit(actor: Actor, found: Visit) -> Visit:
    """A key sent again by the visitor gives their visit back; anyone else's is refused (nothing leaks)."""
    require_receive(actor)
    user = actor_user(actor)
    if user is None or user.pk != found.visitor_id:
        raise ValidationError({"client_key": [_("这个记录标识已被其他记录使用，请重新生成后再发送。")]})
    return found


def _visit_record(
    *,
    actor: Actor,
    visited_on: dt.date | None,
    enterprise: Any,
    place: str,
    met: str,
    notes: str,
    latitude: Any,
    longitude: Any,
    accuracy_m: Any,
    target: VisitTarget | None,
    demands: list[dict[str, Any]],
    photos: list[tuple[str, bytes]],
    client_key: str | None,
) -> Visit:
    require_receive(actor)
    visitor = actor_user(actor)
    if visitor is None:
        raise ValidationError({"visitor": [_("走访须由营商专员本人登记。")]})
    on = day_check(visited_on, field="visited_on", label=_("走访日期"))
    place = optional_text(place, field="place", limit=PLACE_MAX)
    if enterprise is None and not place:
        raise ValidationError({"enterprise": [_("请选择走访的企业或填写地点。")]})
    if len(demands) > DEMANDS_MAX:
        raise ValidationError({"demands": [_("一次走访最多登记 %(n)s 条诉求。") % {"n": DEMANDS_MAX}]})
    if len(photos) > PHOTOS_MAX:
        raise ValidationError({"photos": [_("一次走访最多上传 %(n)s 张照片。") % {"n": PHOTOS_MAX}]})
    formats = [photo_check(content, name=name) for name, content in photos]
    accuracy = None
    if accuracy_m not in (None, ""):
        try:
            accuracy = max(0, min(int(float(accuracy_m)), 100_000))
        except (TypeError, ValueError):
            raise ValidationError({"accuracy_m": [_("定位精度格式不正确。")]}) from None
    visit = Visit.objects.create(
        visitor=visitor,
        visited_on=on,
        enterprise=enterprise,
        place=place,
        met=optional_text(met, field="met", limit=NAME_MAX * 2),
        notes=optional_text(notes, field="notes", limit=TEXT),
        latitude=_coordinate(latitude, "latitude", 90),
        longitude=_coordinate(longitude, "longitude", 180),
        accuracy_m=accuracy,
        target=target,
        client_key=client_key,
    )
    for (_name, content), fmt in zip(photos, formats, strict=True):
        digest = hashlib.sha256(content).hexdigest()
        photo = VisitPhoto(visit=visit, sha256=digest, content_type=PHOTO_FORMATS[fmt], size=len(content))
        photo.file.save(f"{digest[:16]}.{fmt}", ContentFile(content), save=False)
        photo.save()
    for i, d in enumerate(demands, start=1):
        if not isinstance(d, dict):
            raise ValidationError({"demands": [_("第 %(n)s 条诉求格式不正确。") % {"n": i}]})
        try:
            demand_record(
                actor=actor,
                source="visit",
                category=str(d.get("category") or ""),
                description=str(d.get("description") or ""),
                urgency=str(d.get("urgency") or "normal"),
                enterprise=d.get("enterprise", enterprise),
                requester_name=str(d.get("requester_name") or met or ""),
                requester_contact=str(d.get("requester_contact") or ""),
                place=str(d.get("place") or place or ""),
                visit=visit,
                received_on=on,
                client_key=d.get("client_key"),
            )
        except ValidationError as exc:
            raise ValidationError(
                {f"demands.{i}.{k}": v for k, v in exc.message_dict.items()}
                if hasattr(exc, "error_dict")
                else {"demands": exc.messages}
            ) from None
    if target is not None and target.visit_id is None:
        VisitTarget.objects.filter(pk=target.pk).update(visit=visit)
    audit_record(
        actor=actor,
        action=aa.VISIT_RECORD,
        target=visit,
        enterprise_id=getattr(enterprise, "pk", None),
        after={"visited_on": on, "place": place, "demands": len(demands), "photos": len(photos)},
    )
    return visit
