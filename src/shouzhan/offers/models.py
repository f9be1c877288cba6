"""Push runs, offers and the exclusion list.

An offer's `key` names its subject and period: `<enterprise>:<project or 0>:<clause>:<period>` where the
period is the year for a clause capped per year and empty otherwise. Exactly one row per key is
`current` (a partial unique constraint): the row the next run compares with. A superseded row (a
withdrawn offer offered again, a changed clause offered anew) stays as history with current=False.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PushRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("运行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    class Trigger(models.TextChoices):
        PUBLISH = "publish", _("政策发布")
        MANUAL = "manual", _("手动启动")
        SCHEDULE = "schedule", _("定时运行")
        PROFILE = "profile", _("企业信息变更")

    class Engine(models.TextChoices):
        POLARS = "polars", _("单机（Polars）")
        SPARK = "spark", _("集群（Spark）")

    class Scope(models.TextChoices):
        FULL = "full", _("全部企业")
        CHANGED = "changed", _("上次运行后有变化的企业")
        ENTERPRISE = "enterprise", _("单个企业")

    trigger = models.CharField(_("触发方式"), max_length=20, choices=Trigger.choices)
    engine = models.CharField(_("计算引擎"), max_length=10, choices=Engine.choices, default=Engine.POLARS)
    scope = models.CharField(_("范围"), max_length=12, choices=Scope.choices, default=Scope.FULL)
    enterprise = models.ForeignKey(
        "registry.Enterprise", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    on = models.DateField(_("评估日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    policy_version = models.ForeignKey(
        "policies.PolicyVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    catalogue = models.JSONField(_("所用政策版本"), default=list, blank=True)  # version ids in force
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    run_token = models.CharField(max_length=32, blank=True, editable=False)
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    interruptions = models.PositiveSmallIntegerField(_("中断次数"), default=0)
    # Progress, written as the run goes (the run's page polls it).
    phase = models.CharField(_("阶段"), max_length=20, blank=True)
    subjects_total = models.PositiveIntegerField(_("待评估主体"), default=0)
    subjects_done = models.PositiveIntegerField(_("已评估主体"), default=0)
    enterprises = models.PositiveIntegerField(_("企业数"), default=0)
    offers_new = models.PositiveIntegerField(_("新增"), default=0)
    offers_changed = models.PositiveIntegerField(_("变更"), default=0)
    offers_withdrawn = models.PositiveIntegerField(_("撤回"), default=0)
    offers_kept = models.PositiveIntegerField(_("未变"), default=0)
    # Per clause: {"clause": {"eligible": n, "unknown": n, "not_eligible": n, "potential_fen": n}}.
    clause_stats = models.JSONField(_("分条款统计"), default=dict, blank=True)
    broken_rows = models.JSONField(
        _("问题数据"), default=list, blank=True
    )  # [{"enterprise": id, "error": …}]
    timings = models.JSONField(_("耗时"), default=dict, blank=True)  # {"read": s, "compute": s, …}
    error = models.CharField(_("失败原因"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("推送批次")
        verbose_name_plural = _("推送批次")
        indexes = [models.Index(fields=["status", "scope"], name="offers_run_status_scope")]

    def __str__(self) -> str:
        return f"run {self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class Offer(models.Model):
    class State(models.TextChoices):
        PROMPT = "prompt", _("待补充信息")
        OFFERED = "offered", _("待确认")
        CONFIRMED = "confirmed", _("已确认，办理中")
        GRANTED = "granted", _("已核定")
        REFUSED = "refused", _("未获支持")
        DECLINED = "declined", _("企业已放弃")
        WITHDRAWN = "withdrawn", _("已撤回")
        EXPIRED = "expired", _("已过期")

    key = models.CharField(max_length=160)
    current = models.BooleanField(default=True)
    # Indexes are few on purpose: a city-wide run writes a million rows, each index costs on every one.
    # (enterprise, current) serves the enterprise's lookups; runs, versions and users are never deleted.
    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="offers", db_index=False
    )
    project = models.ForeignKey(
        "registry.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="offers"
    )
    # A person's offer (a clause reading person.*: per talent record, key `p<person>:0:<clause>:<period>`);
    # its enterprise is the person's employer. Who sees it: permissions.require_offer_read.
    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="offers",
        db_index=False,
    )
    clause_id = models.CharField(_("政策条款"), max_length=100)
    period = models.CharField(_("周期"), max_length=10, blank=True)
    policy_version = models.ForeignKey(
        "policies.PolicyVersion",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("政策版本"),
        db_index=False,
        db_constraint=False,  # see created_run
    )
    clause_digest = models.CharField(max_length=40)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices)
    rule_status = models.CharField(_("规则结论"), max_length=12)  # eligible | unknown (when last evaluated)
    max_amount_fen = models.BigIntegerField(_("最高金额（分）"), null=True, blank=True)
    cap_remaining_fen = models.BigIntegerField(_("封顶余额（分）"), null=True, blank=True)
    facts = models.TextField(_("计算依据"), default="{}")  # JSON text of the facts the clause reads
    evaluated_on = models.DateField(_("评估日期"))
    offered_on = models.DateField(_("推送日期"))
    expires_on = models.DateField(_("确认期限"), null=True, blank=True)
    # No database constraint on the run and version references: PostgreSQL checks a deferred foreign key
    # for every row at the commit, and a city-wide run commits a million rows; runs and published
    # versions are never deleted (the version is PROTECTed in Django), and the run writes its own id.
    created_run = models.ForeignKey(
        PushRun, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False, db_constraint=False
    )
    changed_run = models.ForeignKey(
        PushRun, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False, db_constraint=False
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Cause(models.TextChoices):
        NOT_ELIGIBLE = "not_eligible", _("按最新信息已不符合条件，或已就该条款申报")
        CLAUSE_CHANGED = "clause_changed", _("政策条款已修订，已按新条款重新推送")
        EXCLUDED = "excluded", _("企业列入推送排除名单")

    withdraw_cause = models.CharField(_("撤回原因"), max_length=20, choices=Cause.choices, blank=True)
    reason = models.CharField(_("放弃原因"), max_length=500, blank=True)  # the enterprise's own words
    case = models.OneToOneField(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="offer"
    )
    contact = models.CharField(_("确认的联系人"), max_length=120, blank=True)

    class Meta:
        ordering = ["-offered_on", "-id"]
        verbose_name = _("政策直达")
        verbose_name_plural = _("政策直达")
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(current=True), name="offers_one_current_per_key"
            )
        ]
        indexes = [
            models.Index(fields=["enterprise", "current"], name="offers_enterprise_current"),
            models.Index(fields=["clause_id", "state"], name="offers_clause_state"),
            models.Index(fields=["state", "expires_on"], name="offers_state_expires"),
            # Partial: enterprise and project offers (nearly all rows) pay nothing for it.
            models.Index(
                fields=["person", "current"], condition=Q(person__isnull=False), name="offers_person_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clause_id} → {self.enterprise_id}"

    OPEN = frozenset({"prompt", "offered"})

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN


class Exclusion(models.Model):
    """An enterprise that gets no offers while the exclusion is valid (e.g. 严重失信主体)."""

    enterprise = models.ForeignKey(
        "registry.Enterprise", on_delete=models.CASCADE, related_name="+", verbose_name=_("企业")
    )
    reason = models.CharField(_("原因"), max_length=200)
    source = models.CharField(_("来源"), max_length=200)
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    revoked_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.CharField(_("解除原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = _("推送排除名单")
        verbose_name_plural = _("推送排除名单")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="offers_exclusion_dates",
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}: {self.reason}"
