"""IMEI numbers: 15 digits whose last one is the Luhn check digit."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        number = int(char)
        if position % 2 == 1:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    return total % 10 == 0


def validate_imei(value: str) -> None:
    if not (len(value) == 15 and value.isdigit() and luhn_valid(value)):
        raise ValidationError(
            _("An IMEI is 15 digits with a valid check digit; check the number."),
            code="invalid_imei",
        )
