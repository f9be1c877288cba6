"""Offers follow the register and the catalogue as they change.

* A published policy version queues a full push run (after the publication commits), unless one is
  queued already (loading a catalogue of several documents makes one run, not one each).
* An enterprise whose profile or project is saved is re-evaluated on its own, after the commit — once
  per enterprise and transaction, and not again when the service that saved it re-evaluated already
  (a prompt's answer). So is the employer of a person whose talent record, title or certificate is saved
  (their person offers). Nothing happens before the first full push run: until then offers are not in use.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save


def _offers_live() -> bool:
    from shouzhan.offers.models import PushRun

    return PushRun.objects.filter(status=PushRun.Status.DONE, scope=PushRun.Scope.FULL).exists()


def on_version_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    from shouzhan.policies.models import PolicyVersion

    if instance.status != PolicyVersion.Status.PUBLISHED or kwargs.get("raw"):
        return

    def start() -> None:
        from shouzhan.offers.models import PushRun
        from shouzhan.offers.services import PUSHER, push_run_start

        if PushRun.objects.filter(status=PushRun.Status.QUEUED, scope=PushRun.Scope.FULL).exists():
            return  # a full run not yet started reads the catalogue in force when it starts: one is enough
        push_run_start(actor=PUSHER, trigger=PushRun.Trigger.PUBLISH, policy_version_id=instance.pk)

    transaction.on_commit(start)


def _pending(enterprise_id: int) -> Any:
    """This transaction's re-evaluation of the enterprise waiting for the commit, if any (Django keeps
    the callbacks on the connection and drops them on a rollback, so nothing outlives its transaction)."""
    for _savepoints, func, _robust in transaction.get_connection().run_on_commit:
        if getattr(func, "offers_enterprise", None) == enterprise_id:
            return func
    return None


def reevaluation_skip(enterprise_id: int) -> None:
    """The caller re-evaluated the enterprise itself after its last change (a prompt's answer): the
    re-evaluation waiting for the commit has nothing left to do."""
    func = _pending(enterprise_id)
    if func is not None:
        func.skip = True


def _reevaluate_after_commit(enterprise_id: int) -> None:
    if _pending(enterprise_id) is not None:
        return  # once per enterprise and transaction

    def run() -> None:
        from shouzhan.offers.services import enterprise_reevaluate

        if not getattr(run, "skip", False) and _offers_live():
            enterprise_reevaluate(enterprise_id=enterprise_id)

    run.offers_enterprise = enterprise_id  # type: ignore[attr-defined]
    transaction.on_commit(run)


def on_enterprise_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        _reevaluate_after_commit(instance.pk)


def on_project_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        _reevaluate_after_commit(instance.enterprise_id)


def on_talent_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A talent record (or a title, a certificate on it) saved: its person's offers are re-evaluated with
    their employer's (a person's clauses are decided in the employer's run)."""
    from shouzhan.registry.talent.facts import person_employer

    if kwargs.get("raw"):
        return
    record = getattr(instance, "record", instance)
    employer = person_employer(record.person)
    if employer is not None:
        _reevaluate_after_commit(employer.pk)


def on_case_opened(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    """A talent case opened for a person answers their open offers of what it delivers (in the same
    transaction: the case and the offers' answer commit together)."""
    if not created or kwargs.get("raw") or not instance.case_type.startswith("talent."):
        return
    from shouzhan.offers.services.people import person_offers_answer_with

    person_offers_answer_with(case=instance)


def connect() -> None:
    from shouzhan.policies.models import PolicyVersion
    from shouzhan.registry.models import Enterprise, Project

    post_save.connect(on_version_saved, sender=PolicyVersion, dispatch_uid="offers.version_saved")
    post_save.connect(on_enterprise_saved, sender=Enterprise, dispatch_uid="offers.enterprise_saved")
    post_save.connect(on_project_saved, sender=Project, dispatch_uid="offers.project_saved")
    from shouzhan.cases.models import Case
    from shouzhan.registry.talent.models import SkillCertificate, TalentRecord, TalentTitle

    post_save.connect(on_case_opened, sender=Case, dispatch_uid="offers.case_opened")
    for model in (TalentRecord, TalentTitle, SkillCertificate):
        post_save.connect(on_talent_saved, sender=model, dispatch_uid=f"offers.talent_saved.{model.__name__}")
