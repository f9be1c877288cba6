"""The talent support case types, as data (光启人才: 落户、租房、子女教育; 沪8条: 职称评审, AI视听专项职业技能认定).

Each is the centre's service flow (submitted → accepted → in progress → done / refused, the clock stopped while
waiting for the applicant) with its own fields, documents and working-day limit. Opened from the talent pages
by the person or by an enterprise for its member (never from the general "apply" page: they need the person).
What the centre grants is recorded on the person's talent record by SUPPORT_OUTCOME — the step that grants asks
the caseworker for its particulars (the letter's number, the title and its certificate number …).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.utils.translation import gettext_lazy as _l

from shouzhan.cases import workflow as wf
from shouzhan.cases.events import Effect
from shouzhan.registry.talent.choices import (
    NATIONAL_CERTIFICATE_NUMBER,
    OTHER_CERTIFICATE_NUMBER,
    TitleLevel,
    TitleSeries,
)

SUPPORT_OUTCOME = Effect("talent.support_outcome_record", _l("人才服务：在人才档案上记录办理结果"))

SETTLING = "talent.settling"
HOUSING = "talent.housing"
SCHOOLING = "talent.schooling"
TITLE_REVIEW = "talent.title_review"
SKILL_CERTIFICATION = "talent.skill_certification"

# A withdrawn request leaves nothing on the record; a refusal does (with its reason), so the person sees it.
_OUTCOMES: dict[str, tuple[Effect, ...]] = {"complete": (SUPPORT_OUTCOME,), "reject": (SUPPORT_OUTCOME,)}
DOCUMENTS = wf.DocumentRule(formats=frozenset({"pdf", "png", "jpg", "docx"}), max_bytes=10 * 1024 * 1024)
REFERENCE_HINT = _l("4–40 位字母、数字或连字符")
LEVELS = tuple((str(value), label) for value, label in TitleLevel.choices)
SERIES = tuple(TitleSeries.choices)


def _support(
    key: str,
    label: Any,
    description: Any,
    limit_days: int,
    fields: tuple[wf.Field, ...],
    *,
    done: wf.State,
    refused: wf.State,
    grant_label: Any,
    asks: tuple[wf.Field, ...],
    limit_by: tuple[str, tuple[tuple[str, int], ...]] | None = None,
) -> wf.CaseType:
    states, transitions = wf.service_flow(done=done, refused=refused, effects=_OUTCOMES)
    transitions = tuple(
        replace(t, label=grant_label, asks=asks) if t.action == "complete" else t for t in transitions
    )
    return wf.CaseType(
        key=key,
        label=label,
        group="person",  # a person's own: opened under no enterprise when the person applies
        listed=False,  # opened from the talent pages, for a person
        description=description,
        limit_days=limit_days,
        limit_by=limit_by,
        fields=fields,
        documents=DOCUMENTS,
        states=states,
        transitions=transitions,
    )


def _ok(key: str, staff: Any, applicant: Any) -> wf.State:
    return wf.State(key, staff, applicant, final=True, outcome="ok")


def _bad(key: str, staff: Any, applicant: Any) -> wf.State:
    return wf.State(key, staff, applicant, final=True, outcome="bad")


NEED = wf.Field("need", _l("情况说明"), "textarea", required=True)

SETTLING_TYPE = _support(
    SETTLING,
    _l("人才落户推荐"),
    _l("依托“光启人才行动计划”，为行业复合型人才出具落户推荐意见，协助办理人才引进或居转户。"),
    15,
    (
        wf.Field(
            "route",
            _l("落户途径"),
            "choice",
            required=True,
            choices=(
                ("introduction", _l("人才引进")),
                ("residence", _l("居转户")),
                ("graduate", _l("应届毕业生落户")),
                ("returnee", _l("留学回国人员落户")),
            ),
        ),
        wf.Field("residence", _l("现户籍所在地")),
        NEED,
    ),
    done=_ok("recommended", _l("已出具推荐函"), _l("推荐函已出具")),
    refused=_bad("not_recommended", _l("不予推荐"), _l("未能出具推荐")),
    grant_label=_l("出具推荐函"),
    asks=(
        wf.Field(
            "letter_no",
            _l("推荐函编号"),
            required=True,
            pattern=OTHER_CERTIFICATE_NUMBER.pattern,
            pattern_hint=REFERENCE_HINT,
        ),
    ),
)

HOUSING_TYPE = _support(
    HOUSING,
    _l("人才租房补贴 / 人才公寓"),
    _l("为行业人才申请租房补贴或人才公寓（光启人才配套保障）。"),
    10,
    (
        wf.Field(
            "kind",
            _l("申请事项"),
            "choice",
            required=True,
            choices=(("rental_subsidy", _l("租房补贴")), ("apartment", _l("人才公寓"))),
        ),
        wf.Field("address", _l("租住地址或意向区域"), required=True),
        wf.Field("monthly_rent", _l("月租金（元）"), "int", maximum=100000),
        wf.Field("lease_start", _l("租期开始日期"), "date"),
        NEED,
    ),
    done=_ok("granted", _l("已核准"), _l("已核准")),
    refused=_bad("refused", _l("不予核准"), _l("未获核准")),
    grant_label=_l("核准并记入档案"),
    asks=(
        wf.Field(
            "granted",
            _l("核准内容"),
            required=True,
            help=_l("如：租房补贴每月2,000元，共12个月；人才公寓房号"),
        ),
    ),
    # A flat in a talent apartment is allocated from the stock: longer than a subsidy decision.
    limit_by=("kind", (("rental_subsidy", 10), ("apartment", 15))),
)

SCHOOLING_TYPE = _support(
    SCHOOLING,
    _l("人才子女教育协调"),
    _l("为行业人才的子女协调入园、入学或插班（光启人才配套保障）。"),
    10,
    (
        wf.Field(
            "stage",
            _l("入学阶段"),
            "choice",
            required=True,
            choices=(
                ("kindergarten", _l("幼儿园")),
                ("primary", _l("小学")),
                ("junior", _l("初中")),
                ("senior", _l("高中")),
            ),
        ),
        wf.Field("grade", _l("年级（插班时填写）")),
        wf.Field("area", _l("意向学区")),
        NEED,
    ),
    done=_ok("arranged", _l("已协调"), _l("已协调学位")),
    refused=_bad("not_arranged", _l("未能协调"), _l("未能协调学位")),
    grant_label=_l("协调完成并记入档案"),
    asks=(wf.Field("arranged", _l("协调结果"), required=True, help=_l("如：某某小学一年级")),),
)

TITLE_REVIEW_TYPE = _support(
    TITLE_REVIEW,
    _l("职称评审推荐"),
    _l("畅通艺术与工程类职称评审（沪8条）：中心审核材料并报送评审，评审结果记入人才档案。"),
    20,
    (
        wf.Field("series", _l("职称系列"), "choice", required=True, choices=SERIES),
        wf.Field("level", _l("申报等级"), "choice", required=True, choices=LEVELS),
        wf.Field("specialty", _l("专业"), required=True, help=_l("如：数字媒体艺术、广播电视工程")),
        wf.Field("achievements", _l("主要业绩"), "textarea", required=True),
    ),
    done=_ok("granted", _l("评审通过"), _l("评审通过")),
    refused=_bad("refused", _l("评审未通过"), _l("评审未通过")),
    grant_label=_l("评审通过，记入职称"),
    asks=(
        wf.Field("granted_level", _l("取得等级"), "choice", required=True, choices=LEVELS),
        wf.Field(
            "certificate_no",
            _l("职称证书编号"),
            required=True,
            pattern=OTHER_CERTIFICATE_NUMBER.pattern,
            pattern_hint=REFERENCE_HINT,
        ),
        wf.Field("granted_on", _l("取得日期"), "date", required=True),
    ),
)

SKILL_ITEMS = (
    ("ai_av_creation", _l("AI视听内容创作")),
    ("ai_av_production", _l("AI视听后期制作")),
)
SKILL_CERTIFICATION_TYPE = _support(
    SKILL_CERTIFICATION,
    _l("AI视听专项职业技能认定"),
    _l("推进AI视听专项职业技能认定（沪8条）：报名、考核，通过后证书记入人才档案。"),
    20,
    (
        wf.Field("item", _l("认定项目"), "choice", required=True, choices=SKILL_ITEMS),
        wf.Field("course", _l("参加的培训课程")),
        NEED,
    ),
    done=_ok("certified", _l("认定通过"), _l("认定通过")),
    refused=_bad("not_certified", _l("认定未通过"), _l("认定未通过")),
    grant_label=_l("认定通过，记入证书"),
    asks=(
        wf.Field(
            "certificate_no",
            _l("证书编号"),
            required=True,
            pattern=NATIONAL_CERTIFICATE_NUMBER.pattern,
            pattern_hint=_l("S 或 Y 加 21 位数字"),
        ),
        wf.Field("issued_on", _l("发证日期"), "date", required=True),
    ),
)

CASE_TYPES = (SETTLING_TYPE, HOUSING_TYPE, SCHOOLING_TYPE, TITLE_REVIEW_TYPE, SKILL_CERTIFICATION_TYPE)
KEYS = frozenset(ct.key for ct in CASE_TYPES)
