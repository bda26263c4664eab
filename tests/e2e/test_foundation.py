"""Sign-in, MFA enrolment, the page shell in every language, with axe on each page."""

from __future__ import annotations

import base64
import hmac
import struct
import time

import pytest

from portal.choices import Role
from tests.e2e.conftest import assert_accessible, no_horizontal_scroll, sign_in
from tests.factories import TEST_PASSWORD, UserFactory


def totp_now(secret: str) -> str:
    """RFC 6238 with the defaults allauth uses (SHA-1, 30 s, 6 digits)."""
    key = base64.b32decode(secret.replace(" ", "").upper(), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), "sha1").digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def test_employee_signs_in_and_lands_on_home(page, live_server, employee):
    sign_in(page, live_server, employee)
    assert page.url == f"{live_server.url}/"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")
    assert_accessible(page)


def test_wrong_password_shows_an_error(page, live_server, employee):
    sign_in(page, live_server, employee, password="not-the-password")
    assert "/accounts/login/" in page.url
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page)


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_sign_in_and_home_are_accessible_and_fit_the_screen(browser, live_server, employee, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        assert_accessible(page)
        assert no_horizontal_scroll(page)
        sign_in(page, live_server, employee)
        assert_accessible(page)
        assert no_horizontal_scroll(page)
    finally:
        context.close()


def test_skip_link_is_first_and_moves_focus_to_main(page, live_server, employee):
    sign_in(page, live_server, employee)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize(
    ("language", "label"), [("nb", "Norsk bokmål"), ("sv", "Svenska"), ("en", "English")]
)
def test_home_in_each_language(page, live_server, employee, language, label):
    sign_in(page, live_server, employee)
    page.get_by_label("Language").select_option(language)
    page.locator(".language-form button").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page)
    employee.refresh_from_db()
    assert employee.preferred_language == language


def test_staff_enrol_totp_before_anything_else(page, live_server, settings):
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = True
    reviewer = UserFactory(username="reviewer", roles=[Role.IT_REVIEWER])
    sign_in(page, live_server, reviewer)
    # allauth asks for the password once more before a second factor is added.
    assert "/accounts/reauthenticate/" in page.url
    assert_accessible(page)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url.endswith("/accounts/2fa/totp/activate/")
    assert_accessible(page)
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(totp_now(secret))
    page.locator("form.form button[type=submit]").click()
    page.wait_for_load_state()
    assert "recovery-codes" in page.url or page.url.endswith("/accounts/2fa/")
    assert_accessible(page)
    page.goto(f"{live_server.url}/admin/")
    assert page.url == f"{live_server.url}/admin/"
    assert reviewer.authenticator_set.filter(type="totp").exists()
