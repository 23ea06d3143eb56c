"""Database helpers shared by the domain apps: fetch modes and the no-delete rule."""

from django.conf import settings
from django.db import migrations, models


def default_fetch_mode():
    return getattr(models, settings.FETCH_MODE)


class FetchModeManager(models.Manager):
    """Applies the project's fetch mode (settings.FETCH_MODE) to every queryset."""

    def get_queryset(self):
        return super().get_queryset().fetch_mode(default_fetch_mode())


FORBID_DELETE_FUNCTION = """
CREATE OR REPLACE FUNCTION safeguard_forbid_delete() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Safeguarding records are never deleted (table %)', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


def forbid_deletes(*tables: str) -> list[migrations.RunSQL]:
    """Migration operations that make PostgreSQL refuse DELETE on each table.

    TRUNCATE is left alone: only a superuser's maintenance (or a test database being
    flushed) uses it, never the app.
    """
    operations = [migrations.RunSQL(FORBID_DELETE_FUNCTION, migrations.RunSQL.noop)]
    for table in tables:
        operations.append(
            migrations.RunSQL(
                f"CREATE TRIGGER {table}_forbid_delete BEFORE DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION safeguard_forbid_delete();",
                f"DROP TRIGGER IF EXISTS {table}_forbid_delete ON {table};",
            )
        )
    return operations


def stamp_history(instance, *, by, reason: str):
    """Tell simple-history who makes this change and why (read when the row is saved)."""
    instance._history_user = by
    instance._change_reason = reason
    return instance
