"""Pages every person shares: home, notifications, language, accessibility, health."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from portal import health, notifications, selectors, services
from portal.choices import Language


@login_required
def home(request: HttpRequest) -> HttpResponse:
    profile = selectors.user_profile(request.user.pk)
    latest = selectors.notifications_for(request.user)[:5]
    from allauth.mfa.utils import is_mfa_enabled

    return render(
        request,
        "portal/home.html",
        {
            "profile": profile,
            "latest_notifications": latest,
            "mfa_enabled": is_mfa_enabled(request.user, types=["totp", "webauthn"]),
        },
    )


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_for(request.user), 25).get_page(
        request.GET.get("page")
    )
    template = (
        "portal/partials/notification_list.html" if request.htmx else "portal/notifications.html"
    )
    return render(request, template, {"page": page})


@login_required
@require_POST
def notifications_mark_read(request: HttpRequest) -> HttpResponse:
    notifications.mark_read(user=request.user)
    if request.htmx:
        page = Paginator(selectors.notifications_for(request.user), 25).get_page(1)
        return render(request, "portal/partials/notification_list.html", {"page": page})
    return redirect("portal:notifications")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language for this browser, and remember it on a signed-in person's profile."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in Language.values:
        services.set_preferred_language(user=request.user, language=language)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        response["Location"] = "/"
    return response


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/accessibility.html",
        {"contact": settings.PORTAL_ACCESSIBILITY_CONTACT},
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    results = health.run_checks()
    failed = sorted(name for name, result in results.items() if result != "ok")
    body = {"status": "fail" if failed else "ok", "checks": results}
    if failed:
        body["failed"] = failed
    return JsonResponse(body, status=503 if failed else 200)


def admin_for_staff_only(login_view):
    """The admin's sign-in page: a signed-in person who is not staff is told, on the
    portal's own 403 page, that the admin is not part of their role."""

    @wraps(login_view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated and not (request.user.is_staff and request.user.is_active):
            raise PermissionDenied(
                _(
                    "The administration pages are for IT reviewers, the logistics desk "
                    "and administrators."
                )
            )
        return login_view(request, *args, **kwargs)

    return wrapped
