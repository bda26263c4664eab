"""django-allauth adapters: closed sign-up, email through the worker, SSO users."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import translation

from portal.notifications import queue_email


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """Accounts come from administrators or from single sign-on, never self-service."""
        return False

    def login(self, request, user) -> None:
        """Sign in, and from here on speak the person's saved language: the "signed in"
        message already, and the browser's language cookie from this response on."""
        super().login(request, user)
        language = getattr(user, "preferred_language", "")
        if language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
            request.remember_language = language

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render in the request, send from the worker after the transaction commits."""
        request = context.get("request")
        ctx = {"email": email, "request": request}
        if request is not None:
            from django.contrib.sites.shortcuts import get_current_site

            ctx["current_site"] = get_current_site(request)
        ctx.update(context)
        # In the recipient's saved language, whoever's browser asked (a colleague, or the
        # sign-in page of a shared PC).
        language = getattr(context.get("user"), "preferred_language", "")
        if language not in dict(settings.LANGUAGES):
            language = translation.get_language()
        with translation.override(language):
            message = self.render_mail(template_prefix, email, ctx)
        html_body = ""
        if isinstance(message, EmailMultiAlternatives):
            html_body = next(
                (content for content, mime in message.alternatives if mime == "text/html"), ""
            )
        queue_email(
            to=list(message.to),
            subject=message.subject,
            body=message.body,
            html_body=html_body,
            from_email=message.from_email,
        )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        """First SSO sign-in creates the person, unless the operator turned that off."""
        return settings.PORTAL_SSO_AUTO_CREATE_USERS

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        claims = sociallogin.account.extra_data or {}
        if not user.username:
            preferred = claims.get("preferred_username") or data.get("email") or ""
            user.username = preferred.split("@")[0][:150]
        employee_number = claims.get("employee_number") or claims.get("employeeid")
        if employee_number:
            user.employee_number = str(employee_number)[:30]
        return user
