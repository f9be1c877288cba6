"""The service figures beside the targets (#17 part 4) — filled in by the dashboard work: cases on time, the
frontline's three rates, money offered / confirmed / paid against budgets, occupancy, salon attendance,
voucher use; each a `Figure` with its definition, source and as-of day."""

from __future__ import annotations

import datetime as dt

from shouzhan.insight.figures import Figure


def service_figures(*, as_of: dt.date) -> list[Figure]:
    return []
