"""Community: events (salons, trainings, roadshows), mentors, technology listings and needs.

Data and database constraints only; every write goes through `services.py`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouzhan.core.limits import LONG_TEXT, TEXT, TextLimit


def _bounded(limit: int) -> dict[str, Any]:
    """A TextField's bound (Django enforces max_length only on CharField): forms and full_clean check it."""
    return {"max_length": limit, "validators": [TextLimit(limit)]}


class EventSeries(models.Model):
    """A run of events under one name: the 1st, 2nd … OPC 创业能力沙龙."""

    name = models.CharField(_("系列名称"), max_length=120, unique=True)
    description = models.TextField(_("简介"), blank=True, **_bounded(LONG_TEXT))

    class Meta:
        ordering = ["name"]
        verbose_name = _("活动系列")
        verbose_name_plural = _("活动系列")

    def __str__(self) -> str:
        return self.name


class Event(models.Model):
    class Kind(models.TextChoices):
        SALON = "salon", _("沙龙")
        TRAINING = "training", _("培训")
        ROADSHOW = "roadshow", _("路演")

    series = models.ForeignKey(
        EventSeries,
        verbose_name=_("系列"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    number_in_series = models.PositiveSmallIntegerField(_("系列中的场次"), null=True, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.SALON)
    title = models.CharField(_("标题"), max_length=200)
    summary = models.TextField(_("简介"), blank=True, **_bounded(LONG_TEXT))
    agenda = models.TextField(
        _("议程"), blank=True, help_text=_("每行一项，如 14:00 开场"), **_bounded(LONG_TEXT)
    )
    speakers = models.CharField(_("主讲嘉宾"), max_length=300, blank=True)
    venue = models.CharField(_("地点"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveIntegerField(_("名额"))
    registration_open = models.BooleanField(_("开放报名"), default=True)
    mentors = models.ManyToManyField(
        "community.MentorProfile", verbose_name=_("点评导师"), blank=True, related_name="events"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["series", "number_in_series"], name="event_unique_number_in_series"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("已确认")
        WAITLISTED = "waitlisted", _("候补中")
        CANCELLED = "cancelled", _("已取消")

    event = models.ForeignKey(
        Event, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报名人"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    # The project a team brings to present (mentors then write feedback on it).
    project = models.ForeignKey(
        "registry.Project", verbose_name=_("路演项目"), null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices)
    code = models.CharField(_("签到码"), max_length=20, unique=True)
    created_at = models.DateTimeField(_("报名时间"), default=timezone.now)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签到操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        constraints = [
            # One live registration per person and event; a cancelled one may be followed by a new one.
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=~Q(status="cancelled"),
                name="registration_one_live_per_user",
            ),
            models.CheckConstraint(
                condition=Q(checked_in_at__isnull=True) | Q(status="confirmed"),
                name="registration_checkin_only_confirmed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.user}"


class MentorProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="mentor_profile",
    )
    headline = models.CharField(_("头衔"), max_length=120, blank=True)
    bio = models.TextField(_("简介"), blank=True, **_bounded(LONG_TEXT))
    expertise = models.CharField(
        _("擅长领域"), max_length=300, help_text=_("用顿号或逗号分隔，如 微短剧、智能体、融资")
    )
    availability = models.CharField(_("可约时间"), max_length=200, blank=True)
    followed_projects = models.ManyToManyField(
        "registry.Project", verbose_name=_("跟进的项目"), blank=True, related_name="mentors"
    )

    class Meta:
        ordering = ["user__name"]
        verbose_name = _("导师")
        verbose_name_plural = _("导师")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def expertise_list(self) -> list[str]:
        import re

        return [p for p in re.split(r"[、,，;；\s]+", self.expertise) if p]


class Feedback(models.Model):
    """A mentor's written feedback on a project presented at an event (one per mentor and project)."""

    event = models.ForeignKey(
        Event, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="feedback"
    )
    project = models.ForeignKey(
        "registry.Project", verbose_name=_("项目"), on_delete=models.CASCADE, related_name="salon_feedback"
    )
    mentor = models.ForeignKey(
        MentorProfile, verbose_name=_("导师"), on_delete=models.CASCADE, related_name="feedback"
    )
    text = models.TextField(_("点评意见"), **_bounded(LONG_TEXT))
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        ordering = ["event__starts_at", "created_at"]
        verbose_name = _("导师点评")
        verbose_name_plural = _("导师点评")
        constraints = [
            models.UniqueConstraint(fields=["event", "project", "mentor"], name="feedback_one_per_mentor")
        ]

    def __str__(self) -> str:
        return f"{self.mentor} · {self.project}"


class FollowUpNote(models.Model):
    """A mentor's note on a project they follow; kept as a history (never edited)."""

    mentor = models.ForeignKey(
        MentorProfile, verbose_name=_("导师"), on_delete=models.CASCADE, related_name="notes"
    )
    project = models.ForeignKey(
        "registry.Project", verbose_name=_("项目"), on_delete=models.CASCADE, related_name="mentor_notes"
    )
    text = models.TextField(_("跟进记录"), **_bounded(LONG_TEXT))
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("跟进记录")
        verbose_name_plural = _("跟进记录")

    def __str__(self) -> str:
        return f"{self.mentor} · {self.project}"


class OfficeHour(models.Model):
    """A mentor's bookable slot (办公时间), booked by one entrepreneur at a time."""

    mentor = models.ForeignKey(
        MentorProfile, verbose_name=_("导师"), on_delete=models.CASCADE, related_name="office_hours"
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=120, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("预约人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="office_hour_bookings",
    )
    topic = models.CharField(_("想聊的问题"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("导师办公时间")
        verbose_name_plural = _("导师办公时间")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="office_hour_positive"
            ),
            models.UniqueConstraint(fields=["mentor", "starts_at"], name="office_hour_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} {self.starts_at:%Y-%m-%d %H:%M}"


class Seeking(models.TextChoices):
    LICENCE = "licence", _("许可")
    SALE = "sale", _("转让")
    PARTNER = "partner", _("合作开发")
    INVESTMENT = "investment", _("投资")


# Value → lazy label, built once: `Seeking.values` builds a new list on every access, and the market
# asked it once per seeking of each of up to 100 rows.
SEEKING_LABELS = dict(Seeking.choices)


class Listing(models.Model):
    """A technology on offer (专利 / 技术) or an enterprise's technology need (技术需求)."""

    class Direction(models.TextChoices):
        OFFER = "offer", _("技术成果")
        NEED = "need", _("技术需求")

    class LegalStatus(models.TextChoices):
        GRANTED = "granted", _("已授权")
        PENDING = "pending", _("申请中")
        EXPIRED = "expired", _("已失效")
        NONE = "none", _("非专利技术")

    class Status(models.TextChoices):
        ACTIVE = "active", _("展示中")
        CLOSED = "closed", _("已下架")

    direction = models.CharField(_("类别"), max_length=10, choices=Direction.choices)
    owner_person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("发布人（个人）"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="listings",
    )
    owner_enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("发布企业"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="listings",
    )
    patent_number = models.CharField(_("专利号"), max_length=20, blank=True)
    title = models.CharField(_("名称"), max_length=200)
    abstract = models.TextField(_("摘要 / 需求说明"), **_bounded(LONG_TEXT))
    legal_status = models.CharField(
        _("法律状态"), max_length=10, choices=LegalStatus.choices, default=LegalStatus.NONE
    )
    field = models.CharField(_("技术领域"), max_length=60)
    seeking = models.JSONField(_("合作方式"), default=list)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # The index terms of title, abstract and field (jieba, space-separated), made once when the listing is
    # saved: the search index and the listing page read them instead of segmenting the text again.
    search_tokens = models.TextField(_("检索词"), blank=True, default="", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("技术成果 / 需求")
        verbose_name_plural = _("技术成果 / 需求")
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_person__isnull=False) | Q(owner_enterprise__isnull=False),
                name="listing_has_owner",
            ),
            # A patent is on the market once (re-importing updates it).
            models.UniqueConstraint(
                fields=["patent_number"], condition=~Q(patent_number=""), name="listing_patent_once"
            ),
        ]
        indexes = [models.Index(fields=["direction", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_name(self) -> str:
        return str(self.owner_enterprise or self.owner_person)

    def seeking_labels(self) -> list[str]:
        return [str(SEEKING_LABELS[s]) for s in self.seeking if s in SEEKING_LABELS]


class ContactRequest(models.Model):
    """ "Please introduce us": brokered by the centre as a service.introduction case."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("对接中")
        INTRODUCED = "introduced", _("已引荐")
        DECLINED = "declined", _("未能对接")

    listing = models.ForeignKey(
        Listing, verbose_name=_("对接对象"), on_delete=models.CASCADE, related_name="contacts"
    )
    # Why this request: e.g. our need that the listing matched.
    from_listing = models.ForeignKey(
        Listing, verbose_name=_("来自"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.CASCADE,
        related_name="contact_requests",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("申请企业"), null=True, blank=True, on_delete=models.CASCADE
    )
    message = models.TextField(_("对接说明"), **_bounded(TEXT))
    case_id = models.PositiveBigIntegerField(_("办件编号"), null=True, blank=True)
    outcome = models.CharField(_("结果"), max_length=12, choices=Outcome.choices, default=Outcome.OPEN)
    outcome_note = models.TextField(_("结果说明"), blank=True, **_bounded(LONG_TEXT))  # the case's note
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("对接请求")
        verbose_name_plural = _("对接请求")
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "requester"],
                condition=Q(outcome="open"),
                name="contact_one_open_per_requester",
            )
        ]

    def __str__(self) -> str:
        return f"{self.requester} → {self.listing}"


class SearchTerms(models.Model):
    """The index terms of a text another module keeps (an enterprise's name and description, a project's
    title and description), segmented once when that text is saved — a page view or an index rebuild
    reads them here instead of running the segmenter again. `digest` is of the text the terms were made
    from: a row whose text has changed since (a write that sent no signal) is not used."""

    class Source(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        PROJECT = "project", _("项目 / 作品")

    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    source_id = models.PositiveBigIntegerField(_("来源编号"))
    digest = models.CharField(_("原文摘要"), max_length=64)
    title_terms = models.TextField(_("标题检索词"), blank=True)
    body_terms = models.TextField(_("正文检索词"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("检索词")
        verbose_name_plural = _("检索词")
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="search_terms_one_per_source"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_id}"


class SearchDocument(models.Model):
    """One searchable thing (a listing, a need, an enterprise, a mentor, an event, a policy or a clause) as
    the search index keeps it: what a hit shows, and its terms, segmented once when the thing was saved
    (search/index.py keeps this table, the postings and the statistics in step)."""

    key = models.CharField(_("键"), max_length=80, unique=True)  # "offer:12", "clause:hu8-1" …
    kind = models.CharField(_("类别"), max_length=12)
    title = models.CharField(_("标题"), max_length=300)
    url = models.CharField(_("链接"), max_length=300)
    snippet = models.TextField(_("摘要"), blank=True)
    facts = models.JSONField(_("事实"), default=dict)
    tokens = models.TextField(_("检索词"), blank=True)  # space-separated, with repeats (the title twice)
    length = models.PositiveIntegerField(_("词数"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("检索文档")
        verbose_name_plural = _("检索文档")

    def __str__(self) -> str:
        return self.key


class SearchPosting(models.Model):
    """A term in a document: its count, the document's length and kind (so a query never joins), and its
    BM25 term-frequency weight when written (`impact`), by which a term's list is read strongest first."""

    pk = models.CompositePrimaryKey("doc_id", "term")
    doc = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="postings")
    term = models.CharField(_("词"), max_length=64)
    kind = models.CharField(_("类别"), max_length=12)
    tf = models.PositiveIntegerField(_("词频"))
    length = models.PositiveIntegerField(_("文档词数"))
    impact = models.FloatField(_("权重"))

    class Meta:
        verbose_name = _("倒排项")
        verbose_name_plural = _("倒排项")
        indexes = [models.Index(fields=["term", "kind", "-impact"], name="search_posting_list")]

    def __str__(self) -> str:
        return f"{self.term}@{self.doc_id}"


class SearchTerm(models.Model):
    """How many documents hold a term (its document frequency), kept as documents come and go."""

    term = models.CharField(_("词"), max_length=64, primary_key=True)
    df = models.PositiveIntegerField(_("文档数"))

    class Meta:
        verbose_name = _("检索词统计")
        verbose_name_plural = _("检索词统计")

    def __str__(self) -> str:
        return f"{self.term}: {self.df}"


class SearchStats(models.Model):
    """The index's one row: its size for BM25 (documents, total length), whether it has been built, and
    the day its policies were taken for (policies come into force by date). Every index write locks this
    row first: writers take turns (one writer at a time), so they never deadlock on each other's terms."""

    documents = models.PositiveIntegerField(_("文档数"), default=0)
    length = models.PositiveBigIntegerField(_("总词数"), default=0)
    built = models.BooleanField(_("已建立"), default=False)
    policies_on = models.DateField(_("政策日期"), null=True, blank=True)
    built_at = models.DateTimeField(_("建立时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("检索统计")
        verbose_name_plural = _("检索统计")

    def __str__(self) -> str:
        return f"{self.documents} / {self.length}"
