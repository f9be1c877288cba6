"""The facts the rules may read: one data table, shared with the Django side.

`FACTS` maps a dotted fact name to its type and labels. The Django forms, the rule
type checker, the interpreter and the batch back ends all read this one table, so a
fact added here is known everywhere at once. Its labels are the one way a fact is named on
every page: the calculator, the registry's enterprise and project forms and the rule traces
(`fact_label`); `VALUE_LABELS` names a fact's coded values (`value_label`) the same way.

Types: ``str``, ``int``, ``bool``, ``money`` (yuan at the edges, integer fen inside),
``date``. A fact that is absent is *unknown*, never false.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

FactType = Literal["str", "int", "bool", "money", "date"]

# Bounds the batch back ends rely on to prove no integer overflow (see types.py).
MAX_MONEY_FEN: Final = 10**15  # ten trillion yuan
MAX_INT: Final = 10**9


@dataclass(frozen=True, slots=True)
class Fact:
    name: str
    type: FactType
    label_zh: str
    label_en: str
    choices: tuple[str, ...] = ()  # suggested values for str facts (forms); not a closed set

    @property
    def entity(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def field(self) -> str:
        return self.name.split(".", 1)[1]


DISTRICTS: Final = (
    "黄浦",
    "徐汇",
    "长宁",
    "静安",
    "普陀",
    "虹口",
    "杨浦",
    "闵行",
    "宝山",
    "嘉定",
    "浦东新区",
    "金山",
    "松江",
    "青浦",
    "奉贤",
    "崇明",
)
SECTORS: Final = ("micro_drama", "ai_agent", "live_streaming", "ip_design", "cross_border", "other")
PROJECT_KINDS: Final = (
    "agent",
    "skill_library",
    "micro_drama",
    "asset_library",
    "ip_library",
    "course",
    "event",
    "overseas",
    "settlement",
    "base_operation",
    "production_entity",
    "vouchers",
)
VOUCHER_ITEMS: Final = ("compute", "model", "corpus")
# A talent's field of work and education (registry's talent records: docs/talent.md).
TALENT_FIELDS: Final = (
    "ai_audiovisual",
    "micro_drama",
    "live_streaming",
    "ip_design",
    "ai_engineering",
    "other",
)
EDUCATION_LEVELS: Final = ("secondary", "college", "bachelor", "master", "doctor")
# Talent categories (光启人才, as the talent rules decide them: registry/talent/categories.yaml), highest first.
TALENT_CATEGORIES: Final = ("leading", "composite", "youth", "skilled", "none")

_TABLE: tuple[Fact, ...] = (
    # enterprise.* — who applies
    Fact("enterprise.district", "str", "所在区", "district", DISTRICTS),
    Fact("enterprise.registered_on", "date", "成立日期", "date of establishment"),
    Fact("enterprise.employees", "int", "员工人数", "employees"),
    Fact("enterprise.annual_revenue_yuan", "money", "年营业收入（元）", "annual revenue (yuan)"),
    Fact("enterprise.is_one_person_company", "bool", "是否一人公司", "one-person company"),
    Fact("enterprise.sector", "str", "所属行业", "sector", SECTORS),
    Fact("enterprise.in_cluster", "bool", "是否入驻产业集聚区", "in the industrial cluster"),
    Fact("enterprise.is_startup", "bool", "是否初创企业", "startup"),
    # project.* — what the application is about
    Fact("project.kind", "str", "项目类型", "project kind", PROJECT_KINDS),
    Fact("project.rd_investment_yuan", "money", "实际研发投入（元）", "actual R&D investment (yuan)"),
    Fact("project.self_developed", "bool", "是否自主研发", "self-developed"),
    Fact("project.market_recognized", "bool", "是否获市场认可", "recognised by the market"),
    Fact("project.national_selection", "bool", "是否入选国家级评选项目", "selected by a national programme"),
    Fact(
        "project.script_copyright_holder",
        "bool",
        "申报方是否为剧本版权方",
        "applicant holds the script copyright",
    ),
    Fact("project.excellent", "bool", "是否优秀/精品作品", "excellent work"),
    Fact("project.award_winning", "bool", "是否获奖作品", "award-winning work"),
    Fact(
        "project.benchmark_work",
        "bool",
        "是否文商旅体展融合标杆作品",
        "benchmark culture-commerce-tourism work",
    ),
    Fact(
        "project.promotes_city_image",
        "bool",
        "是否提升城市形象、促进文商旅体展联动",
        "promotes the city image",
    ),
    Fact("project.stable_capacity", "bool", "是否具有稳定产能", "stable production capacity"),
    Fact("project.overseas_at_scale", "bool", "出海是否达到一定规模", "overseas distribution at scale"),
    Fact("project.voucher_item", "str", "券种（算力/模型/语料）", "voucher item", VOUCHER_ITEMS),
    Fact("project.trainees", "int", "参训人数", "trainees"),
    # Counted from the asset registry (assets.services.library) for a digital asset or IP library.
    Fact("project.registered_works", "int", "登记的作品数", "works registered"),
    Fact("project.registered_versions", "int", "登记存证的作品版本数", "work versions registered"),
    Fact(
        "project.ip_works", "int", "IP 类作品数（角色、剧本、剧集）", "IP works (characters, scripts, series)"
    ),
    Fact("project.video_minutes", "int", "登记的视频时长（分钟）", "video registered (minutes)"),
    Fact("project.year", "int", "申报年度", "year applied for"),
    # person.* — a talent's own record (registry's talent records), for the support a person applies for.
    Fact("person.field", "str", "从业领域", "field of work", TALENT_FIELDS),
    Fact("person.education", "str", "最高学历", "highest education", EDUCATION_LEVELS),
    Fact("person.age", "int", "年龄（周岁）", "age (years)"),
    Fact("person.years_experience", "int", "从业年限", "years in the field"),
    Fact(
        "person.title_level",
        "int",
        "最高职称等级（1初级–4正高级）",
        "highest title level (1 junior – 4 senior)",
    ),
    Fact("person.art_title_level", "int", "艺术系列职称等级", "title level in the art series"),
    Fact(
        "person.engineering_title_level", "int", "工程系列职称等级", "title level in the engineering series"
    ),
    Fact("person.skill_certificates", "int", "职业技能证书数", "skill certificates held"),
    Fact(
        "person.ai_av_certified",
        "bool",
        "是否取得AI视听专项职业能力证书",
        "holds the AI audiovisual skill certificate",
    ),
    Fact("person.courses_completed", "int", "完成的培训课程数", "training courses completed"),
    Fact("person.training_hours", "int", "出勤培训学时", "training hours attended"),
    Fact("person.shanghai_hukou", "bool", "是否已有上海户籍", "holds a Shanghai hukou"),
    Fact("person.children_school_age", "int", "学龄子女人数", "children of school age"),
    Fact("person.category", "str", "人才类别", "talent category", TALENT_CATEGORIES),
)

FACTS: Final[dict[str, Fact]] = {f.name: f for f in _TABLE}
ENTITIES: Final = ("enterprise", "project", "person")

# The words for a fact's coded values, (Chinese, English), per fact. The registry's choices say the same
# (a test holds them equal), so a project kind reads alike on the calculator, the project form and a trace.
_PROJECT_KINDS: dict[str, tuple[str, str]] = {
    "micro_drama": ("微短剧作品", "micro-drama"),
    "agent": ("智能体", "AI agent"),
    "skill_library": ("AI 技能库", "AI skill library"),
    "asset_library": ("数字资产库", "digital asset library"),
    "ip_library": ("IP 库", "IP library"),
    "course": ("培训课程", "training course"),
    "event": ("峰会 / 大赛", "summit / contest"),
    "overseas": ("出海项目", "overseas project"),
    "settlement": ("企业落户", "settling in the district"),
    "base_operation": ("基地运营", "base operation"),
    "production_entity": ("微短剧制作主体", "micro-drama production entity"),
    "vouchers": ("算力·模型·语料券", "compute, model and corpus vouchers"),
    "other": ("其他", "other"),
}
VALUE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "project.kind": _PROJECT_KINDS,
    "enterprise.sector": {
        "micro_drama": ("AI 微短剧", "AI micro-drama"),
        "ai_agent": ("智能体", "AI agents"),
        "live_streaming": ("直播电商", "live-streaming commerce"),
        "ip_design": ("IP 设计", "IP design"),
        "cross_border": ("跨境出海", "cross-border"),
        "compute": ("算力与模型服务", "compute and model services"),
        "games": ("游戏", "games"),
        "new_materials": ("新材料", "new materials"),
        "other": ("其他", "other"),
    },
    "person.field": {
        "ai_audiovisual": ("AI 视听创制", "AI audiovisual creation"),
        "micro_drama": ("微短剧创作", "micro-drama creation"),
        "live_streaming": ("直播与内容创作", "live streaming and content"),
        "ip_design": ("IP 设计", "IP design"),
        "ai_engineering": ("人工智能工程", "AI engineering"),
        "other": ("其他", "other"),
    },
    "person.education": {
        "secondary": ("高中 / 中专", "secondary school"),
        "college": ("大专", "college"),
        "bachelor": ("本科", "bachelor's degree"),
        "master": ("硕士研究生", "master's degree"),
        "doctor": ("博士研究生", "doctorate"),
    },
    "person.category": {
        "leading": ("领军人才", "Leading talent"),
        "composite": ("复合型人才（AI视听）", "Composite talent (AI audiovisual)"),
        "youth": ("青年人才", "Young talent"),
        "skilled": ("技能人才", "Skilled talent"),
        "none": ("尚未认定类别", "No category yet"),
    },
    "project.voucher_item": {
        "compute": ("算力券", "compute voucher"),
        "model": ("模型券", "model voucher"),
        "corpus": ("语料券", "corpus voucher"),
    },
}


# Facts another module measures for its own definitions (insight's targets: `enterprise.tenancy_months` …),
# registered so that their names and coded values read in words wherever an expression is shown.
_MEASURED: dict[str, Fact] = {}


def measured_facts_register(facts: Iterable[Fact], values: Mapping[str, dict[str, tuple[str, str]]]) -> None:
    """Make `facts` (not the policies' vocabulary) and their coded `values` known to the labels."""
    for fact in facts:
        _MEASURED[fact.name] = fact
    for name, table in values.items():
        VALUE_LABELS[name] = table


def fact_label(name: str, *, english: bool = False) -> str:
    """The fact's name as people read it (the dotted name itself for a fact not in the table)."""
    fact = FACTS.get(name) or _MEASURED.get(name)
    if fact is None:
        return name
    return fact.label_en[:1].upper() + fact.label_en[1:] if english else fact.label_zh


def value_label(name: str, value: str, *, english: bool = False) -> str:
    """A coded value of a fact in words: ("project.kind", "micro_drama") → 微短剧作品; unknown codes as they are."""
    if name in VALUE_LABELS:
        labels = VALUE_LABELS[name].get(value)
    else:
        # Without a fact to go by (a value compared to a computed one), the first table that knows it.
        labels = next((table[value] for table in VALUE_LABELS.values() if value in table), None)
    if labels is None:
        return value  # a district, or a code the table does not list, reads as itself
    return labels[1] if english else labels[0]


def suggest(name: str, facts: Mapping[str, Fact] | None = None) -> str | None:
    """The closest known fact name (of `facts`, default `FACTS`), for 'did you mean' messages."""
    import difflib

    found = difflib.get_close_matches(name, list(FACTS if facts is None else facts), n=1, cutoff=0.6)
    return found[0] if found else None
