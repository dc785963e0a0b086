"""The database itself refuses to change the amount or the payee of an approved payment
line (``frozen``), or to unfreeze it: not even a raw SQL session of the application role can
alter what an approver signed. Status, bank result and date stay writable (the bank's
confirmations). On PostgreSQL a frozen line cannot be deleted either; on SQLite the delete
is left to the service (the test runner empties tables with DELETE between tests)."""

from django.db import migrations

GUARDED = (
    "batch_id",
    "org_id",
    "source",
    "seq",
    "kind",
    "reference",
    "payee_key",
    "payee_name",
    "member_id",
    "id_number",
    "bank_name",
    "bank_account",
    "amount",
    "original_id",
)

PG_CHANGED = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in GUARDED)
SQLITE_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in GUARDED)

PG_CREATE = f"""
CREATE OR REPLACE FUNCTION gonghui_payment_line_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.frozen THEN
            RAISE EXCEPTION USING MESSAGE = 'payment line ' || OLD.id || ' is approved and cannot be deleted';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.frozen AND (NOT NEW.frozen OR {PG_CHANGED}) THEN
        RAISE EXCEPTION USING MESSAGE =
            'payment line ' || OLD.id || ' is approved: its amount and payee cannot change';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER payments_line_frozen
    BEFORE UPDATE OR DELETE ON payments_line
    FOR EACH ROW EXECUTE FUNCTION gonghui_payment_line_frozen();
"""
PG_DROP = """
DROP TRIGGER IF EXISTS payments_line_frozen ON payments_line;
DROP FUNCTION IF EXISTS gonghui_payment_line_frozen();
"""
SQLITE_CREATE = f"""
CREATE TRIGGER payments_line_frozen
BEFORE UPDATE ON payments_line
FOR EACH ROW WHEN OLD.frozen AND (NOT NEW.frozen OR {SQLITE_CHANGED})
BEGIN
    SELECT RAISE(ABORT, 'payment line is approved: its amount and payee cannot change');
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS payments_line_frozen;"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_CREATE)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DROP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_payment_batches_lines")]
    operations = [migrations.RunPython(forwards, backwards)]
