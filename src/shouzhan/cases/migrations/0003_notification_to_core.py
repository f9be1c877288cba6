"""The cases' in-site messages move to core's Notification (a generic link to the case and the case
page's address): every row is copied, then the old table is dropped. Going back copies the messages
about cases back."""

from typing import Any

from django.core.management.color import no_style
from django.db import migrations

BATCH = 2000


def _case_type(apps: Any) -> Any:
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="cases", model="case")[0]


def forward(apps: Any, schema_editor: Any) -> None:
    Old = apps.get_model("cases", "Notification")
    New = apps.get_model("core", "Notification")
    alias = schema_editor.connection.alias
    case_type = _case_type(apps)
    rows = Old.objects.using(alias).order_by("id").values_list(
        "id", "user_id", "case_id", "kind", "message", "created_at", "read_at"
    )
    batch = []
    for pk, user_id, case_id, kind, message, created_at, read_at in rows.iterator(chunk_size=BATCH):
        batch.append(
            New(
                id=pk,
                user_id=user_id,
                target_type_id=case_type.pk,
                target_id=case_id,
                url=f"/cases/{case_id}/",  # the case page (cases:detail)
                kind=kind,
                message=message,
                created_at=created_at,
                read_at=read_at,
            )
        )
        if len(batch) >= BATCH:
            New.objects.using(alias).bulk_create(batch)
            batch = []
    New.objects.using(alias).bulk_create(batch)
    _reset_sequence(schema_editor, New)


def backward(apps: Any, schema_editor: Any) -> None:
    Old = apps.get_model("cases", "Notification")
    New = apps.get_model("core", "Notification")
    alias = schema_editor.connection.alias
    case_type = _case_type(apps)
    rows = (
        New.objects.using(alias)
        .filter(target_type_id=case_type.pk, target_id__isnull=False)
        .order_by("id")
        .values_list("id", "user_id", "target_id", "kind", "message", "created_at", "read_at")
    )
    Old.objects.using(alias).bulk_create(
        [
            Old(
                id=pk,
                user_id=user_id,
                case_id=case_id,
                kind=kind,
                message=message,
                created_at=created_at,
                read_at=read_at,
            )
            for pk, user_id, case_id, kind, message, created_at, read_at in rows
        ],
        batch_size=BATCH,
    )
    New.objects.using(alias).filter(target_type_id=case_type.pk).delete()
    _reset_sequence(schema_editor, Old)


def _reset_sequence(schema_editor: Any, model: Any) -> None:
    """Rows copied with their ids: PostgreSQL's id sequence must move past them (SQLite needs nothing)."""
    connection = schema_editor.connection
    statements = connection.ops.sequence_reset_sql(no_style(), [model])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_clock_waited_days"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0005_notification"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.DeleteModel(name="Notification"),
    ]
