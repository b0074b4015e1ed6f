"""On PostgreSQL, refuse changes of a published disclosure's content in the database itself.

The services never change a published document, and the model's save() refuses to; this trigger
covers raw SQL and other clients. A published row may only become superseded, naming its
successor; a superseded row is final; neither may be deleted. Drafts stay free to re-render.
SQLite, the embedded first-run default, relies on the application check alone.
"""

from django.db import migrations

# Every column except status and superseded_by_id (see models.CONTENT_FIELDS).
CONTENT = (
    "product_id, jurisdiction, language, version, pdf, html, sha256, page_count, template_version, "
    "terms_version, terms, mandatory_sections, constraints, application_version_id, rendered_on, "
    "rendered_at, published_at, published_by_id"
)
OLD_CONTENT = ", ".join(f"OLD.{c.strip()}" for c in CONTENT.split(","))
NEW_CONTENT = ", ".join(f"NEW.{c.strip()}" for c in CONTENT.split(","))

CREATE = f"""
CREATE OR REPLACE FUNCTION disclosure_document_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'disclosure document % is %: it cannot be deleted', OLD.id, OLD.status
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status = 'draft' THEN
        RETURN NEW;
    END IF;
    IF ROW({NEW_CONTENT}) IS DISTINCT FROM ROW({OLD_CONTENT}) THEN
        RAISE EXCEPTION 'disclosure document % is %: its content is immutable', OLD.id, OLD.status
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.status = 'published' AND NEW.status = 'published'
            AND NEW.superseded_by_id IS NOT DISTINCT FROM OLD.superseded_by_id THEN
        RETURN NEW;
    END IF;
    IF OLD.status = 'published' AND NEW.status = 'superseded' AND NEW.superseded_by_id IS NOT NULL
            AND NEW.superseded_by_id <> OLD.id THEN
        RETURN NEW;
    END IF;
    IF OLD.status = 'superseded' AND NEW.status = 'superseded'
            AND NEW.superseded_by_id IS NOT DISTINCT FROM OLD.superseded_by_id THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'disclosure document % may not change from % to % (superseded by %)',
        OLD.id, OLD.status, NEW.status, NEW.superseded_by_id
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS disclosure_document_immutable ON disclosures_disclosuredocument;
CREATE TRIGGER disclosure_document_immutable BEFORE UPDATE OR DELETE ON disclosures_disclosuredocument
    FOR EACH ROW EXECUTE FUNCTION disclosure_document_immutable();
"""
DROP = """
DROP TRIGGER IF EXISTS disclosure_document_immutable ON disclosures_disclosuredocument;
DROP FUNCTION IF EXISTS disclosure_document_immutable();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("disclosures", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
