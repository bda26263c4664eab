"""The admin: who reaches which page, the people list, and API tokens shown once."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from portal import services
from portal.choices import Language, Role, WorkPattern
from portal.models import ApiToken, hash_token
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

PEOPLE = "/admin/portal/user/"

# What each persona may open in the admin. Non-staff reach no admin page at all.
ADMIN_PAGES = ["user", "department", "apitoken", "notification", "outboundemail"]
MAY_VIEW = {
    "employee": set(),
    "manager": set(),
    "appowner": set(),
    "trainer": set(),
    "reviewer": {"department"},
    "logistics": {"user", "department"},
    "admin": set(ADMIN_PAGES),
}


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    """MFA has its own tests (test_mfa.py); here the admin's permissions are the subject."""
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = False


@pytest.fixture
def admin_client(client_for, admin_user):
    return client_for(admin_user)


def _listed(response) -> set[str]:
    return {user.username for user in response.context["cl"].result_list}


@pytest.mark.parametrize("page", ADMIN_PAGES)
@pytest.mark.parametrize("persona", sorted(MAY_VIEW))
def test_admin_pages_follow_the_roles(client_for, personas, persona, page):
    response = client_for(personas[persona]).get(f"/admin/portal/{page}/")
    if page in MAY_VIEW[persona]:
        assert response.status_code == 200
    elif personas[persona].is_staff:
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("persona", ["employee", "manager", "appowner", "trainer"])
def test_non_staff_cannot_reach_the_admin(client_for, request, persona):
    response = client_for(request.getfixturevalue(persona)).get("/admin/", follow=True)
    assert response.status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")


def test_logistics_may_look_at_people_but_not_change_them(client_for, logistics, employee):
    client = client_for(logistics)
    response = client.post(f"{PEOPLE}{employee.pk}/change/", {"username": "renamed"})
    assert response.status_code == 403
    employee.refresh_from_db()
    assert employee.username == "employee"


def test_people_admin_search_finds_by_name_prefix_and_employee_number(admin_client):
    UserFactory(username="nb1", first_name="Nora", last_name="Berg", employee_number="X-42")
    UserFactory(username="other", first_name="Per", last_name="Moen", employee_number="X-421")
    for query in ["Nora Ber", "X-42", "nb1", "nb1@example"]:
        response = admin_client.get(PEOPLE, {"q": query})
        assert _listed(response) == {"nb1"}, query


def test_people_admin_offers_its_filters(admin_client):
    changelist = admin_client.get(PEOPLE).context["cl"]
    assert [str(spec.title) for spec in changelist.filter_specs] == [
        "active",
        "staff status",
        "work pattern",
        "groups",
        "preferred language",
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"is_staff__exact": "1"}, {"admin", "reviewer", "logistics"}),
        ({"is_active__exact": "0"}, {"leaver"}),
        ({"work_pattern__exact": WorkPattern.FRONTLINE}, {"nurse"}),
        ({"preferred_language__exact": Language.SWEDISH}, {"leaver"}),
    ],
)
def test_people_admin_filters(admin_client, personas, filters, expected):
    UserFactory(username="leaver", is_active=False, preferred_language=Language.SWEDISH)
    UserFactory(username="nurse", work_pattern=WorkPattern.FRONTLINE)
    assert _listed(admin_client.get(PEOPLE, filters)) == expected


def test_people_admin_filters_by_role(admin_client, personas):
    reviewers = Group.objects.get(name=Role.IT_REVIEWER)
    response = admin_client.get(PEOPLE, {"groups__id__exact": reviewers.pk})
    assert _listed(response) == {"reviewer"}


def test_department_admin_finds_by_code(admin_client):
    DepartmentFactory(code="it-services", name="IT services")
    DepartmentFactory(code="finance", name="Finance")
    response = admin_client.get("/admin/portal/department/", {"q": "it-services"})
    assert [d.code for d in response.context["cl"].result_list] == ["it-services"]


def test_creating_a_token_in_the_admin_shows_the_key_once(admin_client, admin_user, logistics):
    response = admin_client.post(
        "/admin/portal/apitoken/add/",
        {"name": "MDM", "user": logistics.pk, "scopes": "inventory:write"},
        follow=True,
    )
    token = ApiToken.objects.get()
    messages = [str(m) for m in response.context["messages"]]
    raw = next(m.rsplit(" ", 1)[1] for m in messages if "not shown again" in m)
    assert token.key_hash == hash_token(raw)
    assert raw.startswith(token.prefix)
    assert raw not in {str(value) for value in ApiToken.objects.filter(pk=token.pk).values()[0]}
    assert token.scopes == ["inventory:write"]
    assert token.created_by == admin_user
    change_page = admin_client.get(f"/admin/portal/apitoken/{token.pk}/change/")
    assert raw not in change_page.content.decode()


def test_a_token_made_in_the_admin_authenticates(admin_client, api_client, logistics):
    response = admin_client.post(
        "/admin/portal/apitoken/add/", {"name": "MDM", "user": logistics.pk}, follow=True
    )
    raw = next(
        str(m).rsplit(" ", 1)[1] for m in response.context["messages"] if "not shown" in str(m)
    )
    me = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert me.json()["username"] == "logistics"


def test_revoking_tokens_in_the_admin(admin_client, api_client, logistics):
    token, raw = services.create_api_token(name="MDM", user=logistics, by=None)
    response = admin_client.post(
        "/admin/portal/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert "1 tokens revoked." in [str(m) for m in response.context["messages"]]
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


@pytest.mark.parametrize("count", [2, 30])
def test_people_admin_query_count_does_not_grow(admin_client, count, django_assert_max_num_queries):
    UserFactory.create_batch(count)  # each in a department of their own
    with django_assert_max_num_queries(6):
        assert admin_client.get(PEOPLE).status_code == 200


@pytest.mark.parametrize("count", [2, 30])
def test_department_admin_query_count_does_not_grow(
    admin_client, count, django_assert_max_num_queries
):
    top = DepartmentFactory()
    DepartmentFactory.create_batch(count, parent=top)
    with django_assert_max_num_queries(6):
        assert admin_client.get("/admin/portal/department/").status_code == 200


@pytest.mark.parametrize("count", [2, 30])
def test_api_token_admin_query_count_does_not_grow(
    admin_client, logistics, count, django_assert_max_num_queries
):
    for index in range(count):
        services.create_api_token(name=f"T{index}", user=logistics, by=None)
    with django_assert_max_num_queries(6):
        assert admin_client.get("/admin/portal/apitoken/").status_code == 200
