"""Browser journeys: Playwright drives Debian's Chromium against pytest-django's live server.

Every test here is marked `e2e` (`pytest -m e2e` runs only these). Without the browser
the tests are skipped on a developer's machine and fail in CI (`CI` set), so CI cannot
pass without running them. A failing test leaves a full-page screenshot of each of its
pages in `test-artifacts/`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.factories import TEST_PASSWORD

# Playwright's sync API runs an event loop in the test thread; Django would otherwise
# refuse the test's own (synchronous) database access there.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_call_failed = report.failed
    return report


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium): browser tests not run"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server, request):
    """`new_page(width=..., height=...)`: a page in a fresh browser context (no cookies).

    Every page made here is screenshotted into test-artifacts/ when the test fails, and
    anything the Content Security Policy refused (a script, a style, an image) fails it.
    """
    contexts = []
    refused: list[str] = []

    def _new_page(*, width: int, height: int):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="en")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                refused.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return page

    yield _new_page
    if getattr(request.node, "e2e_call_failed", False):
        _save_screenshots(request.node.nodeid, contexts)
    for context in contexts:
        context.close()
    assert not refused, "the Content Security Policy refused:\n" + "\n".join(refused)


def _save_screenshots(nodeid: str, contexts) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", nodeid.split("::", 1)[-1]).strip("_")
    pages = [page for context in contexts for page in context.pages]
    for number, page in enumerate(pages, start=1):
        suffix = f"-{number}" if len(pages) > 1 else ""
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}{suffix}.png"), full_page=True)
        except Exception as error:  # a broken page must not hide the test's own failure
            print(f"screenshot of {page.url} failed: {error}")


@pytest.fixture
def page(new_page):
    """A desktop page, 1280 x 900."""
    return new_page(**DESKTOP)


@pytest.fixture
def phone_page(new_page):
    """A phone page, 390 x 844."""
    return new_page(**PHONE)


def sign_in(page, live_server, user, password: str | None = None) -> None:
    """Sign in through the real sign-in form, as a person would."""
    page.goto(f"{live_server.url}/accounts/login/")
    form = page.locator("form.form", has=page.locator("input[name=login]"))
    form.locator("input[name=login]").fill(user.username)
    form.locator("input[name=password]").fill(password or TEST_PASSWORD)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def submit(page, form_selector: str = "main form.form") -> None:
    """Press the submit button of the page's main form and wait for the next page."""
    with page.expect_navigation():
        page.locator(form_selector).locator("button[type=submit]").first.click()


def assert_accessible(page) -> None:
    """axe-core finds no WCAG 2.0/2.1 level A or AA violation on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    violations = results.response["violations"]
    assert not violations, f"axe: {len(violations)} WCAG A/AA violation(s) on {page.url}\n" + (
        "\n".join(_describe(violation) for violation in violations)
    )


def _describe(violation: dict) -> str:
    nodes = "\n".join(
        f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}"
        for node in violation["nodes"]
    )
    return f"- {violation['id']} ({violation['impact']}): {violation['help']}\n{nodes}"


def assert_no_horizontal_scroll(page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths[0]} px > {widths[1]} px"


# The words of table cells that wrap across lines (a word broken mid-way).
BROKEN_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll(".table th, .table td")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (tops.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""


def broken_words(page) -> list[str]:
    return page.evaluate(BROKEN_WORDS)
