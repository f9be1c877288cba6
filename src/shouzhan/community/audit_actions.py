"""The audit actions of community, with the words the audit page shows (found by core.audit's autodiscovery)."""

from django.utils.translation import gettext_lazy as _l

from shouzhan.core.audit import audit_actions_declare

ACTIONS = audit_actions_declare(
    "community",
    {
        "event_series_create": _l("新建活动系列"),
        "event_create": _l("发布活动"),
        "event_update": _l("修改活动"),
        "registration_create": _l("报名活动"),
        "registration_cancel": _l("取消报名"),
        "registration_promote": _l("候补转为正式报名"),
        "registration_check_in": _l("活动签到"),
        "mentor_create": _l("建立导师档案"),
        "mentor_update": _l("修改导师档案"),
        "mentor_follow": _l("导师跟进项目"),
        "feedback_save": _l("导师点评项目"),
        "followup_note_add": _l("导师记录跟进"),
        "office_hour_create": _l("发布办公时间"),
        "office_hour_book": _l("预约办公时间"),
        "office_hour_release": _l("取消办公时间预约"),
        "offer_create": _l("发布技术成果"),
        "need_create": _l("发布技术需求"),
        "listing_update": _l("修改技术市场条目"),
        "listing_status_set": _l("上架或下架条目"),
        "listing_import": _l("导入专利清单"),
        "listing_import_create": _l("导入新增条目"),
        "listing_import_update": _l("导入更新条目"),
        "contact_request_create": _l("申请对接"),
        "contact_outcome_record": _l("记录对接结果"),
    },
)

# A listing's creation is read on the audit page by what was listed: a technology or a need.
LISTING_CREATE = {"offer": "community.offer_create", "need": "community.need_create"}
