"""The CSV columns of the device import and export, and the check of one row.

A file is checked against `Lookups`, loaded once (device models and departments as
dicts, the serial numbers, IMEIs and upper-case asset tags already in the fleet as sets),
and a `Seen` record of the values earlier rows of the same file used, so checking is
O(rows) with a fixed number of queries. A row's problems come back as `Problem`s (line,
field, reason); a good row comes back as the field values of a new `Device` in stock.
A serial number is checked and stored in its normal form (`validators.normalise_serial`),
and an asset tag compared whatever its case, so a lower-case copy of a device already in
the fleet (or earlier in the file) is refused, as the database would refuse it.

There is no `assignee` column on purpose: a device is handed out by the desk
(`devices.services.assign_device`), which keeps the holder history and the timeline.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from devices.models import Device, DeviceModel
from devices.validators import luhn_valid, normalise_serial
from portal.models import Department

COLUMNS = (
    "serial_number",
    "imei",
    "asset_tag",
    "manufacturer",
    "model",
    "department",
    "purchase_date",
    "purchase_price",
    "warranty_end",
    "mdm_identifier",
    "notes",
)
REQUIRED_COLUMNS = ("serial_number", "manufacturer", "model")
# What the export adds for people to read; an import accepts these columns and ignores them
# (an imported device is in stock and held by nobody).
EXPORT_ONLY_COLUMNS = ("state", "holder_username", "holder_name", "department_name")
# The device field (of `permissions.DEVICE_FIELDS`) each column shows, where its name differs:
# an export has only the columns of the fields its reader may see.
COLUMN_FIELDS = {
    "manufacturer": "model",
    "holder_username": "holder",
    "holder_name": "holder",
    "department_name": "department",
}


def export_columns(fields) -> tuple[str, ...]:
    """The export's columns for a reader who may see these device fields."""
    return tuple(
        name for name in COLUMNS + EXPORT_ONLY_COLUMNS if COLUMN_FIELDS.get(name, name) in fields
    )


MAX_LENGTHS = {"serial_number": 64, "asset_tag": 40, "mdm_identifier": 120}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_PRICE = Decimal("99999999.99")


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    reason: str

    def as_dict(self) -> dict:
        return {"line": self.line, "field": self.field, "reason": self.reason}


@dataclass
class Lookups:
    """What rows are checked against, loaded in a fixed number of queries."""

    models: dict[tuple[str, str], int]
    departments: dict[str, tuple[int, bool]]
    serials: set[str]
    imeis: set[str]
    tags: set[str]

    @classmethod
    def load(cls) -> Lookups:
        serials, imeis, tags = set(), set(), set()
        rows = Device.objects.values_list("serial_number", "imei", "asset_tag")
        for serial, imei, tag in rows.iterator(chunk_size=10_000):
            serials.add(serial)
            if imei:
                imeis.add(imei)
            if tag:
                tags.add(tag.upper())
        return cls(
            models={
                (maker.casefold(), name.casefold()): pk
                for pk, maker, name in DeviceModel.objects.values_list("pk", "manufacturer", "name")
            },
            departments={
                code.casefold(): (pk, active)
                for pk, code, active in Department.objects.values_list("pk", "code", "is_active")
            },
            serials=serials,
            imeis=imeis,
            tags=tags,
        )


@dataclass
class Seen:
    """The values earlier rows of the file used: value -> line."""

    serials: dict[str, int] = field(default_factory=dict)
    imeis: dict[str, int] = field(default_factory=dict)
    tags: dict[str, int] = field(default_factory=dict)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape(text: str) -> str:
    """The cell with a leading apostrophe if a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unescape(text: str) -> str:
    """The cell as it was before `escape` (so an export imports again unchanged)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


class BadHeader(ValueError):
    """The file cannot be read as a device list at all (the reason is for people)."""


# What a header may be, checked before the CSV reader parses it: the known columns are 15
# names of at most 16 characters, so anything near these limits is not a device list.
MAX_COLUMNS = 50
MAX_HEADER_CHARACTERS = 2000
SHOWN_UNKNOWN_COLUMNS = 10


def read_table(text: str) -> tuple[list[str], csv.reader]:
    """The header's column names and a reader of the remaining rows. Comma, semicolon
    (what Excel writes in Norwegian and Swedish) or tab separated. A header longer than
    `MAX_HEADER_CHARACTERS` or with more than `MAX_COLUMNS` columns is refused before it
    is parsed; the reader may still raise `csv.Error` on a later row."""
    text = text.removeprefix("\ufeff")
    first = _first_line(text)
    delimiter = max([",", ";", "\t"], key=first.count)
    if first.count(delimiter) >= MAX_COLUMNS:
        raise BadHeader(_too_many_columns())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error:
        raise BadHeader(
            _("The first line cannot be read as CSV (is a quotation mark never closed?).")
        ) from None
    if not header or not any(cell.strip() for cell in header):
        raise BadHeader(_("The file is empty: the first line must name the columns."))
    if len(header) > MAX_COLUMNS:
        raise BadHeader(_too_many_columns())
    if sum(len(cell) for cell in header) > MAX_HEADER_CHARACTERS:
        raise BadHeader(_header_too_long())
    names = [cell.strip().casefold() for cell in header]
    _check_names(names)
    return names, reader


def _first_line(text: str) -> str:
    """The header line, looked for only within the first `MAX_HEADER_CHARACTERS`."""
    end = text.find("\n", 0, MAX_HEADER_CHARACTERS + 1)
    if end < 0 and len(text) > MAX_HEADER_CHARACTERS:
        raise BadHeader(_header_too_long())
    return (text if end < 0 else text[:end]).removesuffix("\r")


def _too_many_columns() -> str:
    return _(
        "The first line names more than %(count)s columns; a device list has at most %(known)s."
    ) % {"count": MAX_COLUMNS, "known": len(COLUMNS + EXPORT_ONLY_COLUMNS)}


def _header_too_long() -> str:
    return _(
        "The first line is longer than %(count)s characters. It must name the columns, "
        "which are: %(columns)s."
    ) % {"count": MAX_HEADER_CHARACTERS, "columns": ", ".join(COLUMNS)}


def _check_names(names: list[str]) -> None:
    """Every column known, none twice, the required ones there (else BadHeader)."""
    unknown = [name for name in names if name not in COLUMNS + EXPORT_ONLY_COLUMNS]
    if unknown:
        shown = ", ".join(_shortened(name) for name in unknown[:SHOWN_UNKNOWN_COLUMNS])
        columns = ", ".join(COLUMNS)
        if len(unknown) > SHOWN_UNKNOWN_COLUMNS:
            raise BadHeader(
                _(
                    "%(count)s unknown columns, among them: %(unknown)s. "
                    "The columns are: %(columns)s."
                )
                % {"count": len(unknown), "unknown": shown, "columns": columns}
            )
        raise BadHeader(
            _("Unknown columns: %(unknown)s. The columns are: %(columns)s.")
            % {"unknown": shown, "columns": columns}
        )
    twice = sorted(name for name, count in Counter(names).items() if count > 1)
    if twice:
        raise BadHeader(_("Columns named twice: %(names)s.") % {"names": ", ".join(twice)})
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise BadHeader(
            _("Required columns are missing: %(names)s.") % {"names": ", ".join(missing)}
        )


def _shortened(name: str, limit: int = 40) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def check_row(values: dict[str, str], *, line: int, lookups: Lookups, seen: Seen):
    """(the new device's fields, []) for a good row, (None, problems) for a bad one."""
    problems: list[Problem] = []

    def bad(name: str, reason: str) -> None:
        problems.append(Problem(line, name, reason))

    clean = {name: unescape(values.get(name) or "").strip() for name in COLUMNS}
    clean["serial_number"] = normalise_serial(clean["serial_number"])
    for name, limit in MAX_LENGTHS.items():
        if len(clean[name]) > limit:
            bad(name, _("At most %(count)s characters.") % {"count": limit})
    serial = clean["serial_number"]
    if not serial:
        bad("serial_number", _("The serial number is missing."))
    else:
        _unique(bad, "serial_number", serial, line, lookups.serials, seen.serials)
    imei = clean["imei"]
    if imei:
        if not (len(imei) == 15 and imei.isdigit()):
            bad("imei", _("An IMEI is 15 digits."))
        elif not luhn_valid(imei):
            bad("imei", _("The IMEI's check digit is wrong."))
        else:
            _unique(bad, "imei", imei, line, lookups.imeis, seen.imeis)
    tag = clean["asset_tag"]
    if tag:
        _unique(bad, "asset_tag", tag.upper(), line, lookups.tags, seen.tags)
    model_id = _model(bad, clean, lookups)
    department_id = _department(bad, clean["department"], lookups)
    purchased = _date(bad, "purchase_date", clean["purchase_date"])
    warranty_end = _date(bad, "warranty_end", clean["warranty_end"])
    if purchased and warranty_end and warranty_end < purchased:
        bad("warranty_end", _("The warranty ends before the purchase date."))
    price = _price(bad, clean["purchase_price"])
    if problems:
        return None, problems
    return {
        "serial_number": serial,
        "imei": imei or None,
        "asset_tag": tag or None,
        "model_id": model_id,
        "department_id": department_id,
        "purchase_date": purchased,
        "purchase_price": price,
        "warranty_end": warranty_end,
        "mdm_identifier": clean["mdm_identifier"],
        "notes": clean["notes"],
    }, []


def _unique(bad, name: str, value: str, line: int, existing: set, seen: dict) -> None:
    if value in existing:
        bad(name, _("A device with this value is already in the fleet."))
    elif value in seen:
        bad(name, _("Already used on line %(line)s of this file.") % {"line": seen[value]})
    else:
        seen[value] = line


def _model(bad, clean: dict, lookups: Lookups) -> int | None:
    maker, name = clean["manufacturer"], clean["model"]
    if not maker or not name:
        bad("model", _("Give the manufacturer and the model."))
        return None
    model_id = lookups.models.get((maker.casefold(), name.casefold()))
    if model_id is None:
        bad(
            "model",
            _("No device model “%(maker)s %(name)s”; add it under device models first.")
            % {"maker": maker, "name": name},
        )
    return model_id


def _department(bad, code: str, lookups: Lookups) -> int | None:
    if not code:
        return None
    found = lookups.departments.get(code.casefold())
    if found is None:
        bad("department", _("No department with the code “%(code)s”.") % {"code": code})
        return None
    pk, active = found
    if not active:
        bad("department", _("The department “%(code)s” is closed.") % {"code": code})
    return pk


def _date(bad, name: str, text: str) -> date | None:
    if not text:
        return None
    try:
        if ISO_DATE.match(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    bad(name, _("Write the date as YYYY-MM-DD, for example 2025-03-31."))
    return None


def _price(bad, text: str) -> Decimal | None:
    if not text:
        return None
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        price = Decimal(text)
    except InvalidOperation:
        price = None
    if price is None or not price.is_finite():
        bad("purchase_price", _("Write the price as a number, for example 4999.00."))
    elif price < 0 or price > MAX_PRICE or price.as_tuple().exponent < -2:
        bad(
            "purchase_price",
            _("The price is at least 0, below 100 million, with at most two decimals."),
        )
    else:
        return price
    return None
