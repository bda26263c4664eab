"""No English on a Norwegian or Swedish page: every page each role can reach (the pages
without arguments, and the pages of one app, version, device, repair and return), the
error pages, and every email template, rendered in nb and in sv, contains none of the
English source texts that the language's compiled catalogue translates.

It checks only texts WITH a translation (in our catalogue and allauth's), so a string a
helper added but nobody has translated yet does not fail it; a page that shows the
English of a translated text (a missing `{% translate %}`, or a page rendered in the
wrong language) does. It also catches Django's "---------" in a select.
"""

from __future__ import annotations

import gettext
import html
import re
from functools import cache
from pathlib import Path

import allauth
import pytest
from django.conf import settings
from django.template import TemplateDoesNotExist, loader
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from appstore import services as appstore_services
from appstore.choices import Platform
from tests.appstore.factories import make_app, make_version, publish
from tests.devices.factories import held_device, open_repair, open_return

pytestmark = pytest.mark.django_db

LANGUAGES = ("nb", "sv")
MIN_LENGTH = 13
SKIPPED_PREFIXES = ("api/", "admin/", "i18n/", "healthz", "media/", "static/")
SKIPPED_SUFFIXES = (".csv", "/download/", "/label/")  # files and print labels, no page text
ALLAUTH = Path(allauth.__file__).resolve().parent
EMAIL_TEMPLATE_DIRS = [
    ALLAUTH / "templates" / "account" / "email",
    ALLAUTH / "templates" / "mfa" / "email",
]
VISIBLE_ATTRIBUTES = re.compile(r'\s(?:aria-label|title|placeholder|alt|data-label)="([^"]*)"')


@cache
def english_texts(language: str) -> tuple[str, ...]:
    """The English source texts the language's compiled catalogues translate (ours, and
    allauth's for its pages and emails), long enough not to be ordinary words."""
    found = set()
    for root in (Path(settings.BASE_DIR) / "locale", ALLAUTH / "locale"):
        with open(root / language / "LC_MESSAGES" / "django.mo", "rb") as handle:
            catalogue = gettext.GNUTranslations(handle)
        for msgid, msgstr in catalogue._catalog.items():  # noqa: SLF001 (no public API)
            if isinstance(msgid, tuple):  # a plural form: (msgid, n)
                continue
            if "\x04" in msgid:  # with a context
                msgid = msgid.split("\x04", 1)[1]
            text = " ".join(msgid.split())
            if (
                len(text) >= MIN_LENGTH
                and msgstr
                and " ".join(msgstr.split()) != text
                and not re.search(r"[<%{}]", text)
            ):
                found.add(text)
    return tuple(sorted(found))


def visible_segments(markup: str) -> list[str]:
    """The texts between tags, and the visible attributes, whitespace normalised."""
    markup = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", markup)
    attributes = VISIBLE_ATTRIBUTES.findall(markup)
    texts = re.split(r"(?s)<[^>]+>", markup)
    segments = (" ".join(html.unescape(text).split()) for text in [*texts, *attributes])
    configured = {settings.PORTAL_NAME, settings.PORTAL_ORGANISATION}
    configured |= set(settings.PORTAL_LOGISTICS_ADDRESS.split("|"))
    return [segment for segment in segments if segment and segment not in configured]


LONG = 30
PUNCTUATION = " :·,;()–—|*"


def english_in(markup: str, language: str) -> list[str]:
    """A short text counts when it is a whole segment (give or take punctuation); inside
    a longer segment it is likely part of another, not yet translated text ("Serial
    number" in "Serial number or asset tag"), which this test leaves to the catalogue.
    A long text counts anywhere."""
    segments = visible_segments(markup)
    texts = english_texts(language)
    short = {text for text in texts if len(text) < LONG}
    found = {segment for segment in segments if segment in short}
    found |= {segment.strip(PUNCTUATION) for segment in segments} & short
    joined = "\n".join(segments)
    found |= {text for text in texts if len(text) >= LONG and text in joined}
    if "---------" in markup:
        found.add("--------- (an empty choice without a label)")
    return sorted(found)


def _routes(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif (
            isinstance(pattern, URLPattern)
            and not route.startswith(SKIPPED_PREFIXES)
            and not route.endswith(SKIPPED_SUFFIXES)
            and not (route.startswith("accounts/") and "<" in route)
        ):
            yield route


def _fill(route: str, objects: dict) -> str | None:
    """The route with its arguments taken from the dataset; None if one is unknown."""

    def value(match):
        name = match.group(2)
        before = route[: match.start()]
        if name == "pk":
            key = (
                "repair"
                if before.endswith("repairs/")
                else "return"
                if before.endswith("returns/")
                else "device"
            )
        else:
            key = name
        if key not in objects:
            raise KeyError(name)
        return str(objects[key])

    try:
        return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)
    except KeyError:
        return None


@pytest.fixture
def dataset(personas):
    owner, reviewer, desk = personas["appowner"], personas["reviewer"], personas["logistics"]
    app = make_app(owner=owner, name="Vaktliste", summary="Turnus og vakter")
    version = publish(
        owner=owner, reviewer=reviewer, app=app, platforms=(Platform.ANDROID, Platform.WEB)
    )
    draft = make_version(owner=owner, app=app, version="1.1.0")
    employee = personas["employee"]
    appstore_services.rate_app(by=employee, app_id=app.pk, stars=4, comment="Nyttig")
    repaired = held_device(holder=employee, desk=desk)
    repair = open_repair(device=repaired, by=employee, description="Knust skjerm")
    returned = held_device(holder=employee, desk=desk)
    ret = open_return(device=returned, by=employee)
    return {
        "slug": app.slug,
        "version_id": draft.pk,
        "artifact_id": version.artifacts.first().pk,
        "device": repaired.pk,
        "repair": repair.pk,
        "return": ret.pk,
    }


def _pages(objects) -> list[str]:
    urls = {_fill(route, objects) for route in _routes(get_resolver().url_patterns)}
    return sorted(url for url in urls if url) + ["/training/", "/admin/"]


def test_no_page_shows_english_in_norwegian_or_swedish(client, personas, dataset):
    pages = _pages(dataset)
    problems = []
    for role, person in [("visitor", None), *personas.items()]:
        client.logout()
        if person is not None:
            client.force_login(person)
        for number, url in enumerate(pages):
            everything = role in ("visitor", "employee")
            if not everything and url.startswith("/accounts/"):
                continue  # the same for every role
            # The visitor and the employee see every page in both languages; the other
            # roles each page in one of them, in turn (the test stays fast).
            for language in LANGUAGES if everything else [LANGUAGES[number % 2]]:
                client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
                response = client.get(url, follow=False)
                if response.status_code not in (200, 403, 404) or "html" not in response.get(
                    "Content-Type", ""
                ):
                    continue
                for english in english_in(response.content.decode(), language):
                    problems.append(f"{language} {role} {url}: {english}")
    assert not problems, "\n".join(problems)


def _email_templates() -> list[str]:
    names = []
    for folder in EMAIL_TEMPLATE_DIRS:
        app = folder.parent.name
        names += [f"{app}/email/{path.name}" for path in sorted(folder.glob("*.txt"))]
    return names


def test_no_email_is_english_in_norwegian_or_swedish(employee):
    context = {
        "user": employee,
        "current_site": {"name": settings.PORTAL_NAME, "domain": "portal.example.org"},
        "password_reset_url": "https://portal.example.org/reset/",
        "activate_url": "https://portal.example.org/confirm/",
        "code": "123456",
        "email": employee.email,
    }
    problems = []
    assert len(_email_templates()) > 10
    for name in _email_templates():
        for language in LANGUAGES:
            with translation.override(language):
                try:
                    text = loader.render_to_string(name, context)
                except TemplateDoesNotExist:
                    continue
            problems += [f"{language} {name}: {english}" for english in english_in(text, language)]
    assert not problems, "\n".join(problems)


def test_the_check_finds_english_when_a_page_is_english(client_for, employee):
    """The test above would notice: an English page has many of these texts."""
    response = client_for(employee).get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert english_in(response.content.decode(), "nb")


def test_a_seeded_checklist_item_is_shown_in_the_catalogues_words(monkeypatch):
    from portal.templatetags import portal_tags

    monkeypatch.setattr(
        "django.utils.translation.gettext",
        lambda text: {"Support contact set": "Kontaktpunkt for brukerstøtte"}.get(text, text),
    )
    assert portal_tags.known_translation("Support contact set") == "Kontaktpunkt for brukerstøtte"
    assert portal_tags.known_translation("Our own check") == "Our own check"
