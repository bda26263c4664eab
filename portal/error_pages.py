"""The portal's own error pages (400, 403, 404, 500 and the CSRF failure), in the
person's language, each with a way back.

400, 403 and 404 extend `base.html`, so a signed-in person keeps the navigation. The
500 page and the CSRF failure (Django's own view renders `403_csrf.html`) are rendered
without the request's context processors: they must render when the database (and so
the session and the person) is what failed.
"""

from __future__ import annotations

import logging

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

logger = logging.getLogger(__name__)

_LAST_RESORT = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Server error</title>'
    '</head><body><main><h1>Something went wrong</h1><p><a href="/">Home</a></p></main>'
    "</body></html>"
)


def _message(exception) -> str:
    """A refusal's own message, when a view gave one (`PermissionDenied(message)`)."""
    text = str(exception or "").strip()
    return "" if text.startswith("<") else text


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    # Only the portal's own refusals are shown; a SuspiciousOperation's text is not for
    # the visitor (it may echo their headers).
    message = _message(exception) if type(exception) is BadRequest else ""
    return render(request, "400.html", {"message": message}, status=400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "403.html", {"message": _message(exception)}, status=403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest | None = None) -> HttpResponse:
    try:
        body = loader.get_template("500.html").render({})
    except Exception:  # the error page itself must not fail
        logger.exception("The 500 page could not be rendered")
        body = _LAST_RESORT
    return HttpResponseServerError(body)
