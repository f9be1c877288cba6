"""The registry's audit actions: what its services write, in the words the audit page shows."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _l

from shouzhan.core.audit import audit_actions_declare

audit_actions_declare(
    "registry",
    {
        "enterprise_create": _l("新建企业档案"),
        "enterprise_update": _l("修改企业信息"),
        "enterprise_stage_set": _l("调整孵化阶段"),
        "person_create": _l("新建人员档案"),
        "person_update": _l("修改人员信息"),
        "person_delete": _l("删除人员"),
        "project_create": _l("新建项目"),
        "project_update": _l("修改项目"),
        "project_delete": _l("删除项目"),
        "enterprise_import": _l("导入企业名录"),
        "enterprise_import_create": _l("导入时新建企业"),
        "enterprise_import_update": _l("导入时更新企业"),
        "enterprise_export": _l("导出企业名录"),
        "enterprise_import_queue": _l("大文件导入排队"),
        "enterprise_import_resume": _l("中断的导入续传"),
        "enterprise_import_fail": _l("导入失败"),
    },
)

ENTERPRISE_CREATE = "registry.enterprise_create"
ENTERPRISE_UPDATE = "registry.enterprise_update"
ENTERPRISE_STAGE_SET = "registry.enterprise_stage_set"
PERSON_CREATE = "registry.person_create"
PERSON_UPDATE = "registry.person_update"
PERSON_DELETE = "registry.person_delete"
PROJECT_CREATE = "registry.project_create"
PROJECT_UPDATE = "registry.project_update"
PROJECT_DELETE = "registry.project_delete"
ENTERPRISE_IMPORT = "registry.enterprise_import"
ENTERPRISE_IMPORT_CREATE = "registry.enterprise_import_create"
ENTERPRISE_IMPORT_UPDATE = "registry.enterprise_import_update"
ENTERPRISE_EXPORT = "registry.enterprise_export"
IMPORT_JOB_QUEUE = "registry.enterprise_import_queue"
IMPORT_JOB_RESUME = "registry.enterprise_import_resume"
IMPORT_JOB_FAIL = "registry.enterprise_import_fail"
