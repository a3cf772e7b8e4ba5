"""On PostgreSQL the database itself refuses to change or delete an acceptance record (房产验收记录):
a trigger raises on UPDATE and DELETE, whatever client connects. SQLite keeps the model's guard."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION movein_acceptance_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'acceptance records cannot be changed or deleted (房产验收记录不可修改)'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER movein_acceptance_immutable
    BEFORE UPDATE OR DELETE ON movein_acceptancerecord
    FOR EACH ROW EXECUTE FUNCTION movein_acceptance_immutable();
"""
DROP = """
DROP TRIGGER IF EXISTS movein_acceptance_immutable ON movein_acceptancerecord;
DROP FUNCTION IF EXISTS movein_acceptance_immutable();
"""


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("movein", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
