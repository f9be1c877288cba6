"""The books keep themselves: entries and journals are append-only, an entry moves its account's
balance (so CHECK constraints on the account refuse overdrafts and cap breaches), and on PostgreSQL
a deferred constraint trigger refuses any journal whose entries do not sum to zero at commit."""

from django.db import migrations

APPLY = (
    "UPDATE ledger_account SET balance_fen = balance_fen + NEW.amount_fen, "
    "capped_fen = capped_fen + CASE WHEN NEW.counts_to_cap THEN NEW.amount_fen ELSE 0 END "
    "WHERE id = NEW.account_id;"
)

SQLITE = [
    f"CREATE TRIGGER ledger_entry_apply AFTER INSERT ON ledger_entry BEGIN {APPLY} END;",
    """CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_entry
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;""",
    """CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_entry
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;""",
    """CREATE TRIGGER ledger_journal_no_update BEFORE UPDATE ON ledger_journal
       BEGIN SELECT RAISE(ABORT, 'ledger journals are append-only'); END;""",
    """CREATE TRIGGER ledger_journal_no_delete BEFORE DELETE ON ledger_journal
       BEGIN SELECT RAISE(ABORT, 'ledger journals are append-only'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS ledger_entry_apply;",
    "DROP TRIGGER IF EXISTS ledger_entry_no_update;",
    "DROP TRIGGER IF EXISTS ledger_entry_no_delete;",
    "DROP TRIGGER IF EXISTS ledger_journal_no_update;",
    "DROP TRIGGER IF EXISTS ledger_journal_no_delete;",
]
# The triggers a test flush must lift on SQLite (it empties tables with DELETE).
SQLITE_APPEND_ONLY = SQLITE[1:]
SQLITE_APPEND_ONLY_REVERSE = SQLITE_REVERSE[1:]

POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION ledger_entry_apply() RETURNS trigger AS $$
       BEGIN {APPLY} RETURN NULL; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER ledger_entry_apply AFTER INSERT ON ledger_entry
       FOR EACH ROW EXECUTE FUNCTION ledger_entry_apply();""",
    """CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'ledger % rows are append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_entry
       FOR EACH ROW EXECUTE FUNCTION ledger_append_only();""",
    """CREATE TRIGGER ledger_journal_append_only BEFORE UPDATE OR DELETE ON ledger_journal
       FOR EACH ROW EXECUTE FUNCTION ledger_append_only();""",
    """CREATE OR REPLACE FUNCTION ledger_journal_balanced() RETURNS trigger AS $$
       DECLARE total bigint;
       BEGIN
         SELECT COALESCE(SUM(amount_fen), 0) INTO total FROM ledger_entry WHERE journal_id = NEW.journal_id;
         IF total <> 0 THEN
           RAISE EXCEPTION 'ledger journal % does not balance (%)', NEW.journal_id, total;
         END IF;
         RETURN NULL;
       END; $$ LANGUAGE plpgsql;""",
    """CREATE CONSTRAINT TRIGGER ledger_entry_balanced AFTER INSERT ON ledger_entry
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_journal_balanced();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS ledger_entry_balanced ON ledger_entry;",
    "DROP FUNCTION IF EXISTS ledger_journal_balanced();",
    "DROP TRIGGER IF EXISTS ledger_journal_append_only ON ledger_journal;",
    "DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_entry;",
    "DROP FUNCTION IF EXISTS ledger_append_only();",
    "DROP TRIGGER IF EXISTS ledger_entry_apply ON ledger_entry;",
    "DROP FUNCTION IF EXISTS ledger_entry_apply();",
]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    statements = POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for sql in statements:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
