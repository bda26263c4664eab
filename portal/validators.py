"""Field validators every app can put on its models, so the forms, the admin and the API
(which all reach the model's validation through a service or a ModelForm) refuse alike."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Control characters (C0 with tab, CR and LF; DEL; C1 with NEL) and the Unicode line and
# paragraph separators: none belongs in a name, a summary or an identifier, and a line
# break in one ends up in email subjects and headers.
NOT_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def validate_one_line(value) -> None:
    """A one-line text: no line breaks, tabs or other control characters."""
    if isinstance(value, str) and NOT_ONE_LINE.search(value):
        raise ValidationError(
            _("Write this on one line, without line breaks or control characters."),
            code="one_line",
        )


def one_line(value: str) -> str:
    """The text with every run of control characters and line breaks made one space (to
    repair what was stored before the validator)."""
    return re.sub(r"\s+", " ", NOT_ONE_LINE.sub(" ", value)).strip()
