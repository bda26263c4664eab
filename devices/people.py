"""Who the desk means when it names the person a device goes to (a selector).

The device page's and the admin's hand-out form read through `person_to_assign`, and so
would any API that assigns: a device goes to exactly one active person or to nobody, never
to whichever of the people a name matches the database returns first.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from portal.errors import RuleViolation
from portal.models import User

# Enough to tell one match from several; a name matches a handful of people at most.
_CANDIDATES = 5


def person_to_assign(text: str) -> User:
    """The one active person whose username, employee number or email address is `text`
    (case does not matter). When several people match, one whose username or employee
    number is exactly `text` is meant (they are unique); otherwise the name is refused as
    ambiguous. Raises RuleViolation on `person` when nobody, several people or only a
    deactivated account matches."""
    text = text.strip()
    if not text:
        raise RuleViolation(
            _("Give their username, employee number or email address."),
            code="no_such_person",
            field="person",
        )
    matches = list(
        User.objects.filter(
            Q(username__iexact=text) | Q(employee_number__iexact=text) | Q(email__iexact=text)
        ).order_by("pk")[:_CANDIDATES]
    )
    if len(matches) > 1:
        exact = [p for p in matches if text in (p.username, p.employee_number)]
        matches = exact if len(exact) == 1 else matches
    if not matches:
        raise RuleViolation(
            _("Nobody has that username, employee number or email address."),
            code="no_such_person",
            field="person",
        )
    if len(matches) > 1:
        raise RuleViolation(
            _(
                "More than one person goes by “%(text)s”. Give the username (exactly as it "
                "is written) or the employee number of the person you mean."
            )
            % {"text": text},
            code="ambiguous_person",
            field="person",
        )
    [person] = matches
    if not person.is_active:
        raise RuleViolation(
            _("The account of %(name)s is deactivated: a device goes only to an active person.")
            % {"name": person.get_full_name() or person.username},
            code="inactive_person",
            field="person",
        )
    return person
