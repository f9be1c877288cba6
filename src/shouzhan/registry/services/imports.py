"""Importing the enterprise register from a spreadsheet while the user waits, and exporting it.

The file is read by `registry.importing` (the shape community's importer has); this module saves the
good rows, reports the bad ones and writes the audit trail. Large files go to `import_jobs`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from shouzhan.core import spreadsheets
from shouzhan.core.actors import Actor
from shouzhan.core.audit import audit_record, snapshot
from shouzhan.core.importing import FirstRows, RowError, Table, row_errors, upload_read
from shouzhan.registry import audit_actions as A
from shouzhan.registry import importing
from shouzhan.registry import spreadsheet as sheet
from shouzhan.registry.choices import Stage
from shouzhan.registry.models import Enterprise
from shouzhan.registry.permissions import require_import_export
from shouzhan.registry.services.enterprises import enterprise_changed, enterprise_data_apply


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


def import_size_check(size: int) -> None:
    """Refuse an upload larger than IMPORT_MAX_BYTES before reading it."""
    try:
        spreadsheets.size_check(size)
    except spreadsheets.SpreadsheetError as exc:
        raise ValidationError(str(exc)) from exc


def import_read(*, actor: Actor, data: bytes, filename: str) -> Table[sheet.Column]:
    """Who may import, and the file read whole: a ValidationError says why it cannot be imported at all."""
    require_import_export(actor)
    return upload_read(data, filename, importing.read)


def _import_row(actor: Actor, parsed: dict[str, Any]) -> str:
    """Save one parsed row: a new enterprise, or the known one's non-blank cells (a blank cell means
    unknown and sets nothing). Returns which of the report's counts it adds to."""
    code = parsed["credit_code"]
    existing = Enterprise.objects.filter(credit_code=code).only("pk", "version").first()
    if existing is None:
        values = {k: v for k, v in parsed.items() if v is not None and v != ""}
        values.setdefault("stage", Stage.IDEA)
        enterprise = Enterprise(credit_code=code)
        enterprise_data_apply(enterprise, values)
        enterprise.save()
        audit_record(
            actor=actor,
            action=A.ENTERPRISE_IMPORT_CREATE,
            target=enterprise,
            after=snapshot(enterprise),
            enterprise_id=enterprise.pk,
        )
        return "created"
    changes = {k: v for k, v in parsed.items() if v is not None and v != "" and k != "credit_code"}
    saved = enterprise_changed(
        actor=actor, enterprise=existing, action=A.ENTERPRISE_IMPORT_UPDATE, data=changes
    )
    return "unchanged" if saved.version == existing.version else "updated"


def import_rows(
    *,
    actor: Actor,
    columns: list[sheet.Column | None],
    rows: list[tuple[int, list[Any]]],
    report: ImportReport,
    first_rows: FirstRows[str],
) -> None:
    """Save the good rows and report the bad ones. A credit code named by an earlier row makes this row
    an error naming that row, and nothing of it is saved. `first_rows` carries across calls, so a file
    imported in chunks still finds a code repeated in a later chunk."""
    for number, values in rows:
        parsed, problems = importing.parse_row(columns, values)
        errors = [RowError(number, label, reason) for label, reason in problems]
        repeat = first_rows.claim(number, parsed.get("credit_code"))
        if repeat is not None:
            errors.insert(0, repeat)
        if errors:
            report.errors.extend(errors)
            continue
        try:
            with transaction.atomic():  # a savepoint per row: one bad row never undoes the others
                outcome = _import_row(actor, parsed)
        except ValidationError as exc:
            report.errors.extend(row_errors(number, exc, importing.column_label))
            continue
        except IntegrityError:
            report.errors.append(RowError(number, "", _("保存失败：与已有数据冲突")))
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)


def import_audit(*, actor: Actor, report: ImportReport) -> None:
    counts = {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "errors": len(report.bad_rows),
    }
    audit_record(
        actor=actor,
        action=A.ENTERPRISE_IMPORT,
        target_type="registry.enterprise",
        target_label=report.filename[:255],
        after={"filename": report.filename, "rows": report.total_rows, **counts},
        note=_("导入 %(f)s：新增 %(c)s，更新 %(u)s，未变 %(n)s，错误 %(e)s 行")
        % {
            "f": report.filename,
            "c": counts["created"],
            "u": counts["updated"],
            "n": counts["unchanged"],
            "e": counts["errors"],
        },
    )


def import_now(*, actor: Actor, filename: str, table: Table[sheet.Column]) -> ImportReport:
    report = ImportReport(filename=filename, total_rows=len(table.rows), ignored_columns=table.ignored)
    import_rows(
        actor=actor,
        columns=table.columns,
        rows=table.rows,
        report=report,
        first_rows=importing.first_rows(),
    )
    import_audit(actor=actor, report=report)
    return report


@transaction.atomic
def enterprise_import(*, actor: Actor, data: bytes, filename: str) -> ImportReport:
    """Import enterprises from .xlsx or .csv, keyed by credit code: good rows saved, bad rows reported.

    A blank cell means unknown: it sets nothing on an existing enterprise (nothing saved is lost).
    Raises ValidationError when the whole file cannot be read (type, size, rows, header).
    """
    table = import_read(actor=actor, data=data, filename=filename)
    return import_now(actor=actor, filename=filename, table=table)


def enterprise_export(*, actor: Actor, enterprises: QuerySet[Enterprise] | list[Enterprise]) -> bytes:
    """The enterprises as .xlsx with the import's Chinese headers, so an export re-imports cleanly."""
    require_import_export(actor)
    rows = importing.export_rows(enterprises)
    content = spreadsheets.write_xlsx(spreadsheets.Sheet("企业", rows, header=importing.HEADER))
    audit_record(
        actor=actor,
        action=A.ENTERPRISE_EXPORT,
        target_type="registry.enterprise",
        target_label=_("企业名录导出"),
        after={"count": len(rows)},
    )
    return content
