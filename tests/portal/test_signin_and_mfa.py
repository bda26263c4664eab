"""Sign-in with local accounts, password reset through the worker, and staff MFA."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail

from portal.models import OutboundEmail
from portal.notifications import send_outbox_email
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("login_field", ["username", "email"])
def test_employee_signs_in_with_username_or_email(client, employee, login_field):
    response = client.post(
        "/accounts/login/",
        {"login": getattr(employee, login_field), "password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_wrong_password_is_refused_with_a_message(client, employee):
    response = client.post("/accounts/login/", {"login": "employee", "password": "nope-nope"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert client.get("/").status_code == 302


def test_sign_out_ends_the_session(client_for, employee):
    client = client_for(employee)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_self_service_sign_up_is_closed(client):
    response = client.get("/accounts/signup/")
    assert "closed" in response.content.decode().lower()
    client.post(
        "/accounts/signup/",
        {
            "email": "x@example.org",
            "username": "x",
            "password1": "Long-pass-1",
            "password2": "Long-pass-1",
        },
    )
    from portal.models import User

    assert not User.objects.filter(username="x").exists()


def test_change_password(client_for, employee):
    client = client_for(employee)
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": TEST_PASSWORD,
            "password1": "A-new-long-pass-9",
            "password2": "A-new-long-pass-9",
        },
    )
    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.check_password("A-new-long-pass-9")


def test_password_reset_email_leaves_through_the_worker_once(
    client, employee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": employee.email})
    assert response.status_code == 302
    outbox = OutboundEmail.objects.get()
    assert outbox.to == [employee.email]
    assert outbox.sent_at is not None
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert send_outbox_email(outbox_id=outbox.pk) is False
    assert len(mail.outbox) == 1


@pytest.fixture
def require_mfa(settings):
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = True


@pytest.mark.parametrize("persona", ["reviewer", "logistics", "admin_user"])
@pytest.mark.parametrize("path", ["/", "/admin/", "/notifications/"])
def test_staff_without_mfa_is_sent_to_enrolment(require_mfa, client_for, request, persona, path):
    response = client_for(request.getfixturevalue(persona)).get(path)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_staff_without_mfa_gets_403_from_the_api(require_mfa, client_for, reviewer):
    response = client_for(reviewer).get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"


def test_staff_without_mfa_can_still_enrol_and_sign_out(require_mfa, client_for, reviewer):
    client = client_for(reviewer)
    assert client.get("/accounts/2fa/totp/activate/").status_code in {200, 302}
    assert client.post("/accounts/logout/").status_code == 302


@pytest.mark.parametrize("persona", ["employee", "manager", "appowner", "trainer"])
def test_non_staff_are_not_forced_to_enrol(require_mfa, client_for, request, persona):
    assert client_for(request.getfixturevalue(persona)).get("/").status_code == 200


def test_staff_with_totp_reaches_pages_and_admin(require_mfa, client_for, reviewer):
    TOTP.activate(reviewer, generate_totp_secret())
    client = client_for(reviewer)
    assert client.get("/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_without_the_setting_staff_are_not_redirected(settings, client_for, reviewer):
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = False
    assert client_for(reviewer).get("/").status_code == 200


def test_admin_login_goes_through_the_portal_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_employee_cannot_use_the_admin(client_for, employee):
    response = client_for(employee).get("/admin/", follow=True)
    assert response.status_code == 403


def test_form_errors_are_summarised_and_linked_to_their_fields(client_for, employee):
    response = client_for(employee).post(
        "/accounts/password/change/",
        {"oldpassword": "wrong-old-pass", "password1": "A-new-long-pass-9", "password2": "other"},
    )
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert 'href="#id_oldpassword"' in html
    assert 'id="id_oldpassword_error"' in html
    assert 'aria-invalid="true"' in html
    employee.refresh_from_db()
    assert employee.check_password(TEST_PASSWORD)
