"""The normal form of a serial number, and IMEI numbers: 15 digits whose last one is the
Luhn check digit."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def _luhn_sum(digits: str) -> int:
    """The Luhn sum: from the right, every second digit doubled (minus 9 above 9)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        number = int(char)
        if position % 2 == 1:
            number = number * 2 - 9 if number > 4 else number * 2
        total += number
    return total


def luhn_valid(digits: str) -> bool:
    return _luhn_sum(digits) % 10 == 0


def luhn_check_digit(body: str) -> str:
    """The digit that makes `body` + digit pass the Luhn check."""
    return str(-_luhn_sum(body + "0") % 10)


def validate_imei(value: str) -> None:
    if not (len(value) == 15 and value.isdigit() and luhn_valid(value)):
        raise ValidationError(
            _("An IMEI is 15 digits with a valid check digit; check the number."),
            code="invalid_imei",
        )


_WHITESPACE = re.compile(r"\s+")


def normalise_serial(value):
    """The one normal form of a serial number: upper case, with no whitespace at all (a
    label's "c02x 1234 " is the device "C02X1234"). None stays None; anything else becomes
    text. The model field, the CSV import and the MDM upsert all store this form, and the
    database refuses any other (`device_serial_number_normal`)."""
    if value is None:
        return None
    return _WHITESPACE.sub("", str(value)).upper()
