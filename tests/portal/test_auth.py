"""Sign-in with local accounts, sign-out, passwords, and the closed sign-up."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from portal.models import OutboundEmail, User
from portal.notifications import send_outbox_email
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "A-new-long-pass-9"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth counts failed sign-ins in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


def _sign_in(client, login, password):
    return client.post("/accounts/login/", {"login": login, "password": password})


@pytest.mark.parametrize("login_field", ["username", "email"])
def test_employee_signs_in_with_username_or_email(client, employee, login_field):
    response = _sign_in(client, getattr(employee, login_field), TEST_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").context["user"] == employee


def test_email_sign_in_ignores_case(client, employee):
    assert _sign_in(client, employee.email.upper(), TEST_PASSWORD).status_code == 302
    assert client.get("/").status_code == 200


def test_wrong_password_is_refused_with_a_message(client, employee):
    response = _sign_in(client, "employee", "nope-nope")
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert client.get("/").status_code == 302


def test_inactive_person_cannot_sign_in(client, employee):
    employee.is_active = False
    employee.save()
    _sign_in(client, "employee", TEST_PASSWORD)
    assert client.get("/").status_code == 302


def test_repeated_failures_lock_the_account_for_a_while(client, employee):
    for _ in range(5):
        _sign_in(client, "employee", "nope-nope")
    response = _sign_in(client, "employee", TEST_PASSWORD)
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get("/").status_code == 302


def test_sign_out_with_post_ends_the_session(client_for, employee):
    client = client_for(employee)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302


def test_sign_out_with_get_only_asks_for_confirmation(client_for, employee):
    client = client_for(employee)
    response = client.get("/accounts/logout/")
    assert response.status_code == 200
    assert 'method="post"' in response.content.decode()
    assert client.get("/").status_code == 200


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
    assert not User.objects.filter(username="x").exists()


def test_change_password(client_for, employee):
    client = client_for(employee)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": TEST_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.check_password(NEW_PASSWORD)
    assert client.get("/").status_code == 200, "changing the password keeps you signed in"


def test_change_password_with_the_wrong_old_one_is_refused_and_explained(client_for, employee):
    response = client_for(employee).post(
        "/accounts/password/change/",
        {"oldpassword": "wrong-old-pass", "password1": NEW_PASSWORD, "password2": "other"},
    )
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert 'href="#id_oldpassword"' in html
    assert 'id="id_oldpassword_error"' in html
    assert 'aria-invalid="true"' in html
    employee.refresh_from_db()
    assert employee.check_password(TEST_PASSWORD)


def test_password_reset_email_is_stored_and_sent_only_after_commit(
    client, employee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/accounts/password/reset/", {"email": employee.email})
    assert response.status_code == 302
    outbox = OutboundEmail.objects.get()
    assert outbox.to == [employee.email]
    assert outbox.sent_at is None
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_password_reset_email_leaves_through_the_worker_once(
    client, employee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": employee.email})
    outbox = OutboundEmail.objects.get()
    assert outbox.sent_at is not None
    assert [m.to for m in mail.outbox] == [[employee.email]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert send_outbox_email(outbox_id=outbox.pk) is False
    assert len(mail.outbox) == 1


def test_password_reset_link_sets_a_new_password(
    client, employee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": employee.email})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mail.outbox[0].body)
    form_url = client.get(link[1])["Location"]
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.check_password(NEW_PASSWORD)
    assert _sign_in(client, "employee", NEW_PASSWORD).status_code == 302


# Behind the TLS proxy every request comes from the proxy's address; the client's is the
# last entry the proxy appends to X-Forwarded-For.
PROXY = "10.0.0.2"


def _fail_ten_sign_ins(client, forwarded_for: str) -> None:
    """Ten failures from one client: the per-address limit (10/m), not the per-login one."""
    for attempt in range(10):
        client.post(
            "/accounts/login/",
            {"login": f"nobody{attempt}", "password": "nope-nope"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )


def _sign_in_from(client, forwarded_for: str):
    return client.post(
        "/accounts/login/",
        {"login": "employee", "password": TEST_PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_a_trusted_proxy_each_client_has_its_own_sign_in_limit(settings, employee):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    attacker, colleague = Client(), Client()
    _fail_ten_sign_ins(attacker, "198.51.100.7")
    refused = _sign_in_from(attacker, "198.51.100.7")
    assert "Too many failed login attempts" in refused.content.decode()
    assert _sign_in_from(colleague, "198.51.100.8").status_code == 302


def test_a_forged_forwarded_address_does_not_escape_the_limit(settings, employee):
    """The proxy appends the real address; only that last entry counts."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    attacker = Client()
    _fail_ten_sign_ins(attacker, "203.0.113.1, 198.51.100.7")
    refused = _sign_in_from(attacker, "203.0.113.99, 198.51.100.7")
    assert "Too many failed login attempts" in refused.content.decode()


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings, employee):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    attacker = Client()
    _fail_ten_sign_ins(attacker, "198.51.100.7")
    spoofed = _sign_in_from(attacker, "203.0.113.9")
    assert "Too many failed login attempts" in spoofed.content.decode()


def test_the_api_throttles_count_by_the_same_client_address(settings, rf):
    from rest_framework.throttling import AnonRateThrottle

    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7")
    assert settings.PORTAL_TRUSTED_PROXY_COUNT == 0
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.ALLAUTH_TRUSTED_PROXY_COUNT == 0
    assert AnonRateThrottle().get_ident(request) == PROXY
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert AnonRateThrottle().get_ident(request) == "198.51.100.7"
