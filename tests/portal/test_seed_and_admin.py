"""seed_demo, and the people admin."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from portal.models import ApiToken, Department, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def development_settings(settings):
    """pytest-django runs with DEBUG off; seed_demo is a development command."""
    settings.DEBUG = True


DEMO_USERNAMES = ["employee", "appowner", "reviewer", "manager", "logistics", "trainer", "admin"]


def _counts():
    return (
        User.objects.count(),
        Department.objects.count(),
        User.groups.through.objects.count(),
    )


def test_seed_demo_is_idempotent_and_every_demo_user_signs_in():
    call_command("seed_demo", password="demo-pass-1")
    first = _counts()
    call_command("seed_demo", password="demo-pass-1")
    assert _counts() == first
    for username in DEMO_USERNAMES:
        assert authenticate(username=username, password="demo-pass-1") is not None, username


def test_seed_demo_gives_each_persona_its_role():
    call_command("seed_demo", password="demo-pass-1")
    people = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    assert people["reviewer"].is_staff and people["reviewer"].has_role("it_reviewer")
    assert people["logistics"].is_staff and people["logistics"].has_role("logistics_desk")
    assert people["admin"].is_superuser
    assert not people["employee"].is_staff
    assert people["employee"].line_manager == people["manager"]
    assert people["appowner"].has_role("app_owner")


def test_seed_demo_refuses_production_without_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo")
    assert not User.objects.filter(username="employee").exists()
    call_command("seed_demo", force=True)
    assert User.objects.filter(username="employee").exists()


def test_seed_demo_refuses_a_short_password():
    with pytest.raises(CommandError):
        call_command("seed_demo", password="short")


@pytest.mark.parametrize("count", [2, 30])
def test_people_admin_query_count_does_not_grow(
    client_for, admin_user, count, django_assert_max_num_queries
):
    UserFactory.create_batch(count)
    client = client_for(admin_user)
    with django_assert_max_num_queries(12):
        assert client.get("/admin/portal/user/").status_code == 200


def test_people_admin_search_finds_by_name_prefix_and_employee_number(client_for, admin_user):
    UserFactory(username="nb1", first_name="Nora", last_name="Berg", employee_number="X-42")
    UserFactory(username="other", first_name="Per", last_name="Moen")
    client = client_for(admin_user)
    for query in ["Nora Ber", "X-42", "nb1"]:
        html = client.get("/admin/portal/user/", {"q": query}).content.decode()
        assert "nb1" in html and ">other<" not in html, query


def test_creating_a_token_in_the_admin_shows_the_key_once(client_for, admin_user, logistics):
    client = client_for(admin_user)
    response = client.post(
        "/admin/portal/apitoken/add/",
        {"name": "MDM", "user": logistics.pk, "scopes": "inventory:write"},
        follow=True,
    )
    token = ApiToken.objects.get()
    messages = [str(m) for m in response.context["messages"]]
    raw = next(m.rsplit(" ", 1)[1] for m in messages if "not shown again" in m)
    assert raw.startswith(token.prefix)
    assert token.scopes == ["inventory:write"]
    assert token.created_by == admin_user
    response = client.get(f"/admin/portal/apitoken/{token.pk}/change/")
    assert raw not in response.content.decode()
