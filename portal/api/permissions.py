"""API permission classes shared by the apps."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from portal.models import ApiToken


def token_scope(scope: str) -> type[BasePermission]:
    """A permission class: the request carries an API token with `scope`."""

    class HasTokenScope(BasePermission):
        message = f"An API token with the scope '{scope}' is required."

        def has_permission(self, request, view) -> bool:
            return isinstance(request.auth, ApiToken) and request.auth.has_scope(scope)

    HasTokenScope.__name__ = f"HasTokenScope_{scope.replace(':', '_')}"
    return HasTokenScope
