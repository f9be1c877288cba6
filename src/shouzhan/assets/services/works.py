"""Works: registered, changed and published by their enterprise; each change audited."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shouzhan.assets import audit_actions as aa
from shouzhan.assets.models import Work, WorkKind
from shouzhan.assets.permissions import require_enterprise_register, require_work_write
from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.audit import audit_record
from shouzhan.core.errors import Conflict
from shouzhan.core.limits import LONG_TEXT, SHORT_TEXT, check_length, required_text
from shouzhan.registry.models import Enterprise

# 数字版权唯一标识: "DCI" and 10 to 30 digits or capital letters (the centre prints it with separators;
# those are dropped before the check, so "DCI-0000 1234" is DCI00001234).
DCI_SHAPE = re.compile(r"DCI[0-9A-Z]{10,30}")
EDITABLE = ("kind", "title", "description", "dci", "parent", "episode_no")


def dci_clean(value: object) -> str:
    text = re.sub(r"[\s\-_:：]", "", str(value or "")).upper()
    if text and not DCI_SHAPE.fullmatch(text):
        raise ValidationError(
            {"dci": [_("DCI 标识应为“DCI”加 10 到 30 位数字或大写字母，如 DCI0A12B34C56D。")]}
        )
    return text


def _clean(enterprise: Enterprise, data: dict[str, Any], work: Work | None = None) -> dict[str, Any]:
    kind = str(data.get("kind") or (work.kind if work else ""))
    if kind not in WorkKind.values:
        raise ValidationError({"kind": [_("请选择作品类型。")]})
    title = required_text(
        data.get("title", work.title if work else ""),
        field="title",
        limit=SHORT_TEXT,
        missing=_("请填写作品名称。"),
    )
    description = str(data.get("description", work.description if work else "") or "").strip()
    check_length(field="description", text=description, limit=LONG_TEXT)
    parent = data.get("parent", work.parent if work else None)
    if parent is not None and not isinstance(parent, Work):
        parent = Work.objects.filter(pk=parent).first()
        if parent is None:
            raise ValidationError({"parent": [_("没有找到所属剧集。")]})
    episode_no = data.get("episode_no", work.episode_no if work else None)
    if parent is not None:
        if parent.enterprise_id != enterprise.pk or parent.kind != WorkKind.SERIES:
            raise ValidationError({"parent": [_("所属剧集须是本企业登记的微短剧剧集。")]})
        if work is not None and parent.pk == work.pk:
            raise ValidationError({"parent": [_("作品不能属于它自己。")]})
    if episode_no in ("", None):
        episode_no = None
    else:
        try:
            episode_no = int(str(episode_no))
        except (TypeError, ValueError):
            raise ValidationError({"episode_no": [_("集数应为正整数。")]}) from None
        if not 1 <= episode_no <= 10_000:
            raise ValidationError({"episode_no": [_("集数应在 1 到 10000 之间。")]})
    return {
        "kind": kind,
        "title": title,
        "description": description,
        "dci": dci_clean(data.get("dci", work.dci if work else "")),
        "parent": parent,
        "episode_no": episode_no,
    }


def _dci_taken() -> ValidationError:
    return ValidationError({"dci": [_("该 DCI 标识已登记在另一部作品上。")]})


def _snapshot(work: Work) -> dict[str, Any]:
    return {
        "kind": work.kind,
        "title": work.title,
        "description": work.description,
        "dci": work.dci,
        "parent": work.parent_id,
        "episode_no": work.episode_no,
        "published": work.published,
    }


@transaction.atomic
def work_create(*, actor: Actor, enterprise: Enterprise, data: dict[str, Any]) -> Work:
    require_enterprise_register(actor, enterprise.pk)
    cleaned = _clean(enterprise, data)
    work = Work(enterprise=enterprise, created_by=actor_user(actor), **cleaned)
    try:
        with transaction.atomic():
            work.save()
    except IntegrityError:
        raise _dci_taken() from None
    audit_record(
        actor=actor, action=aa.WORK_CREATE, target=work, after=_snapshot(work), enterprise_id=enterprise.pk
    )
    return work


@transaction.atomic
def work_update(*, actor: Actor, work: Work, data: dict[str, Any], version: int) -> Work:
    """Change a work's description; `version` is the one the editor read (a stale edit is a Conflict)."""
    locked = Work.objects.select_for_update().get(pk=work.pk)
    require_work_write(actor, locked)
    if locked.version != version:
        raise Conflict(_("作品信息已被他人修改，请刷新后再改。"), detail={"version": locked.version})
    before = _snapshot(locked)
    for name, value in _clean(locked.enterprise, data, locked).items():
        setattr(locked, name, value)
    locked.version += 1
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError:
        raise _dci_taken() from None
    after = _snapshot(locked)
    changed = {k for k in after if after[k] != before[k]}
    if changed:
        audit_record(
            actor=actor,
            action=aa.WORK_UPDATE,
            target=locked,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
            enterprise_id=locked.enterprise_id,
        )
    return locked


@transaction.atomic
def work_publish(*, actor: Actor, work: Work, published: bool) -> Work:
    """List a work for other enterprises (its licences offered, the community search) or take it back."""
    locked = Work.objects.select_for_update().get(pk=work.pk)
    require_work_write(actor, locked)
    if locked.published == published:
        return locked
    if published and not locked.versions.exists():
        raise ValidationError({"published": [_("请先登记至少一个版本，再公开作品。")]})
    locked.published = published
    locked.version += 1
    locked.save(update_fields=["published", "version", "updated_at"])
    audit_record(
        actor=actor,
        action=aa.WORK_PUBLISH if published else aa.WORK_UNPUBLISH,
        target=locked,
        before={"published": not published},
        after={"published": published},
        enterprise_id=locked.enterprise_id,
    )
    return locked
