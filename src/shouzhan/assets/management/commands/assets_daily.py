"""`manage.py assets_daily`: make sure the assets' daily pass (finishing versions whose time-stamp failed or whose
fingerprints are still to make) is waiting for the django-tasks worker; `--now` runs it at once."""

from __future__ import annotations

from typing import Any

from shouzhan.assets.tasks import assets_daily_schedule, assets_pass
from shouzhan.core.daily_command import daily_pass_command


def _report(done: dict[str, Any]) -> str:
    if not done["tried"]:
        return "没有待补加时间戳或待提取指纹的版本。"
    return f"补做 {done['tried']} 个版本：{done['stamped']} 个已加盖时间戳，{done['fingerprinted']} 个指纹已完成。"


Command = daily_pass_command(
    name="数字资产每日任务",
    help_text="Enqueue the assets' daily pass (versions whose time-stamp failed or whose fingerprints are still to "
    "make are finished again) for tomorrow morning if none is waiting; --now runs it at once.",
    schedule=assets_daily_schedule,
    run=assets_pass,
    report=_report,
)
