"""The API shell: /api/v1/me/, token authentication, the schema and the docs."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from portal import services
from portal.models import ApiToken

pytestmark = pytest.mark.django_db


def test_me_with_a_session(api_client, employee, manager):
    api_client.force_login(employee)
    body = api_client.get("/api/v1/me/").json()
    assert body["username"] == "employee"
    assert body["department"]["code"] == employee.department.code
    assert body["line_manager"]["username"] == manager.username
    assert body["roles"] == ["employee"]


@pytest.mark.parametrize("keyword", ["Bearer", "Token"])
def test_me_with_an_api_token(api_client, logistics, keyword):
    token, raw = services.create_api_token(name="MDM", user=logistics, by=None)
    response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"{keyword} {raw}")
    assert response.status_code == 200
    assert response.json()["username"] == "logistics"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_only_the_hash_of_a_token_is_stored(logistics):
    token, raw = services.create_api_token(name="MDM", user=logistics, by=None)
    stored = ApiToken.objects.filter(pk=token.pk).values()[0]
    assert raw not in {str(value) for value in stored.values()}


def _revoked(token):
    token.revoked_at = timezone.now()


def _expired(token):
    token.expires_at = timezone.now() - timedelta(minutes=1)


def _user_left(token):
    token.user.is_active = False
    token.user.save()


@pytest.mark.parametrize("spoil", [_revoked, _expired, _user_left])
def test_unusable_tokens_are_refused(api_client, logistics, spoil):
    token, raw = services.create_api_token(name="MDM", user=logistics, by=None)
    spoil(token)
    token.save()
    response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "code"}


def test_an_unknown_token_is_refused(api_client):
    response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer not-a-real-token")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_anonymous_gets_401_in_the_one_error_form(api_client):
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }


def test_unknown_scope_is_refused(logistics):
    from portal.errors import RuleViolation

    with pytest.raises(RuleViolation):
        services.create_api_token(name="x", user=logistics, scopes=["root"], by=None)
    assert not ApiToken.objects.exists()


def test_schema_is_openapi_3_and_lists_me(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/me/" in schema["paths"]
    assert "apiToken" in schema["components"]["securitySchemes"]


@pytest.mark.parametrize("path", ["/api/docs/"])
def test_docs_are_served_offline(client, path):
    html = client.get(path).content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    assert not [url for url in assets if url.startswith(("http://", "https://", "//"))]


def test_me_query_count_is_small(api_client, employee, django_assert_max_num_queries):
    api_client.force_login(employee)
    with django_assert_max_num_queries(6):
        assert api_client.get("/api/v1/me/").status_code == 200
