"""The OpenAPI schema says, for every operation, which API token scopes reach it."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema

from portal.api.permissions import ANY_SCOPE, required_scopes
from portal.choices import ApiScope


def scopes_note(scopes: frozenset[str]) -> str:
    if ANY_SCOPE in scopes:
        return "API token: any token, whatever its scopes."
    if not scopes:
        return "Signed-in sessions only: an API token is refused (403)."
    names = ", ".join(f"`{scope}`" for scope in sorted(scopes))
    if len(scopes) == 1:
        return f"API token scope: {names}."
    return f"API token scopes (any one of): {names}."


def scopes_description() -> str:
    """The API token security scheme's description: the rule and every scope."""
    lines = [
        "An API token from the admin: `Authorization: Bearer <token>`. A token acts as the "
        "person it was issued for, but reaches only the operations that name one of its "
        "scopes (each operation says which, also in `x-token-scopes`); every other "
        "operation is for signed-in sessions only and answers a token 403. Scopes:",
        "",
    ]
    lines += [f"- `{scope.value}`: {scope.label}" for scope in ApiScope]
    return "\n".join(lines)


class PortalAutoSchema(AutoSchema):
    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        scopes = required_scopes(self.view, self.method)
        description = operation.get("description", "")
        operation["description"] = "\n\n".join(filter(None, [description, scopes_note(scopes)]))
        operation["x-token-scopes"] = sorted(scopes)
        return operation
