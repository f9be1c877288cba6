"""The facts a target's definition may read: the policies' vocabulary (`shouzhan.rules.FACTS`) and the facts
insight measures from the platform's records at a month's end (see `frames.py`, which builds them).

An enterprise target reads `enterprise.*`; a filing target reads `filing.*` and its enterprise's facts.
The types are the rules' types, so a definition is checked by the same type checker as a clause."""

from __future__ import annotations

from typing import Final

from shouzhan.registry.choices import STAGE_ORDER
from shouzhan.rules.vocabulary import FACTS, Fact, measured_facts_register

MEASURED: Final = (
    Fact("enterprise.stage", "str", "孵化阶段", "incubation stage", tuple(STAGE_ORDER)),
    Fact("enterprise.tenancy_months", "int", "在中心空间累计租用月数", "months renting the centre's spaces"),
    Fact("enterprise.has_tenancy", "bool", "月末在租", "renting at the month's end"),
    Fact("enterprise.patents", "int", "持有专利数", "patents held"),
    Fact("enterprise.approved_filings", "int", "通过的完成片备案数", "approved finished-film filings"),
    Fact("enterprise.salons_attended", "int", "成员参加沙龙活动人次", "salon attendances of its members"),
    Fact("filing.kind", "str", "备案类型", "filing kind", ("planning", "finished_film")),
    Fact("filing.approved", "bool", "备案通过", "filing approved"),
    Fact("filing.decided_on", "date", "备案办结日期", "date the filing was decided"),
    Fact("filing.ai_share_percent", "int", "AI 生成内容占比（%）", "AI-generated share (%)"),
    Fact("filing.episodes", "int", "集数", "episodes"),
)

MEASURE_FACTS: Final[dict[str, Fact]] = {
    **{n: f for n, f in FACTS.items() if f.entity == "enterprise"},
    **{f.name: f for f in MEASURED},
}

# Which facts a target counting each kind of record may read.
ENTITIES_FOR: Final[dict[str, tuple[str, ...]]] = {
    "enterprise": ("enterprise",),
    "filing": ("filing", "enterprise"),
}


def facts_for(counts: str) -> dict[str, Fact]:
    allowed = ENTITIES_FOR[counts]
    return {n: f for n, f in MEASURE_FACTS.items() if f.entity in allowed}


# Their words on every page that shows a definition (`policies.plain`) — the stages as the register says them.
measured_facts_register(
    MEASURED,
    {
        "enterprise.stage": {
            "idea": ("创意", "idea"),
            "registered": ("注册落地", "registered"),
            "ip_design": ("IP 形象设计", "IP design"),
            "commercialisation": ("商业转化（周边·直播带货）", "commercialisation"),
            "overseas": ("跨境出海", "overseas"),
        },
        "filing.kind": {
            "planning": ("规划备案", "planning filing"),
            "finished_film": ("完成片上线备案", "finished-film filing"),
        },
    },
)
