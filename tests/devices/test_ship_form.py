"""The desk's ship form starts with the case's repair partner (or, when the case has
none, its device model's default), on the case page and in the admin alike."""

from __future__ import annotations

import pytest
from django.urls import reverse

from devices import services
from devices.models import RepairCase
from tests.devices.factories import DeviceModelFactory, held_device, open_repair

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = False


def _partner_input(html: str) -> str:
    start = html.index('name="repair_partner"')
    tag = html[html.rindex("<input", 0, start) : html.index(">", start)]
    return tag


@pytest.fixture
def triaged(employee, logistics):
    model = DeviceModelFactory(default_repair_partner="Fixit Oslo AS")
    case = open_repair(
        device=held_device(holder=employee, desk=logistics, model=model), by=employee
    )
    services.triage_case(by=logistics, case_id=case.pk)
    return case


def test_the_ship_form_starts_with_the_cases_repair_partner(client_for, triaged, logistics):
    client = client_for(logistics)
    page = client.get(reverse("devices:repair_case", args=[triaged.pk])).content.decode()
    assert 'value="Fixit Oslo AS"' in _partner_input(page)
    admin = client.get(f"/admin/devices/repaircase/{triaged.pk}/change/").content.decode()
    assert 'value="Fixit Oslo AS"' in _partner_input(admin)


def test_without_a_partner_on_the_case_the_models_default_is_offered(
    client_for, triaged, logistics
):
    RepairCase.objects.filter(pk=triaged.pk).update(repair_partner="")
    page = client_for(logistics).get(reverse("devices:repair_case", args=[triaged.pk]))
    assert 'value="Fixit Oslo AS"' in _partner_input(page.content.decode())
