"""The owners' version pages: add and answer a version, its platforms and screenshots,
submit it for review and withdraw it.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appstore import services
from appstore.choices import VersionState
from appstore.forms import (
    ArtifactForm,
    CommentForm,
    NewVersionForm,
    ScreenshotForm,
    SubmitForm,
    VersionAnswersForm,
    WithdrawForm,
)
from appstore.views.manage_common import bound, owned_app, owned_version, owner_required, refused
from appstore.workflow import VERSION_WORKFLOW
from portal.errors import DomainError

# States in which the owner reads the reviewer's last word at the top of the version page.
ANSWERABLE = {VersionState.CHANGES_REQUESTED, VersionState.REJECTED}
# The forms the version page shows; a refusal of any other action is shown as a message.
PAGE_FORMS = {"artifact", "screenshot", "submit", "withdraw"}


@owner_required
def manage_version_create(request, slug):
    app = owned_app(request, slug)
    form = NewVersionForm(**bound(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            version = services.add_version(by=request.user, app_id=app.pk, **form.cleaned_data)
        except DomainError as error:
            status = refused(form, error)
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
    version = owned_version(request, version_id)
    if request.method == "GET" and version.state not in services.versions.EDITABLE:
        messages.info(request, _("This version can no longer be changed; add a new version."))
        return redirect("appstore:manage_version", version_id=version.pk)
    initial = {f: getattr(version, f) for f in VersionAnswersForm.base_fields}
    form = VersionAnswersForm(**bound(request), initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.update_version(by=request.user, version_id=version.pk, **form.cleaned_data)
        except DomainError as error:
            status = refused(form, error)
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
    version = owned_version(request, version_id)
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
        status = refused(form, error)
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
    owned_version(request, version_id)
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
    version = owned_version(request, version_id)
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
    owned_version(request, version_id)
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
    owned_version(request, version_id)
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
    owned_version(request, version_id)
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
