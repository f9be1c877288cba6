"""The audit actions of offers, with the words the audit page shows (found by core.audit's autodiscovery)."""

from django.utils.translation import gettext_lazy as _l

from shouzhan.core.audit import audit_actions_declare

ACTIONS = audit_actions_declare(
    "offers",
    {
        "push_run_start": _l("启动政策直达推送"),
        "push_run_finish": _l("政策直达推送完成"),
        "push_run_fail": _l("政策直达推送失败"),
        "push_run_resume": _l("中断的推送重新排队"),
        "offer_confirm": _l("企业确认政策直达"),
        "offer_decline": _l("企业放弃政策直达"),
        "offer_expire": _l("政策直达过期未确认"),
        "offer_outcome_record": _l("记录政策直达办理结果"),
        "prompt_answer": _l("企业补充信息"),
        "exclusion_add": _l("列入推送排除名单"),
        "exclusion_revoke": _l("移出推送排除名单"),
        "offers_export": _l("导出政策直达清单"),
    },
)

RUN_START = "offers.push_run_start"
RUN_FINISH = "offers.push_run_finish"
RUN_FAIL = "offers.push_run_fail"
RUN_RESUME = "offers.push_run_resume"
OFFER_CONFIRM = "offers.offer_confirm"
OFFER_DECLINE = "offers.offer_decline"
OFFER_EXPIRE = "offers.offer_expire"
OFFER_OUTCOME = "offers.offer_outcome_record"
PROMPT_ANSWER = "offers.prompt_answer"
EXCLUSION_ADD = "offers.exclusion_add"
EXCLUSION_REVOKE = "offers.exclusion_revoke"
OFFERS_EXPORT = "offers.offers_export"
