"""API tokens: `Authorization: Bearer <token>` (or `Token <token>`)."""

from __future__ import annotations

import drf_spectacular.authentication
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import is_form_media_type

from portal.api.permissions import required_scopes
from portal.models import ApiToken, hash_token


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="ignore").lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        raw = header[1].decode(errors="ignore")
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
        if token is None or not token.is_usable or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The token scheme, with its scopes; listed only on the operations a token may call."""

    target_class = "portal.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_requirement(self, auto_schema):
        if not required_scopes(auto_schema.view, auto_schema.method):
            return None
        return {self.name: []}

    def get_security_definition(self, auto_schema):
        from portal.api.schema import scopes_description  # the schema module imports DRF's

        return {"type": "http", "scheme": "bearer", "description": scopes_description()}


_FORM_MEDIA_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class SessionAuthentication(authentication.SessionAuthentication):
    """A signed-in session, with its CSRF check. The check reads the body only when it is
    a form the view takes (the token may be a form field), so a view's permission is
    checked before a JSON body is parsed: a body that does not parse, from a caller who may
    not call the view, is a 403, not a 400."""

    def enforce_csrf(self, request):
        takes_forms = any(parser.media_type in _FORM_MEDIA_TYPES for parser in request.parsers)
        if not (takes_forms and is_form_media_type(request.content_type)):
            # Django's own request: its POST is empty for a body that is not a form.
            request = request._request
        super().enforce_csrf(request)


class SessionScheme(drf_spectacular.authentication.SessionScheme):
    target_class = "portal.api.authentication.SessionAuthentication"
