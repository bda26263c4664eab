"""The API shell: /api/v1/me/, session and token authentication, errors, schema and docs."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone
from openapi_spec_validator import validate

from portal import notifications, services
from portal.errors import RuleViolation
from portal.models import ApiToken, hash_token

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
ME_FIELDS = {
    "id",
    "username",
    "full_name",
    "email",
    "employee_number",
    "job_title",
    "department",
    "line_manager",
    "work_pattern",
    "preferred_language",
    "roles",
    "is_staff",
}


def _bearer(raw: str, keyword: str = "Bearer") -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"{keyword} {raw}"}


def test_me_with_a_session(api_client, employee, manager):
    api_client.force_login(employee)
    response = api_client.get(ME)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == ME_FIELDS
    assert body["username"] == "employee"
    assert body["full_name"] == employee.get_full_name()
    assert body["department"]["code"] == employee.department.code
    assert body["line_manager"]["username"] == manager.username
    assert body["roles"] == ["employee"]
    assert body["is_staff"] is False


def test_me_lists_every_role_sorted(api_client, logistics):
    api_client.force_login(logistics)
    assert api_client.get(ME).json()["roles"] == ["employee", "logistics_desk"]


@pytest.mark.parametrize("keyword", ["Bearer", "Token", "bearer"])
def test_me_with_an_api_token(api_client, logistics, keyword):
    token, raw = services.create_api_token(name="MDM", user=logistics, by=None)
    response = api_client.get(ME, **_bearer(raw, keyword))
    assert response.status_code == 200
    assert response.json()["username"] == "logistics"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_with_a_future_expiry_works(api_client, logistics):
    _, raw = services.create_api_token(
        name="MDM", user=logistics, expires_at=timezone.now() + timedelta(days=1), by=None
    )
    assert api_client.get(ME, **_bearer(raw)).status_code == 200


def test_only_the_hash_of_a_token_is_stored(logistics):
    token, raw = services.create_api_token(name="MDM", user=logistics, by=None)
    stored = ApiToken.objects.filter(pk=token.pk).values()[0]
    assert raw not in {str(value) for value in stored.values()}
    assert stored["key_hash"] == hash_token(raw)
    assert stored["prefix"] == raw[:8]


def _revoked(token):
    token.revoked_at = timezone.now()


def _expired(token):
    token.expires_at = timezone.now() - timedelta(minutes=1)


def _user_left(token):
    token.user.is_active = False
    token.user.save()


@pytest.mark.parametrize("spoil", [_revoked, _expired, _user_left], ids=lambda f: f.__name__)
def test_unusable_tokens_are_refused(api_client, logistics, spoil):
    token, raw = services.create_api_token(name="MDM", user=logistics, by=None)
    spoil(token)
    token.save()
    response = api_client.get(ME, **_bearer(raw))
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Invalid, expired or revoked token.",
        "code": "authentication_failed",
    }


@pytest.mark.parametrize("header", ["Bearer not-a-real-token", "Bearer two parts", "Bearer"])
def test_unknown_or_malformed_tokens_are_refused(api_client, header):
    response = api_client.get(ME, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_bad_token_is_refused_even_with_a_session(api_client, employee):
    api_client.force_login(employee)
    response = api_client.get(ME, **_bearer("not-a-real-token"))
    assert response.status_code == 401


def test_an_inactive_person_with_a_session_is_refused(api_client, employee):
    api_client.force_login(employee)
    employee.is_active = False
    employee.save()
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_anonymous_gets_401_in_the_one_error_form(api_client):
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }


def test_other_authorization_schemes_are_not_tokens(api_client, employee):
    response = api_client.get(ME, HTTP_AUTHORIZATION="Basic ZW1wbG95ZWU6eA==")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_wrong_method_is_answered_in_the_one_error_form(api_client, employee):
    api_client.force_login(employee)
    response = api_client.post(ME, {})
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert set(response.json()) == {"detail", "code"}


def test_a_session_post_without_csrf_token_is_403_in_the_one_error_form(employee):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(employee)
    response = client.post(ME, {})
    assert response.status_code == 403
    assert set(response.json()) == {"detail", "code"}
    assert "CSRF" in response.json()["detail"]


def test_unknown_scope_is_refused(logistics):
    with pytest.raises(RuleViolation):
        services.create_api_token(name="x", user=logistics, scopes=["root"], by=None)
    assert not ApiToken.objects.exists()


def test_schema_is_a_valid_openapi_3_document_listing_me(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/me/" in schema["paths"]
    assert set(schema["paths"]["/api/v1/me/"]["get"]["responses"]) >= {"200", "401", "403"}
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"


def test_docs_render_with_local_assets_only(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    # every asset is a local static file, but the start-up script the page asks itself for
    assets = [
        url
        for url in re.findall(r'(?:src|href)="([^"]+)"', html)
        if not url.startswith("/api/docs/")
    ]
    assert any(url.endswith("swagger-ui-bundle.js") for url in assets)
    assert not [url for url in assets if not url.startswith("/")]
    assert not [url for url in assets if url.startswith("//")]
    for url in assets:
        assert finders.find(url.removeprefix("/static/")), f"{url} is not a local static file"
    assert not re.search(r"<script[^>]+src=\"(?:https?:)?//", html)


@pytest.mark.parametrize("count", [2, 20])
def test_me_query_count_does_not_grow(api_client, employee, count, django_assert_max_num_queries):
    for index in range(count):
        notifications.notify(recipients=[employee], key=f"k{index}", title="N", email=False)
    api_client.force_login(employee)
    with django_assert_max_num_queries(4):
        assert api_client.get(ME).status_code == 200


def test_me_with_a_token_query_count(api_client, logistics, django_assert_max_num_queries):
    _, raw = services.create_api_token(name="MDM", user=logistics, by=None)
    with django_assert_max_num_queries(4):
        assert api_client.get(ME, **_bearer(raw)).status_code == 200
