"""Works and their versions, stored by content, with proof of existence, fingerprints, licences and reports.

A work (作品 / 资产) belongs to one enterprise: a micro-drama series and its episodes, a script, a character
or IP design, a storyboard, an AI model, a training corpus, a skill library. Each upload is a new version;
its file is a `Blob` named by its SHA-256, stored once however often it is uploaded. Every version gets a
time-stamp (RFC 3161) from the configured authority and, for images, video and audio, fingerprints that
find a cut, resized or watermarked copy. Provenance links a version to the versions it came from (a model
version trained on corpus versions). Licences are offered and granted on a work's versions. An
infringement report keeps the suspect copy, its matches and the rights-protection case opened for it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shouzhan.core.limits import LONG_TEXT, TEXT, TextLimit


class WorkKind(models.TextChoices):
    SERIES = "series", _("微短剧（剧集）")
    EPISODE = "episode", _("单集 / 成片")
    SCRIPT = "script", _("剧本")
    CHARACTER = "character", _("角色 / IP 形象")
    STORYBOARD = "storyboard", _("分镜")
    MUSIC = "music", _("音乐 / 音效")
    AI_MODEL = "ai_model", _("AI 模型")
    CORPUS = "corpus", _("训练语料")
    SKILL_LIBRARY = "skill_library", _("技能库")
    OTHER = "other", _("其他")


# Kinds an IP library (IP 库) is made of; the rest make a digital asset library (数字资产库).
IP_KINDS = frozenset({WorkKind.CHARACTER, WorkKind.SCRIPT, WorkKind.SERIES})


class MediaKind(models.TextChoices):
    VIDEO = "video", _("视频")
    AUDIO = "audio", _("音频")
    IMAGE = "image", _("图片")
    DOCUMENT = "document", _("文档")
    ARCHIVE = "archive", _("压缩包")


class Blob(models.Model):
    """A file's content, named by its SHA-256: stored once, never changed, never deleted while referenced."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, primary_key=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    format = models.CharField(_("格式"), max_length=10)
    media = models.CharField(_("媒体类型"), max_length=10, choices=MediaKind.choices)
    file = models.FileField(max_length=255)  # assets/blobs/ab/cdef…  (see services.blobs)
    duration_ms = models.PositiveBigIntegerField(_("时长（毫秒）"), null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("首次保存"), default=timezone.now)

    def __str__(self) -> str:
        return self.sha256[:12]


class Work(models.Model):
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("权利人"), on_delete=models.PROTECT, related_name="works"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=WorkKind.choices)
    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("简介"), blank=True, validators=[TextLimit(LONG_TEXT)])
    parent = models.ForeignKey(
        "self",
        verbose_name=_("所属剧集"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parts",
    )
    episode_no = models.PositiveIntegerField(
        _("集数"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    # 数字版权唯一标识 (DCI), where the work is registered with the copyright protection centre.
    dci = models.CharField(_("DCI 标识"), max_length=40, blank=True)
    # Published works are listed for other enterprises (licences offered, the community search);
    # an unpublished work is seen by its own enterprise and the centre's staff only.
    published = models.BooleanField(_("公开"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(pgettext_lazy("registration", "登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(default=1)  # optimistic lock for edits from two pages

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("作品 / 资产")
        verbose_name_plural = _("作品 / 资产")
        constraints = [
            models.UniqueConstraint(fields=["dci"], condition=~Q(dci=""), name="assets_work_dci_unique"),
        ]
        indexes = [models.Index(fields=["enterprise", "kind"])]

    def __str__(self) -> str:
        return self.title


class AssetVersion(models.Model):
    class Stamp(models.TextChoices):
        PENDING = "pending", _("待加盖时间戳")
        STAMPED = "stamped", _("已存证")
        FAILED = "failed", _("时间戳失败，待重试")

    class Prints(models.TextChoices):
        NONE = "none", _("无需指纹")
        PENDING = "pending", _("待提取指纹")
        DONE = "done", _("已提取指纹")
        FAILED = "failed", _("指纹提取失败")

    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="versions")
    filename = models.CharField(_("文件名"), max_length=255)
    note = models.CharField(_("版本说明"), max_length=TEXT, blank=True)
    # A short public code for the certificate's QR and the verification page (never the row id).
    code = models.CharField(_("存证编号"), max_length=20, unique=True)
    stamp_state = models.CharField(_("存证状态"), max_length=10, choices=Stamp.choices, default=Stamp.PENDING)
    prints_state = models.CharField(_("指纹状态"), max_length=10, choices=Prints.choices, default=Prints.NONE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(pgettext_lazy("registration", "登记时间"), default=timezone.now)

    class Meta:
        ordering = ["work", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["work", "number"], name="assets_version_number_unique"),
            models.UniqueConstraint(fields=["work", "blob"], name="assets_version_blob_once"),
        ]

    def __str__(self) -> str:
        return f"{self.work} v{self.number}"


class Timestamp(models.Model):
    """An RFC 3161 time-stamp response for a version's SHA-256, as the authority returned it."""

    version = models.OneToOneField(AssetVersion, on_delete=models.PROTECT, related_name="timestamp")
    tsa_name = models.CharField(_("时间戳机构"), max_length=200)
    response_der = models.BinaryField(_("时间戳应答"))
    gen_time = models.DateTimeField(_("时间戳时间"))
    serial = models.CharField(_("序列号"), max_length=64)
    policy = models.CharField(_("策略"), max_length=100, blank=True)
    hash_name = models.CharField(max_length=10, default="sha256")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.version} @ {self.gen_time:%Y-%m-%d %H:%M:%S}"


class Fingerprint(models.Model):
    """One segment of a version's fingerprints: video frame hashes (uint64, `step_ms` apart from
    `start_ms`), audio chromaprint values (uint32) or an image's hashes (plain and mirrored)."""

    version = models.ForeignKey(AssetVersion, on_delete=models.CASCADE, related_name="fingerprints")
    kind = models.CharField(max_length=10, choices=MediaKind.choices)
    start_ms = models.PositiveBigIntegerField(default=0)
    end_ms = models.PositiveBigIntegerField(default=0)
    step_ms = models.FloatField(default=0)  # audio items are 0.1238 s apart: not a whole millisecond
    hashes = models.BinaryField()

    class Meta:
        ordering = ["version", "kind", "start_ms"]
        indexes = [models.Index(fields=["kind", "version"])]

    def __str__(self) -> str:
        return f"{self.version} {self.kind} {self.start_ms}"


class Provenance(models.Model):
    """`target` came from `source`: a model version trained on a corpus version, an episode cut from a
    series master, a character design used in a storyboard."""

    class Relation(models.TextChoices):
        TRAINED_ON = "trained_on", _("训练自")
        DERIVED_FROM = "derived_from", _("改编 / 衍生自")
        USES = "uses", _("使用了")

    target = models.ForeignKey(AssetVersion, on_delete=models.CASCADE, related_name="sources")
    source = models.ForeignKey(AssetVersion, on_delete=models.PROTECT, related_name="derived")
    relation = models.CharField(_("关系"), max_length=20, choices=Relation.choices)
    note = models.CharField(_("说明"), max_length=TEXT, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["target", "source", "relation"], name="assets_provenance_once"),
            models.CheckConstraint(
                condition=~Q(target=models.F("source")), name="assets_provenance_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target} ← {self.source}"


class Licence(models.Model):
    """A licence on a work's versions: offered by the holder to anyone (no licensee yet), requested by an
    enterprise (brokered through the centre as a case), granted, or ended."""

    class State(models.TextChoices):
        OFFERED = "offered", _("可授权")
        REQUESTED = "requested", _("申请中")
        GRANTED = "granted", _("已授权")
        REFUSED = "refused", _("未达成")
        ENDED = "ended", _("已终止")

    class Scope(models.TextChoices):
        BROADCAST = "broadcast", _("信息网络传播")
        ADAPTATION = "adaptation", _("改编 / 二次创作")
        MERCHANDISE = "merchandise", _("衍生品 / 周边")
        TRAINING = "training", _("AI 训练使用")
        OVERSEAS = "overseas", _("海外发行")
        OTHER = "other", _("其他")

    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="licences")
    versions = models.ManyToManyField(AssetVersion, related_name="licences", blank=True)
    holder = models.ForeignKey("registry.Enterprise", on_delete=models.PROTECT, related_name="licences_given")
    licensee = models.ForeignKey(
        "registry.Enterprise", null=True, blank=True, on_delete=models.PROTECT, related_name="licences_taken"
    )
    offer = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )  # the offer a request answers
    state = models.CharField(_("状态"), max_length=10, choices=State.choices)
    scope = models.CharField(_("授权范围"), max_length=20, choices=Scope.choices)
    exclusive = models.BooleanField(_("独占"), default=False)
    territory = models.CharField(_("地域"), max_length=100)
    starts_on = models.DateField(_("起始日"))
    ends_on = models.DateField(_("终止日"))
    fee_fen = models.BigIntegerField(
        _("许可费（分）"), validators=[MinValueValidator(0), MaxValueValidator(10**15)]
    )
    terms = models.TextField(_("其他条款"), blank=True, validators=[TextLimit(LONG_TEXT)])
    case = models.OneToOneField(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="licence"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="assets_licence_term"
            ),
            models.CheckConstraint(condition=Q(fee_fen__gte=0), name="assets_licence_fee_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.work} · {self.get_scope_display()}"


class InfringementReport(models.Model):
    """A suspect copy seen somewhere, matched against the registry, and the case opened for it."""

    class Platform(models.TextChoices):
        DOUYIN = "douyin", _("抖音")
        KUAISHOU = "kuaishou", _("快手")
        BILIBILI = "bilibili", _("哔哩哔哩")
        WECHAT = "wechat", _("微信视频号")
        XIAOHONGSHU = "xiaohongshu", _("小红书")
        OVERSEAS = "overseas", _("海外平台")
        OTHER = "other", _("其他")

    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.PROTECT, related_name="reports")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suspect = models.ForeignKey(Blob, null=True, blank=True, on_delete=models.PROTECT, related_name="reports")
    suspect_filename = models.CharField(_("疑似侵权文件"), max_length=255, blank=True)
    link = models.URLField(_("链接"), max_length=500, blank=True)
    platform = models.CharField(_("平台"), max_length=20, choices=Platform.choices)
    account = models.CharField(_("发布账号"), max_length=200, blank=True)
    first_seen_on = models.DateField(_("首次发现日期"))
    note = models.TextField(_("说明"), blank=True, validators=[TextLimit(TEXT)])
    case = models.OneToOneField(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="infringement"
    )
    # Recorded from the case's outcome (assets.effects): the case's final state and its note.
    outcome = models.CharField(_("维权结果"), max_length=20, blank=True)
    outcome_note = models.TextField(_("结果说明"), blank=True, validators=[TextLimit(TEXT)])
    outcome_on = models.DateField(_("结果日期"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(suspect=None) | ~Q(link=""), name="assets_report_file_or_link"
            ),
        ]

    def __str__(self) -> str:
        return self.suspect_filename or self.link


class ReportMatch(models.Model):
    """A registered version the suspect copy matched, with the time ranges in both and the score."""

    report = models.ForeignKey(InfringementReport, on_delete=models.CASCADE, related_name="matches")
    version = models.ForeignKey(AssetVersion, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=MediaKind.choices)
    score = models.FloatField(_("相似度"))
    query_start_ms = models.PositiveBigIntegerField(default=0)
    query_end_ms = models.PositiveBigIntegerField(default=0)
    ref_start_ms = models.PositiveBigIntegerField(default=0)
    ref_end_ms = models.PositiveBigIntegerField(default=0)
    mirrored = models.BooleanField(default=False)
    # Chosen by the reporter: the case is about these matches (a match they own, or one they reject).
    selected = models.BooleanField(default=True)

    class Meta:
        ordering = ["report", "-score", "id"]

    def __str__(self) -> str:
        return f"{self.report} ~ {self.version}"


class EvidencePack(models.Model):
    """The evidence pack of a report, frozen when it was made: a PDF and a zip, each stored as a blob."""

    report = models.ForeignKey(InfringementReport, on_delete=models.PROTECT, related_name="packs")
    number = models.PositiveIntegerField()
    pdf = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    archive = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["report", "-number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="assets_pack_number_unique")]

    def __str__(self) -> str:
        return f"{self.report} #{self.number}"
