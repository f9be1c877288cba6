"""The cases module's audit actions, with the words the audit page shows.

A transition is recorded under its own action ("受理办件", "核定并批准" …), so the audit page reads as
what happened; a transition a case type adds later without its own code is recorded as "办件流转" with
the action named in the entry.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _l

from shouzhan.core.audit import audit_actions_declare

# The workflow's transition actions (workflow.py) → their audit codes.
TRANSITION_LABELS = {
    "accept": _l("受理办件"),
    "decline": _l("不予受理"),
    "start": _l("开始办理"),
    "start_review": _l("开始审核"),
    "request_info": _l("要求补正（停表）"),
    "resubmit": _l("补正后重新提交"),
    "approve": _l("核定并批准"),
    "not_support": _l("不予支持"),
    "publish": _l("公示"),
    "disburse": _l("确认拨付"),
    "cancel": _l("撤销办件"),
    "complete": _l("办结（通过）"),
    "reject": _l("不予办理（不予通过）"),
    "withdraw": _l("撤回办件"),
    # the frontline ticket's (frontline/tickets.py)
    "return": _l("退单"),
    "redispatch": _l("改派工单"),
    "reply": _l("答复办结"),
    "confirm": _l("诉求人确认已解决"),
    "reopen": _l("未解决，重新办理"),
    "close": _l("回访期满结单"),
    "merge": _l("并入原诉求"),
    # rights protection's (assets/workflow.py)
    "act": _l("启动维权（通知、调解或诉讼）"),
    "remove": _l("记录维权结果：已删除"),
    "settle": _l("记录维权结果：调解达成"),
    "judge": _l("记录维权结果：判决或裁定"),
    "fail": _l("记录维权结果：未能维权"),
}
TRANSITIONS = {action: f"cases.case_{action}" for action in TRANSITION_LABELS}
TRANSITION_OTHER = "cases.case_transition"

CASE_SUBMIT = "cases.case_submit"
CASE_ASSIGN = "cases.case_assign"
DOCUMENT_UPLOAD = "cases.document_upload"
DEADLINE_REMIND = "cases.deadline_remind"
OVERDUE_ALERT = "cases.overdue_alert"

ACTIONS = audit_actions_declare(
    "cases",
    {
        "case_submit": _l("提交办件"),
        "case_assign": _l("指派办件"),
        "document_upload": _l("上传办件材料"),
        "deadline_remind": _l("办理期限临近提醒"),
        "overdue_alert": _l("办件逾期提醒"),
        "case_transition": _l("办件流转"),
        **{f"case_{action}": label for action, label in TRANSITION_LABELS.items()},
    },
)


def transition_action(action: str) -> str:
    """The audit code of a transition action (a dict of declared codes, not a code built at run time)."""
    return TRANSITIONS.get(action, TRANSITION_OTHER)
