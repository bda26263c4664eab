"""What the API answers to input it cannot use: never a 500 or an HTML page, always the
one error form, refused early (before the work it would cost) and after the caller's
permission."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from appstore.api import serializers as appstore_serializers
from appstore.models import Installation
from devices.models import Device
from portal import services
from portal.api.errors import first_message
from portal.api.parsers import MAX_JSON_DEPTH
from portal.choices import ApiScope
from tests.devices.factories import held_device

pytestmark = pytest.mark.django_db

CATALOGUE = reverse("api:catalogue")
APPS = reverse("api:app_list")
INSTALLATIONS = reverse("api:installation_list")
INVENTORY = reverse("api:inventory")
DEVICES = reverse("api:device_list")
SUBMISSIONS = reverse("api:submission_list")
MDM_SCOPES = (ApiScope.CATALOGUE_READ, ApiScope.INSTALLATIONS_WRITE, ApiScope.INVENTORY_WRITE)


@pytest.fixture
def mdm(logistics):
    """Headers of an MDM's token with every MDM scope."""
    _token, raw = services.create_api_token(name="MDM", user=logistics, scopes=MDM_SCOPES, by=None)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def web():
    """A client that answers a server error with its 500 page instead of raising."""
    return Client(raise_request_exception=False)


def assert_error_form(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert {"detail", "code"} <= set(body)
    assert isinstance(body["detail"], str) and body["detail"]
    if code:
        assert body["code"] == code
    if status == 400:
        assert isinstance(body["fields"], dict) and body["fields"]
    return body


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


# A NUL character never reaches PostgreSQL.


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (CATALOGUE, "department=%00"),
        (CATALOGUE, "role=a%00b"),
        (APPS, "department=%00"),
        (APPS, "q=water%00"),
        (DEVICES, "q=%00"),
    ],
)
def test_a_nul_in_the_query_string_is_a_400_naming_the_field(web, mdm, employee, url, params):
    web.force_login(employee)
    headers = mdm if url == CATALOGUE else {}
    body = assert_error_form(web.get(f"{url}?{params}", **headers), 400, "invalid")
    name = params.split("=")[0]
    assert list(body["fields"]) == [name]
    assert "NUL" in body["detail"]


def test_a_nul_in_a_pages_query_string_is_a_400_page(web, employee):
    web.force_login(employee)
    assert web.get("/apps/?department=%00").status_code == 400


def test_a_nul_in_a_json_body_is_a_400_and_writes_nothing(web, mdm):
    item = {"serial_number": "SN\u00001", "manufacturer": "Apple", "model": "iPhone 15"}
    response = web.post(INVENTORY, json.dumps([item]), content_type="application/json", **mdm)
    body = assert_error_form(response, 400, "parse_error")
    assert "NUL" in body["detail"]
    assert body["errors"] == []
    assert not Device.objects.exists()


def test_a_nul_in_form_data_is_a_400(web, employee, logistics):
    web.force_login(employee)
    url = _report_fault_url(employee, logistics)
    response = web.post(url, {"category": "screen", "description": "Cracked\x00"})
    body = assert_error_form(response, 400, "parse_error")
    assert body["fields"] == {"non_field_errors": [body["detail"]]}
    assert "description" in body["detail"]


def _report_fault_url(holder, desk) -> str:
    device = held_device(holder=holder, desk=desk)
    return reverse("api:device_report_fault", kwargs={"pk": device.pk})


# JSON only: no HTML rendering of the API.


@pytest.mark.parametrize("url", [CATALOGUE, INSTALLATIONS, INVENTORY])
def test_the_api_has_no_html_rendering(web, mdm, url):
    assert_error_form(web.get(f"{url}?format=api", **mdm), 404, "not_found")
    response = web.get(url, HTTP_ACCEPT="text/html", **mdm)
    assert_error_form(response, 406, "not_acceptable")


def test_a_browsers_accept_header_gets_json(web, mdm):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = web.get(CATALOGUE, HTTP_ACCEPT=accept, **mdm)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("path", ["nothing-here/", "devices/-1/", "apps/%C3%A9/", "x/y/z/"])
def test_an_unknown_api_address_is_a_json_404(web, employee, path):
    web.force_login(employee)
    assert_error_form(web.get(f"/api/v1/{path}"), 404, "not_found")


def test_a_post_to_an_unknown_api_address_is_a_json_404_without_a_csrf_token(employee):
    client = Client(enforce_csrf_checks=True)
    client.force_login(employee)
    assert_error_form(client.post("/api/v1/devices/1.5/report-fault/", {}), 404, "not_found")


def test_an_api_address_without_its_slash_still_redirects(web, employee):
    web.force_login(employee)
    assert web.get("/api/v1/me").status_code == 301


# JSON nested too deep, bodies too large.


@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH + 1, 1500, 100_000])
@pytest.mark.parametrize("url", [INSTALLATIONS, INVENTORY])
def test_json_nested_too_deep_is_a_400(web, mdm, url, levels):
    response = web.post(url, deep(levels), content_type="application/json", **mdm)
    body = assert_error_form(response, 400, "parse_error")
    assert str(MAX_JSON_DEPTH) in body["detail"]
    assert body["errors"] == []


def test_json_nested_too_deep_is_a_400_for_a_session_too(web, employee, logistics):
    web.force_login(employee)
    url = _report_fault_url(employee, logistics)
    response = web.post(url, deep(1500), content_type="application/json")
    assert_error_form(response, 400, "parse_error")


def test_json_within_the_depth_limit_is_read(web, mdm):
    body = {"installations": [{"user": "x", "app": "y", "version": "1", "platform": "ios"}]}
    response = web.post(INSTALLATIONS, json.dumps(body), content_type="application/json", **mdm)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "not_found"


def test_a_body_over_the_upload_limit_is_a_json_413(web, mdm, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    big = json.dumps([{"serial_number": "x" * 1000}])
    response = web.post(INVENTORY, big, content_type="application/json", **mdm)
    body = assert_error_form(response, 413, "too_large")
    assert "MB" in body["detail"]
    assert not Device.objects.exists()


def test_an_11_mb_body_is_a_json_413(web, mdm):
    big = json.dumps({"installations": ["x" * 1000] * 11_000})
    for url in (INSTALLATIONS, INVENTORY):
        response = web.post(url, big, content_type="application/json", **mdm)
        assert_error_form(response, 413, "too_large")


def test_an_installation_batch_over_2_mb_is_refused_unread(web, mdm):
    item = {"user": "u" * 150, "app": "a" * 140, "version": "1", "platform": "ios"}
    big = json.dumps({"installations": [item] * 7000})
    assert len(big) > appstore_serializers.MAX_INSTALLATIONS_BODY
    response = web.post(INSTALLATIONS, big, content_type="application/json", **mdm)
    assert_error_form(response, 413, "too_large")
    assert not Installation.objects.exists()


def test_a_form_body_over_the_upload_limit_is_a_json_413(web, employee, logistics, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    web.force_login(employee)
    url = _report_fault_url(employee, logistics)
    response = web.post(
        url,
        f"category=screen&description={'x' * 2000}",
        content_type="application/x-www-form-urlencoded",
    )
    assert_error_form(response, 413, "too_large")


# Permission before the body: a caller who may not call the view never gets a 400.


@pytest.mark.parametrize("url", [INSTALLATIONS, INVENTORY])
@pytest.mark.parametrize("body", ["{", deep(1500), '{"a": "\\u0000"}'])
def test_a_session_posting_a_bad_body_to_a_token_endpoint_is_a_403(employee, url, body):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(employee)
    client.get("/")  # the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert_error_form(response, 403)


@pytest.mark.parametrize("url", [INSTALLATIONS, INVENTORY])
def test_a_token_without_the_scope_posting_a_bad_body_is_a_403(web, logistics, url):
    _token, raw = services.create_api_token(
        name="Other", user=logistics, scopes=[ApiScope.CATALOGUE_READ], by=None
    )
    response = web.post(
        url, "{", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert_error_form(response, 403)


def test_a_session_without_a_csrf_token_is_still_refused(employee):
    client = Client(enforce_csrf_checks=True)
    client.force_login(employee)
    client.get("/")
    url = reverse("api:submission_submit", kwargs={"pk": 1})
    response = client.post(url, "{}", content_type="application/json")
    body = assert_error_form(response, 403)
    assert "CSRF" in body["detail"]


# Every 400 has the documented form.


def test_a_body_that_is_not_json_is_a_400_with_fields(web, employee, logistics):
    web.force_login(employee)
    url = _report_fault_url(employee, logistics)
    response = web.post(url, "{", content_type="application/json")
    body = assert_error_form(response, 400, "parse_error")
    assert body["fields"] == {"non_field_errors": [body["detail"]]}


def test_nan_is_not_json(web, mdm):
    response = web.post(INVENTORY, "[NaN]", content_type="application/json", **mdm)
    assert_error_form(response, 400, "parse_error")


def test_a_nested_field_error_gives_its_message_not_a_python_repr(web, employee, logistics):
    web.force_login(employee)
    url = _report_fault_url(employee, logistics)
    empty = SimpleUploadedFile("empty.png", b"", content_type="image/png")
    response = web.post(url, {"category": "screen", "description": "Cracked", "photos": [empty]})
    body = assert_error_form(response, 400, "invalid")
    assert body["detail"] == "The submitted file is empty."
    assert body["fields"] == {"photos": {"0": ["The submitted file is empty."]}}


# Pages.


def test_page_zero_or_not_a_number_is_a_400_naming_page(web, appowner):
    web.force_login(appowner)
    for page in ("0", "-1", "abc", "1.5", "٣"):
        body = assert_error_form(web.get(SUBMISSIONS, {"page": page}), 400, "invalid")
        assert list(body["fields"]) == ["page"]


def test_a_page_past_the_last_is_empty_and_points_back(web, appowner):
    web.force_login(appowner)
    response = web.get(SUBMISSIONS, {"page": 7})
    assert response.status_code == 200
    body = response.json()
    assert body["results"] == [] and body["next"] is None
    assert body["previous"] == "http://testserver/api/v1/submissions/"
    assert web.get(SUBMISSIONS, {"page": "last"}).status_code == 200


def test_the_schema_documents_pages_and_400s(web):
    schema = web.get("/api/schema/?format=json").json()
    listing = schema["paths"]["/api/v1/submissions/"]["get"]
    page = next(p for p in listing["parameters"] if p["name"] == "page")
    assert page["schema"]["minimum"] == 1
    assert "400" in listing["responses"]
    assert "413" in schema["paths"]["/api/v1/installations/"]["post"]["responses"]


@pytest.mark.parametrize(
    ("errors", "message"),
    [
        ({"photos": {0: ["Empty."]}}, "Empty."),
        ([{}, {"user": ["No such person."]}], "No such person."),
        ({"items": [{}, {}]}, "Invalid input."),
        ({"non_field_errors": ["Send a list."]}, "Send a list."),
    ],
)
def test_the_detail_is_the_first_message_however_nested(errors, message):
    assert first_message(errors) == message
