"""The Django admin as the staff roles reach it, checked with axe (WCAG 2.0/2.1 A and AA).

Each staff role (IT reviewer, logistics desk, administrator) signs in once and visits the
admin index, then, for every model in `admin.site._registry` the role may see, its list,
the change page of one object and, where it may add, the add page; then the API docs.
The list of pages is made from the registry and the role's permissions, so a new admin
model is covered (and fails here until the fixture below makes one of it). Every change
and add page must also fit a 320 px wide screen without sideways scrolling (WCAG 1.4.10),
and what scrolls inside it must be reachable by keyboard. A page one role has been checked
on is not checked again for the next (the index excepted); one browser page per role.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests.e2e.conftest import DESKTOP, WCAG_TAGS, _describe, sign_in

NARROW = 320


@pytest.fixture(autouse=True)
def staff_without_mfa(settings):
    settings.PORTAL_REQUIRE_MFA_FOR_STAFF = False


@pytest.fixture
def one_of_each(employee, appowner, reviewer, logistics, admin_user, department):
    """One object of every model registered in the admin, made as small as it can be."""
    _appstore_objects(appowner, reviewer)
    _devices_objects(employee, logistics)
    _portal_objects(employee, admin_user)
    _third_party_objects(admin_user)


def _appstore_objects(appowner, reviewer) -> None:
    from appstore import services
    from tests.appstore.factories import ensure_checklist, make_app, make_version

    ensure_checklist()
    app = make_app(owner=appowner, name="Hydrant check")
    version = make_version(owner=appowner, app=app)
    services.submit_version(by=appowner, version_id=version.pk)
    services.claim_version(by=reviewer, version_id=version.pk)
    services.update_listing(by=appowner, app_id=app.pk, name="Hydrant inspection")


def _devices_objects(employee, logistics) -> None:
    from devices import importing, rows
    from tests.devices.factories import DeviceFactory, held_device, open_repair, open_return

    phone = held_device(holder=employee, desk=logistics, serial_number="R58X0001")
    open_repair(device=phone, by=employee)
    tablet = held_device(holder=employee, desk=logistics, serial_number="DMPX0002")
    open_return(device=tablet, by=employee)
    DeviceFactory(serial_number="LOAN0001")
    header = ",".join(rows.COLUMNS).encode()
    upload = SimpleUploadedFile("devices.csv", header + b"\n", "text/csv")
    started = importing.start_import(by=logistics, upload=upload, queue=False)
    # Finished: the page of a running import refreshes itself (a gap reported to devices).
    importing.run_import(import_id=started.pk)


def _portal_objects(employee, admin_user) -> None:
    from portal import services
    from portal.models import OutboundEmail
    from portal.notifications import notify

    services.create_api_token(name="MDM sync", user=admin_user, by=admin_user)
    notify(recipients=[employee], key="a11y:1", title="Your device is ready", url="/devices/")
    OutboundEmail.objects.create(
        to=[employee.email], from_email="portal@example.org", subject="Your device is ready"
    )


def _third_party_objects(admin_user) -> None:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )

    EmailAddress.objects.get_or_create(
        user=admin_user, email=admin_user.email, defaults={"verified": True, "primary": True}
    )
    Authenticator.objects.create(
        user=admin_user, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "00", "used_mask": 0}
    )
    app = SocialApp.objects.create(
        provider="openid_connect", provider_id="entra", name="Entra ID", client_id="portal"
    )
    account = SocialAccount.objects.create(user=admin_user, provider="entra", uid="a11y-1")
    SocialToken.objects.create(app=app, account=account, token="t")
    every_minute = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.MINUTES)
    PeriodicTask.objects.create(
        name="Reconcile announcements",
        task="appstore.tasks.reconcile_announcements",
        interval=every_minute,
    )
    CrontabSchedule.objects.create(minute="0", hour="3")
    ClockedSchedule.objects.create(clocked_time=timezone.now() + dt.timedelta(days=1))
    SolarSchedule.objects.create(event="sunrise", latitude=59.91, longitude=10.75)


def admin_pages(user) -> list[tuple[str, bool]]:
    """(path, is a form page) of every admin page `user` reaches: the index, and per model
    they may see its list, one object's change page and, if they may add, the add page."""
    request = RequestFactory().get("/admin/")
    request.user = user
    pages = [(reverse("admin:index"), False)]
    missing = []
    for model, model_admin in sorted(
        admin.site._registry.items(), key=lambda item: item[0]._meta.label
    ):
        if not model_admin.has_view_or_change_permission(request):
            continue
        info = (model._meta.app_label, model._meta.model_name)
        pages.append((reverse("admin:{}_{}_changelist".format(*info)), False))
        obj = model_admin.get_queryset(request).order_by("pk").first()
        if obj is None:
            missing.append(model._meta.label)
        elif model_admin.has_view_or_change_permission(request, obj):
            pages.append((reverse("admin:{}_{}_change".format(*info), args=[obj.pk]), True))
        if model_admin.has_add_permission(request):
            pages.append((reverse("admin:{}_{}_add".format(*info)), True))
    assert not missing, f"make one object of each in `one_of_each` for {user}: {missing}"
    return pages


AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
NARROW_OPTIONS = {"runOnly": {"type": "rule", "values": ["scrollable-region-focusable"]}}
# Two animation frames: what admin.js does after a resize has happened.
SETTLE = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
# The innermost elements that stick out past the right edge: what makes the page scroll.
OVERFLOWING = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > innerWidth + 1
        && ![...e.children].some(c => c.getBoundingClientRect().right > innerWidth + 1))
    .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
        + (typeof e.className === 'string' && e.className
            ? '.' + e.className.trim().split(/ +/).join('.') : '')
        + ' (' + Math.round(e.getBoundingClientRect().right) + ' px)')"""


def axe_violations(page, context, options) -> list[dict]:
    """axe-core's violations on the page; axe itself is in every page (add_init_script)."""
    return page.evaluate("([context, options]) => axe.run(context, options)", [context, options])[
        "violations"
    ]


def check_pages(page, live_server, paths) -> list[str]:
    """Visit each page; return what is wrong with it (axe violations, sideways scrolling).
    The admin's header and navigation sidebar are the same on every page: they are checked
    on the first page that has them."""
    problems = []
    sidebar_checked = False
    for path, is_form in paths:
        response = page.goto(f"{live_server.url}{path}")
        if response is None or response.status != 200:
            problems.append(f"{path}: HTTP {response and response.status}")
            continue
        if path.startswith("/api/docs/"):
            page.wait_for_selector(".opblock")
        context = {"exclude": [["#nav-sidebar"], ["#header"]] if sidebar_checked else []}
        sidebar_checked = sidebar_checked or page.locator("#nav-sidebar").count() > 0
        found = axe_violations(page, context, AXE_OPTIONS)
        if is_form:
            page.set_viewport_size({"width": NARROW, "height": DESKTOP["height"]})
            page.evaluate(SETTLE)
            width = page.evaluate("document.scrollingElement.scrollWidth")
            if width > NARROW:
                culprits = ", ".join(page.evaluate(OVERFLOWING))
                problems.append(f"{path}: {width} px wide at {NARROW} px: {culprits}")
            found += axe_violations(page, {"exclude": []}, NARROW_OPTIONS)
            page.set_viewport_size(DESKTOP)
        problems += [f"{path}\n{_describe(violation)}" for violation in found]
    return problems


def test_staff_admin_pages_have_no_wcag_violations_and_fit_320_px(
    new_page, live_server, reviewer, logistics, admin_user, one_of_each
):
    from axe_playwright_python.sync_playwright import Axe

    axe_script = Axe().axe_script
    problems = []
    checked = set()
    for user in (reviewer, logistics, admin_user):
        page = new_page(**DESKTOP)
        page.context.add_init_script(axe_script)
        sign_in(page, live_server, user)
        paths = [
            (path, is_form)
            for path, is_form in [*admin_pages(user), ("/api/docs/", False)]
            if path == reverse("admin:index") or path not in checked
        ]
        checked |= {path for path, _is_form in paths}
        found = check_pages(page, live_server, paths)
        problems += [f"[{user.username}] {problem}" for problem in found]
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


TABULAR_INLINE = """<!DOCTYPE html><html lang="en"><head><title>Inline</title>
<script src="/admin.js" defer></script></head><body><main id="content"><h1>Device</h1>
<div class="inline-group"><h2>Accessories</h2><table>
<thead><tr><th>Name</th><th>Quantity</th><th>Delete?</th></tr></thead>
<tbody><tr><td class="original"><p>Charger</p></td>
<td><input type="number" name="a-0-quantity" value="1"></td>
<td class="delete"><input type="checkbox" name="a-0-DELETE"></td></tr></tbody>
</table></div>
<div class="form-row"><label for="id_user">Acts as:</label>
<select id="id_user" class="select2-hidden-accessible" aria-hidden="true" tabindex="-1"></select>
<span class="select2 select2-container"><span class="selection">
<span class="select2-selection select2-selection--single" role="combobox" tabindex="0"
 aria-haspopup="true" aria-expanded="false" aria-labelledby="select2-id_user-container">
<span class="select2-selection__rendered" id="select2-id_user-container" role="textbox"
 aria-readonly="true"></span></span></span></span></div>
<label for="q">Filter <span class="help-tooltip" aria-label="Type to filter"></span></label>
<input id="q"></main></body></html>"""


def test_admin_js_names_inline_controls_the_autocomplete_and_the_filter_icons(page):
    """What the crawl may not meet with the demo's models: a tabular inline's DELETE box and
    other cell inputs, an empty autocomplete, the two-list selector's filter icon."""
    from tests.e2e.conftest import assert_accessible

    script = (Path(django_settings.STATICFILES_DIRS[0]) / "portal" / "js" / "admin.js").read_text()
    page.route("http://admin.test/", lambda route: route.fulfill(body=TABULAR_INLINE))
    page.route(
        "http://admin.test/admin.js",
        lambda route: route.fulfill(body=script, content_type="text/javascript"),
    )
    page.goto("http://admin.test/")

    assert page.get_by_label("Delete? (Charger)").count() == 1
    assert page.get_by_label("Quantity (Charger)").count() == 1
    assert page.get_by_role("combobox", name="Acts as:").count() == 1
    assert page.get_by_role("img", name="Type to filter").count() == 1
    assert_accessible(page)
