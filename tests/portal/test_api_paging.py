"""How the API pages its lists.

The long lists (devices, repair cases, return cases) page with opaque cursors on a stable
order ending in a unique key: walking `next` and back along `previous` gives every row
once, in order, whatever is added or removed meanwhile, and a page costs the same queries
at any depth. A cursor that cannot be read, or a page number on such a list, is a 400 in
the API's error form. The short lists (the catalogue, the submissions) keep page numbers
with a count. The lists built without serializers answer exactly what the documented
serializers would."""

from __future__ import annotations

import base64
import datetime
import json

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from rest_framework.request import Request

from appstore import selectors as app_selectors
from appstore import services as app_services
from appstore.api import serializers as app_serializers
from appstore.choices import Platform
from devices import selectors as device_selectors
from devices.api import serializers as device_serializers
from devices.choices import DeviceState
from devices.models import Device, RepairCase, ReturnCase
from tests.appstore.factories import image_upload, make_app, publish
from tests.devices.factories import DeviceModelFactory, held_device, open_repair, open_return

pytestmark = pytest.mark.django_db

DEVICES = reverse("api:device_list")
REPAIRS = reverse("api:repair_case_list")
APPS = reverse("api:app_list")


def _stock(count: int, prefix: str = "PG") -> list[Device]:
    model = DeviceModelFactory()
    return Device.objects.bulk_create(
        [Device(serial_number=f"{prefix}{n:04d}", model=model) for n in range(count)]
    )


def _page(client, url, params=None) -> dict:
    response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"next", "previous", "results"}
    return body


def _serials(body) -> list[str]:
    return [row["serial_number"] for row in body["results"]]


def test_following_next_and_previous_walks_every_device_once_in_order(api_client, logistics):
    _stock(10)
    api_client.force_login(logistics)
    first = _page(api_client, DEVICES, {"page_size": 4})
    assert first["previous"] is None
    pages, body = [first], first
    while body["next"]:
        assert "page_size=4" in body["next"]
        body = _page(api_client, body["next"])
        pages.append(body)
    walked = [serial for page in pages for serial in _serials(page)]
    assert walked == [f"PG{n:04d}" for n in range(10)]
    assert [len(page["results"]) for page in pages] == [4, 4, 2]
    # And back: each previous link is the page before.
    for before, page in zip(reversed(pages[:-1]), reversed(pages[1:]), strict=True):
        back = _page(api_client, page["previous"])
        assert _serials(back) == _serials(before)
    assert _page(api_client, pages[1]["previous"])["previous"] is None


def test_rows_added_or_removed_meanwhile_neither_repeat_nor_go_missing(api_client, logistics):
    devices = _stock(6)
    api_client.force_login(logistics)
    first = _page(api_client, DEVICES, {"page_size": 3})
    assert _serials(first) == ["PG0000", "PG0001", "PG0002"]
    # Before the cursor: an added row and a removed one do not shift the next page.
    Device.objects.filter(pk=devices[0].pk).delete()
    Device.objects.create(serial_number="PA0001", model=devices[1].model)
    second = _page(api_client, first["next"])
    assert _serials(second) == ["PG0003", "PG0004", "PG0005"]
    assert second["next"] is None


def test_an_emptied_page_still_leads_back(api_client, logistics):
    _stock(4)
    api_client.force_login(logistics)
    first = _page(api_client, DEVICES, {"page_size": 2})
    Device.objects.filter(serial_number__in=["PG0002", "PG0003"]).delete()
    empty = _page(api_client, first["next"])
    assert empty["results"] == [] and empty["next"] is None
    assert _serials(_page(api_client, empty["previous"])) == ["PG0000", "PG0001"]


def test_the_links_keep_the_filters(api_client, logistics):
    devices = _stock(6)
    Device.objects.filter(pk__in=[d.pk for d in devices[::2]]).update(state=DeviceState.RETIRED)
    api_client.force_login(logistics)
    first = _page(api_client, DEVICES, {"state": DeviceState.RETIRED, "page_size": 2})
    assert "state=retired" in first["next"]
    second = _page(api_client, first["next"])
    assert _serials(first) + _serials(second) == ["PG0000", "PG0002", "PG0004"]


def test_cases_page_newest_first_and_ties_on_the_time_by_id(api_client, employee, logistics):
    cases = [open_repair(device=held_device(holder=employee, desk=logistics), by=employee)]
    cases += [
        open_repair(device=held_device(holder=employee, desk=logistics), by=employee)
        for _ in range(4)
    ]
    same = timezone.now() - datetime.timedelta(hours=1)
    RepairCase.objects.filter(pk__in=[c.pk for c in cases[1:4]]).update(reported_at=same)
    expected = list(RepairCase.objects.order_by("-reported_at", "-pk").values_list("pk", flat=True))
    api_client.force_login(logistics)
    body, walked = _page(api_client, REPAIRS, {"page_size": 2}), []
    walked += [row["id"] for row in body["results"]]
    while body["next"]:
        body = _page(api_client, body["next"])
        walked += [row["id"] for row in body["results"]]
    assert walked == expected


def _cursor(payload) -> str:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor",
        "%%%",
        _cursor(b"\xff\xfe"),
        _cursor(b"[1, 2]"),
        _cursor({"v": "PG0001"}),
        _cursor({"v": []}),
        _cursor({"v": ["PG0001", "PG0002"]}),
        _cursor({"v": [None]}),
        _cursor({"v": [["PG0001"]]}),
        _cursor({"v": ["PG\x000001"]}),
    ],
)
def test_a_cursor_that_cannot_be_read_is_a_400_naming_cursor(api_client, logistics, cursor):
    _stock(2)
    api_client.force_login(logistics)
    response = api_client.get(DEVICES, {"cursor": cursor})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid" and list(body["fields"]) == ["cursor"]
    assert body["detail"] == body["fields"]["cursor"][0]


@pytest.mark.parametrize(
    "cursor", [_cursor({"v": ["yesterday", 3]}), _cursor({"v": ["2026-01-01T00:00:00Z", "x"]})]
)
def test_a_case_cursor_with_values_of_the_wrong_kind_is_a_400(api_client, logistics, cursor):
    api_client.force_login(logistics)
    response = api_client.get(REPAIRS, {"cursor": cursor})
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == ["cursor"]


def test_a_page_number_on_a_cursor_list_is_a_400_naming_page(api_client, logistics):
    _stock(2)
    api_client.force_login(logistics)
    response = api_client.get(DEVICES, {"page": 2})
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["page"]


def test_a_page_deep_in_the_fleet_costs_what_the_first_does(
    api_client, logistics, django_assert_max_num_queries
):
    _stock(30)
    api_client.force_login(logistics)
    counts = []
    body = {"next": f"{DEVICES}?page_size=5"}
    while body["next"]:
        with django_assert_max_num_queries(6) as captured:
            body = _page(api_client, body["next"])
        counts.append(len(captured))
        assert not any("OFFSET" in q["sql"] or "COUNT(" in q["sql"] for q in captured)
    assert len(counts) == 6 and len(set(counts)) == 1, counts


# The catalogue keeps page numbers, with its count read in the page's own query.


def _apps(count, *, appowner, reviewer):
    for number in range(count):
        app = make_app(owner=appowner, name=f"Paged app {number:02d}")
        publish(owner=appowner, reviewer=reviewer, app=app, platforms=(Platform.ANDROID,))


@pytest.mark.parametrize("page_size", [2, 50])
def test_the_catalogue_pages_by_number_with_its_count(
    api_client, employee, appowner, reviewer, page_size
):
    _apps(5, appowner=appowner, reviewer=reviewer)
    api_client.force_login(employee)
    body = api_client.get(APPS, {"page_size": page_size}).json()
    assert body["count"] == 5
    names = [row["name"] for row in body["results"]]
    while body["next"]:
        body = api_client.get(body["next"]).json()
        assert body["count"] == 5
        names += [row["name"] for row in body["results"]]
    assert names == [f"Paged app {n:02d}" for n in range(5)]
    past = api_client.get(APPS, {"page_size": page_size, "page": 9}).json()
    assert past["results"] == [] and past["count"] == 5 and past["previous"]
    last = api_client.get(APPS, {"page_size": 2, "page": "last"}).json()
    assert [row["name"] for row in last["results"]] == ["Paged app 04"]


def test_the_catalogue_takes_the_same_queries_for_20_apps_as_for_2(
    api_client, employee, appowner, reviewer, django_assert_max_num_queries
):
    counts = []
    api_client.force_login(employee)
    for more in (2, 18):
        _apps(more, appowner=appowner, reviewer=reviewer)
        api_client.get(APPS)  # the audience's visible apps are cached from here on
        with django_assert_max_num_queries(6) as captured:
            body = api_client.get(APPS).json()
        assert body["count"] == len(body["results"]) == (2 if more == 2 else 20)
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


# The lists built straight from their columns answer what the documented serializers do.


def _request(user, url):
    request = Request(RequestFactory().get(url))
    request.user = user
    return request


@pytest.mark.parametrize("viewer", ["employee", "logistics"])
def test_the_device_rows_are_what_the_device_serializer_answers(
    personas, employee, logistics, viewer
):
    held_device(holder=employee, desk=logistics, mdm_identifier="MDM-1", imei=None)
    _stock(2)
    Device.objects.filter(serial_number="PG0000").update(
        warranty_end=timezone.localdate(), purchase_date=datetime.date(2024, 2, 29)
    )
    user = personas[viewer]
    request = _request(user, DEVICES)
    devices = device_selectors.fleet_list(device_selectors.devices_visible_to(user))
    documented = device_serializers.DeviceSerializer(
        devices, many=True, context={"request": request}
    ).data
    built = device_serializers.device_rows(
        devices.values(*device_serializers.DEVICE_LIST_COLUMNS), request
    )
    assert json.loads(json.dumps(built)) == json.loads(json.dumps(documented))
    assert built and all(row["mdm_identifier"] is None for row in built) == (viewer != "logistics")


def test_the_app_rows_are_what_the_app_list_serializer_answers(employee, appowner, reviewer):
    _apps(2, appowner=appowner, reviewer=reviewer)
    iconic = make_app(owner=appowner, name="Ikon", icon=image_upload())
    publish(owner=appowner, reviewer=reviewer, app=iconic, platforms=(Platform.IOS, Platform.WEB))
    app_services.make_icon_thumbnail(app_id=iconic.pk)
    make_app(owner=appowner, name="Unpublished")
    request = _request(employee, APPS)
    apps = app_selectors.catalogue(employee).order_by("name", "pk")
    documented = app_serializers.AppListSerializer(
        apps, many=True, context={"request": request}
    ).data
    built = app_serializers.app_rows(apps.values(*app_serializers.APP_LIST_COLUMNS), request)
    assert len(built) == 3
    assert json.loads(json.dumps(built)) == json.loads(json.dumps(documented))


def test_the_case_rows_are_what_the_case_serializers_answer(employee, logistics):
    repair = open_repair(device=held_device(holder=employee, desk=logistics), by=employee)
    open_repair(device=held_device(holder=logistics, desk=logistics), by=logistics)
    loaner = _stock(1, prefix="LN")[0]
    RepairCase.objects.filter(pk=repair.pk).update(loaner=loaner, returned_at=timezone.now())
    open_return(device=held_device(holder=employee, desk=logistics), by=employee)
    request = _request(logistics, REPAIRS)
    for model, serializer, rows, related in (
        (
            RepairCase,
            device_serializers.RepairCaseSerializer,
            device_serializers.repair_case_rows,
            ("device__model", "reported_by", "holder", "loaner__model"),
        ),
        (
            ReturnCase,
            device_serializers.ReturnCaseSerializer,
            device_serializers.return_case_rows,
            ("device__model", "requested_by", "holder"),
        ),
    ):
        cases = list(model.objects.select_related(*related).order_by("pk"))
        documented = serializer(cases, many=True, context={"request": request}).data
        built = rows(cases)
        assert built and json.loads(json.dumps(built)) == json.loads(json.dumps(documented))
