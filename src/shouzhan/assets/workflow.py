"""The assets' two case types, as data: rights protection (版权维权) and a brokered licence request.

Rights protection runs on the path the right holder chose, each with its own working-day limit:
platform notice-and-takedown (通知—删除), mediation by the industry alliance (行业联盟调解) or court
(诉讼). submitted → accepted (evidence fixed) → acting (notice sent / mediation / suit) → one of four
outcomes; every outcome is recorded on the report by assets' handler of RIGHTS_OUTCOME.

A licence request goes through the centre, who brokers it between licensee and holder: granted or not,
its outcome is recorded on the licence by LICENCE_OUTCOME.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _l
from django.utils.translation import pgettext_lazy

from shouzhan.cases import workflow as wf
from shouzhan.cases.events import Effect

RIGHTS_KEY = "asset_rights"
LICENCE_KEY = "asset_licence"

RIGHTS_OUTCOME = Effect("assets.rights_outcome_record", _l("版权维权：在侵权线索上记录维权结果"))
LICENCE_OUTCOME = Effect("assets.licence_outcome_record", _l("授权许可：记录授权达成或未达成"))

PATHS = (
    ("takedown", _l("平台通知删除")),
    ("mediation", _l("行业联盟调解")),
    ("court", _l("诉讼")),
)
# Working days from the report to the outcome, by path (a suit's limit is the centre's: the case filed
# with the court and the evidence handed over, not the judgment).
PATH_LIMITS = (("takedown", 5), ("mediation", 20), ("court", 30))

STAFF = wf.STAFF
STAFF_OR_SYSTEM = wf.STAFF_OR_SYSTEM
APPLICANT = wf.APPLICANT_ONLY
OUTCOME = (RIGHTS_OUTCOME,)

# The outcomes as final states; `outcome` "ok" when the infringement stopped or was compensated.
OUTCOME_STATES = (
    wf.State("removed", _l("已删除 / 已停止侵权"), _l("侵权内容已删除"), final=True, outcome="ok"),
    wf.State("settled", _l("调解达成"), _l("已调解达成"), final=True, outcome="ok"),
    wf.State("judged", _l("已判决 / 已裁定"), _l("法院已判决或裁定"), final=True, outcome="ok"),
    wf.State("unresolved", _l("未能维权"), _l("未能维权"), final=True, outcome="bad"),
)


def _rights_transitions() -> tuple[wf.Transition, ...]:
    acting = ["acting"]
    return (
        wf.Transition("accept", _l("受理并固定证据"), ("submitted",), "accepted", STAFF_OR_SYSTEM),
        wf.Transition(
            "act", _l("发出通知 / 启动调解 / 提交诉讼"), ("accepted",), "acting", STAFF, needs_note=True
        ),
        wf.Transition(
            "request_info",
            _l("要求补充权属材料"),
            ("submitted", "accepted", "acting"),
            "more_info",
            STAFF,
            needs_note=True,
            style="accent",
        ),
        wf.Transition(
            "resubmit", _l("补充后重新提交"), ("more_info",), "accepted", APPLICANT, edits_data=True
        ),
        wf.Transition(
            "remove", _l("记录：已删除"), tuple(acting), "removed", STAFF, needs_note=True, effects=OUTCOME
        ),
        wf.Transition(
            "settle", _l("记录：调解达成"), tuple(acting), "settled", STAFF, needs_note=True, effects=OUTCOME
        ),
        wf.Transition(
            "judge", _l("记录：判决 / 裁定"), tuple(acting), "judged", STAFF, needs_note=True, effects=OUTCOME
        ),
        wf.Transition(
            "fail",
            _l("记录：未能维权"),
            ("submitted", "accepted", "acting"),
            "unresolved",
            STAFF,
            needs_note=True,
            style="danger",
            effects=OUTCOME,
        ),
        wf.Transition(
            "withdraw",
            _l("撤回"),
            ("submitted", "accepted", "acting", "more_info"),
            "withdrawn",
            APPLICANT,
            style="ghost",
            effects=OUTCOME,
        ),
    )


RIGHTS_PROTECTION = wf.CaseType(
    key=RIGHTS_KEY,
    label=_l("版权维权"),
    group="service",
    listed=False,  # opened from an infringement report, with its matches
    description=_l(
        "疑似侵权线索经指纹比对后，由中心按选定路径（平台通知删除、行业联盟调解、诉讼）协助维权。"
    ),
    limit_days=20,
    limit_by=("path", PATH_LIMITS),
    fields=(
        wf.Field("path", _l("维权路径"), "choice", required=True, choices=PATHS),
        wf.Field("work", _l("被侵权作品")),
        wf.Field("platform", _l("发现平台")),
        wf.Field("link", _l("侵权链接")),
        wf.Field("first_seen_on", _l("首次发现日期"), "date"),
        wf.Field("matches", _l("比对结果"), "textarea"),
        wf.Field("need", _l("维权诉求"), "textarea", help=_l("如：删除链接、赔偿损失、公开致歉")),
    ),
    documents=wf.DocumentRule(formats=frozenset({"pdf", "png", "jpg", "docx", "zip"})),
    states=(
        wf.SUBMITTED,
        wf.State("accepted", _l("已受理·证据已固定"), _l("已受理，证据已固定")),
        wf.State("acting", _l("维权中"), _l("维权进行中")),
        wf.MORE_INFO,
        *OUTCOME_STATES,
        wf.WITHDRAWN,
    ),
    transitions=_rights_transitions(),
)

_LICENCE_EFFECTS: dict[str, tuple[Effect, ...]] = {
    "complete": (LICENCE_OUTCOME,),
    "reject": (LICENCE_OUTCOME,),
    "withdraw": (LICENCE_OUTCOME,),
}
_licence_states, _licence_transitions = wf.service_flow(
    working=wf.State("negotiating", _l("居间洽谈中"), _l("中心正在居间洽谈")),
    done=wf.State("granted", _l("已达成授权"), _l("授权已达成"), final=True, outcome="ok"),
    refused=wf.State("refused", _l("未达成授权"), _l("未能达成授权"), final=True, outcome="bad"),
    effects=_LICENCE_EFFECTS,
)
LICENCE_REQUEST = wf.CaseType(
    key=LICENCE_KEY,
    label=_l("授权许可居间"),
    group="service",
    listed=False,  # opened from a work's licence offer
    description=_l("企业通过中心申请使用另一家企业登记的作品，中心居间洽谈授权范围、期限和许可费。"),
    limit_days=15,
    fields=(
        wf.Field("work", _l("作品")),
        wf.Field("holder", _l("权利人")),
        wf.Field("scope", _l("授权范围")),
        wf.Field("territory", _l("地域")),
        wf.Field("term", pgettext_lazy("licence", "期限")),
        wf.Field("fee", _l("许可费（元）")),
        wf.Field("need", _l("用途说明"), "textarea"),
    ),
    states=_licence_states,
    transitions=_licence_transitions,
)

CASE_TYPES = (RIGHTS_PROTECTION, LICENCE_REQUEST)
