"""Load the departments, the dispatch catalogue and the coverage rules from frontline/data (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shouzhan.core.actors import system_actor
from shouzhan.frontline.services import frontline_data_load


class Command(BaseCommand):
    help = "载入承办部门、派单目录和走访覆盖要求（frontline/data，可重复运行）"

    def handle(self, *args: Any, **options: Any) -> None:
        version = frontline_data_load(actor=system_actor("frontline"))
        if version is None:
            self.stdout.write("派单目录没有变化。")
        else:
            self.stdout.write(f"已发布派单目录第 {version.number} 版，{version.rules.count()} 个类别。")
