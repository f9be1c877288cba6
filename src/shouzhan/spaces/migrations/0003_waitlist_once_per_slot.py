"""One open waitlist entry per enterprise and slot (issue #11: the same wish could be queued twice).

Open entries (waiting or offered) that repeat an earlier open entry of the same enterprise for the same
resource and times are withdrawn first — the earlier one keeps its place in the queue — so the unique
index can be built on a database that already holds such repeats.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

OPEN = ["waiting", "offered"]


def withdraw_repeats(apps: Any, schema_editor: Any) -> None:
    entry = apps.get_model("spaces", "WaitlistEntry")
    seen: set[tuple[int, int, Any, Any]] = set()
    repeats: list[int] = []
    rows = entry.objects.filter(status__in=OPEN).order_by("created_at", "id")
    for pk, *slot in rows.values_list("pk", "resource_id", "enterprise_id", "start_at", "end_at"):
        key = tuple(slot)
        if key in seen:
            repeats.append(pk)
        seen.add(key)
    entry.objects.filter(pk__in=repeats).update(status="withdrawn")


class Migration(migrations.Migration):
    dependencies = [("spaces", "0002_no_overlap_on_postgresql")]

    operations = [
        migrations.RunPython(withdraw_repeats, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="waitlistentry",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", OPEN)),
                fields=("resource", "enterprise", "start_at", "end_at"),
                name="spaces_waitlist_once_per_slot",
            ),
        ),
    ]
