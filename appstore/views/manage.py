"""App owners' pages: their department's apps, listings, versions and their review.

Each POST calls one service. A refusal is shown next to its field on the re-rendered
page with the error's status (400, 404, 409) and nothing is saved.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appstore import selectors, services
from appstore.choices import ListingChangeState, VersionState
from appstore.forms import (
    ArtifactForm,
    CommentForm,
    ListingForm,
    NewVersionForm,
    ScreenshotForm,
    SubmitForm,
    VersionAnswersForm,
    WithdrawForm,
)
from appstore.models import (
    AppVersion,
    AppVersionEvent,
    ChecklistAnswer,
    Installation,
    ListingChange,
)
from appstore.workflow import VERSION_WORKFLOW
from portal.choices import Role
from portal.errors import DomainError

# States in which the owner reads the reviewer's last word at the top of the version page.
ANSWERABLE = {VersionState.CHANGES_REQUESTED, VersionState.REJECTED}
# The forms the version page shows; a refusal of any other action is shown as a message.
PAGE_FORMS = {"artifact", "screenshot", "submit", "withdraw"}


def owner_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.has_role(Role.APP_OWNER):
            raise PermissionDenied(_("Only app owners manage apps."))
        return view(request, *args, **kwargs)

    return wrapped


def _bound(request) -> dict:
    """The form data of a POST (bound even when empty), nothing for a GET."""
    if request.method == "POST":
        return {"data": request.POST, "files": request.FILES}
    return {}


def _refused(form, error: DomainError) -> int:
    """Put the service's refusal on the form; the status for the response."""
    form.add_error(error.field if error.field in form.fields else None, str(error))
    return error.status_code


def _app(request, slug):
    app = selectors.owned_apps(request.user).filter(slug=slug).first()
    if app is None:
        raise Http404(_("No such app."))
    return app


def _version(request, version_id) -> AppVersion:
    version = (
        selectors.owned_versions(request.user)
        .prefetch_related(
            "screenshots",
            Prefetch("events", AppVersionEvent.objects.select_related("actor").order_by("pk")),
            Prefetch(
                "checklist",
                ChecklistAnswer.objects.select_related("item").order_by("item__position"),
            ),
        )
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        raise Http404(_("No such app version."))
    return version


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
    form = ListingForm(**_bound(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            app = services.create_app(by=request.user, **form.service_arguments())
        except DomainError as error:
            status = _refused(form, error)
        else:
            messages.success(request, _("The app is created. Now add its first version."))
            return redirect("appstore:manage_version_create", slug=app.slug)
    elif request.method == "POST":
        status = 400
    return render(request, "appstore/manage/app_form.html", {"form": form}, status=status)


@owner_required
def manage_app(request, slug):
    app = _app(request, slug)
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
    app = _app(request, slug)
    form = ListingForm(**_bound(request), initial=_listing_initial(app))
    status = 200
    if request.method == "POST" and form.is_valid():
        changes = form.changed_arguments()
        if not changes:
            messages.info(request, _("Nothing changed."))
            return redirect("appstore:manage_app", slug=app.slug)
        try:
            result = services.update_listing(by=request.user, app_id=app.pk, **changes)
        except DomainError as error:
            status = _refused(form, error)
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
    app = _app(request, slug)
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


@owner_required
def manage_version_create(request, slug):
    app = _app(request, slug)
    form = NewVersionForm(**_bound(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            version = services.add_version(by=request.user, app_id=app.pk, **form.cleaned_data)
        except DomainError as error:
            status = _refused(form, error)
        else:
            messages.success(request, _("The version is saved as a draft. Add its platforms."))
            return redirect("appstore:manage_version", version_id=version.pk)
    elif request.method == "POST":
        status = 400
    return render(
        request, "appstore/manage/version_form.html", {"form": form, "app": app}, status=status
    )


@owner_required
def manage_version_edit(request, version_id):
    version = _version(request, version_id)
    if request.method == "GET" and version.state not in services.versions.EDITABLE:
        messages.info(request, _("This version can no longer be changed; add a new version."))
        return redirect("appstore:manage_version", version_id=version.pk)
    initial = {f: getattr(version, f) for f in VersionAnswersForm.base_fields}
    form = VersionAnswersForm(**_bound(request), initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.update_version(by=request.user, version_id=version.pk, **form.cleaned_data)
        except DomainError as error:
            status = _refused(form, error)
        else:
            messages.success(request, _("The answers are saved."))
            return redirect("appstore:manage_version", version_id=version.pk)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "appstore/manage/version_form.html",
        {"form": form, "app": version.app, "version": version},
        status=status,
    )


@owner_required
def manage_version(request, version_id, *, forms=None, status=200):
    version = _version(request, version_id)
    actions = {t.action for t in VERSION_WORKFLOW.available(version, request.user)}
    forms = forms or {}
    reasons = [e for e in version.events.all() if e.to_state == version.state and e.comment]
    context = {
        "version": version,
        "review_comment": reasons[-1] if reasons and version.state in ANSWERABLE else None,
        "app": version.app,
        "editable": version.state in services.versions.EDITABLE,
        "can_submit": bool(actions & {"submit", "resubmit"}),
        "can_withdraw": "withdraw" in actions,
        "artifact_form": forms.get("artifact") or ArtifactForm(),
        "screenshot_form": forms.get("screenshot") or ScreenshotForm(),
        "submit_form": forms.get("submit") or SubmitForm(prefix="submit"),
        "withdraw_form": forms.get("withdraw") or WithdrawForm(prefix="withdraw"),
    }
    return render(request, "appstore/manage/version.html", context, status=status)


def _version_action(request, version_id, key, form, call, success):
    """Run one service for a form on the version page; re-render it on refusal."""
    if not form.is_valid():
        return manage_version(request, version_id, forms={key: form}, status=400)
    try:
        call(form.cleaned_data)
    except DomainError as error:
        status = _refused(form, error)
        if status == 404:
            raise Http404(str(error)) from None
        if key not in PAGE_FORMS:
            messages.error(request, str(error))
        return manage_version(request, version_id, forms={key: form}, status=status)
    messages.success(request, success)
    return redirect("appstore:manage_version", version_id=version_id)


@owner_required
@require_POST
def manage_artifact_add(request, version_id):
    _version(request, version_id)
    form = ArtifactForm(request.POST, request.FILES)
    return _version_action(
        request,
        version_id,
        "artifact",
        form,
        lambda data: services.add_artifact(
            by=request.user, version_id=version_id, **form.service_arguments()
        ),
        _("The platform is added."),
    )


def _remove(request, version_id, related: str, pk: int, remove, success):
    """Remove one artefact or screenshot of a version the person owns."""
    version = _version(request, version_id)
    if not getattr(version, related).filter(pk=pk).exists():
        raise Http404(_("Not found."))
    return _version_action(
        request, version_id, related, CommentForm(request.POST), lambda data: remove(), success
    )


@owner_required
@require_POST
def manage_artifact_remove(request, version_id, artifact_id):
    return _remove(
        request,
        version_id,
        "artifacts",
        artifact_id,
        lambda: services.remove_artifact(by=request.user, artifact_id=artifact_id),
        _("The platform is removed."),
    )


@owner_required
@require_POST
def manage_screenshot_add(request, version_id):
    _version(request, version_id)
    form = ScreenshotForm(request.POST, request.FILES)
    return _version_action(
        request,
        version_id,
        "screenshot",
        form,
        lambda data: services.add_screenshot(
            by=request.user, version_id=version_id, image=data["image"], alt_text=data["alt_text"]
        ),
        _("The screenshot is added."),
    )


@owner_required
@require_POST
def manage_screenshot_remove(request, version_id, screenshot_id):
    return _remove(
        request,
        version_id,
        "screenshots",
        screenshot_id,
        lambda: services.remove_screenshot(by=request.user, screenshot_id=screenshot_id),
        _("The screenshot is removed."),
    )


@owner_required
@require_POST
def manage_version_submit(request, version_id):
    _version(request, version_id)
    return _version_action(
        request,
        version_id,
        "submit",
        SubmitForm(request.POST, prefix="submit"),
        lambda data: services.submit_version(
            by=request.user, version_id=version_id, comment=data["comment"]
        ),
        _("The version is sent to IT for review. We will tell you when it is reviewed."),
    )


@owner_required
@require_POST
def manage_version_withdraw(request, version_id):
    _version(request, version_id)
    return _version_action(
        request,
        version_id,
        "withdraw",
        WithdrawForm(request.POST, prefix="withdraw"),
        lambda data: services.withdraw_version(
            by=request.user, version_id=version_id, comment=data["comment"]
        ),
        _("The version is withdrawn from the catalogue."),
    )


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
