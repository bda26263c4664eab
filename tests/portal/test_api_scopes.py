"""API token scopes restrict: a token reaches only the endpoints that name one of its
scopes, whoever it acts as. Sessions are not affected."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, reverse

from devices.choices import RepairState
from portal import services
from portal.api import urls as api_urls
from portal.api.permissions import ANY_SCOPE, TokenHasScope, required_scopes
from portal.api.schema import scopes_note
from portal.choices import ApiScope
from tests.devices.factories import held_device, open_repair

pytestmark = pytest.mark.django_db

DEVICES = "/api/v1/devices/"
METHODS = ("get", "post", "put", "patch", "delete")
# Values for the routes' path parameters: nothing that exists, so a call that passes the
# scope check ends in a 404 (or a 400 for a bad body), never in a change.
DUMMY_KWARGS = {"pk": 999999, "artifact_id": 999999, "slug": "no-such-app", "name": "no-such"}


def _routes(patterns=api_urls.urlpatterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern


def _operations():
    """(url name, view class, HTTP method) of every REST framework route of the API."""
    for route in _routes():
        view = getattr(route.callback, "cls", None)
        if view is None:  # a plain Django view (the API's JSON 404)
            continue
        actions = getattr(route.callback, "actions", None)
        methods = list(actions) if actions else [m for m in METHODS if hasattr(view, m)]
        for method in methods:
            yield route, view, method


def _bearer(user, *scopes) -> dict:
    _token, raw = services.create_api_token(name="Tool", user=user, scopes=scopes, by=None)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_every_api_view_checks_token_scopes():
    """A new view that sets its own permission classes must list TokenHasScope (or
    token_scope), or a token would reach it with any scope."""
    unchecked = {
        route.name
        for route, view, _method in _operations()
        if not any(issubclass(p, TokenHasScope) for p in view.permission_classes)
    }
    assert unchecked == set()


@pytest.mark.parametrize("scope", [None, *ApiScope.values])
def test_token_permission_matrix(api_client, admin_user, scope):
    """Every route x method, with a token of one scope acting as a superuser: refused with
    403 unless the view names the scope, let through (to a 404/400/200) if it does."""
    headers = _bearer(admin_user, *([scope] if scope else []))
    for route, view, method in _operations():
        kwargs = {k: v for k, v in DUMMY_KWARGS.items() if k in route.pattern.converters}
        url = reverse(f"api:{route.name}", kwargs=kwargs)
        declared = required_scopes(view, method)
        response = getattr(api_client, method)(url, {} if method != "get" else None, **headers)
        if ANY_SCOPE in declared or scope in declared:
            assert response.status_code != 403, (url, method, response.content)
        else:
            assert response.status_code == 403, (url, method, response.content)
            if method != "head":
                assert response.json()["code"] == "permission_denied"


@pytest.fixture
def case(employee, logistics):
    return open_repair(device=held_device(holder=employee, desk=logistics), by=employee)


def _triage(client, case, **headers):
    url = reverse("api:repair_case_action", kwargs={"pk": case.pk, "name": "triage"})
    return client.post(url, {"comment": "Screen"}, **headers)


def test_a_catalogue_token_of_a_desk_person_reaches_neither_fleet_nor_cases(
    api_client, logistics, case
):
    headers = _bearer(logistics, ApiScope.CATALOGUE_READ)
    response = api_client.get(DEVICES, **headers)
    assert response.status_code == 403
    assert response.json() == {
        "detail": "This API token needs one of these scopes: devices:read.",
        "code": "permission_denied",
    }
    assert api_client.get(f"/api/v1/repair-cases/{case.pk}/", **headers).status_code == 403
    assert _triage(api_client, case, **headers).status_code == 403
    case.refresh_from_db()
    assert case.state == RepairState.REPORTED


def test_a_devices_read_token_lists_the_fleet_but_does_not_act(api_client, logistics, case):
    headers = _bearer(logistics, ApiScope.DEVICES_READ)
    response = api_client.get(DEVICES, **headers)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [case.device_id]
    assert _triage(api_client, case, **headers).status_code == 403
    case.refresh_from_db()
    assert case.state == RepairState.REPORTED


def test_a_devices_write_token_acts_on_cases_as_its_person(api_client, logistics, case):
    response = _triage(api_client, case, **_bearer(logistics, ApiScope.DEVICES_WRITE))
    assert response.status_code == 200, response.content
    case.refresh_from_db()
    assert case.state == RepairState.TRIAGED


def test_sessions_are_not_limited_by_scopes(api_client, logistics, case):
    api_client.force_login(logistics)
    assert api_client.get(DEVICES).status_code == 200
    assert _triage(api_client, case).status_code == 200


def test_the_schema_names_the_scopes_of_each_operation(client):
    schema = client.get("/api/schema/?format=json").json()
    devices = schema["paths"][DEVICES]["get"]
    assert devices["x-token-scopes"] == ["devices:read"]
    assert "API token scope: `devices:read`." in devices["description"]
    assert {"apiToken": []} in devices["security"]
    download = schema["paths"]["/api/v1/packages/{artifact_id}/download/"]["get"]
    assert download["x-token-scopes"] == ["apps:read", "catalogue:read"]
    assert schema["paths"]["/api/v1/me/"]["get"]["x-token-scopes"] == [ANY_SCOPE]
    scheme = schema["components"]["securitySchemes"]["apiToken"]["description"]
    assert all(f"`{scope}`" in scheme for scope in ApiScope.values)


def test_an_operation_without_scopes_is_documented_as_sessions_only():
    assert scopes_note(frozenset()) == "Signed-in sessions only: an API token is refused (403)."
