"""Load the patrol frequency rules from patrols/data/frequency.yaml (idempotent: unchanged rules publish nothing)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shouzhan.core.actors import system_actor
from shouzhan.patrols.services import frequency_load


class Command(BaseCommand):
    help = "载入巡查频次规则（patrols/data/frequency.yaml，可重复运行）"

    def handle(self, *args: Any, **options: Any) -> None:
        version = frequency_load(actor=system_actor("patrols"))
        if version is None:
            self.stdout.write("巡查频次规则没有变化。")
        else:
            self.stdout.write(
                f"已发布巡查频次规则第 {version.number} 版（{version.valid_from} 起），{version.rules.count()} 条。"
            )
