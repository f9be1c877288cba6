"""The audit actions of frontline, with the words the audit page shows (found by core.audit's autodiscovery)."""

from django.utils.translation import gettext_lazy as _l

from shouzhan.core.audit import audit_actions_declare

ACTIONS = audit_actions_declare(
    "frontline",
    {
        "department_save": _l("保存承办部门"),
        "department_member_add": _l("加入承办部门"),
        "department_member_remove": _l("移出承办部门"),
        "dispatch_catalogue_publish": _l("发布派单目录"),
        "coverage_rule_save": _l("保存走访覆盖要求"),
        "visit_plan_create": _l("制定走访计划"),
        "visit_record": _l("登记走访"),
        "demand_record": _l("登记诉求"),
        "ticket_move": _l("工单流转"),
        "follow_up_record": _l("记录回访结果"),
        "demand_exclude": _l("诉求不计入三率"),
        "demand_include": _l("诉求恢复计入三率"),
        "demand_link_repeat": _l("关联为重复诉求"),
        "signals_scan": _l("未诉先办：生成走访任务"),
        "rates_export": _l("导出三率"),
    },
)

DEPARTMENT_SAVE = "frontline.department_save"
MEMBER_ADD = "frontline.department_member_add"
MEMBER_REMOVE = "frontline.department_member_remove"
CATALOGUE_PUBLISH = "frontline.dispatch_catalogue_publish"
COVERAGE_SAVE = "frontline.coverage_rule_save"
PLAN_CREATE = "frontline.visit_plan_create"
VISIT_RECORD = "frontline.visit_record"
DEMAND_RECORD = "frontline.demand_record"
TICKET_MOVE = "frontline.ticket_move"
FOLLOW_UP = "frontline.follow_up_record"
DEMAND_EXCLUDE = "frontline.demand_exclude"
DEMAND_INCLUDE = "frontline.demand_include"
LINK_REPEAT = "frontline.demand_link_repeat"
SIGNALS_SCAN = "frontline.signals_scan"
RATES_EXPORT = "frontline.rates_export"
