"""Licences on a work: offered by its holder, requested by another enterprise through the centre (a brokered
`asset_licence` case), granted or refused from that case's outcome (assets.effects), ended. Each change audited.

An exclusive licence keeps the scope in that territory for its term to one licensee: a grant overlapping a
granted licence of the same work, scope and territory is refused when either of the two is exclusive.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from shouzhan.assets import audit_actions as aa
from shouzhan.assets.models import AssetVersion, Licence, Work
from shouzhan.assets.permissions import require_licence_read, require_work_write
from shouzhan.assets.workflow import LICENCE_KEY
from shouzhan.cases.models import Case
from shouzhan.core.actors import Actor, actor_user, is_system
from shouzhan.core.audit import audit_record
from shouzhan.core.limits import LONG_TEXT, TEXT, check_length, required_text
from shouzhan.core.money import format_yuan, yuan_decimal
from shouzhan.core.notifications import notify
from shouzhan.core.permissions import is_staff_member
from shouzhan.registry.models import Enterprise
from shouzhan.registry.permissions import member_enterprise_ids

MAX_FEE_FEN = 10**15
TERRITORY_MAX = 100  # Licence.territory
Errors = dict[str, list[str]]


# ----------------------------------------------------------------------------- words
def term_words(licence: Licence) -> str:
    """'2026-01-01 至 2026-12-31'."""
    return _("%(start)s 至 %(end)s") % {
        "start": licence.starts_on.isoformat(),
        "end": licence.ends_on.isoformat(),
    }


def terms_words(licence: Licence) -> str:
    """The licence in one line, as both sides and the caseworker read it."""
    kind = _("独占许可") if licence.exclusive else _("非独占许可")
    return _("%(scope)s · %(kind)s · %(territory)s · %(term)s · 许可费 %(fee)s") % {
        "scope": licence.get_scope_display(),
        "kind": kind,
        "territory": licence.territory,
        "term": term_words(licence),
        "fee": format_yuan(licence.fee_fen),
    }


def licence_url(licence: Licence) -> str:
    return reverse("assets:licence", args=[licence.pk])


# ----------------------------------------------------------------------------- checks
def _snapshot(licence: Licence) -> dict[str, Any]:
    return {
        "state": licence.state,
        "scope": licence.scope,
        "exclusive": licence.exclusive,
        "territory": licence.territory,
        "starts_on": licence.starts_on.isoformat(),
        "ends_on": licence.ends_on.isoformat(),
        "fee_fen": licence.fee_fen,
        "licensee": licence.licensee_id,
        "versions": sorted(v.pk for v in licence.versions.all()) if licence.pk else [],
    }


def _date(value: object, field: str, errors: Errors) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value in (None, ""):
        errors[field] = [_("请填写日期。")]
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors[field] = [_("日期格式应为 2026-01-31。")]
        return None


def _terms_clean(
    *,
    scope: str,
    territory: str,
    starts_on: object,
    ends_on: object,
    fee_fen: object,
    terms: str,
    errors: Errors,
) -> dict[str, Any]:
    if scope not in Licence.Scope.values:
        errors["scope"] = [_("请选择授权范围。")]
    try:
        territory = required_text(
            territory, field="territory", limit=TERRITORY_MAX, missing=_("请填写授权地域。")
        )
    except ValidationError as e:
        errors.update(e.message_dict)
    start = _date(starts_on, "starts_on", errors)
    end = _date(ends_on, "ends_on", errors)
    if start is not None and end is not None and end < start:
        errors["ends_on"] = [_("终止日不能早于起始日。")]
    if isinstance(fee_fen, bool) or not isinstance(fee_fen, int):
        errors["fee"] = [_("许可费应为精确到分的金额。")]
    elif not 0 <= fee_fen <= MAX_FEE_FEN:
        errors["fee"] = [_("许可费不能为负数，也不能超过一万亿元。")]
    terms = str(terms or "").strip()
    try:
        check_length(field="terms", text=terms, limit=LONG_TEXT)
    except ValidationError as e:
        errors.update(e.message_dict)
    return {
        "scope": scope,
        "territory": territory,
        "starts_on": start,
        "ends_on": end,
        "fee_fen": fee_fen,
        "terms": terms,
    }


def _versions_clean(work: Work, versions: Iterable[AssetVersion | int], errors: Errors) -> list[AssetVersion]:
    ids = [v.pk if isinstance(v, AssetVersion) else int(v) for v in versions]
    found = list(AssetVersion.objects.filter(pk__in=ids, work=work))
    if len(found) != len(set(ids)):
        errors["versions"] = [_("所选版本须是本作品登记的版本。")]
    return found


def exclusive_conflict(licence: Licence) -> Licence | None:
    """A granted licence of the same work, scope and territory whose term overlaps, when either is exclusive."""
    others = Licence.objects.filter(
        work_id=licence.work_id,
        state=Licence.State.GRANTED,
        scope=licence.scope,
        territory=licence.territory,
        starts_on__lte=licence.ends_on,
        ends_on__gte=licence.starts_on,
    ).exclude(pk=licence.pk)
    if not licence.exclusive:
        others = others.filter(exclusive=True)
    return others.select_related("licensee").first()


def _conflict_error(other: Licence) -> ValidationError:
    return ValidationError(
        {
            "__all__": [
                _(
                    "该作品在“%(territory)s”的“%(scope)s”已于 %(term)s 授权给%(who)s（%(kind)s），"
                    "期限重叠，不能再授予此许可。"
                )
                % {
                    "territory": other.territory,
                    "scope": other.get_scope_display(),
                    "term": term_words(other),
                    "who": other.licensee.name if other.licensee else _("其他企业"),
                    "kind": _("独占") if other.exclusive else _("非独占"),
                }
            ]
        }
    )


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _members(enterprise_id: int) -> Iterable[Any]:
    from shouzhan.accounts.models import User

    return User.objects.filter(
        is_active=True, memberships__organisation__enterprise__id=enterprise_id
    ).distinct()


# ----------------------------------------------------------------------------- offer
@transaction.atomic
def licence_offer(
    *,
    actor: Actor,
    work: Work,
    versions: Iterable[AssetVersion | int],
    scope: str,
    exclusive: bool,
    territory: str,
    starts_on: object,
    ends_on: object,
    fee_fen: int,
    terms: str = "",
) -> Licence:
    """The holder offers a licence on its work (seen by others once the work is published)."""
    locked = Work.objects.select_for_update().get(pk=work.pk)
    require_work_write(actor, locked)
    errors: Errors = {}
    cleaned = _terms_clean(
        scope=scope,
        territory=territory,
        starts_on=starts_on,
        ends_on=ends_on,
        fee_fen=fee_fen,
        terms=terms,
        errors=errors,
    )
    chosen = _versions_clean(locked, versions, errors)
    _raise(errors)
    licence = Licence(
        work=locked,
        holder_id=locked.enterprise_id,
        state=Licence.State.OFFERED,
        exclusive=bool(exclusive),
        created_by=actor_user(actor),
        **cleaned,
    )
    if licence.exclusive and (other := exclusive_conflict(licence)) is not None:
        raise _conflict_error(other)
    licence.save()
    licence.versions.set(chosen)
    audit_record(
        actor=actor,
        action=aa.LICENCE_OFFER,
        target=licence,
        after=_snapshot(licence),
        enterprise_id=locked.enterprise_id,
    )
    return licence


# ----------------------------------------------------------------------------- request
def _require_licensee(actor: Actor, enterprise: Enterprise) -> None:
    user = actor_user(actor)
    if is_system(actor) or is_staff_member(user):
        return
    if enterprise.pk not in member_enterprise_ids(user):
        raise PermissionDenied(_("只能以您所在企业的名义申请授权。"))


@transaction.atomic
def licence_request(
    *,
    actor: Actor,
    offer: Licence,
    enterprise: Enterprise,
    need: str,
    territory: str | None = None,
    starts_on: object = None,
    ends_on: object = None,
    fee_fen: int | None = None,
) -> Licence:
    """Another enterprise asks for the offered licence (its terms, or changed ones) through the centre:
    a requested licence and the brokered `asset_licence` case; the holder's members are told."""
    from shouzhan.cases.services.submit import case_submit

    offer = Licence.objects.select_related("work", "holder").get(pk=offer.pk)
    require_licence_read(actor, offer)
    if offer.state != Licence.State.OFFERED or not offer.work.published:
        raise ValidationError({"__all__": [_("该授权目前不接受申请。")]})
    _require_licensee(actor, enterprise)
    if enterprise.pk == offer.holder_id:
        raise ValidationError({"__all__": [_("不能申请使用本企业自己的作品。")]})
    errors: Errors = {}
    cleaned = _terms_clean(
        scope=offer.scope,
        territory=offer.territory if territory is None else territory,
        starts_on=offer.starts_on if starts_on in (None, "") else starts_on,
        ends_on=offer.ends_on if ends_on in (None, "") else ends_on,
        fee_fen=offer.fee_fen if fee_fen is None else fee_fen,
        terms=offer.terms,
        errors=errors,
    )
    need = str(need or "").strip()
    try:
        required_text(need, field="need", limit=TEXT, missing=_("请说明用途（如何使用该作品）。"))
    except ValidationError as e:
        errors.update(e.message_dict)
    _raise(errors)
    licence = Licence(
        work=offer.work,
        holder_id=offer.holder_id,
        licensee=enterprise,
        offer=offer,
        state=Licence.State.REQUESTED,
        exclusive=offer.exclusive,
        created_by=actor_user(actor),
        **cleaned,
    )
    if (other := exclusive_conflict(licence)) is not None:
        raise _conflict_error(other)
    licence.save()
    licence.versions.set(offer.versions.all())
    case = case_submit(
        actor=actor,
        case_type=LICENCE_KEY,
        enterprise=enterprise,
        title=_("申请授权：%(work)s（%(scope)s）")
        % {"work": offer.work.title, "scope": licence.get_scope_display()},
        data={
            "work": offer.work.title,
            "holder": offer.holder.name,
            "scope": str(licence.get_scope_display()) + (_("（独占）") if licence.exclusive else ""),
            "territory": licence.territory,
            "term": term_words(licence),
            "fee": f"{yuan_decimal(licence.fee_fen):,.2f}",
            "need": need,
        },
        related=licence,
    )
    licence.case = case
    licence.save(update_fields=["case", "updated_at"])
    audit_record(
        actor=actor,
        action=aa.LICENCE_REQUEST,
        target=licence,
        after={**_snapshot(licence), "offer": offer.pk, "case": case.pk, "need": need},
        enterprise_id=enterprise.pk,
    )
    notify(
        users=_members(offer.holder_id),
        message=_("%(who)s 通过服务中心申请使用您的作品《%(work)s》：%(terms)s。中心将居间洽谈。")
        % {"who": enterprise.name, "work": offer.work.title, "terms": terms_words(licence)},
        kind="licence",
        target=licence,
        url=licence_url(licence),
        skip=actor,
    )
    return licence


# ----------------------------------------------------------------------------- outcome and end
@transaction.atomic
def licence_outcome_record(*, case: Case, granted: bool, note: str, actor: Actor) -> Licence | None:
    """The brokered case ended (assets.effects): the licence granted, or not reached."""
    licence = Licence.objects.select_for_update().filter(case=case).first()
    if licence is None or licence.state != Licence.State.REQUESTED:
        return licence  # not a licence's case, or recorded already (a replayed effect)
    before = {"state": licence.state}
    if granted:
        Work.objects.select_for_update().get(pk=licence.work_id)  # grants on one work take turns
        if (other := exclusive_conflict(licence)) is not None:
            raise _conflict_error(other)
        licence.state = Licence.State.GRANTED
    else:
        licence.state = Licence.State.REFUSED
    licence.save(update_fields=["state", "updated_at"])
    audit_record(
        actor=actor,
        action=aa.LICENCE_OUTCOME,
        target=licence,
        before=before,
        after={"state": licence.state},
        note=(note or "")[:TEXT],
        enterprise_id=licence.holder_id,
    )
    word = _("已达成") if granted else _("未达成")
    for enterprise_id in (licence.holder_id, licence.licensee_id):
        if enterprise_id is not None:
            notify(
                users=_members(enterprise_id),
                message=_("作品《%(work)s》的授权许可%(word)s：%(terms)s。")
                % {"work": licence.work.title, "word": word, "terms": terms_words(licence)},
                kind="licence",
                target=licence,
                url=licence_url(licence),
                skip=actor,
            )
    return licence


ENDABLE = (Licence.State.OFFERED, Licence.State.GRANTED)


@transaction.atomic
def licence_end(*, actor: Actor, licence: Licence, reason: str) -> Licence:
    """The holder withdraws an offer or ends a granted licence (staff may for it); the reason is kept."""
    locked = Licence.objects.select_for_update().select_related("work").get(pk=licence.pk)
    require_licence_read(actor, locked)
    require_work_write(actor, locked.work)
    if locked.state not in ENDABLE:
        raise ValidationError({"__all__": [_("只有可授权或已授权的许可可以终止。")]})
    reason = required_text(reason, field="reason", limit=TEXT, missing=_("请说明终止原因。"))
    before = {"state": locked.state}
    locked.state = Licence.State.ENDED
    locked.save(update_fields=["state", "updated_at"])
    audit_record(
        actor=actor,
        action=aa.LICENCE_END,
        target=locked,
        before=before,
        after={"state": locked.state},
        note=reason,
        enterprise_id=locked.holder_id,
    )
    if locked.licensee_id is not None:
        notify(
            users=_members(locked.licensee_id),
            message=_("作品《%(work)s》的授权许可已由权利人终止：%(reason)s")
            % {"work": locked.work.title, "reason": reason},
            kind="licence",
            target=locked,
            url=licence_url(locked),
            skip=actor,
        )
    return locked


def licence_filter_open_offers(*, exclude_enterprises: Iterable[int]) -> Q:
    """Offers others may request: on published works, not of the given enterprises."""
    return Q(state=Licence.State.OFFERED, work__published=True) & ~Q(holder_id__in=list(exclude_enterprises))


def licences_for_work(*, actor: Actor, work: Work) -> dict[str, Any]:
    """For the work's page (assets/_work_licences.html): its open offers, and the licences with a licensee
    the reader may see (both sides of each, and the staff); whether the reader may offer one."""
    from shouzhan.assets.permissions import can_read_content, scope_licences

    visible = scope_licences(actor, Licence.objects.filter(work=work)).select_related(
        "holder", "licensee", "case"
    )
    holder_side = can_read_content(actor, work)
    offers = visible.filter(state=Licence.State.OFFERED)
    if not holder_side and not work.published:
        offers = offers.none()
    others = visible.exclude(state=Licence.State.OFFERED).order_by("-created_at", "-id")
    return {
        "offers": [(lic, terms_words(lic)) for lic in offers.order_by("-created_at", "-id")],
        "licences": [(lic, terms_words(lic)) for lic in others],
        "can_offer": _may_write(actor, work),
        "work": work,
    }


def _may_write(actor: Actor, work: Work) -> bool:
    try:
        require_work_write(actor, work)
    except (PermissionDenied, Http404):
        return False
    return True
