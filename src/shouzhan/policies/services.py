"""Writes to the policy catalogue: upload a changed rule file, publish it with a date, sync from disk.

Every write checks the actor's role here (the one door) and records its own audit entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan import rules
from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.audit import audit_record
from shouzhan.policies import audit_actions as A
from shouzhan.policies.models import PolicyDocument, PolicyVersion
from shouzhan.policies.permissions import require_policy_editor

MAX_RULE_FILE_BYTES = 512 * 1024


def policy_text_parse(*, text: str, filename: str) -> rules.Policy:
    """Parse and check a rule file, or raise ValidationError naming file, clause, line and column."""
    if len(text.encode("utf-8")) > MAX_RULE_FILE_BYTES:
        raise ValidationError(_("规则文件过大（上限 512 KB）。"))
    try:
        return rules.load_policy(text, filename)
    except rules.RuleError as exc:
        raise ValidationError(_("规则文件有误：%(error)s") % {"error": exc}, code="rule_error") from exc


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@transaction.atomic
def policy_version_upload(*, actor: Actor, text: str, filename: str = "", note: str = "") -> PolicyVersion:
    """A policy officer uploads a changed rule file: it becomes a draft version to review and publish."""
    require_policy_editor(actor)
    policy = policy_text_parse(text=text, filename=filename or "upload.yaml")
    document, _created = PolicyDocument.objects.select_for_update().get_or_create(
        code=policy.id,
        defaults={"title": policy.title, "short_title": policy.short_title, "issuer": policy.issuer},
    )
    sha = _sha(text)
    same = document.versions.filter(sha256=sha).exclude(status=PolicyVersion.Status.WITHDRAWN).first()
    if same is not None:
        raise ValidationError(_("内容与已有的第 %(n)d 版完全相同，无需重复上传。") % {"n": same.number})
    number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PolicyVersion.objects.create(
        document=document,
        number=number,
        text=text,
        filename=filename,
        sha256=sha,
        note=note,
        uploaded_by=actor_user(actor),
    )
    audit_record(
        actor=actor,
        action=A.VERSION_UPLOAD,
        target=version,
        after={"document": document.code, "number": number, "sha256": sha, "status": version.status},
        note=note,
    )
    return version


@transaction.atomic
def policy_version_publish(*, actor: Actor, version: PolicyVersion, effective_from: dt.date) -> PolicyVersion:
    """Publish a draft: from `effective_from` on, it replaces the version in force before it."""
    require_policy_editor(actor)
    version = PolicyVersion.objects.select_for_update().select_related("document").get(pk=version.pk)
    if version.status != PolicyVersion.Status.DRAFT:
        raise ValidationError(
            _("只有草稿可以发布（当前状态：%(s)s）。") % {"s": version.get_status_display()}
        )
    latest = (
        PolicyVersion.objects.filter(document=version.document, status=PolicyVersion.Status.PUBLISHED)
        .order_by("-effective_from")
        .first()
    )
    if latest is not None and latest.effective_from and effective_from <= latest.effective_from:
        raise ValidationError(
            {
                "effective_from": _("生效日期必须晚于现行第 %(n)d 版的生效日期 %(d)s。")
                % {"n": latest.number, "d": latest.effective_from.isoformat()}
            }
        )
    policy = policy_text_parse(
        text=version.text, filename=version.filename or f"{version.document.code}.yaml"
    )
    before = {"status": version.status, "effective_from": None}
    version.status = PolicyVersion.Status.PUBLISHED
    version.effective_from = effective_from
    version.published_by = actor_user(actor)
    version.published_at = timezone.now()
    version.save()
    document = version.document
    document.title, document.short_title, document.issuer = policy.title, policy.short_title, policy.issuer
    document.save()
    audit_record(
        actor=actor,
        action=A.VERSION_PUBLISH,
        target=version,
        before=before,
        after={"status": version.status, "effective_from": effective_from.isoformat()},
    )
    return version


@transaction.atomic
def policy_version_withdraw(*, actor: Actor, version: PolicyVersion, reason: str = "") -> PolicyVersion:
    """Withdraw a draft that will not be published (published versions stay: they were law)."""
    require_policy_editor(actor)
    version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != PolicyVersion.Status.DRAFT:
        raise ValidationError(_("只有草稿可以撤回。"))
    version.status = PolicyVersion.Status.WITHDRAWN
    version.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=A.VERSION_WITHDRAW,
        target=version,
        before={"status": "draft"},
        after={"status": version.status},
        note=reason,
    )
    return version


@dataclass
class SyncReport:
    published: list[str] = field(default_factory=list)
    drafted: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@transaction.atomic
def catalogue_sync(*, actor: Actor, directory: Path) -> SyncReport:
    """Load the catalogue folder: a new document is published as of its own effective date; a changed
    file becomes a draft for the policy officer to review; an unchanged one is left alone."""
    report = SyncReport()
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise ValidationError(_("目录 %(d)s 中没有规则文件。") % {"d": directory})
    for path in files:
        text = path.read_text(encoding="utf-8")
        policy = policy_text_parse(text=text, filename=path.name)
        document = PolicyDocument.objects.filter(code=policy.id).first()
        if document is None:
            document = PolicyDocument.objects.create(
                code=policy.id, title=policy.title, short_title=policy.short_title, issuer=policy.issuer
            )
            version = PolicyVersion.objects.create(
                document=document,
                number=1,
                text=text,
                filename=path.name,
                sha256=_sha(text),
                status=PolicyVersion.Status.PUBLISHED,
                effective_from=policy.effective_from,
                published_at=timezone.now(),
                note=_("从目录载入"),
            )
            audit_record(
                actor=actor,
                action=A.VERSION_PUBLISH,
                target=version,
                after={
                    "status": "published",
                    "effective_from": policy.effective_from.isoformat(),
                    "source": path.name,
                },
                note=_("从目录载入"),
            )
            report.published.append(policy.id)
        elif document.versions.filter(sha256=_sha(text)).exists():
            report.unchanged.append(policy.id)
        else:
            number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
            version = PolicyVersion.objects.create(
                document=document,
                number=number,
                text=text,
                filename=path.name,
                sha256=_sha(text),
                note=_("从目录载入"),
            )
            audit_record(
                actor=actor,
                action=A.VERSION_UPLOAD,
                target=version,
                after={"status": "draft", "source": path.name},
            )
            report.drafted.append(policy.id)
    return report
