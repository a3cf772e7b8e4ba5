"""On PostgreSQL the database itself keeps the audit trail append-only: DELETE is refused, and
UPDATE is refused except the sealer's single write of the chain columns (chain_prev, chain_hash)
on an event that has none yet (engine.auditchain). SQLite keeps the model's guard."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

COLUMNS = ["at", "company_id", "actor_id", "actor_name", "action", "instance_id", "task_id", "process_key",
           "element_id", "details"]  # fmt: skip
CREATE = f"""
CREATE OR REPLACE FUNCTION engine_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit events cannot be deleted (审计记录只能追加)' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.chain_hash <> '' OR ({", ".join("NEW." + c for c in COLUMNS)}) IS DISTINCT FROM ({", ".join("OLD." + c for c in COLUMNS)}) THEN
        RAISE EXCEPTION 'audit events cannot be changed (审计记录只能追加)' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER engine_audit_append_only
    BEFORE UPDATE OR DELETE ON engine_auditevent
    FOR EACH ROW EXECUTE FUNCTION engine_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS engine_audit_append_only ON engine_auditevent;
DROP FUNCTION IF EXISTS engine_audit_append_only();
"""


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("engine", "0007_audit_chain")]

    operations = [migrations.RunPython(forwards, backwards)]
