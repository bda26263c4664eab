"""The desk finds devices in the admin by serial, IMEI or asset tag; staff outside the
desk cannot open it."""

from __future__ import annotations

import pytest

from devices.choices import DeviceCategory
from devices.models import Device, DeviceModel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = False


@pytest.mark.parametrize("count", [2, 20])
def test_desk_searches_devices_with_constant_queries(
    client_for, logistics, count, django_assert_max_num_queries
):
    model = DeviceModel.objects.create(
        manufacturer="Apple", name="iPhone 15", category=DeviceCategory.PHONE
    )
    for n in range(count):
        Device.objects.create(serial_number=f"SN{n:04d}", model=model, imei=None)
    client = client_for(logistics)
    with django_assert_max_num_queries(10):
        page = client.get("/admin/devices/device/?q=SN0001")
    assert page.status_code == 200 and "SN0001" in page.content.decode()


@pytest.mark.parametrize("persona", ["employee", "appowner", "manager", "reviewer"])
def test_people_outside_the_desk_cannot_open_the_fleet(persona, personas, client_for):
    response = client_for(personas[persona]).get("/admin/devices/device/")
    assert response.status_code in (302, 403)
