"""A provider's receivable and the paid-out account stop keeping a stored total.

Every approval credits a provider's receivable; with a stored total the entry trigger's UPDATE
locked that one row until the approval committed, so concurrent approvals for a provider ran one
after another. Those accounts have no cap and only go down by payments, so their balance is now
the sum of their entries: the apply trigger skips them, and a new trigger refuses an entry that
would take one below zero (on PostgreSQL it locks the account first, so two payments from one
receivable are judged one after the other).
"""

from django.db import migrations, models

DERIVED_KINDS = ("receivable", "paid_out")

APPLY = (
    "UPDATE ledger_account SET balance_fen = balance_fen + NEW.amount_fen, "
    "capped_fen = capped_fen + CASE WHEN NEW.counts_to_cap THEN NEW.amount_fen ELSE 0 END "
    "WHERE id = NEW.account_id AND keeps_total;"
)
OLD_APPLY = (
    "UPDATE ledger_account SET balance_fen = balance_fen + NEW.amount_fen, "
    "capped_fen = capped_fen + CASE WHEN NEW.counts_to_cap THEN NEW.amount_fen ELSE 0 END "
    "WHERE id = NEW.account_id;"
)

# SQLite rebuilds ledger_account to add the column and the constraint, and refuses to while a
# trigger on ledger_entry names that table: the apply trigger is dropped first, created after.
SQLITE_BEFORE = ["DROP TRIGGER IF EXISTS ledger_entry_apply;"]
SQLITE_BEFORE_REVERSE = [f"CREATE TRIGGER ledger_entry_apply AFTER INSERT ON ledger_entry BEGIN {OLD_APPLY} END;"]

SQLITE = [
    f"CREATE TRIGGER ledger_entry_apply AFTER INSERT ON ledger_entry BEGIN {APPLY} END;",
    """CREATE TRIGGER ledger_entry_derived_guard AFTER INSERT ON ledger_entry
       WHEN NEW.amount_fen < 0
        AND (SELECT keeps_total FROM ledger_account WHERE id = NEW.account_id) = 0
       BEGIN
         SELECT RAISE(ABORT, 'ledger account would go below zero')
         WHERE (SELECT SUM(amount_fen) FROM ledger_entry WHERE account_id = NEW.account_id) < 0;
       END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS ledger_entry_derived_guard;",
    "DROP TRIGGER IF EXISTS ledger_entry_apply;",
]

POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION ledger_entry_apply() RETURNS trigger AS $$
       BEGIN {APPLY} RETURN NULL; END; $$ LANGUAGE plpgsql;""",
    # Row AFTER triggers see the whole statement's rows, so the sum includes NEW.
    """CREATE OR REPLACE FUNCTION ledger_entry_derived_guard() RETURNS trigger AS $$
       DECLARE total bigint;
       BEGIN
         PERFORM 1 FROM ledger_account WHERE id = NEW.account_id AND NOT keeps_total FOR UPDATE;
         IF FOUND THEN
           SELECT COALESCE(SUM(amount_fen), 0) INTO total FROM ledger_entry WHERE account_id = NEW.account_id;
           IF total < 0 THEN
             RAISE EXCEPTION 'ledger account % would go below zero (%)', NEW.account_id, total
               USING ERRCODE = 'check_violation';
           END IF;
         END IF;
         RETURN NULL;
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER ledger_entry_derived_guard AFTER INSERT ON ledger_entry
       FOR EACH ROW WHEN (NEW.amount_fen < 0) EXECUTE FUNCTION ledger_entry_derived_guard();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS ledger_entry_derived_guard ON ledger_entry;",
    "DROP FUNCTION IF EXISTS ledger_entry_derived_guard();",
    f"""CREATE OR REPLACE FUNCTION ledger_entry_apply() RETURNS trigger AS $$
       BEGIN {OLD_APPLY} RETURN NULL; END; $$ LANGUAGE plpgsql;""",
]


def stop_keeping(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    Account.objects.filter(kind__in=DERIVED_KINDS).update(keeps_total=False, balance_fen=0, capped_fen=0)


def keep_again(apps, schema_editor):
    """Going back: the stored totals are rebuilt from the entries."""
    Account = apps.get_model("ledger", "Account")
    Entry = apps.get_model("ledger", "Entry")
    for account in Account.objects.filter(keeps_total=False):
        entries = Entry.objects.filter(account=account)
        account.balance_fen = entries.aggregate(s=models.Sum("amount_fen"))["s"] or 0
        account.capped_fen = entries.filter(counts_to_cap=True).aggregate(s=models.Sum("amount_fen"))["s"] or 0
        account.keeps_total = True
        account.save(update_fields=["balance_fen", "capped_fen", "keeps_total"])


def _sqlite(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for sql in statements:
                schema_editor.execute(sql, params=None)

    return run


def triggers(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql, params=None)


def triggers_back(apps, schema_editor):
    statements = POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for sql in statements:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_claim_reversed")]

    operations = [
        migrations.RunPython(_sqlite(SQLITE_BEFORE), _sqlite(SQLITE_BEFORE_REVERSE)),
        migrations.AddField(
            model_name="account",
            name="keeps_total",
            field=models.BooleanField(default=True, verbose_name="保存余额合计"),
        ),
        migrations.RunPython(stop_keeping, keep_again),
        migrations.AddConstraint(
            model_name="account",
            constraint=models.CheckConstraint(
                condition=models.Q(keeps_total=True)
                | models.Q(kind__in=list(DERIVED_KINDS), balance_fen=0, capped_fen=0, cap_fen__isnull=True),
                name="ledger_account_total_kept",
            ),
        ),
        migrations.RunPython(triggers, triggers_back),
    ]
