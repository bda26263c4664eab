"""The language switch, the profile's language, and the browser's."""

from __future__ import annotations

import pytest

from portal.models import User

pytestmark = pytest.mark.django_db


def _html_lang(response) -> str:
    html = response.content.decode()
    start = html.index('<html lang="') + len('<html lang="')
    return html[start : html.index('"', start)]


def test_language_switch_is_remembered_on_the_profile(client_for, employee, settings):
    client = client_for(employee)
    response = client.post("/i18n/setlang/", {"language": "nb", "next": "/notifications/"})
    assert response.status_code == 302
    assert response["Location"] == "/notifications/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nb"
    employee.refresh_from_db()
    assert employee.preferred_language == "nb"
    assert _html_lang(client.get("/")) == "nb"


def test_profile_language_applies_without_a_cookie(client_for, employee):
    employee.preferred_language = "sv"
    employee.save()
    assert _html_lang(client_for(employee).get("/")) == "sv"


def test_the_cookie_wins_over_the_profile(client_for, employee, settings):
    employee.preferred_language = "sv"
    employee.save()
    client = client_for(employee)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    assert _html_lang(client.get("/")) == "nb"


def test_anonymous_switch_sets_only_the_cookie(client, employee, settings):
    response = client.post("/i18n/setlang/", {"language": "sv", "next": "/accounts/login/"})
    assert response["Location"] == "/accounts/login/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "sv"
    assert _html_lang(client.get("/accounts/login/")) == "sv"
    assert User.objects.get(pk=employee.pk).preferred_language == "en"


def test_an_unknown_language_changes_nothing(client_for, employee, settings):
    client = client_for(employee)
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert response.status_code == 302
    cookie = client.cookies.get(settings.LANGUAGE_COOKIE_NAME)
    assert cookie is None or cookie.value == "en"  # at most the saved language, remembered
    employee.refresh_from_db()
    assert employee.preferred_language == "en"


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example/", "//evil.example/", "http://testserver.evil.example/"]
)
def test_language_switch_does_not_follow_an_unsafe_next(client, unsafe):
    response = client.post("/i18n/setlang/", {"language": "sv", "next": unsafe})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_language_switch_only_accepts_post(client_for, employee):
    assert client_for(employee).get("/i18n/setlang/?language=nb").status_code == 405
    employee.refresh_from_db()
    assert employee.preferred_language == "en"


@pytest.mark.parametrize(
    ("accept", "served"), [("no", "nb"), ("nn-NO", "nb"), ("sv-FI", "sv"), ("da", "en")]
)
def test_browser_language_picks_the_nearest_catalogue(client, accept, served):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=accept)
    assert _html_lang(response) == served


def test_signing_in_switches_to_the_saved_language_and_remembers_it(client, employee, settings):
    employee.preferred_language = "nb"
    employee.set_password("pw-for-the-test-1")
    employee.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        "/accounts/login/",
        {"login": employee.username, "password": "pw-for-the-test-1"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nb"
    html = response.content.decode()
    assert _html_lang(response) == "nb"
    assert "Successfully signed in" not in html
    assert "Logget inn som" in html


def test_the_sign_in_page_after_signing_out_speaks_the_saved_language(
    client_for, employee, settings
):
    employee.preferred_language = "sv"
    employee.save()
    client = client_for(employee)
    client.get("/")  # no cookie yet: the saved language is written to it
    client.post("/accounts/logout/")
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert _html_lang(response) == "sv"


def test_an_account_email_speaks_the_recipients_saved_language(
    client, employee, django_capture_on_commit_callbacks
):
    from django.core import mail

    employee.preferred_language = "sv"
    employee.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/password/reset/", {"email": employee.email}, HTTP_ACCEPT_LANGUAGE="en"
        )
    body = mail.outbox[0].body
    assert "You're receiving this email" not in body
    assert "Du får detta" in body or "lösenord" in body
