"""API permission classes shared by the apps, and the one rule of API token scopes.

Scopes restrict, they do not only add: a request authenticated by an API token reaches
only a view that declares one of the token's scopes, whoever the token acts as. A view
declares them in `required_scopes`:

- a scope (`ApiScope.DEVICES_READ`), or several of which any one will do;
- `{"read": ..., "write": ...}`: one for the safe methods (GET, HEAD, OPTIONS), one for
  the others;
- `ANY_SCOPE`: any token (only "who am I").

A view without a declaration is for signed-in sessions only. `TokenHasScope` is in the
default permission classes; a view that sets its own lists it too, or `token_scope(...)`
for an endpoint that takes a token only. Sessions are not affected.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext
from rest_framework.permissions import SAFE_METHODS, BasePermission

from portal.models import ApiToken

ANY_SCOPE = "*"


def required_scopes(view, method: str) -> frozenset[str]:
    """The scopes of which a token needs one to call `view` with `method` (empty: none
    will do, the view is for sessions only)."""
    for permission in getattr(view, "permission_classes", ()):
        fixed = getattr(permission, "token_only_scope", None)
        if fixed:
            return frozenset({str(fixed)})
    declared = getattr(view, "required_scopes", None)
    if isinstance(declared, Mapping):
        declared = declared.get("read" if method.upper() in SAFE_METHODS else "write")
    if not declared:
        return frozenset()
    if isinstance(declared, str):
        return frozenset({str(declared)})
    return frozenset(str(scope) for scope in declared)


def token_may(token: ApiToken, scopes: frozenset[str]) -> bool:
    return ANY_SCOPE in scopes or any(token.has_scope(scope) for scope in scopes)


class TokenHasScope(BasePermission):
    """A request with an API token needs one of the scopes the view declares."""

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        scopes = required_scopes(view, request.method)
        if token_may(token, scopes):
            return True
        if scopes:
            self.message = gettext("This API token needs one of these scopes: %(scopes)s.") % {
                "scopes": ", ".join(sorted(scopes))
            }
        else:
            self.message = gettext("This endpoint takes a signed-in session, not an API token.")
        return False


def token_scope(scope: str) -> type[BasePermission]:
    """A permission class: the request carries an API token with `scope` (a session is
    refused). It also declares `scope` as the view's only one."""

    class HasTokenScope(TokenHasScope):
        token_only_scope = str(scope)

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
