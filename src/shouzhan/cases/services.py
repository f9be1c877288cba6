"""Writes to cases: submit, transition, upload, notify. Keyword-only, atomic, audited.

Permission checks live here (the one door), so pages, the API, other modules and the
worker can never disagree about who may move a case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shouzhan.cases import workflow as wf
from shouzhan.cases.events import CaseTransitioned, effects_run
from shouzhan.cases.models import Case, CaseEvent, Notification
from shouzhan.core.audit import audit_record, json_safe
from shouzhan.core.money import format_yuan
from shouzhan.core.permissions import is_staff_member, user_role
from shouzhan.core.roles import Role
from shouzhan.core.workdays import (
    MAX_DATE,
    MIN_DATE,
    DateOutOfRange,
    add_working_days,
    check_date,
    parse_iso_date,
    working_days_between,
)
from shouzhan.registry.permissions import member_enterprise_ids

CONFLICT_MESSAGE = gettext_noop("该办件已被他人处理，请刷新后重试")  # translated where raised
_AUDIT_FIELDS = ("state", "version", "due_on", "due_provisional", "amount_approved_fen", "assignee_id")


class CaseConflict(ValidationError):
    """The case changed since the caller read it (optimistic locking): nothing was written."""


# ----------------------------------------------------------------------------- who is acting
def is_system(actor: Any) -> bool:
    return isinstance(actor, str) and actor.startswith("system:")


def actor_label(actor: Any) -> str:
    if isinstance(actor, str):
        return actor
    return getattr(actor, "display_name", "") or getattr(actor, "name", "") or str(actor)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def is_applicant(actor: Any, case: Case) -> bool:
    if _user(actor) is None:
        return False
    if case.enterprise_id is not None:
        return case.enterprise_id in member_enterprise_ids(actor)
    return case.applicant_id is not None and case.applicant_id == actor.pk


def relations(actor: Any, case: Case) -> set[str]:
    """The relations (workflow.APPLICANT, ASSIGNEE, …) the actor has to the case."""
    if is_system(actor):
        return {wf.SYSTEM}
    found: set[str] = set()
    role = user_role(actor)
    if role is None:
        return found
    if is_applicant(actor, case):
        found.add(wf.APPLICANT)
    if role in (Role.CASEWORKER, Role.ADMIN):
        found.add(wf.CASEWORKER)
        if case.assignee_id is None or case.assignee_id == actor.pk:
            found.add(wf.ASSIGNEE)
    if role in (Role.POLICY_OFFICER, Role.ADMIN):
        found.add(wf.POLICY_OFFICER)
    return found


def can_read_case(actor: Any, case: Case) -> bool:
    return is_system(actor) or is_staff_member(actor) or is_applicant(actor, case)


def require_staff(actor: Any) -> None:
    if not is_staff_member(actor):
        raise PermissionDenied(_("仅供中心工作人员使用。"))


def require_case_read(actor: Any, case: Case) -> None:
    if not can_read_case(actor, case):
        raise Http404(_("没有找到该办件。"))


def allowed_transitions(actor: Any, case: Case) -> list[wf.Transition]:
    """The transitions this actor may take on this case right now (for buttons and the API)."""
    ct = wf.case_type_get(case.case_type)
    mine = relations(actor, case)
    return [t for t in ct.transitions_from(case.state) if t.who & mine]


# ----------------------------------------------------------------------------- data checks
def _clean_data(ct: wf.CaseType, data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Check the declared fields of the case type; undeclared keys pass through (other modules' data)."""
    if not isinstance(data, dict):
        raise ValidationError({"data": [_("申请内容格式不正确。")]})
    cleaned = dict(data)
    errors: dict[str, list[str]] = {}
    for f in ct.fields:
        value = data.get(f.name)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            if f.required and not partial:
                errors[f.name] = [_("请填写“%(label)s”。") % {"label": f.label}]
            cleaned.pop(f.name, None) if value is None else cleaned.__setitem__(f.name, "")
            continue
        try:
            if f.kind in ("int", "percent"):
                number = int(str(value))
                if number < 0 or (f.kind == "percent" and number > 100):
                    raise ValueError
                value = number
            elif f.kind == "date":
                # YYYY-MM-DD within the calendar's range, as every date form field (CalendarDateField).
                value = parse_iso_date(value if isinstance(value, dt.date) else str(value)).isoformat()
            elif f.kind == "choice":
                value = str(value)
                if value not in {key for key, _label in f.choices}:
                    raise ValueError
            else:
                value = str(value)
                if len(value) > 5000:
                    raise ValueError
        except ValueError:
            hint = {
                "int": _("请填写不小于0的整数"),
                "percent": _("请填写0到100之间的整数"),
                "date": _("日期应为 YYYY-MM-DD，在 %(min)s 至 %(max)s 之间")
                % {"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()},
                "choice": _("请从列表中选择（可选：%(choices)s）")
                % {"choices": "、".join(str(label) for _key, label in f.choices)},
            }.get(f.kind, _("内容过长（最多5000字）"))
            errors[f.name] = [_("“%(label)s”：%(hint)s。") % {"label": f.label, "hint": hint}]
            continue
        cleaned[f.name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_editable(ct: wf.CaseType, actor: Any, data: dict[str, Any]) -> None:
    """Fields only staff see are changed only by staff (or the system)."""
    if is_system(actor) or is_staff_member(actor) or not isinstance(data, dict):
        return
    hidden = sorted(set(data) & {f.name for f in ct.fields if f.staff_only})
    if hidden:
        raise ValidationError({hidden[0]: [_("申请人不能修改这一项。")]})


def _norm(value: Any) -> Any:
    return None if value in (None, "") else value


def data_changes(ct: wf.CaseType, before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """The declared fields whose value changed: name, label, before and after (None when empty)."""
    changes = []
    for f in ct.fields:
        old, new = _norm(before.get(f.name)), _norm(after.get(f.name))
        if old != new:
            changes.append({"field": f.name, "label": str(f.label), "before": old, "after": new})
    return changes


def _rule_result(*, case: Case, on: dt.date) -> dict[str, Any]:
    """Run the rules engine for the case's clause with the enterprise's facts as they are now."""
    from shouzhan.policies.selectors import calculate
    from shouzhan.registry.selectors import enterprise_facts

    if case.enterprise is None:
        raise ValidationError(_("政策申报必须属于一个企业。"))
    facts = enterprise_facts(enterprise=case.enterprise, project=case.project)
    result = next((r for r in calculate(facts=facts, on=on).results if r.id == case.clause_id), None)
    if result is None:
        raise ValidationError(
            {"clause_id": [_("条款 %(id)s 在 %(on)s 不在有效期内。") % {"id": case.clause_id, "on": on}]}
        )
    cap_fen = _clause_cap_fen(case.clause_id, on)
    return {
        "on": on.isoformat(),
        "clause_id": result.id,
        "title": result.title,
        "status": result.status,
        "max_amount_fen": result.max_amount_fen,
        "cap_fen": cap_fen,
        "decision": result.decision,
        "missing_facts": list(result.missing_facts),
        "trace": json_safe(result.trace),
        "facts": json_safe(facts),
    }


def _clause_cap_fen(clause_id: str, on: dt.date) -> int | None:
    from shouzhan.policies.selectors import catalogue_in_force

    try:
        clause = catalogue_in_force(on=on).clause(clause_id)
    except KeyError:
        return None
    return clause.cap.fen if clause.cap is not None else None


def _dedupe_key(*, enterprise_id: int, clause_id: str, project_id: int | None, year: int) -> str:
    return f"{enterprise_id}:{clause_id}:{project_id or 0}:{year}"


# ----------------------------------------------------------------------------- notifications
def _recipients(case: Case) -> list[Any]:
    from shouzhan.accounts.models import User

    if case.enterprise_id is not None:
        users = User.objects.filter(
            memberships__organisation__enterprise__id=case.enterprise_id, is_active=True
        ).distinct()
        return list(users)
    if case.applicant_id is not None:
        return list(User.objects.filter(pk=case.applicant_id, is_active=True))
    return []


def _email_configured() -> bool:
    backend = settings.EMAIL_BACKEND
    return not backend.endswith(("console.EmailBackend", "dummy.EmailBackend"))


def notify_applicant(*, case: Case, message: str, kind: str = "state", skip: Any = None) -> int:
    """In-site notification for each member of the applicant enterprise; e-mail after commit when configured."""
    sent = 0
    emails: list[str] = []
    for user in _recipients(case):
        if skip is not None and getattr(skip, "pk", None) == user.pk:
            continue
        Notification.objects.create(user=user, case=case, kind=kind, message=message[:300])
        sent += 1
        if user.email:
            emails.append(user.email)
    if emails and _email_configured():
        subject = _("【首站】办件通知：%(title)s") % {"title": case.title}
        body = message

        def _send() -> None:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, emails, fail_silently=True)

        transaction.on_commit(_send)
    return sent


def notify_user(*, user: Any, case: Case, message: str, kind: str) -> None:
    Notification.objects.create(user=user, case=case, kind=kind, message=message[:300])


# ----------------------------------------------------------------------------- submit
# Case types whose subject is one enterprise (its applicant): policy applications, filings and
# service requests. Tickets (a place, a resident) and introductions (a person) may have none.
ENTERPRISE_GROUPS = frozenset({"policy", "filing", "service"})


def about_enterprise(ct: wf.CaseType) -> bool:
    return ct.group in ENTERPRISE_GROUPS


def _applicant_enterprise(user: Any, errors: dict[str, list[str]]) -> Any:
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


@transaction.atomic
def case_submit(
    *,
    actor: Any,
    case_type: str,
    enterprise: Any,
    title: str,
    data: dict[str, Any] | None = None,
    project: Any = None,
    clause_id: str | None = None,
    year: int | None = None,
    amount_requested_fen: int | None = None,
    related: Model | None = None,
    submitted_on: dt.date | None = None,
    record_applicant: bool = True,
) -> Case:
    """Open a case. Members submit for their own enterprise; staff and system actors for any.

    `record_applicant=False` is for staff opening a case on someone's behalf (a ticket heard on a
    visit): the staff member is recorded as the one who opened it, not as the applicant.
    """
    try:
        ct = wf.case_type_get(case_type)
    except KeyError:
        raise ValidationError(
            {"case_type": [_("没有这种办件类型：%(key)s。") % {"key": case_type}]}
        ) from None
    user = _user(actor)
    if user is None and not is_system(actor):
        raise PermissionDenied(_("请先登录。"))
    if user is not None and not is_staff_member(user) and enterprise is not None:
        if enterprise.pk not in member_enterprise_ids(user):
            raise Http404(_("没有找到该企业。"))
    title = (title or "").strip()
    errors: dict[str, list[str]] = {}
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
        cleaned = _clean_data(ct, data or {})
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
    try:
        due = add_working_days(check_date(on), ct.limit_for(cleaned))
    except DateOutOfRange:  # a date from a caller (an import, a visit's date), not today
        errors["submitted_on"] = [
            _("提交日期应在 %(min)s 至 %(max)s 之间，且办理期限不能晚于 %(max)s。")
            % {"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()}
        ]
    if errors:
        raise ValidationError(errors)

    case = Case(
        case_type=ct.key,
        state=ct.initial,
        enterprise=enterprise,
        title=title,
        data=cleaned,
        clause_id=clause_id or "",
        year=year if year is not None else (on.year if clause_id else None),
        project=project,
        amount_requested_fen=amount_requested_fen,
        submitted_on=on,
        due_on=due.date,
        due_provisional=due.provisional,
        applicant=user if record_applicant else None,
    )
    if related is not None:
        from django.contrib.contenttypes.models import ContentType

        case.related_type = ContentType.objects.get_for_model(related)
        case.related_id = str(related.pk)
    if ct.group == "policy":
        assert enterprise is not None and case.year is not None
        case.dedupe_key = _dedupe_key(
            enterprise_id=enterprise.pk, clause_id=case.clause_id, project_id=case.project_id, year=case.year
        )
        _refuse_duplicate(case)
        case.rule_result = _rule_result(case=case, on=on)
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError as exc:  # a concurrent submission of the same application won
        raise ValidationError({"clause_id": [_duplicate_message(case)]}) from exc
    CaseEvent.objects.create(
        case=case,
        action="submit",
        to_state=case.state,
        actor=user,
        actor_label=actor_label(actor),
        due_on=case.due_on,
        data={"rule_status": case.rule_result["status"]} if case.rule_result else {},
    )
    audit_record(
        actor=actor,
        action="case.submit",
        target=case,
        after={"case_type": case.case_type, "state": case.state, "title": case.title, "due_on": case.due_on},
        enterprise_id=case.enterprise_id,
    )
    state = ct.state(case.state)
    notify_applicant(
        case=case,
        message=_("您的办件「%(title)s」已提交（%(label)s），办理期限 %(due)s。")
        % {"title": case.title, "label": state.applicant_label, "due": case.due_on},
        skip=None,
    )
    return case


def _duplicate_message(case: Case) -> str:
    return _("该企业已就同一条款、项目和年度提交过申报，不能重复申报（可在原办件中补正或撤回后重新申报）。")


def _refuse_duplicate(case: Case) -> None:
    if Case.objects.filter(dedupe_key=case.dedupe_key).exists():
        raise ValidationError({"clause_id": [_duplicate_message(case)]})


# ----------------------------------------------------------------------------- transition
def _who_message(t: wf.Transition) -> str:
    who = "、".join(str(wf.RELATION_LABELS[r]) for r in sorted(t.who))
    return _("只有%(who)s可以进行“%(action)s”。") % {"who": who, "action": t.label}


@transaction.atomic
def case_transition(
    *,
    actor: Any,
    case: Case,
    action: str,
    expected_version: int,
    note: str = "",
    amount_fen: int | None = None,
    data: dict[str, Any] | None = None,
    on: dt.date | None = None,
) -> Case:
    """Move a case along one transition of its type, if the actor may and the version still matches."""
    if not is_system(actor) and _user(actor) is None:
        raise PermissionDenied(_("请先登录。"))
    require_case_read(actor, case)
    ct = wf.case_type_get(case.case_type)
    try:
        t = ct.transition(action)
    except KeyError:
        raise ValidationError(
            {"action": [_("“%(type)s”没有“%(action)s”这个操作。") % {"type": ct.label, "action": action}]}
        ) from None
    try:
        locked = (
            Case.objects.select_for_update(of=("self",))
            .select_related("enterprise", "project")
            .get(pk=case.pk)
        )
    except Case.DoesNotExist:
        raise Http404(_("没有找到该办件。")) from None
    if locked.version != expected_version:
        raise CaseConflict(_(CONFLICT_MESSAGE), code="conflict")
    if locked.state not in t.sources:
        raise ValidationError(
            {
                "action": [
                    _("办件当前状态为“%(state)s”，不能进行“%(action)s”。")
                    % {"state": ct.state(locked.state).staff_label, "action": t.label}
                ]
            },
            code="state",
        )
    if not t.who & relations(actor, locked):
        raise PermissionDenied(_who_message(t))
    note = (note or "").strip()
    if t.needs_note and not note:
        raise ValidationError({"note": [_("请填写“%(action)s”的理由或说明。") % {"action": t.label}]})
    if len(note) > 5000:
        raise ValidationError({"note": [_("说明最多5000字。")]})

    today = on or timezone.localdate()
    before = {f: getattr(locked, f) for f in _AUDIT_FIELDS}
    from_state = locked.state
    changes: list[dict[str, Any]] = []
    if data:
        _check_editable(ct, actor, data)
        old_data = dict(locked.data)
        locked.data = _clean_data(ct, {**locked.data, **data})
        changes = data_changes(ct, old_data, locked.data)
    if t.needs_amount:
        _decide_amount(locked, amount_fen, today)
        locked.decision_reasons = note
    elif t.target in {s.key for s in ct.states if s.final and s.outcome == "bad"} and note:
        locked.decision_reasons = note
    _move_clock(ct, locked, ct.state(from_state), ct.state(t.target), today)
    locked.state = t.target
    if locked.assignee_id is None and wf.CASEWORKER in relations(actor, locked):
        locked.assignee = actor
    target = ct.state(t.target)
    if target.final and target.outcome == "bad":
        locked.dedupe_key = ""  # a refused or withdrawn application may be made again
    locked.version += 1
    locked.save()
    CaseEvent.objects.create(
        case=locked,
        action=action,
        from_state=from_state,
        to_state=locked.state,
        actor=_user(actor),
        actor_label=actor_label(actor),
        note=note,
        amount_fen=amount_fen if t.needs_amount else None,
        data={**({k: v for k, v in (data or {}).items()}), **({"changes": changes} if changes else {})},
        due_on=locked.due_on,
    )
    audit_before, audit_after = dict(before), {f: getattr(locked, f) for f in _AUDIT_FIELDS}
    if changes:
        audit_before["data"] = {c["field"]: c["before"] for c in changes}
        audit_after["data"] = {c["field"]: c["after"] for c in changes}
    audit_record(
        actor=actor,
        action=f"case.{action}",
        target=locked,
        before=audit_before,
        after=audit_after,
        note=note,
        enterprise_id=locked.enterprise_id,
    )
    effects_run(
        CaseTransitioned(
            case=locked,
            case_type=locked.case_type,
            action=action,
            from_state=from_state,
            to_state=locked.state,
            outcome=target.outcome if target.final else "",
            actor=actor,
            note=note,
            at=timezone.now(),
        ),
        t.effects,
    )
    if not (wf.APPLICANT in relations(actor, locked) and len(relations(actor, locked)) == 1):
        message = _("您的办件「%(title)s」%(label)s。") % {
            "title": locked.title,
            "label": target.applicant_label,
        }
        if t.needs_amount and locked.amount_approved_fen is not None:
            message += _("核定金额 %(amount)s。") % {"amount": format_yuan(locked.amount_approved_fen)}
        if note and (t.needs_note or t.action == "request_info"):
            message += _("说明：%(note)s") % {"note": note}
        notify_applicant(case=locked, message=message)
    # Keep the caller's object in step so it can act again with the new version.
    case.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return locked


def _decide_amount(case: Case, amount_fen: int | None, today: dt.date) -> None:
    """An approval carries an amount; the rules engine is run again and its maximum is enforced."""
    if amount_fen is None or isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise ValidationError({"amount_fen": [_("请填写核定金额。")]})
    if amount_fen <= 0:
        raise ValidationError({"amount_fen": [_("核定金额必须大于0。")]})
    if case.case_type == "policy_application" and case.clause_id:
        result = _rule_result(case=case, on=today)
        case.decision_rule_result = result
        if result["status"] == "not_eligible":
            raise ValidationError(
                {
                    "amount_fen": [
                        _("按决定日的规则核算，该企业不符合条款“%(title)s”的条件，不能批准。")
                        % {"title": result["title"]}
                    ]
                }
            )
        limit = result["max_amount_fen"] if result["max_amount_fen"] is not None else result["cap_fen"]
        if limit is not None and amount_fen > limit:
            raise ValidationError(
                {
                    "amount_fen": [
                        _("核定金额 %(amount)s 超过条款“%(title)s”的上限 %(limit)s，不能批准。")
                        % {
                            "amount": format_yuan(amount_fen),
                            "title": result["title"],
                            "limit": format_yuan(limit),
                        }
                    ]
                }
            )
    case.amount_approved_fen = amount_fen


def _move_clock(ct: wf.CaseType, case: Case, source: wf.State, target: wf.State, today: dt.date) -> None:
    """Stop, restart, reset or close the working-day clock as the case changes state."""
    if source.stops_clock and case.clock_stopped_on is not None and case.due_on is not None:
        waited = max(0, working_days_between(case.clock_stopped_on, today))
        case.clock_waited_days = (case.clock_waited_days or 0) + waited
        due = add_working_days(case.due_on, waited)
        case.due_on, case.due_provisional = due.date, case.due_provisional or due.provisional
        case.clock_stopped_on = None
    if target.stops_clock:
        case.clock_stopped_on = today
    if target.limit_days is not None:
        due = add_working_days(today, target.limit_days)
        case.due_on, case.due_provisional = due.date, due.provisional
    if target.final:
        case.closed_on = today
        case.closed_on_time = case.due_on is None or today <= case.due_on
    else:
        case.closed_on = None
        case.closed_on_time = None


# ----------------------------------------------------------------------------- documents
def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB"


def document_check(*, case_type: str, filename: str, content: bytes) -> str:
    """The detected format if the file is acceptable for the case type; else a clear Chinese refusal."""
    from shouzhan.cases.files import (
        EXTENSIONS,
        FORMAT_LABELS,
        extension,
        looks_executable,
        sniff,
        structure_ok,
    )

    rule = wf.case_type_get(case_type).documents
    allowed = "、".join(FORMAT_LABELS[f] for f in sorted(rule.formats))
    if not content:
        raise ValidationError({"file": [_("文件“%(name)s”是空的，请重新选择。") % {"name": filename}]})
    if len(content) > rule.max_bytes:
        raise ValidationError(
            {
                "file": [
                    _("文件“%(name)s”过大（上限 %(max)s）。") % {"name": filename, "max": _mb(rule.max_bytes)}
                ]
            }
        )
    detected = sniff(content[:16], content)
    ext = extension(filename)
    if detected is None or detected not in rule.formats:
        raise ValidationError(
            {
                "file": [
                    _("文件“%(name)s”的内容不是允许的格式（允许：%(allowed)s）。")
                    % {"name": filename, "allowed": allowed}
                ]
            }
        )
    if looks_executable(content):
        raise ValidationError({"file": [_("文件“%(name)s”含有可执行程序，不能上传。") % {"name": filename}]})
    if ext not in EXTENSIONS[detected]:
        raise ValidationError(
            {
                "file": [
                    _("文件“%(name)s”的扩展名与内容不符：内容是 %(real)s。")
                    % {"name": filename, "real": FORMAT_LABELS[detected]}
                ]
            }
        )
    if not structure_ok(detected, content):
        raise ValidationError(
            {
                "file": [
                    _("文件“%(name)s”不是完整有效的 %(real)s 文件（已损坏或被截断），请重新导出后上传。")
                    % {"name": filename, "real": FORMAT_LABELS[detected]}
                ]
            }
        )
    return detected


@transaction.atomic
def document_upload(*, actor: Any, case: Case, name: str, filename: str, content: bytes) -> Any:
    """Store a file on a case. The same name again is a new version; earlier versions are kept."""
    import hashlib

    from django.core.files.base import ContentFile

    from shouzhan.cases.models import Document

    require_case_read(actor, case)
    mine = relations(actor, case)
    ct = wf.case_type_get(case.case_type)
    if not mine & {wf.APPLICANT, wf.CASEWORKER, wf.SYSTEM}:
        raise PermissionDenied(_("只有申请人和营商专员可以上传材料。"))
    if ct.state(case.state).final:
        raise ValidationError({"file": [_("办件已办结，不能再上传材料。")]})
    name = (name or "").strip() or _("申报材料")
    if len(name) > 100:
        raise ValidationError({"name": [_("材料名称最多100字。")]})
    filename = (filename or "file").replace("/", "_").replace("\\", "_")[-200:]
    fmt = document_check(case_type=case.case_type, filename=filename, content=content)
    Case.objects.select_for_update().filter(pk=case.pk).first()  # serialise version numbering per case
    last = Document.objects.filter(case=case, name=name).order_by("-version").first()
    doc = Document(
        case=case,
        name=name,
        version=(last.version + 1) if last else 1,
        filename=filename,
        format=fmt,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=_user(actor),
    )
    doc.file.save(f"{doc.sha256[:16]}.{fmt}", ContentFile(content), save=False)
    doc.save()
    CaseEvent.objects.create(
        case=case,
        action="upload",
        from_state=case.state,
        to_state=case.state,
        actor=_user(actor),
        actor_label=actor_label(actor),
        note=f"{name} v{doc.version}：{filename}",
        data={"document_id": doc.pk, "sha256": doc.sha256},
        due_on=case.due_on,
    )
    audit_record(
        actor=actor,
        action="case.document_upload",
        target=case,
        after={
            "document": name,
            "version": doc.version,
            "filename": filename,
            "sha256": doc.sha256,
            "size": doc.size,
        },
        enterprise_id=case.enterprise_id,
    )
    return doc


# ----------------------------------------------------------------------------- assignment
def can_assign(actor: Any) -> bool:
    """Caseworkers (and administrators) assign and reassign cases; leaders and auditors only read."""
    return not is_system(actor) and user_role(actor) in (Role.CASEWORKER, Role.ADMIN)


def assignable_users() -> list[Any]:
    """Who a case may be assigned to: active caseworkers and administrators."""
    from shouzhan.accounts.models import User

    return list(
        User.objects.filter(Q(role__in=[Role.CASEWORKER, Role.ADMIN]) | Q(is_superuser=True), is_active=True)
        .distinct()
        .order_by("name", "pk")
    )


@transaction.atomic
def case_assign(
    *, actor: Any, case: Case, assignee: Any, expected_version: int, note: str = "", on: dt.date | None = None
) -> Case:
    """Assign (指派) or reassign an open case to a caseworker; `assignee=None` puts it back as unassigned.

    The assignee is the one reminded before the deadline and alerted when it passes. Until someone is
    assigned, the first caseworker who acts on the case becomes the assignee.
    """
    if _user(actor) is None:
        raise PermissionDenied(_("请先登录。"))
    require_case_read(actor, case)
    if not can_assign(actor):
        raise PermissionDenied(_("只有营商专员可以指派办件。"))
    if assignee is not None and user_role(assignee) not in (Role.CASEWORKER, Role.ADMIN):
        raise ValidationError({"assignee": [_("只能指派给在岗的营商专员。")]})
    note = (note or "").strip()
    if len(note) > 5000:
        raise ValidationError({"note": [_("说明最多5000字。")]})
    try:
        locked = Case.objects.select_for_update(of=("self",)).select_related("assignee").get(pk=case.pk)
    except Case.DoesNotExist:
        raise Http404(_("没有找到该办件。")) from None
    if locked.version != expected_version:
        raise CaseConflict(_(CONFLICT_MESSAGE), code="conflict")
    ct = wf.case_type_get(locked.case_type)
    if ct.state(locked.state).final:
        raise ValidationError({"assignee": [_("办件已办结，不能再指派。")]}, code="state")
    new_id = assignee.pk if assignee is not None else None
    if locked.assignee_id == new_id:
        raise ValidationError({"assignee": [_("该办件已由这位专员承办。")]})
    old = locked.assignee
    before = {"assignee_id": locked.assignee_id, "assignee": actor_label(old) if old else ""}
    locked.assignee = assignee
    locked.reminded_for = None  # the new assignee gets the reminder for the current deadline
    locked.overdue_alerted_for = None
    locked.version += 1
    locked.save()
    after = {"assignee_id": new_id, "assignee": actor_label(assignee) if assignee else ""}
    CaseEvent.objects.create(
        case=locked,
        action="assign",
        from_state=locked.state,
        to_state=locked.state,
        actor=_user(actor),
        actor_label=actor_label(actor),
        note=note,
        data={"from": before, "to": after},
        due_on=locked.due_on,
    )
    audit_record(
        actor=actor,
        action="case.assign",
        target=locked,
        before=before,
        after=after,
        note=note,
        enterprise_id=locked.enterprise_id,
    )
    if assignee is not None and assignee.pk != actor.pk:
        message = _("%(who)s 将办件「%(title)s」指派给您，办理期限 %(due)s。") % {
            "who": actor_label(actor),
            "title": locked.title,
            "due": locked.due_on or "—",
        }
        if note:
            message += _("说明：%(note)s") % {"note": note}
        notify_user(user=assignee, case=locked, message=message, kind="assign")
    case.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return locked


# ----------------------------------------------------------------------------- resubmission
@transaction.atomic
def case_resubmit(
    *,
    actor: Any,
    case: Case,
    expected_version: int,
    data: dict[str, Any] | None = None,
    note: str = "",
    documents: Sequence[tuple[str, str, bytes]] = (),
    action: str = "resubmit",
    on: dt.date | None = None,
) -> Case:
    """Answer a request for more information: changed fields, new documents, then resubmit — all or nothing.

    The fields are checked exactly as at submission; each document as any upload. The history records
    every changed field with its value before and after; the staff page highlights them.
    """
    ct = wf.case_type_get(case.case_type)
    try:
        t = ct.transition(action)
    except KeyError:
        raise ValidationError({"action": [_("这个办件不能补正后重新提交。")]}) from None
    if not t.edits_data:
        raise ValidationError({"action": [_("“%(action)s”不能修改申请内容。") % {"action": t.label}]})
    # Check everything that can be checked before a file is stored.
    require_case_read(actor, case)
    if case.version != expected_version:
        raise CaseConflict(_(CONFLICT_MESSAGE), code="conflict")
    if not t.who & relations(actor, case):
        raise PermissionDenied(_who_message(t))
    if data:
        _check_editable(ct, actor, data)
        _clean_data(ct, {**case.data, **data})
    for _name, filename, content in documents:
        document_check(case_type=case.case_type, filename=filename, content=content)
    for name, filename, content in documents:
        document_upload(actor=actor, case=case, name=name, filename=filename, content=content)
    return case_transition(
        actor=actor, case=case, action=action, expected_version=expected_version, note=note, data=data, on=on
    )


# ----------------------------------------------------------------------------- tickets from the staff side
def can_open_ticket(actor: Any) -> bool:
    return can_assign(actor)


def ticket_open(
    *,
    actor: Any,
    enterprise: Any = None,
    title: str = "",
    data: dict[str, Any],
    assignee: Any = None,
    related: Model | None = None,
    submitted_on: dt.date | None = None,
) -> Case:
    """A caseworker opens a ticket (工单) for a complaint or a need heard on a visit (急难愁盼).

    The enterprise is optional (a ticket may be about a place). The urgency chooses the time limit;
    the enterprise, if any, sees the ticket in 我的办件. The reporter's contact stays with the staff.
    """
    if not can_open_ticket(actor):
        raise PermissionDenied(_("只有营商专员可以登记工单。"))
    with transaction.atomic():
        ct = wf.case_type_get("ticket")
        cleaned = _clean_data(ct, data or {})
        title = (title or "").strip()
        if not title:
            category = ct.field("category").display(cleaned.get("category")) or _("工单")
            need = " ".join(str(cleaned.get("need", "")).split())
            title = f"{category}：{need[:40]}{'…' if len(need) > 40 else ''}"
        case = case_submit(
            actor=actor,
            case_type=ct.key,
            enterprise=enterprise,
            title=title,
            data=cleaned,
            related=related,
            submitted_on=submitted_on,
            record_applicant=False,
        )
        if assignee is not None:
            case = case_assign(actor=actor, case=case, assignee=assignee, expected_version=case.version)
        return case


# ----------------------------------------------------------------------------- deadlines (the worker)
def _staff_to_alert(case: Case) -> list[Any]:
    from shouzhan.accounts.models import User

    if case.assignee_id is not None and case.assignee is not None and case.assignee.is_active:
        return [case.assignee]
    return list(User.objects.filter(role=Role.CASEWORKER, is_active=True))


def case_deadlines_notify(*, actor: Any = "system:worker", today: dt.date | None = None) -> dict[str, int]:
    """Remind the caseworker one working day before a deadline and alert when it has passed.

    Idempotent: each due date is reminded and alerted once (a moved due date is a new one).
    """
    from shouzhan.cases.selectors import case_clock, case_queue

    today = today or timezone.localdate()
    counts = {"reminded": 0, "alerted": 0}
    for case in case_queue(actor=actor).filter(clock_stopped_on__isnull=True, due_on__isnull=False):
        clock = case_clock(case, today=today)
        with transaction.atomic():
            locked = Case.objects.select_for_update().get(pk=case.pk)
            if clock.status == "overdue" and locked.overdue_alerted_for != locked.due_on:
                message = _("办件「%(title)s」已超过办理期限 %(due)s，请尽快处理。") % {
                    "title": locked.title,
                    "due": locked.due_on,
                }
                for user in _staff_to_alert(locked):
                    notify_user(user=user, case=locked, message=message, kind="overdue")
                Case.objects.filter(pk=locked.pk).update(overdue_alerted_for=locked.due_on)
                audit_record(
                    actor=actor,
                    action="case.overdue_alert",
                    target=locked,
                    note=message,
                    enterprise_id=locked.enterprise_id,
                )
                counts["alerted"] += 1
            elif clock.status in ("today", "soon") and locked.reminded_for != locked.due_on:
                message = _("办件「%(title)s」将于 %(due)s 到期（%(left)s）。") % {
                    "title": locked.title,
                    "due": locked.due_on,
                    "left": clock.label,
                }
                for user in _staff_to_alert(locked):
                    notify_user(user=user, case=locked, message=message, kind="reminder")
                Case.objects.filter(pk=locked.pk).update(reminded_for=locked.due_on)
                audit_record(
                    actor=actor,
                    action="case.deadline_reminder",
                    target=locked,
                    note=message,
                    enterprise_id=locked.enterprise_id,
                )
                counts["reminded"] += 1
    return counts


@transaction.atomic
def notification_mark_read(*, actor: Any, pk: int | None = None) -> int:
    """Mark one (or all) of the actor's notifications as read."""
    if _user(actor) is None:
        raise PermissionDenied(_("请先登录。"))
    notes = Notification.objects.filter(user=actor, read_at__isnull=True)
    if pk is not None:
        notes = notes.filter(pk=pk)
    return notes.update(read_at=timezone.now())
