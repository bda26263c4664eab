"""The device search is capped (100 characters, 5 words) in the one FilterSet the fleet
pages, the CSV export and the API share: a longer term is a validation error (a form error
on the page, a 400 in the API's error shape, a 400 for the export) and never reaches the
database, however many words it has."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from devices.filters import MAX_SEARCH_CHARACTERS, MAX_SEARCH_WORDS, DeviceFilter
from devices.models import Device
from tests.devices.factories import DeviceFactory, held_device

pytestmark = pytest.mark.django_db

HUGE = " ".join(["nordvik"] * 960)  # what took 20-36 s
TOO_LONG = "R" * (MAX_SEARCH_CHARACTERS + 1)
TOO_MANY_WORDS = " ".join(["a"] * (MAX_SEARCH_WORDS + 1))


def searched_devices(queries) -> list[str]:
    """The queries that read devices or search people (a search would)."""
    return [q["sql"] for q in queries if 'FROM "devices_device"' in q["sql"] or "LIKE" in q["sql"]]


@pytest.mark.parametrize(
    ("q", "valid"),
    [
        ("R" * MAX_SEARCH_CHARACTERS, True),
        (" ".join(["a"] * MAX_SEARCH_WORDS), True),
        (f"  {'R' * MAX_SEARCH_CHARACTERS}  ", True),  # surrounding spaces do not count
        (TOO_LONG, False),
        (TOO_MANY_WORDS, False),
        (HUGE, False),
    ],
)
def test_the_filter_takes_at_most_100_characters_and_5_words(q, valid):
    filterset = DeviceFilter({"q": q}, queryset=Device.objects.all())

    assert filterset.is_valid() is valid
    if not valid:
        assert list(filterset.errors) == ["q"]


def test_an_invalid_filter_lists_nothing_rather_than_everything():
    DeviceFactory()

    filterset = DeviceFilter({"q": TOO_LONG}, queryset=Device.objects.all())

    assert list(filterset.qs) == []


@pytest.mark.parametrize("q", [TOO_LONG, TOO_MANY_WORDS, HUGE])
def test_the_fleet_page_shows_a_form_error_and_searches_nothing(q, client_for, logistics):
    DeviceFactory(serial_number="SHOWNOT01")
    client = client_for(logistics)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("devices:fleet"), {"q": q})

    assert response.status_code == 200
    assert response.context["filter"].errors["q"]
    html = response.content.decode()
    assert "field--error" in html and "SHOWNOT01" not in html
    assert searched_devices(queries.captured_queries) == []


def test_the_error_is_in_the_results_htmx_swaps(client_for, logistics):
    response = client_for(logistics).get(
        reverse("devices:fleet"),
        {"q": TOO_MANY_WORDS},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="device-results",
    )

    html = response.content.decode()
    assert 'role="alert"' in html and "too many words" in html


def test_a_manager_s_team_page_is_capped_too(client_for, manager, employee, logistics):
    held_device(holder=employee, desk=logistics, serial_number="TEAM00001")

    response = client_for(manager).get(reverse("devices:team"), {"q": HUGE})

    assert response.context["filter"].errors["q"]
    assert "TEAM00001" not in response.content.decode()


def test_the_search_box_tells_the_browser_the_limit(client_for, logistics):
    html = client_for(logistics).get(reverse("devices:fleet")).content.decode()

    assert f'maxlength="{MAX_SEARCH_CHARACTERS}"' in html


@pytest.mark.parametrize("q", [TOO_LONG, HUGE])
def test_the_api_answers_400_in_its_error_shape_and_searches_nothing(q, api_client, employee):
    api_client.force_login(employee)

    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(reverse("api:device_list"), {"q": q})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["detail"] == body["fields"]["q"][0]
    assert "too long" in body["detail"]
    assert searched_devices(queries.captured_queries) == []


def test_the_export_refuses_a_too_long_search(client_for, logistics):
    DeviceFactory()

    response = client_for(logistics).get(reverse("devices:export"), {"q": HUGE})

    assert response.status_code == 400
    assert "too long" in response.content.decode()


def test_a_search_within_the_limits_still_finds_the_device(client_for, api_client, logistics):
    DeviceFactory(serial_number="R58N12345")
    api_client.force_login(logistics)

    page = client_for(logistics).get(reverse("devices:fleet"), {"q": "r58n"})
    answer = api_client.get(reverse("api:device_list"), {"q": "r58n"}).json()

    assert "R58N12345" in page.content.decode()
    assert [row["serial_number"] for row in answer["results"]] == ["R58N12345"]


@pytest.mark.parametrize(
    "list_url", ["admin:devices_device_changelist", "admin:devices_repaircase_changelist"]
)
@pytest.mark.parametrize("q", [TOO_LONG, HUGE])
def test_the_desks_admin_lists_refuse_a_too_long_search_before_any_search(
    q, list_url, client_for, logistics
):
    DeviceFactory(serial_number="SHOWNOT02")
    client = client_for(logistics)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(list_url), {"q": q})

    assert response.status_code == 200
    html = response.content.decode()
    assert "SHOWNOT02" not in html
    assert "The search" in html  # the refusal is shown as a message
    assert not [sql for sql in searched_devices(queries.captured_queries) if "LIKE" in sql]
