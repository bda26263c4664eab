"""The portal's own 400, 403, 404, 500 and CSRF pages: in the person's language, with a
way back, and the navigation for people who are signed in."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import path

from portal import error_pages
from portal.urls import urlpatterns as portal_urlpatterns

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("kaboom")


urlpatterns = [*portal_urlpatterns, path("boom/", _boom)]
handler400 = error_pages.bad_request
handler403 = error_pages.permission_denied
handler404 = error_pages.page_not_found
handler500 = error_pages.server_error


def _speak(person, language: str) -> None:
    person.preferred_language = language
    person.save(update_fields=["preferred_language"])


def test_a_missing_page_is_the_portals_own_with_navigation(client_for, trainer):
    response = client_for(trainer).get("/training/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html
    assert 'class="main-nav"' in html
    assert 'href="/"' in html
    assert 'href="/apps/"' in html


def test_with_debug_on_a_missing_page_is_still_the_portals_own(client_for, trainer, settings):
    # The demo runs with DEBUG on: its visitors meet the portal's 404, not Django's.
    settings.DEBUG = True
    client = client_for(trainer)
    for url in ("/training/", "/devices/repairs/999999/"):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 404
        assert "Page not found" in html and 'class="main-nav"' in html
        assert "DEBUG = True" not in html
    assert client.get("/apps").status_code == 301  # the slash is still added
    api = client.get("/api/v1/nothing-here/")
    assert api.status_code == 404 and api["Content-Type"].startswith("application/json")
    settings.PORTAL_TECHNICAL_404 = True
    assert "DEBUG = True" in client.get("/training/").content.decode()


def test_a_missing_page_speaks_the_persons_saved_language(client_for, trainer):
    _speak(trainer, "nb")
    html = client_for(trainer).get("/training/").content.decode()
    assert '<html lang="nb">' in html
    assert "Page not found" not in html


def test_a_missing_page_for_a_visitor_offers_sign_in(client):
    html = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert '<html lang="sv">' in html
    assert 'href="/accounts/login/"' in html


def test_the_admin_refuses_a_signed_in_non_staff_person_on_the_portals_page(client_for, trainer):
    response = client_for(trainer).get("/admin/", follow=True)
    html = response.content.decode()
    assert response.status_code == 403
    assert "The administration pages are for IT reviewers" in html
    assert 'class="main-nav"' in html


def test_the_admin_still_sends_a_visitor_to_sign_in(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")


def test_a_refusal_shows_its_message_in_the_portals_403(client_for, employee):
    response = client_for(employee).get("/apps/manage/")
    assert response.status_code == 403
    assert 'class="main-nav"' in response.content.decode()


@pytest.mark.urls(__name__)
def test_a_server_error_renders_without_the_database(client, employee, monkeypatch):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="nb")

    def no_database(*args, **kwargs):
        raise AssertionError("the 500 page touched the database")

    monkeypatch.setattr(connection, "cursor", no_database)
    response = client.get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="nb">' in html
    assert 'href="/"' in html


def test_a_bad_request_is_the_portals_own(client_for, employee):
    response = client_for(employee).get("/apps/", {"q": "a\x00b"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "NUL character" in html
    assert 'class="main-nav"' in html


def test_a_csrf_failure_is_the_portals_own_page(employee):
    _speak(employee, "sv")
    client = Client(enforce_csrf_checks=True)
    client.force_login(employee)
    response = client.post("/notifications/read/")
    html = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="sv">' in html
    assert 'href="/"' in html
    assert "CSRF verification failed" not in html
