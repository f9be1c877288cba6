"""The facts the rules may read: one data table, shared with the Django side.

`FACTS` maps a dotted fact name to its type and labels. The Django forms, the rule
type checker, the interpreter and the batch back ends all read this one table, so a
fact added here is known everywhere at once.

Types: ``str``, ``int``, ``bool``, ``money`` (yuan at the edges, integer fen inside),
``date``. A fact that is absent is *unknown*, never false.
"""

from __future__ import annotations

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

_TABLE: tuple[Fact, ...] = (
    # enterprise.* — who applies
    Fact("enterprise.district", "str", "所在区", "district", DISTRICTS),
    Fact("enterprise.registered_on", "date", "注册日期", "registered on"),
    Fact("enterprise.employees", "int", "从业人数", "employees"),
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
    Fact("project.year", "int", "申报年度", "year applied for"),
)

FACTS: Final[dict[str, Fact]] = {f.name: f for f in _TABLE}
ENTITIES: Final = ("enterprise", "project")


def suggest(name: str) -> str | None:
    """The closest known fact name, for 'did you mean' messages."""
    import difflib

    found = difflib.get_close_matches(name, list(FACTS), n=1, cutoff=0.6)
    return found[0] if found else None
