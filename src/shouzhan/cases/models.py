"""Cases, their history and documents — data and constraints only.

The workflow (states, transitions, limits) lives in `workflow.py` as data; the
writes in `services/`. In-site messages about a case are core's `Notification` (a generic link).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Case(models.Model):
    case_type = models.CharField(_("类型"), max_length=60, db_index=True)
    state = models.CharField(_("状态"), max_length=40, db_index=True)
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="cases",
        null=True,
        blank=True,
    )
    title = models.CharField(_("标题"), max_length=200)
    data = models.JSONField(_("申请内容"), default=dict, blank=True)
    clause_id = models.CharField(_("政策条款"), max_length=80, blank=True, default="", db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    project = models.ForeignKey(
        "registry.Project",
        verbose_name=_("项目"),
        on_delete=models.PROTECT,
        related_name="cases",
        null=True,
        blank=True,
    )
    amount_requested_fen = models.BigIntegerField(_("申请金额（分）"), null=True, blank=True)
    amount_approved_fen = models.BigIntegerField(_("核定金额（分）"), null=True, blank=True)
    # The rules engine's answer for the clause, at submission and at decision (status, max, trace).
    rule_result = models.JSONField(_("提交时规则核算"), null=True, blank=True)
    decision_rule_result = models.JSONField(_("决定时规则核算"), null=True, blank=True)
    decision_reasons = models.TextField(_("决定理由"), blank=True)

    submitted_on = models.DateField(_("提交日期"))
    due_on = models.DateField(_("办理期限"), null=True, blank=True, db_index=True)
    due_provisional = models.BooleanField(_("期限为暂定"), default=False)
    clock_stopped_on = models.DateField(_("停表日期"), null=True, blank=True)
    # Working days spent waiting for the applicant (clock stopped), summed over every request.
    clock_waited_days = models.PositiveIntegerField(_("停表工作日"), default=0)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    closed_on_time = models.BooleanField(_("按期办结"), null=True, blank=True)
    reminded_for = models.DateField(_("已提醒的期限"), null=True, blank=True)
    overdue_alerted_for = models.DateField(_("已发逾期提醒的期限"), null=True, blank=True)

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.SET_NULL,
        related_name="cases_submitted",
        null=True,
        blank=True,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办专员"),
        on_delete=models.SET_NULL,
        related_name="cases_assigned",
        null=True,
        blank=True,
    )
    related_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    related_id = models.CharField(max_length=64, blank=True, default="")
    related = GenericForeignKey("related_type", "related_id")
    # The in-site messages about the case (core's): `Notification.objects.filter(case=…)`; deleted with it.
    notifications = GenericRelation(
        "core.Notification",
        content_type_field="target_type",
        object_id_field="target_id",
        related_query_name="case",
    )
    # "enterprise:clause:project:year" while a policy application is alive; emptied when it ends
    # without support, so the same clause can be applied for again. Unique: no duplicates.
    dedupe_key = models.CharField(max_length=160, blank=True, default="")

    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=~Q(dedupe_key=""), name="cases_case_unique_application"
            ),
            models.CheckConstraint(
                condition=Q(amount_approved_fen__isnull=True) | Q(amount_approved_fen__gte=0),
                name="cases_case_amount_approved_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(amount_requested_fen__isnull=True) | Q(amount_requested_fen__gte=0),
                name="cases_case_amount_requested_nonneg",
            ),
        ]
        indexes = [models.Index(fields=["related_type", "related_id"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        """The number printed on notices: year of submission and id."""
        return f"SZ{self.submitted_on:%Y}-{self.pk or 0:06d}"


class CaseEvent(models.Model):
    """One step in a case's history (submission, each transition, each upload)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("动作"), max_length=40)
    from_state = models.CharField(_("原状态"), max_length=40, blank=True)
    to_state = models.CharField(_("新状态"), max_length=40, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)
    note = models.TextField(_("说明"), blank=True)
    amount_fen = models.BigIntegerField(_("金额（分）"), null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    due_on = models.DateField(_("之后的期限"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


def _upload_to(instance: Document, filename: str) -> str:
    # Stored under a random-free, predictable path by case and hash; the original name is kept in the row.
    return f"cases/{instance.case_id}/{instance.sha256[:16]}-{instance.version}.{instance.format}"


class Document(models.Model):
    """An uploaded file. A new upload under the same name is a new version; old versions stay."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(_("材料名称"), max_length=100)
    version = models.PositiveIntegerField(_("版本"), default=1)
    filename = models.CharField(_("文件名"), max_length=255)
    format = models.CharField(_("格式"), max_length=10)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file = models.FileField(upload_to=_upload_to, max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "name", "version"], name="cases_document_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"
