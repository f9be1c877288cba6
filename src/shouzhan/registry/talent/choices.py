"""The talent records' coded values, in the same words as the rules' vocabulary (`rules.vocabulary`)."""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _


class TalentField(models.TextChoices):
    AI_AUDIOVISUAL = "ai_audiovisual", _("AI 视听创制")
    MICRO_DRAMA = "micro_drama", _("微短剧创作")
    LIVE_STREAMING = "live_streaming", _("直播与内容创作")
    IP_DESIGN = "ip_design", _("IP 设计")
    AI_ENGINEERING = "ai_engineering", _("人工智能工程")
    OTHER = "other", _("其他")


class Education(models.TextChoices):
    SECONDARY = "secondary", _("高中 / 中专")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科")
    MASTER = "master", _("硕士研究生")
    DOCTOR = "doctor", _("博士研究生")


class TitleSeries(models.TextChoices):
    """The two series 沪8条 opens for the industry (畅通艺术与工程类职称评审)."""

    ART = "art", _("艺术系列")
    ENGINEERING = "engineering", _("工程系列")


class TitleLevel(models.IntegerChoices):
    JUNIOR = 1, _("初级")
    INTERMEDIATE = 2, _("中级")
    ASSOCIATE_SENIOR = 3, _("副高级")
    SENIOR = 4, _("正高级")


class CertificateKind(models.TextChoices):
    AI_AV = "ai_av", _("AI视听专项职业能力证书")
    VOCATIONAL = "vocational", _("职业技能等级证书")
    OTHER = "other", _("其他技能证书")


class ShareLevel(models.TextChoices):
    """How much of a record an enterprise the person belongs to may read."""

    PROFILE = "profile", _("概况：领域、类别和职称")
    FULL = "full", _("全部：另含证书、培训和人才服务办件")


# Certificate numbers. A national vocational-skill or special-skill certificate is numbered in the national
# skill-certificate system: one letter (S for a skill level, Y for a special skill) and 21 digits. Other
# certificates and title certificates: 4 to 40 letters, digits and hyphens.
NATIONAL_CERTIFICATE_NUMBER = re.compile(r"[SY]\d{21}")
OTHER_CERTIFICATE_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]{2,38}[A-Za-z0-9]")
CERTIFICATE_NUMBER_SHAPES = {
    CertificateKind.AI_AV: (NATIONAL_CERTIFICATE_NUMBER, _("S 或 Y 加 21 位数字，如 Y310000202600012345678")),
    CertificateKind.VOCATIONAL: (
        NATIONAL_CERTIFICATE_NUMBER,
        _("S 或 Y 加 21 位数字，如 S310000202600012345678"),
    ),
    CertificateKind.OTHER: (OTHER_CERTIFICATE_NUMBER, _("4–40 位字母、数字或连字符")),
}
TITLE_CERTIFICATE_NUMBER = (OTHER_CERTIFICATE_NUMBER, _("4–40 位字母、数字或连字符"))
