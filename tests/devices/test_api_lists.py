"""The devices API's lists and details: a page never holds more than the cap, whatever
`page_size` asks, and the answers take as many queries for 20 rows as for 2."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from devices import services
from devices.choices import FaultCategory
from devices.models import Assignment, Device, DeviceEvent, RepairCaseEvent, ReturnCaseEvent
from portal.api.pagination import CursorPagination, StandardPagination
from tests.appstore.factories import image_upload
from tests.devices.factories import DeviceModelFactory, held_device, open_repair, open_return
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DEVICES = reverse("api:device_list")


def test_a_page_holds_at_most_the_cap_whatever_page_size_asks(api_client, logistics):
    model = DeviceModelFactory()
    Device.objects.bulk_create(
        [Device(serial_number=f"CAP{n:05d}", model=model) for n in range(205)]
    )
    api_client.force_login(logistics)
    body = api_client.get(DEVICES, {"page_size": 1000}).json()
    assert len(body["results"]) == 200 and body["next"]
    assert len(api_client.get(body["next"]).json()["results"]) == 5
    assert CursorPagination.max_page_size == StandardPagination.max_page_size == 200
    assert len(api_client.get(DEVICES, {"page_size": 10}).json()["results"]) == 10
    assert len(api_client.get(DEVICES).json()["results"]) == 50


# The same queries for 20 rows as for 2, with every row in the answer.

REPAIRS = reverse("api:repair_case_list")
RETURNS = reverse("api:return_case_list")


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def _held_with_cases(holder, desk):
    device = held_device(holder=holder, desk=desk)
    return device, open_repair(device=device, by=holder), open_return(device=device, by=holder)


@pytest.mark.parametrize("viewer", ["employee", "manager", "logistics"])
def test_the_lists_take_the_same_queries_for_20_rows_as_for_2(
    api_client, personas, employee, logistics, django_assert_max_num_queries, viewer
):
    made = []
    counts: dict[str, list[int]] = {}
    api_client.force_login(personas[viewer])
    for more in (2, 18):
        made += [_held_with_cases(employee, logistics) for _ in range(more)]
        for n, url in enumerate((DEVICES, REPAIRS, RETURNS)):
            with django_assert_max_num_queries(8) as captured:
                response = api_client.get(url)
            assert _ids(response) == {row[n].pk for row in made}
            counts.setdefault(url, []).append(len(captured))
    assert all(few == many for few, many in counts.values()), counts


def _history(device, case, event_model, count, holder=None):
    """`count` more past holding periods (of `holder`, or of different people of the
    holder's department, whom a line manager and the desk may see) and events by different
    people on the device, and events by different people on the case."""
    now = timezone.now()
    people = [UserFactory() for _ in range(count)]
    holders = [holder or UserFactory(department=case.holder.department) for _ in range(count)]
    Assignment.objects.bulk_create(
        Assignment(device=device, user=p, started_at=now, ended_at=now) for p in holders
    )
    DeviceEvent.objects.bulk_create(
        DeviceEvent(device=device, actor=p, from_state="", to_state="assigned") for p in people
    )
    event_model.objects.bulk_create(
        event_model(case=case, actor=p, from_state="", to_state=case.state) for p in people
    )


@pytest.mark.parametrize("viewer", ["employee", "manager", "logistics"])
def test_the_details_take_the_same_queries_for_20_rows_as_for_2(
    api_client, personas, employee, logistics, django_assert_max_num_queries, viewer
):
    device = held_device(holder=employee, desk=logistics)
    repair = services.report_fault(
        by=employee,
        device_id=device.pk,
        category=FaultCategory.SCREEN,
        description="Cracked",
        photos=[image_upload()],
    )
    ret = open_return(device=device, by=employee)
    api_client.force_login(personas[viewer])
    counts: dict[str, list[int]] = {}
    for more in (1, 18):
        # An employee sees only their own holding periods (selectors.holdings_visible_to).
        own = employee if viewer == "employee" else None
        _history(device, repair, RepairCaseEvent, more, holder=own)
        _history(device, ret, ReturnCaseEvent, more, holder=own)
        pages = {
            reverse("api:device_detail", args=[device.pk]): ("events", "assignments"),
            reverse("api:repair_case_detail", args=[repair.pk]): ("events",),
            reverse("api:return_case_detail", args=[ret.pk]): ("events",),
        }
        for url, lists in pages.items():
            with django_assert_max_num_queries(10) as captured:
                response = api_client.get(url)
            assert response.status_code == 200, response.content
            body = response.json()
            for name in lists:
                assert len(body[name]) >= more + 1, (url, name)
            counts.setdefault(url, []).append(len(captured))
        assert len(body["events"]) == ret.events.count()
    assert all(few == many for few, many in counts.values()), counts
