"""Import patents from a spreadsheet: good rows saved (re-importing a number updates it), bad rows reported
— a number named twice in one file is the second row's error, naming the first (nothing of it is saved)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shouzhan.community import importing, permissions
from shouzhan.community.models import Listing
from shouzhan.community.services.listings import Owners, listing_change, listing_new, owner_or_self
from shouzhan.core.actors import Actor
from shouzhan.core.audit import audit_record
from shouzhan.core.importing import RowError, row_errors, upload_read
from shouzhan.registry.models import Enterprise, Person

__all__ = ["ListingImportReport", "RowError", "listing_import"]


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
    rows, ignored = upload_read(data, filename, importing.read)
    report = ListingImportReport(filename=filename, ignored_columns=ignored)
    first_rows = importing.first_rows()
    for number, values in rows:
        report.total_rows += 1
        parsed, problems = importing.parse_row(values)
        errors = [RowError(number, col, reason) for col, reason in problems]
        repeat = first_rows.claim(number, parsed["patent_number"] or None)
        if repeat is not None:
            errors.insert(0, repeat)
        if errors:
            report.errors.extend(errors)
            continue
        try:
            _import_row(actor=actor, parsed=parsed, owners=owners, report=report)
        except ValidationError as exc:
            report.errors.extend(row_errors(number, exc, importing.column_label))
    _audit_import(actor=actor, report=report, enterprise=owners[1])
    return report
