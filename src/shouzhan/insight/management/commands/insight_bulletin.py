"""`manage.py insight_bulletin 2026-09`: generate a past month's bulletin (月度通报) by hand — its month-end
snapshots are taken first if they were not; a month already generated is left as it is."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from shouzhan.core.actors import system_actor
from shouzhan.insight.models import Bulletin
from shouzhan.insight.services.bulletins import bulletin_generate, month_parse


class Command(BaseCommand):
    help = "Generate the monthly bulletin of a past month (YYYY-MM) if it was not generated yet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("month", help="the month, e.g. 2026-09")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = month_parse(options["month"])
            existed = Bulletin.objects.filter(month=month).exists()
            bulletin = bulletin_generate(actor=system_actor("insight-command"), month=month)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        label = f"{bulletin.month.year}-{bulletin.month.month:02d}"
        if existed:
            at = timezone.localtime(bulletin.generated_at)
            self.stdout.write(f"{label} 月度通报已存在（生成于 {at:%Y-%m-%d %H:%M}），未重新生成。")
        else:
            self.stdout.write(f"已生成 {label} 月度通报（PDF {len(bytes(bulletin.pdf)):,} 字节）。")
