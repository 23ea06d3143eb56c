"""History, notes and the access log are append-only, and the app runs as a role that owns
nothing (issue 13: nothing that was recorded can be rewritten in the database).

Most of the suite connects as the tables' owner (tests/conftest.py); the tests marked
`runtime_role` reconnect as the role the app really runs as, which `make test` sets up.
"""

import importlib

import environ
import pytest
from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, ProgrammingError, connection, transaction

from audit.models import AccessRecord, Action
from audit.services import access_record
from concerns import services
from concerns.models import Concern, Note
from safeguard.db import append_only_trigger, is_append_only, no_truncate_trigger
from schools.models import Role
from tests.conftest import use_role
from tests.factories import PupilFactory, SchoolFactory, member, record_concern

APPEND_ONLY_TABLES = sorted(
    model._meta.db_table
    for model in apps.get_models(include_auto_created=True)
    if is_append_only(model)
)
# One table of each kind: a history table, notes, and the access log.
HISTORY, NOTES, ACCESS_LOG = "concerns_historicalconcern", "concerns_note", "audit_accessrecord"
CHANGES = {
    "UPDATE": "UPDATE {table} SET id = id",
    "DELETE": "DELETE FROM {table}",
    "TRUNCATE": "TRUNCATE {table} CASCADE",
}


def refused(sql: str, error=IntegrityError) -> str:
    """Run `sql` in a savepoint and return PostgreSQL's refusal; fail if it was allowed."""
    with pytest.raises(error) as refusal, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    return str(refusal.value)


def rows_in(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return cursor.fetchone()[0]


def concern_with_a_note_and_a_read():
    school = SchoolFactory()
    dsl = member(school, Role.DSL)
    concern = record_concern(school=school, reporter=dsl, pupils=[PupilFactory(school=school)])
    services.concern_add_note(concern=concern, author=dsl, text="Mum rang back.")
    access_record(
        user=dsl, school=school, action=Action.VIEWED_CONCERN, ip_address=None, concern=concern
    )
    # Fire the deferred foreign-key checks now: TRUNCATE refuses a table with checks pending.
    connection.check_constraints()
    return concern, dsl


def test_every_history_table_notes_and_the_access_log_carry_the_triggers(db):
    assert {HISTORY, NOTES, ACCESS_LOG, "concerns_historicalnote"} <= set(APPEND_ONLY_TABLES)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
            "WHERE NOT tgisinternal AND tgenabled = 'O'"
        )
        triggers = set(cursor.fetchall())
    missing = [
        table
        for table in APPEND_ONLY_TABLES
        if not {
            (table, append_only_trigger(table)),
            (table, no_truncate_trigger(table)),
        }
        <= triggers
    ]
    assert missing == [], "append-only tables without their triggers (add a migration)"


@pytest.mark.parametrize("table", [HISTORY, NOTES, ACCESS_LOG])
@pytest.mark.parametrize("change", CHANGES)
def test_the_owner_cannot_rewrite_history_either(db, table, change):
    concern_with_a_note_and_a_read()
    before = rows_in(table)

    message = refused(CHANGES[change].format(table=table))

    assert f"{change} refused on table {table}" in message or "never" in message
    assert rows_in(table) == before > 0


def test_live_records_can_still_be_changed(db):
    concern, dsl = concern_with_a_note_and_a_read()

    services.concern_acknowledge(concern=concern, by=dsl)

    assert Concern.objects.get(pk=concern.pk).acknowledged_by_id == dsl.pk


runtime_role = pytest.mark.skipif(
    not settings.DATABASE_OWNER,
    reason="needs DATABASE_OWNER_URL and a runtime role in DATABASE_URL (make test sets both)",
)


@pytest.fixture
def as_runtime_role(transactional_db):
    """Connect as the role the app runs as (DATABASE_URL) for the rest of the test, with the
    seeded categories an earlier transactional test's flush removed put back first."""
    for name in ("0003_seed_categories_and_forbid_deletes", "0012_seed_judgement_rules"):
        importlib.import_module(f"concerns.migrations.{name}").seed(apps, schema_editor=None)
    use_role(environ.Env().db("DATABASE_URL"))
    yield
    use_role(settings.DATABASE_OWNER)


@runtime_role
def test_the_app_runs_as_a_role_that_owns_nothing(as_runtime_role):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, rolsuper, rolcreaterole, rolcreatedb, "
            "(SELECT count(*) FROM pg_class WHERE relowner = pg_roles.oid) "
            "FROM pg_roles WHERE rolname = current_user"
        )
        user, superuser, createrole, createdb, owned = cursor.fetchone()
    assert user == settings.DATABASE_RUNTIME_ROLE != settings.DATABASE_OWNER["USER"]
    assert (superuser, createrole, createdb, owned) == (False, False, False, 0)


@runtime_role
def test_the_runtime_role_records_and_changes_live_records(as_runtime_role):
    concern, dsl = concern_with_a_note_and_a_read()
    services.concern_acknowledge(concern=concern, by=dsl)

    concern = Concern.objects.get(pk=concern.pk)
    assert concern.acknowledged_by_id == dsl.pk
    assert concern.history.count() >= 2
    assert Note.objects.filter(concern=concern).count() == 1
    assert AccessRecord.objects.filter(concern=concern).count() == 1


@runtime_role
@pytest.mark.parametrize("table", [HISTORY, NOTES, ACCESS_LOG])
@pytest.mark.parametrize("change", CHANGES)
def test_the_runtime_role_cannot_rewrite_history(as_runtime_role, table, change):
    concern_with_a_note_and_a_read()
    before = rows_in(table)

    message = refused(CHANGES[change].format(table=table), error=ProgrammingError)

    assert f"permission denied for table {table}" in message
    assert rows_in(table) == before > 0


@runtime_role
def test_the_runtime_role_cannot_delete_live_records(as_runtime_role):
    concern_with_a_note_and_a_read()

    message = refused("DELETE FROM concerns_concern", error=ProgrammingError)

    assert "permission denied for table concerns_concern" in message


@runtime_role
@pytest.mark.parametrize("table", [HISTORY, NOTES, ACCESS_LOG])
def test_the_runtime_role_cannot_switch_a_trigger_off(as_runtime_role, table):
    trigger = append_only_trigger(table)

    message = refused(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}", error=ProgrammingError)

    assert f"must be owner of table {table}" in message


@runtime_role
def test_the_runtime_role_cannot_switch_every_trigger_off_for_its_session(as_runtime_role):
    message = refused("SET session_replication_role = replica", error=ProgrammingError)

    assert 'permission denied to set parameter "session_replication_role"' in message
