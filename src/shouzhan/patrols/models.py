"""What is patrolled, the frequency rules (versioned), and the patrols recorded on a phone.

A patrol target is a route with checkpoints: a river section (河段, 一河一档 with its river), a flood wall, an
industrial park, an incubation building. Its chiefs (河长 at district / street / village level, or a
building's inspector) patrol it; each patrol keeps its GPS track, its check-ins, observations, photos and
hazards, its verdict against the frequency rules in force on its date, and its honesty flags. A hazard is a
frontline demand (source 巡查) dispatched by the catalogue, so it is a ticket with a working-day clock.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouzhan.core.workdays import working_days_between

# A hazard a chief cannot fix on the spot is reported within one working day (河长制: 发现问题及时上报).
REPORT_WITHIN_WORKING_DAYS = 1


class Level(models.TextChoices):
    """A chief's (and a river's) level."""

    DISTRICT = "district", _("区级")
    STREET = "street", _("街镇级")
    VILLAGE = "village", _("村居级")


class Warning(models.TextChoices):
    NONE = "none", _("无预警")
    YELLOW = "yellow", _("黄色预警")
    ORANGE = "orange", _("橙色预警")
    RED = "red", _("红色预警")


class River(models.Model):
    """一河一档: a river's file; its sections are patrol targets."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("河道名称"), max_length=80)
    level = models.CharField(_("河道等级"), max_length=10, choices=Level.choices)
    length_m = models.PositiveIntegerField(_("长度（米）"), default=0)
    description = models.TextField(_("河道概况"), blank=True)  # source, outlet, width, water function
    office = models.ForeignKey(  # 河长办: updates its plan (一河一策)
        "frontline.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("主管部门"),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    """A patrolled route: a river section or another kind of target of the same shape."""

    class Kind(models.TextChoices):
        RIVER_SECTION = "river_section", _("河段")
        FLOOD_WALL = "flood_wall", _("防汛墙")
        PARK = "park", _("产业园区")
        BUILDING = "building", _("孵化楼宇")

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.RIVER_SECTION)
    name = models.CharField(_("名称"), max_length=120)
    river = models.ForeignKey(
        River,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sections",
        verbose_name=_("河道"),
    )
    level = models.CharField(_("等级"), max_length=10, choices=Level.choices, default=Level.STREET)
    street = models.CharField(_("所属街镇"), max_length=40)
    start_label = models.CharField(_("起点"), max_length=80, blank=True)
    end_label = models.CharField(_("终点"), max_length=80, blank=True)
    length_m = models.PositiveIntegerField(_("长度（米）"), default=0)
    concerns = models.TextField(_("重点关注"), blank=True)  # points of concern, one per line
    # The route as [[lat, lon], …] (WGS-84 as the phone reports it): what "far from the section" is measured to.
    path = models.JSONField(_("线路坐标"), default=list)
    checkin_radius_m = models.PositiveSmallIntegerField(_("打卡半径（米）"), default=50)
    # Whose supervisors review its flagged patrols (河长办 at the water bureau, the street for a building).
    office = models.ForeignKey(
        "frontline.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("主管部门"),
    )
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        ordering = ["street", "name"]

    def __str__(self) -> str:
        return self.name


class Checkpoint(models.Model):
    """A point on a route, with the code its printed QR carries."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="checkpoints")
    order = models.PositiveSmallIntegerField(_("顺序"))
    name = models.CharField(_("名称"), max_length=80)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6)
    code = models.CharField(_("二维码编码"), max_length=40, unique=True)

    class Meta:
        ordering = ["target", "order"]
        constraints = [models.UniqueConstraint(fields=["target", "order"], name="patrols_checkpoint_order")]

    def __str__(self) -> str:
        return self.name


class Chief(models.Model):
    """Who patrols a target, at which level, from when (河长 / 巡查员); ended when `to_on` is set."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="chiefs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patrol_duties")
    level = models.CharField(_("河长层级"), max_length=10, choices=Level.choices)
    title = models.CharField(_("职务"), max_length=80, blank=True)  # e.g. 副区长, 街道办事处主任
    from_on = models.DateField(_("任职日期"))
    to_on = models.DateField(_("卸任日期"), null=True, blank=True)

    class Meta:
        ordering = ["target", "level", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "user"], condition=Q(to_on__isnull=True), name="patrols_chief_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target} · {self.user}"


class WarningSpell(models.Model):
    """A warning level on a target over dates (a river's water quality or a flood alert raises patrols)."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="warnings")
    level = models.CharField(_("预警等级"), max_length=8, choices=Warning.choices)
    from_on = models.DateField(_("开始日期"))
    to_on = models.DateField(_("结束日期"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["target", "from_on"]

    def __str__(self) -> str:
        return f"{self.target} {self.get_level_display()}"


class RiverPlan(models.Model):
    """一河一策: a river's plan for a period — its targets and the measures with their progress."""

    river = models.ForeignKey(River, on_delete=models.CASCADE, related_name="plans")
    title = models.CharField(_("方案名称"), max_length=120)
    period_from = models.DateField(_("起始日期"))
    period_to = models.DateField(_("截止日期"))
    goals = models.TextField(_("治理目标"))

    class Meta:
        ordering = ["river", "-period_from"]

    def __str__(self) -> str:
        return self.title


class PlanMeasure(models.Model):
    plan = models.ForeignKey(RiverPlan, on_delete=models.CASCADE, related_name="measures")
    text = models.CharField(_("措施"), max_length=300)
    responsible = models.CharField(_("责任单位"), max_length=80)
    due_on = models.DateField(_("完成时限"))
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    note = models.CharField(_("进展说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["plan", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="patrols_measure_progress")
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def late(self) -> bool:
        """Past its deadline and not finished: the plan's page says so."""
        return self.progress < 100 and self.due_on < timezone.localdate()


class FrequencyVersion(models.Model):
    """One version of the frequency rules; the one in force on a day is the latest valid from it."""

    number = models.PositiveIntegerField(_("版本号"), unique=True)
    valid_from = models.DateField(_("生效日期"))
    # The flood season (汛期) as month-day strings "06-01" … "09-30", both days included.
    flood_from = models.CharField(_("汛期开始"), max_length=5)
    flood_to = models.CharField(_("汛期结束"), max_length=5)
    note = models.CharField(_("修订说明"), max_length=500, blank=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)

    class Meta:
        ordering = ["-valid_from", "-number"]

    def __str__(self) -> str:
        return f"v{self.number}"


class FrequencyRule(models.Model):
    """For a chief level, warning level and season: how many patrols per period, and how long and far each."""

    class Period(models.TextChoices):
        WEEK = "week", _("每周")
        MONTH = "month", _("每月")
        QUARTER = "quarter", _("每季度")

    class Season(models.TextChoices):
        NORMAL = "normal", _("非汛期")
        FLOOD = "flood", _("汛期")

    version = models.ForeignKey(FrequencyVersion, on_delete=models.CASCADE, related_name="rules")
    level = models.CharField(_("河长层级"), max_length=10, choices=Level.choices)
    warning = models.CharField(_("预警等级"), max_length=8, choices=Warning.choices)
    season = models.CharField(_("时段"), max_length=8, choices=Season.choices)
    period = models.CharField(_("周期"), max_length=8, choices=Period.choices)
    min_patrols = models.PositiveSmallIntegerField(_("最少巡查次数"))
    min_minutes = models.PositiveSmallIntegerField(_("每次最短时长（分钟）"))
    min_distance_m = models.PositiveIntegerField(_("每次最短距离（米）"))

    class Meta:
        ordering = ["version", "level", "warning", "season"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "level", "warning", "season"], name="patrols_rule_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.get_warning_display()} {self.get_season_display()}"


class Patrol(models.Model):
    """One patrol as recorded on the phone, with its verdict and its honesty review."""

    class Review(models.TextChoices):
        CLEAN = "clean", _("无异常")
        FLAGGED = "flagged", _("待复核")
        ACCEPTED = "accepted", _("复核通过")
        REJECTED = "rejected", _("复核不通过")

    target = models.ForeignKey(
        Target, on_delete=models.PROTECT, related_name="patrols", verbose_name=_("巡查对象")
    )
    patroller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patrols", verbose_name=_("巡查人")
    )
    level = models.CharField(_("河长层级"), max_length=10, choices=Level.choices)
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"))
    on = models.DateField(_("巡查日期"))  # the local date it started: the rules of this day judge it
    # [[lat, lon, unix seconds, accuracy m], …] as watchPosition gave them, bounded (TRACK_MAX points).
    track = models.JSONField(default=list)
    points = models.PositiveIntegerField(_("轨迹点数"), default=0)
    distance_m = models.PositiveIntegerField(_("距离（米）"), default=0)
    duration_s = models.PositiveIntegerField(_("时长（秒）"), default=0)
    observations = models.JSONField(_("巡查情况"), default=dict, blank=True)  # none noted is a patrol too
    notes = models.TextField(_("巡查备注"), blank=True)

    # The verdict against the frequency rules in force on `on`, in words (a list of sentences).
    rule_version = models.ForeignKey(FrequencyVersion, on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(FrequencyRule, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    warning = models.CharField(_("预警等级"), max_length=8, choices=Warning.choices, default=Warning.NONE)
    season = models.CharField(_("时段"), max_length=8, choices=FrequencyRule.Season.choices)
    meets_rules = models.BooleanField(_("是否达标"))
    verdict = models.JSONField(_("结论"), default=list)
    # Honesty checks: [{"check": "speed", "words": "…"}, …]; any flag puts the patrol up for review.
    flags = models.JSONField(_("异常"), default=list)
    review = models.CharField(_("复核"), max_length=10, choices=Review.choices, default=Review.CLEAN)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("复核意见"), max_length=500, blank=True)

    client_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(fields=["on", "patroller", "target"], name="patrols_patrol_month"),
            models.Index(fields=["review", "on"], name="patrols_patrol_review"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__gte=models.F("started_at")), name="patrols_patrol_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.on} {self.target}"

    @property
    def counts(self) -> bool:
        """What compliance counts: meeting the rules, and clean or accepted on review."""
        return self.meets_rules and self.review in (self.Review.CLEAN, self.Review.ACCEPTED)


class PatrolCheckin(models.Model):
    class Method(models.TextChoices):
        QR = "qr", _("扫码")
        NEAR = "near", _("定位到达")

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="checkins")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    method = models.CharField(max_length=4, choices=Method.choices)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [models.UniqueConstraint(fields=["patrol", "checkpoint"], name="patrols_checkin_once")]

    def __str__(self) -> str:
        return f"{self.checkpoint} {self.at}"


class Hazard(models.Model):
    """A hazard found on a patrol (隐患), and the frontline ticket it became."""

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="hazards")
    category = models.SlugField(_("类别"), max_length=40)
    description = models.TextField(_("隐患描述"))
    urgent = models.BooleanField(_("紧急"), default=False)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    observed_at = models.DateTimeField(_("发现时间"))
    reported_on = models.DateField(
        _("上报日期")
    )  # the day it reached the server: the ticket's clock starts here
    demand = models.OneToOneField("frontline.Demand", on_delete=models.PROTECT, related_name="hazard")

    class Meta:
        ordering = ["observed_at", "pk"]

    def __str__(self) -> str:
        return self.description[:40]

    @property
    def reported_late(self) -> bool:
        """Reported more than one working day after it was seen (a phone offline too long, or held back)."""
        seen = timezone.localdate(self.observed_at)
        return working_days_between(seen, self.reported_on) > REPORT_WITHIN_WORKING_DAYS


class PatrolPhoto(models.Model):
    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="photos")
    hazard = models.ForeignKey(
        Hazard, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos"
    )
    file = models.FileField(upload_to="patrols/%Y/%m/")
    sha256 = models.CharField(max_length=64, db_index=True)  # the same photo used on two patrols is flagged
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.sha256[:12]


class Reminder(models.Model):
    """A compliance reminder sent to a chief for a month, once per number of patrols overdue."""

    chief = models.ForeignKey(Chief, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    overdue = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chief", "month", "overdue"], name="patrols_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.chief} {self.month}"
