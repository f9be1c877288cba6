"""Writes to talent records: the record itself, titles, skill certificates and what each enterprise may read.

Every write checks `talent.permissions`, runs in one transaction and writes its audit entry. A title or a
certificate recorded by a support case's outcome (the `talent` module's effect handler) passes the system or
caseworker actor and the case's id; the person keeps everything else.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor, is_system
from shouzhan.core.audit import audit_record, audited_update, snapshot
from shouzhan.core.permissions import has_role, require_login
from shouzhan.core.roles import ENTERPRISE_EDITOR_ROLES
from shouzhan.core.workdays import DateOutOfRange, parse_iso_date
from shouzhan.registry import audit_actions as A
from shouzhan.registry.models import Enterprise, Person
from shouzhan.registry.services._fields import is_empty, unknown_fields
from shouzhan.registry.talent import permissions as P
from shouzhan.registry.talent.choices import (
    CERTIFICATE_NUMBER_SHAPES,
    NATIONAL_CERTIFICATE_NUMBER,
    TITLE_CERTIFICATE_NUMBER,
    CertificateKind,
    Education,
    ShareLevel,
    TalentField,
    TitleSeries,
)
from shouzhan.registry.talent.models import (
    SkillCertificate,
    TalentRecord,
    TalentShare,
    TalentSupport,
    TalentTitle,
)

RECORD_FIELDS = ("field", "education", "years_experience", "shanghai_hukou", "children_school_age", "summary")
# Kept on the registry's person (the talent record reads the age from it), written through its own service.
PERSON_FIELDS = ("birth_year",)
TITLE_FIELDS = ("series", "specialty", "level", "granted_on", "issuer", "certificate_no")
CERTIFICATE_FIELDS = ("kind", "name", "level", "number", "issued_on", "issuer")


def _choice(value: Any, choices: Any, message: str, errors: dict[str, list[str]], key: str) -> str:
    text = "" if is_empty(value) else str(value).strip()
    if text and text not in choices.values:
        errors[key] = [message]
    return text


def _whole(value: Any, low: int, high: int, label: str, errors: dict[str, list[str]], key: str) -> int | None:
    if is_empty(value):
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not re.fullmatch(r"\d{1,4}", text) or not low <= int(text) <= high:
        errors[key] = [
            _("“%(label)s”应为 %(low)s 到 %(high)s 之间的整数。") % {"label": label, "low": low, "high": high}
        ]
        return None
    return int(text)


def _flag(value: Any, label: str, errors: dict[str, list[str]], key: str) -> bool | None:
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "是"):
        return True
    if text in ("false", "0", "no", "否"):
        return False
    errors[key] = [_("“%(label)s”请选择是或否。") % {"label": label}]
    return None


def _past_date(
    value: Any, label: str, errors: dict[str, list[str]], key: str, today: dt.date
) -> dt.date | None:
    if is_empty(value):
        errors[key] = [_("请填写“%(label)s”。") % {"label": label}]
        return None
    try:
        day = parse_iso_date(value)
    except DateOutOfRange:
        errors[key] = [_("“%(label)s”应为 YYYY-MM-DD 格式的日期。") % {"label": label}]
        return None
    if day > today:
        errors[key] = [
            _("“%(label)s”不能晚于今天（%(today)s）。") % {"label": label, "today": today.isoformat()}
        ]
        return None
    return day


def text_clean(
    value: Any, limit: int, label: str, errors: dict[str, list[str]], key: str, *, required: bool = False
) -> str:
    """Text within `limit` characters (required when asked), its error in words under `key`."""
    text = "" if value is None else str(value).strip()
    if required and not text:
        errors[key] = [_("请填写“%(label)s”。") % {"label": label}]
    elif len(text) > limit:
        errors[key] = [_("“%(label)s”最多 %(n)s 个字。") % {"label": label, "n": limit}]
    return text


# ----------------------------------------------------------------------------- the record
@transaction.atomic
def talent_record_for(*, actor: Actor, person: Person) -> TalentRecord:
    """The person's record for reading, made empty the first time its keeper (or a caseworker) opens it."""
    require_login(actor)
    record = TalentRecord.objects.filter(person=person).first()
    if record is None:
        if not (is_system(actor) or P.is_keeper(actor, person) or has_role(actor, *ENTERPRISE_EDITOR_ROLES)):
            raise Http404(_("没有找到该人才档案。"))
        record = talent_record_ensure(actor=actor, person=person)
    P.require_record_read(actor, record)
    return record


@transaction.atomic
def talent_record_ensure(*, actor: Actor, person: Person) -> TalentRecord:
    """The person's record, made empty when missing — for whoever may apply for the person (an enterprise for
    its member opens a support case on a record it may not read)."""
    if not (is_system(actor) or P.can_apply_for(actor, person) or has_role(actor, *ENTERPRISE_EDITOR_ROLES)):
        raise Http404(_("没有找到该人员。"))
    Person.objects.select_for_update().filter(pk=person.pk).first()  # two first visits make one record
    record, created = TalentRecord.objects.get_or_create(person=person)
    if created:
        audit_record(
            actor=actor,
            action=A.TALENT_RECORD_CREATE,
            target=record,
            after={"person": person.name},
            enterprise_id=person.enterprise_id,
        )
    return record


def _record_apply(record: TalentRecord, data: dict[str, Any]) -> None:
    unknown = unknown_fields(data, RECORD_FIELDS + PERSON_FIELDS)
    if unknown:
        raise ValidationError(unknown[0])
    errors: dict[str, list[str]] = {}
    if "field" in data:
        record.field = _choice(data["field"], TalentField, _("请从列表中选择从业领域。"), errors, "field")
    if "education" in data:
        record.education = _choice(
            data["education"], Education, _("请从列表中选择最高学历。"), errors, "education"
        )
    if "years_experience" in data:
        record.years_experience = _whole(
            data["years_experience"], 0, 70, _("从业年限"), errors, "years_experience"
        )
    if "children_school_age" in data:
        record.children_school_age = _whole(
            data["children_school_age"], 0, 10, _("学龄子女人数"), errors, "children_school_age"
        )
    if "shanghai_hukou" in data:
        record.shanghai_hukou = _flag(data["shanghai_hukou"], _("已有上海户籍"), errors, "shanghai_hukou")
    if "summary" in data:
        record.summary = text_clean(data["summary"], 2000, _("专长与代表作品"), errors, "summary")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def talent_record_update(
    *, actor: Actor, record: TalentRecord, data: dict[str, Any], expected_version: int | None = None
) -> TalentRecord:
    P.require_record_write(actor, record)
    data = dict(data)
    if "birth_year" in data:
        _birth_year_set(actor, record, data.pop("birth_year"))
    return audited_update(
        actor=actor,
        instance=record,
        action=A.TALENT_RECORD_UPDATE,
        apply=lambda locked: _record_apply(locked, data),
        expected_version=expected_version,
        enterprise_id=record.person.enterprise_id,
        clean=False,
    )


def _birth_year_set(actor: Actor, record: TalentRecord, value: Any) -> None:
    from shouzhan.registry.services.people import person_update

    errors: dict[str, list[str]] = {}
    year = _whole(value, 1900, timezone.localdate().year, _("出生年份"), errors, "birth_year")
    if errors:
        raise ValidationError(errors)
    if year != record.person.birth_year:
        record.person = person_update(actor=actor, person=record.person, data={"birth_year": year})


# ----------------------------------------------------------------------------- titles and certificates
def _number(
    value: Any, shape: tuple[Any, Any], errors: dict[str, list[str]], key: str, *, required: bool
) -> str:
    text = "" if value is None else str(value).strip()
    if shape[0] is NATIONAL_CERTIFICATE_NUMBER:
        text = text.upper()  # "y3100…" is the same number
    if not text:
        if required:
            errors[key] = [_("请填写证书编号。")]
        return ""
    if not shape[0].fullmatch(text):
        errors[key] = [
            _("证书编号“%(value)s”格式不对：应为%(shape)s。") % {"value": text[:40], "shape": shape[1]}
        ]
    return text


def title_clean(data: dict[str, Any], *, today: dt.date) -> dict[str, Any]:
    """A title's data checked, every error at once (the case's outcome form uses the same checks)."""
    unknown = unknown_fields(data, TITLE_FIELDS)
    if unknown:
        raise ValidationError(unknown[0])
    errors: dict[str, list[str]] = {}
    series_names = "、".join(str(label) for label in TitleSeries.labels)
    series = _choice(
        data.get("series"),
        TitleSeries,
        _("职称系列只能是：%(names)s。") % {"names": series_names},
        errors,
        "series",
    )
    if not series and "series" not in errors:
        errors["series"] = [_("请选择职称系列。")]
    level = _whole(data.get("level"), 1, 4, _("职称等级"), errors, "level")
    if level is None and "level" not in errors:
        errors["level"] = [_("请选择职称等级。")]
    cleaned = {
        "series": series,
        "level": level,
        "specialty": text_clean(data.get("specialty"), 60, _("专业"), errors, "specialty"),
        "issuer": text_clean(data.get("issuer"), 100, _("评审 / 发证机构"), errors, "issuer"),
        "granted_on": _past_date(data.get("granted_on"), _("取得日期"), errors, "granted_on", today),
        "certificate_no": _number(
            data.get("certificate_no"), TITLE_CERTIFICATE_NUMBER, errors, "certificate_no", required=False
        ),
    }
    if errors:
        raise ValidationError(errors)
    return cleaned


def certificate_clean(data: dict[str, Any], *, today: dt.date) -> dict[str, Any]:
    unknown = unknown_fields(data, CERTIFICATE_FIELDS)
    if unknown:
        raise ValidationError(unknown[0])
    errors: dict[str, list[str]] = {}
    kind = _choice(data.get("kind"), CertificateKind, _("请从列表中选择证书类型。"), errors, "kind")
    if not kind and "kind" not in errors:
        errors["kind"] = [_("请选择证书类型。")]
    shape = CERTIFICATE_NUMBER_SHAPES.get(CertificateKind(kind)) if kind in CertificateKind.values else None
    cleaned = {
        "kind": kind,
        "name": text_clean(data.get("name"), 100, _("证书名称"), errors, "name", required=True),
        "level": text_clean(data.get("level"), 30, _("等级"), errors, "level"),
        "issuer": text_clean(data.get("issuer"), 100, _("发证机构"), errors, "issuer"),
        "issued_on": _past_date(data.get("issued_on"), _("发证日期"), errors, "issued_on", today),
        "number": _number(data.get("number"), shape, errors, "number", required=True) if shape else "",
    }
    if errors:
        raise ValidationError(errors)
    return cleaned


def _created(actor: Actor, row: Any, action: str, record: TalentRecord, note: str = "") -> None:
    audit_record(
        actor=actor,
        action=action,
        target=row,
        after=snapshot(row),
        note=note,
        enterprise_id=record.person.enterprise_id,
    )


@transaction.atomic
def talent_title_add(
    *,
    actor: Actor,
    record: TalentRecord,
    data: dict[str, Any],
    source_case_id: int | None = None,
    note: str = "",
) -> TalentTitle:
    if not is_system(actor):
        P.require_record_write(actor, record)
    cleaned = title_clean(data, today=timezone.localdate())
    title = TalentTitle(record=record, source_case_id=source_case_id, **cleaned)
    try:
        with transaction.atomic():
            title.save()
    except IntegrityError:
        raise ValidationError({"certificate_no": [_("证书编号已登记在另一项职称上。")]}) from None
    _created(actor, title, A.TALENT_TITLE_ADD, record, note)
    _touch(record)
    return title


@transaction.atomic
def talent_certificate_add(
    *,
    actor: Actor,
    record: TalentRecord,
    data: dict[str, Any],
    source_case_id: int | None = None,
    note: str = "",
) -> SkillCertificate:
    if not is_system(actor):
        P.require_record_write(actor, record)
    cleaned = certificate_clean(data, today=timezone.localdate())
    certificate = SkillCertificate(record=record, source_case_id=source_case_id, **cleaned)
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError:
        raise ValidationError({"number": [_("该证书编号已登记过。")]}) from None
    _created(actor, certificate, A.TALENT_CERTIFICATE_ADD, record, note)
    _touch(record)
    return certificate


@transaction.atomic
def talent_item_remove(*, actor: Actor, item: TalentTitle | SkillCertificate) -> None:
    """Remove a title or certificate the person entered; one a case recorded stays (it is the centre's)."""
    record = item.record
    P.require_record_write(actor, record)
    if item.source_case_id is not None:
        raise ValidationError(_("这一项由人才服务办件记入，不能删除；如有错误请联系营商专员。"))
    action = A.TALENT_TITLE_REMOVE if isinstance(item, TalentTitle) else A.TALENT_CERTIFICATE_REMOVE
    audit_record(
        actor=actor,
        action=action,
        target=item,
        before=snapshot(item),
        enterprise_id=record.person.enterprise_id,
    )
    item.delete()
    _touch(record)


def _touch(record: TalentRecord) -> None:
    """A title or certificate changed the record: its version moves (a page open before then is stale)."""
    TalentRecord.objects.filter(pk=record.pk).update(version=record.version + 1, updated_at=timezone.now())
    record.version += 1


@transaction.atomic
def talent_support_record(
    *,
    actor: Actor,
    record: TalentRecord,
    kind: str,
    granted: bool,
    summary: str,
    reference: str = "",
    decided_on: dt.date,
    source_case_id: int,
) -> TalentSupport:
    """A support case's outcome on the record (called by the talent module's effect handler): once per case."""
    if not (
        is_system(actor) or has_role(actor, *ENTERPRISE_EDITOR_ROLES) or P.is_keeper(actor, record.person)
    ):
        raise PermissionDenied(_("人才服务结果由办件记入。"))
    support, _created_now = TalentSupport.objects.update_or_create(
        source_case_id=source_case_id,
        defaults={
            "record": record,
            "kind": kind,
            "granted": granted,
            "summary": summary[:300],
            "reference": reference[:60],
            "decided_on": decided_on,
        },
    )
    audit_record(
        actor=actor,
        action=A.TALENT_SUPPORT_RECORD,
        target=support,
        after=snapshot(support),
        enterprise_id=record.person.enterprise_id,
    )
    _touch(record)
    return support


# ----------------------------------------------------------------------------- sharing
@transaction.atomic
def talent_share_set(
    *, actor: Actor, record: TalentRecord, enterprise: Enterprise, level: str
) -> TalentShare | None:
    """What one of the person's enterprises may read: a ShareLevel, or "" to show it nothing."""
    P.require_share_set(actor, record)
    if enterprise.pk not in P.person_enterprise_ids(record.person):
        raise ValidationError({"enterprise": [_("只能授权给本人所在的企业。")]})
    if level and level not in ShareLevel.values:
        raise ValidationError({"level": [_("请选择可见范围。")]})
    share = TalentShare.objects.select_for_update().filter(record=record, enterprise=enterprise).first()
    before = {"level": share.level} if share else {"level": ""}
    if (share.level if share else "") == level:
        return share
    if not level:
        assert share is not None
        share.delete()
        share = None
    elif share is None:
        share = TalentShare.objects.create(record=record, enterprise=enterprise, level=level)
    else:
        share.level = level
        share.save(update_fields=["level"])
    audit_record(
        actor=actor,
        action=A.TALENT_SHARE_SET,
        target=record,
        before={**before, "enterprise": enterprise.name},
        after={"level": level, "enterprise": enterprise.name},
        enterprise_id=enterprise.pk,
    )
    return share
