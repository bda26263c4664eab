"""The one small hierarchy of domain errors every service raises.

Each surface turns them into its own form: a message on a page, `{"detail", "code"}`
with a 4xx status in the API, an error message in the admin.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the request; nothing was changed."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code
        self.field = field


class RuleViolation(DomainError):
    """The input breaks a business rule (bad value, missing answer, over budget)."""


class NotPermitted(DomainError):
    """The actor may not do this to this object."""

    status_code = 403
    default_code = "permission_denied"


class NotFound(DomainError):
    """The object does not exist, or is outside the actor's scope (the same to them)."""

    status_code = 404
    default_code = "not_found"


class IllegalTransition(DomainError):
    """The object's current state does not allow the requested transition."""

    status_code = 409
    default_code = "illegal_transition"


class Conflict(DomainError):
    """Somebody else changed the object first, or it already exists."""

    status_code = 409
    default_code = "conflict"
