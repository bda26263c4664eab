"""The MDM inventory upsert: created in stock, updated only in its inventory fields, the same
batch again writes nothing, one bad item refuses the batch, a token with its scope only,
and a fixed number of queries whatever the batch's size."""

from __future__ import annotations

import datetime
import time

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from devices import inventory
from devices.choices import DeviceCategory, DeviceState
from devices.models import Device, DeviceEvent, DeviceModel
from portal import services as portal_services
from portal.choices import ApiScope
from portal.errors import RuleViolation
from tests.devices.factories import DeviceFactory, DeviceModelFactory, held_device, luhn_imei
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INVENTORY = reverse("api:inventory")


@pytest.fixture
def mdm(db):
    """The person the MDM's token acts as: a service account with no role of its own."""
    return UserFactory(username="intune")


def bearer(user, *scopes):
    _token, raw = portal_services.create_api_token(name="MDM", user=user, scopes=scopes, by=None)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def headers(mdm):
    return bearer(mdm, ApiScope.INVENTORY_WRITE)


def item(number, **fields):
    return {
        "serial_number": f"MDM{number:06d}",
        "imei": luhn_imei(f"49{number:012d}"),
        "manufacturer": "Apple",
        "model": "iPhone 15",
        "mdm_identifier": f"intune-{number}",
        **fields,
    }


def post(api_client, body, headers):
    return api_client.post(INVENTORY, body, format="json", **headers)


# Created, updated, unchanged.


def test_new_serial_numbers_create_devices_in_stock(api_client, mdm, headers):
    response = post(api_client, [item(1), item(2, category="tablet", model="iPad Air")], headers)
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0}
    phone = Device.objects.get(serial_number="MDM000001")
    assert phone.state == DeviceState.IN_STOCK and phone.assignee is None
    assert phone.imei == item(1)["imei"] and phone.mdm_identifier == "intune-1"
    assert (phone.model.manufacturer, phone.model.name) == ("Apple", "iPhone 15")
    assert phone.model.category == DeviceCategory.PHONE
    assert DeviceModel.objects.get(name="iPad Air").category == DeviceCategory.TABLET
    [event] = DeviceEvent.objects.filter(device=phone)
    assert (event.actor, event.from_state, event.to_state) == (mdm, "", DeviceState.IN_STOCK)
    assert event.comment == "From the MDM"


def test_an_existing_model_is_matched_whatever_the_case(api_client, headers):
    known = DeviceModelFactory(manufacturer="Samsung", name="Galaxy XCover 7")
    body = [item(1, manufacturer="SAMSUNG", model="galaxy xcover 7", category="laptop")]
    assert post(api_client, body, headers).json()["created"] == 1
    assert Device.objects.get().model == known
    assert DeviceModel.objects.count() == 1
    known.refresh_from_db()
    assert known.category == DeviceCategory.PHONE  # an existing model's category is kept


def test_the_same_batch_again_writes_nothing(api_client, headers):
    batch = [item(number) for number in range(3)]
    assert post(api_client, batch, headers).json()["created"] == 3
    before = dict(Device.objects.values_list("pk", "updated_at"))
    events = DeviceEvent.objects.count()
    with CaptureQueriesContext(connection) as queries:
        response = post(api_client, batch, headers)
    assert response.json() == {"created": 0, "updated": 0, "unchanged": 3}
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(("INSERT", "UPDATE", "DELETE")) and "devices_" in q["sql"]
    ]
    assert writes == []
    assert dict(Device.objects.values_list("pk", "updated_at")) == before
    assert DeviceEvent.objects.count() == events


def test_a_serial_number_matches_whatever_the_case(api_client, headers):
    post(api_client, [item(1)], headers)
    again = post(api_client, [item(1, serial_number="mdm000001")], headers)
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 1}


def test_an_existing_device_gets_only_its_inventory_fields(
    api_client, employee, logistics, headers
):
    device = held_device(holder=employee, desk=logistics, notes="Desk note")
    Device.objects.filter(pk=device.pk).update(purchase_price="3990.00")
    before = Device.objects.get(pk=device.pk)
    body = [
        {
            "serial_number": device.serial_number,
            "manufacturer": "Apple",
            "model": "iPhone 15",
            "imei": luhn_imei("35999999999999"),
            "mdm_identifier": "intune-77",
            "warranty_end": "2027-03-01",
            # Not the MDM's: ignored.
            "state": "retired",
            "assignee": None,
            "notes": "Overwritten?",
        }
    ]
    response = post(api_client, body, headers)
    assert response.json() == {"created": 0, "updated": 1, "unchanged": 0}
    device.refresh_from_db()
    assert device.mdm_identifier == "intune-77"
    assert device.imei == luhn_imei("35999999999999")
    assert device.warranty_end == datetime.date(2027, 3, 1)
    assert str(device.model) == "Apple iPhone 15"
    assert device.state == DeviceState.ASSIGNED and device.assignee == employee
    assert device.department == before.department and device.notes == "Desk note"
    assert str(device.purchase_price) == "3990.00"
    assert device.asset_tag == before.asset_tag  # not in the item: kept
    assert device.updated_at > before.updated_at
    assert DeviceEvent.objects.filter(device=device).count() == 1  # only the assignment


def test_an_item_may_clear_its_imei_and_asset_tag(api_client, headers):
    device = DeviceFactory()
    body = [
        {
            "serial_number": device.serial_number,
            "manufacturer": device.model.manufacturer,
            "model": device.model.name,
            "imei": None,
            "asset_tag": "",
        }
    ]
    assert post(api_client, body, headers).json()["updated"] == 1
    device.refresh_from_db()
    assert device.imei is None and device.asset_tag is None


def test_created_updated_and_unchanged_in_one_batch(api_client, headers):
    post(api_client, [item(1), item(2)], headers)
    batch = [item(1), item(2, mdm_identifier="moved"), item(3)]
    assert post(api_client, batch, headers).json() == {"created": 1, "updated": 1, "unchanged": 1}


# All or nothing, with every bad item named.


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"imei": "490000000000001"}, "imei", "invalid_imei"),
        ({"imei": "12345"}, "imei", "invalid_imei"),
        ({"manufacturer": ""}, "manufacturer", "required"),
        ({"model": None}, "model", "required"),
        ({"serial_number": "  "}, "serial_number", "required"),
        ({"serial_number": "X" * 65}, "serial_number", "max_length"),
        ({"category": "fridge"}, "category", "invalid_choice"),
        ({"warranty_end": "next year"}, "warranty_end", "invalid"),
        ({"serial_number": "MDM000000"}, "serial_number", "duplicate"),
        ({"imei": luhn_imei("49000000000000")}, "imei", "duplicate"),
        ({"asset_tag": "TAKEN-1"}, "asset_tag", "unique"),
        ({"imei": "TAKEN"}, "imei", "unique"),
    ],
)
def test_one_bad_item_writes_nothing(api_client, headers, change, field, code):
    other = DeviceFactory(asset_tag="TAKEN-1")
    if change.get("imei") == "TAKEN":
        change = {"imei": other.imei}
    devices, models = Device.objects.count(), DeviceModel.objects.count()
    batch = [item(0, asset_tag="OK-0"), item(1, **change)]
    response = post(api_client, batch, headers)
    assert response.status_code == 400, response.content
    answer = response.json()
    assert answer["code"] == "invalid"
    assert answer["detail"] == "1 device is refused; nothing was written."
    [error] = answer["errors"]
    assert (error["index"], error["field"], error["code"]) == (1, field, code)
    assert answer["fields"] == {"1": {field: [error["detail"]]}}
    assert (Device.objects.count(), DeviceModel.objects.count()) == (devices, models)


def test_every_bad_item_is_named(api_client, headers):
    batch = [item(0, imei="1"), item(1), item(2, manufacturer="", category="fridge")]
    response = post(api_client, batch, headers)
    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [
        (0, "imei"),
        (2, "category"),
        (2, "manufacturer"),
    ]
    assert not Device.objects.exists()


def test_an_asset_tag_of_another_device_is_refused_whatever_the_case(api_client, headers):
    DeviceFactory(asset_tag="OSLO-1")
    response = post(api_client, [item(1, asset_tag="oslo-1")], headers)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "unique"


def test_a_device_keeps_its_own_imei_and_asset_tag(api_client, headers):
    device = DeviceFactory()
    body = [
        {
            "serial_number": device.serial_number,
            "manufacturer": device.model.manufacturer,
            "model": device.model.name,
            "imei": device.imei,
            "asset_tag": device.asset_tag,
        }
    ]
    assert post(api_client, body, headers).json() == {"created": 0, "updated": 0, "unchanged": 1}


@pytest.mark.parametrize("body", [{"serial_number": "X"}, "devices", [], [1, 2]])
def test_a_batch_is_a_list_of_objects(api_client, headers, body):
    response = post(api_client, body, headers)
    assert response.status_code == 400
    assert set(response.json()) >= {"detail", "code", "fields"}
    assert not Device.objects.exists()


def test_a_batch_has_at_most_5000_items(mdm):
    with pytest.raises(RuleViolation) as refused:
        inventory.upsert_inventory(by=mdm, items=[item(0)] * (inventory.MAX_ITEMS + 1))
    assert refused.value.field == "items"
    assert not Device.objects.exists()


def test_a_batch_over_5000_items_is_refused_whole_before_any_item_is_read(
    api_client, headers, monkeypatch
):
    read = []
    original = inventory._parse
    monkeypatch.setattr(inventory, "_parse", lambda *args: read.append(1) or original(*args))
    started = time.monotonic()
    response = post(api_client, [item(0)] * (inventory.MAX_ITEMS + 1), headers)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Send at most 5000 devices at a time.",
        "code": "invalid",
        "fields": {"items": ["Send at most 5000 devices at a time."]},
        "errors": [],
    }
    assert read == []
    assert time.monotonic() - started < 5
    assert not Device.objects.exists()
    assert not DeviceModel.objects.exists()


@pytest.mark.parametrize("body", [{"serial_number": "X"}, []])
def test_a_batch_refused_as_a_whole_has_the_batch_error_form(api_client, headers, body):
    response = post(api_client, body, headers)
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "code", "fields", "errors"}
    assert response.json()["errors"] == []


# Who may send it.


@pytest.mark.parametrize("scope", [None, ApiScope.CATALOGUE_READ, ApiScope.INSTALLATIONS_WRITE])
def test_a_token_without_the_scope_is_refused(api_client, logistics, scope):
    response = post(api_client, [item(1)], bearer(logistics, *([scope] if scope else [])))
    assert response.status_code == 403
    assert set(response.json()) == {"detail", "code"}
    assert not Device.objects.exists()


@pytest.mark.parametrize("persona", ["employee", "logistics", "admin"])
def test_a_persons_session_is_refused(api_client, personas, persona):
    api_client.force_login(personas[persona])
    response = api_client.post(INVENTORY, [item(1)], format="json")
    assert response.status_code == 403
    assert not Device.objects.exists()


def test_anonymous_is_refused(api_client):
    response = api_client.post(INVENTORY, [item(1)], format="json")
    assert response.status_code in (401, 403)
    assert not Device.objects.exists()


# A fixed number of queries, whatever the size.


@pytest.mark.parametrize("count", [5, 500])
def test_a_batch_costs_a_fixed_number_of_queries(
    api_client, headers, count, django_assert_max_num_queries
):
    batch = [item(number, model=f"Model {number % 7}") for number in range(count)]
    with django_assert_max_num_queries(16):
        response = post(api_client, batch, headers)
    assert response.json() == {"created": count, "updated": 0, "unchanged": 0}
    changed = [{**entry, "mdm_identifier": "re-enrolled"} for entry in batch]
    with django_assert_max_num_queries(16):
        response = post(api_client, changed, headers)
    assert response.json() == {"created": 0, "updated": count, "unchanged": 0}
    assert Device.objects.filter(mdm_identifier="re-enrolled").count() == count


def test_the_service_takes_the_same_batch_from_a_command_or_task(mdm):
    result = inventory.upsert_inventory(by=mdm, items=[item(1), item(2)])
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert {d.serial_number for d in result.devices} == {"MDM000001", "MDM000002"}
    with pytest.raises(inventory.InventoryRefused) as refused:
        inventory.upsert_inventory(by=mdm, items=[item(3, imei=item(1)["imei"])])
    assert [e.as_dict()["field"] for e in refused.value.errors] == ["imei"]


def test_a_batch_that_loses_a_race_is_a_409_and_writes_nothing(api_client, headers, monkeypatch):
    """Another batch created the serial number between the look-up and the write."""
    DeviceFactory(serial_number="MDM000002")
    monkeypatch.setattr(inventory, "_existing_devices", lambda serials: {})
    response = post(api_client, [item(1), item(2, imei=None)], headers)
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert list(Device.objects.values_list("serial_number", flat=True)) == ["MDM000002"]


def test_5000_devices_in_one_batch(mdm):
    started = time.monotonic()
    result = inventory.upsert_inventory(by=mdm, items=[item(n) for n in range(5000)])
    assert result.created == 5000
    again = inventory.upsert_inventory(by=mdm, items=[item(n) for n in range(5000)])
    assert again.unchanged == 5000
    assert time.monotonic() - started < 20


class _Deadlock(Exception):
    sqlstate = inventory.DEADLOCK


def test_a_batch_that_deadlocks_with_another_is_a_409_not_a_500(api_client, headers, monkeypatch):
    """Postgres breaks a deadlock between two batches by failing one: that is the same lost
    race, so it gets the same 409 (any other database error stays an error)."""

    def deadlocked(*args, **kwargs):
        raise OperationalError("deadlock detected") from _Deadlock()

    monkeypatch.setattr(inventory, "_write", deadlocked)
    response = post(api_client, [item(1)], headers)
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert not Device.objects.exists()


def test_another_database_error_in_a_batch_is_not_turned_into_a_409(mdm, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(inventory, "_write", broken)
    with pytest.raises(OperationalError):
        inventory.upsert_inventory(by=mdm, items=[item(1)])
