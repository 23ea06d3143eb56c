"""Database helpers shared by the domain apps: fetch modes, the no-delete and append-only
rules, and what the runtime database role may do."""

import contextlib

from django.conf import settings
from django.db import connections, migrations, models


def default_fetch_mode():
    return getattr(models, settings.FETCH_MODE)


class FetchModeManager(models.Manager):
    """Applies the project's fetch mode (settings.FETCH_MODE) to every queryset."""

    def get_queryset(self):
        return super().get_queryset().fetch_mode(default_fetch_mode())


# The one way past the rules below: a row in DISPOSAL_PASS_TABLE for the current transaction,
# which only retention_dispose() (retention/migrations/0003_disposal.py, run as the tables'
# owner) writes, and removes before it returns. The runtime role may not touch the table
# (grant_runtime_role), so every DELETE the app itself sends is refused as before.
DISPOSAL_PASS_TABLE = "retention_disposalpass"

DISPOSING_FUNCTION = f"""
CREATE OR REPLACE FUNCTION safeguard_disposing() RETURNS boolean AS $$
BEGIN
    -- Before retention's migration 0003 there is no pass, so nothing is disposing.
    IF to_regclass('{DISPOSAL_PASS_TABLE}') IS NULL THEN
        RETURN false;
    END IF;
    RETURN EXISTS (SELECT 1 FROM {DISPOSAL_PASS_TABLE} WHERE xact = pg_current_xact_id());
END;
$$ LANGUAGE plpgsql;
"""

FORBID_DELETE_FUNCTION = (
    DISPOSING_FUNCTION
    + """
CREATE OR REPLACE FUNCTION safeguard_forbid_delete() RETURNS trigger AS $$
BEGIN
    IF safeguard_disposing() THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'Safeguarding records are never deleted (table %)', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""
)


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


APPEND_ONLY_FUNCTION = (
    DISPOSING_FUNCTION
    + """
CREATE OR REPLACE FUNCTION safeguard_append_only() RETURNS trigger AS $$
BEGIN
    -- A disposal deletes a child's history with their file; nothing ever rewrites it.
    IF TG_OP = 'DELETE' THEN
        IF safeguard_disposing() THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'Safeguarding history is only ever added to: % refused on table %',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""
)


def append_only_trigger(table: str) -> str:
    # Triggers fire in name order: after a table's older forbid_* triggers, whose messages
    # stay the ones people see for what they already refused.
    return f"{table}_no_rewrite"


def no_truncate_trigger(table: str) -> str:
    return f"{table}_no_truncate"


def append_only(*tables: str) -> list[migrations.RunSQL]:
    """Migration operations that make PostgreSQL refuse UPDATE, DELETE and TRUNCATE on each
    table, whoever asks (the tables' owner too, unless it first switches the trigger off,
    which the runtime role cannot: it owns nothing).

    One function serves a row trigger (UPDATE, DELETE) and a statement trigger (TRUNCATE,
    which fires no row triggers). `is_append_only` says which models must be listed here;
    tests/test_append_only.py checks that every one of them is.
    """
    operations = [
        # Kept when one app's migration is reversed: the other apps' triggers still use it.
        migrations.RunSQL(APPEND_ONLY_FUNCTION, migrations.RunSQL.noop)
    ]
    for table in tables:
        name = append_only_trigger(table)
        operations.append(
            migrations.RunSQL(
                f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION safeguard_append_only(); "
                f"CREATE TRIGGER {no_truncate_trigger(table)} BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION safeguard_append_only();",
                f"DROP TRIGGER IF EXISTS {name} ON {table}; "
                f"DROP TRIGGER IF EXISTS {no_truncate_trigger(table)} ON {table};",
            )
        )
    return operations


def is_append_only(model) -> bool:
    """Rows of this model are only ever added: every table simple-history keeps (its
    generated models carry `instance_type`), and models declaring `append_only = True`."""
    return hasattr(model, "instance_type") or getattr(model, "append_only", False) is True


@contextlib.contextmanager
def append_only_lifted(*models_, using="default"):
    """Let rows of these append-only tables be rewritten until the block ends, for the demo
    school's made-up past only (demo.school backdates what its services stamped "now").

    Switching a trigger off takes the tables' owner: run as the runtime role, this fails,
    as it must. Inside a transaction the triggers are off for this transaction alone (other
    sessions wait on the table lock) and come back however the block ends.
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("append_only_lifted needs a transaction")
    quote = connection.ops.quote_name
    tables = [model._meta.db_table for model in models_]
    # ALTER TABLE refuses a table with foreign-key checks still deferred: run them now.
    connection.check_constraints()
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"ALTER TABLE {quote(table)} DISABLE TRIGGER {quote(append_only_trigger(table))}"
            )
    try:
        yield
    finally:
        if not connection.needs_rollback:
            connection.check_constraints()
            with connection.cursor() as cursor:
                for table in tables:
                    cursor.execute(
                        f"ALTER TABLE {quote(table)} "
                        f"ENABLE TRIGGER {quote(append_only_trigger(table))}"
                    )


# Trigger functions that refuse changes: a table with one of them gets no UPDATE (append-only)
# or no DELETE (any of them) grant for the runtime role.
_REFUSES_UPDATE = ("safeguard_append_only", "audit_forbid_update")
_REFUSES_DELETE = (*_REFUSES_UPDATE, "safeguard_forbid_delete")


def grant_runtime_role(*, using: str = "default", **kwargs) -> None:
    """After `migrate` (run as the tables' owner), give the runtime role exactly what the
    app needs on every table: SELECT and INSERT everywhere; UPDATE where rows may change;
    DELETE only where no trigger protects the rows (sessions, the cache, second factors);
    never TRUNCATE, and nothing on the disposal pass. The database's triggers decide, so a
    table protected by a migration is covered without a list to keep here. Does nothing
    without settings.DATABASE_RUNTIME_ROLE (one role for everything) or when migrate runs as
    that role itself.
    """
    role = settings.DATABASE_RUNTIME_ROLE
    connection = connections[using]
    if not role or connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema()")
        user, schema = cursor.fetchone()
        if user == role:
            return
        cursor.execute(
            """
            SELECT c.relname,
                   coalesce(bool_or(p.proname = ANY(%s)), false),
                   coalesce(bool_or(p.proname = ANY(%s)), false)
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
            LEFT JOIN pg_trigger t ON t.tgrelid = c.oid AND NOT t.tgisinternal
            LEFT JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE c.relkind IN ('r', 'p')
            GROUP BY c.relname
            ORDER BY c.relname
            """,
            [list(_REFUSES_UPDATE), list(_REFUSES_DELETE)],
        )
        tables = cursor.fetchall()
        grantee, schema = quote(role), quote(schema)
        cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {grantee}")
        cursor.execute(f"GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA {schema} TO {grantee}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {grantee}")
        for table, refuses_update, refuses_delete in tables:
            allowed = [
                *([] if refuses_update else ["UPDATE"]),
                *([] if refuses_delete else ["DELETE"]),
            ]
            if allowed:
                cursor.execute(f"GRANT {', '.join(allowed)} ON {quote(table)} TO {grantee}")
        # The disposal pass is the owner's alone: with it, the app could delete anything.
        if DISPOSAL_PASS_TABLE in {table for table, _, _ in tables}:
            cursor.execute(f"REVOKE ALL ON {quote(DISPOSAL_PASS_TABLE)} FROM {grantee}")


def stamp_history(instance, *, by, reason: str):
    """Tell simple-history who makes this change and why (read when the row is saved)."""
    instance._history_user = by
    instance._change_reason = reason
    return instance


# Autovacuum analyses a table once a fifth of it changed (PostgreSQL's default): on a table
# of 20,000 concerns that is 4,000 new rows, and the planner misjudged the queue's queries
# long before then (issue 17). On the tables that grow fastest it analyses after 1% (and
# 50 rows), and vacuums after 5%.
FRESH_STATISTICS = (
    "autovacuum_analyze_scale_factor = 0.01, autovacuum_analyze_threshold = 50, "
    "autovacuum_vacuum_scale_factor = 0.05"
)


def fresh_statistics(*tables: str) -> list[migrations.RunSQL]:
    """Migration operations giving each table autovacuum settings that keep its planner
    statistics fresh (FRESH_STATISTICS); reversed, the server's defaults again."""
    return [
        migrations.RunSQL(
            f"ALTER TABLE {table} SET ({FRESH_STATISTICS});",
            f"ALTER TABLE {table} RESET (autovacuum_analyze_scale_factor, "
            "autovacuum_analyze_threshold, autovacuum_vacuum_scale_factor);",
        )
        for table in tables
    ]
