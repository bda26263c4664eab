"""Writes of the portal: people, departments, API tokens."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.choices import ApiScope, Language, Role
from portal.errors import RuleViolation
from portal.models import ApiToken, User, hash_token
from portal.roles import is_staff_by_roles, sync_role_groups


@transaction.atomic
def create_api_token(
    *,
    name: str,
    user: User,
    scopes: Iterable[str] = (),
    expires_at: datetime | None = None,
    by: User | None,
) -> tuple[ApiToken, str]:
    """Issue a token acting as `user`. The raw key is returned once and never stored."""
    scopes = sorted(set(scopes))
    unknown = [scope for scope in scopes if scope not in ApiScope.values]
    if unknown:
        raise RuleViolation(_("Unknown scope: %(scope)s") % {"scope": unknown[0]}, field="scopes")
    raw = ApiToken.generate_key()
    token = ApiToken.objects.create(
        name=name,
        user=user,
        scopes=scopes,
        expires_at=expires_at,
        prefix=raw[:8],
        key_hash=hash_token(raw),
        created_by=by,
    )
    return token, raw


@transaction.atomic
def set_roles(*, user: User, roles: Iterable[Role | str], by: User | None = None) -> None:
    """Give a person exactly these roles; admin-desk roles make them staff."""
    wanted = {str(role) for role in roles}
    unknown = wanted - set(Role.values)
    if unknown:
        raise RuleViolation(_("Unknown role: %(role)s") % {"role": sorted(unknown)[0]})
    groups = {group.name: group for group in Group.objects.filter(name__in=wanted)}
    if len(groups) < len(wanted):
        groups = sync_role_groups()
    user.groups.set([groups[name] for name in sorted(wanted)])
    sync_staff_status(user=user, by=by)


def sync_staff_status(*, user: User, by: User | None = None) -> bool:
    """Make `is_staff` what the person's roles say (`roles.is_staff_by_roles`), after any
    change of their groups. Returns whether they are staff."""
    if hasattr(user, "_role_names"):
        del user._role_names
    is_staff = is_staff_by_roles(user)
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        User.objects.filter(pk=user.pk).update(is_staff=is_staff)
    return is_staff


def set_preferred_language(*, user: User, language: str) -> None:
    """Remember the person's language; an unknown code is refused."""
    if language not in Language.values:
        raise RuleViolation(_("Unknown language: %(code)s") % {"code": language}, field="language")
    User.objects.filter(pk=user.pk).update(preferred_language=language)


@transaction.atomic
def revoke_api_tokens(*, token_ids: Iterable[int], by: User) -> int:
    """Revoke tokens that are still live; a revoked token stays revoked. Returns how many."""
    return ApiToken.objects.filter(pk__in=list(token_ids), revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


@transaction.atomic
def sync_email_addresses(*, user: User, by: User | None = None) -> None:
    """A person signs in and resets their password with exactly one address: their email,
    which only the admin and single sign-on set (self-service email management is off).
    allauth's address rows follow it; another person's row for the same address goes,
    so a password reset to it can reach nobody else's account."""
    from allauth.account.models import EmailAddress

    email = user.email.strip().lower()
    own = EmailAddress.objects.filter(user=user)
    if not email:
        own.delete()
        return
    own.exclude(email=email).delete()
    EmailAddress.objects.filter(email__iexact=email).exclude(user=user).delete()
    EmailAddress.objects.filter(user=user, email=email, primary=False).update(primary=True)
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"primary": True})
