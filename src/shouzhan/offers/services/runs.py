"""Push runs: start one (queued for the worker), run it, re-evaluate one enterprise at once, the daily
run, and taking up runs whose worker died."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shouzhan.core.actors import Actor, actor_user, is_system
from shouzhan.core.audit import audit_record
from shouzhan.core.notifications import notify
from shouzhan.offers import audit_actions as A
from shouzhan.offers import engine, permissions
from shouzhan.offers.models import PushRun
from shouzhan.offers.reconcile import Plan, reconcile
from shouzhan.offers.register import Scope, cases_read, excluded_read, people_read, register_read
from shouzhan.offers.services.common import PUSHER


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
        from shouzhan.offers.receivers import reevaluation_skip

        reevaluation_skip(enterprise_id)
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
    register.people = people_read(register.enterprises.get_column("id").to_list(), on=on)
    history = engine.History(cases=cases_read(scope), excluded=excluded_read(on=on))
    total = register.enterprises.height + register.projects.height + register.people.height
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
        plan = reconcile(
            new=evaluation.results,
            scope=scope,
            run_id=run.pk,
            on=on,
            now=timezone.now(),
            people=register.people.get_column("id").to_list(),
        )
        lap("write")
        timings.update({k: round(v, 3) for k, v in plan.seconds.items()})
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
    enterprises, projects, people = register.enterprises, register.projects, register.people
    parts: list[pl.DataFrame] = []
    stats: dict[str, dict[str, int]] = {}
    done = 0
    for start in range(0, max(enterprises.height, 1), chunk):
        part = enterprises.slice(start, chunk)
        if part.height:
            low, high = part.get_column("id").min(), part.get_column("id").max()
            mine = projects.filter(pl.col("enterprise_id").is_between(low, high))
            staff = (
                people.filter(pl.col("enterprise_id").is_between(low, high)) if people is not None else None
            )
        else:
            mine, staff = projects.clear(), None
        evaluation = engine.evaluate(
            catalogue=catalogue,
            versions=versions,
            register=Register(enterprises=part, projects=mine, people=staff),
            history=history,
            on=run.on,
            engine=run.engine,
        )
        parts.append(evaluation.results)
        for clause, counts in evaluation.clause_stats.items():
            mine_stats = stats.setdefault(clause, dict.fromkeys(counts, 0))
            for k, v in counts.items():
                mine_stats[k] += v
        done += part.height + mine.height + (staff.height if staff is not None else 0)
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


def _new_offers_message(offers: int, prompts: int) -> str:
    """One sentence per case, so that every language can say it whole."""
    if offers and prompts:
        return _("政策直达：%(offers)d 项政策可直接确认申领，%(prompts)d 项政策补充信息后即可判断。") % {
            "offers": offers,
            "prompts": prompts,
        }
    if offers:
        return ngettext(
            "政策直达：%(n)d 项政策可直接确认申领。", "政策直达：%(n)d 项政策可直接确认申领。", offers
        ) % {"n": offers}
    return ngettext(
        "政策直达：%(n)d 项政策补充信息后即可判断。", "政策直达：%(n)d 项政策补充信息后即可判断。", prompts
    ) % {"n": prompts}


def _tell_enterprises(run: PushRun, plan: Plan) -> None:
    """Each enterprise with new offers or prompts is told once, in the site (and e-mail/SMS when set up)."""
    from shouzhan.accounts.models import User

    if not plan.inserts.height:
        return
    _tell_people(plan.inserts.filter(pl.col("person_id").is_not_null()))
    # A person's offers are the person's: their employer's members are not told of them.
    inserts = plan.inserts.filter(pl.col("person_id").is_null())
    if not inserts.height:
        return
    counts = inserts.group_by("enterprise_id").agg(
        (pl.col("state") == "offered").sum().alias("offers"),
        (pl.col("state") == "prompt").sum().alias("prompts"),
    )
    by_enterprise = {e: (o, p) for e, o, p in counts.iter_rows()}
    # Every membership of an enterprise (a few per user), matched here: a city-wide run may have new
    # offers for a million enterprises, far too many ids for one query.
    members = (
        User.objects.filter(is_active=True, memberships__organisation__enterprise__isnull=False)
        .values_list("pk", "memberships__organisation__enterprise")
        .distinct()
    )
    users: dict[int, list[int]] = {}
    for user_id, enterprise_id in members:
        if enterprise_id in by_enterprise:
            users.setdefault(enterprise_id, []).append(user_id)
    people = User.objects.in_bulk([u for ids in users.values() for u in ids])
    for enterprise_id, user_ids in users.items():
        offers, prompts = by_enterprise[enterprise_id]
        notify(
            users=[people[u] for u in user_ids],
            message=_new_offers_message(offers, prompts),
            kind="offer",
            url=f"/offers/?enterprise={enterprise_id}",
            subject=_("政策直达"),
        )


def _tell_people(inserts: pl.DataFrame) -> None:
    """Each person with an account and new offers or prompts about them is told once."""
    from shouzhan.accounts.models import User
    from shouzhan.registry.models import Person

    if not inserts.height:
        return
    counts = inserts.group_by("person_id").agg(
        (pl.col("state") == "offered").sum().alias("offers"),
        (pl.col("state") == "prompt").sum().alias("prompts"),
    )
    by_person = {p: (o, q) for p, o, q in counts.iter_rows()}
    accounts = dict(
        Person.objects.filter(pk__in=list(by_person), user__isnull=False).values_list("pk", "user_id")
    )
    users = User.objects.filter(is_active=True).in_bulk(list(accounts.values()))
    for person_id, user_id in accounts.items():
        if user_id not in users:
            continue
        offers, prompts = by_person[person_id]
        notify(
            users=[users[user_id]],
            message=_new_offers_message(offers, prompts),
            kind="offer",
            url="/offers/",
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
