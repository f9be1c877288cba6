"""The audit actions of patrols, with the words the audit page shows (found by core.audit's autodiscovery)."""

from django.utils.translation import gettext_lazy as _l

from shouzhan.core.audit import audit_actions_declare

ACTIONS = audit_actions_declare(
    "patrols",
    {
        "data_load": _l("载入巡查对象"),
        "frequency_publish": _l("发布巡查频次规则"),
        "warning_set": _l("设定预警等级"),
        "measure_update": _l("更新一河一策措施进度"),
        "patrol_record": _l("登记巡查"),
        "patrol_review": _l("复核巡查"),
        "compliance_remind": _l("提醒河长按时巡查"),
        "compliance_export": _l("导出巡查履职情况"),
    },
)

DATA_LOAD = "patrols.data_load"
FREQUENCY_PUBLISH = "patrols.frequency_publish"
WARNING_SET = "patrols.warning_set"
MEASURE_UPDATE = "patrols.measure_update"
PATROL_RECORD = "patrols.patrol_record"
PATROL_REVIEW = "patrols.patrol_review"
COMPLIANCE_REMIND = "patrols.compliance_remind"
COMPLIANCE_EXPORT = "patrols.compliance_export"
