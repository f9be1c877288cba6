"""The audit actions of spaces, with the words the audit page shows (found by core.audit's autodiscovery)."""

from django.utils.translation import gettext_lazy as _l

from shouzhan.core.audit import audit_actions_declare

ACTIONS = audit_actions_declare(
    "spaces",
    {
        "booking_create": _l("预约空间"),
        "booking_cancel": _l("取消预约"),
        "booking_confirm": _l("确认协拍预约"),
        "booking_reject": _l("不予安排协拍预约"),
        "booking_withdraw": _l("撤回协拍预约"),
        "waitlist_join": _l("登记候补"),
        "waitlist_offer": _l("向候补提供空档"),
        "waitlist_accept": _l("接受候补空档"),
        "waitlist_withdraw": _l("撤回候补"),
        "tenancy_start": _l("办理入驻"),
        "tenancy_move_out": _l("换租迁出"),
        "tenancy_end": _l("办理退租"),
    },
)
