"""Departments, the dispatch catalogue (versioned), visits and their plans, demands and their tickets.

A demand (诉求) is what was heard: on a visit, at the centre's desk, on the hotline or from the enterprise
itself. Each demand opens one ticket, a case of type `frontline_ticket` (frontline/tickets.py): the case
carries the state and the clock; the demand carries what the dispatch needs (category, urgency, the
department responsible now, the limits it was dispatched under) and `TicketMove` rows record every move
with its department, which is what the three rates (三率) are computed from.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    class Kind(models.TextChoices):
        STREET = "street", _("街道（镇）")
        REGULATOR = "regulator", _("职能部门")
        CENTRE = "centre", _("中心团队")
        OTHER = "other", _("其他")

    key = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80, unique=True)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.REGULATOR)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class DepartmentMember(models.Model):
    class Role(models.TextChoices):
        HANDLER = "handler", _("办理人")
        SUPERVISOR = "supervisor", _("负责人")  # may exclude a demand from the rates, manage members

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="departments")
    role = models.CharField(_("部门角色"), max_length=12, choices=Role.choices, default=Role.HANDLER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["department", "user"], name="frontline_member_once")]

    def __str__(self) -> str:
        return f"{self.department} · {self.user}"


class DispatchVersion(models.Model):
    """One version of the dispatch catalogue (派单目录); the one in force on a day is the latest valid from it."""

    number = models.PositiveIntegerField(_("版本号"), unique=True)
    valid_from = models.DateField(_("生效日期"))
    note = models.CharField(_("修订说明"), max_length=500, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    source = models.CharField(_("来源"), max_length=200, blank=True)  # the data file, or "页面修订"

    class Meta:
        ordering = ["-valid_from", "-number"]

    def __str__(self) -> str:
        return f"v{self.number}"


class DispatchRule(models.Model):
    """A demand category → the department responsible, and its working-day limits."""

    version = models.ForeignKey(DispatchVersion, on_delete=models.CASCADE, related_name="rules")
    category = models.SlugField(_("类别代码"), max_length=40)
    label = models.CharField(_("类别"), max_length=80)
    keywords = models.CharField(_("关键词"), max_length=500, blank=True)  # help the receiver choose
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    accept_days = models.PositiveSmallIntegerField(_("签收时限（工作日）"))
    resolve_days = models.PositiveSmallIntegerField(_("办结时限（工作日）"))
    urgent_resolve_days = models.PositiveSmallIntegerField(
        _("紧急诉求办结时限（工作日）"), null=True, blank=True
    )

    class Meta:
        ordering = ["version", "label"]
        constraints = [
            models.UniqueConstraint(fields=["version", "category"], name="frontline_rule_once"),
            models.CheckConstraint(condition=Q(accept_days__gte=1), name="frontline_rule_accept_days"),
            models.CheckConstraint(condition=Q(resolve_days__gte=1), name="frontline_rule_resolve_days"),
        ]

    def __str__(self) -> str:
        return self.label


class CoverageRule(models.Model):
    """Who must be visited how often, as data: e.g. every enterprise in the cluster at least once a quarter."""

    class Period(models.TextChoices):
        MONTH = "month", _("每月")
        QUARTER = "quarter", _("每季度")
        HALF = "half", _("每半年")
        YEAR = "year", _("每年")

    key = models.SlugField(max_length=40, unique=True)
    label = models.CharField(_("名称"), max_length=120)
    # Which enterprises: registry facts, e.g. {"in_cluster": true} or {"district": "徐汇"} (all must match).
    selector = models.JSONField(_("适用企业"), default=dict, blank=True)
    period = models.CharField(_("周期"), max_length=10, choices=Period.choices, default=Period.QUARTER)
    at_least = models.PositiveSmallIntegerField(_("至少走访次数"), default=1)
    active = models.BooleanField(_("在用"), default=True)

    def __str__(self) -> str:
        return self.label


class VisitPlan(models.Model):
    """Who goes where, when: enterprises, sites or 党群服务站 to visit in a window."""

    class Origin(models.TextChoices):
        PLAN = "plan", _("走访计划")
        COVERAGE = "coverage", _("走访覆盖要求")
        SIGNAL = "signal", _("未诉先办提示")

    title = models.CharField(_("计划名称"), max_length=120)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="visit_plans",
        verbose_name=_("走访人"),
    )
    starts_on = models.DateField(_("开始日期"))
    due_on = models.DateField(_("完成期限"))
    origin = models.CharField(_("来源"), max_length=10, choices=Origin.choices, default=Origin.PLAN)
    reason = models.CharField(_("缘由"), max_length=300, blank=True)  # a signal's reason in words
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title


class VisitTarget(models.Model):
    """One stop of a plan: an enterprise or a place (a site, a 党群服务站); done when a visit records it."""

    plan = models.ForeignKey(VisitPlan, on_delete=models.CASCADE, related_name="targets")
    enterprise = models.ForeignKey(
        "registry.Enterprise", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    place = models.CharField(_("地点"), max_length=120, blank=True)
    signal_key = models.CharField(max_length=120, blank=True, db_index=True)  # 未诉先办: one task per signal
    visit = models.ForeignKey("Visit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(enterprise__isnull=False) | ~Q(place=""), name="frontline_target_has_subject"
            ),
            # one visit task per signal occurrence, even when two scans run at the same moment
            models.UniqueConstraint(
                fields=["signal_key"], condition=~Q(signal_key=""), name="frontline_target_signal_once"
            ),
        ]

    def __str__(self) -> str:
        return self.place or str(self.enterprise)


class Visit(models.Model):
    """A visit as recorded on the phone: who was met, what was said, where; its demands hang on it."""

    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits", verbose_name=_("走访人")
    )
    visited_on = models.DateField(_("走访日期"))
    enterprise = models.ForeignKey(
        "registry.Enterprise", null=True, blank=True, on_delete=models.PROTECT, related_name="visits"
    )
    place = models.CharField(_("地点"), max_length=120, blank=True)
    met = models.CharField(_("接待人"), max_length=200, blank=True)
    notes = models.TextField(_("走访记录"), blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.PositiveIntegerField(null=True, blank=True)
    target = models.ForeignKey(
        VisitTarget, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The phone's own key for the record: sent again after a lost answer, it finds this row (nothing twice).
    client_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-visited_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(enterprise__isnull=False) | ~Q(place=""), name="frontline_visit_has_subject"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.place}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="frontline/%Y/%m/")
    sha256 = models.CharField(max_length=64, db_index=True)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.sha256[:12]


class Demand(models.Model):
    """A demand heard (诉求), and the ticket it became."""

    class Source(models.TextChoices):
        VISIT = "visit", _("走访")
        DESK = "desk", _("中心窗口")
        HOTLINE = "hotline", _("热线")
        ENTERPRISE = "enterprise", _("企业自行提交")
        PATROL = "patrol", _("巡查")
        SIGNAL = "signal", _("未诉先办")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("一般")
        URGENT = "urgent", _("紧急")

    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    category = models.SlugField(_("类别"), max_length=40)
    description = models.TextField(_("诉求内容"))
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    enterprise = models.ForeignKey(
        "registry.Enterprise", null=True, blank=True, on_delete=models.PROTECT, related_name="demands"
    )
    requester_name = models.CharField(_("反映人"), max_length=80, blank=True)
    requester_contact = models.CharField(_("联系方式"), max_length=80, blank=True)
    requester = models.ForeignKey(  # the user who can rate it in the site (the enterprise's member)
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    place = models.CharField(_("地点"), max_length=120, blank=True)
    visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="demands")
    received_on = models.DateField(_("受理日期"))
    received_at = models.DateTimeField(default=timezone.now)
    receiver = models.ForeignKey(  # 首接负责: owns the demand until a department accepts it
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="demand")

    # The dispatch in force: the department responsible now and the limits it was dispatched under.
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dispatch_version = models.ForeignKey(DispatchVersion, on_delete=models.PROTECT, related_name="+")
    accept_days = models.PositiveSmallIntegerField()
    resolve_days = models.PositiveSmallIntegerField()
    accept_due_on = models.DateField(null=True, blank=True)
    resolve_due_on = models.DateField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    repeat_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="repeats"
    )
    # Excluded from the three rates (e.g. judged unreasonable) — only by a supervisor, with a reason.
    excluded_reason = models.CharField(_("不计入三率的理由"), max_length=500, blank=True)
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    version = models.PositiveIntegerField(default=1)

    # What the three rates read, kept by the move that changes it (frontline/effects.py) so a year of demands
    # is one grouped scan: the first acceptance on time or not, the latest dispatch's accept limit, the last
    # follow-up's answer and the last satisfaction given. TicketMove and FollowUp remain the record.
    first_accept_on_time = models.BooleanField(null=True)
    accept_limit_on = models.DateField(null=True, blank=True)
    last_resolved = models.BooleanField(null=True)
    last_satisfaction = models.CharField(max_length=12, blank=True)

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [
            models.Index(fields=["received_on", "category"], name="frontline_demand_month"),
            models.Index(fields=["enterprise", "received_on"], name="frontline_demand_ent"),
        ]

    def __str__(self) -> str:
        return self.description[:40]


class TicketMove(models.Model):
    """Every move of a ticket, with the department it concerned: what the three rates are computed from."""

    class Action(models.TextChoices):
        DISPATCH = "dispatch", _("派单")
        ACCEPT = "accept", _("签收")
        RETURN = "return", _("退单")
        REPLY = "reply", _("答复办结")
        RESOLVED = "resolved", _("回访：已解决")
        REOPEN = "reopen", _("回访：未解决，重新办理")
        CLOSE = "close", _("回访期满结单")
        MERGE = "merge", _("并入原诉求")
        EXCLUDE = "exclude", _("不计入三率")
        INCLUDE = "include", _("恢复计入三率")

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="moves")
    action = models.CharField(max_length=12, choices=Action.choices)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=120)
    on = models.DateField()
    at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField(null=True, blank=True)  # the limit this move ran against (accept, resolve)
    on_time = models.BooleanField(null=True)  # an accept or reply made by its limit
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["action", "on"], name="frontline_move_action_on")]

    def __str__(self) -> str:
        return f"{self.on} {self.get_action_display()}"


class FollowUp(models.Model):
    """The requester's answer after a reply (回访): resolved or not, and how satisfied."""

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASIC = "basic", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    class Channel(models.TextChoices):
        SITE = "site", _("企业在线评价")
        PHONE = "phone", _("专员电话回访")

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="follow_ups")
    resolved = models.BooleanField(_("是否解决"))
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices, blank=True)
    channel = models.CharField(_("回访方式"), max_length=8, choices=Channel.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    on = models.DateField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.on} {self.get_satisfaction_display() or self.resolved}"
