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
        "talent_record_create": _l("建立人才档案"),
        "talent_record_update": _l("修改人才档案"),
        "talent_title_add": _l("记入职称"),
        "talent_title_remove": _l("删除职称"),
        "talent_certificate_add": _l("记入技能证书"),
        "talent_certificate_remove": _l("删除技能证书"),
        "talent_share_set": _l("设置人才档案对企业的可见范围"),
        "talent_support_record": _l("记入人才服务结果"),
        "training_course_create": _l("新建培训课程"),
        "training_course_update": _l("修改培训课程"),
        "training_session_add": _l("新增课次"),
        "training_session_remove": _l("删除课次"),
        "training_trainee_enrol": _l("学员报名"),
        "training_trainee_remove": _l("移除学员"),
        "training_attendance_record": _l("记录考勤"),
        "project_trainees_sync": _l("按考勤更新参训人数"),
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
TALENT_RECORD_CREATE = "registry.talent_record_create"
TALENT_RECORD_UPDATE = "registry.talent_record_update"
TALENT_TITLE_ADD = "registry.talent_title_add"
TALENT_TITLE_REMOVE = "registry.talent_title_remove"
TALENT_CERTIFICATE_ADD = "registry.talent_certificate_add"
TALENT_CERTIFICATE_REMOVE = "registry.talent_certificate_remove"
TALENT_SHARE_SET = "registry.talent_share_set"
TRAINING_COURSE_CREATE = "registry.training_course_create"
TRAINING_COURSE_UPDATE = "registry.training_course_update"
TRAINING_SESSION_ADD = "registry.training_session_add"
TRAINING_SESSION_REMOVE = "registry.training_session_remove"
TRAINING_TRAINEE_ENROL = "registry.training_trainee_enrol"
TRAINING_TRAINEE_REMOVE = "registry.training_trainee_remove"
TRAINING_ATTENDANCE_RECORD = "registry.training_attendance_record"
PROJECT_TRAINEES_SYNC = "registry.project_trainees_sync"
TALENT_SUPPORT_RECORD = "registry.talent_support_record"
