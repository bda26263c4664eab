"""Staff enrol a second factor before they reach any page, the admin or the API."""

from __future__ import annotations

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from portal import services

pytestmark = pytest.mark.django_db

ENROLMENT = "/accounts/2fa/totp/activate/"
STAFF = ["reviewer", "logistics", "admin_user"]
NOT_STAFF = ["employee", "manager", "appowner", "trainer"]


@pytest.fixture
def require_mfa(settings):
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = True


@pytest.fixture
def mfa_optional(settings):
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = False


@pytest.mark.parametrize("persona", STAFF)
@pytest.mark.parametrize("path", ["/", "/admin/", "/notifications/", "/admin/portal/user/"])
def test_staff_without_mfa_is_sent_to_enrolment(require_mfa, client_for, request, persona, path):
    response = client_for(request.getfixturevalue(persona)).get(path)
    assert response.status_code == 302
    assert response["Location"] == ENROLMENT


def test_enrolment_redirect_explains_why(require_mfa, client_for, reviewer):
    response = client_for(reviewer).get("/", follow=True)
    assert "requires two-factor authentication" in response.content.decode()


@pytest.mark.parametrize("persona", STAFF)
def test_staff_without_mfa_gets_403_from_the_api(require_mfa, client_for, request, persona):
    response = client_for(request.getfixturevalue(persona)).get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"
    assert set(response.json()) == {"detail", "code"}


def test_staff_without_mfa_can_still_enrol_and_sign_out(require_mfa, client_for, reviewer):
    client = client_for(reviewer)
    assert client.get(ENROLMENT).status_code in {200, 302}
    assert client.get("/healthz").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/")["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", NOT_STAFF)
def test_non_staff_are_not_forced_to_enrol(require_mfa, client_for, request, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200


def test_a_new_staff_role_brings_the_enrolment_requirement(require_mfa, client_for, employee):
    client = client_for(employee)
    assert client.get("/").status_code == 200
    services.set_roles(user=employee, roles=["employee", "it_reviewer"])
    assert client.get("/")["Location"] == ENROLMENT


@pytest.mark.parametrize("persona", STAFF)
def test_staff_with_totp_reach_pages_admin_and_api(require_mfa, client_for, request, persona):
    user = request.getfixturevalue(persona)
    TOTP.activate(user, generate_totp_secret())
    client = client_for(user)
    assert client.get("/").status_code == 200
    assert client.get("/admin/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200


def test_recovery_codes_alone_are_not_a_second_factor(require_mfa, client_for, reviewer):
    RecoveryCodes.activate(reviewer)
    assert client_for(reviewer).get("/")["Location"] == ENROLMENT


@pytest.mark.parametrize("persona", STAFF)
@pytest.mark.parametrize("path", ["/", "/admin/", "/api/v1/me/"])
def test_without_the_setting_nobody_is_redirected(mfa_optional, client_for, request, persona, path):
    assert client_for(request.getfixturevalue(persona)).get(path).status_code == 200


def test_an_api_token_of_a_staff_service_user_is_not_asked_for_mfa(
    require_mfa, api_client, logistics
):
    """Integrations cannot answer a TOTP prompt; the token is their second factor."""
    _, raw = services.create_api_token(name="MDM", user=logistics, by=None)
    response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200


def test_admin_login_goes_through_the_portal_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
