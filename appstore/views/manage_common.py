"""What the owners' pages share: the app-owner check, the owner's app or version, form data
and a service's refusal put on its form.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from appstore import selectors
from appstore.models import AppVersion, AppVersionEvent, ChecklistAnswer
from portal.choices import Role
from portal.pages import allowed_only, bound, refused

__all__ = ["bound", "owned_app", "owned_version", "owner_required", "refused"]


owner_required = allowed_only(
    lambda user: user.has_role(Role.APP_OWNER), gettext_lazy("Only app owners manage apps.")
)


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
