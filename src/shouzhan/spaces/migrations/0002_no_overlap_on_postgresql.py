"""No double booking, by the database: exclusion constraints on PostgreSQL (no-op on SQLite).

Plain start/end columns keep the models portable; the ranges exist only inside the constraint.
- bookings: per resource, tstzrange(start_at, blocked_until) of the bookings that hold the slot
  (pending or confirmed) never overlap; '[)' so touching ranges are allowed.
- tenancies: per resource, daterange(start_on, end_on) never overlap (a move or an end truncates end_on).
On SQLite the services serialise the same check by writing the resource row first.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE spaces_booking ADD CONSTRAINT spaces_booking_no_overlap EXCLUDE USING gist "
    "(resource_id WITH =, tstzrange(start_at, blocked_until, '[)') WITH &&) "
    "WHERE (status IN ('pending', 'confirmed'))",
    "ALTER TABLE spaces_tenancy ADD CONSTRAINT spaces_tenancy_no_overlap EXCLUDE USING gist "
    "(resource_id WITH =, daterange(start_on, end_on, '[)') WITH &&)",
]
BACKWARD = [
    "ALTER TABLE spaces_booking DROP CONSTRAINT IF EXISTS spaces_booking_no_overlap",
    "ALTER TABLE spaces_tenancy DROP CONSTRAINT IF EXISTS spaces_tenancy_no_overlap",
]


def _run(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("spaces", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
