"""The snapshot version row, and on PostgreSQL a trigger refusing UPDATE/DELETE of decisions.

The application refuses changes to logged decisions already; the trigger covers raw SQL and
other clients, as for audit events.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION eligibility_decision_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'screening decisions are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS eligibility_decision_append_only ON eligibility_screeningdecision;
CREATE TRIGGER eligibility_decision_append_only BEFORE UPDATE OR DELETE ON eligibility_screeningdecision
    FOR EACH ROW EXECUTE FUNCTION eligibility_decision_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS eligibility_decision_append_only ON eligibility_screeningdecision;
DROP FUNCTION IF EXISTS eligibility_decision_append_only();
"""


def forwards(apps, schema_editor):
    apps.get_model("eligibility", "SnapshotVersion").objects.get_or_create(id=1)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
