"""Vocabularies of the registry: districts, sectors, incubation stages, project kinds."""

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
    AGENT = "agent", _("智能体 / 技能库")
    ASSET_LIBRARY = "asset_library", _("数字资产库")
    IP_LIBRARY = "ip_library", _("IP 库")
    COURSE = "course", _("培训课程")
    EVENT = "event", _("峰会 / 大赛")
    OVERSEAS = "overseas", _("出海项目")
    SETTLEMENT = "settlement", _("企业落户")
    BASE_OPERATION = "base_operation", _("基地运营")
    VOUCHERS = "vouchers", _("算力·模型·语料券")
    OTHER = "other", _("其他")
