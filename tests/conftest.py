"""Personas and shared fixtures.

Every test runs with the FETCH_RAISE fetch mode, so a lazy database load anywhere in the
code under test fails loudly instead of quietly adding a query per row.
"""

import importlib
from contextlib import contextmanager
from unittest import mock

import pytest
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import TransactionTestCase
from django_tasks_db.management.commands import db_worker

from schools.models import Role
from schools.worker import Worker
from tests.factories import PupilFactory, SchoolFactory, member


def use_role(credentials: dict) -> None:
    """Reconnect the default database alias (this thread's, and the live server's on its next
    request) with another role's credentials, to the same test database."""
    connection = connections["default"]
    connection.close()
    connection.settings_dict.update(
        {key: credentials[key] for key in ("USER", "PASSWORD", "HOST", "PORT")}
    )


@contextmanager
def as_owner():
    """Connect as the tables' owner inside the block (outside any transaction), as the
    commands in settings.OWNER_COMMANDS do, then as before."""
    before = {key: connections["default"].settings_dict[key] for key in ("USER", "PASSWORD")}
    if django_settings.DATABASE_OWNER:
        use_role(django_settings.DATABASE_OWNER)
    try:
        yield
    finally:
        if django_settings.DATABASE_OWNER:
            use_role({**django_settings.DATABASE_OWNER, **before})


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The test database is created, migrated and flushed by the tables' owner, as `migrate`
    is outside tests; tests/test_append_only.py runs the app as the runtime role."""
    if django_settings.DATABASE_OWNER:
        use_role(django_settings.DATABASE_OWNER)


@pytest.fixture(scope="session", autouse=True)
def _flush_past_append_only_tables():
    """Let the flush after each transactional test (browser tests) empty history tables,
    which refuse TRUNCATE by trigger. `session_replication_role = replica` switches user
    triggers off for this session only, and only a superuser (or a role granted SET on it)
    may use it: the runtime role cannot. Set just around Django's flush and reset after."""
    original = TransactionTestCase._fixture_teardown

    def fixture_teardown(self):
        aliases = self._databases_names(include_mirrors=False)
        for alias in aliases:
            with connections[alias].cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")
        try:
            original(self)
        finally:
            for alias in aliases:
                with connections[alias].cursor() as cursor:
                    cursor.execute("RESET session_replication_role")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown", fixture_teardown)
        yield


# The migrations that seed rows every test expects: the categories, their flags and the
# national guidance cards.
SEED_MIGRATIONS = (
    "0003_seed_categories_and_forbid_deletes",
    "0012_seed_judgement_rules",
    "0013_category_implies_coercion",
    "0017_sexual_abuse_asks_criteria",
)


@pytest.fixture(autouse=True)
def _seeded_after_flush(request):
    """Put back what the migrations seed before each transactional test (browser tests,
    tests that need the database's own transactions): an earlier one's flush removed it.

    Not `serialized_rollback`: a flush followed by post_migrate gives the content types new
    ids, so restoring an old copy of them fails; and once Playwright's sync API has started,
    Django no longer sees the serialized copy kept on the connections made before.
    """
    marker = request.node.get_closest_marker("django_db")
    if not (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or (marker is not None and marker.kwargs.get("transaction"))
    ):
        return
    request.getfixturevalue("transactional_db")
    for name in SEED_MIGRATIONS:
        importlib.import_module(f"concerns.migrations.{name}").seed(django_apps, None)


@pytest.fixture(autouse=True)
def _strict_fetching(settings):
    settings.FETCH_MODE = "FETCH_RAISE"
    settings.SITE_URL = "http://testserver"


@pytest.fixture(autouse=True)
def _static_files_without_manifest(settings):
    # Tests run with DEBUG off, where settings choose the manifest storage, which needs
    # `collectstatic` first; pages under test only need the files' plain URLs.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _plain_http(settings):
    # Production settings redirect HTTP to HTTPS; the test client and live server speak HTTP.
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Hashing with Argon2/PBKDF2 costs ~0.4 s per persona; tests don't test the hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Every folder a file could be written to is one of the test's own, so a test can show
    that nothing was (attachments live in the database)."""
    folder = tmp_path / "private"
    settings.PRIVATE_MEDIA_ROOT = folder
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder, "base_url": None},
        },
    }
    return folder


def work_the_queue() -> int:
    """Run every task that is due on the database queue, as the worker would: the real
    worker's loop in batch mode, in this process and this test's transaction. Returns how
    many ran."""
    # Between tasks the worker closes the connection if it is in a transaction, as a
    # long-lived process should; here that transaction is the test's own.
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        worker = Worker(
            queue_names=["*"],
            excluded_queue_names=[],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
        )
        worker.run()
    return worker._run_tasks


@pytest.fixture
def run_queued_tasks(db):
    """`work_the_queue`, for a test that asks for it."""
    return work_the_queue


@pytest.fixture
def django_capture_on_commit_callbacks(django_capture_on_commit_callbacks, run_queued_tasks):
    """pytest-django's fixture, plus: when the callbacks are executed (as a commit would), the
    notifications they queued are then run by the worker (as it would, moments later)."""

    @contextmanager
    def capture(*, using=DEFAULT_DB_ALIAS, execute=False):
        with django_capture_on_commit_callbacks(using=using, execute=execute) as callbacks:
            yield callbacks
        if execute:
            run_queued_tasks()

    return capture


@pytest.fixture
def school(db):
    return SchoolFactory(name="Oakfield Primary School")


@pytest.fixture
def other_school(db):
    return SchoolFactory(name="Riverside Academy")


@pytest.fixture
def staff(school):
    return member(school, Role.STAFF, full_name="Tom Teacher", email="staff@oakfield.example")


@pytest.fixture
def other_staff(school):
    return member(school, Role.STAFF, full_name="Olive Other", email="olive@oakfield.example")


@pytest.fixture
def dsl(school):
    return member(school, Role.DSL, full_name="Dana Lead", email="dsl@oakfield.example")


@pytest.fixture
def deputy(school):
    return member(school, Role.DEPUTY_DSL, full_name="Dev Deputy", email="deputy@oakfield.example")


@pytest.fixture
def governor(school):
    return member(school, Role.GOVERNOR, full_name="Gill Governor", email="gov@oakfield.example")


@pytest.fixture
def school_admin(school):
    return member(school, Role.SCHOOL_ADMIN, full_name="Ada Admin", email="admin@oakfield.example")


@pytest.fixture
def other_dsl(other_school):
    return member(other_school, Role.DSL, full_name="Rita River", email="dsl@riverside.example")


@pytest.fixture
def pupils(school):
    """The DOMAIN.md case: the girl who told her mother, and two friends from the sleepover."""
    return [
        PupilFactory(school=school, legal_first_name="Amelia", legal_last_name="Hart"),
        PupilFactory(school=school, legal_first_name="Bella", legal_last_name="Cole"),
        PupilFactory(school=school, legal_first_name="Chloe", legal_last_name="Dunn"),
    ]
