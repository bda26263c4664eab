"""seed_demo: idempotent demo data, one signed-in persona per role, never in production.

Seeding takes seconds, so the run seeds once (the `demo` fixture, DEBUG off and --force as
an operator would on a demo server) and only the tests about a second run seed again.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from portal.choices import Role
from portal.models import Department, User

pytestmark = pytest.mark.django_db

DEMO_USERNAMES = ["employee", "appowner", "reviewer", "manager", "logistics", "trainer", "admin"]
PASSWORD = "demo-pass-1"


def _counts() -> tuple[int, int, int]:
    return (
        User.objects.count(),
        Department.objects.count(),
        User.groups.through.objects.count(),
    )


@pytest.fixture
def seeded(demo):
    """The counts of the seeded demo, before the test changes anything."""
    return _counts()


@pytest.fixture
def development(settings):
    settings.DEBUG = True


def test_seed_demo_runs_in_production_with_force(seeded):
    assert User.objects.filter(username__in=DEMO_USERNAMES).count() == len(DEMO_USERNAMES)


def test_seed_demo_twice_gives_the_same_data(seeded, development):
    call_command("seed_demo", password=PASSWORD)
    assert _counts() == seeded


def test_every_demo_user_signs_in_with_the_given_password(seeded):
    for username in DEMO_USERNAMES:
        assert authenticate(username=username, password=PASSWORD) is not None, username
    assert authenticate(username="employee", password="portal-demo") is None


def test_seeding_again_with_another_password_changes_it(seeded, development):
    call_command("seed_demo", password="another-pass-2")
    assert authenticate(username="reviewer", password="another-pass-2") is not None
    assert authenticate(username="reviewer", password=PASSWORD) is None


def test_seed_demo_gives_each_persona_its_role(seeded):
    people = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    assert people["reviewer"].is_staff and people["reviewer"].has_role(Role.IT_REVIEWER)
    assert people["logistics"].is_staff and people["logistics"].has_role(Role.LOGISTICS)
    assert people["admin"].is_superuser and people["admin"].is_staff
    assert not people["employee"].is_staff
    assert people["employee"].line_manager == people["manager"]
    assert people["manager"].has_role(Role.LINE_MANAGER)
    assert people["appowner"].has_role(Role.APP_OWNER)
    assert people["trainer"].has_role(Role.TRAINING_COORDINATOR)


def test_seed_demo_builds_the_department_tree(seeded):
    north = Department.objects.get(code="home-nursing-north")
    assert north.depth == 3
    assert Department.objects.get(code="nordvik").subtree().filter(pk=north.pk).exists()


def test_seed_demo_refuses_production_without_force(seeded, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", password="another-pass-2")
    assert authenticate(username="employee", password="another-pass-2") is None
    assert authenticate(username="employee", password=PASSWORD) is not None


def test_seed_demo_refuses_a_short_password(seeded, development):
    with pytest.raises(CommandError, match="8 characters"):
        call_command("seed_demo", password="short12")
    assert authenticate(username="employee", password="short12") is None
    assert authenticate(username="employee", password=PASSWORD) is not None
