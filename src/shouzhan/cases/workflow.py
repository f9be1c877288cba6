"""Case types as data: states, transitions, who may take them, labels, working-day limits.

Adding a case type is adding data: build a `CaseType` and call `register_case_type`
(other modules do it from their AppConfig.ready()). Nothing else in the cases module
needs to change: services, pages and the API read everything from here.

Clock semantics (working days from `core.workdays`):
- On submission the case is due `CaseType.limit_days` working days after the submission date.
- A state with `stops_clock` (waiting for the applicant) freezes the clock; when the
  case leaves it, the due date moves by the working days spent waiting.
- A state with its own `limit_days` (e.g. 公示 for five working days) sets a fresh due
  date counted from the day the case enters it.
- A `final` state closes the case; it was on time when closed on or before the due date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.translation import gettext_lazy as _l

from shouzhan.cases.events import Effect
from shouzhan.cases.files import formats_text

# Who may take a transition: relations of the actor to the case (any one suffices).
APPLICANT = "applicant"  # a member of the case's enterprise (or the user who submitted it)
ASSIGNEE = "assignee"  # the caseworker assigned to the case
CASEWORKER = "caseworker"  # any caseworker (or an administrator)
POLICY_OFFICER = "policy_officer"  # a policy officer (or an administrator)
SYSTEM = "system"  # a system actor: a string such as "system:spaces"
# A member of the department a ticket is dispatched to: given by the module that dispatches
# (cases.permissions.relation_provider_register), since cases knows nothing of departments.
DEPARTMENT = "department"
RELATIONS = frozenset({APPLICANT, ASSIGNEE, CASEWORKER, POLICY_OFFICER, SYSTEM, DEPARTMENT})

RELATION_LABELS = {
    APPLICANT: _l("申请人"),
    ASSIGNEE: _l("承办专员"),
    CASEWORKER: _l("营商专员"),
    POLICY_OFFICER: _l("政策专员"),
    SYSTEM: _l("系统"),
    DEPARTMENT: _l("承办部门"),
}


@dataclass(frozen=True)
class State:
    key: str
    staff_label: Any
    applicant_label: Any
    limit_days: int | None = None  # a fresh deadline counted from entering this state
    stops_clock: bool = False  # waiting for the applicant: the clock does not run
    final: bool = False
    outcome: str = ""  # for final states: "ok" (granted/done) or "bad" (refused/withdrawn)


@dataclass(frozen=True)
class Transition:
    action: str
    label: Any
    sources: tuple[str, ...]
    target: str
    who: frozenset[str]
    needs_note: bool = False  # a reason is required (refusals, requests for information)
    needs_amount: bool = False  # an amount in fen is required (approval of a policy application)
    style: str = "primary"  # button style on the pages: primary | accent | danger | ghost
    edits_data: bool = False  # the page offers the case type's fields and uploads with it (resubmission)
    effects: tuple[Effect, ...] = ()  # what taking it does in other modules (cases.events)
    # What the staff record with this step (an outcome's particulars: the title granted, the certificate
    # number): checked like the case type's fields, kept in the case's data, handed to the effects.
    asks: tuple[Field, ...] = ()


@dataclass(frozen=True)
class Field:
    """A piece of data the applicant fills in (stored in Case.data under `name`)."""

    name: str
    label: Any
    kind: str = "text"  # text | textarea | int | percent | date | choice
    required: bool = False
    help: Any = ""
    choices: tuple[tuple[str, Any], ...] = ()  # for kind "choice": (value, label)
    staff_only: bool = False  # shown to the centre's staff only (e.g. a reporter's contact)
    # Bounds of an "int" or "percent" field (inclusive); None takes the kind's own: 0 and, for a
    # percent, 100. A filing of 0 episodes is not a filing, so such fields say their minimum.
    minimum: int | None = None
    maximum: int | None = None
    # A text field's shape (a regular expression the whole value must match, e.g. a certificate number)
    # and how it is described to the person who got it wrong ("S 或 Y 加 21 位数字").
    pattern: str = ""
    pattern_hint: Any = ""

    @property
    def bounds(self) -> tuple[int, int | None]:
        """(lowest, highest or None) a number in this field may be."""
        low = 0 if self.minimum is None else self.minimum
        high = 100 if self.maximum is None and self.kind == "percent" else self.maximum
        return low, high

    def display(self, value: Any) -> Any:
        """The value as people read it (the label of a choice)."""
        if self.kind == "choice":
            return next((label for key, label in self.choices if key == value), value)
        return value


@dataclass(frozen=True)
class DocumentRule:
    """What files a case type accepts: formats are detected from the content, not the name."""

    formats: frozenset[str] = frozenset({"pdf", "png", "jpg", "docx", "xlsx"})
    max_bytes: int = 10 * 1024 * 1024

    @property
    def formats_text(self) -> str:
        return formats_text(self.formats)


@dataclass(frozen=True)
class CaseType:
    key: str
    label: Any
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    limit_days: int = 10  # working days from submission to the end
    initial: str = "submitted"
    fields: tuple[Field, ...] = ()
    documents: DocumentRule = field(default_factory=DocumentRule)
    description: Any = ""
    listed: bool = (
        True  # offered on the "apply" page to enterprise members (others are opened by modules/staff)
    )
    group: str = (
        "service"  # policy | filing | service | ticket | person (a person's own, e.g. talent support) | other
    )
    # A time limit chosen by a field's value, e.g. ("urgency", (("urgent", 2), ("critical", 1))):
    # a value not listed (or no value) keeps `limit_days`.
    limit_by: tuple[str, tuple[tuple[str, int], ...]] | None = None
    # For a case type whose limits are its owner's data (frontline: the dispatch catalogue a ticket was sent
    # under): `due_for(case, transition, today)` gives the deadline from that step on, or None to keep it.
    due_for: Callable[[Any, Transition, Any], Any] | None = None

    def limit_for(self, data: dict[str, Any] | None) -> int:
        """The working-day limit for a case of this type with this data."""
        if self.limit_by is not None and data:
            name, limits = self.limit_by
            for value, days in limits:
                if data.get(name) == value:
                    return days
        return self.limit_days

    @property
    def asked_fields(self) -> tuple[Field, ...]:
        """The fields the staff fill in on some step (each name once, in the order the steps ask them)."""
        seen: dict[str, Field] = {}
        for t in self.transitions:
            for f in t.asks:
                seen.setdefault(f.name, f)
        return tuple(seen.values())

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def state(self, key: str) -> State:
        for s in self.states:
            if s.key == key:
                return s
        raise KeyError(key)

    def transition(self, action: str) -> Transition:
        for t in self.transitions:
            if t.action == action:
                return t
        raise KeyError(action)

    def transitions_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def validate(self) -> None:
        keys = {s.key for s in self.states}
        if self.initial not in keys:
            raise ValueError(f"{self.key}: initial state {self.initial!r} is not a state")
        for t in self.transitions:
            unknown = (set(t.sources) | {t.target}) - keys
            if unknown:
                raise ValueError(f"{self.key}.{t.action}: unknown states {sorted(unknown)}")
            if not t.who or not t.who <= RELATIONS:
                raise ValueError(f"{self.key}.{t.action}: who must be a subset of {sorted(RELATIONS)}")
        actions = [t.action for t in self.transitions]
        if len(actions) != len(set(actions)):
            raise ValueError(f"{self.key}: duplicate actions")
        for f in (*self.fields, *self.asked_fields):
            if f.kind == "choice" and not f.choices:
                raise ValueError(f"{self.key}.{f.name}: a choice field needs choices")
        clash = {f.name for f in self.fields} & {f.name for f in self.asked_fields}
        if clash:
            raise ValueError(f"{self.key}: a step asks for a field the applicant fills: {sorted(clash)}")
        if self.limit_by is not None:
            name, limits = self.limit_by
            if name not in {f.name for f in self.fields}:
                raise ValueError(f"{self.key}: limit_by names an unknown field {name!r}")
            if any(days < 0 for _value, days in limits):
                raise ValueError(f"{self.key}: limit_by days must not be negative")


_REGISTRY: dict[str, CaseType] = {}


def register_case_type(case_type: CaseType) -> CaseType:
    """Add (or replace, by key) a case type. Checked for consistency at once."""
    case_type.validate()
    _REGISTRY[case_type.key] = case_type
    return case_type


def case_type_get(key: str) -> CaseType:
    try:
        return _REGISTRY[key]
    except KeyError:
        raise KeyError(key) from None


def case_types() -> list[CaseType]:
    return list(_REGISTRY.values())


def declared_effects() -> dict[str, Effect]:
    """Every effect some registered case type declares, by key."""
    return {e.key: e for ct in _REGISTRY.values() for t in ct.transitions for e in t.effects}


def final_states() -> dict[str, set[str]]:
    return {ct.key: {s.key for s in ct.states if s.final} for ct in _REGISTRY.values()}


# ----------------------------------------------------------------------------- effects on other modules
# Declared here, handled by the module that owns what they change (cases.events).
GRANT_APPROVED_AMOUNT = Effect(
    "ledger.approved_amount_grant", _l("按核定金额预留预算；算力、模型、语料券同时发券到企业钱包")
)
CONSUME_RESERVED_BUDGET = Effect("ledger.reserved_budget_consume", _l("拨付后核销预留的预算"))
REVOKE_GRANT = Effect("ledger.grant_revoke", _l("撤销时释放预留的预算并收回未使用的券"))
BOOKING_CONFIRM = Effect("spaces.booking_confirm", _l("确认待审批的场地预约"))
BOOKING_REFUSE = Effect("spaces.booking_refuse", _l("不予安排：释放场地预约并通知候补"))
BOOKING_WITHDRAW = Effect("spaces.booking_withdraw", _l("申请人撤回：释放场地预约并通知候补"))
INTRODUCTION_OUTCOME_RECORD = Effect("community.introduction_outcome_record", _l("在对接请求上记录引荐结果"))
OFFER_GRANT = Effect("offers.offer_grant", _l("政策直达：推送记为已核定"))
OFFER_REFUSE = Effect("offers.offer_refuse", _l("政策直达：推送记为未获支持"))
OFFER_DECLINE = Effect("offers.offer_decline", _l("政策直达：企业撤回，推送记为已放弃"))


# ----------------------------------------------------------------------------- building blocks
STAFF = frozenset({CASEWORKER, ASSIGNEE})
STAFF_OR_SYSTEM = frozenset({CASEWORKER, ASSIGNEE, SYSTEM})
APPLICANT_ONLY = frozenset({APPLICANT})


def _s(key: str, staff: Any, applicant: Any, **kw: Any) -> State:
    return State(key, staff, applicant, **kw)


SUBMITTED = _s("submitted", _l("待受理"), _l("已提交，等待受理"))
ACCEPTED = _s("accepted", _l("已受理"), _l("已受理"))
IN_PROGRESS = _s("in_progress", _l("办理中"), _l("办理中"))
IN_REVIEW = _s("in_review", _l("审核中"), _l("审核中"))
MORE_INFO = _s("more_info", _l("待补正（停表）"), _l("需要您补充材料"), stops_clock=True)
COMPLETED = _s("completed", _l("已办结"), _l("已办结"), final=True, outcome="ok")
REJECTED = _s("rejected", _l("不予办理"), _l("未能办理"), final=True, outcome="bad")
WITHDRAWN = _s("withdrawn", _l("已撤回"), _l("您已撤回"), final=True, outcome="bad")


def _tr(
    action: str, label: Any, sources: Iterable[str], target: str, who: Iterable[str], **kw: Any
) -> Transition:
    return Transition(action, label, tuple(sources), target, frozenset(who), **kw)


def service_flow(
    *,
    working: State = IN_PROGRESS,
    done: State = COMPLETED,
    refused: State = REJECTED,
    effects: dict[str, tuple[Effect, ...]] | None = None,
) -> tuple[tuple[State, ...], tuple[Transition, ...]]:
    """submitted → accepted → in progress → (more info ⇄) → done / refused; the applicant may withdraw.
    `effects` gives the effects of an action on other modules (by action: complete, reject, withdraw …)."""
    states = (SUBMITTED, ACCEPTED, working, MORE_INFO, done, refused, WITHDRAWN)
    w = working.key
    fx = effects or {}
    transitions = (
        _tr("accept", _l("受理"), ["submitted"], "accepted", STAFF_OR_SYSTEM),
        _tr("start", _l("开始办理"), ["accepted"], w, STAFF_OR_SYSTEM),
        _tr(
            "request_info",
            _l("要求补正"),
            ["accepted", w],
            "more_info",
            STAFF,
            needs_note=True,
            style="accent",
        ),
        _tr("resubmit", _l("补正后重新提交"), ["more_info"], w, APPLICANT_ONLY, edits_data=True),
        _tr(
            "complete",
            _l("办结") if done.key == "completed" else _l("通过"),
            [w],
            done.key,
            STAFF_OR_SYSTEM,
            effects=fx.get("complete", ()),
        ),
        _tr(
            "reject",
            _l("不予办理") if refused.key == "rejected" else _l("不予通过"),
            ["submitted", "accepted", w],
            refused.key,
            STAFF_OR_SYSTEM,
            needs_note=True,
            style="danger",
            effects=fx.get("reject", ()),
        ),
        _tr(
            "withdraw",
            _l("撤回"),
            ["submitted", "accepted", w, "more_info"],
            "withdrawn",
            APPLICANT_ONLY,
            style="ghost",
            effects=fx.get("withdraw", ()),
        ),
    )
    return states, transitions


def service_type(
    key: str,
    label: Any,
    limit_days: int,
    description: Any = "",
    fields: tuple[Field, ...] = (),
    effects: dict[str, tuple[Effect, ...]] | None = None,
    **kw: Any,
) -> CaseType:
    states, transitions = service_flow(effects=effects)
    return CaseType(
        key=key,
        label=label,
        states=states,
        transitions=transitions,
        limit_days=limit_days,
        description=description,
        fields=fields,
        **kw,
    )


# ----------------------------------------------------------------------------- policy application
POLICY_APPLICATION = CaseType(
    key="policy_application",
    label=_l("政策申报"),
    group="policy",
    description=_l("按政策目录中的条款申报扶持资金；提交时和决定时都按规则核算可申报金额上限。"),
    limit_days=20,
    states=(
        SUBMITTED,
        ACCEPTED,
        IN_REVIEW,
        MORE_INFO,
        _s("approved", _l("已核定（待公示）"), _l("已核定扶持金额"), limit_days=3),
        _s("not_supported", _l("不予支持"), _l("未获支持"), final=True, outcome="bad"),
        _s("published", _l("公示中"), _l("公示中"), limit_days=5),
        _s("disbursed", _l("已拨付"), _l("资金已拨付"), final=True, outcome="ok"),
        _s("cancelled", _l("已撤销"), _l("已撤销"), final=True, outcome="bad"),
        WITHDRAWN,
    ),
    transitions=(
        _tr("accept", _l("受理"), ["submitted"], "accepted", STAFF_OR_SYSTEM),
        _tr(
            "decline",
            _l("不予受理"),
            ["submitted"],
            "not_supported",
            STAFF,
            needs_note=True,
            style="danger",
        ),
        _tr("start_review", _l("开始审核"), ["accepted"], "in_review", STAFF),
        _tr(
            "request_info",
            _l("要求补正"),
            ["accepted", "in_review"],
            "more_info",
            STAFF,
            needs_note=True,
            style="accent",
        ),
        _tr("resubmit", _l("补正后重新提交"), ["more_info"], "in_review", APPLICANT_ONLY, edits_data=True),
        _tr(
            "approve",
            _l("核定并批准"),
            ["in_review"],
            "approved",
            STAFF,
            needs_amount=True,
            effects=(GRANT_APPROVED_AMOUNT,),
        ),
        _tr(
            "not_support",
            _l("不予支持"),
            ["in_review"],
            "not_supported",
            STAFF,
            needs_note=True,
            style="danger",
        ),
        _tr(
            "publish",
            _l("公示"),
            ["approved"],
            "published",
            frozenset({CASEWORKER, ASSIGNEE, POLICY_OFFICER}),
        ),
        _tr(
            "disburse",
            _l("确认拨付"),
            ["published"],
            "disbursed",
            frozenset({POLICY_OFFICER, CASEWORKER, SYSTEM}),
            effects=(CONSUME_RESERVED_BUDGET,),
        ),
        _tr(
            "cancel",
            _l("撤销（公示有异议等）"),
            ["approved", "published"],
            "cancelled",
            frozenset({POLICY_OFFICER, CASEWORKER, ASSIGNEE}),
            needs_note=True,
            style="danger",
            effects=(REVOKE_GRANT,),
        ),
        _tr(
            "withdraw",
            _l("撤回"),
            ["submitted", "accepted", "in_review", "more_info"],
            "withdrawn",
            APPLICANT_ONLY,
            style="ghost",
        ),
    ),
    fields=(
        Field(
            "summary", _l("申报说明"), "textarea", required=False, help=_l("项目情况、投入与成果的简要说明")
        ),
    ),
    documents=DocumentRule(
        formats=frozenset({"pdf", "png", "jpg", "docx", "xlsx", "zip"}), max_bytes=20 * 1024 * 1024
    ),
)

# ----------------------------------------------------------------------------- fast track (免申即享)
# What a confirmed offer opens: the same review as an application, a shorter time limit (the clause's
# `push: fast_track_days`, default 5 working days, passed when the case is opened), and the outcome
# written back on the offer.
_OFFER_OUTCOMES = {
    "decline": (OFFER_REFUSE,),
    "approve": (OFFER_GRANT,),
    "not_support": (OFFER_REFUSE,),
    "cancel": (OFFER_REFUSE,),
    "withdraw": (OFFER_DECLINE,),
}
POLICY_FAST_TRACK = replace(
    POLICY_APPLICATION,
    key="policy_fast_track",
    label=_l("政策直达（免申即享）"),
    description=_l("企业确认政策直达推送后自动生成的申报，信息已按登记数据预填，办理时限更短。"),
    limit_days=5,
    transitions=tuple(
        replace(t, effects=(*t.effects, *_OFFER_OUTCOMES.get(t.action, ())))
        for t in POLICY_APPLICATION.transitions
    ),
)

# ----------------------------------------------------------------------------- micro-drama filings (沪8条)
FILING_FIELDS = (
    Field("work_title", _l("剧名"), required=True),
    Field("episodes", _l("集数"), "int", required=True, minimum=1, maximum=1000),
    Field("episode_minutes", _l("单集时长（分钟）"), "int", required=True, minimum=1, maximum=240),
    Field("synopsis", _l("剧情梗概"), "textarea", required=True),
    Field("producer", _l("出品方 / 制作方"), required=True),
    Field("ai_share", _l("AI生成内容占比（%）"), "percent", required=True),
)
_FILING_STATES, _FILING_TRANSITIONS = service_flow(
    working=IN_REVIEW,
    done=_s("approved", _l("备案通过"), _l("备案通过"), final=True, outcome="ok"),
    refused=_s("returned", _l("不予备案"), _l("未通过备案"), final=True, outcome="bad"),
)


def _filing(
    key: str, label: Any, description: Any, limit_days: int, formats: set[str], max_mb: int
) -> CaseType:
    """A micro-drama filing: the same fields and review flow, its own time limit and documents."""
    return CaseType(
        key=key,
        label=label,
        group="filing",
        description=description,
        limit_days=limit_days,
        states=_FILING_STATES,
        transitions=_FILING_TRANSITIONS,
        fields=FILING_FIELDS,
        documents=DocumentRule(formats=frozenset(formats), max_bytes=max_mb * 1024 * 1024),
    )


PLANNING_FILING = _filing(
    "planning_filing",
    _l("规划备案"),
    _l("普通微短剧规划备案，2个工作日内完成审核并反馈（沪8条：随报随审）。"),
    2,
    {"pdf", "docx", "png", "jpg", "zip"},
    20,
)
FINISHED_FILM_FILING = _filing(
    "finished_film_filing",
    _l("完成片上线备案"),
    _l("完成片上线备案，5个工作日内完成审核并反馈（沪8条：随报随审）。"),
    5,
    {"pdf", "docx", "png", "jpg", "zip", "mp4"},
    200,
)

# ----------------------------------------------------------------------------- service requests
NEED = (Field("need", _l("需求说明"), "textarea", required=True),)
_filming_states, _filming_transitions = service_flow(
    done=_s("approved", _l("协拍已确认"), _l("协拍已确认"), final=True, outcome="ok"),
    refused=_s("rejected", _l("协拍未安排"), _l("协拍未能安排"), final=True, outcome="bad"),
    effects={"complete": (BOOKING_CONFIRM,), "reject": (BOOKING_REFUSE,), "withdraw": (BOOKING_WITHDRAW,)},
)
SERVICE_TYPES = (
    service_type(
        "service.registration_tax", _l("注册财税"), 5, _l("公司注册、记账报税、发票等财税代办。"), NEED
    ),
    service_type("service.ip_design", _l("IP形象设计"), 10, _l("IP形象、角色设计与版权登记的对接。"), NEED),
    service_type("service.financing", _l("融资对接"), 10, _l("对接银行、投资机构与政府性融资担保。"), NEED),
    service_type("service.overseas", _l("出海服务"), 10, _l("跨境发行、海外平台入驻与合规咨询。"), NEED),
    service_type("service.consultation", _l("政务咨询"), 3, _l("政策解读、办事指引等政务咨询。"), NEED),
    CaseType(
        key="service.filming_location",
        label=_l("协拍服务"),
        description=_l("拍摄场地协调与协拍预约。"),
        limit_days=5,
        states=_filming_states,
        transitions=_filming_transitions,
        fields=(
            Field("location", _l("拍摄地点"), required=True),
            Field("shoot_date", _l("拍摄日期"), "date", required=True),
            Field("need", _l("需求说明"), "textarea"),
        ),
    ),
    service_type(
        "service.introduction",
        _l("对接引荐"),
        5,
        _l("由中心居间的对接请求（技术成果、导师、合作方）。"),
        effects={
            "complete": (INTRODUCTION_OUTCOME_RECORD,),
            "reject": (INTRODUCTION_OUTCOME_RECORD,),
            "withdraw": (INTRODUCTION_OUTCOME_RECORD,),
        },
        listed=False,
        group="other",
    ),
)

TICKET_CATEGORIES = (
    ("space", _l("场地与空间")),
    ("policy", _l("政策兑现")),
    ("licence", _l("证照与审批")),
    ("financing", _l("融资与资金")),
    ("talent", _l("人才与用工")),
    ("environment", _l("环境与秩序")),
    ("ip", _l("知识产权与维权")),
    ("other", _l("其他")),
)
URGENCY = (
    ("normal", _l("一般（5个工作日）")),
    ("urgent", _l("紧急（2个工作日）")),
    ("critical", _l("特急（1个工作日）")),
)
TICKET = service_type(
    "ticket",
    _l("工单"),
    5,
    _l("走访、巡查中听到的投诉与急难愁盼，转为工单跟踪到底。"),
    (
        Field("need", _l("问题描述"), "textarea", required=True),
        Field("category", _l("类别"), "choice", choices=TICKET_CATEGORIES),
        Field("urgency", _l("紧急程度"), "choice", choices=URGENCY),
        Field("location", _l("地点"), help=_l("如：漕河泾开发区A座3楼，或企业地址")),
        Field("reported_on", _l("反映日期"), "date"),
        Field("reporter", _l("反映人"), help=_l("如：企业负责人张三、园区居民")),
        Field("reporter_contact", _l("反映人联系方式"), staff_only=True, help=_l("仅中心工作人员可见")),
    ),
    listed=False,
    group="ticket",
    limit_by=("urgency", (("urgent", 2), ("critical", 1))),
)

for _ct in (
    POLICY_APPLICATION,
    POLICY_FAST_TRACK,
    PLANNING_FILING,
    FINISHED_FILM_FILING,
    *SERVICE_TYPES,
    TICKET,
):
    register_case_type(_ct)
