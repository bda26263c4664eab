"""App owners' pages: their department's apps, listings, versions and their review.

Each POST calls one service. A refusal is shown next to its field on the re-rendered
page with the error's status (400, 404, 409) and nothing is saved.

This module has the app-level pages and `urlpatterns` for all of them; the version pages
are in `manage_versions`, the helpers they share in `manage_common`.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appstore import selectors, services
from appstore.choices import ListingChangeState
from appstore.forms import ListingForm
from appstore.models import AppVersion, Installation, ListingChange
from appstore.views.manage_common import bound, owned_app, owner_required, refused
from appstore.views.manage_versions import (
    manage_artifact_add,
    manage_artifact_remove,
    manage_screenshot_add,
    manage_screenshot_remove,
    manage_version,
    manage_version_create,
    manage_version_edit,
    manage_version_submit,
    manage_version_withdraw,
)
from appstore.workflow import VERSION_WORKFLOW
from portal.errors import DomainError


@owner_required
def manage_home(request):
    latest = AppVersion.objects.filter(app=OuterRef("pk")).order_by("-major", "-minor", "-patch")
    installs = (
        Installation.objects.filter(app=OuterRef("pk"))
        .order_by()
        .values("app")
        .annotate(n=Count("user", distinct=True))
        .values("n")
    )
    apps = selectors.owned_apps(request.user).annotate(
        latest_version=Subquery(latest.values("version")[:1]),
        latest_state=Subquery(latest.values("state")[:1]),
        latest_id=Subquery(latest.values("pk")[:1]),
        installed_by=Coalesce(Subquery(installs, output_field=IntegerField()), 0),
    )
    labels = dict(VERSION_WORKFLOW.state_labels)
    rows = [(app, labels.get(app.latest_state, "")) for app in apps]
    return render(request, "appstore/manage/home.html", {"rows": rows})


@owner_required
def manage_app_create(request):
    form = ListingForm(**bound(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            app = services.create_app(by=request.user, **form.service_arguments())
        except DomainError as error:
            status = refused(form, error)
        else:
            messages.success(request, _("The app is created. Now add its first version."))
            return redirect("appstore:manage_version_create", slug=app.slug)
    elif request.method == "POST":
        status = 400
    return render(request, "appstore/manage/app_form.html", {"form": form}, status=status)


@owner_required
def manage_app(request, slug):
    app = owned_app(request, slug)
    versions = (
        selectors.owned_versions(request.user)
        .filter(app=app)
        .order_by("-major", "-minor", "-patch")
    )
    change = (
        ListingChange.objects.filter(app=app)
        .prefetch_related("events__actor")
        .order_by("-pk")
        .first()
    )
    return render(
        request,
        "appstore/manage/app.html",
        {
            "app": app,
            "versions": versions,
            "change": change,
            "proposed": _readable(change.proposed) if change else [],
            "change_open": change is not None and change.state == ListingChangeState.SUBMITTED,
        },
    )


def _readable(proposed: dict) -> list[tuple[str, str]]:
    """A listing change's proposed values as (label, text) in the owner's language."""
    from portal.models import Department

    form = ListingForm()
    rows = []
    for name, value in proposed.items():
        field = form.fields.get(name)
        if field is None:
            continue
        if name == "audience_departments":
            value = ", ".join(
                Department.objects.filter(pk__in=value).values_list("name", flat=True)
            )
        elif isinstance(value, bool):
            value = _("Yes") if value else _("No")
        elif hasattr(field, "choices") and value:
            labels = dict(field.choices)
            values = value if isinstance(value, list) else [value]
            value = ", ".join(str(labels.get(v, v)) for v in values)
        rows.append((field.label, value or "—"))
    return rows


@owner_required
def manage_app_edit(request, slug):
    app = owned_app(request, slug)
    form = ListingForm(**bound(request), initial=_listing_initial(app))
    status = 200
    if request.method == "POST" and form.is_valid():
        changes = form.changed_arguments()
        if not changes:
            messages.info(request, _("Nothing changed."))
            return redirect("appstore:manage_app", slug=app.slug)
        try:
            result = services.update_listing(by=request.user, app_id=app.pk, **changes)
        except DomainError as error:
            status = refused(form, error)
        else:
            if isinstance(result, ListingChange):
                messages.success(
                    request,
                    _("Your changes are sent for review; the listing changes when IT approves."),
                )
            else:
                messages.success(request, _("The listing is saved."))
            return redirect("appstore:manage_app", slug=app.slug)
    elif request.method == "POST":
        status = 400
    return render(
        request, "appstore/manage/app_form.html", {"form": form, "app": app}, status=status
    )


def _listing_initial(app) -> dict:
    """The listing as the owner last left it: the app, overlaid by a change waiting for
    review, so the form shows (and sends) only what the owner changes now."""
    initial = {
        **{f: getattr(app, f) for f in services.apps.LISTING_FIELDS},
        "audience_departments": [d.pk for d in app.audience_departments.all()],
    }
    change = ListingChange.objects.filter(app=app, state=ListingChangeState.SUBMITTED).first()
    if change is not None:
        initial.update({k: v for k, v in change.proposed.items() if k in initial})
    return initial


@owner_required
@require_POST
def manage_listing_withdraw(request, slug):
    app = owned_app(request, slug)
    change = ListingChange.objects.filter(app=app, state=ListingChangeState.SUBMITTED).first()
    if change is None:
        raise Http404(_("No listing change waits."))
    try:
        services.withdraw_listing_change(by=request.user, change_id=change.pk)
    except DomainError as error:
        messages.error(request, str(error))
        response = manage_app(request, slug)
        response.status_code = error.status_code
        return response
    messages.success(request, _("The listing change is withdrawn."))
    return redirect("appstore:manage_app", slug=app.slug)


urlpatterns = [
    path("", manage_home, name="manage_home"),
    path("new/", manage_app_create, name="manage_app_create"),
    path("versions/<int:version_id>/", manage_version, name="manage_version"),
    path("versions/<int:version_id>/edit/", manage_version_edit, name="manage_version_edit"),
    path("versions/<int:version_id>/submit/", manage_version_submit, name="manage_version_submit"),
    path(
        "versions/<int:version_id>/withdraw/",
        manage_version_withdraw,
        name="manage_version_withdraw",
    ),
    path("versions/<int:version_id>/platforms/", manage_artifact_add, name="manage_artifact_add"),
    path(
        "versions/<int:version_id>/platforms/<int:artifact_id>/remove/",
        manage_artifact_remove,
        name="manage_artifact_remove",
    ),
    path(
        "versions/<int:version_id>/screenshots/",
        manage_screenshot_add,
        name="manage_screenshot_add",
    ),
    path(
        "versions/<int:version_id>/screenshots/<int:screenshot_id>/remove/",
        manage_screenshot_remove,
        name="manage_screenshot_remove",
    ),
    path("<slug:slug>/", manage_app, name="manage_app"),
    path("<slug:slug>/edit/", manage_app_edit, name="manage_app_edit"),
    path("<slug:slug>/listing/withdraw/", manage_listing_withdraw, name="manage_listing_withdraw"),
    path("<slug:slug>/versions/new/", manage_version_create, name="manage_version_create"),
]
