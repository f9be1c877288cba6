"""The monthly bulletin (月度通报): generated once a month from the month's snapshots — a PDF with Chinese text
and charts (weasyprint, inline SVG, the Noto Sans CJK font) and a workbook with the figures — stored and
archived; each download is audited with who downloaded it."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.audit import audit_record
from shouzhan.core.spreadsheets import Sheet, write_xlsx
from shouzhan.insight import audit_actions as aa
from shouzhan.insight.bulletin import Content, Line, bulletin_compose
from shouzhan.insight.models import Bulletin
from shouzhan.insight.permissions import require_manage, require_read
from shouzhan.insight.services.figures import month_start, snapshot_take

KINDS: dict[str, str] = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def bulletin_filename(bulletin: Bulletin, kind: str) -> str:
    return f"月度通报-{bulletin.month.year}-{bulletin.month.month:02d}.{kind}"


def bulletin_html(content: Content, *, generated_at: dt.datetime) -> str:
    return render_to_string(
        "insight/bulletin_pdf.html",
        {"c": content, "bars": content.bars(), "trend": content.trend_chart(), "generated_at": generated_at},
    )


def bulletin_pdf(content: Content, *, generated_at: dt.datetime) -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string=bulletin_html(content, generated_at=generated_at)).write_pdf())


def _rows(lines: list[Line]) -> list[list[object]]:
    return [
        [
            line.title,
            line.value,
            line.goal,
            line.progress,
            line.previous,
            line.change,
            _unit(line.unit),
            line.definition,
            line.source,
            line.as_of,
        ]
        for line in lines
    ]


def _unit(unit: str) -> str:
    return {"count": _("个数"), "percent": _("百分比（%）"), "yuan": _("元")}.get(unit, unit)


def bulletin_xlsx(content: Content) -> bytes:
    header = [
        _("指标"),
        _("本月值"),
        _("目标值"),
        _("完成比例（%）"),
        _("上月值"),
        _("较上月变化"),
        _("单位"),
        _("口径"),
        _("数据来源"),
        _("截至"),
    ]
    widths = (22, 12, 12, 14, 12, 12, 12, 60, 40, 12)
    months = sorted({m for points in content.trend.values() for m, _f in points})
    trend_rows: list[list[object]] = []
    for line in content.targets:
        by_month = {m: f.value for m, f in content.trend.get(line.key, [])}
        trend_rows.append([line.title, *(by_month.get(m) for m in months)])
    heading = _("%(label)s 月度通报（截至 %(d)s）") % {"label": content.label, "d": content.as_of.isoformat()}
    return write_xlsx(
        Sheet(_("目标进度"), _rows(content.targets), header=header, heading=heading, widths=widths),
        Sheet(_("服务指标"), _rows(content.services), header=header, heading=heading, widths=widths),
        Sheet(
            _("月度趋势"),
            trend_rows,
            header=[_("指标"), *(f"{m.year}-{m.month:02d}" for m in months)],
            heading=_("各目标月末值"),
            widths=(22, *(10,) * len(months)),
        ),
        Sheet(
            _("通报要点"), [[s] for s in content.summary], header=[_("要点")], heading=heading, widths=(120,)
        ),
    )


def bulletin_generate(*, actor: Actor, month: dt.date) -> Bulletin:
    """The month's bulletin: generated from its snapshots (taken now if they were not) and stored, once — a
    second call returns the stored one. A month not yet over is refused (`ValidationError`)."""
    require_manage(actor)
    month = month_start(month)
    existing = Bulletin.objects.filter(month=month).first()
    if existing is not None:
        return existing
    snapshot_take(actor=actor, month=month)
    content = bulletin_compose(month)
    generated_at = timezone.now()
    pdf = bulletin_pdf(
        content, generated_at=generated_at
    )  # rendered outside the transaction: it takes seconds
    xlsx = bulletin_xlsx(content)
    try:
        with transaction.atomic():
            bulletin = Bulletin.objects.create(
                month=month,
                pdf=pdf,
                xlsx=xlsx,
                pdf_sha256=hashlib.sha256(pdf).hexdigest(),
                figures=content.to_json(),
                generated_at=generated_at,
                generated_by=actor_user(actor),
            )
            audit_record(
                actor=actor,
                action=aa.BULLETIN_GENERATE,
                target=bulletin,
                after={
                    "month": month.isoformat(),
                    "pdf_sha256": bulletin.pdf_sha256,
                    "figures": len(content.targets) + len(content.services),
                },
            )
    except IntegrityError:  # generated at the same moment by another worker: theirs stands
        return Bulletin.objects.get(month=month)
    return bulletin


@transaction.atomic
def bulletin_download(*, actor: Actor, bulletin: Bulletin, kind: str) -> bytes:
    """The bulletin's PDF or workbook; the download is audited with who took it."""
    require_read(actor)
    if kind not in KINDS:
        raise ValidationError(_("通报只有 PDF 和 Excel 两种格式。"))
    audit_record(
        actor=actor,
        action=aa.BULLETIN_DOWNLOAD,
        target=bulletin,
        after={"month": bulletin.month.isoformat(), "kind": kind},
    )
    data = bulletin.pdf if kind == "pdf" else bulletin.xlsx
    return bytes(data)


def month_parse(text: str) -> dt.date:
    """“2026-09” → 2026-09-01; anything else (or outside 2000–2099) a ValidationError in words."""
    parts = text.strip().split("-")
    if len(parts) == 2 and all(p.isdigit() for p in parts) and len(parts[0]) == 4:
        year, number = int(parts[0]), int(parts[1])
        if 2000 <= year <= 2099 and 1 <= number <= 12:
            return dt.date(year, number, 1)
    raise ValidationError(_("请按“2026-09”的格式填写月份（2000 至 2099 年）。"))
