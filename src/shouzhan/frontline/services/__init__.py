"""frontline's writes (each in transaction.atomic, each writing its audit entry), by section."""

from shouzhan.frontline.services.catalogue import (
    coverage_rule_save,
    department_member_add,
    department_member_remove,
    department_save,
    dispatch_catalogue_publish,
    frontline_data_load,
)
from shouzhan.frontline.services.demands import demand_record
from shouzhan.frontline.services.tickets import (
    demand_exclude,
    demand_include,
    demand_link_repeat,
    follow_up_record,
    ticket_accept,
    ticket_redispatch,
    ticket_reply,
    ticket_return,
    tickets_close_unanswered,
)
from shouzhan.frontline.services.visits import photo_check, visit_plan_create, visit_record

__all__ = [
    "coverage_rule_save",
    "demand_exclude",
    "demand_include",
    "demand_link_repeat",
    "demand_record",
    "department_member_add",
    "department_member_remove",
    "department_save",
    "dispatch_catalogue_publish",
    "follow_up_record",
    "frontline_data_load",
    "photo_check",
    "ticket_accept",
    "ticket_redispatch",
    "ticket_reply",
    "ticket_return",
    "tickets_close_unanswered",
    "visit_plan_create",
    "visit_record",
]
