"""Background work of assets, run by django-tasks' database worker.

- `version_finish`: a version's time-stamp and fingerprints when the request that registered it did not make
  them (a video over five minutes is fingerprinted here, not in the request).
- `assets_daily` (06:30): every version whose stamp failed (an external authority that was down) or whose
  fingerprints are still to make, registered more than ten minutes ago, is finished again; the pass enqueues
  the next one for tomorrow whatever happens to this one, and `manage.py assets_daily` (from `make run`,
  `make serve` and the worker's unit) makes sure one is waiting.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task

from shouzhan.core.scheduling import daily_enqueue

DAILY_AT = dt.time(6, 30)


def _finish(version_id: int) -> dict[str, str]:
    from shouzhan.assets.models import AssetVersion
    from shouzhan.assets.services.versions import version_fingerprint, version_stamp

    version = AssetVersion.objects.select_related("blob", "work").get(pk=version_id)
    if version.stamp_state != AssetVersion.Stamp.STAMPED:
        version = version_stamp(version=version)
    version = version_fingerprint(version=version)
    return {"stamp": version.stamp_state, "prints": version.prints_state}


@task()
def version_finish(*, version_id: int) -> dict[str, str]:
    return _finish(version_id)


def assets_pass(*, today: dt.date | None = None) -> dict[str, Any]:
    """Finish every unfinished version now; how many were tried and how many are stamped and fingerprinted
    after it (`today` is accepted for the daily command's --date and changes nothing: the work is not dated)."""
    from shouzhan.assets.services.versions import versions_unfinished

    tried = versions_unfinished()
    results = [_finish(pk) for pk in tried]
    return {
        "tried": len(tried),
        "stamped": sum(r["stamp"] == "stamped" for r in results),
        "fingerprinted": sum(r["prints"] in ("done", "none") for r in results),
    }


@task()
def assets_daily() -> dict[str, Any]:
    """The scheduled pass; the next one is enqueued for tomorrow whatever happens to this one."""
    try:
        return assets_pass()
    finally:
        assets_daily_schedule(force=True)


def assets_daily_schedule(*, force: bool = False) -> bool:
    """Enqueue the next daily pass (tomorrow at DAILY_AT) unless one is waiting; True when one was."""
    return daily_enqueue(assets_daily, at=DAILY_AT, force=force)
