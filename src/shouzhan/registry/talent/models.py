"""Talent records and training — data and constraints only (imported by `registry.models`)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouzhan.registry.talent.choices import (
    CertificateKind,
    Education,
    ShareLevel,
    TalentField,
    TitleLevel,
    TitleSeries,
)


class TalentRecord(models.Model):
    """A person's own talent record: kept by the person, shown to their enterprises as far as they allow."""

    person = models.OneToOneField(
        "registry.Person", verbose_name=_("人员"), on_delete=models.CASCADE, related_name="talent"
    )
    field = models.CharField(_("从业领域"), max_length=30, choices=TalentField.choices, blank=True)
    education = models.CharField(_("最高学历"), max_length=20, choices=Education.choices, blank=True)
    years_experience = models.PositiveSmallIntegerField(
        _("从业年限"), null=True, blank=True, validators=[MaxValueValidator(70)]
    )
    shanghai_hukou = models.BooleanField(_("已有上海户籍"), null=True, blank=True)
    children_school_age = models.PositiveSmallIntegerField(
        _("学龄子女人数"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    summary = models.TextField(_("专长与代表作品"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("人才档案")
        verbose_name_plural = _("人才档案")

    def __str__(self) -> str:
        return str(self.person)


class TalentTitle(models.Model):
    """A professional title (职称) held: entered by the person, or recorded by a title-review case."""

    record = models.ForeignKey(
        TalentRecord, verbose_name=_("人才档案"), on_delete=models.CASCADE, related_name="titles"
    )
    series = models.CharField(_("职称系列"), max_length=20, choices=TitleSeries.choices)
    specialty = models.CharField(_("专业"), max_length=60, blank=True)
    level = models.PositiveSmallIntegerField(_("职称等级"), choices=TitleLevel.choices)
    granted_on = models.DateField(_("取得日期"))
    issuer = models.CharField(_("评审 / 发证机构"), max_length=100, blank=True)
    certificate_no = models.CharField(_("证书编号"), max_length=40, blank=True)
    source_case_id = models.PositiveIntegerField(_("由办件记入"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        ordering = ["-level", "-granted_on", "id"]
        verbose_name = _("职称")
        verbose_name_plural = _("职称")
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=4), name="talent_title_level_range"),
            models.UniqueConstraint(
                fields=["certificate_no"],
                condition=~Q(certificate_no=""),
                name="talent_title_certificate_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_series_display()} {self.get_level_display()}"


class SkillCertificate(models.Model):
    """A skill certificate held (职业技能等级证书, AI视听专项职业能力证书 …)."""

    record = models.ForeignKey(
        TalentRecord, verbose_name=_("人才档案"), on_delete=models.CASCADE, related_name="certificates"
    )
    kind = models.CharField(_("证书类型"), max_length=20, choices=CertificateKind.choices)
    name = models.CharField(_("证书名称"), max_length=100)
    level = models.CharField(_("等级"), max_length=30, blank=True)
    number = models.CharField(_("证书编号"), max_length=40)
    issued_on = models.DateField(_("发证日期"))
    issuer = models.CharField(_("发证机构"), max_length=100, blank=True)
    source_case_id = models.PositiveIntegerField(_("由办件记入"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        ordering = ["-issued_on", "id"]
        verbose_name = _("技能证书")
        verbose_name_plural = _("技能证书")
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="talent_certificate_number_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class TalentSupport(models.Model):
    """The outcome of a support case on the person's record (a recommendation letter, a rental subsidy, a
    school place, a title, a certificate): written by the `talent` module's effect handler, never typed."""

    record = models.ForeignKey(
        TalentRecord, verbose_name=_("人才档案"), on_delete=models.CASCADE, related_name="supports"
    )
    kind = models.CharField(_("服务事项"), max_length=60)  # the case type's key; its label is the case type's
    granted = models.BooleanField(_("是否获得"))
    summary = models.CharField(_("结果"), max_length=300)
    reference = models.CharField(_("文号 / 证书编号"), max_length=60, blank=True)
    decided_on = models.DateField(_("办结日期"))
    source_case_id = models.PositiveIntegerField(_("办件"), unique=True)
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("人才服务结果")
        verbose_name_plural = _("人才服务结果")

    def __str__(self) -> str:
        return self.summary


class TalentShare(models.Model):
    """What one enterprise the person belongs to may read of their record (nothing without a share)."""

    record = models.ForeignKey(
        TalentRecord, verbose_name=_("人才档案"), on_delete=models.CASCADE, related_name="shares"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="talent_shares"
    )
    level = models.CharField(_("可见范围"), max_length=10, choices=ShareLevel.choices)
    created_at = models.DateTimeField(_("授权时间"), default=timezone.now)

    class Meta:
        verbose_name = _("档案授权")
        verbose_name_plural = _("档案授权")
        constraints = [models.UniqueConstraint(fields=["record", "enterprise"], name="talent_share_unique")]

    def __str__(self) -> str:
        return f"{self.record} → {self.enterprise}"


class TrainingCourse(models.Model):
    """A training course an institution (an enterprise of the register) runs; its project is what it applies
    with (hu8.training_course reads the trainees counted from attendance)."""

    organiser = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("举办机构"),
        on_delete=models.PROTECT,
        related_name="training_courses",
    )
    project = models.OneToOneField(
        "registry.Project",
        verbose_name=_("申报项目"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_course",
    )
    title = models.CharField(_("课程名称"), max_length=200)
    field = models.CharField(_("领域"), max_length=30, choices=TalentField.choices, blank=True)
    description = models.TextField(_("课程简介"), blank=True, max_length=5000)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("培训课程")
        verbose_name_plural = _("培训课程")

    def __str__(self) -> str:
        return self.title


class TrainingSession(models.Model):
    course = models.ForeignKey(
        TrainingCourse, verbose_name=_("课程"), on_delete=models.CASCADE, related_name="sessions"
    )
    held_on = models.DateField(_("上课日期"))
    topic = models.CharField(_("主题"), max_length=200)
    hours = models.PositiveSmallIntegerField(_("学时"), default=3, validators=[MaxValueValidator(12)])

    class Meta:
        ordering = ["held_on", "id"]
        verbose_name = _("课次")
        verbose_name_plural = _("课次")
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gte=1, hours__lte=12), name="training_session_hours_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"


class Trainee(models.Model):
    course = models.ForeignKey(
        TrainingCourse, verbose_name=_("课程"), on_delete=models.CASCADE, related_name="trainees"
    )
    person = models.ForeignKey(
        "registry.Person", verbose_name=_("学员"), on_delete=models.PROTECT, related_name="trainings"
    )
    enrolled_on = models.DateField(_("报名日期"), default=timezone.localdate)

    class Meta:
        ordering = ["person__name", "id"]
        verbose_name = _("学员")
        verbose_name_plural = _("学员")
        constraints = [models.UniqueConstraint(fields=["course", "person"], name="trainee_once_per_course")]

    def __str__(self) -> str:
        return str(self.person)


class Attendance(models.Model):
    """Whether a trainee attended a session, recorded once per pair (changed in place, audited)."""

    session = models.ForeignKey(
        TrainingSession, verbose_name=_("课次"), on_delete=models.CASCADE, related_name="attendance"
    )
    trainee = models.ForeignKey(
        Trainee, verbose_name=_("学员"), on_delete=models.CASCADE, related_name="attendance"
    )
    attended = models.BooleanField(_("出勤"))
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("考勤")
        verbose_name_plural = _("考勤")
        constraints = [
            models.UniqueConstraint(fields=["session", "trainee"], name="attendance_once_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.trainee} · {self.session}"
