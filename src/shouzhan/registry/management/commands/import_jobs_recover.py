"""`manage.py import_jobs_recover`: take up background imports whose worker died (cron-friendly).

A running import silent for longer than IMPORT_JOB_LEASE_SECONDS is queued again from its last
committed chunk, or marked failed with the rows done once IMPORT_JOB_MAX_RUNS runs have died. The
job page and every import task do the same; this command is for a site nobody is looking at.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shouzhan.registry.services import import_jobs_recover


class Command(BaseCommand):
    help = "Resume (or fail) enterprise imports whose background worker died (后台导入断点续传)."

    def handle(self, *args: Any, **options: Any) -> None:
        for job in import_jobs_recover():
            self.stdout.write(
                f"import job {job.pk} ({job.filename}): {job.status} at {job.processed_rows}/{job.total_rows} rows"
            )
