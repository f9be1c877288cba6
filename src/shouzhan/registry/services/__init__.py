"""Writes to the registry. Each function is keyword-only, atomic, and records its own audit entry.

Permission checks are `registry.permissions`' and are called here (the one door): pages, the API and
commands call these functions and so can never disagree about who may change what.

- enterprises: enterprise_create, enterprise_update, enterprise_stage_set
- people: person_create, person_update, person_delete, person_for_user
- projects: project_create, project_update, project_delete
- imports: enterprise_import (while the user waits), enterprise_export
- import_jobs: enterprise_import_submit (large files to the worker), import_job_run, import_jobs_recover,
  import_job_watch
- onboarding: entrepreneur_register (an account with its enterprise), enterprise_member_add,
  enterprise_member_remove
"""

from shouzhan.registry.permissions import can_import_export, require_import_export
from shouzhan.registry.services.enterprises import (
    ENTERPRISE_FIELDS,
    STALE_MESSAGE,
    StaleVersionError,
    enterprise_create,
    enterprise_stage_set,
    enterprise_update,
)
from shouzhan.registry.services.import_jobs import (
    enterprise_import_submit,
    import_job_run,
    import_job_watch,
    import_jobs_recover,
)
from shouzhan.registry.services.imports import (
    ImportReport,
    RowError,
    enterprise_export,
    enterprise_import,
    import_size_check,
)
from shouzhan.registry.services.onboarding import (
    enterprise_member_add,
    enterprise_member_remove,
    entrepreneur_register,
)
from shouzhan.registry.services.people import (
    PERSON_FIELDS,
    person_create,
    person_delete,
    person_for_user,
    person_update,
)
from shouzhan.registry.services.projects import PROJECT_FIELDS, project_create, project_delete, project_update

__all__ = [
    "ENTERPRISE_FIELDS",
    "PERSON_FIELDS",
    "PROJECT_FIELDS",
    "STALE_MESSAGE",
    "ImportReport",
    "RowError",
    "StaleVersionError",
    "can_import_export",
    "enterprise_create",
    "enterprise_export",
    "enterprise_import",
    "enterprise_import_submit",
    "enterprise_member_add",
    "enterprise_member_remove",
    "enterprise_stage_set",
    "enterprise_update",
    "entrepreneur_register",
    "import_job_run",
    "import_job_watch",
    "import_jobs_recover",
    "import_size_check",
    "person_create",
    "person_delete",
    "person_for_user",
    "person_update",
    "project_create",
    "project_delete",
    "project_update",
    "require_import_export",
]
