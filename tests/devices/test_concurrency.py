"""Two desk users acting on one case, or on one device, at the same moment: exactly one
succeeds, and the other is refused by the workflow (not by a database error)."""

from __future__ import annotations

import contextlib
import random
import threading

import pytest
from django.db import connection

from devices import services
from devices.choices import DeviceCategory, DeviceState
from devices.models import Assignment, Device, DeviceEvent, DeviceModel
from devices.services import fleet as fleet_services
from portal.choices import Role
from portal.errors import IllegalTransition
from tests.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_two_desk_users_triaging_one_case_cannot_both_succeed(employee, logistics):
    model = DeviceModel.objects.create(
        manufacturer="Apple", name="iPad 10", category=DeviceCategory.TABLET
    )
    device = Device.objects.create(serial_number="SN-TAB-1", model=model)
    services.assign_device(by=logistics, device_id=device.pk, user_id=employee.pk)
    case = services.report_fault(
        by=employee, device_id=device.pk, category="screen", description="Cracked"
    )
    desk = [logistics, UserFactory(roles=[Role.LOGISTICS])]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def triage(user):
        try:
            barrier.wait(timeout=10)
            services.triage_case(by=user, case_id=case.pk, comment=user.username)
            outcomes.append("triaged")
        except IllegalTransition:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=triage, args=(u,)) for u in desk]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "triaged"]
    assert case.events.filter(to_state="triaged").count() == 1


def _run_together(work, arguments) -> None:
    threads = [threading.Thread(target=work, args=(a,)) for a in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_two_desk_users_assigning_one_device_in_stock_cannot_both_succeed(
    employee, manager, logistics, monkeypatch
):
    """The desk action loads its device with a row lock. To make the race certain, each
    desk user waits (up to 2 s) after loading the device for the other to have loaded it
    too: without the lock both see it in stock and both assign it (the second then fails
    on the one-open-assignment constraint); with it, the second waits for the first to
    commit and is refused by the workflow."""
    model = DeviceModel.objects.create(
        manufacturer="Samsung", name="Galaxy A55", category=DeviceCategory.PHONE
    )
    device = Device.objects.create(serial_number="SN-RACE-1", model=model)
    loaded = threading.Barrier(2)
    load = fleet_services._devices

    def load_then_wait(*ids):
        found = load(*ids)
        # Broken after 2 s when the other desk user is still waiting for the row lock.
        with contextlib.suppress(threading.BrokenBarrierError):
            loaded.wait(timeout=2)
        return found

    monkeypatch.setattr(fleet_services, "_devices", load_then_wait)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def assign(pair):
        desk_user, person = pair
        try:
            start.wait(timeout=10)
            services.assign_device(by=desk_user, device_id=device.pk, user_id=person.pk)
            outcomes.append("assigned")
        except IllegalTransition:
            outcomes.append("refused")
        except Exception as error:  # a database error means the lock did not hold
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    pairs = [(logistics, employee), (UserFactory(roles=[Role.LOGISTICS]), manager)]
    _run_together(assign, pairs)
    assert sorted(outcomes) == ["assigned", "refused"]
    device.refresh_from_db()
    assert device.state == DeviceState.ASSIGNED and device.assignee in (employee, manager)
    assert Assignment.objects.filter(device=device).count() == 1
    assert DeviceEvent.objects.filter(device=device, to_state=DeviceState.ASSIGNED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_20_inventory_batches_spelling_100_serials_in_both_cases_make_exactly_100_devices():
    """Ten batches send the 100 serial numbers in lower case and ten in upper case, each in
    its own order, all at once. The database's one normal form decides: exactly 100 devices,
    every answer a 200 or (for a batch that lost the race) the documented 409, never a 500."""
    from rest_framework.test import APIClient

    from portal import services as portal_services
    from portal.choices import ApiScope

    DeviceModel.objects.create(manufacturer="Apple", name="iPhone 15", category="phone")
    mdm = UserFactory(username="intune")
    _token, raw = portal_services.create_api_token(
        name="MDM", user=mdm, scopes=[ApiScope.INVENTORY_WRITE], by=None
    )
    serials = [f"race{n:04d}" for n in range(100)]
    batches = []
    for number in range(20):
        spelled = [s.upper() if number % 2 else s for s in serials]
        random.Random(number).shuffle(spelled)
        batches.append(
            [{"serial_number": s, "manufacturer": "Apple", "model": "iPhone 15"} for s in spelled]
        )
    start = threading.Barrier(len(batches))
    outcomes: list = []

    def send(batch):
        try:
            start.wait(timeout=10)
            response = APIClient().post(
                "/api/v1/inventory/", batch, format="json", HTTP_AUTHORIZATION=f"Bearer {raw}"
            )
            outcomes.append(response.status_code)
        except Exception as error:  # a 500 raises in the test client
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    _run_together(send, batches)
    assert len(outcomes) == 20 and set(outcomes) <= {200, 409}, outcomes
    assert 200 in outcomes
    assert Device.objects.count() == 100
    assert sorted(Device.objects.values_list("serial_number", flat=True)) == [
        s.upper() for s in serials
    ]
    assert DeviceEvent.objects.count() == 100
