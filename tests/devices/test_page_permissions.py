"""Every role against every devices page, for a device (and its cases) of the employee's
department and one of another department. The expected answer is computed from the rule
(holder, line manager of the department, the desk), not written out case by case."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from devices import services
from devices.choices import FaultCategory, ReturnReason
from tests.devices.factories import DeviceFactory, held_device

pytestmark = pytest.mark.django_db
PERSONAS = ["employee", "manager", "appowner", "reviewer", "logistics", "trainer", "admin"]
DESK = {"logistics", "admin"}


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 90, 0)).save(buffer, "PNG")
    return SimpleUploadedFile("fault.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def world(personas, employee, appowner, logistics):
    objects = {}
    for side, holder in (("ours", employee), ("theirs", appowner)):
        broken = held_device(holder=holder, desk=logistics)
        leaving = held_device(holder=holder, desk=logistics)
        spare = held_device(holder=holder, desk=logistics)
        repair = services.report_fault(
            by=holder,
            device_id=broken.pk,
            category=FaultCategory.SCREEN,
            description="Cracked",
            photos=[_png()],
        )
        ret = services.request_return(
            by=holder, device_id=leaving.pk, reason=ReturnReason.NO_LONGER_NEEDED
        )
        objects[side] = {
            "device": broken,
            "spare": spare,
            "repair": repair,
            "photo": repair.photos.get(),
            "return": ret,
        }
    return personas, objects


def _sees(persona, side):
    return persona in DESK or {"ours": {"employee", "manager"}, "theirs": {"appowner"}}[side] >= {
        persona
    }


def _acts(persona, side):
    return persona in {"ours": {"employee", "manager"}, "theirs": {"appowner"}}[side]


def _requests(objects):
    """(surface, method, url, data) for each object-bound page."""
    d, spare, r, p, t = (
        objects["device"],
        objects["spare"],
        objects["repair"],
        objects["photo"],
        objects["return"],
    )
    return [
        ("device", "get", reverse("devices:device", args=[d.pk]), None),
        ("report_form", "get", reverse("devices:report_fault", args=[spare.pk]), None),
        (
            "report",
            "post",
            reverse("devices:report_fault", args=[spare.pk]),
            {"category": "battery", "description": "Dies by noon"},
        ),
        ("return_form", "get", reverse("devices:request_return", args=[spare.pk]), None),
        (
            "return",
            "post",
            reverse("devices:request_return", args=[spare.pk]),
            {"reason": "upgrade"},
        ),
        ("repair_page", "get", reverse("devices:repair_case", args=[r.pk]), None),
        ("photo", "get", reverse("devices:photo", args=[r.pk, p.pk]), None),
        ("triage", "post", reverse("devices:repair_action", args=[r.pk, "triage"]), {}),
        ("return_page", "get", reverse("devices:return_case", args=[t.pk]), None),
        ("receive", "post", reverse("devices:return_action", args=[t.pk, "receive"]), {}),
        ("assign", "post", reverse("devices:assign", args=[d.pk]), {"person": "employee"}),
        ("repair_label", "get", reverse("devices:repair_label", args=[r.pk]), None),
        ("return_label", "get", reverse("devices:return_label", args=[t.pk]), None),
    ]


def _expected(surface, persona, side):
    sees, acts, desk = _sees(persona, side), _acts(persona, side), persona in DESK
    if surface in ("device", "repair_page", "photo", "return_page", "return_label"):
        return 200 if sees else 404
    if surface in ("report_form", "return_form"):
        return 200 if acts else 404
    if surface in ("report", "return"):
        return 302 if acts else 404
    if surface == "repair_label":
        return 200 if desk else 403 if sees else 404
    if surface in ("triage", "receive"):
        return 302 if desk else 403 if sees else 404
    if surface == "assign":  # only the desk; the device is not in stock, so it is refused
        return 409 if desk else 403
    raise AssertionError(surface)


@pytest.mark.parametrize("side", ["ours", "theirs"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_object_pages(world, client_for, persona, side):
    people, objects = world
    client = client_for(people[persona])
    for surface, method, url, data in _requests(objects[side]):
        response = (
            getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        )
        expected = _expected(surface, persona, side)
        assert response.status_code == expected, (surface, persona, side, response.status_code)


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_pages(world, client_for, persona):
    people, _ = world
    client = client_for(people[persona])
    desk = persona in DESK
    expected = {
        "devices:mine": 200,
        "devices:team": 200 if persona == "manager" else 403,
        "devices:fleet": 200 if desk else 403,
        "devices:desk": 200 if desk else 403,
        "devices:export": 200 if desk or persona == "manager" else 403,
    }
    for name, status in expected.items():
        assert client.get(reverse(name)).status_code == status, (name, persona)


def test_signed_out_visitors_are_sent_to_sign_in(world, client):
    _, objects = world
    for _surface, method, url, _data in _requests(objects["ours"]):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_in_stock_device_is_seen_by_the_desk_only(client_for, personas):
    device = DeviceFactory()
    url = reverse("devices:device", args=[device.pk])
    for persona in PERSONAS:
        user = personas[persona]
        assert client_for(user).get(url).status_code == (200 if persona in DESK else 404)
