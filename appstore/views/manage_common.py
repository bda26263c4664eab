"""What the owners' pages share: the app-owner check, the owner's app or version, form data
and a service's refusal put on its form.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _

from appstore import selectors
from appstore.models import AppVersion, AppVersionEvent, ChecklistAnswer
from portal.choices import Role
from portal.errors import DomainError


def owner_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.has_role(Role.APP_OWNER):
            raise PermissionDenied(_("Only app owners manage apps."))
        return view(request, *args, **kwargs)

    return wrapped


def bound(request) -> dict:
    """The form data of a POST (bound even when empty), nothing for a GET."""
    if request.method == "POST":
        return {"data": request.POST, "files": request.FILES}
    return {}


def refused(form, error: DomainError) -> int:
    """Put the service's refusal on the form; the status for the response."""
    form.add_error(error.field if error.field in form.fields else None, str(error))
    return error.status_code


def owned_app(request, slug):
    app = selectors.owned_apps(request.user).filter(slug=slug).first()
    if app is None:
        raise Http404(_("No such app."))
    return app


def owned_version(request, version_id) -> AppVersion:
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
