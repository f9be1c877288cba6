"""The ledger's audit actions, with the words the audit page shows (found by Django's autodiscover)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _l

from shouzhan.core.audit import audit_actions_declare

ACTIONS = audit_actions_declare(
    "ledger",
    {
        "budget_fund": _l("下达预算"),
        "budget_reserve": _l("占用条款预算"),
        "budget_consume": _l("拨付条款预算"),
        "budget_release": _l("释放条款预算"),
        "programme_open": _l("开设券项目"),
        "programme_expire": _l("券项目到期收回"),
        "voucher_grant": _l("发券"),
        "voucher_batch_grant": _l("按名单批量发券"),
        "journal_reverse": _l("冲正凭证"),
        "claim_submit": _l("提交核销申请"),
        "claim_confirm": _l("企业确认核销申请"),
        "claim_decline": _l("企业不认可核销申请"),
        "claim_approve": _l("核销申请审核通过"),
        "claim_reject": _l("核销申请审核不通过"),
        "claim_reverse": _l("核销冲正"),
        "disbursement_batch_create": _l("生成拨付批次"),
        "payment_mark": _l("记录支付结果"),
    },
)
