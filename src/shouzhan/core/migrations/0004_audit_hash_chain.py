"""The audit trail is hash-chained: each entry gets its place in the chain, the hash of the entry
before it and its own hash (shouzhan.core.audit_chain), and the entries already written are
chained here, in id order.

The append-only triggers now let exactly one update through: chaining an entry that is not
chained yet, with every other column unchanged. Nothing else about an entry can change, chained
or not. (A column added to AuditEntry later must be added to the lists below.)

SQLite rebuilds the table to add a unique column, which drops its triggers: they are created
again here, and going back puts the old ones back after the table is rebuilt once more.
"""

import importlib

from django.db import migrations, models

_append_only = importlib.import_module("shouzhan.core.migrations.0002_audit_append_only")

# Every column except the three chain columns: the chaining update must leave them as they were.
CONTENT = [
    "id",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "enterprise_id",
    '"before"',
    '"after"',
    "note",
    "ip",
]

_unchanged_sqlite = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in CONTENT)
SQLITE = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update;",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete;",
    f"""CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
       WHEN NOT (OLD.sequence IS NULL AND NEW.sequence IS NOT NULL AND {_unchanged_sqlite})
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;""",
    """CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;""",
]

_new_row = ", ".join(f"NEW.{c}" for c in CONTENT)
_old_row = ", ".join(f"OLD.{c}" for c in CONTENT)
# The same function serves the row trigger (UPDATE, DELETE) and the statement trigger (TRUNCATE).
POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' THEN
           IF OLD.sequence IS NULL AND NEW.sequence IS NOT NULL
              AND ROW({_new_row}) IS NOT DISTINCT FROM ROW({_old_row}) THEN
             RETURN NEW;
           END IF;
         END IF;
         RAISE EXCEPTION 'audit entries are append-only';
       END; $$ LANGUAGE plpgsql;""",
]
POSTGRES_REVERSE = [
    """CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$ LANGUAGE plpgsql;""",
]


def triggers_and_chain(apps, schema_editor):
    from shouzhan.core.audit_chain import chain_pending

    connection = schema_editor.connection
    for sql in POSTGRES if connection.vendor == "postgresql" else SQLITE:
        schema_editor.execute(sql, params=None)
    chain_pending(using=connection.alias, model=apps.get_model("core", "AuditEntry"))


def old_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES_REVERSE:
            schema_editor.execute(sql, params=None)


def old_sqlite_triggers(apps, schema_editor):
    # Going back: the table was rebuilt without the chain columns, and its triggers with it.
    if schema_editor.connection.vendor == "sqlite":
        for sql in _append_only.SQLITE_REVERSE + _append_only.SQLITE:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_fewer_indexes")]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, old_sqlite_triggers),
        migrations.AddField(
            model_name="auditentry",
            name="sequence",
            field=models.BigIntegerField(
                blank=True, editable=False, null=True, unique=True, verbose_name="链序号"
            ),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="前一条的哈希"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="本条哈希"),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(
                condition=models.Q(sequence__isnull=True), fields=["id"], name="core_audit_unchained"
            ),
        ),
        migrations.RunPython(triggers_and_chain, old_triggers),
    ]
