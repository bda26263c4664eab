"""API permission classes shared by the apps."""

from __future__ import annotations

from django.utils.translation import gettext
from rest_framework.permissions import BasePermission

from portal.models import ApiToken


def token_scope(scope: str) -> type[BasePermission]:
    """A permission class: the request carries an API token with `scope`."""

    class HasTokenScope(BasePermission):
        @property
        def message(self) -> str:
            # Translated per request, in the language of the caller.
            return gettext("An API token with the scope '%(scope)s' is required.") % {
                "scope": scope
            }

        def has_permission(self, request, view) -> bool:
            return isinstance(request.auth, ApiToken) and request.auth.has_scope(scope)

    HasTokenScope.__name__ = f"HasTokenScope_{scope.replace(':', '_')}"
    return HasTokenScope
