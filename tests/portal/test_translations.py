"""The Norwegian Bokmål and Swedish catalogues are complete, compiled and in use.

A string added to the code or a template without a translation fails here: run
`python manage.py makemessages -l nb -l sv --ignore .venv --ignore tests --ignore staticfiles
--ignore media --ignore .pgdata`, translate the new entries in locale/*/LC_MESSAGES/django.po,
then `python manage.py compilemessages --ignore .venv` and commit the .po and the .mo files.
"""

from __future__ import annotations

import ast
import gettext
import html
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

LANGUAGES = ["nb", "sv"]
LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
# The same folders the documented makemessages command ignores.
NOT_OUR_CODE = {".venv", ".git", ".pgdata", "tests", "staticfiles", "media", "locale"}
PLACEHOLDER = re.compile(r"%\([^)]+\)[a-z]|%%|%[sd]")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


# --- a tiny .po reader -------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def label(self) -> str:
        context = f"[{self.msgctxt}] " if self.msgctxt is not None else ""
        return f"line {self.line}: {context}{self.msgid!r}"


def _unquote(text: str) -> str:
    # PO strings use C escapes (\n, \t, \", \\), which Python string literals share.
    return ast.literal_eval(text)


def parse_po(path: Path) -> list[Entry]:
    """Every live entry of a .po file, the header (msgid "") first. Obsolete ones are left out."""
    entries: list[Entry] = []
    entry = Entry()
    key: tuple[str, int] | None = None
    started = False

    def finish():
        nonlocal entry, key, started
        if started:
            entries.append(entry)
        entry, key, started = Entry(), None, False

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if key is None:
                raise AssertionError(f"{path}:{number}: a string outside any keyword")
            name, index = key
            text = _unquote(line)
            if name == "msgstr":
                entry.msgstr[index] += text
            else:
                setattr(entry, name, getattr(entry, name) + text)
        else:
            keyword, _, value = line.partition(" ")
            match = re.fullmatch(r"(msgctxt|msgid|msgid_plural|msgstr)(?:\[(\d+)\])?", keyword)
            if match is None:
                raise AssertionError(f"{path}:{number}: unexpected line {raw!r}")
            if match[1] in {"msgctxt", "msgid"} and started and entry.msgstr:
                finish()  # two entries not separated by a blank line
            if not started:
                entry.line, started = number, True
            name, index = match[1], int(match[2] or 0)
            key = (name, index)
            if name == "msgstr":
                entry.msgstr[index] = _unquote(value)
            else:
                setattr(entry, name, _unquote(value))
    finish()
    return entries


def header_fields(entries: list[Entry]) -> dict[str, str]:
    header = entries[0]
    assert header.msgid == "" and header.msgctxt is None, "the header must be the first entry"
    lines = [line for line in header.msgstr[0].split("\n") if line]
    return dict(line.split(": ", 1) for line in lines)


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def mo_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.mo"


def problems_of(entries: list[Entry]) -> list[str]:
    """Untranslated, fuzzy, or translations that lost a placeholder or an HTML tag."""
    problems = []
    for entry in entries[1:]:
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.label}")
        expected_forms = 2 if entry.msgid_plural is not None else 1
        if len(entry.msgstr) != expected_forms or not all(entry.msgstr.values()):
            problems.append(f"untranslated: {entry.label}")
            continue
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        wanted_placeholders = sorted(set().union(*(PLACEHOLDER.findall(s) for s in sources)))
        wanted_tags = sorted(HTML_TAG.findall(entry.msgid))
        for translated in entry.msgstr.values():
            placeholders = sorted(set(PLACEHOLDER.findall(translated)))
            if "python-format" in entry.flags and placeholders != wanted_placeholders:
                problems.append(
                    f"placeholders {placeholders} != {wanted_placeholders}: {entry.label}"
                )
            if sorted(HTML_TAG.findall(translated)) != wanted_tags:
                problems.append(f"HTML tags differ: {entry.label}")
    return problems


# --- (a) the catalogues are complete -----------------------------------------------------


def test_po_reader_understands_what_gettext_writes(tmp_path):
    sample = tmp_path / "sample.po"
    sample.write_text(
        'msgid ""\nmsgstr ""\n"Language: nb\\n"\n\n'
        '#, fuzzy, python-format\nmsgid "Hi %(name)s"\nmsgstr "Hei %(name)s"\n\n'
        'msgctxt "field label"\nmsgid ""\n"Log"\n"in"\nmsgstr ""\n\n'
        'msgid "One"\nmsgid_plural "Many"\nmsgstr[0] "Én"\nmsgstr[1] ""\n\n'
        'msgid "Tag"\nmsgstr "<b>Merke"\n\n'
        '#~ msgid "Gone"\n#~ msgstr "Borte"\n',
        encoding="utf-8",
    )
    entries = parse_po(sample)
    assert header_fields(entries) == {"Language": "nb"}
    assert [(e.msgctxt, e.msgid) for e in entries[1:]] == [
        (None, "Hi %(name)s"),
        ("field label", "Login"),
        (None, "One"),
        (None, "Tag"),
    ]
    problems = problems_of(entries)
    assert len(problems) == 4
    assert problems[0].startswith("fuzzy: ")
    assert problems[1].startswith("untranslated: ") and "Login" in problems[1]
    assert problems[2].startswith("untranslated: ") and "One" in problems[2]
    assert problems[3].startswith("HTML tags differ: ")


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_header(language):
    header = header_fields(parse_po(po_path(language)))
    assert header["Language"] == language
    assert header["Content-Type"] == "text/plain; charset=UTF-8"
    assert header["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert "fuzzy" not in parse_po(po_path(language))[0].flags


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(language):
    entries = parse_po(po_path(language))
    assert len(entries) > 50, "the catalogue looks empty: was makemessages run?"
    assert problems_of(entries) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_both_catalogues_hold_the_same_strings(language):
    def keys(lang):
        return {(e.msgctxt, e.msgid) for e in parse_po(po_path(lang))}

    assert keys(language) == keys(LANGUAGES[0])


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_every_string_of_our_code_is_in_the_catalogues(tmp_path, monkeypatch):
    """makemessages on a copy of the code adds nothing untranslated to the committed catalogues."""
    root = Path(settings.BASE_DIR)

    def ignore(folder, names):
        if Path(folder) == root:
            return [n for n in names if n in NOT_OUR_CODE or n.startswith(".")]
        keep = {".py", ".html", ".txt"}
        return [
            n
            for n in names
            if n == "__pycache__" or ((Path(folder) / n).is_file() and Path(n).suffix not in keep)
        ]

    copy = tmp_path / "project"
    shutil.copytree(root, copy, ignore=ignore)
    for language in LANGUAGES:
        target = copy / "locale" / language / "LC_MESSAGES"
        target.mkdir(parents=True)
        shutil.copy(po_path(language), target / "django.po")
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command("makemessages", locale=LANGUAGES, verbosity=0)
    for language in LANGUAGES:
        merged = parse_po(copy / "locale" / language / "LC_MESSAGES" / "django.po")
        assert problems_of(merged) == [], (
            f"{language}: strings in the code are missing from locale/{language}; "
            "run makemessages, translate and compilemessages (see this module's docstring)"
        )


# --- (c) the .mo files are compiled from the current .po files ---------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_mo_file_is_compiled_from_the_current_po_file(language):
    """Compare contents, not times: a fresh clone gives both files the checkout's mtimes."""
    assert mo_path(language).exists(), f"run compilemessages: {mo_path(language)} is missing"
    with mo_path(language).open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert compiled.info().get("language") == language
    stale = []
    for entry in parse_po(po_path(language))[1:]:
        if entry.msgid_plural is not None:
            got = {
                0: compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 1)
                if entry.msgctxt is not None
                else compiled.ngettext(entry.msgid, entry.msgid_plural, 1),
                1: compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 2)
                if entry.msgctxt is not None
                else compiled.ngettext(entry.msgid, entry.msgid_plural, 2),
            }
        elif entry.msgctxt is not None:
            got = {0: compiled.pgettext(entry.msgctxt, entry.msgid)}
        else:
            got = {0: compiled.gettext(entry.msgid)}
        if got != entry.msgstr:
            stale.append(entry.label)
    assert stale == [], f"{mo_path(language)} is older than its .po: run compilemessages"


# --- (b) the pages are shown in the person's language ------------------------------------


def _page_text(response) -> str:
    return html.unescape(response.content.decode())


SIGN_IN = {
    # Our own template, and allauth's form, in each language.
    "nb": ["Logg inn med brukerkontoen din", "Har du ikke brukerkonto?", "Passord"],
    "sv": ["Logga in med ditt användarkonto", "Har du inget konto?", "Lösenord"],
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_sign_in_page_follows_the_language_cookie(client, db, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    text = _page_text(response)
    assert f'<html lang="{language}">' in text
    for expected in SIGN_IN[language]:
        assert expected in text
    assert "Sign in with your" not in text
    assert "No account?" not in text


def _translated(language: str, msgid: str) -> str:
    with translation.override(language):
        translated = translation.gettext(msgid)
    assert translated != msgid, f"django-allauth has no {language} translation of {msgid!r}"
    return translated


@pytest.mark.parametrize("language", LANGUAGES)
def test_allauth_password_reset_page_is_translated(client, db, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("account_reset_password"))
    assert response.status_code == 200
    text = _page_text(response)
    assert _translated(language, "Password Reset") in text
    assert "Password Reset" not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_allauth_mfa_page_is_translated(client, employee, language):
    client.force_login(employee)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("mfa_index"))
    assert response.status_code == 200
    text = _page_text(response)
    assert _translated(language, "Authenticator App") in text
    assert "Authenticator App" not in text
    assert _translated(language, "Two-factor authentication") in text
