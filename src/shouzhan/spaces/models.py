"""Spaces: sites with floors, bookable resources, tenancies (desks, offices, floors) and time-slot bookings.

Two ways to hold a space:
- a Tenancy (desk, office, a whole floor) runs from a date for whole months; moving from desk to
  office to a floor ends one tenancy and starts the next with `previous` pointing back, so the
  chain is the enterprise's incubation history;
- a Booking (live room, studio, filming site, meeting room, pilot equipment) holds a time range.

No double booking is a database guarantee: on PostgreSQL an exclusion constraint over
tstzrange(start_at, blocked_until) per resource (migration 0002, raw SQL so SQLite keeps
working); on SQLite the booking service serialises the check by writing the resource row first
(see services.slots.lock_resource). `blocked_until` is the end plus the resource's buffer.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MAX_FEN = 10**12


class Site(models.Model):
    class Kind(models.TextChoices):
        FIRST_STOP = "first_stop", _("创业首站")
        BASE = "base", _("孵化基地")
        BUILDING = "building", _("楼宇")
        OUTDOOR = "outdoor", _("取景地")

    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.BASE)
    district = models.CharField(_("所在区"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    area_sqm = models.PositiveIntegerField(_("面积（㎡）"), null=True, blank=True)
    description = models.TextField(_("简介"), blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("场地")
        verbose_name_plural = _("场地")

    def __str__(self) -> str:
        return self.name


class Floor(models.Model):
    site = models.ForeignKey(Site, verbose_name=_("场地"), on_delete=models.CASCADE, related_name="floors")
    number = models.SmallIntegerField(_("楼层"))
    use = models.CharField(_("功能"), max_length=60, blank=True)  # e.g. 电商直播 / 优质内容创作
    area_sqm = models.PositiveIntegerField(_("面积（㎡）"), null=True, blank=True)

    class Meta:
        ordering = ["site", "number"]
        verbose_name = _("楼层")
        verbose_name_plural = _("楼层")
        constraints = [models.UniqueConstraint(fields=["site", "number"], name="spaces_floor_unique")]

    def __str__(self) -> str:
        return f"{self.site} {self.number}F"


class Resource(models.Model):
    class Kind(models.TextChoices):
        DESK = "desk", _("工位")
        OFFICE = "office", _("办公室")
        FLOOR = "floor", _("整层")
        LIVE_ROOM = "live_room", _("直播间")
        STUDIO = "studio", _("摄影棚")
        FILMING_LOCATION = "filming_location", _("协拍取景地")
        MEETING_ROOM = "meeting_room", _("会议室")
        EQUIPMENT = "equipment", _("中试设备")

    class Unit(models.TextChoices):
        HOUR = "hour", _("按小时")
        DAY = "day", _("按天")
        MONTH = "month", _("按月租用")

    site = models.ForeignKey(Site, verbose_name=_("场地"), on_delete=models.CASCADE, related_name="resources")
    floor = models.ForeignKey(
        Floor,
        verbose_name=_("楼层"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resources",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    unit = models.CharField(_("计费方式"), max_length=10, choices=Unit.choices, default=Unit.HOUR)
    name = models.CharField(_("名称"), max_length=120)
    code = models.CharField(_("编号"), max_length=30, blank=True)
    capacity = models.PositiveIntegerField(_("容纳人数"), default=1, validators=[MinValueValidator(1)])
    area_sqm = models.PositiveIntegerField(_("面积（㎡）"), null=True, blank=True)
    opens_at = models.TimeField(_("开放时间"), null=True, blank=True)
    closes_at = models.TimeField(_("关闭时间"), null=True, blank=True)
    price_hour_fen = models.BigIntegerField(
        _("每小时价格（分）"), default=0, validators=[MinValueValidator(0)]
    )
    price_day_fen = models.BigIntegerField(_("每天价格（分）"), default=0, validators=[MinValueValidator(0)])
    price_month_fen = models.BigIntegerField(
        _("每月价格（分）"), default=0, validators=[MinValueValidator(0)]
    )
    buffer_minutes = models.PositiveIntegerField(
        _("前后间隔（分钟）"), default=0, validators=[MaxValueValidator(24 * 60)]
    )
    needs_approval = models.BooleanField(_("需审批"), default=False)
    approval_days = models.PositiveSmallIntegerField(_("审批时限（工作日）"), null=True, blank=True)
    description = models.TextField(_("简介"), blank=True)
    equipment = models.JSONField(_("设备清单"), default=list, blank=True)
    photos = models.JSONField(_("照片"), default=list, blank=True)  # static paths or URLs
    owner_rules = models.TextField(_("场地方规定"), blank=True)
    required_documents = models.JSONField(_("剧组需携带的材料"), default=list, blank=True)
    is_active = models.BooleanField(_("开放预约"), default=True)
    # Written first by every booking service call: serialises the overlap check on SQLite.
    lock_counter = models.BigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["site", "floor__number", "kind", "name", "id"]
        verbose_name = _("空间资源")
        verbose_name_plural = _("空间资源")
        constraints = [
            models.CheckConstraint(
                condition=Q(price_hour_fen__gte=0) & Q(price_day_fen__gte=0) & Q(price_month_fen__gte=0),
                name="spaces_resource_price_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=F("opens_at")),
                name="spaces_resource_hours_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_tenancy(self) -> bool:
        return self.unit == self.Unit.MONTH


class Tenancy(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("在租")
        ENDED = "ended", _("已结束")
        MOVED = "moved", _("已迁出（换租）")

    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="tenancies"
    )
    resource = models.ForeignKey(
        Resource, verbose_name=_("空间"), on_delete=models.PROTECT, related_name="tenancies"
    )
    start_on = models.DateField(_("起租日期"))
    end_on = models.DateField(_("到期日期（不含）"))
    months = models.PositiveSmallIntegerField(_("租期（月）"), validators=[MinValueValidator(1)])
    monthly_fee_fen = models.BigIntegerField(_("月租金（分）"), validators=[MinValueValidator(0)])
    relief_percent = models.PositiveSmallIntegerField(_("减免比例（%）"), default=0)
    relief_months = models.PositiveSmallIntegerField(_("减免月数"), default=0)
    relief_clause = models.CharField(_("减免依据条款"), max_length=80, blank=True)
    relief_reason = models.TextField(_("减免理由"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("上一段租用"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        ordering = ["start_on", "id"]
        verbose_name = _("租用")
        verbose_name_plural = _("租用")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__gt=F("start_on")), name="spaces_tenancy_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(relief_percent__gte=0) & Q(relief_percent__lte=100),
                name="spaces_tenancy_relief_pct",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} · {self.start_on}"


class Booking(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        CONFIRMED = "confirmed", _("已确认")
        CANCELLED = "cancelled", _("已取消")
        REJECTED = "rejected", _("未获批准")

    HOLDING = (Status.PENDING, Status.CONFIRMED)  # statuses that hold the slot

    resource = models.ForeignKey(
        Resource, verbose_name=_("空间"), on_delete=models.PROTECT, related_name="bookings"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="space_bookings"
    )
    booked_by = models.ForeignKey(
        "accounts.User", verbose_name=_("预约人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    start_at = models.DateTimeField(_("开始时间"))
    end_at = models.DateTimeField(_("结束时间"))
    blocked_until = models.DateTimeField(_("占用至（含间隔）"))
    people = models.PositiveIntegerField(_("人数"), default=1)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    fee_fen = models.BigIntegerField(_("费用（分）"), default=0, validators=[MinValueValidator(0)])
    cancellation_fee_fen = models.BigIntegerField(
        _("取消费（分）"), default=0, validators=[MinValueValidator(0)]
    )
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        ordering = ["start_at", "id"]
        verbose_name = pgettext_lazy("noun", "预约")
        verbose_name_plural = pgettext_lazy("plural noun", "预约")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_at__gt=F("start_at")), name="spaces_booking_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(blocked_until__gte=F("end_at")), name="spaces_booking_blocked_after_end"
            ),
            models.CheckConstraint(
                condition=Q(fee_fen__gte=0) & Q(cancellation_fee_fen__gte=0),
                name="spaces_booking_fee_non_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["resource", "start_at"]),
            models.Index(fields=["enterprise", "start_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.resource} · {timezone.localtime(self.start_at):%Y-%m-%d %H:%M}"


class WaitlistEntry(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("候补中")
        OFFERED = "offered", _("已提供空档")
        BOOKED = "booked", _("已预约")
        WITHDRAWN = "withdrawn", _("已撤回")

    resource = models.ForeignKey(
        Resource, verbose_name=_("空间"), on_delete=models.CASCADE, related_name="waitlist"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="space_waitlist"
    )
    requested_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL)
    start_at = models.DateTimeField(_("开始时间"))
    end_at = models.DateTimeField(_("结束时间"))
    people = models.PositiveIntegerField(_("人数"), default=1)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.WAITING)
    offered_at = models.DateTimeField(_("提供时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("候补")
        verbose_name_plural = _("候补")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_at__gt=F("start_at")), name="spaces_waitlist_end_after_start"
            ),
            # One open wish per enterprise and slot: a second would only queue the same wish twice.
            models.UniqueConstraint(
                fields=["resource", "enterprise", "start_at", "end_at"],
                condition=Q(status__in=["waiting", "offered"]),
                name="spaces_waitlist_once_per_slot",
            ),
        ]

    OPEN = (Status.WAITING, Status.OFFERED)

    def __str__(self) -> str:
        return f"{self.resource} · {self.enterprise}"
