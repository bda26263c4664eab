"""What the devices pages share: the desk guard, bound forms and service refusals."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from devices import permissions
from portal.errors import DomainError


def desk_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not permissions.is_desk(request.user):
            raise PermissionDenied(_("Only the logistics desk works here."))
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
