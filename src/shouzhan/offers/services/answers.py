"""The enterprise's answers to an offer (confirm, decline, answer a prompt), expiry, and the fast-track
case's outcome written back on the offer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.audit import audit_record
from shouzhan.core.limits import required_text
from shouzhan.offers import audit_actions as A
from shouzhan.offers import permissions
from shouzhan.offers.models import Offer
from shouzhan.offers.services.common import CONTACT_MAX, PUSHER, REASON_MAX
from shouzhan.offers.services.runs import enterprise_reevaluate
from shouzhan.rules.vocabulary import FACTS, fact_label


# ----------------------------------------------------------------------------- the enterprise's answers
def _locked(offer: Offer) -> Offer:
    # Only the offer's row is locked (`of`): PostgreSQL cannot lock the nullable side of the project's join.
    return (
        Offer.objects.select_for_update(of=("self",)).select_related("enterprise", "project").get(pk=offer.pk)
    )


def _zh(message: str) -> str:
    with translation.override("zh-hans"):
        return _(message)


def _refuse_closed(offer: Offer, today: dt.date, *, confirming: bool = False) -> None:
    """A clear refusal for an offer that cannot be answered any more (or, `confirming`, a person's offer:
    applied for with its talent service's own form, services/people.py)."""
    if confirming and offer.person_id is not None:
        raise ValidationError(_("个人的人才服务请按服务要求填写申请后办理。"), code="person")
    if offer.state == Offer.State.WITHDRAWN:
        if offer.withdraw_cause:
            cause = Offer.Cause(offer.withdraw_cause).label
            raise ValidationError(
                _("该推送已撤回，不能再确认或放弃（%(cause)s）。") % {"cause": cause}, code="closed"
            )
        raise ValidationError(_("该推送已撤回，不能再确认或放弃。"), code="closed")
    if offer.state == Offer.State.EXPIRED or (
        offer.state == Offer.State.OFFERED and offer.expires_on is not None and offer.expires_on < today
    ):
        raise ValidationError(
            _("该推送已于 %(d)s 过期，不能再确认。如仍需申报，请通过政策计算器提交申报。")
            % {"d": offer.expires_on.isoformat() if offer.expires_on else ""},
            code="closed",
        )


@transaction.atomic
def offer_confirm(
    *, actor: Actor, offer: Offer, contact: str, declaration_accepted: bool, today: dt.date | None = None
) -> Offer:
    """One click: a fast-track application opens pre-filled, the clause's budget is reserved for it.
    Confirming an offer already confirmed returns it unchanged (two clicks make one case)."""
    from shouzhan.cases.services import case_submit
    from shouzhan.ledger.services import budget_reserve
    from shouzhan.policies.selectors import catalogue_in_force

    permissions.require_offer_answer(actor, offer)
    today = today or timezone.localdate()
    offer = _locked(offer)
    if offer.state == Offer.State.CONFIRMED and offer.case_id:
        return offer
    _refuse_closed(offer, today, confirming=True)
    if offer.state == Offer.State.PROMPT:
        raise ValidationError(_("请先补充所需信息，系统判断符合条件后才能确认。"), code="prompt")
    if offer.state != Offer.State.OFFERED:
        raise ValidationError(
            _("该推送当前状态为“%(s)s”，不能确认。") % {"s": offer.get_state_display()}, code="closed"
        )
    errors: dict[str, list[str]] = {}
    try:
        contact = required_text(
            contact, field="contact", limit=CONTACT_MAX, missing=_("请填写联系人和联系电话。")
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not declaration_accepted:
        errors["declaration"] = [_("请阅读并同意申报承诺。")]
    if errors:
        raise ValidationError(errors)
    try:
        clause = catalogue_in_force(on=today).clause(offer.clause_id)
    except KeyError:
        raise ValidationError(_("该条款今天已不在有效期内，不能确认。"), code="closed") from None
    case = case_submit(
        actor=actor,
        case_type="policy_fast_track",
        enterprise=offer.enterprise,
        # Stored words are the centre's (Chinese), whatever the language of the one who confirmed.
        title=_zh("政策直达：%(title)s") % {"title": clause.title or clause.id},
        data={"summary": _zh("企业确认政策直达推送；联系人：%(c)s") % {"c": contact}},
        project=offer.project,
        clause_id=offer.clause_id,
        year=today.year,
        amount_requested_fen=offer.max_amount_fen,
        submitted_on=today,
        related=offer,
        limit_days=clause.push.fast_track_days,
    )
    if offer.max_amount_fen:
        try:
            budget_reserve(
                actor=actor,
                case_id=case.pk,
                clause_id=offer.clause_id,
                year=today.year,
                enterprise_id=offer.enterprise_id,
                amount_fen=offer.max_amount_fen,
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) != "ledger_limit":
                raise
            raise ValidationError(
                _budget_short(clause.title or clause.id, offer, today.year), code="budget"
            ) from exc
    before = {"state": offer.state}
    offer.state, offer.case, offer.contact = Offer.State.CONFIRMED, case, contact
    offer.answered_at, offer.answered_by, offer.updated_at = timezone.now(), actor_user(actor), timezone.now()
    offer.save(update_fields=["state", "case", "contact", "answered_at", "answered_by", "updated_at"])
    audit_record(
        actor=actor,
        action=A.OFFER_CONFIRM,
        target=offer,
        before=before,
        after={"state": offer.state, "case": case.pk, "amount_fen": offer.max_amount_fen},
        enterprise_id=offer.enterprise_id,
    )
    return offer


def _budget_short(title: str, offer: Offer, year: int) -> str:
    """The refusal an enterprise reads when the clause's budget for the year cannot cover its offer."""
    from shouzhan.core.money import format_yuan
    from shouzhan.ledger.models import ClauseBudget

    budget = (
        ClauseBudget.objects.select_related("account").filter(clause_id=offer.clause_id, year=year).first()
    )
    left = budget.account.balance_fen if budget is not None else 0
    return _(
        "“%(title)s”%(year)d 年度预算余额不足：剩余 %(left)s，本次需要 %(need)s。确认未生效，请联系服务中心。"
    ) % {
        "title": title,
        "year": year,
        "left": format_yuan(left),
        "need": format_yuan(offer.max_amount_fen or 0),
    }


@transaction.atomic
def offer_decline(*, actor: Actor, offer: Offer, reason: str, today: dt.date | None = None) -> Offer:
    permissions.require_offer_answer(actor, offer)
    offer = _locked(offer)
    if offer.state == Offer.State.DECLINED:
        return offer
    if offer.state not in Offer.OPEN:
        _refuse_closed(offer, today or timezone.localdate())
        raise ValidationError(
            _("该推送当前状态为“%(s)s”，不能放弃。") % {"s": offer.get_state_display()}, code="closed"
        )
    reason = required_text(reason, field="reason", limit=REASON_MAX, missing=_("请说明放弃的原因。"))
    before = {"state": offer.state}
    offer.state, offer.reason = Offer.State.DECLINED, reason
    offer.answered_at, offer.answered_by, offer.updated_at = timezone.now(), actor_user(actor), timezone.now()
    offer.save(update_fields=["state", "reason", "answered_at", "answered_by", "updated_at"])
    audit_record(
        actor=actor,
        action=A.OFFER_DECLINE,
        target=offer,
        before=before,
        after={"state": offer.state, "reason": reason},
        enterprise_id=offer.enterprise_id,
    )
    return offer


# ----------------------------------------------------------------------------- answering a prompt
def _typed_answer(name: str, raw: Any) -> Any:
    """A prompt's answer as the profile takes it, or a ValidationError in words."""
    fact = FACTS[name]
    text = str(raw).strip() if raw is not None else ""
    if text == "":
        raise ValidationError({name: [_("请填写“%(f)s”。") % {"f": fact_label(name)}]})
    if len(text) > 200:
        raise ValidationError({name: [_("“%(f)s”最多200字。") % {"f": fact_label(name)}]})
    if fact.type == "bool":
        if text.lower() in ("true", "1", "yes", "是"):
            return True
        if text.lower() in ("false", "0", "no", "否"):
            return False
        raise ValidationError({name: [_("“%(f)s”请选择“是”或“否”。") % {"f": fact_label(name)}]})
    if fact.type == "int":
        if not text.isdigit() or len(text) > 9:
            raise ValidationError({name: [_("“%(f)s”应为非负整数。") % {"f": fact_label(name)}]})
        return int(text)
    if fact.type == "money":
        try:
            value = Decimal(text.replace(",", ""))
        except InvalidOperation:
            value = Decimal(-1)
        if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")) or value > 10**12:
            raise ValidationError(
                {name: [_("“%(f)s”应为金额（元，最多两位小数），例如 120000.50。") % {"f": fact_label(name)}]}
            )
        return str(value)
    if fact.type == "date":
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise ValidationError(
                {name: [_("“%(f)s”应为日期，格式 YYYY-MM-DD。") % {"f": fact_label(name)}]}
            ) from None
        return day
    return text


@transaction.atomic
def prompt_answer(*, actor: Actor, offer: Offer, answers: dict[str, Any]) -> Offer:
    """Write the answers to the enterprise's profile or the project (through the registry's own services,
    so they are audited there), re-evaluate the enterprise at once, and return the offer as it now stands:
    an offer, still a prompt (something else is missing), or withdrawn (not eligible)."""
    from shouzhan.offers.selectors import offer_missing_facts
    from shouzhan.registry.services import enterprise_update, project_update

    permissions.require_offer_answer(actor, offer)
    offer = _locked(offer)
    if offer.state != Offer.State.PROMPT:
        raise ValidationError(_("该推送不需要补充信息。"), code="closed")
    if offer.person_id is not None:  # a person's facts are their talent record's, kept on its own page
        raise ValidationError(_("请在本人的人才档案中补充这些信息。"), code="person")
    wanted = offer_missing_facts(offer)
    unknown = sorted(set(answers) - set(wanted))
    if unknown:
        raise ValidationError(
            {"__all__": [_("这些信息不在本次需要补充的范围内：%(n)s") % {"n": "、".join(unknown)}]}
        )
    if not answers:
        raise ValidationError({"__all__": [_("请至少回答一个问题。")]})
    typed: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, raw in answers.items():
        try:
            typed[name] = _typed_answer(name, raw)
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                errors.setdefault(k, []).extend(v)
    if errors:
        raise ValidationError(errors)
    enterprise_data = {n.split(".", 1)[1]: v for n, v in typed.items() if n.startswith("enterprise.")}
    project_data = {n.split(".", 1)[1]: v for n, v in typed.items() if n.startswith("project.")}
    try:
        if enterprise_data:
            enterprise_update(actor=actor, enterprise=offer.enterprise, data=enterprise_data)
        if project_data and offer.project is not None:
            project_update(actor=actor, project=offer.project, data=project_data)
    except ValidationError as exc:  # the registry names its own fields: say them in the prompt's names
        raise ValidationError(_prompt_errors(exc, typed)) from exc
    audit_record(
        actor=actor,
        action=A.PROMPT_ANSWER,
        target=offer,
        after={"answers": {k: str(v) for k, v in typed.items()}},
        enterprise_id=offer.enterprise_id,
    )
    enterprise_reevaluate(enterprise_id=offer.enterprise_id, mark_fresh=True)
    now = Offer.objects.filter(key=offer.key, current=True).first()
    return now or offer


def _prompt_errors(exc: ValidationError, typed: dict[str, Any]) -> dict[str, list[str]]:
    by_field = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    out: dict[str, list[str]] = {}
    for key, messages in by_field.items():
        name = next((n for n in typed if n.split(".", 1)[1] == key), "__all__")
        out.setdefault(name, []).extend(messages)
    return out


# ----------------------------------------------------------------------------- expiry
def offers_expire(*, today: dt.date | None = None) -> int:
    """Offers not confirmed by their deadline expire (each audited); returns how many."""
    today = today or timezone.localdate()
    count = 0
    due = Offer.objects.filter(state=Offer.State.OFFERED, expires_on__lt=today).values_list("pk", flat=True)
    for pk in list(due[:10_000]):
        with transaction.atomic():
            offer = Offer.objects.select_for_update().filter(pk=pk, state=Offer.State.OFFERED).first()
            if offer is None:
                continue
            offer.state, offer.updated_at = Offer.State.EXPIRED, timezone.now()
            offer.save(update_fields=["state", "updated_at"])
            audit_record(
                actor=PUSHER,
                action=A.OFFER_EXPIRE,
                target=offer,
                before={"state": "offered"},
                after={"state": "expired", "expires_on": offer.expires_on},
                enterprise_id=offer.enterprise_id,
            )
            count += 1
    return count


# ----------------------------------------------------------------------------- the case's outcome
def offer_outcome_record(*, actor: Actor, case_id: int, state: str, note: str = "") -> Offer | None:
    """The fast-track case's decision written on its offer (called by offers.effects)."""
    offer = Offer.objects.select_for_update().filter(case_id=case_id).first()
    if offer is None or offer.state == state:
        return offer
    before = {"state": offer.state}
    offer.state, offer.updated_at = state, timezone.now()
    fields = ["state", "updated_at"]
    if state == Offer.State.DECLINED:
        offer.reason = (note or _("企业撤回了申报"))[:REASON_MAX]
        fields.append("reason")
    offer.save(update_fields=fields)
    audit_record(
        actor=actor,
        action=A.OFFER_OUTCOME,
        target=offer,
        before=before,
        after={"state": state, "case": case_id},
        enterprise_id=offer.enterprise_id,
    )
    return offer
