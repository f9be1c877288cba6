"""Vocabularies of the registry: districts, sectors, incubation stages, project kinds."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

# Shanghai's districts; the rules compare enterprise.district to these names.
DISTRICTS = [
    "徐汇",
    "杨浦",
    "闵行",
    "浦东新区",
    "黄浦",
    "静安",
    "长宁",
    "普陀",
    "虹口",
    "宝山",
    "嘉定",
    "松江",
    "青浦",
    "奉贤",
    "金山",
    "崇明",
]
DISTRICT_CHOICES = [(d, d) for d in DISTRICTS]


class Sector(models.TextChoices):
    MICRO_DRAMA = "micro_drama", _("AI 微短剧")
    AI_AGENT = "ai_agent", _("智能体")
    LIVE_STREAMING = "live_streaming", _("直播电商")
    IP_DESIGN = "ip_design", _("IP 设计")
    CROSS_BORDER = "cross_border", _("跨境出海")
    COMPUTE = "compute", _("算力与模型服务")
    GAMES = "games", _("游戏")
    NEW_MATERIALS = "new_materials", _("新材料")
    OTHER = "other", _("其他")


class Stage(models.TextChoices):
    """The incubation path of the live-streaming base: 本土孵化 → 全球变现."""

    IDEA = "idea", _("创意")
    REGISTERED = "registered", _("注册落地")
    IP_DESIGN = "ip_design", _("IP 形象设计")
    COMMERCIALISATION = "commercialisation", _("商业转化（周边·直播带货）")
    OVERSEAS = "overseas", _("跨境出海")


STAGE_ORDER = [s.value for s in Stage]


class ProjectKind(models.TextChoices):
    MICRO_DRAMA = "micro_drama", _("微短剧作品")
    AGENT = "agent", _("智能体")
    SKILL_LIBRARY = "skill_library", _("AI 技能库")
    ASSET_LIBRARY = "asset_library", _("数字资产库")
    IP_LIBRARY = "ip_library", _("IP 库")
    COURSE = "course", _("培训课程")
    EVENT = "event", _("峰会 / 大赛")
    OVERSEAS = "overseas", _("出海项目")
    SETTLEMENT = "settlement", _("企业落户")
    PRODUCTION_ENTITY = "production_entity", _("微短剧制作主体")
    BASE_OPERATION = "base_operation", _("基地运营")
    VOUCHERS = "vouchers", _("算力·模型·语料券")
    OTHER = "other", _("其他")


# What the centre offers to move an enterprise into each stage
# (直播孵化基地: 注册财税 → IP形象 → 周边/直播带货 → 跨境出海).
STAGE_OFFERS: dict[str, Any] = {
    Stage.REGISTERED: _("注册财税：工商注册、代理记账与税务登记，一站办结"),
    Stage.IP_DESIGN: _("IP 形象设计：品牌与 IP 形象打造，数字资产入库与版权登记"),
    Stage.COMMERCIALISATION: _("周边开发与直播带货：直播间预约、选品与带货孵化"),
    Stage.OVERSEAS: _("跨境出海：金融出海、海外发行与跨境电商对接"),
}

# Project facts of the rules' vocabulary kept in Project.extra_facts: (name, label, type).
PROJECT_EXTRA_FACTS: list[tuple[str, Any, str]] = [
    ("script_copyright_holder", _("申报方为剧本版权方"), "bool"),
    ("award_winning", _("获奖作品"), "bool"),
    ("benchmark_work", _("文商旅体展融合标杆作品"), "bool"),
    ("stable_capacity", _("具有稳定产能"), "bool"),
    ("overseas_at_scale", _("出海达到一定规模"), "bool"),
    ("voucher_item", _("券种（算力/模型/语料）"), "str"),
    # Counted from the asset registry (assets.services.library), not typed in a form.
    ("registered_works", _("登记的作品数"), "int"),
    ("registered_versions", _("登记存证的作品版本数"), "int"),
    ("ip_works", _("IP 类作品数（角色、剧本、剧集）"), "int"),
    ("video_minutes", _("登记的视频时长（分钟）"), "int"),
]
VOUCHER_ITEMS = [("compute", _("算力券")), ("model", _("模型券")), ("corpus", _("语料券"))]
