"""An approved batch freezes its lines by its own state: approving writes one batch row, not
a row per line (100,000 lines were 100,000 new row versions and index entries, 12.5 s under
load). The database still refuses what migrations 0002–0003 refused, for every line of a
batch that is approved or after (and any line whose own ``frozen`` flag is set, as every
approved line's was before this migration):

- changing its amount, payee, account or any other column the approver saw (the encrypted
  payee and its key only while a field key rotation runs), or unfreezing it;
- deleting it (PostgreSQL; on SQLite the test runner empties tables with DELETE);
- adding a line to an approved batch, or moving one into it;
- and, new, the batch itself going back from approved to an earlier state, or changing its
  org, source, purpose, approver or approval time; on PostgreSQL it cannot be deleted either.

On PostgreSQL the line checks are statement-level triggers over the statement's transition
tables (one set-based query per statement, not a function call per row): the bank's
confirmations touch many lines at once. On SQLite (triggers are per row there, in-process)
each checks its batch's state with one primary-key look-up."""

from django.db import migrations

FROZEN = "('approved', 'exported', 'confirmed', 'partly')"
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
BATCH_SIGNED = (
    "id",
    "org_id",
    "source",
    "purpose",
    "follows_id",
    "created_by_id",
    "approved_by_id",
    "approved_at",
)

PG_PLAIN = " OR ".join(f"n.{c} IS DISTINCT FROM o.{c}" for c in PLAIN)
PG_KEYED = " OR ".join(f"n.{c} IS DISTINCT FROM o.{c}" for c in KEYED)
PG_BATCH = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in BATCH_SIGNED)
SQLITE_PLAIN = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in PLAIN)
SQLITE_KEYED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in KEYED)
SQLITE_BATCH = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in BATCH_SIGNED)

PG_CREATE = f"""
DROP TRIGGER IF EXISTS payments_line_frozen ON payments_line;
DROP FUNCTION IF EXISTS gonghui_payment_line_frozen();

CREATE FUNCTION gonghui_payment_lines_frozen() RETURNS trigger AS $$
DECLARE
    bad bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT n.id INTO bad FROM new_lines n JOIN payments_batch b ON b.id = n.batch_id
         WHERE b.status IN {FROZEN} LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION USING MESSAGE =
                'payment line ' || bad || ' cannot be added: its batch is approved';
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT o.id INTO bad FROM old_lines o LEFT JOIN payments_batch b ON b.id = o.batch_id
         WHERE o.frozen OR b.status IN {FROZEN} LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION USING MESSAGE =
                'payment line ' || bad || ' is approved and cannot be deleted';
        END IF;
    ELSE
        SELECT o.id INTO bad
          FROM old_lines o
          LEFT JOIN payments_batch b ON b.id = o.batch_id
          LEFT JOIN new_lines n ON n.id = o.id
         WHERE (o.frozen OR b.status IN {FROZEN})
           AND (n.id IS NULL OR (o.frozen AND NOT n.frozen) OR {PG_PLAIN}
                OR (({PG_KEYED}) AND NOT {ROTATING}))
         LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION USING MESSAGE =
                'payment line ' || bad || ' is approved: its amount and payee cannot change';
        END IF;
        SELECT n.id INTO bad
          FROM new_lines n
          JOIN payments_batch b ON b.id = n.batch_id
          LEFT JOIN old_lines o ON o.id = n.id
         WHERE b.status IN {FROZEN} AND (o.id IS NULL OR o.batch_id <> n.batch_id)
         LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION USING MESSAGE =
                'payment line ' || bad || ' cannot be moved into an approved batch';
        END IF;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER payments_line_frozen_insert AFTER INSERT ON payments_line
    REFERENCING NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION gonghui_payment_lines_frozen();
CREATE TRIGGER payments_line_frozen_update AFTER UPDATE ON payments_line
    REFERENCING OLD TABLE AS old_lines NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION gonghui_payment_lines_frozen();
CREATE TRIGGER payments_line_frozen_delete AFTER DELETE ON payments_line
    REFERENCING OLD TABLE AS old_lines
    FOR EACH STATEMENT EXECUTE FUNCTION gonghui_payment_lines_frozen();

CREATE FUNCTION gonghui_payment_batch_signed() RETURNS trigger AS $$
BEGIN
    IF OLD.status IN {FROZEN} THEN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION USING MESSAGE =
                'payment batch ' || OLD.id || ' is approved and cannot be deleted';
        END IF;
        IF NEW.status NOT IN {FROZEN} OR {PG_BATCH} THEN
            RAISE EXCEPTION USING MESSAGE =
                'payment batch ' || OLD.id || ' is approved: it cannot go back or change';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER payments_batch_signed BEFORE UPDATE OR DELETE ON payments_batch
    FOR EACH ROW EXECUTE FUNCTION gonghui_payment_batch_signed();
"""
PG_DROP = """
DROP TRIGGER IF EXISTS payments_line_frozen_insert ON payments_line;
DROP TRIGGER IF EXISTS payments_line_frozen_update ON payments_line;
DROP TRIGGER IF EXISTS payments_line_frozen_delete ON payments_line;
DROP FUNCTION IF EXISTS gonghui_payment_lines_frozen();
DROP TRIGGER IF EXISTS payments_batch_signed ON payments_batch;
DROP FUNCTION IF EXISTS gonghui_payment_batch_signed();
"""

SQLITE_BATCH_FROZEN = "(SELECT status FROM payments_batch WHERE id = {side}.batch_id) IN " + FROZEN
SQLITE_CREATE = [
    "DROP TRIGGER IF EXISTS payments_line_frozen;",
    f"""
CREATE TRIGGER payments_line_frozen
BEFORE UPDATE ON payments_line
FOR EACH ROW WHEN (OLD.frozen OR {SQLITE_BATCH_FROZEN.format(side="OLD")})
    AND ((OLD.frozen AND NOT NEW.frozen) OR NEW.id IS NOT OLD.id OR {SQLITE_PLAIN}
         OR (({SQLITE_KEYED}) AND NOT {ROTATING}))
BEGIN
    SELECT RAISE(ABORT, 'payment line is approved: its amount and payee cannot change');
END;
""",
    f"""
CREATE TRIGGER payments_line_frozen_move
BEFORE UPDATE OF batch_id ON payments_line
FOR EACH ROW WHEN NEW.batch_id IS NOT OLD.batch_id AND {SQLITE_BATCH_FROZEN.format(side="NEW")}
BEGIN
    SELECT RAISE(ABORT, 'payment line cannot be moved into an approved batch');
END;
""",
    f"""
CREATE TRIGGER payments_line_frozen_insert
BEFORE INSERT ON payments_line
FOR EACH ROW WHEN {SQLITE_BATCH_FROZEN.format(side="NEW")}
BEGIN
    SELECT RAISE(ABORT, 'payment line cannot be added: its batch is approved');
END;
""",
    f"""
CREATE TRIGGER payments_batch_signed
BEFORE UPDATE ON payments_batch
FOR EACH ROW WHEN OLD.status IN {FROZEN} AND (NEW.status NOT IN {FROZEN} OR {SQLITE_BATCH})
BEGIN
    SELECT RAISE(ABORT, 'payment batch is approved: it cannot go back or change');
END;
""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS payments_line_frozen;",
    "DROP TRIGGER IF EXISTS payments_line_frozen_move;",
    "DROP TRIGGER IF EXISTS payments_line_frozen_insert;",
    "DROP TRIGGER IF EXISTS payments_batch_signed;",
]
# going back: the lines of approved batches get their own flag again, as 0002–0003 expect
REFREEZE = (
    "UPDATE payments_line SET frozen = TRUE WHERE NOT frozen AND batch_id IN "
    f"(SELECT id FROM payments_batch WHERE status IN {FROZEN})"
)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_CREATE)
    elif vendor == "sqlite":
        for sql in SQLITE_CREATE:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    from importlib import import_module

    v2 = import_module("gonghui.payments.migrations.0002_approved_lines_frozen_trigger")
    v3 = import_module("gonghui.payments.migrations.0003_frozen_lines_follow_key_rotation")
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DROP)
        schema_editor.execute(REFREEZE)
        schema_editor.execute(v2.PG_CREATE)
        schema_editor.execute(v3.PG_CREATE)
    elif vendor == "sqlite":
        for sql in SQLITE_DROP:
            schema_editor.execute(sql)
        schema_editor.execute(REFREEZE.replace("TRUE", "1"))
        schema_editor.execute(v3.SQLITE_CREATE)


class Migration(migrations.Migration):
    dependencies = [("payments", "0003_frozen_lines_follow_key_rotation")]
    operations = [migrations.RunPython(forwards, backwards)]
