"""The access log is append-only: PostgreSQL refuses DELETE and UPDATE on it, whoever asks.

TRUNCATE stays allowed, as for the other protected tables: only maintenance (or a test
database being flushed) uses it, never the app.
"""

from django.db import migrations

from safeguard.db import forbid_deletes

FORBID_UPDATE_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_forbid_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The access log is never changed (table %)', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        *forbid_deletes("audit_accessrecord"),
        migrations.RunSQL(FORBID_UPDATE_FUNCTION, "DROP FUNCTION IF EXISTS audit_forbid_update();"),
        migrations.RunSQL(
            "CREATE TRIGGER audit_accessrecord_forbid_update BEFORE UPDATE ON audit_accessrecord "
            "FOR EACH ROW EXECUTE FUNCTION audit_forbid_update();",
            "DROP TRIGGER IF EXISTS audit_accessrecord_forbid_update ON audit_accessrecord;",
        ),
    ]
