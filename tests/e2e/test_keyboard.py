"""Keyboard and screen-reader behaviour in the browser: the error summary takes focus
and its links focus their field, the account menu closes with Escape and when focus
leaves it (and never covers the navigation on a phone), paging moves focus to the list's
heading and says which page it is, and the owners' tables turn into cards on a phone
without breaking a word."""

from __future__ import annotations

import time

import pytest

from portal import notifications
from tests.appstore.factories import make_app
from tests.e2e.conftest import assert_no_horizontal_scroll, broken_words, sign_in, submit


@pytest.fixture(autouse=True)
def staff_without_mfa(settings):
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = False


def _eventually(page, script: str) -> None:
    """Polls from here: `wait_for_function` evaluates strings in the page, which our CSP
    (no 'unsafe-eval') refuses."""
    deadline = time.monotonic() + 5
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"never true: {script}"
        page.wait_for_timeout(50)


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_errors_take_focus_and_each_link_focuses_its_field(page, live_server, appowner):
    sign_in(page, live_server, appowner)
    page.goto(f"{live_server.url}/apps/manage/new/")
    submit(page)
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    link = page.locator(".error-summary a", has_text="Name")
    assert link.get_attribute("href") == "#id_name"
    link.click()
    assert _focused_id(page) == "id_name"


def test_the_account_menu_closes_with_escape_and_when_focus_leaves(page, live_server, employee):
    sign_in(page, live_server, employee)
    menu = page.locator("details.account-menu")
    menu.locator("summary").click()
    assert menu.get_attribute("open") is not None
    page.keyboard.press("Escape")
    assert menu.get_attribute("open") is None
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    assert menu.get_attribute("open") is not None
    for _ in range(6):  # through its four entries and out
        page.keyboard.press("Tab")
    assert menu.get_attribute("open") is None


def test_the_open_account_menu_does_not_cover_the_navigation_on_a_small_phone(
    new_page, live_server, employee
):
    page = new_page(width=320, height=640)
    sign_in(page, live_server, employee)
    page.locator("details.account-menu summary").click()
    menu = page.locator("details.account-menu ul").bounding_box()
    nav = page.locator("nav.main-nav").bounding_box()
    assert menu["y"] + menu["height"] <= nav["y"] + 1
    assert_no_horizontal_scroll(page)


def test_next_page_moves_focus_to_the_heading_and_announces_the_page(page, live_server, employee):
    for number in range(27):
        notifications.notify(
            recipients=[employee], key=f"n{number}", title=f"Note {number}", email=False
        )
    sign_in(page, live_server, employee)
    page.goto(f"{live_server.url}/notifications/")
    page.locator(".pagination a[rel=next]").click()
    _eventually(page, "document.activeElement.tagName === 'H1'")
    _eventually(
        page, "document.getElementById('portal-announcer').textContent.includes('Page 2 of 2')"
    )


def test_the_owners_table_is_cards_on_a_phone_with_no_word_broken(
    phone_page, live_server, appowner
):
    make_app(owner=appowner, name="Hjemmesykepleieregistrering")
    make_app(owner=appowner, name="Hydrant inspection")
    sign_in(phone_page, live_server, appowner)
    phone_page.goto(f"{live_server.url}/apps/manage/")
    assert (
        phone_page.evaluate("getComputedStyle(document.querySelector('.table tr')).display")
        == "block"
    )
    assert broken_words(phone_page) == []
    assert_no_horizontal_scroll(phone_page)


def test_departments_are_found_and_ticked_with_the_keyboard(page, live_server, appowner):
    sign_in(page, live_server, appowner)
    page.goto(f"{live_server.url}/apps/manage/new/")
    page.get_by_label("Filter departments by name").fill(appowner.department.name[:5])
    tree = page.locator("[data-department-tree]")
    visible = tree.locator("li:visible label")
    assert visible.count() >= 1
    assert all(appowner.department.name[:5].lower() in t.lower() for t in visible.all_inner_texts())
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert tree.locator("input:checked").count() == 1
