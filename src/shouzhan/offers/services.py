"""Writes of offers: push runs (start, run, recover), an enterprise's answers (confirm, decline, answer a
prompt), expiry, and the exclusion list. Each checks the actor here and records its own audit entry.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor, actor_user, is_system, system_actor
from shouzhan.core.audit import audit_record
from shouzhan.core.limits import SHORT_TEXT, check_length
from shouzhan.core.notifications import notify
from shouzhan.offers import audit_actions as A
from shouzhan.offers import engine, permissions
from shouzhan.offers.models import Exclusion, Offer, PushRun
from shouzhan.offers.reconcile import Plan, reconcile
from shouzhan.offers.register import Scope, cases_read, excluded_read, register_read

PUSHER = system_actor("offers")  # the audit trail's actor of runs nobody started by hand
CONTACT_MAX = 120
REASON_MAX = 500


def _required_text(value: str, *, field: str, limit: int, missing: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: [missing]})
    check_length(field=field, text=text, limit=limit)
    return text


# Enterprises whose offers this thread has just re-evaluated inside the current transaction: the
# receiver that would re-evaluate them again when it commits leaves them alone (receivers.py).
_fresh = threading.local()


def fresh_enterprises() -> set[int]:
    if not hasattr(_fresh, "ids"):
        _fresh.ids = set()
    ids: set[int] = _fresh.ids
    return ids


# ----------------------------------------------------------------------------- starting a run
@transaction.atomic
def push_run_start(
    *,
    actor: Actor,
    trigger: str = PushRun.Trigger.MANUAL,
    engine_name: str = PushRun.Engine.POLARS,
    scope: str = PushRun.Scope.FULL,
    on: dt.date | None = None,
    policy_version_id: int | None = None,
) -> PushRun:
    """Queue a run over the register for the background worker (its task row is written in the same
    transaction: the run and its task exist together or not at all)."""
    if not is_system(actor):
        permissions.require_operator(actor)
    if engine_name not in PushRun.Engine.values:
        raise ValidationError({"engine": _("没有这种计算引擎。")})
    if scope not in (PushRun.Scope.FULL, PushRun.Scope.CHANGED):
        raise ValidationError({"scope": _("没有这种推送范围。")})
    run = PushRun.objects.create(
        trigger=trigger,
        engine=engine_name,
        scope=scope,
        on=on or timezone.localdate(),
        started_by=actor_user(actor),
        policy_version_id=policy_version_id,
    )
    audit_record(
        actor=actor,
        action=A.RUN_START,
        target=run,
        after={"trigger": trigger, "engine": engine_name, "scope": scope, "on": run.on.isoformat()},
    )
    _enqueue(run)
    return run


def _enqueue(run: PushRun) -> None:
    from shouzhan.offers.tasks import push_run_task

    result = push_run_task.enqueue(run.pk)
    PushRun.objects.filter(pk=run.pk).update(task_id=str(result.id))


# ----------------------------------------------------------------------------- running it
class _RunSuperseded(Exception):
    """This run no longer owns its row (its lease ran out and it was queued again): stop."""


@dataclass
class _Progress:
    run: PushRun
    token: str

    def __call__(self, **fields: Any) -> None:
        """Commit progress and a heartbeat (outside the write transaction, so the page sees it)."""
        owned = PushRun.objects.filter(pk=self.run.pk, status=PushRun.Status.RUNNING, run_token=self.token)
        if not owned.update(heartbeat_at=timezone.now(), **fields):
            raise _RunSuperseded


def push_run_execute(*, run_id: int) -> PushRun:
    """Run a queued run (the worker calls this). One conditional UPDATE decides which worker owns it;
    a run that is not queued is left alone."""
    token = uuid.uuid4().hex
    claimed = PushRun.objects.filter(pk=run_id, status=PushRun.Status.QUEUED).update(
        status=PushRun.Status.RUNNING, run_token=token, heartbeat_at=timezone.now(), started_at=timezone.now()
    )
    run = PushRun.objects.get(pk=run_id)
    if not claimed:
        return run
    try:
        _work(run, _Progress(run, token))
    except _RunSuperseded:
        pass
    except Exception as exc:
        _finish_failed(run, token, exc)
        raise
    run.refresh_from_db()
    return run


def enterprise_reevaluate(
    *, enterprise_id: int, trigger: str = PushRun.Trigger.PROFILE, mark_fresh: bool = False
) -> PushRun:
    """Re-evaluate one enterprise's offers at once (its profile or a project changed, a prompt was
    answered, an exclusion ended): a small run of its own, done before this returns. `mark_fresh` tells
    the receiver that would do it again after the caller's commit that it need not."""
    token = uuid.uuid4().hex
    now = timezone.now()
    run = PushRun.objects.create(
        trigger=trigger,
        scope=PushRun.Scope.ENTERPRISE,
        enterprise_id=enterprise_id,
        on=timezone.localdate(),
        status=PushRun.Status.RUNNING,
        run_token=token,
        started_at=now,
        heartbeat_at=now,
    )
    _work(run, _Progress(run, token))
    if mark_fresh:
        fresh_enterprises().add(enterprise_id)
    run.refresh_from_db()
    return run


def push_run_scheduled(*, on: dt.date | None = None) -> PushRun | None:
    """The daily run: over the enterprises changed since the last run, or all of them when the catalogue
    in force is not the one the last run used (or there was none). Nothing while a run is waiting."""
    from shouzhan.policies.selectors import versions_in_force

    on = on or timezone.localdate()
    if (
        PushRun.objects.filter(status__in=[PushRun.Status.QUEUED, PushRun.Status.RUNNING])
        .exclude(scope=PushRun.Scope.ENTERPRISE)
        .exists()
    ):
        return None
    catalogue = sorted(v.pk for v in versions_in_force(on=on))
    last = (
        PushRun.objects.filter(status=PushRun.Status.DONE, scope__in=["full", "changed"])
        .order_by("-started_at")
        .first()
    )
    scope = PushRun.Scope.CHANGED if last is not None and last.catalogue == catalogue else PushRun.Scope.FULL
    return push_run_start(actor=PUSHER, trigger=PushRun.Trigger.SCHEDULE, scope=scope, on=on)


def _scope(run: PushRun) -> Scope:
    if run.scope == PushRun.Scope.ENTERPRISE:
        assert run.enterprise_id is not None
        return Scope(enterprise_ids=[run.enterprise_id])
    if run.scope == PushRun.Scope.CHANGED:
        last = (
            PushRun.objects.filter(
                status=PushRun.Status.DONE, scope__in=["full", "changed"], catalogue=run.catalogue
            )
            .exclude(pk=run.pk)
            .order_by("-started_at")
            .first()
        )
        if last is not None and last.started_at is not None:
            return Scope(changed_since=last.started_at)
    return Scope()


def _work(run: PushRun, progress: _Progress) -> None:
    from shouzhan.policies.selectors import catalogue_in_force, versions_in_force

    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(timings.get(name, 0.0) + now - clock, 3)
        clock = now

    on = run.on
    versions = versions_in_force(on=on)
    catalogue = catalogue_in_force(on=on)
    run.catalogue = sorted(v.pk for v in versions)
    progress(phase="read", catalogue=run.catalogue)
    scope = _scope(run)
    register = register_read(scope)
    history = engine.History(cases=cases_read(scope), excluded=excluded_read(on=on))
    total = register.enterprises.height + register.projects.height
    progress(
        subjects_total=total,
        enterprises=register.enterprises.height,
        broken_rows=register.broken[:200],
        phase="compute",
    )
    lap("read")
    evaluation = _evaluate_in_chunks(
        run, catalogue, {v.document.code: v.pk for v in versions}, register, history, progress
    )
    lap("compute")
    progress(phase="write", clause_stats=evaluation.clause_stats)
    with transaction.atomic():
        plan = reconcile(new=evaluation.results, scope=scope, run_id=run.pk, on=on, now=timezone.now())
        lap("reconcile_write")
        _finish_done(run, progress, plan, timings)
    lap("finish")
    PushRun.objects.filter(pk=run.pk).update(timings=timings)
    _tell_enterprises(run, plan)


def _evaluate_in_chunks(
    run: PushRun,
    catalogue: Any,
    versions: dict[str, int],
    register: Any,
    history: engine.History,
    progress: _Progress,
) -> engine.Evaluation:
    """Evaluate PUSH_CHUNK enterprises (with their projects) at a time, committing progress after each."""
    from shouzhan.offers.register import Register

    chunk = settings.PUSH_CHUNK
    enterprises, projects = register.enterprises, register.projects
    parts: list[pl.DataFrame] = []
    stats: dict[str, dict[str, int]] = {}
    done = 0
    for start in range(0, max(enterprises.height, 1), chunk):
        part = enterprises.slice(start, chunk)
        if part.height:
            low, high = part.get_column("id").min(), part.get_column("id").max()
            mine = projects.filter(pl.col("enterprise_id").is_between(low, high))
        else:
            mine = projects.clear()
        evaluation = engine.evaluate(
            catalogue=catalogue,
            versions=versions,
            register=Register(enterprises=part, projects=mine),
            history=history,
            on=run.on,
            engine=run.engine,
        )
        parts.append(evaluation.results)
        for clause, counts in evaluation.clause_stats.items():
            mine_stats = stats.setdefault(clause, dict.fromkeys(counts, 0))
            for k, v in counts.items():
                mine_stats[k] += v
        done += part.height + mine.height
        progress(subjects_done=done)
    results = pl.concat(parts) if parts else pl.DataFrame(schema=engine.RESULT_SCHEMA)
    return engine.Evaluation(results=results, clause_stats=stats, subjects=done)


def _finish_done(run: PushRun, progress: _Progress, plan: Plan, timings: dict[str, float]) -> None:
    progress(
        status=PushRun.Status.DONE,
        phase="",
        finished_at=timezone.now(),
        run_token="",
        offers_new=plan.new,
        offers_changed=plan.changed,
        offers_withdrawn=plan.withdraw.height,
        offers_kept=plan.kept,
    )
    if run.scope == PushRun.Scope.ENTERPRISE and not (plan.new or plan.changed or plan.withdraw.height):
        return  # a re-evaluation that changed nothing is not worth an audit entry (its run row stays)
    audit_record(
        actor=run.started_by or PUSHER,
        action=A.RUN_FINISH,
        target=run,
        after={
            "new": plan.new,
            "changed": plan.changed,
            "withdrawn": plan.withdraw.height,
            "kept": plan.kept,
            "scope": run.scope,
        },
        enterprise_id=run.enterprise_id,
    )


def _finish_failed(run: PushRun, token: str, exc: Exception) -> None:
    reason = (
        "；".join(exc.messages) if isinstance(exc, ValidationError) else _("推送时发生内部错误，已记录。")
    )
    with transaction.atomic():
        owned = PushRun.objects.filter(pk=run.pk, status=PushRun.Status.RUNNING, run_token=token)
        if owned.update(
            status=PushRun.Status.FAILED, finished_at=timezone.now(), run_token="", error=reason[:500]
        ):
            audit_record(
                actor=run.started_by or PUSHER, action=A.RUN_FAIL, target=run, after={"error": reason}
            )


def _tell_enterprises(run: PushRun, plan: Plan) -> None:
    """Each enterprise with new offers or prompts is told once, in the site (and e-mail/SMS when set up)."""
    from shouzhan.accounts.models import User

    if not plan.inserts.height:
        return
    counts = plan.inserts.group_by("enterprise_id").agg(
        (pl.col("state") == "offered").sum().alias("offers"),
        (pl.col("state") == "prompt").sum().alias("prompts"),
    )
    by_enterprise = {e: (o, p) for e, o, p in counts.iter_rows()}
    members = (
        User.objects.filter(memberships__organisation__enterprise__in=list(by_enterprise), is_active=True)
        .values_list("pk", "memberships__organisation__enterprise")
        .distinct()
    )
    users: dict[int, list[int]] = {}
    for user_id, enterprise_id in members:
        users.setdefault(enterprise_id, []).append(user_id)
    people = User.objects.in_bulk([u for ids in users.values() for u in ids])
    for enterprise_id, user_ids in users.items():
        offers, prompts = by_enterprise[enterprise_id]
        parts = []
        if offers:
            parts.append(_("%(n)d 项政策可直接确认申领") % {"n": offers})
        if prompts:
            parts.append(_("%(n)d 项政策补充信息后即可判断") % {"n": prompts})
        notify(
            users=[people[u] for u in user_ids],
            message=_("政策直达：") + "，".join(parts) + "。",
            kind="offer",
            url=f"/offers/?enterprise={enterprise_id}",
            subject=_("政策直达"),
        )


# ----------------------------------------------------------------------------- recovering dead runs
def push_runs_recover() -> list[PushRun]:
    """Runs whose worker died (silent for longer than the lease) are queued again — their writes are
    one transaction, so nothing of theirs was written — or failed after PUSH_RUN_MAX_RUNS tries. Safe
    to call from anywhere at any time (every push task and the run page do)."""
    silent = Q(heartbeat_at__lt=timezone.now() - dt.timedelta(seconds=settings.PUSH_RUN_LEASE_SECONDS)) | Q(
        heartbeat_at__isnull=True
    )
    taken = []
    for run in PushRun.objects.filter(silent, status=PushRun.Status.RUNNING):
        lost = run.interruptions + 1
        won = PushRun.objects.filter(
            silent, pk=run.pk, status=PushRun.Status.RUNNING, run_token=run.run_token
        )
        with transaction.atomic():
            if run.scope == PushRun.Scope.ENTERPRISE or lost >= settings.PUSH_RUN_MAX_RUNS:
                fields: dict[str, Any] = {
                    "status": PushRun.Status.FAILED,
                    "error": _("后台推送进程意外中断，已停止；下一次推送会重新评估全部企业。"),
                    "finished_at": timezone.now(),
                }
            else:
                fields = {"status": PushRun.Status.QUEUED, "phase": "", "subjects_done": 0}
            if not won.update(run_token="", interruptions=lost, **fields):
                continue
            audit_record(
                actor=PUSHER,
                action=A.RUN_RESUME if fields["status"] == PushRun.Status.QUEUED else A.RUN_FAIL,
                target=run,
                after={"status": fields["status"], "interruptions": lost},
            )
            if fields["status"] == PushRun.Status.QUEUED:
                _enqueue(run)
        run.refresh_from_db()
        taken.append(run)
    return taken


# ----------------------------------------------------------------------------- the enterprise's answers
def _locked(offer: Offer) -> Offer:
    return Offer.objects.select_for_update().select_related("enterprise", "project").get(pk=offer.pk)


def _refuse_closed(offer: Offer, today: dt.date) -> None:
    """A clear refusal for an offer that cannot be answered any more."""
    if offer.state == Offer.State.WITHDRAWN:
        cause = Offer.Cause(offer.withdraw_cause).label if offer.withdraw_cause else ""
        raise ValidationError(
            _("该推送已撤回，不能再确认或放弃。") + (f"（{cause}）" if cause else ""), code="closed"
        )
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
    _refuse_closed(offer, today)
    if offer.state == Offer.State.PROMPT:
        raise ValidationError(_("请先补充所需信息，系统判断符合条件后才能确认。"), code="prompt")
    if offer.state != Offer.State.OFFERED:
        raise ValidationError(
            _("该推送当前状态为“%(s)s”，不能确认。") % {"s": offer.get_state_display()}, code="closed"
        )
    errors: dict[str, list[str]] = {}
    try:
        contact = _required_text(
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
        title=_("政策直达：%(title)s") % {"title": clause.title or clause.id},
        data={"summary": _("企业确认政策直达推送；联系人：%(c)s") % {"c": contact}},
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
    reason = _required_text(reason, field="reason", limit=REASON_MAX, missing=_("请说明放弃的原因。"))
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
    from shouzhan.rules.vocabulary import FACTS, fact_label

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


# ----------------------------------------------------------------------------- exclusions
@transaction.atomic
def exclusion_add(
    *,
    actor: Actor,
    enterprise_id: int,
    reason: str,
    source: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
) -> Exclusion:
    """Put an enterprise on the exclusion list: its open offers are withdrawn now, and no run offers it
    anything while the exclusion is valid."""
    from shouzhan.registry.models import Enterprise

    permissions.require_operator(actor)
    errors: dict[str, list[str]] = {}
    if not Enterprise.objects.filter(pk=enterprise_id).exists():
        errors["enterprise"] = [_("没有找到该企业。")]
    reason, source = (reason or "").strip(), (source or "").strip()
    if not reason or len(reason) > SHORT_TEXT:
        errors["reason"] = [_("请填写原因（最多200字）。")]
    if not source or len(source) > SHORT_TEXT:
        errors["source"] = [_("请填写来源，例如信用信息平台的认定文书（最多200字）。")]
    if valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = [_("失效日期不能早于生效日期。")]
    if errors:
        raise ValidationError(errors)
    exclusion = Exclusion.objects.create(
        enterprise_id=enterprise_id,
        reason=reason,
        source=source,
        valid_from=valid_from,
        valid_to=valid_to,
        created_by=actor_user(actor),
    )
    withdrawn = 0
    if valid_from <= timezone.localdate() and (valid_to is None or valid_to >= timezone.localdate()):
        withdrawn = Offer.objects.filter(
            enterprise_id=enterprise_id, current=True, state__in=Offer.OPEN
        ).update(state=Offer.State.WITHDRAWN, withdraw_cause=Offer.Cause.EXCLUDED, updated_at=timezone.now())
    audit_record(
        actor=actor,
        action=A.EXCLUSION_ADD,
        target=exclusion,
        after={
            "reason": reason,
            "source": source,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "offers_withdrawn": withdrawn,
        },
        enterprise_id=enterprise_id,
    )
    return exclusion


@transaction.atomic
def exclusion_revoke(*, actor: Actor, exclusion: Exclusion, reason: str) -> Exclusion:
    """End an exclusion early; the enterprise is re-evaluated at once."""
    permissions.require_operator(actor)
    exclusion = Exclusion.objects.select_for_update().get(pk=exclusion.pk)
    if exclusion.revoked_at is not None:
        return exclusion
    reason = _required_text(reason, field="reason", limit=SHORT_TEXT, missing=_("请填写解除原因。"))
    exclusion.revoked_at, exclusion.revoked_by, exclusion.revoke_reason = (
        timezone.now(),
        actor_user(actor),
        reason,
    )
    exclusion.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    audit_record(
        actor=actor,
        action=A.EXCLUSION_REVOKE,
        target=exclusion,
        after={"revoked": True, "reason": reason},
        enterprise_id=exclusion.enterprise_id,
    )
    transaction.on_commit(lambda: enterprise_reevaluate(enterprise_id=exclusion.enterprise_id))
    return exclusion
