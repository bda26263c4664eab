"""Dates in English read the same way on every page: day first, month as a word, 24-hour
clock (portal/formats/en), never Django's American defaults."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
MOMENT = dt.datetime(2026, 12, 2, 14, 5, tzinfo=dt.UTC)


def _render(source: str, language: str) -> str:
    with translation.override(language):
        return Template(source).render(Context({"when": MOMENT, "day": MOMENT.date()}))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('{{ day|date:"DATE_FORMAT" }}', "2 December 2026"),
        ('{{ day|date:"SHORT_DATE_FORMAT" }}', "2 Dec 2026"),
        ('{{ when|date:"SHORT_DATETIME_FORMAT" }}', "2 Dec 2026, 15:05"),
        ("{{ when }}", "2 December 2026, 15:05"),
    ],
)
def test_english_dates_are_day_first_with_a_24_hour_clock(source, expected):
    assert _render(source, "en") == expected


def test_norwegian_and_swedish_keep_their_own_formats():
    assert _render('{{ day|date:"SHORT_DATE_FORMAT" }}', "nb") == "02.12.2026"
    assert _render('{{ day|date:"SHORT_DATE_FORMAT" }}', "sv") == "2026-12-02"


def test_templates_use_the_locales_formats_not_fixed_ones():
    """A fixed format (`|date:"d/m/Y"`) would show the same digits in every language; only
    the machine-readable `c` (for `<time datetime>`) is allowed."""
    fixed = re.compile(r"""\|date:["']([^"']+)["']""")
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        for match in fixed.finditer(path.read_text()):
            if match.group(1) != "c" and not match.group(1).endswith("_FORMAT"):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)}")
    assert offenders == []
