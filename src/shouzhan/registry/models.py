"""The enterprise registry: enterprises with the rules' fact vocabulary, their people and projects.

Facts that nobody has told us are NULL, never a guessed default: the rules treat
them as unknown and say which are missing.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouzhan.core.money import yuan_decimal
from shouzhan.registry.choices import DISTRICT_CHOICES, ProjectKind, Sector, Stage

MAX_FEN = 10**14  # 1e12 yuan


class Enterprise(models.Model):
    organisation = models.OneToOneField(
        "accounts.Organisation",
        verbose_name=_("账号组织"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enterprise",
    )
    name = models.CharField(_("企业名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, null=True, blank=True)
    district = models.CharField(_("所在区"), max_length=20, choices=DISTRICT_CHOICES, blank=True)
    registered_on = models.DateField(_("成立日期"), null=True, blank=True)
    employees = models.PositiveIntegerField(
        _("员工人数"), null=True, blank=True, validators=[MaxValueValidator(1_000_000)]
    )
    annual_revenue_fen = models.BigIntegerField(
        _("年营业收入（分）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_FEN)],
    )
    is_one_person_company = models.BooleanField(_("一人公司"), null=True, blank=True)
    sector = models.CharField(_("行业"), max_length=30, choices=Sector.choices, blank=True)
    in_cluster = models.BooleanField(_("在产业集聚区内"), null=True, blank=True)
    is_startup = models.BooleanField(_("初创企业"), null=True, blank=True)
    stage = models.CharField(_("孵化阶段"), max_length=30, choices=Stage.choices, default=Stage.IDEA)
    legal_representative = models.CharField(_("法定代表人"), max_length=60, blank=True)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    description = models.TextField(_("简介"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        constraints = [
            models.CheckConstraint(
                condition=Q(annual_revenue_fen__isnull=True) | Q(annual_revenue_fen__gte=0),
                name="enterprise_revenue_non_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["district", "sector"]),
            models.Index(fields=["stage"]),
            # The offers' daily run reads the enterprises changed since the last one.
            models.Index(fields=["updated_at"], name="registry_enterprise_updated"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def annual_revenue_yuan(self):  # type: ignore[no-untyped-def]
        return None if self.annual_revenue_fen is None else yuan_decimal(self.annual_revenue_fen)


class Person(models.Model):
    """A person the centre knows: a founder, a team member, an inventor with patents."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="people",
    )
    user = models.OneToOneField(
        "accounts.User",
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    name = models.CharField(_("姓名"), max_length=60)
    title = models.CharField(_("身份 / 职务"), max_length=60, blank=True)
    mobile = models.CharField(_("手机号"), max_length=20, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("出生年份"), null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("人员")
        verbose_name_plural = _("人员")

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    """A project or a work (作品) with the project facts the rules read."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="projects"
    )
    kind = models.CharField(_("类型"), max_length=30, choices=ProjectKind.choices)
    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("简介"), blank=True)
    year = models.PositiveSmallIntegerField(
        _("年度"), null=True, blank=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    rd_investment_fen = models.BigIntegerField(
        _("实际研发投入（分）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_FEN)],
    )
    self_developed = models.BooleanField(_("自主研发"), null=True, blank=True)
    market_recognized = models.BooleanField(_("市场认可"), null=True, blank=True)
    national_selection = models.BooleanField(_("入选国家级评选项目"), null=True, blank=True)
    excellent = models.BooleanField(_("优秀作品"), null=True, blank=True)
    promotes_city_image = models.BooleanField(_("提升城市形象 / 文商旅体展联动"), null=True, blank=True)
    trainees = models.PositiveIntegerField(
        _("参训人数"), null=True, blank=True, validators=[MaxValueValidator(1_000_000)]
    )
    # Further facts of the rules' vocabulary (e.g. project.award_winning), keyed by fact name.
    extra_facts = models.JSONField(_("其他事实"), default=dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-year", "title", "id"]
        verbose_name = _("项目 / 作品")
        verbose_name_plural = _("项目 / 作品")
        constraints = [
            models.CheckConstraint(
                condition=Q(rd_investment_fen__isnull=True) | Q(rd_investment_fen__gte=0),
                name="project_rd_non_negative",
            ),
        ]
        indexes = [models.Index(fields=["updated_at"], name="registry_project_updated")]

    def __str__(self) -> str:
        return self.title

    @property
    def rd_investment_yuan(self):  # type: ignore[no-untyped-def]
        return None if self.rd_investment_fen is None else yuan_decimal(self.rd_investment_fen)


class Patent(models.Model):
    """A patent held by a person or an enterprise (the community module lists them on the market)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("申请中")
        GRANTED = "granted", _("已授权")
        EXPIRED = "expired", _("已失效")

    number = models.CharField(_("专利号"), max_length=20, unique=True)
    title = models.CharField(_("名称"), max_length=200)
    field = models.CharField(_("技术领域"), max_length=100, blank=True)
    status = models.CharField(_("法律状态"), max_length=20, choices=Status.choices, default=Status.GRANTED)
    holder_person = models.ForeignKey(
        Person,
        verbose_name=_("专利权人（个人）"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="patents",
    )
    holder_enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("专利权人（企业）"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="patents",
    )
    abstract = models.TextField(_("摘要"), blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("专利")
        verbose_name_plural = _("专利")
        constraints = [
            models.CheckConstraint(
                condition=Q(holder_person__isnull=False) | Q(holder_enterprise__isnull=False),
                name="patent_has_holder",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ImportJob(models.Model):
    """An enterprise import too large to run inside one request: the worker runs it in chunks and
    records its progress, so the page can show a bar, and the report when it is done.

    A run owns the job by its `run_token` and shows it is alive by `heartbeat_at` (set when it starts
    and with every committed chunk). A job silent for longer than IMPORT_JOB_LEASE_SECONDS has lost
    its worker: `services.import_jobs_recover` queues it again from its last committed chunk, or
    marks it failed with the rows done once IMPORT_JOB_MAX_RUNS runs have died."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    actor = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(_("文件名"), max_length=255)
    # The uploaded file, kept until the job has run (then emptied: the report is what stays).
    data = models.BinaryField(editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(_("数据行"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理"), default=0)
    # The report so far (counts and bad rows of the committed chunks); the final one once done.
    report = models.JSONField(null=True, blank=True)
    error = models.CharField(_("失败原因"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    run_token = models.CharField(max_length=32, blank=True, editable=False)
    # Runs whose worker died (killed, crashed, machine lost), and the rows committed when the last
    # such run was noticed: the job went on from there.
    interruptions = models.PositiveSmallIntegerField(_("中断次数"), default=0)
    resumed_from = models.PositiveIntegerField(_("断点"), default=0)
    task_id = models.CharField(max_length=64, blank=True, editable=False)  # the current django-tasks result

    class Meta:
        ordering = ["-id"]
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        constraints = [
            models.CheckConstraint(
                condition=Q(processed_rows__lte=models.F("total_rows")), name="import_job_progress_bounded"
            )
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        return 100 if not self.total_rows else self.processed_rows * 100 // self.total_rows

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


# The talent records and training courses live in their own file (registry/talent/models.py).
from shouzhan.registry.talent.models import (  # noqa: E402
    Attendance,
    SkillCertificate,
    TalentRecord,
    TalentShare,
    TalentSupport,
    TalentTitle,
    Trainee,
    TrainingCourse,
    TrainingSession,
)

__all__ = [
    "Attendance",
    "Enterprise",
    "ImportJob",
    "Patent",
    "Person",
    "Project",
    "SkillCertificate",
    "TalentRecord",
    "TalentShare",
    "TalentSupport",
    "TalentTitle",
    "Trainee",
    "TrainingCourse",
    "TrainingSession",
]
