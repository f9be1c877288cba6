"""Files: monthly statements (.xlsx through core.spreadsheets, PDF with WeasyPrint) and iCalendar (.ics, RFC 5545)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shouzhan.core.money import yuan_decimal
from shouzhan.core.spreadsheets import Sheet, write_xlsx
from shouzhan.spaces.models import Booking
from shouzhan.spaces.selectors import Statement


def statement_xlsx(statement: Statement) -> bytes:
    """The month's statement as .xlsx, through the one writer: an enterprise named '=HYPERLINK(…)'
    is written as its name, never as a live formula."""
    heading = _("%(name)s %(year)s年%(month)s月 空间费用对账单") % {
        "name": statement.enterprise.name,
        "year": statement.year,
        "month": statement.month,
    }
    header = [
        _("日期"),
        pgettext("statement line", "项目"),
        _("空间"),
        _("应收（元）"),
        _("减免（元）"),
        _("实收（元）"),
        _("减免依据"),
    ]
    rows: list[list[Any]] = [
        [
            line.day,
            line.description,
            line.resource,
            yuan_decimal(line.gross_fen),
            yuan_decimal(line.relief_fen),
            yuan_decimal(line.net_fen),
            line.reason,
        ]
        for line in statement.lines
    ]
    rows.append(
        [
            _("合计"),
            "",
            "",
            yuan_decimal(statement.gross_fen),
            yuan_decimal(statement.relief_fen),
            yuan_decimal(statement.net_fen),
            "",
        ]
    )
    return write_xlsx(
        Sheet(
            f"{statement.year}-{statement.month:02d}",
            rows,
            header=header,
            heading=heading,
            widths=(12, 40, 18, 14, 14, 14, 60),
        )
    )


def statement_pdf(statement: Statement) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "spaces/statement_pdf.html", {"statement": statement, "today": timezone.localdate()}
    )
    return bytes(HTML(string=html).write_pdf())


# ------------------------------------------------------------------------------------------ iCalendar
def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Fold at 75 octets (RFC 5545 §3.1) without splitting a UTF-8 character."""
    out: list[str] = []
    current = b""
    for ch in line:
        b = ch.encode()
        if len(current) + len(b) > (75 if not out else 74):
            out.append(current.decode())
            current = b""
        current += b
    out.append(current.decode())
    return "\r\n ".join(out)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def booking_ics(booking: Booking, *, host: str = "shouzhan") -> bytes:
    r = booking.resource
    status = {"confirmed": "CONFIRMED", "pending": "TENTATIVE"}.get(booking.status, "CANCELLED")
    description = [
        _("预约状态：%(s)s") % {"s": booking.get_status_display()},
        _("人数：%(n)s") % {"n": booking.people},
    ]
    if booking.purpose:
        description.append(_("用途：%(p)s") % {"p": booking.purpose})
    if r.owner_rules:
        description.append(_("场地方规定：%(r)s") % {"r": r.owner_rules})
    if r.required_documents:
        description.append(_("需携带材料：%(d)s") % {"d": "、".join(r.required_documents)})
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Shouzhan//spaces//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:booking-{booking.pk}@{host}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(booking.start_at)}",
        f"DTEND:{_utc(booking.end_at)}",
        f"SUMMARY:{_escape(_('%(kind)s预约：%(name)s') % {'kind': r.get_kind_display(), 'name': r.name})}",
        f"LOCATION:{_escape(' '.join(x for x in [r.site.name, r.site.address, str(r.floor.number) + 'F' if r.floor else ''] if x))}",
        f"DESCRIPTION:{_escape(chr(10).join(description))}",
        f"STATUS:{status}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()


def filename_safe(text: Any) -> str:
    return "".join(ch for ch in str(text) if ch.isalnum() or ch in "-_") or "statement"


def booking_ics_response(booking: Booking, *, host: str) -> HttpResponse:
    """The booking's .ics as a download: the same file from the page and the API."""
    response = HttpResponse(booking_ics(booking, host=host), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="booking-{booking.pk}.ics"'
    return response
