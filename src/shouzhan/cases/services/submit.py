"""Submitting a case: who may, what is checked, the deadline, the record and the applicant told."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.cases import audit_actions
from shouzhan.cases import workflow as wf
from shouzhan.cases.models import Case
from shouzhan.cases.services.checks import data_clean, dedupe_key, rule_result
from shouzhan.cases.services.common import case_audit, event_record
from shouzhan.cases.services.notify import notify_applicant
from shouzhan.core.actors import Actor, actor_user, is_system
from shouzhan.core.permissions import is_staff_member
from shouzhan.core.workdays import MAX_DATE, MIN_DATE, DateOutOfRange, Due, add_working_days, check_date
from shouzhan.registry.permissions import member_enterprise_ids

if TYPE_CHECKING:
    from shouzhan.accounts.models import User
    from shouzhan.registry.models import Enterprise, Project

# Case types whose subject is one enterprise (its applicant): policy applications, filings and
# service requests. Tickets (a place, a resident) and introductions (a person) may have none.
ENTERPRISE_GROUPS = frozenset({"policy", "filing", "service"})
Errors = dict[str, list[str]]


def about_enterprise(ct: wf.CaseType) -> bool:
    return ct.group in ENTERPRISE_GROUPS


@dataclass
class _Checked:
    """What survives the checks of a submission."""

    enterprise: Enterprise | None
    title: str
    data: dict[str, Any]
    on: dt.date
    due: Due


@transaction.atomic
def case_submit(
    *,
    actor: Actor,
    case_type: str,
    enterprise: Enterprise | None,
    title: str,
    data: dict[str, Any] | None = None,
    project: Project | None = None,
    clause_id: str | None = None,
    year: int | None = None,
    amount_requested_fen: int | None = None,
    related: Model | None = None,
    submitted_on: dt.date | None = None,
    record_applicant: bool = True,
    limit_days: int | None = None,
) -> Case:
    """Open a case. Members submit for their own enterprise; staff and system actors for any.

    `record_applicant=False` is for staff opening a case on someone's behalf (a ticket heard on a
    visit): the staff member is recorded as the one who opened it, not as the applicant.
    `limit_days` replaces the case type's time limit (a fast-track case takes its clause's).
    """
    ct = _case_type(case_type)
    user = _submitter(actor, enterprise)
    checked = _submission_check(
        ct,
        user,
        enterprise=enterprise,
        title=title,
        data=data,
        project=project,
        clause_id=clause_id,
        amount_requested_fen=amount_requested_fen,
        submitted_on=submitted_on,
        limit_days=limit_days,
    )
    case = Case(
        case_type=ct.key,
        state=ct.initial,
        enterprise=checked.enterprise,
        title=checked.title,
        data=checked.data,
        clause_id=clause_id or "",
        year=year if year is not None else (checked.on.year if clause_id else None),
        project=project,
        amount_requested_fen=amount_requested_fen,
        submitted_on=checked.on,
        due_on=checked.due.date,
        due_provisional=checked.due.provisional,
        applicant=user if record_applicant else None,
    )
    if related is not None:
        case.related_type = ContentType.objects.get_for_model(related)
        case.related_id = str(related.pk)
    if ct.group == "policy":
        _policy_application_prepare(case)
    _case_save(case)
    _submission_record(ct, case, actor)
    return case


def _case_type(key: str) -> wf.CaseType:
    try:
        return wf.case_type_get(key)
    except KeyError:
        raise ValidationError({"case_type": [_("没有这种办件类型：%(key)s。") % {"key": key}]}) from None


def _submitter(actor: Actor, enterprise: Enterprise | None) -> User | None:
    """The user submitting (None for a system actor); a member only for their own enterprise (404)."""
    user = actor_user(actor)
    if user is None and not is_system(actor):
        raise PermissionDenied(_("请先登录。"))
    if user is not None and not is_staff_member(user) and enterprise is not None:
        if enterprise.pk not in member_enterprise_ids(user):
            raise Http404(_("没有找到该企业。"))
    return user


def _submission_check(
    ct: wf.CaseType,
    user: User | None,
    *,
    enterprise: Enterprise | None,
    title: str,
    data: dict[str, Any] | None,
    project: Project | None,
    clause_id: str | None,
    amount_requested_fen: int | None,
    submitted_on: dt.date | None,
    limit_days: int | None = None,
) -> _Checked:
    """Every check of a submission at once, so the form shows every error together."""
    title = (title or "").strip()
    errors: Errors = {}
    if enterprise is None and about_enterprise(ct):
        enterprise = _applicant_enterprise(user, errors)
    if not title:
        errors["title"] = [_("请填写标题。")]
    elif len(title) > 200:
        errors["title"] = [_("标题最多200字。")]
    if amount_requested_fen is not None and (
        not isinstance(amount_requested_fen, int) or amount_requested_fen < 0
    ):
        errors["amount_requested_fen"] = [_("申请金额不能为负数。")]
    if project is not None and (enterprise is None or project.enterprise_id != enterprise.pk):
        errors["project"] = [_("该项目不属于申报企业。")]
    try:
        cleaned = data_clean(ct, data or {})
    except ValidationError as exc:
        for k, v in exc.message_dict.items():
            errors.setdefault(k, []).extend(v)
        cleaned = {}
    if ct.group == "policy":
        if not clause_id:
            errors["clause_id"] = [_("请选择申报的政策条款。")]
        if enterprise is None and "enterprise" not in errors:
            errors["enterprise"] = [_("政策申报必须属于一个企业。")]
    on = submitted_on or timezone.localdate()
    due = _due(ct, cleaned, on, errors, limit_days)
    if errors:
        raise ValidationError(errors)
    assert due is not None
    return _Checked(enterprise, title, cleaned, on, due)


def _due(
    ct: wf.CaseType, data: dict[str, Any], on: dt.date, errors: Errors, limit_days: int | None = None
) -> Due | None:
    try:
        return add_working_days(check_date(on), ct.limit_for(data) if limit_days is None else limit_days)
    except DateOutOfRange:  # a date from a caller (an import, a visit's date), not today
        errors["submitted_on"] = [
            _("提交日期应在 %(min)s 至 %(max)s 之间，且办理期限不能晚于 %(max)s。")
            % {"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()}
        ]
        return None


def _applicant_enterprise(user: User | None, errors: Errors) -> Enterprise | None:
    """The enterprise of a case submitted without one: a member's only enterprise; else an error."""
    from shouzhan.registry.models import Enterprise

    if user is None or is_staff_member(user):
        errors["enterprise"] = [_("这类办件须指明申请企业。")]
        return None
    mine = member_enterprise_ids(user)
    if len(mine) == 1:
        return Enterprise.objects.get(pk=next(iter(mine)))
    if mine:
        errors["enterprise"] = [_("您属于多个企业，请指明为哪个企业提交。")]
    else:
        errors["enterprise"] = [_("请先登记您的企业，再提交办件。")]
    return None


def _policy_application_prepare(case: Case) -> None:
    """One application per enterprise, clause, project and year; the rules engine's answer kept."""
    assert case.enterprise is not None and case.year is not None
    case.dedupe_key = dedupe_key(
        enterprise_id=case.enterprise.pk, clause_id=case.clause_id, project_id=case.project_id, year=case.year
    )
    if Case.objects.filter(dedupe_key=case.dedupe_key).exists():
        raise ValidationError({"clause_id": [_duplicate_message()]})
    case.rule_result = rule_result(case=case, on=case.submitted_on)


def _duplicate_message() -> str:
    return _("该企业已就同一条款、项目和年度提交过申报，不能重复申报（可在原办件中补正或撤回后重新申报）。")


def _case_save(case: Case) -> None:
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError as exc:  # a concurrent submission of the same application won
        raise ValidationError({"clause_id": [_duplicate_message()]}) from exc


def _submission_record(ct: wf.CaseType, case: Case, actor: Actor) -> None:
    """The history's first step, the audit entry, and the applicant told of the deadline."""
    event_record(
        case=case,
        action="submit",
        actor=actor,
        from_state="",
        data={"rule_status": case.rule_result["status"]} if case.rule_result else {},
    )
    after = {"case_type": case.case_type, "state": case.state, "title": case.title, "due_on": case.due_on}
    case_audit(actor=actor, case=case, action=audit_actions.CASE_SUBMIT, after=after)
    state = ct.state(case.state)
    notify_applicant(
        case=case,
        message=_("您的办件「%(title)s」已提交（%(label)s），办理期限 %(due)s。")
        % {"title": case.title, "label": state.applicant_label, "due": case.due_on},
    )
