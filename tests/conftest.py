"""Shared fixtures: one persona per demo role, API clients, and the role groups."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from portal.choices import Role
from portal.roles import sync_role_groups
from tests.factories import DepartmentFactory, UserFactory


@pytest.fixture(autouse=True)
def _role_groups(db):
    """Transactional tests flush the groups the data migration made; make them again."""
    sync_role_groups()


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
