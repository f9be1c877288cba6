"""The offers' .xlsx export: the data leaves the platform, so who took it is in the audit trail."""

from __future__ import annotations

from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor
from shouzhan.core.audit import audit_record
from shouzhan.core.spreadsheets import Sheet, write_xlsx
from shouzhan.offers import audit_actions as A
from shouzhan.offers import figures


def offers_export(*, actor: Actor) -> bytes:
    """Every current offer as one sheet (staff only; figures.export_offers checks)."""
    offers = figures.export_offers(actor=actor)
    content = write_xlsx(
        Sheet(_("政策直达"), figures.export_rows(offers), header=[str(h) for h in figures.EXPORT_HEADER])
    )
    audit_record(
        actor=actor, action=A.OFFERS_EXPORT, target_type="offers.offer", after={"rows": offers.count()}
    )
    return content
