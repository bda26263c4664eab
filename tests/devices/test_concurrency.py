"""Two desk users acting on one case at the same moment: exactly one succeeds."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from devices import services
from devices.choices import DeviceCategory
from devices.models import Device, DeviceModel
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
