"""The logistics desk's lists and pages in the admin: what they show, in which order, how
they filter and search, at a constant number of queries; only the desk gets in."""

from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group
from django.utils import timezone

from devices import services
from devices.choices import DeviceCategory, DeviceState, FaultCategory, ReturnReason
from devices.models import Assignment, Device, DeviceEvent, DeviceModel, RepairCase, ReturnCase
from portal.choices import Role
from tests.appstore.factories import image_upload
from tests.devices.factories import (
    DeviceFactory,
    DeviceModelFactory,
    held_device,
    open_repair,
    open_return,
)
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

DEVICES = "/admin/devices/device/"
MODELS = "/admin/devices/devicemodel/"
REPAIRS = "/admin/devices/repaircase/"
RETURNS = "/admin/devices/returncase/"
OUTSIDE_THE_DESK = ["employee", "manager", "appowner", "reviewer", "trainer"]
DESK = ["logistics", "admin"]


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    """MFA has its own tests (tests/portal/test_mfa.py, and one for the desk below)."""
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = False


def _listed(response) -> list:
    return list(response.context["cl"].result_list)


def _aged(case, days: int):
    """The case as if it had been opened `days` ago."""
    when = timezone.now() - timedelta(days=days, hours=1)
    model = type(case)
    stamp = "reported_at" if model is RepairCase else "requested_at"
    model.objects.filter(pk=case.pk).update(**{stamp: when})
    case.refresh_from_db()
    return case


@pytest.fixture
def fleet(employee, manager, logistics):
    """A repair case and a return case, a device in stock, a device model."""
    repair = open_repair(device=held_device(holder=employee, desk=logistics), by=employee)
    leaving = open_return(device=held_device(holder=employee, desk=logistics), by=manager)
    return {"repair": repair, "return": leaving, "stock": DeviceFactory()}


def _urls(fleet) -> dict[str, list[str]]:
    repair, leaving, stock = fleet["repair"], fleet["return"], fleet["stock"]
    return {
        "get": [
            DEVICES,
            MODELS,
            REPAIRS,
            RETURNS,
            f"{DEVICES}{stock.pk}/change/",
            f"{MODELS}{stock.model_id}/change/",
            f"{REPAIRS}{repair.pk}/change/",
            f"{RETURNS}{leaving.pk}/change/",
        ],
        "post": [
            f"{REPAIRS}{repair.pk}/action/triage/",
            f"{RETURNS}{leaving.pk}/action/receive/",
            f"{DEVICES}{stock.pk}/assign/",
        ],
    }


# --- who gets in -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", OUTSIDE_THE_DESK)
def test_people_outside_the_desk_are_refused_on_every_devices_admin_url(
    persona, personas, client_for, fleet
):
    client = client_for(personas[persona])
    urls = _urls(fleet)
    responses = [client.get(url) for url in urls["get"]]
    responses += [client.post(url, {"person": "employee"}) for url in urls["post"]]

    for response in responses:
        assert response.status_code in (302, 403), response.request["PATH_INFO"]
        if response.status_code == 302:
            assert response["Location"].startswith("/admin/login/")
    assert RepairCase.objects.get().state == fleet["repair"].state
    assert ReturnCase.objects.get().state == fleet["return"].state
    assert Device.objects.get(pk=fleet["stock"].pk).state == DeviceState.IN_STOCK


@pytest.mark.parametrize("persona", DESK)
def test_the_desk_opens_every_devices_admin_page(persona, personas, client_for, fleet):
    client = client_for(personas[persona])
    for url in _urls(fleet)["get"]:
        assert client.get(url).status_code == 200, url


def test_role_groups_carry_the_desk_and_import_permissions():
    def perms(role):
        group = Group.objects.get(name=role)
        return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}

    wanted = {
        "devices.change_repaircase",
        "devices.change_returncase",
        "devices.change_device",
        "devices.add_deviceimport",
        "devices.view_deviceimport",
    }
    assert wanted <= perms(Role.LOGISTICS)
    assert wanted <= perms(Role.ADMINISTRATOR)
    for role in (Role.IT_REVIEWER, Role.LINE_MANAGER, Role.EMPLOYEE, Role.APP_OWNER):
        assert not {p for p in perms(role) if p.startswith("devices.")}


def test_the_desk_needs_its_second_factor_for_the_case_screens(settings, client_for, logistics):
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = True
    client = client_for(logistics)
    assert client.get(REPAIRS)["Location"] == "/accounts/2fa/totp/activate/"

    TOTP.activate(logistics, generate_totp_secret())
    assert client.get(REPAIRS).status_code == 200


# --- repair cases ------------------------------------------------------------------------


def test_repair_list_puts_security_events_first_then_the_oldest(client_for, employee, logistics):
    def case(days, category=FaultCategory.SCREEN):
        device = held_device(holder=employee, desk=logistics)
        return _aged(open_repair(device=device, by=employee, category=category), days)

    newer, older = case(1), case(5)
    stolen = case(0, FaultCategory.LOST_OR_STOLEN)

    response = client_for(logistics).get(REPAIRS)

    assert _listed(response) == [stolen, older, newer]
    assert "5\xa0days" in response.content.decode()


def test_repair_list_filters_by_state_category_security_and_loaner(client_for, employee, logistics):
    screen = open_repair(device=held_device(holder=employee, desk=logistics), by=employee)
    water = open_repair(
        device=held_device(holder=employee, desk=logistics),
        by=employee,
        category=FaultCategory.WATER,
    )
    lost = open_repair(
        device=held_device(holder=employee, desk=logistics),
        by=employee,
        category=FaultCategory.LOST_OR_STOLEN,
    )
    services.triage_case(by=logistics, case_id=water.pk)
    services.lend_loaner(by=logistics, case_id=water.pk, loaner_id=DeviceFactory().pk)
    client = client_for(logistics)

    assert _listed(client.get(REPAIRS, {"state__exact": "triaged"})) == [water]
    assert _listed(client.get(REPAIRS, {"category__exact": "screen"})) == [screen]
    assert _listed(client.get(REPAIRS, {"is_security_event__exact": "1"})) == [lost]
    assert _listed(client.get(REPAIRS, {"loaner": "yes"})) == [water]
    assert set(_listed(client.get(REPAIRS, {"loaner": "no"}))) == {screen, lost}


def test_repair_list_searches_by_serial_asset_tag_and_holder(client_for, employee, logistics):
    other = UserFactory(username="nurse", first_name="Ingrid", last_name="Solberg")
    mine = open_repair(
        device=held_device(holder=employee, desk=logistics, serial_number="R58N1234"),
        by=employee,
    )
    theirs = open_repair(
        device=held_device(holder=other, desk=logistics, asset_tag="OSL-77001"), by=other
    )
    client = client_for(logistics)

    assert _listed(client.get(REPAIRS, {"q": "r58n"})) == [mine]
    assert _listed(client.get(REPAIRS, {"q": "osl-77"})) == [theirs]
    assert _listed(client.get(REPAIRS, {"q": "solberg"})) == [theirs]
    assert _listed(client.get(REPAIRS, {"q": "Ingrid"})) == [theirs]


def test_repair_list_queries_stay_constant(client_for, employee, logistics, same_queries):
    made = []

    def add(count):
        for _ in range(count):
            device = held_device(holder=employee, desk=logistics)
            made.append(open_repair(device=device, by=employee))

    add(2)
    same_queries(
        client_for(logistics),
        REPAIRS,
        grow=lambda: add(18),
        rows=lambda: [f"{REPAIRS}{case.pk}/change/" for case in made],
        most=6,
    )


def test_repair_case_page_shows_the_case_and_links_its_photos(client_for, employee, logistics):
    device = held_device(holder=employee, desk=logistics)
    case = services.report_fault(
        by=employee,
        device_id=device.pk,
        category=FaultCategory.LOST_OR_STOLEN,
        description="Left on the bus",
        data_backed_up=True,
        photos=[image_upload()],
    )

    response = client_for(logistics).get(f"{REPAIRS}{case.pk}/change/")

    text = response.content.decode()
    photo = case.photos.get()
    assert f"/devices/repairs/{case.pk}/photos/{photo.pk}/" in text
    assert "Left on the bus" in text and device.serial_number in text
    assert 'name="_save"' not in text  # nothing is saved from the form itself


def _more_history(fleet, count):
    """`count` more events by different people on each case and on the stock device, and
    as many past holders of it."""
    now = timezone.now()
    people = [UserFactory() for _ in range(count)]
    for case in (fleet["repair"], fleet["return"]):
        case.events.model.objects.bulk_create(
            case.events.model(case=case, actor=p, from_state="", to_state=case.state)
            for p in people
        )
    stock = fleet["stock"]
    Assignment.objects.bulk_create(
        Assignment(device=stock, user=p, started_at=now, ended_at=now) for p in people
    )
    DeviceEvent.objects.bulk_create(
        DeviceEvent(device=stock, actor=p, from_state="", to_state="in_stock") for p in people
    )
    return people


@pytest.mark.parametrize("page", ["stock", "repair", "return"])
def test_case_and_device_pages_take_the_same_queries_for_20_rows_as_for_2(
    client_for, fleet, logistics, same_queries, page
):
    """The timeline (and a device's holders) with 2 people in it, then with 20."""
    base = {"stock": DEVICES, "repair": REPAIRS, "return": RETURNS}[page]
    people = _more_history(fleet, 2)
    same_queries(
        client_for(logistics),
        f"{base}{fleet[page].pk}/change/",
        grow=lambda: people.extend(_more_history(fleet, 18)),
        rows=lambda: [p.get_full_name() for p in people],
        most=12,
    )


def test_the_model_page_queries_a_bounded_number_of_times(
    client_for, fleet, logistics, django_assert_max_num_queries
):
    client = client_for(logistics)
    with django_assert_max_num_queries(10):
        page = client.get(f"{MODELS}{fleet['stock'].model_id}/change/")
    assert page.status_code == 200 and str(fleet["stock"].model.name) in page.content.decode()


# --- return cases ------------------------------------------------------------------------


def test_return_list_filters_by_state_and_reason_and_searches(client_for, employee, logistics):
    leaving = open_return(
        device=held_device(holder=employee, desk=logistics, serial_number="LEAVE001"),
        by=employee,
    )
    upgrade = open_return(
        device=held_device(holder=employee, desk=logistics), by=employee, reason="upgrade"
    )
    services.receive_return(by=logistics, case_id=upgrade.pk)
    client = client_for(logistics)

    assert _listed(client.get(RETURNS)) == [leaving, upgrade]
    assert _listed(client.get(RETURNS, {"state__exact": "received"})) == [upgrade]
    assert _listed(client.get(RETURNS, {"reason__exact": ReturnReason.LEAVING})) == [leaving]
    assert _listed(client.get(RETURNS, {"q": "leave0"})) == [leaving]


def test_return_list_queries_stay_constant(client_for, employee, logistics, same_queries):
    made = []

    def add(count):
        made.extend(
            open_return(device=held_device(holder=employee, desk=logistics), by=employee)
            for _ in range(count)
        )

    add(2)
    same_queries(
        client_for(logistics),
        RETURNS,
        grow=lambda: add(18),
        rows=lambda: [f"{RETURNS}{case.pk}/change/" for case in made],
        most=6,
    )


# --- the fleet ---------------------------------------------------------------------------


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


def test_device_list_queries_stay_constant(client_for, employee, logistics, same_queries):
    made = []

    def add(count):
        for n in range(count):
            made.append(held_device(holder=employee, desk=logistics) if n % 2 else DeviceFactory())

    add(2)
    same_queries(
        client_for(logistics),
        DEVICES,
        grow=lambda: add(18),
        rows=lambda: [device.serial_number for device in made],
        most=8,
    )


def test_device_list_searches_serial_imei_asset_tag_and_holder(client_for, employee, logistics):
    phone = held_device(holder=employee, desk=logistics, serial_number="F2LXK0AB")
    spare = DeviceFactory(asset_tag="OSL-99100")
    client = client_for(logistics)

    assert _listed(client.get(DEVICES, {"q": "f2lx"})) == [phone]
    assert _listed(client.get(DEVICES, {"q": phone.imei})) == [phone]
    assert _listed(client.get(DEVICES, {"q": "osl-991"})) == [spare]
    assert _listed(client.get(DEVICES, {"q": employee.last_name})) == [phone]


def test_device_list_filters_by_state_category_model_department_and_warranty(
    client_for, employee, logistics
):
    today = timezone.localdate()
    tablets = DeviceModelFactory(name="Tab Active", category=DeviceCategory.TABLET)
    ending = held_device(
        holder=employee, desk=logistics, warranty_end=today + datetime.timedelta(days=20)
    )
    later = DeviceFactory(model=tablets, warranty_end=today + datetime.timedelta(days=60))
    ended = DeviceFactory(warranty_end=today - datetime.timedelta(days=1))
    ward = DepartmentFactory(name="Ward 3", code="ward-3", parent=employee.department)
    nurse = UserFactory(username="ward-nurse", department=ward)
    on_ward = held_device(holder=nurse, desk=logistics)
    client = client_for(logistics)

    def listed(**params):
        return set(_listed(client.get(DEVICES, params)))

    assert listed(state__exact=DeviceState.ASSIGNED) == {ending, on_ward}
    assert listed(model__category__exact=DeviceCategory.TABLET) == {later}
    assert listed(model__id__exact=tablets.pk) == {later}
    assert listed(department=employee.department.pk) == {ending, on_ward}
    assert listed(department=ward.pk) == {on_ward}
    assert listed(warranty="30") == {ending}
    assert listed(warranty="90") == {ending, later}
    assert listed(warranty="expired") == {ended}


def test_device_page_shows_who_held_it_and_its_timeline(client_for, employee, logistics):
    device = held_device(holder=employee, desk=logistics)
    case = open_return(device=device, by=employee)
    services.receive_return(by=logistics, case_id=case.pk)

    response = client_for(logistics).get(f"{DEVICES}{device.pk}/change/")

    assert [a.user for a in response.context["assignments"]] == [employee]
    assert response.context["assignments"][0].ended_at is not None
    assert [e.to_state for e in response.context["events"]] == [
        DeviceState.ASSIGNED,
        DeviceState.RETURNED,
    ]
    assert f"{RETURNS}{case.pk}/change/" in response.content.decode()
    assert response.context["assign_form"] is None  # returned, not in stock
