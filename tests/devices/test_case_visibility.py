"""A repair or return case belongs to its people as they were when it was opened: the
reporter or requester, the holder then, the holder's line manager then and the line
managers of the device's department then (and above it), besides the desk. The device's
next holder and their manager do not see it: not its page, photos, label, API or lists.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from devices import selectors, services
from devices.choices import FaultCategory, RepairState, ReturnReason, ReturnState
from devices.models import RepairCase, ReturnCase
from portal.choices import Role
from portal.errors import RuleViolation
from tests.devices.factories import DeviceFactory, held_device
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

PREVIOUS = {"previous_holder", "previous_manager", "desk", "admin"}
NEXT = {"next_holder", "next_manager", "desk", "admin"}
PERSONAS = [
    "previous_holder",
    "previous_manager",
    "next_holder",
    "next_manager",
    "stranger",
    "other_manager",
    "desk",
    "admin",
]


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (90, 0, 0)).save(buffer, "PNG")
    return SimpleUploadedFile("fault.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def people(employee, manager, department, other_department, logistics, admin_user):
    next_manager = UserFactory(
        username="nextmanager", department=other_department, roles=[Role.LINE_MANAGER]
    )
    return {
        "previous_holder": employee,
        "previous_manager": manager,
        "next_holder": UserFactory(
            username="nextholder", department=other_department, line_manager=next_manager
        ),
        "next_manager": next_manager,
        "stranger": UserFactory(username="colleague", department=department),
        "other_manager": UserFactory(
            username="othermanager", department=DepartmentFactory(), roles=[Role.LINE_MANAGER]
        ),
        "desk": logistics,
        "admin": admin_user,
    }


def _repaired_and_closed(case, desk):
    services.triage_case(by=desk, case_id=case.pk)
    services.ship_case(by=desk, case_id=case.pk, carrier="Posten", tracking_number="T1")
    services.case_at_partner(by=desk, case_id=case.pk)
    services.record_outcome(by=desk, case_id=case.pk, outcome=RepairState.REPAIRED)
    services.return_to_user(by=desk, case_id=case.pk)
    services.close_case(by=desk, case_id=case.pk)


def _returned_and_redeployed(case, desk):
    """Received, wiped and back in stock; the desk has not closed the case yet."""
    services.receive_return(by=desk, case_id=case.pk)
    services.record_wipe(by=desk, case_id=case.pk, method="mdm_remote", certificate="W-1")
    services.dispose_return(by=desk, case_id=case.pk, outcome=ReturnState.REDEPLOYED)


@pytest.fixture
def history(people):
    """The previous holder's phone: a repair (with a photo) done and closed, then a return
    received, wiped and redeployed to the next holder in another department, who reports
    a fault and asks to return it in turn. And the previous holder's tablet, replaced."""
    previous, desk = people["previous_holder"], people["desk"]
    phone = held_device(holder=previous, desk=desk, serial_number="PHONE-PREV")
    old_repair = services.report_fault(
        by=previous,
        device_id=phone.pk,
        category=FaultCategory.SCREEN,
        description="Cracked",
        photos=[_png()],
    )
    _repaired_and_closed(old_repair, desk)
    old_return = services.request_return(
        by=previous, device_id=phone.pk, reason=ReturnReason.LEAVING
    )
    _returned_and_redeployed(old_return, desk)
    services.assign_device(by=desk, device_id=phone.pk, user_id=people["next_holder"].pk)
    new_return = services.request_return(
        by=people["next_holder"], device_id=phone.pk, reason=ReturnReason.UPGRADE
    )
    new_repair = services.report_fault(
        by=people["next_holder"],
        device_id=phone.pk,
        category=FaultCategory.BATTERY,
        description="Dies by noon",
        photos=[_png()],
    )
    tablet = held_device(holder=previous, desk=desk, serial_number="TABLET-PREV")
    replaced = services.report_fault(
        by=previous, device_id=tablet.pk, category=FaultCategory.SCREEN, description="Dead"
    )
    services.triage_case(by=desk, case_id=replaced.pk)
    services.record_outcome(
        by=desk,
        case_id=replaced.pk,
        outcome=RepairState.REPLACED,
        replacement_id=DeviceFactory().pk,
    )
    return {
        "phone": phone,
        "old_repair": old_repair,
        "old_return": old_return,
        "new_repair": new_repair,
        "new_return": new_return,
        "replaced": replaced,
    }


def _repair_surfaces(case):
    photo = case.photos.first()
    surfaces = {
        "page": reverse("devices:repair_case", args=[case.pk]),
        "api": reverse("api:repair_case_detail", args=[case.pk]),
    }
    if photo is not None:
        surfaces["photo"] = reverse("devices:photo", args=[case.pk, photo.pk])
        surfaces["small photo"] = surfaces["photo"] + "?small=1"
    return surfaces


def _return_surfaces(case):
    return {
        "page": reverse("devices:return_case", args=[case.pk]),
        "label": reverse("devices:return_label", args=[case.pk]),
        "api": reverse("api:return_case_detail", args=[case.pk]),
    }


def _listed(client, name) -> set[int]:
    response = client.get(reverse(name), {"page_size": 200})
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


CASES = {
    "old_repair": (PREVIOUS, _repair_surfaces, "api:repair_case_list"),
    "replaced": (PREVIOUS, _repair_surfaces, "api:repair_case_list"),
    "old_return": (PREVIOUS, _return_surfaces, "api:return_case_list"),
    "new_repair": (NEXT, _repair_surfaces, "api:repair_case_list"),
    "new_return": (NEXT, _return_surfaces, "api:return_case_list"),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_case_is_seen_only_by_its_people_on_every_surface(
    history, people, client_for, persona
):
    client = client_for(people[persona])
    for key, (its_people, surfaces, list_name) in CASES.items():
        case = history[key]
        sees = persona in its_people
        for surface, url in surfaces(case).items():
            status = client.get(url).status_code
            assert status == (200 if sees else 404), (key, surface, persona, status)
        assert (case.pk in _listed(client, list_name)) == sees, (key, "api list", persona)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_one_selector_gives_each_person_the_cases_they_belong_to(history, people, persona):
    user = people[persona]
    repairs = set(selectors.repair_cases_visible_to(user).values_list("pk", flat=True))
    returns = set(selectors.return_cases_visible_to(user).values_list("pk", flat=True))
    for key, (its_people, _surfaces, _list) in CASES.items():
        seen = repairs if "repair" in key or key == "replaced" else returns
        assert (history[key].pk in seen) == (persona in its_people), (key, persona)


@pytest.mark.parametrize("persona", ["stranger", "next_holder", "next_manager", "other_manager"])
def test_a_case_out_of_sight_is_a_404_for_its_actions_too(history, people, client_for, persona):
    client = client_for(people[persona])
    old_return = history["old_return"]
    assert (
        client.post(reverse("devices:return_action", args=[old_return.pk, "close"])).status_code
        == 404
    )
    api = reverse("api:return_case_action", kwargs={"pk": old_return.pk, "name": "close"})
    assert client.post(api).status_code == 404
    old_return.refresh_from_db()
    assert old_return.state == ReturnState.REDEPLOYED


def test_the_next_holder_lists_only_their_own_cases(history, people, client_for):
    """My devices, the device page and the API's device detail list the cases the person
    may see: the next holder's, never the previous holder's open return."""
    phone, old_return = history["phone"], history["old_return"]
    client = client_for(people["next_holder"])
    mine = client.get(reverse("devices:mine")).content.decode()
    device_page = client.get(reverse("devices:device", args=[phone.pk])).content.decode()
    for html in (mine, device_page):
        assert reverse("devices:return_case", args=[history["new_return"].pk]) in html
        assert reverse("devices:repair_case", args=[history["new_repair"].pk]) in html
        assert reverse("devices:return_case", args=[old_return.pk]) not in html
        assert reverse("devices:repair_case", args=[history["old_repair"].pk]) not in html
    detail = client.get(reverse("api:device_detail", args=[phone.pk])).json()
    assert [c["id"] for c in detail["open_return_cases"]] == [history["new_return"].pk]
    # The next holder's manager (another department) likewise.
    manager_page = client_for(people["next_manager"]).get(
        reverse("devices:device", args=[phone.pk])
    )
    assert reverse("devices:return_case", args=[old_return.pk]) not in manager_page.content.decode()
    # The desk sees the device's whole history.
    desk_page = client_for(people["desk"]).get(reverse("devices:device", args=[phone.pk]))
    html = desk_page.content.decode()
    for key in ("old_repair", "new_repair"):
        assert reverse("devices:repair_case", args=[history[key].pk]) in html
    for key in ("old_return", "new_return"):
        assert reverse("devices:return_case", args=[history[key].pk]) in html


def test_the_previous_holder_keeps_their_cases_after_the_device_moved_on(
    history, people, client_for
):
    client = client_for(people["previous_holder"])
    phone = history["phone"]
    device_url = reverse("devices:device", args=[phone.pk])
    assert client.get(device_url).status_code == 404
    # Their case pages name the device but do not link to a page they may not open.
    for page in (
        reverse("devices:repair_case", args=[history["old_repair"].pk]),
        reverse("devices:return_case", args=[history["old_return"].pk]),
    ):
        html = client.get(page).content.decode()
        assert phone.serial_number in html and device_url not in html
        assert device_url in client_for(people["desk"]).get(page).content.decode()
        client = client_for(people["previous_holder"])
    label = client.get(reverse("devices:return_label", args=[history["old_return"].pk]))
    assert people["previous_holder"].get_full_name() in label.content.decode()
    listed = _listed(client, "api:repair_case_list")
    assert listed == {history["old_repair"].pk, history["replaced"].pk}


def test_a_case_records_its_people_when_it_is_opened(people, department):
    previous, desk = people["previous_holder"], people["desk"]
    phone = held_device(holder=previous, desk=desk)
    repair = services.report_fault(
        by=previous, device_id=phone.pk, category=FaultCategory.SCREEN, description="Cracked"
    )
    ret = services.request_return(
        by=people["previous_manager"], device_id=phone.pk, reason=ReturnReason.LEAVING
    )
    for case in (repair, ret):
        case.refresh_from_db()
        assert (case.holder, case.department, case.line_manager) == (
            previous,
            department,
            people["previous_manager"],
        )
    # The holder moving on later changes nothing about who the case belongs to.
    previous.line_manager = people["next_manager"]
    previous.save(update_fields=["line_manager"])
    repair.refresh_from_db()
    assert repair.line_manager == people["previous_manager"]


def test_a_manager_above_the_department_sees_its_cases_and_one_beside_it_does_not(
    people, department, logistics
):
    north = DepartmentFactory(name="Home nursing north", code="hn-north", parent=department)
    beside = DepartmentFactory(name="Home nursing south", code="hn-south", parent=department)
    beside_manager = UserFactory(department=beside, roles=[Role.LINE_MANAGER])
    nurse = UserFactory(department=north)
    device = held_device(holder=nurse, desk=logistics)
    case = services.report_fault(
        by=nurse, device_id=device.pk, category=FaultCategory.SCREEN, description="Cracked"
    )
    assert selectors.repair_cases_visible_to(people["previous_manager"]).filter(pk=case.pk)
    assert not selectors.repair_cases_visible_to(beside_manager).filter(pk=case.pk)
    # A line manager's role is what gives the department's cases: without it, nothing.
    colleague = UserFactory(department=department)
    assert not selectors.repair_cases_visible_to(colleague).filter(pk=case.pk)


def test_the_next_holder_may_return_a_device_whose_earlier_return_is_not_yet_closed(history):
    """The earlier return is redeployed (its device back in stock) but not closed: it no
    longer holds the device, so the next holder's return was accepted (in `history`). A
    return still under way refuses a second one."""
    assert history["old_return"].pk != history["new_return"].pk
    assert ReturnCase.objects.filter(device=history["phone"]).count() == 2
    with pytest.raises(RuleViolation):
        services.request_return(
            by=history["new_return"].requested_by,
            device_id=history["phone"].pk,
            reason=ReturnReason.UPGRADE,
        )


def test_the_backfill_fills_existing_cases_from_todays_data(people, department, logistics):
    """The migration fills the people of cases opened before they were recorded: the
    holder's department and line manager, or the opener's department without a holder."""
    from importlib import import_module

    from django.apps import apps

    backfill = import_module("devices.migrations.0004_case_people").backfill
    previous = people["previous_holder"]
    phone = held_device(holder=previous, desk=logistics)
    repair = services.report_fault(
        by=previous, device_id=phone.pk, category=FaultCategory.SCREEN, description="x"
    )
    ret = services.request_return(by=previous, device_id=phone.pk, reason=ReturnReason.LEAVING)
    unheld = DeviceFactory(department=department)
    manager_case = services.report_fault(
        by=people["previous_manager"],
        device_id=unheld.pk,
        category=FaultCategory.OTHER,
        description="Found broken in a drawer",
    )
    RepairCase.objects.update(department=None, line_manager=None)
    ReturnCase.objects.update(department=None, line_manager=None)
    backfill(apps, None)
    for case in (repair, ret):
        case.refresh_from_db()
        assert (case.department, case.line_manager) == (department, people["previous_manager"])
    manager_case.refresh_from_db()
    assert (manager_case.holder, manager_case.department) == (None, department)


@pytest.mark.parametrize(
    ("persona", "sees_previous"),
    [("next_holder", False), ("next_manager", False), ("desk", True), ("admin", True)],
)
def test_who_held_the_device_before_is_the_desks_to_see(
    history, people, client_for, api_client, persona, sees_previous
):
    """The next holder (and their manager) see their own holding period, not who held the
    device before them, on the page and in the API."""
    phone, user = history["phone"], people[persona]
    previous = people["previous_holder"]

    page = client_for(user).get(reverse("devices:device", args=[phone.pk]))
    api_client.force_authenticate(user)
    detail = api_client.get(reverse("api:device_detail", args=[phone.pk])).json()
    holders = {row["person"]["id"] for row in detail["assignments"]}

    assert page.status_code == 200
    shown = [a.user for a in page.context["device"].assignments.all()]
    assert (previous in shown) is sees_previous
    assert people["next_holder"] in shown
    assert (previous.pk in holders) is sees_previous
