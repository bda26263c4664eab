"""What every app's pages share: a guard that lets in only those a rule allows, forms
bound to a POST, and a service's refusal put on the form it came from."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from portal.errors import DomainError


def allowed_only(rule: Callable[[object], bool], message) -> Callable:
    """A view decorator: signed in, and `rule(user)` true, or a 403 saying `message`
    (a lazy translation, read in the person's language)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not rule(request.user):
                raise PermissionDenied(str(message))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def bound(request) -> dict:
    """The form data of a POST (bound even when empty), nothing for a GET."""
    if request.method == "POST":
        return {"data": request.POST, "files": request.FILES}
    return {}


def refused(form, error: DomainError) -> int:
    """Put the service's refusal on the form; the status for the response."""
    form.add_error(error.field if error.field in form.fields else None, str(error))
    return error.status_code
