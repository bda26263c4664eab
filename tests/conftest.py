"""Shared fixtures: one persona per demo role, API clients, the role groups, and the
demo data (seeded once per run, restored for each module that reads it)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import TestCase, override_settings
from rest_framework.test import APIClient

from portal.choices import Role
from portal.roles import sync_role_groups
from tests.factories import DepartmentFactory, UserFactory


@pytest.fixture(autouse=True)
def _role_groups(db):
    """Transactional tests flush the groups the data migration made; make them again."""
    sync_role_groups()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test's rows are rolled back, so what an earlier test cached (the department
    options, the catalogue's visible sets, sign-in rate limits) must not outlive it."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploads of each test go to its own folders, public and private."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def department(db):
    return DepartmentFactory(name="Home nursing", code="home-nursing")


@pytest.fixture
def other_department(db):
    return DepartmentFactory(name="Water and sewerage", code="water-sewerage")


@pytest.fixture
def manager(department):
    return UserFactory(username="manager", department=department, roles=[Role.LINE_MANAGER])


@pytest.fixture
def employee(department, manager):
    return UserFactory(username="employee", department=department, line_manager=manager)


@pytest.fixture
def appowner(other_department):
    return UserFactory(username="appowner", department=other_department, roles=[Role.APP_OWNER])


@pytest.fixture
def reviewer(db):
    return UserFactory(username="reviewer", roles=[Role.IT_REVIEWER])


@pytest.fixture
def logistics(db):
    return UserFactory(username="logistics", roles=[Role.LOGISTICS])


@pytest.fixture
def trainer(db):
    return UserFactory(username="trainer", roles=[Role.TRAINING_COORDINATOR])


@pytest.fixture
def admin_user(db):
    user = UserFactory(username="admin", is_superuser=True, roles=[Role.ADMINISTRATOR])
    return user


@pytest.fixture
def personas(employee, appowner, reviewer, manager, logistics, trainer, admin_user):
    return {
        "employee": employee,
        "appowner": appowner,
        "reviewer": reviewer,
        "manager": manager,
        "logistics": logistics,
        "trainer": trainer,
        "admin": admin_user,
    }


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_for(client):
    """`client_for(user)`: the Django test client signed in as `user`."""

    def _client_for(user):
        client.force_login(user)
        return client

    return _client_for


DEMO_PASSWORD = "demo-pass-1"


def _demo_tables(cursor) -> dict[str, str]:
    """Every table of the schema, with its writable columns (quoted, in order)."""
    cursor.execute(
        """
        SELECT quote_ident(c.relname), string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
        FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
        WHERE c.relnamespace = current_schema()::regnamespace
          AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
        GROUP BY c.relname
        """
    )
    return dict(cursor.fetchall())


def _copy_out() -> dict[str, tuple[str, bytes]]:
    snapshot = {}
    with connection.cursor() as cursor:
        for table, columns in _demo_tables(cursor).items():
            data = bytearray()
            with cursor.copy(f"COPY (SELECT {columns} FROM {table}) TO STDOUT") as copy:
                for chunk in copy:
                    data += chunk
            snapshot[table] = (columns, bytes(data))
    return snapshot


def _copy_in(snapshot: dict[str, tuple[str, bytes]]) -> None:
    """Replace every row of the database by the snapshot's (inside the caller's transaction,
    triggers and foreign-key checks off while copying), and move the sequences past it."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"TRUNCATE {', '.join(_demo_tables(cursor))}")
        for table, (columns, data) in snapshot.items():
            if data:
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    copy.write(data)
        cursor.execute("SET LOCAL session_replication_role = origin")
        models = apps.get_models(include_auto_created=True)
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
    ContentType.objects.clear_cache()


@pytest.fixture(scope="session")
def demo_snapshot(django_db_setup, django_db_blocker, tmp_path_factory):
    """`seed_demo` run once per test run, the way an operator would on a demo server (DEBUG
    off, --force), with what waits for the commit run too (thumbnails, notifications); the
    rows are kept in memory and the database is rolled back to what it was."""
    media = tmp_path_factory.mktemp("demo-media")
    with (
        django_db_blocker.unblock(),
        override_settings(
            DEBUG=False, MEDIA_ROOT=media / "public", PRIVATE_MEDIA_ROOT=media / "private"
        ),
        transaction.atomic(),
    ):
        sync_role_groups()
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("seed_demo", password=DEMO_PASSWORD, force=True, stdout=StringIO())
        snapshot = _copy_out()
        transaction.set_rollback(True)
    ContentType.objects.clear_cache()
    return snapshot


@pytest.fixture(scope="module")
def demo(demo_snapshot, django_db_blocker):
    """The seeded demo for every test of a module: restored from the snapshot in a
    transaction that is rolled back after the module's last test, so the modules after
    it find the database as they expect it. Each test runs in its own savepoint (`db`)."""
    with django_db_blocker.unblock(), transaction.atomic():
        _copy_in(demo_snapshot)
        yield
        transaction.set_rollback(True)
    ContentType.objects.clear_cache()
