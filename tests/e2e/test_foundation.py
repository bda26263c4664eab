"""Sign-in, staff MFA enrolment, the page shell in every language and on small screens.

Each page a journey reaches is checked with axe (WCAG 2.0/2.1 A and AA).
"""

from __future__ import annotations

import base64
import gettext
import hmac
import re
import struct
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from portal.choices import Role
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_no_horizontal_scroll,
    sign_in,
    submit,
)
from tests.factories import TEST_PASSWORD, UserFactory

SKIP_LINK_TEXT = "Skip to main content"


def totp_code(secret: str, *, at: float | None = None) -> str:
    """RFC 6238 with allauth's defaults: HMAC-SHA1, 30-second steps, 6 digits."""
    key = base64.b32decode(secret.replace(" ", "").upper() + "=" * (-len(secret) % 8))
    counter = int(time.time() if at is None else at) // 30
    digest = hmac.new(key, struct.pack(">Q", counter), "sha1").digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def fresh_totp_code(secret: str) -> str:
    """A code with at least 3 seconds left, so it is still valid when the server checks it."""
    if 30 - time.time() % 30 < 3:
        time.sleep(30 - time.time() % 30 + 0.1)
    return totp_code(secret)


def test_totp_code_matches_rfc_6238_test_vector():
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp_code(secret, at=59) == "287082"
    assert totp_code(secret, at=1111111109) == "081804"


def test_assert_accessible_lists_every_violation(page):
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main>'
        '<img src="a.png" id="no-alt"><input id="no-label">'
        "</main></body></html>"
    )
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    assert "image-alt" in str(failure.value) and "#no-alt" in str(failure.value)
    assert "label" in str(failure.value) and "#no-label" in str(failure.value)


def test_employee_signs_in_with_the_form_and_lands_on_home(page, live_server, employee):
    sign_in(page, live_server, employee)
    assert page.url == f"{live_server.url}/"
    assert page.get_by_role("heading", level=1).inner_text() == f"Welcome, {employee.first_name}"


def test_wrong_password_shows_an_error_and_signs_nobody_in(page, live_server, employee):
    sign_in(page, live_server, employee, password="not-the-password")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    alert = page.get_by_role("alert")
    assert "not correct" in alert.inner_text()
    assert_accessible(page)
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_sign_in_and_home_have_no_axe_violations(new_page, live_server, employee, viewport):
    page = new_page(**viewport)
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)
    sign_in(page, live_server, employee)
    assert page.url == f"{live_server.url}/"
    assert_accessible(page)
    page.locator(".account-menu summary").click()
    assert_accessible(page)


def test_sign_in_and_home_fit_a_320px_screen(new_page, live_server, employee):
    page = new_page(width=320, height=640)
    page.goto(f"{live_server.url}/accounts/login/")
    assert_no_horizontal_scroll(page)
    sign_in(page, live_server, employee)
    assert_no_horizontal_scroll(page)
    # The open account menu lies inside the screen, not cut off at either edge.
    page.locator(".account-menu summary").click()
    for item in page.locator(".account-menu li").all():
        box = item.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320, item.inner_text()
    assert_no_horizontal_scroll(page)


@pytest.mark.parametrize("start", ["/accounts/login/", "/"], ids=["sign-in", "home"])
def test_skip_link_is_first_focusable_and_moves_focus_to_main(page, live_server, employee, start):
    if start == "/":
        sign_in(page, live_server, employee)
    page.goto(f"{live_server.url}{start}")
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.hash]")
    assert focused == ["skip-link", "#main"]
    box = page.locator(".skip-link").bounding_box()
    assert box["y"] >= 0, "the focused skip link is visible"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def switch_language(page, code: str) -> None:
    page.locator("#language-select").select_option(code)
    submit(page, ".language-form")


def translated(code: str, message: str) -> str | None:
    """The compiled catalogue's translation of `message`, if it has one yet."""
    mo = Path(django_settings.BASE_DIR) / "locale" / code / "LC_MESSAGES" / "django.mo"
    if not mo.exists():
        return None
    with mo.open("rb") as catalogue:
        text = gettext.GNUTranslations(catalogue).gettext(message)
    return text if text != message else None


@pytest.mark.parametrize("code", ["en", "nb", "sv"])
def test_home_in_each_language(page, live_server, employee, code):
    sign_in(page, live_server, employee)
    # Arrive from another language, so English is a real switch too.
    switch_language(page, "sv" if code == "en" else "en")
    switch_language(page, code)
    assert page.url == f"{live_server.url}/"
    assert page.locator("html").get_attribute("lang") == code
    skip_link = page.locator(".skip-link").text_content().strip()
    if code == "en":
        assert skip_link == SKIP_LINK_TEXT
    elif translated(code, SKIP_LINK_TEXT):
        assert skip_link != SKIP_LINK_TEXT
    assert_accessible(page)
    employee.refresh_from_db()
    assert employee.preferred_language == code


def test_staff_member_enrols_totp_before_reaching_anything_else(page, live_server, settings):
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = True
    reviewer = UserFactory(roles=[Role.IT_REVIEWER])
    sign_in(page, live_server, reviewer)
    # allauth asks for the password once more before a second factor is added.
    assert page.url.startswith(f"{live_server.url}/accounts/reauthenticate/")
    assert_accessible(page)
    page.locator("main input[name=password]").fill(TEST_PASSWORD)
    submit(page)
    assert page.url == f"{live_server.url}/accounts/2fa/totp/activate/"
    assert_accessible(page)

    page.goto(f"{live_server.url}/admin/")
    assert page.url == f"{live_server.url}/accounts/2fa/totp/activate/", "no admin before MFA"
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("main input[name=code]").fill(fresh_totp_code(secret))
    submit(page)

    assert page.url == f"{live_server.url}/accounts/2fa/recovery-codes/"
    codes = re.findall(r"\b\d{8}\b", page.locator("#recovery_codes").input_value())
    assert len(codes) == 10
    assert_accessible(page)
    assert reviewer.authenticator_set.filter(type="totp").exists()

    page.goto(f"{live_server.url}/")
    assert page.url == f"{live_server.url}/"
    page.goto(f"{live_server.url}/admin/")
    assert page.url == f"{live_server.url}/admin/"
    assert page.locator("#site-name").is_visible()


def test_the_portals_error_pages_are_accessible_and_lead_back(page, live_server, trainer):
    sign_in(page, live_server, trainer)
    for url, status in (("/training/", 404), ("/admin/", 403)):
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == status
        nav = page.get_by_role("navigation", name="Main")
        assert nav.get_by_role("link", name="Home").is_visible()
        assert page.locator("main").get_by_role("link", name="Go to the home page").is_visible()
        assert_accessible(page)
