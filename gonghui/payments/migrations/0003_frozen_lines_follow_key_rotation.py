"""A frozen (approved) payment line's encrypted payee — ID number, bank account — and its
payee key may change while a field key rotation runs (``gonghui rotate-field-key``): the same
payee under the new key. Everything else stays refused as in migration 0002, and outside a
rotation those three too."""

from django.db import migrations

PLAIN = (
    "batch_id",
    "org_id",
    "source",
    "seq",
    "kind",
    "reference",
    "payee_name",
    "member_id",
    "bank_name",
    "amount",
    "original_id",
)
KEYED = ("id_number", "bank_account", "payee_key")
ROTATING = "EXISTS (SELECT 1 FROM core_fieldkeyrotation WHERE state = 'running')"

PG_PLAIN = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in PLAIN)
PG_KEYED = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in KEYED)
SQLITE_PLAIN = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in PLAIN)
SQLITE_KEYED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in KEYED)

PG_CREATE = f"""
CREATE OR REPLACE FUNCTION gonghui_payment_line_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.frozen THEN
            RAISE EXCEPTION USING MESSAGE = 'payment line ' || OLD.id || ' is approved and cannot be deleted';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.frozen AND (NOT NEW.frozen OR {PG_PLAIN} OR (({PG_KEYED}) AND NOT {ROTATING})) THEN
        RAISE EXCEPTION USING MESSAGE =
            'payment line ' || OLD.id || ' is approved: its amount and payee cannot change';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""
SQLITE_CREATE = f"""
CREATE TRIGGER payments_line_frozen
BEFORE UPDATE ON payments_line
FOR EACH ROW WHEN OLD.frozen AND (NOT NEW.frozen OR {SQLITE_PLAIN} OR (({SQLITE_KEYED}) AND NOT {ROTATING}))
BEGIN
    SELECT RAISE(ABORT, 'payment line is approved: its amount and payee cannot change');
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS payments_line_frozen;"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_CREATE)  # the trigger of 0002 calls the function replaced
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)
        schema_editor.execute(SQLITE_CREATE)


def backwards(apps, schema_editor):
    from importlib import import_module

    previous = import_module("gonghui.payments.migrations.0002_approved_lines_frozen_trigger")
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(previous.PG_DROP)
        schema_editor.execute(previous.PG_CREATE)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)
        schema_editor.execute(previous.SQLITE_CREATE)


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0002_approved_lines_frozen_trigger"),
        ("core", "0009_field_key_rotations"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
