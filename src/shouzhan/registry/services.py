"""Writes to the registry. Each function is keyword-only, atomic, and records its own audit entry.

Permission checks live here (the one door): pages, the API and commands call these
functions and so can never disagree about who may change what.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shouzhan.core import spreadsheets
from shouzhan.core.audit import audit_record, snapshot
from shouzhan.core.money import MoneyError, parse_yuan_fen, yuan_decimal
from shouzhan.core.permissions import has_role, require_role
from shouzhan.core.roles import Role
from shouzhan.registry import credit_code as cc
from shouzhan.registry import spreadsheet as sheet
from shouzhan.registry.choices import PROJECT_EXTRA_FACTS, VOUCHER_ITEMS, Sector, Stage
from shouzhan.registry.models import Enterprise, ImportJob, Person, Project
from shouzhan.registry.permissions import require_enterprise_write

# Who may import and export the enterprise register (policy of the centre).
IMPORT_EXPORT_ROLES = (Role.CASEWORKER, Role.POLICY_OFFICER, Role.LEADER, Role.ADMIN)

ENTERPRISE_FIELDS = (
    "name",
    "credit_code",
    "district",
    "registered_on",
    "employees",
    "annual_revenue_yuan",
    "is_one_person_company",
    "sector",
    "in_cluster",
    "is_startup",
    "stage",
    "legal_representative",
    "address",
    "phone",
    "description",
)
_TEXT_FIELDS = {"district", "sector", "legal_representative", "address", "phone", "description"}
PROJECT_FIELDS = (
    "kind",
    "title",
    "description",
    "year",
    "rd_investment_yuan",
    "self_developed",
    "market_recognized",
    "national_selection",
    "excellent",
    "promotes_city_image",
    "trainees",
)
PROJECT_EXTRA_NAMES = tuple(name for name, _label, _type in PROJECT_EXTRA_FACTS)
PERSON_FIELDS = ("name", "title", "mobile", "email", "birth_year", "note")

STALE_MESSAGE = gettext_noop("该企业信息已被他人修改，请刷新后重试")  # translated where raised


class StaleVersionError(ValidationError):
    """The record changed since the caller read it (optimistic locking)."""


def _full_clean_merged(
    instance: Any, errors: dict[str, list[str]], *, exclude: list[str], mapping: dict[str, str]
) -> None:
    """Run the model's validation on the fields not already refused, and raise every error at once.

    Model field names are renamed to the names callers use (annual_revenue_fen → annual_revenue_yuan).
    """
    reverse = {v: k for k, v in mapping.items()}
    skip = [*exclude, *(reverse.get(name, name) for name in errors)]
    try:
        instance.full_clean(exclude=skip, validate_unique=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(mapping.get(name, name), []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


# ------------------------------------------------------------------------------------------ enterprises
def _check_credit_code_free(code: str | None, *, exclude_pk: int | None) -> None:
    if not code:
        return
    others = Enterprise.objects.filter(credit_code=code)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    other = others.first()
    if other is not None:
        raise ValidationError(
            {"credit_code": _("该统一社会信用代码已被企业“%(name)s”使用") % {"name": other.name}}
        )


def _apply_enterprise_data(enterprise: Enterprise, data: dict[str, Any]) -> None:
    """Set fields from `data` (service names; money in yuan) and validate; raises ValidationError."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(data) - set(ENTERPRISE_FIELDS))
    if unknown:
        errors["__all__"] = [_("未知字段：%(names)s") % {"names": "、".join(unknown)}]
    for key, value in data.items():
        if key not in ENTERPRISE_FIELDS:
            continue
        if key == "name":
            name = (value or "").strip() if isinstance(value, str) else value
            if not name:
                errors["name"] = [_("企业名称不能为空")]
            enterprise.name = name or ""
        elif key == "credit_code":
            if value is None or (isinstance(value, str) and not value.strip()):
                enterprise.credit_code = None
            else:
                try:
                    enterprise.credit_code = cc.validate(str(value))
                except cc.CreditCodeError as exc:
                    errors["credit_code"] = [str(exc)]
        elif key == "annual_revenue_yuan":
            if value is None or (isinstance(value, str) and not value.strip()):
                enterprise.annual_revenue_fen = None
            else:
                try:
                    enterprise.annual_revenue_fen = parse_yuan_fen(value)
                except MoneyError as exc:
                    errors["annual_revenue_yuan"] = [str(exc)]
        elif key == "employees":
            if isinstance(value, int) and not isinstance(value, bool) and value < 0:
                errors["employees"] = [_("员工人数不能为负数")]
            else:
                enterprise.employees = value
        elif key in _TEXT_FIELDS:
            setattr(enterprise, key, "" if value is None else str(value).strip())
        else:
            setattr(enterprise, key, value)
    if "registered_on" in data and isinstance(enterprise.registered_on, dt.date):
        if enterprise.registered_on > timezone.localdate():
            errors["registered_on"] = [_("成立日期不能晚于今天")]
    _full_clean_merged(
        enterprise,
        errors,
        exclude=["organisation", "credit_code"],
        mapping={"annual_revenue_fen": "annual_revenue_yuan"},
    )
    _check_credit_code_free(enterprise.credit_code, exclude_pk=enterprise.pk)


@transaction.atomic
def enterprise_create(
    *,
    actor: Any,
    name: str,
    organisation: Any = None,
    credit_code: str | None = None,
    stage: str = Stage.IDEA,
    **facts: Any,
) -> Enterprise:
    enterprise = Enterprise(
        name=name.strip(),
        organisation=organisation,
        credit_code=cc.validate(credit_code) if credit_code else None,
        stage=stage,
        **facts,
    )
    enterprise.full_clean()
    enterprise.save()
    audit_record(
        actor=actor,
        action="enterprise.create",
        target=enterprise,
        after=snapshot(enterprise),
        enterprise_id=enterprise.pk,
    )
    return enterprise


def _lock(enterprise: Enterprise, expected_version: int | None) -> Enterprise:
    try:
        locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    except Enterprise.DoesNotExist as exc:
        raise ValidationError(_("该企业已不存在")) from exc
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersionError(_(STALE_MESSAGE), code="stale")
    return locked


@transaction.atomic
def enterprise_update(
    *, actor: Any, enterprise: Enterprise, data: dict[str, Any], expected_version: int | None = None
) -> Enterprise:
    """Change an enterprise's profile; `data` uses service names, money as yuan (Decimal or text)."""
    require_enterprise_write(actor, enterprise.pk)
    locked = _lock(enterprise, expected_version)
    before = snapshot(locked)
    _apply_enterprise_data(locked, data)
    old, new = _changes(before, snapshot(locked))
    if not new:
        return locked
    locked.version += 1
    try:
        locked.save()
    except IntegrityError as exc:  # a concurrent writer took the credit code first
        raise ValidationError({"credit_code": _("该统一社会信用代码已被其他企业使用")}) from exc
    audit_record(
        actor=actor, action="enterprise.update", target=locked, before=old, after=new, enterprise_id=locked.pk
    )
    return locked


@transaction.atomic
def enterprise_stage_set(
    *, actor: Any, enterprise: Enterprise, stage: str, expected_version: int | None = None
) -> Enterprise:
    require_enterprise_write(actor, enterprise.pk)
    if stage not in Stage.values:
        raise ValidationError({"stage": _("“%(s)s”不是有效的孵化阶段") % {"s": stage}})
    locked = _lock(enterprise, expected_version)
    if locked.stage == stage:
        return locked
    before = {"stage": locked.stage}
    locked.stage = stage
    locked.version += 1
    locked.save(update_fields=["stage", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="enterprise.stage_set",
        target=locked,
        before=before,
        after={"stage": stage},
        enterprise_id=locked.pk,
    )
    return locked


# ------------------------------------------------------------------------------------------ people
def _require_person_write(actor: Any, enterprise_id: int | None) -> None:
    if enterprise_id is None:
        require_role(actor, Role.CASEWORKER, Role.ADMIN)
    else:
        require_enterprise_write(actor, enterprise_id)


def _apply_person_data(person: Person, data: dict[str, Any]) -> None:
    from shouzhan.accounts.validators import normalize_mobile, validate_mobile

    unknown = sorted(set(data) - set(PERSON_FIELDS))
    if unknown:
        raise ValidationError(_("未知字段：%(names)s") % {"names": "、".join(unknown)})
    errors: dict[str, list[str]] = {}
    for key, value in data.items():
        if key == "birth_year":
            person.birth_year = value
        else:
            setattr(person, key, "" if value is None else str(value).strip())
    if person.mobile:
        try:
            validate_mobile(person.mobile)
            person.mobile = normalize_mobile(person.mobile)
        except ValidationError as exc:
            errors["mobile"] = exc.messages
    if not person.name:
        errors["name"] = [_("姓名不能为空")]
    if errors:
        raise ValidationError(errors)
    person.full_clean(exclude=["enterprise", "user"])


@transaction.atomic
def person_create(*, actor: Any, enterprise: Enterprise | None, data: dict[str, Any]) -> Person:
    enterprise_id = enterprise.pk if enterprise is not None else None
    _require_person_write(actor, enterprise_id)
    person = Person(enterprise=enterprise)
    _apply_person_data(person, data)
    person.save()
    audit_record(
        actor=actor,
        action="person.create",
        target=person,
        after=snapshot(person),
        enterprise_id=enterprise_id,
    )
    return person


@transaction.atomic
def person_for_user(*, actor: Any) -> Person:
    """The logged-in user's own Person, created from their account the first time it is needed.

    An inventor can then list patents without a caseworker creating their record first.
    The user's row is locked, so two requests at once create one Person, never two.
    """
    from shouzhan.accounts.models import User
    from shouzhan.core.permissions import require_login

    require_login(actor)
    User.objects.select_for_update().filter(pk=actor.pk).first()
    person = Person.objects.filter(user_id=actor.pk).first()
    if person is not None:
        return person
    name = (getattr(actor, "name", "") or "").strip() or str(actor)
    person = Person(
        user=actor,
        name=name[:60],
        mobile=getattr(actor, "mobile", None) or "",
        email=getattr(actor, "email", None) or "",
    )
    person.full_clean(exclude=["enterprise", "user"])
    person.save()
    audit_record(
        actor=actor,
        action="person.create",
        target=person,
        after=snapshot(person),
        note=_("本人首次使用，自动建立人员档案"),
    )
    return person


def _update_audited(*, actor: Any, instance: Any, apply: Any, data: dict[str, Any], action: str) -> Any:
    """Lock the row, apply the data, and save and audit only when a field really changed."""
    locked = type(instance).objects.select_for_update().get(pk=instance.pk)
    before = snapshot(locked)
    apply(locked, data)
    old, new = _changes(before, snapshot(locked))
    if new:
        locked.save()
        audit_record(
            actor=actor,
            action=action,
            target=locked,
            before=old,
            after=new,
            enterprise_id=locked.enterprise_id,
        )
    return locked


@transaction.atomic
def person_update(*, actor: Any, person: Person, data: dict[str, Any]) -> Person:
    _require_person_write(actor, person.enterprise_id)
    return _update_audited(
        actor=actor, instance=person, apply=_apply_person_data, data=data, action="person.update"
    )


@transaction.atomic
def person_delete(*, actor: Any, person: Person) -> None:
    _require_person_write(actor, person.enterprise_id)
    before = snapshot(person)
    audit_record(
        actor=actor, action="person.delete", target=person, before=before, enterprise_id=person.enterprise_id
    )
    person.delete()


# ------------------------------------------------------------------------------------------ projects
def _apply_project_data(project: Project, data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(data) - set(PROJECT_FIELDS) - set(PROJECT_EXTRA_NAMES))
    if unknown:
        errors["__all__"] = [_("未知字段：%(names)s") % {"names": "、".join(unknown)}]
    extra = dict(project.extra_facts or {})
    for key, value in data.items():
        if key == "rd_investment_yuan":
            if value is None or (isinstance(value, str) and not value.strip()):
                project.rd_investment_fen = None
            else:
                try:
                    project.rd_investment_fen = parse_yuan_fen(value)
                except MoneyError as exc:
                    errors["rd_investment_yuan"] = [str(exc)]
        elif key in ("title", "description", "kind"):
            setattr(project, key, "" if value is None else str(value).strip())
        elif key in PROJECT_FIELDS:
            setattr(project, key, value)
        elif key in PROJECT_EXTRA_NAMES:
            if value is None or value == "":
                extra.pop(key, None)
            elif key == "voucher_item":
                if value not in dict(VOUCHER_ITEMS):
                    errors[key] = [_("“%(v)s”不是有效的券种") % {"v": value}]
                else:
                    extra[key] = value
            elif isinstance(value, bool):
                extra[key] = value
            else:
                errors[key] = [_("请选择 是、否 或 未知")]
    project.extra_facts = extra
    if "title" in data and not project.title:
        errors["title"] = [_("名称不能为空")]
    for key in ("year", "trainees"):
        value = getattr(project, key)
        if isinstance(value, int) and not isinstance(value, bool) and value < 0:
            errors[key] = [_("不能为负数")]
    _full_clean_merged(
        project, errors, exclude=["enterprise"], mapping={"rd_investment_fen": "rd_investment_yuan"}
    )


@transaction.atomic
def project_create(*, actor: Any, enterprise: Enterprise, data: dict[str, Any]) -> Project:
    require_enterprise_write(actor, enterprise.pk)
    project = Project(enterprise=enterprise)
    _apply_project_data(project, data)
    project.save()
    audit_record(
        actor=actor,
        action="project.create",
        target=project,
        after=snapshot(project),
        enterprise_id=enterprise.pk,
    )
    return project


@transaction.atomic
def project_update(*, actor: Any, project: Project, data: dict[str, Any]) -> Project:
    require_enterprise_write(actor, project.enterprise_id)
    return _update_audited(
        actor=actor, instance=project, apply=_apply_project_data, data=data, action="project.update"
    )


@transaction.atomic
def project_delete(*, actor: Any, project: Project) -> None:
    require_enterprise_write(actor, project.enterprise_id)
    audit_record(
        actor=actor,
        action="project.delete",
        target=project,
        before=snapshot(project),
        enterprise_id=project.enterprise_id,
    )
    project.delete()


# ------------------------------------------------------------------------------------------ import / export
@dataclass
class RowError:
    row: int
    column: str
    reason: str


@dataclass
class ImportReport:
    filename: str
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def saved(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def bad_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        """The report a finished ImportJob stored, back as the object the pages show."""
        return cls(
            filename=data["filename"],
            total_rows=data["total_rows"],
            created=data["created"],
            updated=data["updated"],
            unchanged=data["unchanged"],
            errors=[RowError(e["row"], e["column"], e["reason"]) for e in data["errors"]],
            ignored_columns=list(data["ignored_columns"]),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "total_rows": self.total_rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [{"row": e.row, "column": e.column, "reason": e.reason} for e in self.errors],
            "ignored_columns": self.ignored_columns,
        }


def _read_table(
    data: bytes, filename: str
) -> tuple[list[sheet.Column | None], list[str], list[tuple[int, list[Any]]]]:
    """Header columns, ignored header names, and the non-blank data rows. The one reader
    (core.spreadsheets) refuses a file beyond the limits on bytes, rows, cells and seconds."""
    columns: list[sheet.Column | None] | None = None
    ignored: list[str] = []
    rows: list[tuple[int, list[Any]]] = []
    for number, values in spreadsheets.read_rows(data, filename):
        if columns is None:
            if all(sheet.is_blank(v) for v in values):
                raise sheet.FileError(_("第 1 行应为表头（如 统一社会信用代码、企业名称 …），但它是空的"))
            columns = [sheet.column_for_header(v) for v in values]
            ignored = [
                str(v).strip()
                for v, c in zip(values, columns, strict=True)
                if c is None and not sheet.is_blank(v)
            ]
            present = {c.key for c in columns if c is not None}
            missing = [
                c.label for c in sheet.COLUMNS if c.key in sheet.REQUIRED_KEYS and c.key not in present
            ]
            if missing:
                raise sheet.FileError(_("缺少必需的列：%(cols)s") % {"cols": "、".join(missing)})
            keys = [c.key for c in columns if c is not None]
            dup = sorted({k for k in keys if keys.count(k) > 1})
            if dup:
                labels = [c.label for c in sheet.COLUMNS if c.key in dup]
                raise sheet.FileError(_("表头中有重复的列：%(cols)s") % {"cols": "、".join(labels)})
            continue
        if not all(sheet.is_blank(v) for v in values):
            rows.append((number, values))
    if columns is None:
        raise sheet.FileError(_("文件是空的"))
    return columns, ignored, rows


def import_size_check(size: int) -> None:
    """Refuse an upload larger than IMPORT_MAX_BYTES before reading it."""
    try:
        spreadsheets.size_check(size)
    except spreadsheets.SpreadsheetError as exc:
        raise ValidationError(str(exc)) from exc


def _read_import(
    *, actor: Any, data: bytes, filename: str
) -> tuple[list[sheet.Column | None], list[str], list[tuple[int, list[Any]]]]:
    """Who may import, and the file read whole: a ValidationError says why it cannot be imported at all."""
    require_import_export(actor)
    import_size_check(len(data))
    if not data:
        raise ValidationError(_("文件是空的"))
    try:
        return _read_table(data, filename)
    except sheet.FileError as exc:
        raise ValidationError(str(exc)) from exc


def _import_rows(
    *,
    actor: Any,
    columns: list[sheet.Column | None],
    rows: list[tuple[int, list[Any]]],
    report: ImportReport,
    first_row_of: dict[str, int],
) -> None:
    """Save the good rows and report the bad ones. `first_row_of` (credit code → first row) carries
    across calls, so a file imported in chunks still finds a code repeated in a later chunk."""
    for number, values in rows:
        parsed: dict[str, Any] = {}
        row_errors: list[RowError] = []
        padded = list(values) + [None] * (len(columns) - len(values))
        for column, value in zip(columns, padded, strict=False):
            if column is None:
                continue
            try:
                parsed[column.key] = column.parse(value)
            except sheet.CellError as exc:
                row_errors.append(RowError(number, column.label, str(exc)))
        code = parsed.get("credit_code")
        if code and code in first_row_of:
            row_errors.insert(
                0, RowError(number, "统一社会信用代码", _("与第%(n)s行重复") % {"n": first_row_of[code]})
            )
        elif code:
            first_row_of[code] = number
        if row_errors:
            report.errors.extend(row_errors)
            continue
        try:
            with transaction.atomic():  # a savepoint per row: one bad row never undoes the others
                outcome = _import_row(actor, parsed)
        except ValidationError as exc:
            for key, messages in (
                exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
            ):
                label = next((c.label for c in sheet.COLUMNS if c.key == key), "")
                report.errors.extend(RowError(number, label, m) for m in messages)
            continue
        except IntegrityError:
            report.errors.append(RowError(number, "", _("保存失败：与已有数据冲突")))
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)


def _import_audit(*, actor: Any, report: ImportReport) -> None:
    audit_record(
        actor=actor,
        action="enterprise.import",
        target_type="registry.enterprise",
        target_label=report.filename[:255],
        after={
            "filename": report.filename,
            "rows": report.total_rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "errors": len(report.bad_rows),
        },
        note=_("导入 %(f)s：新增 %(c)s，更新 %(u)s，未变 %(n)s，错误 %(e)s 行")
        % {
            "f": report.filename,
            "c": report.created,
            "u": report.updated,
            "n": report.unchanged,
            "e": len(report.bad_rows),
        },
    )


@transaction.atomic
def enterprise_import(*, actor: Any, data: bytes, filename: str) -> ImportReport:
    """Import enterprises from .xlsx or .csv, keyed by credit code: good rows saved, bad rows reported.

    A blank cell means unknown: it sets nothing on an existing enterprise (nothing saved is lost).
    Raises ValidationError when the whole file cannot be read (type, size, rows, header).
    """
    return _import_now(actor, filename, *_read_import(actor=actor, data=data, filename=filename))


def _import_now(
    actor: Any,
    filename: str,
    columns: list[sheet.Column | None],
    ignored: list[str],
    rows: list[tuple[int, list[Any]]],
) -> ImportReport:
    report = ImportReport(filename=filename, total_rows=len(rows), ignored_columns=ignored)
    _import_rows(actor=actor, columns=columns, rows=rows, report=report, first_row_of={})
    _import_audit(actor=actor, report=report)
    return report


# ----------------------------------------------------------------------------- large imports
# Rows a page imports while the user waits (about two seconds on SQLite); a larger file is queued
# for the worker, which commits IMPORT_CHUNK rows at a time and records its progress.
IMPORT_CHUNK = 200
# A run's watchdog task comes due this long after the run's lease would run out.
WATCH_SLACK = dt.timedelta(seconds=5)
RECOVERER = "system:import-watch"  # the audit trail's actor when a job whose worker died is taken up


class _RunSuperseded(Exception):
    """This run no longer owns the job (its lease expired and the job was taken up again): stop,
    and let the enclosing transaction undo the chunk it was writing."""


def enterprise_import_submit(*, actor: Any, data: bytes, filename: str) -> ImportReport | ImportJob:
    """What the import page calls: a small file is imported at once (its report comes back); a large
    one becomes an ImportJob for the background worker. A file that cannot be read is refused now."""
    columns, ignored, rows = _read_import(actor=actor, data=data, filename=filename)
    if len(rows) <= settings.IMPORT_INLINE_ROWS:
        with transaction.atomic():
            return _import_now(actor, filename, columns, ignored, rows)
    with transaction.atomic():
        job = ImportJob.objects.create(actor=actor, filename=filename[:255], data=data, total_rows=len(rows))
        audit_record(
            actor=actor,
            action="enterprise.import_queued",
            target=job,
            after={"filename": job.filename, "rows": job.total_rows, "status": job.status},
        )
        # The task row is written in the same transaction: the job and its task exist together or not at all.
        _import_job_enqueue(job)
    return job


def _import_job_enqueue(job: ImportJob) -> None:
    from shouzhan.registry.tasks import import_job_task

    result = import_job_task.enqueue(job.pk)
    job.task_id = str(result.id)
    ImportJob.objects.filter(pk=job.pk).update(task_id=job.task_id)


def _import_job_finish(job: ImportJob, *, token: str, **fields: Any) -> None:
    """End this run's job (done or failed) — only if the run still owns it."""
    with transaction.atomic():
        owned = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING, run_token=token)
        if not owned.update(data=b"", finished_at=timezone.now(), run_token="", **fields):
            raise _RunSuperseded
        if fields["status"] == ImportJob.Status.FAILED:  # a finished import is audited as the import itself
            audit_record(
                actor=job.actor,
                action="enterprise.import_failed",
                target=job,
                before={"status": ImportJob.Status.RUNNING},
                after={"status": ImportJob.Status.FAILED, "error": fields.get("error", "")},
            )


def _first_rows(columns: list[sheet.Column | None], rows: list[tuple[int, list[Any]]]) -> dict[str, int]:
    """Credit code → the first row naming it, over rows an earlier run committed: what `_import_rows`
    had built for them, so a code repeated after the break is still reported as a repeat."""
    index = next((i for i, c in enumerate(columns) if c is not None and c.key == "credit_code"), None)
    first: dict[str, int] = {}
    if index is None:
        return first
    for number, values in rows:
        try:
            code = sheet.parse_credit_code(values[index] if index < len(values) else None)
        except sheet.CellError:
            continue
        first.setdefault(code, number)
    return first


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a queued import (the worker calls this). Each chunk of rows commits together with the
    progress, the report so far and a heartbeat, so the page can show it and a run that dies can be
    taken up from its last committed chunk. A job that is not queued (done, failed, or running under
    another worker) is left alone: one conditional UPDATE decides which run owns it."""
    token = uuid.uuid4().hex
    now = timezone.now()
    with transaction.atomic():  # the run and its watchdog start together: no run goes unwatched
        claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
            status=ImportJob.Status.RUNNING, run_token=token, heartbeat_at=now
        )
        if claimed:
            _import_job_watch_schedule(job_id, heartbeat_at=now)
    job = ImportJob.objects.get(pk=job_id)
    if not claimed:
        return job
    actor = job.actor
    try:
        try:
            columns, ignored, rows = _read_import(actor=actor, data=bytes(job.data), filename=job.filename)
            done = job.processed_rows
            if done and job.report:  # a resumed run: the committed chunks' report goes on growing
                report = ImportReport.from_dict(job.report)
            else:
                report = ImportReport(filename=job.filename, total_rows=len(rows), ignored_columns=ignored)
            first_row_of = _first_rows(columns, rows[:done])
            for start in range(done, len(rows), IMPORT_CHUNK):
                chunk = rows[start : start + IMPORT_CHUNK]
                with transaction.atomic():
                    _import_rows(
                        actor=actor, columns=columns, rows=chunk, report=report, first_row_of=first_row_of
                    )
                    owned = ImportJob.objects.filter(
                        pk=job.pk, status=ImportJob.Status.RUNNING, run_token=token, processed_rows=start
                    )
                    if not owned.update(
                        processed_rows=start + len(chunk),
                        heartbeat_at=timezone.now(),
                        report=report.as_dict(),
                    ):
                        raise _RunSuperseded  # undoes this chunk: the run that owns the job does it
            with transaction.atomic():
                _import_audit(actor=actor, report=report)
                _import_job_finish(job, token=token, status=ImportJob.Status.DONE, report=report.as_dict())
        except (ValidationError, PermissionDenied) as exc:  # e.g. the uploader has lost the import role since
            reason = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            _import_job_finish(job, token=token, status=ImportJob.Status.FAILED, error=reason[:500])
        except _RunSuperseded:
            raise
        except Exception:
            _import_job_finish(
                job,
                token=token,
                status=ImportJob.Status.FAILED,
                error=_("导入时发生内部错误，已记录，请联系管理员。"),
            )
            raise  # the worker logs it with its traceback
    except _RunSuperseded:
        pass  # another run owns the job now; what this one had not committed was undone
    job.refresh_from_db()
    return job


def import_jobs_recover(*, job_id: int | None = None) -> list[ImportJob]:
    """Take up the background imports whose worker died (killed, crashed, machine lost): a running
    job silent for longer than IMPORT_JOB_LEASE_SECONDS is queued again and goes on from its last
    committed chunk — nothing committed is lost or imported twice — or, once IMPORT_JOB_MAX_RUNS
    runs have died, is marked failed with the rows done. The dead run's django-tasks result is
    marked failed too. Safe to call from anywhere at any time (the job page does, so does
    `manage.py import_jobs_recover` and every import task): a conditional UPDATE lets exactly one
    caller take each job up. Returns the jobs taken up."""
    now = timezone.now()
    silent = Q(heartbeat_at__lt=now - dt.timedelta(seconds=settings.IMPORT_JOB_LEASE_SECONDS)) | Q(
        heartbeat_at__isnull=True
    )
    stale = ImportJob.objects.filter(silent, status=ImportJob.Status.RUNNING)
    if job_id is not None:
        stale = stale.filter(pk=job_id)
    taken: list[ImportJob] = []
    for job in stale.defer("data", "report"):
        with transaction.atomic():
            won = ImportJob.objects.filter(
                silent, pk=job.pk, status=ImportJob.Status.RUNNING, run_token=job.run_token
            )
            lost = job.interruptions + 1
            before = {"status": job.status, "processed_rows": job.processed_rows}
            if lost >= settings.IMPORT_JOB_MAX_RUNS:
                error = _(
                    "后台导入进程意外中断了 %(n)s 次，导入已停止：前 %(done)s 行已导入，其余 %(left)s 行未导入。"
                    "请把未导入的行另存为新文件后重新导入。"
                ) % {"n": lost, "done": job.processed_rows, "left": job.total_rows - job.processed_rows}
                fields: dict[str, Any] = {
                    "status": ImportJob.Status.FAILED,
                    "error": error[:500],
                    "data": b"",
                    "finished_at": now,
                }
                action = "enterprise.import_failed"
            else:
                fields = {"status": ImportJob.Status.QUEUED, "resumed_from": job.processed_rows}
                action = "enterprise.import_resumed"
            if not won.update(run_token="", interruptions=lost, **fields):
                continue  # someone else took it up first
            _task_lost(job.task_id)
            audit_record(
                actor=RECOVERER,
                action=action,
                target=job,
                before=before,
                after={"status": fields["status"], "interruptions": lost, "error": fields.get("error", "")},
            )
            if fields["status"] == ImportJob.Status.QUEUED:
                _import_job_enqueue(job)
        job.refresh_from_db()
        taken.append(job)
    return taken


def _import_job_watch_schedule(job_id: int, *, heartbeat_at: dt.datetime) -> None:
    """Have a watchdog run just after the lease of a run last heard from at `heartbeat_at` would run
    out (and not sooner than WATCH_SLACK from now)."""
    from shouzhan.registry.tasks import import_job_watch_schedule

    lease = dt.timedelta(seconds=settings.IMPORT_JOB_LEASE_SECONDS)
    at = max(heartbeat_at + lease, timezone.now()) + WATCH_SLACK
    import_job_watch_schedule(job_id, at=at)


def import_job_watch(*, job_id: int) -> tuple[str, str]:
    """What the watchdog task does (see tasks.import_job_watch): returns the job's status and what
    was done — "none" (the job is not running), "watching" (its run is alive: watched again one lease
    on), "resumed" or "failed" (its run was silent and the job was taken up)."""
    job = ImportJob.objects.filter(pk=job_id).only("status", "heartbeat_at").first()
    if job is None:
        return "gone", "none"
    lease = dt.timedelta(seconds=settings.IMPORT_JOB_LEASE_SECONDS)
    if job.status == ImportJob.Status.RUNNING and (
        job.heartbeat_at is None or job.heartbeat_at < timezone.now() - lease
    ):
        taken = import_jobs_recover(job_id=job_id)
        if taken:
            status = taken[0].status
            return status, "resumed" if status == ImportJob.Status.QUEUED else "failed"
        job.refresh_from_db(fields=["status", "heartbeat_at"])  # someone else took it up, or it spoke
    if job.status != ImportJob.Status.RUNNING:
        # Finished, or queued again: the run that takes it up next starts a watchdog of its own.
        return job.status, "none"
    with transaction.atomic():
        # Locked, so a run claiming the job at this moment and this watchdog do not both enqueue one.
        list(ImportJob.objects.select_for_update().filter(pk=job_id).values_list("pk", flat=True))
        _import_job_watch_schedule(job_id, heartbeat_at=job.heartbeat_at or timezone.now())
    return job.status, "watching"


def _task_lost(task_id: str) -> None:
    """Mark the django-tasks result of a run whose worker died as failed (it would say RUNNING forever)."""
    if not task_id:
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(
        status="FAILED",
        finished_at=timezone.now(),
        exception_class_path="shouzhan.registry.services.WorkerLost",
        traceback="The worker running this import stopped without finishing it (killed or crashed); "
        "the import was taken up again by import_jobs_recover.",
    )


def _import_row(actor: Any, parsed: dict[str, Any]) -> str:
    code = parsed["credit_code"]
    existing = Enterprise.objects.select_for_update().filter(credit_code=code).first()
    if existing is None:
        values = {k: v for k, v in parsed.items() if v is not None and v != ""}
        values.setdefault("stage", Stage.IDEA)
        enterprise = Enterprise(credit_code=code)
        _apply_enterprise_data(enterprise, values)
        enterprise.save()
        audit_record(
            actor=actor,
            action="enterprise.import_create",
            target=enterprise,
            after=snapshot(enterprise),
            enterprise_id=enterprise.pk,
        )
        return "created"
    before = snapshot(existing)
    changes = {k: v for k, v in parsed.items() if v is not None and v != "" and k != "credit_code"}
    _apply_enterprise_data(existing, changes)
    old, new = _changes(before, snapshot(existing))
    if not new:
        return "unchanged"
    existing.version += 1
    existing.save()
    audit_record(
        actor=actor,
        action="enterprise.import_update",
        target=existing,
        before=old,
        after=new,
        enterprise_id=existing.pk,
    )
    return "updated"


def enterprise_export(*, actor: Any, enterprises: QuerySet[Enterprise] | list[Enterprise]) -> bytes:
    """The enterprises as .xlsx with the import's Chinese headers, so an export re-imports cleanly."""
    require_import_export(actor)
    sector_labels = {k: str(v) for k, v in Sector.choices}
    stage_labels = {k: str(v) for k, v in Stage.choices}
    rows: list[list[Any]] = []
    for e in enterprises:
        rows.append(
            [
                e.credit_code or None,
                e.name,
                e.district or None,
                e.registered_on,
                e.employees,
                None if e.annual_revenue_fen is None else yuan_decimal(e.annual_revenue_fen),
                sheet.bool_text(e.is_one_person_company),
                sector_labels.get(e.sector) if e.sector else None,
                sheet.bool_text(e.in_cluster),
                sheet.bool_text(e.is_startup),
                stage_labels.get(e.stage, e.stage),
                e.legal_representative or None,
                e.address or None,
                e.phone or None,
            ]
        )
    content = spreadsheets.write_xlsx(
        spreadsheets.Sheet("企业", rows, header=[column.label for column in sheet.COLUMNS])
    )
    audit_record(
        actor=actor,
        action="enterprise.export",
        target_type="registry.enterprise",
        target_label=_("企业名录导出"),
        after={"count": len(rows)},
    )
    return content


def can_import_export(actor: Any) -> bool:
    return has_role(actor, *IMPORT_EXPORT_ROLES)


def require_import_export(actor: Any) -> None:
    if not can_import_export(actor):
        raise PermissionDenied(_("只有营商专员、政策专员、领导和管理员可以导入或导出企业名录。"))
