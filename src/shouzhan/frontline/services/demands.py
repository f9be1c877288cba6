"""Recording a demand (诉求): from a visit, the desk, the hotline or the enterprise itself; it becomes a ticket
dispatched by the catalogue at once, owned by its first receiver (首接负责) until a department accepts it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shouzhan.cases.services import case_assign, case_submit
from shouzhan.core.actors import Actor, actor_user, is_system
from shouzhan.core.audit import audit_record
from shouzhan.core.limits import required_text
from shouzhan.core.workdays import add_working_days
from shouzhan.frontline import audit_actions as aa
from shouzhan.frontline.catalogue import dispatch_rule_for
from shouzhan.frontline.models import Demand, Visit
from shouzhan.frontline.permissions import can_receive, can_report_hazard, can_submit_own, require_receive
from shouzhan.frontline.services.common import (
    DESCRIPTION_MAX,
    NAME_MAX,
    PLACE_MAX,
    day_check,
    department_tell,
    move_record,
    optional_text,
)
from shouzhan.frontline.tickets import KEY

KEY_MAX = 64


def demand_record(
    *,
    actor: Actor,
    source: str,
    category: str,
    description: str,
    urgency: str = Demand.Urgency.NORMAL,
    enterprise: Any = None,
    requester_name: str = "",
    requester_contact: str = "",
    place: str = "",
    visit: Visit | None = None,
    received_on: dt.date | None = None,
    client_key: str | None = None,
) -> Demand:
    """Record a demand and dispatch its ticket by the catalogue in force on the day it was received.

    Sent again with the same `client_key` (a phone retrying after a lost answer), it returns the demand
    the first sending made and records nothing.
    """
    client_key = _key_clean(client_key)
    if client_key:
        found = Demand.objects.filter(client_key=client_key).first()
        if found is not None:
            return _own_record(actor, found)
    try:
        with transaction.atomic():
            return _demand_record(
                actor=actor,
                source=source,
                category=category,
                description=description,
                urgency=urgency,
                enterprise=enterprise,
                requester_name=requester_name,
                requester_contact=requester_contact,
                place=place,
                visit=visit,
                received_on=received_on,
                client_key=client_key,
            )
    except IntegrityError:
        found = Demand.objects.filter(client_key=client_key).first() if client_key else None
        if found is None:
            raise
        return _own_record(actor, found)  # the same record sent twice at once: the first one won


def _own_record(actor: Actor, found: Demand) -> Demand:
    """A key sent again by the one who recorded it gives their record back; anyone else's is refused."""
    user = actor_user(actor)
    if user is None or user.pk not in (found.receiver_id, found.requester_id):
        raise ValidationError({"client_key": [_("这个记录标识已被其他记录使用，请重新生成后再发送。")]})
    return found


def _key_clean(client_key: str | None) -> str | None:
    key = (client_key or "").strip() or None
    if key is not None and len(key) > KEY_MAX:
        raise ValidationError({"client_key": [_("记录标识过长（最多%(n)s个字符）。") % {"n": KEY_MAX}]})
    return key


def _who_may(actor: Actor, source: str, enterprise: Any) -> None:
    if source not in Demand.Source.values:
        raise ValidationError({"source": [_("诉求来源不正确。")]})
    if source == Demand.Source.ENTERPRISE and not can_receive(actor):
        if enterprise is None or not can_submit_own(actor, enterprise.pk):
            raise ValidationError({"enterprise": [_("请选择您所在的企业。")]})
        return
    if source == Demand.Source.PATROL and can_report_hazard(actor):
        return
    require_receive(actor)


def _demand_record(
    *,
    actor: Actor,
    source: str,
    category: str,
    description: str,
    urgency: str,
    enterprise: Any,
    requester_name: str,
    requester_contact: str,
    place: str,
    visit: Visit | None,
    received_on: dt.date | None,
    client_key: str | None,
) -> Demand:
    _who_may(actor, source, enterprise)
    errors: dict[str, list[str]] = {}

    def check(name: str, fn: Any) -> Any:
        try:
            return fn()
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.message_dict.get(name, exc.messages))
            return None

    text = check(
        "description",
        lambda: required_text(
            description, field="description", limit=DESCRIPTION_MAX, missing=_("请填写诉求内容。")
        ),
    )
    on = check("received_on", lambda: day_check(received_on, field="received_on", label=_("受理日期")))
    name = check(
        "requester_name", lambda: optional_text(requester_name, field="requester_name", limit=NAME_MAX)
    )
    contact = check(
        "requester_contact",
        lambda: optional_text(requester_contact, field="requester_contact", limit=NAME_MAX),
    )
    where = check("place", lambda: optional_text(place, field="place", limit=PLACE_MAX))
    if urgency not in Demand.Urgency.values:
        errors["urgency"] = [_("紧急程度不正确。")]
    rule = check("category", lambda: dispatch_rule_for(category, on)) if on else None
    if enterprise is None and not (name or where):
        errors.setdefault("requester_name", []).append(_("请填写反映人或地点（诉求不涉及企业时）。"))
    if errors:
        raise ValidationError(errors)
    assert rule is not None and on is not None and text is not None
    resolve_days = (
        (rule.urgent_resolve_days or rule.resolve_days) if urgency == "urgent" else rule.resolve_days
    )
    receiver = actor_user(actor) if can_receive(actor) and not is_system(actor) else None
    case = case_submit(
        actor=actor,
        case_type=KEY,
        enterprise=enterprise,
        title=_title(rule.label, text),
        data={
            "need": text,
            "category_label": rule.label,
            "place": where or "",
            "requester": name or "",
            "requester_contact": contact or "",
        },
        submitted_on=on,
        record_applicant=receiver is None,
        limit_days=rule.accept_days,
    )
    if receiver is not None and case.assignee_id is None:
        case = case_assign(actor=actor, case=case, assignee=receiver, expected_version=case.version)
    demand = Demand.objects.create(
        source=source,
        category=rule.category,
        description=text,
        urgency=urgency,
        enterprise=enterprise,
        requester_name=name or "",
        requester_contact=contact or "",
        requester=actor_user(actor) if receiver is None else None,
        place=where or "",
        visit=visit,
        received_on=on,
        receiver=receiver,
        case=case,
        department=rule.department,
        dispatch_version=rule.version,
        accept_days=rule.accept_days,
        resolve_days=resolve_days,
        accept_due_on=case.due_on,
        accept_limit_on=case.due_on,
        resolve_due_on=add_working_days(on, resolve_days).date,
        client_key=client_key,
    )
    move_record(
        demand=demand,
        action="dispatch",
        actor=actor,
        on=on,
        department=rule.department,
        due_on=demand.accept_due_on,
    )
    audit_record(
        actor=actor,
        action=aa.DEMAND_RECORD,
        target=demand,
        enterprise_id=getattr(enterprise, "pk", None),
        after={
            "source": source,
            "category": rule.label,
            "department": rule.department_id,
            "catalogue_version": rule.version.number,
            "accept_due_on": demand.accept_due_on,
            "resolve_due_on": demand.resolve_due_on,
        },
    )
    department_tell(
        demand,
        _("新派单「%(t)s」，请在 %(due)s 前签收。") % {"t": case.title, "due": demand.accept_due_on},
        actor=actor,
    )
    return demand


def _title(label: str, text: str) -> str:
    one_line = " ".join(text.split())
    return f"{label}：{one_line[:40]}{'…' if len(one_line) > 40 else ''}"
