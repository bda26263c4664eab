"""The devices API: who sees which devices and cases, fault reports and return requests,
the desk's case actions (done, refused as illegal, not permitted or bad input), schema and
query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from devices import services
from devices.choices import DeviceState, FaultCategory, RepairState, ReturnState
from devices.models import Device, RepairCase, RepairCaseEvent, ReturnCase
from portal import services as portal_services
from portal.choices import ApiScope
from tests.appstore.factories import image_upload
from tests.devices.factories import DeviceFactory, held_device, open_repair, open_return
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DEVICES = reverse("api:device_list")
REPAIRS = reverse("api:repair_case_list")
RETURNS = reverse("api:return_case_list")
PERSONAS = ["employee", "manager", "appowner", "reviewer", "trainer", "logistics", "admin"]
DESK = {"logistics", "admin"}


def device_url(pk, what=None):
    name = {
        None: "device_detail",
        "fault": "device_report_fault",
        "return": "device_request_return",
    }
    return reverse(f"api:{name[what]}", kwargs={"pk": pk})


def repair_url(pk, action=None):
    if action:
        return reverse("api:repair_case_action", kwargs={"pk": pk, "name": action})
    return reverse("api:repair_case_detail", kwargs={"pk": pk})


def return_url(pk, action=None):
    if action:
        return reverse("api:return_case_action", kwargs={"pk": pk, "name": action})
    return reverse("api:return_case_detail", kwargs={"pk": pk})


def bearer(user, *scopes):
    _token, raw = portal_services.create_api_token(name="Tool", user=user, scopes=scopes, by=None)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def fleet(employee, manager, appowner, logistics, department):
    """The employee's phone, a colleague's tablet (same department), the app owner's phone
    (another department) and a device in stock."""
    colleague = UserFactory(username="colleague", department=department)
    return {
        "mine": held_device(holder=employee, desk=logistics),
        "colleague": held_device(holder=colleague, desk=logistics),
        "other": held_device(holder=appowner, desk=logistics),
        "stock": DeviceFactory(),
    }


# Which devices each role sees.

SEES = {
    "employee": {"mine"},
    "manager": {"mine", "colleague"},
    "appowner": {"other"},
    "reviewer": set(),
    "trainer": set(),
    "logistics": {"mine", "colleague", "other", "stock"},
    "admin": {"mine", "colleague", "other", "stock"},
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_device_list_is_what_each_role_may_see(api_client, personas, fleet, persona):
    api_client.force_login(personas[persona])
    response = api_client.get(DEVICES)
    assert ids(response) == {fleet[key].pk for key in SEES[persona]}
    body = response.json()
    assert len(body["results"]) == len(SEES[persona])
    assert body["next"] is None and body["previous"] is None


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("key", ["mine", "colleague", "other", "stock"])
def test_a_device_outside_your_scope_is_a_404(api_client, personas, fleet, persona, key):
    api_client.force_login(personas[persona])
    response = api_client.get(device_url(fleet[key].pk))
    expected = 200 if key in SEES[persona] else 404
    assert response.status_code == expected, response.content
    if expected == 404:
        assert response.json() == {"detail": "No such device.", "code": "not_found"}


def test_a_token_acts_as_its_person(api_client, employee, fleet):
    response = api_client.get(DEVICES, **bearer(employee, ApiScope.DEVICES_READ))
    assert ids(response) == {fleet["mine"].pk}


def test_anonymous_is_refused(api_client, fleet):
    for url in (DEVICES, REPAIRS, RETURNS, device_url(fleet["mine"].pk)):
        response = api_client.get(url)
        assert response.status_code in (401, 403)
        assert set(response.json()) == {"detail", "code"}


def test_the_list_row_shows_model_holder_department_and_warranty(api_client, employee, fleet):
    api_client.force_login(employee)
    [row] = api_client.get(DEVICES).json()["results"]
    device = fleet["mine"]
    assert row["serial_number"] == device.serial_number
    assert row["imei"] == device.imei
    assert row["state"] == "assigned" and row["state_label"] == "Assigned"
    assert row["model"]["manufacturer"] == "Samsung"
    assert row["model"]["category"] == "phone"
    assert row["holder"]["username"] == "employee"
    assert row["department"]["code"] == "home-nursing"
    assert row["under_warranty"] is None
    assert row["mdm_identifier"] is None  # the desk's


def test_the_desk_sees_the_mdm_identifier_and_price(api_client, logistics, fleet):
    Device.objects.filter(pk=fleet["stock"].pk).update(
        mdm_identifier="intune-42", purchase_price="4990.00", notes="Spare"
    )
    api_client.force_login(logistics)
    detail = api_client.get(device_url(fleet["stock"].pk)).json()
    assert detail["mdm_identifier"] == "intune-42"
    assert detail["purchase_price"] == "4990.00"
    assert detail["notes"] == "Spare"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "in_stock"}, {"stock"}),
        ({"state": "assigned"}, {"mine", "colleague", "other"}),
        ({"q": "employee"}, {"mine"}),
        ({"q": "colleague"}, {"colleague"}),
        ({"warranty": "none"}, {"mine", "colleague", "other", "stock"}),
    ],
)
def test_the_list_filters_like_the_fleet_page(api_client, logistics, fleet, query, expected):
    api_client.force_login(logistics)
    assert ids(api_client.get(DEVICES, query)) == {fleet[key].pk for key in expected}


def test_the_list_filters_by_serial_department_and_model(api_client, logistics, fleet, department):
    api_client.force_login(logistics)
    mine = fleet["mine"]
    assert ids(api_client.get(DEVICES, {"q": mine.serial_number})) == {mine.pk}
    assert ids(api_client.get(DEVICES, {"department": department.pk})) == {
        mine.pk,
        fleet["colleague"].pk,
    }
    assert ids(api_client.get(DEVICES, {"model": mine.model_id})) == {mine.pk}


def test_a_bad_filter_value_is_a_400_with_the_field(api_client, logistics, fleet):
    api_client.force_login(logistics)
    response = api_client.get(DEVICES, {"state": "lost"})
    assert response.status_code == 400
    assert "state" in response.json()["fields"]


def test_the_detail_shows_open_cases_holders_and_timeline(api_client, employee, fleet):
    case = open_repair(device=fleet["mine"], by=employee)
    api_client.force_login(employee)
    detail = api_client.get(device_url(fleet["mine"].pk)).json()
    assert [c["id"] for c in detail["open_repair_cases"]] == [case.pk]
    assert detail["open_repair_cases"][0]["url"].endswith(repair_url(case.pk))
    assert detail["open_return_cases"] == []
    [assignment] = detail["assignments"]
    assert assignment["person"]["username"] == "employee"
    assert assignment["ended_at"] is None and assignment["is_loan"] is False
    assert [(e["from_state"], e["to_state"]) for e in detail["events"]] == [
        ("in_stock", "assigned")
    ]
    assert detail["events"][0]["actor"]


# Reporting a fault and asking for a return.


def test_an_employee_reports_a_fault_with_photos(api_client, employee, fleet):
    api_client.force_login(employee)
    response = api_client.post(
        device_url(fleet["mine"].pk, "fault"),
        {
            "category": "screen",
            "description": "Cracked in the corner",
            "data_backed_up": "true",
            "photos": [image_upload("one.png"), image_upload("two.png")],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    case = RepairCase.objects.get()
    assert body["id"] == case.pk and body["state"] == "reported"
    assert body["data_backed_up"] is True and body["is_security_event"] is False
    assert len(body["photos"]) == 2
    assert api_client.get(body["photos"][0]).status_code == 200
    assert [a["name"] for a in body["allowed_actions"]] == ["cancel"]


def test_lost_or_stolen_is_a_security_event(api_client, employee, fleet):
    api_client.force_login(employee)
    response = api_client.post(
        device_url(fleet["mine"].pk, "fault"),
        {"category": FaultCategory.LOST_OR_STOLEN, "description": "Left on the bus"},
    )
    assert response.status_code == 201
    assert response.json()["is_security_event"] is True
    assert ids(api_client.get(REPAIRS, {"is_security_event": "true"})) == {response.json()["id"]}


def test_a_manager_reports_for_the_department_but_not_for_another(api_client, manager, fleet):
    api_client.force_login(manager)
    body = {"category": "battery", "description": "Drains by noon"}
    assert api_client.post(device_url(fleet["colleague"].pk, "fault"), body).status_code == 201
    assert api_client.post(device_url(fleet["other"].pk, "fault"), body).status_code == 404
    assert RepairCase.objects.count() == 1


@pytest.mark.parametrize("persona", ["appowner", "reviewer", "logistics"])
def test_only_the_holder_or_their_manager_reports_a_fault(api_client, personas, fleet, persona):
    """Seeing the device (the desk does) is not enough: it is not theirs to report."""
    api_client.force_login(personas[persona])
    response = api_client.post(
        device_url(fleet["mine"].pk, "fault"), {"category": "screen", "description": "Broken"}
    )
    assert response.status_code == 404
    assert not RepairCase.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "screen", "description": ""}, "description"),
        ({"category": "dropped", "description": "Broken"}, "category"),
        ({"description": "Broken"}, "category"),
    ],
)
def test_a_bad_fault_report_names_the_field(api_client, employee, fleet, body, field):
    api_client.force_login(employee)
    response = api_client.post(device_url(fleet["mine"].pk, "fault"), body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]
    assert not RepairCase.objects.exists()


def test_a_second_open_fault_report_is_refused(api_client, employee, fleet):
    open_repair(device=fleet["mine"], by=employee)
    api_client.force_login(employee)
    response = api_client.post(
        device_url(fleet["mine"].pk, "fault"), {"category": "screen", "description": "Again"}
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["device"]
    assert RepairCase.objects.count() == 1


def test_an_employee_asks_to_return_their_device(api_client, employee, fleet):
    api_client.force_login(employee)
    response = api_client.post(device_url(fleet["mine"].pk, "return"), {"reason": "upgrade"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "requested" and body["reason"] == "upgrade"
    assert body["requested_by"]["username"] == "employee"
    assert [a["name"] for a in body["allowed_actions"]] == ["ship", "cancel"]
    bad = api_client.post(device_url(fleet["mine"].pk, "return"), {"reason": "bored"})
    assert bad.status_code == 400 and "reason" in bad.json()["fields"]
    assert (
        api_client.post(device_url(fleet["other"].pk, "return"), {"reason": "upgrade"}).status_code
        == 404
    )
    assert ReturnCase.objects.count() == 1


# Who sees which cases.


@pytest.fixture
def cases(fleet, employee, appowner, department):
    colleague = fleet["colleague"].assignee
    return {
        "mine": open_repair(device=fleet["mine"], by=employee),
        "colleague": open_repair(device=fleet["colleague"], by=colleague),
        "other": open_repair(device=fleet["other"], by=appowner),
        "mine_return": open_return(device=fleet["mine"], by=employee),
        "other_return": open_return(device=fleet["other"], by=appowner),
    }


SEES_CASES = {
    "employee": {"mine", "mine_return"},
    "manager": {"mine", "colleague", "mine_return"},
    "appowner": {"other", "other_return"},
    "reviewer": set(),
    "trainer": set(),
    "logistics": {"mine", "colleague", "other", "mine_return", "other_return"},
    "admin": {"mine", "colleague", "other", "mine_return", "other_return"},
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_case_lists_and_details_are_scoped(api_client, personas, cases, persona):
    api_client.force_login(personas[persona])
    seen = SEES_CASES[persona]
    repairs = {k for k in ("mine", "colleague", "other") if k in seen}
    returns = {k for k in ("mine_return", "other_return") if k in seen}
    assert ids(api_client.get(REPAIRS)) == {cases[k].pk for k in repairs}
    assert ids(api_client.get(RETURNS)) == {cases[k].pk for k in returns}
    for key in ("mine", "colleague", "other"):
        status = api_client.get(repair_url(cases[key].pk)).status_code
        assert status == (200 if key in seen else 404)
    for key in ("mine_return", "other_return"):
        status = api_client.get(return_url(cases[key].pk)).status_code
        assert status == (200 if key in seen else 404)


def test_case_lists_filter_by_state(api_client, logistics, cases):
    services.triage_case(by=logistics, case_id=cases["mine"].pk)
    api_client.force_login(logistics)
    assert ids(api_client.get(REPAIRS, {"state": "triaged"})) == {cases["mine"].pk}
    assert ids(api_client.get(REPAIRS, {"is_security_event": "true"})) == set()
    assert ids(api_client.get(RETURNS, {"state": "requested"})) == {
        cases["mine_return"].pk,
        cases["other_return"].pk,
    }
    assert api_client.get(REPAIRS, {"state": "lost"}).status_code == 400


def test_the_case_detail_lists_the_actions_open_to_the_requester(
    api_client, employee, logistics, cases
):
    api_client.force_login(logistics)
    desk_view = api_client.get(repair_url(cases["mine"].pk)).json()
    assert [a["name"] for a in desk_view["allowed_actions"]] == ["triage", "lend", "cancel"]
    assert desk_view["allowed_actions"][0]["label"] == "Triage"
    api_client.force_login(employee)
    assert api_client.get(repair_url(cases["mine"].pk)).json()["allowed_actions"] == [
        {"name": "cancel", "label": "Cancel the case"}
    ]


# The desk's actions.


def test_the_desk_works_a_repair_through_the_api(api_client, employee, logistics, cases):
    case = cases["mine"]
    loaner = DeviceFactory()
    api_client.force_login(logistics)
    steps = [
        ("triage", {"comment": "Screen only"}, "triaged"),
        ("lend", {"device": loaner.serial_number}, "triaged"),
        ("ship", {"carrier": "Posten", "tracking_number": "TRK123"}, "in_transit"),
        ("arrive", {}, "at_repair_partner"),
        (
            "outcome",
            {"outcome": "repaired", "cost": "850.00", "warranty_covered": False},
            "repaired",
        ),
        ("return", {}, "returned_to_user"),
        ("close", {}, "closed"),
    ]
    for name, body, state in steps:
        response = api_client.post(repair_url(case.pk, name), body)
        assert response.status_code == 200, (name, response.content)
        assert response.json()["state"] == state
    body = response.json()
    assert body["cost"] == "850.00" and body["warranty_covered"] is False
    assert body["loaner"]["serial_number"] == loaner.serial_number
    assert body["turnaround_seconds"] is not None
    assert body["allowed_actions"] == []
    assert [e["to_state"] for e in body["events"]] == [
        "reported",
        "triaged",
        "in_transit",
        "at_repair_partner",
        "repaired",
        "returned_to_user",
        "closed",
    ]
    loaner.refresh_from_db()
    assert loaner.state == DeviceState.IN_STOCK
    assert Device.objects.get(pk=case.device_id).state == DeviceState.ASSIGNED


def test_the_desk_works_a_return_with_its_wipe(api_client, employee, logistics, cases):
    case = cases["mine_return"]
    api_client.force_login(employee)
    assert api_client.post(return_url(case.pk, "ship"), {}).json()["state"] == "in_transit"
    api_client.force_login(logistics)
    steps = [
        ("receive", {}, "received"),
        ("wipe", {"method": "mdm_remote", "certificate": "WC-1"}, "wiped"),
        ("dispose", {"outcome": "recycled"}, "recycled"),
        ("close", {}, "closed"),
    ]
    for name, body, state in steps:
        response = api_client.post(return_url(case.pk, name), body)
        assert response.status_code == 200, (name, response.content)
        assert response.json()["state"] == state
    assert response.json()["wipe_certificate"] == "WC-1"
    assert Device.objects.get(pk=case.device_id).state == DeviceState.RETIRED


def test_an_illegal_transition_is_a_409_and_changes_nothing(api_client, logistics, cases):
    case = cases["mine"]
    api_client.force_login(logistics)
    response = api_client.post(repair_url(case.pk, "arrive"), {})
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert "Reported" in response.json()["detail"]
    case.refresh_from_db()
    assert case.state == RepairState.REPORTED
    assert not RepairCaseEvent.objects.filter(case=case).exclude(from_state="").exists()


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("triage", {}),
        ("ship", {}),  # refused before the input is read: not a 400
        ("lend", {"device": "nothing"}),
        ("close", {"comment": "Done"}),
    ],
)
@pytest.mark.parametrize("persona", ["employee", "manager"])
def test_the_holder_and_manager_may_not_work_their_repair(
    api_client, personas, cases, name, body, persona
):
    case = cases["mine"]
    api_client.force_login(personas[persona])
    response = api_client.post(repair_url(case.pk, name), body)
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "permission_denied"
    case.refresh_from_db()
    assert case.state == RepairState.REPORTED and case.loaner_id is None


@pytest.mark.parametrize("name", ["receive", "wipe", "dispose", "close"])
def test_the_requester_may_not_work_the_desks_steps_of_a_return(api_client, employee, cases, name):
    case = cases["mine_return"]
    api_client.force_login(employee)
    assert api_client.post(return_url(case.pk, name), {}).status_code == 403
    case.refresh_from_db()
    assert case.state == ReturnState.REQUESTED


@pytest.mark.parametrize("persona", ["appowner", "reviewer", "trainer"])
def test_a_case_out_of_sight_is_a_404_for_its_actions(api_client, personas, cases, persona):
    api_client.force_login(personas[persona])
    assert api_client.post(repair_url(cases["mine"].pk, "triage"), {}).status_code == 404
    assert api_client.post(return_url(cases["mine_return"].pk, "ship"), {}).status_code == 404
    assert RepairCase.objects.get(pk=cases["mine"].pk).state == RepairState.REPORTED


def test_an_unknown_action_is_a_404(api_client, logistics, cases):
    api_client.force_login(logistics)
    assert api_client.post(repair_url(cases["mine"].pk, "teleport"), {}).status_code == 404
    assert api_client.post(return_url(cases["mine_return"].pk, "triage"), {}).status_code == 404


@pytest.mark.parametrize(
    ("name", "body", "field"),
    [
        ("ship", {"carrier": "Posten"}, "tracking_number"),
        ("outcome", {"outcome": "fixed"}, "outcome"),
        ("outcome", {"outcome": "replaced"}, "replacement"),
        ("outcome", {"outcome": "repaired", "cost": "-5"}, "cost"),
        ("lend", {"device": "NO-SUCH-SERIAL"}, "device"),
    ],
)
def test_bad_input_is_a_400_with_the_field_and_changes_nothing(
    api_client, logistics, cases, name, body, field
):
    case = cases["mine"]
    services.triage_case(by=logistics, case_id=case.pk)
    if name == "outcome":
        services.ship_case(by=logistics, case_id=case.pk, carrier="P", tracking_number="T")
        services.case_at_partner(by=logistics, case_id=case.pk)
    case.refresh_from_db()
    before = (case.state, case.cost, case.loaner_id, case.tracking_number)
    api_client.force_login(logistics)
    response = api_client.post(repair_url(case.pk, name), body)
    assert response.status_code == 400, response.content
    answer = response.json()
    assert answer["code"] == "invalid"
    assert field in answer["fields"]
    assert answer["detail"]
    case.refresh_from_db()
    assert (case.state, case.cost, case.loaner_id, case.tracking_number) == before


def test_a_wipe_needs_its_certificate(api_client, logistics, cases):
    case = cases["mine_return"]
    services.receive_return(by=logistics, case_id=case.pk)
    api_client.force_login(logistics)
    response = api_client.post(return_url(case.pk, "wipe"), {"method": "mdm_remote"})
    assert response.status_code == 400
    assert "certificate" in response.json()["fields"]
    case.refresh_from_db()
    assert case.state == ReturnState.RECEIVED and case.wipe_certificate == ""


def test_a_close_after_beyond_repair_needs_a_comment(api_client, logistics, cases):
    case = cases["mine"]
    services.triage_case(by=logistics, case_id=case.pk)
    services.ship_case(by=logistics, case_id=case.pk, carrier="P", tracking_number="T")
    services.case_at_partner(by=logistics, case_id=case.pk)
    services.record_outcome(by=logistics, case_id=case.pk, outcome=RepairState.BEYOND_REPAIR)
    api_client.force_login(logistics)
    response = api_client.post(repair_url(case.pk, "close"), {})
    assert response.status_code == 400
    assert "comment" in response.json()["fields"]
    ok = api_client.post(repair_url(case.pk, "close"), {"comment": "Recycled"})
    assert ok.json()["state"] == "closed"


# Schema and query counts.


def test_every_devices_endpoint_is_in_the_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path, method in [
        ("/api/v1/devices/", "get"),
        ("/api/v1/devices/{id}/", "get"),
        ("/api/v1/devices/{id}/report-fault/", "post"),
        ("/api/v1/devices/{id}/request-return/", "post"),
        ("/api/v1/repair-cases/", "get"),
        ("/api/v1/repair-cases/{id}/", "get"),
        ("/api/v1/repair-cases/{id}/actions/{name}/", "post"),
        ("/api/v1/return-cases/", "get"),
        ("/api/v1/return-cases/{id}/", "get"),
        ("/api/v1/return-cases/{id}/actions/{name}/", "post"),
        ("/api/v1/inventory/", "post"),
    ]:
        assert method in paths[path], path
    parameters = {p["name"] for p in paths["/api/v1/devices/"]["get"]["parameters"]}
    assert {"q", "state", "model", "department", "warranty", "age", "cursor"} <= parameters
    assert "page" not in parameters
    action = paths["/api/v1/repair-cases/{id}/actions/{name}/"]["post"]
    assert set(action["responses"]) >= {"200", "400", "403", "404", "409"}
    assert paths["/api/v1/inventory/"]["post"]["security"] == [{"apiToken": []}]


# Query counts: tests/devices/test_api_lists.py (the same for 20 rows as for 2).
