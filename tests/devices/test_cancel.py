"""Cancelling a case (PRODUCT.md, journey 3): the reporter or requester, or the desk, may
cancel a repair case still reported or triaged, or a return still requested, with a
one-line reason; on every surface (service, page, admin, API) by the one rule."""

from __future__ import annotations

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from devices import services
from devices.choices import DeviceState, RepairState, ReturnState
from devices.models import RepairCaseEvent, ReturnCaseEvent
from portal.errors import IllegalTransition, NotPermitted, RuleViolation
from portal.models import Notification
from tests.devices.factories import DeviceFactory, held_device, open_repair, open_return

pytestmark = pytest.mark.django_db

REASON = "The screen works again after a restart"


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = False


@pytest.fixture
def phone(employee, logistics):
    return held_device(holder=employee, desk=logistics)


@pytest.fixture
def repair(phone, employee):
    return open_repair(device=phone, by=employee)


@pytest.fixture
def leaving(phone, employee):
    return open_return(device=phone, by=employee)


def _refreshed(*objects):
    for obj in objects:
        obj.refresh_from_db()
    return objects


# The service: who, which states, the reason.


def test_the_reporter_cancels_a_reported_case_and_the_desk_is_told(
    repair, phone, employee, logistics
):
    event = services.cancel_repair_case(by=employee, case_id=repair.pk, reason=REASON)
    _refreshed(repair, phone)
    assert repair.state == RepairState.CANCELLED
    assert (event.from_state, event.to_state, event.comment) == ("reported", "cancelled", REASON)
    assert phone.state == DeviceState.ASSIGNED and phone.assignee == employee
    told = Notification.objects.get(recipient=logistics, key=f"repaircase:{repair.pk}:cancelled")
    assert told.body == REASON
    assert not Notification.objects.filter(recipient=employee, key__endswith=":cancelled")


def test_the_desk_cancels_a_triaged_case_the_loaner_goes_back_and_the_reporter_is_told(
    repair, phone, employee, logistics
):
    loaner = DeviceFactory()
    services.triage_case(by=logistics, case_id=repair.pk)
    services.lend_loaner(by=logistics, case_id=repair.pk, loaner_id=loaner.pk)
    services.cancel_repair_case(by=logistics, case_id=repair.pk, reason="  Reported twice\n ")
    _refreshed(repair, phone, loaner)
    assert repair.state == RepairState.CANCELLED and not repair.loaner_out
    assert (loaner.state, loaner.assignee) == (DeviceState.IN_STOCK, None)
    assert phone.state == DeviceState.ASSIGNED
    assert repair.events.get(to_state="cancelled").comment == "Reported twice"
    assert Notification.objects.filter(recipient=employee, key=f"repaircase:{repair.pk}:cancelled")
    assert not Notification.objects.filter(recipient=logistics, key__endswith=":cancelled")


def test_the_reporter_with_a_loaner_out_is_sent_to_the_desk(
    client_for, repair, employee, logistics
):
    loaner = DeviceFactory()
    services.triage_case(by=logistics, case_id=repair.pk)
    services.lend_loaner(by=logistics, case_id=repair.pk, loaner_id=loaner.pk)
    with pytest.raises(RuleViolation, match="loaner is out"):
        services.cancel_repair_case(by=employee, case_id=repair.pk, reason=REASON)
    _refreshed(repair, loaner)
    assert repair.state == RepairState.TRIAGED and loaner.state == DeviceState.LOANED
    page = client_for(employee).get(reverse("devices:repair_case", args=[repair.pk]))
    assert reverse("devices:repair_action", args=[repair.pk, "cancel"]) not in page.content.decode()


def test_a_cancelled_case_gets_no_loaner_and_does_not_block_a_new_report(
    repair, phone, employee, logistics
):
    services.cancel_repair_case(by=employee, case_id=repair.pk, reason=REASON)
    with pytest.raises(RuleViolation):
        services.lend_loaner(by=logistics, case_id=repair.pk, loaner_id=DeviceFactory().pk)
    again = open_repair(device=phone, by=employee)
    assert again.state == RepairState.REPORTED


def test_a_case_on_its_way_to_the_partner_cannot_be_cancelled(repair, employee, logistics):
    services.triage_case(by=logistics, case_id=repair.pk)
    services.ship_case(by=logistics, case_id=repair.pk, carrier="Posten", tracking_number="T1")
    with pytest.raises(IllegalTransition):
        services.cancel_repair_case(by=logistics, case_id=repair.pk, reason=REASON)
    assert _refreshed(repair)[0].state == RepairState.IN_TRANSIT


@pytest.mark.parametrize("persona", ["manager", "appowner", "reviewer"])
def test_only_the_reporter_or_the_desk_cancels(repair, personas, persona):
    with pytest.raises(NotPermitted):
        services.cancel_repair_case(by=personas[persona], case_id=repair.pk, reason=REASON)
    assert _refreshed(repair)[0].state == RepairState.REPORTED


@pytest.mark.parametrize("reason", ["", "   \n ", "x" * (services.MAX_CANCEL_REASON + 1)])
def test_a_cancellation_needs_a_short_reason(repair, leaving, employee, reason):
    with pytest.raises(RuleViolation) as refused:
        services.cancel_repair_case(by=employee, case_id=repair.pk, reason=reason)
    assert refused.value.field == "reason"
    with pytest.raises(RuleViolation):
        services.cancel_return(by=employee, case_id=leaving.pk, reason=reason)
    assert _refreshed(repair, leaving)[0].state == RepairState.REPORTED
    assert leaving.state == ReturnState.REQUESTED
    assert not Notification.objects.filter(key__endswith=":cancelled")


def test_the_requester_cancels_a_requested_return_and_keeps_the_device(
    leaving, phone, employee, logistics
):
    services.cancel_return(by=employee, case_id=leaving.pk, reason="I stay after all")
    _refreshed(leaving, phone)
    assert leaving.state == ReturnState.CANCELLED
    assert (phone.state, phone.assignee) == (DeviceState.ASSIGNED, employee)
    assert Notification.objects.filter(
        recipient=logistics, key=f"returncase:{leaving.pk}:cancelled"
    )
    assert open_return(device=phone, by=employee).state == ReturnState.REQUESTED


def test_a_return_on_its_way_cannot_be_cancelled_and_only_its_people_may(
    leaving, employee, manager, logistics
):
    with pytest.raises(NotPermitted):
        services.cancel_return(by=manager, case_id=leaving.pk, reason=REASON)
    services.ship_return(by=employee, case_id=leaving.pk)
    with pytest.raises(IllegalTransition):
        services.cancel_return(by=logistics, case_id=leaving.pk, reason=REASON)
    assert _refreshed(leaving)[0].state == ReturnState.IN_TRANSIT


# The pages: the form is there only for those who may cancel; the timeline shows why.


def test_the_reporter_cancels_from_the_case_page_and_the_timeline_says_why(
    client_for, repair, employee
):
    client = client_for(employee)
    page = client.get(reverse("devices:repair_case", args=[repair.pk])).content.decode()
    url = reverse("devices:repair_action", args=[repair.pk, "cancel"])
    assert f'action="{url}"' in page and 'name="reason"' in page
    response = client.post(url, {"reason": REASON}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and "Cancelled" in html and REASON in html
    assert f'action="{url}"' not in html


def test_an_empty_reason_is_refused_on_the_page(client_for, repair, employee):
    url = reverse("devices:repair_action", args=[repair.pk, "cancel"])
    response = client_for(employee).post(url, {"reason": ""})
    assert response.status_code == 400
    assert _refreshed(repair)[0].state == RepairState.REPORTED


def test_the_manager_sees_no_cancel_form_and_is_refused(client_for, repair, manager):
    client = client_for(manager)
    page = client.get(reverse("devices:repair_case", args=[repair.pk])).content.decode()
    assert 'name="reason"' not in page
    url = reverse("devices:repair_action", args=[repair.pk, "cancel"])
    assert client.post(url, {"reason": REASON}).status_code == 403
    assert _refreshed(repair)[0].state == RepairState.REPORTED


def test_the_requester_cancels_a_return_from_its_page(client_for, leaving, employee):
    url = reverse("devices:return_action", args=[leaving.pk, "cancel"])
    client = client_for(employee)
    assert (
        f'action="{url}"'
        in client.get(reverse("devices:return_case", args=[leaving.pk])).content.decode()
    )
    response = client.post(url, {"reason": "I stay after all"}, follow=True)
    assert "I stay after all" in response.content.decode()
    assert ReturnCaseEvent.objects.filter(case=leaving, to_state="cancelled").exists()


# The admin and the API.


def test_the_desk_cancels_from_the_admin(client_for, repair, leaving, logistics):
    client = client_for(logistics)
    page = client.get(f"/admin/devices/repaircase/{repair.pk}/change/").content.decode()
    assert "action-cancel" in page
    response = client.post(
        f"/admin/devices/repaircase/{repair.pk}/action/cancel/", {"reason": REASON}
    )
    assert response.status_code == 302
    response = client.post(
        f"/admin/devices/returncase/{leaving.pk}/action/cancel/", {"reason": REASON}
    )
    assert response.status_code == 302
    assert _refreshed(repair)[0].state == RepairState.CANCELLED
    assert leaving.__class__.objects.get(pk=leaving.pk).state == ReturnState.CANCELLED


def _api(pk, name, kind="repair"):
    return reverse(f"api:{kind}_case_action", kwargs={"pk": pk, "name": name})


def test_the_api_cancels_with_the_same_rules(api_client, repair, leaving, employee, manager):
    api_client.force_login(manager)
    refused = api_client.post(_api(repair.pk, "cancel"), {"reason": REASON})
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    api_client.force_login(employee)
    detail = api_client.get(reverse("api:repair_case_detail", kwargs={"pk": repair.pk})).json()
    assert [a["name"] for a in detail["allowed_actions"]] == ["cancel"]
    blank = api_client.post(_api(repair.pk, "cancel"), {"reason": ""})
    assert blank.status_code == 400 and "reason" in blank.json()["fields"]
    done = api_client.post(_api(repair.pk, "cancel"), {"reason": REASON})
    assert done.status_code == 200 and done.json()["state"] == "cancelled"
    assert done.json()["events"][-1]["comment"] == REASON
    again = api_client.post(_api(repair.pk, "cancel"), {"reason": REASON})
    assert again.status_code == 409 and again.json()["code"] == "illegal_transition"
    returned = api_client.post(_api(leaving.pk, "cancel", "return"), {"reason": REASON})
    assert returned.status_code == 200 and returned.json()["state"] == "cancelled"
    assert RepairCaseEvent.objects.filter(case=repair, to_state="cancelled").count() == 1


def test_the_cancel_action_is_in_the_published_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for kind in ("repair-cases", "return-cases"):
        operation = schema["paths"][f"/api/v1/{kind}/{{id}}/actions/{{name}}/"]["post"]
        name = next(p for p in operation["parameters"] if p["name"] == "name")
        assert "cancel" in name["schema"]["enum"]
    action_input = schema["components"]["schemas"]["ActionInputRequest"]["properties"]
    assert action_input["reason"]["maxLength"] == services.MAX_CANCEL_REASON
    assert "cancelled" in schema["components"]["schemas"]["RepairStateEnum"]["enum"]


# Two people at once: the desk ships while the reporter cancels; one of them wins.


@pytest.mark.django_db(transaction=True)
def test_cancel_and_ship_at_once_cannot_both_succeed(employee, logistics):
    import threading

    from django.db import connection

    device = held_device(holder=employee, desk=logistics)
    case = open_repair(device=device, by=employee)
    services.triage_case(by=logistics, case_id=case.pk)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(name):
        try:
            barrier.wait(timeout=10)
            if name == "cancel":
                services.cancel_repair_case(by=employee, case_id=case.pk, reason=REASON)
            else:
                services.ship_case(
                    by=logistics, case_id=case.pk, carrier="Posten", tracking_number="T9"
                )
            outcomes.append(name)
        except IllegalTransition:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(n,)) for n in ("cancel", "ship")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcomes) == 2 and outcomes.count("refused") == 1
    case.refresh_from_db()
    device.refresh_from_db()
    if "cancel" in outcomes:
        assert (case.state, device.state) == (RepairState.CANCELLED, DeviceState.ASSIGNED)
    else:
        assert (case.state, device.state) == (RepairState.IN_TRANSIT, DeviceState.IN_REPAIR)
    assert case.events.exclude(from_state="").count() == 2  # triaged, then the winner
