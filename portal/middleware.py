"""Security headers, the person's preferred language, and mandatory MFA for staff."""

from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from portal.error_pages import page_not_found


class SecurityHeadersMiddleware:
    """The Content Security Policy and the Permissions Policy of settings, on every
    response that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class PreferredLanguageMiddleware:
    """A signed-in person's saved language: applied when the browser has no language
    cookie, and written to the cookie (at sign-in, see `AccountAdapter.login`, and on any
    page without one), so the sign-in page after signing out speaks it too instead of the
    browser's Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if user is not None and user.is_authenticated and not cookie and user.preferred_language:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
        response = self.get_response(request)
        user = getattr(request, "user", None)  # signing in replaces it
        remembered = getattr(request, "remember_language", None)
        if not remembered and user is not None and user.is_authenticated and not cookie:
            remembered = user.preferred_language
        already_set = settings.LANGUAGE_COOKIE_NAME in response.cookies  # the language switch
        if remembered and remembered != cookie and not already_set:
            set_language_cookie(response, remembered)
        return response


def set_language_cookie(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


# Pages a staff member without MFA may still reach: enrolment itself, sign-out, assets.
_MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/i18n/", "/accessibility/")


class StaffMfaRequiredMiddleware:
    """With PORTAL_REQUIRE_MFA_FOR_STAFF, staff enrol a second factor before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.PORTAL_REQUIRE_MFA_FOR_STAFF
            and user is not None
            and user.is_authenticated
            and user.requires_mfa
            and not request.path.startswith(_MFA_EXEMPT_PREFIXES)
            and not is_mfa_enabled(user, types=["totp", "webauthn"])
        ):
            text = _("Your role requires two-factor authentication. Set it up to continue.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": text, "code": "mfa_required"}, status=403)
            messages.warning(request, text)
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


class NulQueryStringMiddleware:
    """A NUL character in the query string is a 400 (the API's error form under /api/)
    before any view passes it on to PostgreSQL, which cannot take one. Request bodies are
    checked by the API's parsers, after the caller's permission."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return _nul_refused(request, name.replace("\x00", ""))
        return self.get_response(request)


def _nul_refused(request, name: str):
    text = _("The field “%(name)s” contains a NUL character.") % {"name": name}
    if request.path.startswith("/api/"):
        from portal.api.errors import bad_request_body

        return JsonResponse(bad_request_body(text, field=name), status=400)
    raise BadRequest(text)


class PortalNotFoundMiddleware:
    """With DEBUG on (the demo, development), Django answers a missing page with its
    technical 404 (the URL patterns, in English). People trying the portal meet the
    portal's own 404 instead, in their language with the navigation; the API keeps its
    JSON answers. Set PORTAL_TECHNICAL_404=true to see Django's page while developing."""

    MARK = b"<code>DEBUG = True</code>"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 404
            and settings.DEBUG
            and not getattr(settings, "PORTAL_TECHNICAL_404", False)
            and not request.path.startswith("/api/")
            and not getattr(response, "streaming", False)
            and self.MARK in response.content
        ):
            return page_not_found(request)
        return response
