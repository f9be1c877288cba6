"""The policy catalogue in the database: one document per rule file, every version kept.

A version's YAML text is the rule (parsed by `shouzhan.rules`); a published version is in
force from its effective date until the next published version's effective date. Drafts
are readable, diffable and publishable; nothing is ever overwritten.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PolicyDocument(models.Model):
    code = models.SlugField(_("编号"), max_length=40, unique=True)  # the rule file's policy.id, e.g. "hu8"
    title = models.CharField(_("标题"), max_length=255)
    short_title = models.CharField(_("简称"), max_length=100, blank=True)
    issuer = models.CharField(_("发文机关"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        ordering = ["code"]
        verbose_name = _("政策文件")
        verbose_name_plural = _("政策文件")

    def __str__(self) -> str:
        return self.short_title or self.title


class PolicyVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已撤回")

    document = models.ForeignKey(
        PolicyDocument, on_delete=models.PROTECT, related_name="versions", verbose_name=_("政策文件")
    )
    number = models.PositiveIntegerField(_("版本号"))
    text = models.TextField(_("规则文件"))
    filename = models.CharField(_("文件名"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    effective_from = models.DateField(_("生效日期"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("政策版本")
        verbose_name_plural = _("政策版本")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="policy_version_number_unique"),
            # Two published versions of one document never take effect on the same day.
            models.UniqueConstraint(
                fields=["document", "effective_from"],
                condition=Q(status="published"),
                name="policy_version_one_per_effective_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(effective_from__isnull=False),
                name="policy_version_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"
