"""Every list and detail page of the app store needs exactly as many queries with 20 rows
as with 2, stays within its budget, and shows the rows (a page that lists nothing would
pass a count alone)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appstore import services
from appstore.choices import Platform
from appstore.models import App
from appstore.views.catalogue import SHELF
from tests.appstore.factories import (
    ensure_checklist,
    image_upload,
    make_app,
    make_version,
    pass_checklist,
    publish,
)
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = False


def _measure(client, urls) -> tuple[dict[str, int], dict[str, str]]:
    """Queries and page of each URL, each measured after one warm-up request (session,
    role and permission caches), so two rounds compare alike."""
    counts, pages = {}, {}
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url], pages[url] = len(captured), response.content.decode()
    return counts, pages


def _within(counts: dict[str, int], budgets: dict[str, int]) -> None:
    over = {url: n for url, n in counts.items() if n > budgets[url]}
    assert not over, f"over budget: {over}"


def _name(n: int) -> str:
    return f"Vann app {n:02d}"  # no name is a part of another


# --- the store -------------------------------------------------------------------------


def test_store_pages_need_as_many_queries_for_20_apps_as_for_2_and_show_them(
    client_for, employee, appowner, reviewer
):
    def add_apps(first, last):
        for n in range(first, last):
            app = make_app(owner=appowner, name=_name(n), is_required=n % 2 == 0)
            publish(owner=appowner, reviewer=reviewer, app=app, platforms=(Platform.ANDROID,))
            services.rate_app(by=employee, app_id=app.pk, stars=4, comment=f"Review {n:02d}")
            if n % 2:  # only requested: My apps shows it beside the installed ones
                services.request_installation(by=employee, app_id=app.pk, platform=Platform.ANDROID)
            else:
                services.report_installation(
                    user=employee, app_id=app.pk, version="1.0.0", platform=Platform.ANDROID
                )

    add_apps(0, 2)
    first = App.objects.get(name=_name(0))
    home, search, mine = "/apps/", "/apps/search/?q=vann&platform=android", "/apps/mine/"
    detail = f"/apps/{first.slug}/"
    client = client_for(employee)
    with_two, pages = _measure(client, [home, search, detail, mine])
    _within(with_two, {home: 12, search: 10, detail: 12, mine: 10})
    assert all(_name(n) in pages[url] for n in range(2) for url in (home, search, mine))

    add_apps(2, 20)
    for minor in range(1, 10):
        publish(owner=appowner, reviewer=reviewer, app=first, version=f"1.{minor}.0")
    with_twenty, pages = _measure(client, [home, search, detail, mine])

    assert with_twenty == with_two
    assert all(_name(n) in pages[search] and _name(n) in pages[mine] for n in range(20))
    assert len(set(re.findall(r"Vann app \d\d", pages[home]))) >= SHELF
    assert "1.9.0" in pages[detail] and "Review 00" in pages[detail]


# --- the owners' pages -----------------------------------------------------------------


def _review_round(owner, reviewer, version, n):
    services.submit_version(by=owner, version_id=version.pk, comment=f"Try {n:02d}")
    if n == 0:  # a resubmitted version goes back to its reviewer by itself
        services.claim_version(by=reviewer, version_id=version.pk)
    pass_checklist(reviewer=reviewer, version=version)
    services.request_changes(by=reviewer, version_id=version.pk, comment=f"Again {n:02d}")


def test_manage_pages_need_as_many_queries_for_20_rows_as_for_2_and_show_them(
    client_for, appowner, reviewer
):
    """The owner's home (apps), an app's page (versions) and a version's page (its
    screenshots, at most 8, and its history of review rounds)."""
    apps = [make_app(owner=appowner, name=_name(n)) for n in range(2)]
    shown = make_version(owner=appowner, app=apps[0], platforms=("android", "ios"))
    make_version(owner=appowner, app=apps[0], version="1.1.0")

    def add_screenshots(first, last):
        for n in range(first, last):
            services.add_screenshot(
                by=appowner, version_id=shown.pk, image=image_upload(), alt_text=f"Screen {n}"
            )

    add_screenshots(0, 2)
    _review_round(appowner, reviewer, shown, 0)
    home, app_page = "/apps/manage/", f"/apps/manage/{apps[0].slug}/"
    version_page = f"/apps/manage/versions/{shown.pk}/"
    urls = [home, app_page, version_page]
    client = client_for(appowner)
    with_two, pages = _measure(client, urls)
    _within(with_two, {home: 8, app_page: 10, version_page: 12})
    assert _name(0) in pages[home] and _name(1) in pages[home]
    assert "1.0.0" in pages[app_page] and "1.1.0" in pages[app_page]

    apps += [make_app(owner=appowner, name=_name(n)) for n in range(2, 20)]
    for minor in range(2, 20):
        make_version(owner=appowner, app=apps[0], version=f"1.{minor}.0")
    add_screenshots(2, 8)
    for n in range(1, 7):
        _review_round(appowner, reviewer, shown, n)
    with_twenty, pages = _measure(client, urls)

    assert with_twenty == with_two
    assert all(_name(n) in pages[home] for n in range(20))
    assert all(f"1.{minor}.0" in pages[app_page] for minor in range(20))
    assert all(f"Again {n:02d}" in pages[version_page] for n in range(7))
    assert all(f"</span>Screen {n}</figcaption>" in pages[version_page] for n in range(8))


# --- the admin -------------------------------------------------------------------------

QUEUE = "/admin/appstore/appversion/"
CHANGES = "/admin/appstore/listingchange/"
APPS = "/admin/appstore/app/"


def test_review_queue_needs_as_many_queries_for_20_versions_as_for_2_and_lists_them(
    client_for, appowner, reviewer
):
    def submit(first, last):
        for n in range(first, last):
            version = make_version(owner=appowner, app=make_app(owner=appowner, name=_name(n)))
            services.submit_version(by=appowner, version_id=version.pk)
            if n % 2:
                services.claim_version(by=reviewer, version_id=version.pk)

    submit(0, 2)
    client = client_for(reviewer)
    with_two, pages = _measure(client, [QUEUE])
    _within(with_two, {QUEUE: 8})
    submit(2, 20)
    with_twenty, pages = _measure(client, [QUEUE])

    assert with_twenty == with_two
    assert all(_name(n) in pages[QUEUE] for n in range(20))


def test_version_review_page_queries_do_not_grow_with_its_history(client_for, appowner, reviewer):
    version = make_version(owner=appowner, app=make_app(owner=appowner))
    services.submit_version(by=appowner, version_id=version.pk)
    services.claim_version(by=reviewer, version_id=version.pk)  # 2 events
    url = f"{QUEUE}{version.pk}/change/"
    client = client_for(reviewer)
    with_two, _pages = _measure(client, [url])
    _within(with_two, {url: 12})  # the audience's departments too
    pass_checklist(reviewer=reviewer, version=version)
    for n in range(6):  # 18 more events
        services.request_changes(by=reviewer, version_id=version.pk, comment=f"Round {n:02d}")
        services.submit_version(by=appowner, version_id=version.pk)  # back to the reviewer
    with_twenty, pages = _measure(client, [url])

    assert with_twenty == with_two
    assert version.events.count() == 20
    assert all(f"Round {n:02d}" in pages[url] for n in range(6))


def test_listing_changes_need_as_many_queries_for_20_as_for_2_and_list_them(
    client_for, appowner, reviewer
):
    ensure_checklist()

    def propose(first, last):
        for n in range(first, last):
            app = make_app(owner=appowner, name=_name(n))
            publish(owner=appowner, reviewer=reviewer, app=app)
            services.update_listing(by=appowner, app_id=app.pk, summary=f"New summary {n}")

    propose(0, 2)
    client = client_for(reviewer)
    with_two, pages = _measure(client, [CHANGES])
    _within(with_two, {CHANGES: 8})
    propose(2, 20)
    with_twenty, pages = _measure(client, [CHANGES])

    assert with_twenty == with_two
    assert all(_name(n) in pages[CHANGES] for n in range(20))


def test_listing_change_page_needs_as_many_queries_for_20_departments_as_for_2(
    client_for, appowner, reviewer
):
    departments = [DepartmentFactory(name=f"District {n:02d}") for n in range(20)]
    app = make_app(owner=appowner)
    publish(owner=appowner, reviewer=reviewer, app=app)
    change = services.update_listing(
        by=appowner,
        app_id=app.pk,
        audience_everyone=False,
        audience_departments=[d.pk for d in departments[:2]],
    )
    url = f"{CHANGES}{change.pk}/change/"
    client = client_for(reviewer)
    with_two, pages = _measure(client, [url])
    _within(with_two, {url: 9})
    assert "District 00" in pages[url] and "District 01" in pages[url]
    services.update_listing(
        by=appowner, app_id=app.pk, audience_departments=[d.pk for d in departments]
    )
    with_twenty, pages = _measure(client, [url])

    assert with_twenty == with_two
    assert all(f"District {n:02d}" in pages[url] for n in range(20))


def test_app_list_needs_as_many_queries_for_20_apps_as_for_2_with_their_counts(
    client_for, appowner, reviewer, employee, admin_user
):
    def add_apps(first, last):
        for n in range(first, last):
            app = make_app(owner=appowner, name=_name(n))
            publish(owner=appowner, reviewer=reviewer, app=app)
            services.report_installation(
                user=employee, app_id=app.pk, version="1.0.0", platform=Platform.ANDROID
            )
            services.rate_app(by=employee, app_id=app.pk, stars=4)
            services.rate_app(by=reviewer, app_id=app.pk, stars=5)

    add_apps(0, 2)
    client = client_for(admin_user)
    with_two, pages = _measure(client, [APPS])
    _within(with_two, {APPS: 8})
    add_apps(2, 20)
    with_twenty, pages = _measure(client, [APPS])

    assert with_twenty == with_two
    rows = client.get(APPS).context["cl"].result_list
    assert sorted(app.name for app in rows) == [_name(n) for n in range(20)]
    assert {(app.installations_total, app.ratings_total) for app in rows} == {(1, 2)}
    assert all(_name(n) in pages[APPS] for n in range(20))
    assert "4.5" in client.get(f"{APPS}{rows[0].pk}/change/").content.decode()
