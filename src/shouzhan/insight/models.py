"""Insight's records: the industry chains as published versions of their data files, where enterprises sit on
them (suggested, then confirmed by a caseworker), the relations between enterprises, the targets with their
definitions in the rule language, the city's totals the share is measured against, the month-end snapshots
that keep history still, and the monthly bulletins.

Placements and relations name a chain and a node by key, not by a version's row: a new version of a chain
file keeps every placement whose node it still has."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    UPSTREAM = "upstream", _("上游")
    MIDSTREAM = "midstream", _("中游")
    DOWNSTREAM = "downstream", _("下游")


STAGE_ORDER = [s.value for s in Stage]


class ChainVersion(models.Model):
    """One published version of a chain's data file (`data/chains/<key>.yaml`)."""

    chain = models.CharField(_("产业链"), max_length=40)
    number = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("名称"), max_length=80)
    description = models.TextField(_("说明"), blank=True)
    acyclic = models.BooleanField(_("无环"), default=True)
    source_file = models.CharField(_("数据文件"), max_length=200)
    digest = models.CharField(max_length=64)  # SHA-256 of the file's text: unchanged → nothing published
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("产业链版本")
        ordering = ["chain", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "number"], name="insight_chain_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class ChainNode(models.Model):
    version = models.ForeignKey(ChainVersion, on_delete=models.CASCADE, related_name="nodes")
    key = models.CharField(_("环节代码"), max_length=40)
    title = models.CharField(_("环节"), max_length=60)
    stage = models.CharField(_("链位"), max_length=12, choices=Stage.choices)
    description = models.TextField(_("说明"), blank=True)
    sectors = models.JSONField(_("行业"), default=list, blank=True)
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    project_kinds = models.JSONField(_("项目类型"), default=list, blank=True)
    clauses = models.JSONField(_("支持条款"), default=list, blank=True)  # policy clause ids that target it
    space_kinds = models.JSONField(_("所需空间"), default=list, blank=True)  # spaces.Resource.Kind values
    target_count = models.PositiveIntegerField(_("目标企业数"), default=0)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("产业链环节")
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="insight_node_unique")]

    def __str__(self) -> str:
        return self.title


class ChainEdge(models.Model):
    version = models.ForeignKey(ChainVersion, on_delete=models.CASCADE, related_name="edges")
    source = models.CharField(max_length=40)
    target = models.CharField(max_length=40)
    label = models.CharField(_("关系"), max_length=60, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "source", "target"], name="insight_edge_unique"),
            models.CheckConstraint(condition=~Q(source=F("target")), name="insight_edge_not_loop"),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"


class Placement(models.Model):
    """An enterprise on a chain's node: suggested from its records with the evidence and a confidence,
    then confirmed, changed (a new confirmed placement, the suggestion rejected) or rejected by a caseworker."""

    class Status(models.TextChoices):
        SUGGESTED = "suggested", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        REJECTED = "rejected", _("已否定")

    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="+"
    )
    chain = models.CharField(_("产业链"), max_length=40)
    node = models.CharField(_("环节"), max_length=40)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SUGGESTED)
    confidence = models.PositiveSmallIntegerField(_("置信度（%）"), default=0)
    evidence = models.JSONField(_("依据"), default=list, blank=True)  # [{"kind": "sector", "text": "…"}]
    note = models.CharField(_("说明"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("企业链位")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "chain", "node"], name="insight_placement_unique"),
            models.CheckConstraint(condition=Q(confidence__lte=100), name="insight_placement_confidence"),
        ]
        indexes = [models.Index(fields=["chain", "node", "status"], name="insight_place_node_idx")]

    def __str__(self) -> str:
        return f"{self.chain}/{self.node}"


class Relation(models.Model):
    """A relation between two enterprises, with where it was learnt (a visit, a contract, the register …)."""

    class Kind(models.TextChoices):
        SUPPLIER = "supplier", _("供应商")
        CUSTOMER = "customer", _("客户")
        PARTNER = "partner", _("合作伙伴")
        INVESTOR = "investor", _("投资方")
        TENANT = "tenant", _("入驻基地")

    source = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="+"
    )
    target = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("对方企业"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("关系"), max_length=10, choices=Kind.choices)
    source_note = models.CharField(_("来源"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("企业关系")
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="insight_relation_unique"),
            models.CheckConstraint(condition=~Q(source=F("target")), name="insight_relation_not_self"),
        ]
        indexes = [models.Index(fields=["target", "kind"], name="insight_relation_target_idx")]

    def __str__(self) -> str:
        return self.get_kind_display()


class TargetVersion(models.Model):
    """One published version of the targets file (`data/targets.yaml`)."""

    number = models.PositiveIntegerField(_("版本"), unique=True)
    title = models.CharField(_("名称"), max_length=120)
    period_from = models.DateField(_("目标期起"))
    period_to = models.DateField(_("目标期止"))
    source_file = models.CharField(_("数据文件"), max_length=200)
    digest = models.CharField(max_length=64)
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("目标版本")
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class Target(models.Model):
    class Measure(models.TextChoices):
        COUNT = "count", _("计数")
        SHARE = "share", _("占全市比重")

    class Counts(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        FILING = "filing", _("备案作品")

    version = models.ForeignKey(TargetVersion, on_delete=models.CASCADE, related_name="targets")
    key = models.CharField(_("代码"), max_length=40)
    title = models.CharField(_("目标"), max_length=80)
    description = models.TextField(_("口径说明"), blank=True)
    measure = models.CharField(_("计量"), max_length=10, choices=Measure.choices, default=Measure.COUNT)
    counts = models.CharField(_("计数对象"), max_length=12, choices=Counts.choices)
    definition = models.TextField(_("口径（规则）"))
    sum_fact = models.CharField(_("求和事实"), max_length=60, blank=True)  # share: the money fact summed
    goal = models.DecimalField(
        _("目标值"), max_digits=14, decimal_places=2
    )  # a count, or percent for a share
    source = models.CharField(_("数据来源"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("目标")
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="insight_target_unique")]

    def __str__(self) -> str:
        return self.title


class CityFigure(models.Model):
    """A city-wide total entered by hand with its source and date (the share's denominator); the latest
    entered for a year counts, earlier ones stay as history."""

    class Kind(models.TextChoices):
        INDUSTRY_REVENUE = "industry_revenue", _("全市产业营业收入")

    kind = models.CharField(_("指标"), max_length=30, choices=Kind.choices, default=Kind.INDUSTRY_REVENUE)
    year = models.PositiveSmallIntegerField(_("年度"))
    value_fen = models.BigIntegerField(_("数值（分）"))
    source = models.CharField(_("来源"), max_length=200)
    published_on = models.DateField(_("发布日期"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(_("录入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("全市统计数")
        ordering = ["kind", "-year", "-entered_at"]
        constraints = [
            models.CheckConstraint(condition=Q(value_fen__gt=0), name="insight_city_figure_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}"


class Snapshot(models.Model):
    """A figure as it stood at a month's end, stored once and never recomputed: history does not move
    when records change later."""

    month = models.DateField(_("月份"))  # the first day of the month measured
    key = models.CharField(_("指标"), max_length=60)
    as_of = models.DateField(_("截至"))  # the month's last day
    figure = models.JSONField(_("数值"))  # see insight.figures.Figure.to_json
    taken_at = models.DateTimeField(_("生成时间"), default=timezone.now)

    class Meta:
        verbose_name = _("月末快照")
        ordering = ["-month", "key"]
        constraints = [models.UniqueConstraint(fields=["month", "key"], name="insight_snapshot_unique")]

    def __str__(self) -> str:
        return f"{self.key} {self.month:%Y-%m}"


class Bulletin(models.Model):
    """The monthly bulletin (月度通报) of a month: its PDF and workbook, generated once and archived."""

    month = models.DateField(_("月份"), unique=True)
    pdf = models.BinaryField(_("PDF"))
    xlsx = models.BinaryField(_("Excel"))
    pdf_sha256 = models.CharField(max_length=64)
    figures = models.JSONField(_("数据"), default=dict)
    generated_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("月度通报")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"
