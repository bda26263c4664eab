"""The fleet's and the team's filter forms are written once per process (language, field
and the values asked for) and still follow what they list: a device model or a
department added since is in the select on the next page, a value asked for is selected,
and a field with an error is written afresh."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from portal.models import Department
from tests.devices.factories import DeviceFactory, DeviceModelFactory

pytestmark = pytest.mark.django_db

FLEET = reverse("devices:fleet")
TEAM = reverse("devices:team")


def _select(html: str, name: str) -> str:
    return re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)


def test_a_model_added_since_is_in_the_fleet_and_team_selects(client_for, logistics, manager):
    DeviceFactory(model=DeviceModelFactory(manufacturer="Zebra", name="TC21"))
    for user, url in ((logistics, FLEET), (manager, TEAM)):
        client = client_for(user)
        first = _select(client.get(url).content.decode(), "model")
        assert "Zebra TC21" in first and "Zebra TC58" not in first
        client.get(url)  # kept
    DeviceModelFactory(manufacturer="Zebra", name="TC58")
    for user, url in ((logistics, FLEET), (manager, TEAM)):
        models = _select(client_for(user).get(url).content.decode(), "model")
        assert "Zebra TC21" in models and "Zebra TC58" in models


def test_a_department_added_since_is_in_the_fleet_select(client_for, logistics):
    client = client_for(logistics)
    assert "Harbour depot" not in _select(client.get(FLEET).content.decode(), "department")
    Department.objects.create(name="Harbour depot", code="HARB", cost_centre="HARB")
    assert "Harbour depot" in _select(client.get(FLEET).content.decode(), "department")


def test_the_value_asked_for_is_selected_and_an_error_is_written_afresh(client_for, logistics):
    client = client_for(logistics)
    client.get(FLEET)
    chosen = _select(client.get(FLEET, {"state": "in_stock"}).content.decode(), "state")
    assert '<option value="in_stock" selected>' in chosen
    plain = _select(client.get(FLEET).content.decode(), "state")
    assert "selected>" in plain and '<option value="in_stock" selected>' not in plain
    wrong = client.get(FLEET, {"age": "forever"}).content.decode()
    assert 'aria-invalid="true"' in wrong
    assert 'aria-invalid="true"' not in client.get(FLEET, {"age": "0-1"}).content.decode()
