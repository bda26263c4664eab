"""Notifications about a case do not stay unread once the case has moved on: the desk's
"new case" is done with when someone acts on it, and a person's earlier news of their case
is superseded by the latest step. The success message names the step once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from devices import services
from devices.choices import ReturnReason
from portal.models import Notification
from tests.devices.factories import held_device, open_repair, open_return

pytestmark = pytest.mark.django_db


def unread(user, key_start):
    return Notification.objects.filter(
        recipient=user, key__startswith=key_start, read_at__isnull=True
    ).count()


def test_the_desks_new_case_notice_is_done_with_once_the_case_is_triaged(
    employee, logistics, admin_user
):
    device = held_device(holder=employee, desk=logistics)
    case = open_repair(device=device, by=employee)
    assert unread(logistics, f"repaircase:{case.pk}:") == 1
    assert unread(admin_user, f"repaircase:{case.pk}:") == 1
    services.triage_case(by=logistics, case_id=case.pk)
    assert unread(logistics, f"repaircase:{case.pk}:") == 0
    assert unread(admin_user, f"repaircase:{case.pk}:") == 0


def test_a_persons_earlier_news_of_a_case_is_superseded_by_the_latest(employee, logistics):
    device = held_device(holder=employee, desk=logistics)
    case = open_return(device=device, by=employee, reason=ReturnReason.LEAVING)
    services.ship_return(by=employee, case_id=case.pk)
    services.receive_return(by=logistics, case_id=case.pk)
    assert unread(employee, f"returncase:{case.pk}:") == 1  # "received"
    services.record_wipe(
        by=logistics, case_id=case.pk, method="factory_reset", certificate="WIPE-1"
    )
    assert unread(employee, f"returncase:{case.pk}:") == 0


def test_other_cases_notices_stay_unread(employee, logistics):
    first = open_repair(device=held_device(holder=employee, desk=logistics), by=employee)
    second = open_repair(device=held_device(holder=employee, desk=logistics), by=employee)
    services.triage_case(by=logistics, case_id=first.pk)
    assert unread(logistics, f"repaircase:{second.pk}:") == 1


def test_a_step_done_on_the_page_is_named_once(client_for, employee, logistics):
    case = open_repair(device=held_device(holder=employee, desk=logistics), by=employee)
    response = client_for(logistics).post(
        reverse("devices:repair_action", args=[case.pk, "triage"]), {}, follow=True
    )
    [message] = [str(m) for m in response.context["messages"]]
    assert message == "Triage."
    assert "Done: Done:" not in response.content.decode()
