"""Journey 3 of PRODUCT.md in the browser: an employee on a phone reports a fault, the
desk triages, lends a loaner, ships, records the repair and hands it back; a manager
returns a leaver's device, the desk receives, wipes (certificate) and recycles it.
axe checks every devices page on the way."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from devices import services
from devices.choices import DeviceState, RepairState, ReturnState
from devices.models import Device, RepairCase, ReturnCase
from tests.devices.factories import DeviceFactory, DeviceModelFactory, held_device
from tests.e2e.conftest import (
    assert_accessible,
    assert_no_horizontal_scroll,
    broken_words,
    sign_in,
    submit,
)
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def staff_without_mfa(settings):
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = False


def _png() -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 40, 40)).save(buffer, "PNG")
    return {"name": "crack.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def _act(page, label: str, fields: dict | None = None) -> None:
    """Open the desk action called `label`, fill its form and send it."""
    box = page.locator("details.case-action", has=page.locator("summary", has_text=label))
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    for name, value in (fields or {}).items():
        field = box.locator(f"[name={name}]")
        if field.first.get_attribute("type") == "radio":
            box.locator(f"[name={name}][value={value}]").check()
        elif field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    with page.expect_navigation():
        box.locator("button[type=submit]").click()
    assert page.locator(".message--error").count() == 0, page.locator("main").inner_text()


def test_fault_with_loaner_and_repair(new_page, phone_page, live_server, employee, logistics):
    model = DeviceModelFactory(manufacturer="Samsung", name="Galaxy XCover7")
    phone = held_device(holder=employee, desk=logistics, model=model, serial_number="R58X0001")
    tablet_model = DeviceModelFactory(
        manufacturer="Apple", name="iPad (10th generation)", category="tablet"
    )
    held_device(holder=employee, desk=logistics, model=tablet_model, serial_number="DMPX0002")
    DeviceFactory(model=model, serial_number="LOAN0001")

    # The nurse, on her phone between two visits.
    page = phone_page
    sign_in(page, live_server, employee)
    page.goto(f"{live_server.url}/devices/")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    card = page.locator(".device-card", has_text="R58X0001")
    with page.expect_navigation():
        card.get_by_role("link", name="Report a fault").click()
    assert_accessible(page)
    page.get_by_label("Screen").check()
    page.get_by_label("What happened").fill("Dropped it in the car park; the screen is cracked.")
    page.get_by_label("My data is backed up").check()
    page.locator("input[type=file]").set_input_files(_png())
    submit(page)
    case = RepairCase.objects.get(device=phone)
    assert page.url.endswith(f"/devices/repairs/{case.pk}/")
    assert "Fault reported" in page.locator("main").inner_text()
    assert page.locator(".photo-list img").count() == 1
    assert_accessible(page)
    assert_no_horizontal_scroll(page)

    # The logistics desk, at a desktop.
    desk = new_page(width=1280, height=900)
    sign_in(desk, live_server, logistics)
    desk.goto(f"{live_server.url}/devices/desk/")
    assert_accessible(desk)
    with desk.expect_navigation():
        desk.get_by_role("link", name=f"#{case.pk} Samsung Galaxy XCover7").click()
    assert_accessible(desk)
    _act(desk, "Triage", {"comment": "Screen swap at the partner"})
    _act(desk, "Lend a loaner", {"device": "LOAN0001"})
    _act(
        desk, "Send to the repair partner", {"carrier": "Posten", "tracking_number": "70710000123"}
    )
    _act(desk, "Arrived at the repair partner")
    _act(
        desk,
        "Record the outcome",
        {"outcome": "repaired", "cost": "890", "warranty_covered": "false"},
    )
    assert_accessible(desk)
    _act(desk, "Back with the user")
    _act(desk, "Close the case")
    assert "Closed" in desk.locator(".lead").inner_text()

    case.refresh_from_db()
    assert case.state == RepairState.CLOSED and case.returned_at
    assert Device.objects.get(serial_number="LOAN0001").state == DeviceState.IN_STOCK
    # Back on the phone: the device is hers again and the case reads as done.
    page.goto(f"{live_server.url}/devices/repairs/{case.pk}/")
    assert "Screen swap at the partner" in page.locator("main").inner_text()
    page.goto(f"{live_server.url}/devices/")
    assert page.locator(".device-card", has_text="R58X0001").locator(".case-note").count() == 0


def test_leaver_return_with_wipe_and_recycling(
    new_page, live_server, manager, logistics, department
):
    leaver = UserFactory(
        username="leaver", department=department, first_name="Lea", last_name="Ver"
    )
    device = held_device(holder=leaver, desk=logistics, serial_number="LEAV0001")

    page = new_page(width=1280, height=900)
    sign_in(page, live_server, manager)
    page.goto(f"{live_server.url}/devices/team/")
    assert_accessible(page)
    page.get_by_label("Search").fill("leav")
    page.wait_for_function("document.querySelectorAll('#device-results tbody tr').length === 1")
    with page.expect_navigation():
        page.get_by_role("link", name="LEAV0001").click()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Return it").click()
    assert_accessible(page)
    page.get_by_label("Leaving").check()
    submit(page)
    case = ReturnCase.objects.get(device=device)
    assert case.requested_by == manager
    with page.expect_navigation():
        page.get_by_role("link", name="Print the return label").click()
    assert f"#R{case.pk}" in page.locator(".label").inner_text()
    assert_accessible(page)

    desk = new_page(width=1280, height=900)
    sign_in(desk, live_server, logistics)
    desk.goto(f"{live_server.url}/devices/returns/{case.pk}/")
    assert_accessible(desk)
    _act(desk, "Received at the desk")
    box = desk.locator(
        "details.case-action", has=desk.locator("summary", has_text="Record the data wipe")
    )
    with desk.expect_navigation():
        box.locator("button[type=submit]").click()  # no certificate: refused, said why
    assert desk.locator(".field__error").count() >= 1
    assert_accessible(desk)
    _act(desk, "Record the data wipe", {"method": "mdm_remote", "certificate": "WIPE-2026-0107"})
    _act(desk, "Redeploy, refurbish or recycle", {"outcome": "recycled"})
    _act(desk, "Close the case")
    case.refresh_from_db()
    device.refresh_from_db()
    assert case.state == ReturnState.CLOSED and case.wipe_certificate == "WIPE-2026-0107"
    assert device.state == DeviceState.RETIRED

    desk.goto(f"{live_server.url}/devices/fleet/?q=LEAV")
    assert_accessible(desk)
    desk.goto(f"{live_server.url}/devices/{device.pk}/")
    assert "WIPE-2026-0107" not in desk.locator("main").inner_text()  # it is on the case
    assert_accessible(desk)


# On a 390 px phone the device tables are cards, and no word is broken mid-way.


def test_device_tables_are_cards_on_a_phone_with_no_word_broken(
    phone_page, live_server, employee, manager, logistics
):
    model = DeviceModelFactory(
        manufacturer="Zebra Technologies", name="TC58e Hjemmesykepleieterminal"
    )
    for n in range(3):
        device = held_device(
            holder=employee, desk=logistics, model=model, serial_number=f"ZEBRA-TC58E-{n:06d}"
        )
        services.report_fault(
            by=employee, device_id=device.pk, category="screen", description="Cracked"
        )
    open_return = held_device(holder=employee, desk=logistics, model=model)
    services.request_return(by=employee, device_id=open_return.pk, reason="upgrade")
    page = phone_page
    sign_in(page, live_server, logistics)
    for path in ("/devices/desk/", "/devices/fleet/"):
        page.goto(f"{live_server.url}{path}")
        display = page.evaluate("getComputedStyle(document.querySelector('.table tr')).display")
        assert display == "block", path
        assert broken_words(page) == [], path
        assert_no_horizontal_scroll(page)
        assert_accessible(page)
    page.context.clear_cookies()
    sign_in(page, live_server, manager)
    page.goto(f"{live_server.url}/devices/team/")
    assert broken_words(page) == []
    assert_no_horizontal_scroll(page)
    nav = page.locator("nav.main-nav")
    assert nav.get_by_role("link", name="My department's devices").count() == 1


def test_the_reporter_cancels_a_repair_on_a_phone(phone_page, live_server, employee, logistics):
    device = held_device(holder=employee, desk=logistics, serial_number="CANCEL0001")
    case = services.report_fault(
        by=employee, device_id=device.pk, category="software", description="Frozen"
    )
    page = phone_page
    sign_in(page, live_server, employee)
    page.goto(f"{live_server.url}/devices/repairs/{case.pk}/")
    box = page.locator("details.case-action", has=page.locator("summary", has_text="Cancel"))
    assert box.get_attribute("open") is None  # a cancel form is never open by itself
    box.locator("summary").click()
    assert_accessible(page)
    _act(page, "Cancel the case", {"reason": "It works again after a restart"})
    assert "It works again after a restart" in page.locator(".timeline").inner_text()
    assert page.locator("details.case-action").count() == 0
    assert_accessible(page)
    case.refresh_from_db()
    assert case.state == RepairState.CANCELLED
