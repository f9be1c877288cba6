"""Import patents from a spreadsheet: good rows saved (re-importing a number updates it), bad rows reported."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shouzhan.community import importing, permissions
from shouzhan.community.models import Listing
from shouzhan.community.search import live
from shouzhan.community.services.listings import Owners, listing_change, listing_new, owner_or_self
from shouzhan.core import spreadsheets
from shouzhan.core.actors import Actor
from shouzhan.core.audit import audit_record
from shouzhan.registry.models import Enterprise, Person


@dataclass
class RowError:
    row: int
    column: str
    reason: str


@dataclass
class ListingImportReport:
    filename: str
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})

    def as_dict(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "total_rows": self.total_rows,
            "created": self.created,
            "updated": self.updated,
            "errors": [{"row": e.row, "column": e.column, "reason": e.reason} for e in self.errors],
            "ignored_columns": self.ignored_columns,
        }


def _read(data: bytes, filename: str, report: ListingImportReport) -> list[tuple[int, dict[str, Any]]]:
    """The file's rows; a file that cannot be read at all (size, type, header) is refused whole."""
    try:
        spreadsheets.size_check(len(data))
        if not data:
            raise ValidationError(_("文件是空的"))
        rows, report.ignored_columns = importing.read(data, filename)
    except spreadsheets.SpreadsheetError as exc:
        raise ValidationError(str(exc)) from exc
    return rows


def _same_owner(listing: Listing, owners: Owners) -> bool:
    person, enterprise = owners
    return (listing.owner_person_id, listing.owner_enterprise_id) == (
        person.pk if person else None,
        enterprise.pk if enterprise else None,
    )


def _import_row(*, actor: Actor, parsed: dict[str, Any], owners: Owners, report: ListingImportReport) -> None:
    """One good row: a new listing, or the update of the owner's listing with the same patent number."""
    number = parsed.get("patent_number")
    existing = Listing.objects.select_for_update().filter(patent_number=number).first() if number else None
    with transaction.atomic():  # a savepoint: a refused row leaves nothing behind
        if existing is None:
            listing_new(
                actor=actor,
                direction=Listing.Direction.OFFER,
                data=parsed,
                owners=owners,
                action="community.listing_import_create",
            )
            report.created += 1
            return
        if not _same_owner(existing, owners):
            raise ValidationError({"patent_number": [_("该专利已由其他发布人发布，请联系营商服务中心")]})
        listing_change(actor=actor, listing=existing, data=parsed, action="community.listing_import_update")
        report.updated += 1


def _record_errors(report: ListingImportReport, number: int, exc: ValidationError) -> None:
    for col, messages in getattr(exc, "message_dict", {"": exc.messages}).items():
        for message in messages:
            report.errors.append(RowError(number, importing.column_label(col), message))


def _audit_import(*, actor: Actor, report: ListingImportReport, enterprise: Enterprise | None) -> None:
    bad = len(report.bad_rows)
    audit_record(
        actor=actor,
        action="community.listing_import",
        target_type="community.listing",
        target_label=report.filename[:255],
        after=report.as_dict() | {"errors": bad},
        note=_("导入 %(f)s：新增 %(c)s，更新 %(u)s，错误 %(e)s 行")
        % {"f": report.filename, "c": report.created, "u": report.updated, "e": bad},
        enterprise_id=enterprise.pk if enterprise else None,
    )


@transaction.atomic
def listing_import(
    *,
    actor: Actor,
    data: bytes,
    filename: str,
    owner_person: Person | None = None,
    owner_enterprise: Enterprise | None = None,
) -> ListingImportReport:
    """Import patents from .xlsx/.csv: good rows saved (re-importing a number updates it), bad rows reported."""
    owners = owner_or_self(actor, owner_person, owner_enterprise)
    permissions.require_owner_write(actor, person=owners[0], enterprise=owners[1])
    report = ListingImportReport(filename=filename)
    for number, values in _read(data, filename, report):
        report.total_rows += 1
        parsed, problems = importing.parse_row(values)
        if problems:
            report.errors.extend(RowError(number, col, reason) for col, reason in problems)
            continue
        try:
            _import_row(actor=actor, parsed=parsed, owners=owners, report=report)
        except ValidationError as exc:
            _record_errors(report, number, exc)
    _audit_import(actor=actor, report=report, enterprise=owners[1])
    live.invalidate()
    return report
