"""Core data: the calendar's administrator overrides and the append-only audit trail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkdayOverride(models.Model):
    """An administrator's correction of one day: a working day or a day off."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '休息'}"


class ConfirmedYear(models.Model):
    """A year whose holidays an administrator has entered completely as overrides.

    Until the calendar package knows a year, deadlines in it are provisional; once
    the State Council publishes the year's arrangement an administrator can enter it
    and confirm the year, and deadlines in it stop being provisional.
    """

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("已确认年份")
        verbose_name_plural = _("已确认年份")

    def __str__(self) -> str:
        return str(self.year)


class AuditEntry(models.Model):
    """Who did what, when, and the before/after of what changed.

    Append-only: the model refuses updates and deletes, and a database trigger
    (migrations 0002 and 0004) refuses them too, on SQLite and PostgreSQL alike.

    Hash-chained (see `shouzhan.core.audit_chain`): once chained, an entry carries its place in
    the chain (`sequence`, 1, 2, 3 … without gaps), the hash of the entry before it and its own
    hash over its fields and that link. The only update the trigger lets through is this one-time
    chaining of an entry whose `sequence` is still empty, changing nothing else.
    """

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人名称"), max_length=150, blank=True)
    action = models.CharField(_("动作"), max_length=80, db_index=True)
    # Looked up together through the (target_type, target_id, -at) index below.
    target_type = models.CharField(_("对象类型"), max_length=80)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    target_label = models.CharField(_("对象"), max_length=255, blank=True)
    # The enterprise the record concerns, so an enterprise's own history can be shown to it.
    enterprise_id = models.BigIntegerField(_("企业编号"), null=True, blank=True, db_index=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    # The chain: empty until the entry is chained, which happens when its transaction commits.
    sequence = models.BigIntegerField(_("链序号"), null=True, blank=True, unique=True, editable=False)
    prev_hash = models.CharField(_("前一条的哈希"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("本条哈希"), max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        indexes = [
            models.Index(fields=["target_type", "target_id", "-at"]),
            # The entries still waiting to be chained: normally none, so the index stays tiny.
            models.Index(
                fields=["id"], condition=models.Q(sequence__isnull=True), name="core_audit_unchained"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit entries are append-only")

    @property
    def changes(self) -> list[tuple[str, Any, Any]]:
        """Fields whose value differs between before and after, as (field, before, after)."""
        before = self.before if isinstance(self.before, dict) else {}
        after = self.after if isinstance(self.after, dict) else {}
        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class Notification(models.Model):
    """An in-site message to one user about one thing (a case, a booking, a grant …): every module's.

    The thing is a generic link (`target`); `url` is where the message leads (its page), so the list
    of messages needs no query per row. Written by `shouzhan.core.notifications.notify`.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    # state | assign | reminder | overdue …
    kind = models.CharField(_("类别"), max_length=20, default="state")
    message = models.CharField(_("消息"), max_length=300)
    url = models.CharField(_("链接"), max_length=300, blank=True, default="")
    target_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        indexes = [models.Index(fields=["target_type", "target_id"], name="core_notification_target")]

    def __str__(self) -> str:
        return self.message
