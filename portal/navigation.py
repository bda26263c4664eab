"""The main navigation: each app registers its entries with who may see them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    visible: Callable[[object], bool]
    order: int = 100


_ENTRIES: list[NavEntry] = []


def register(entry: NavEntry) -> None:
    if entry not in _ENTRIES:
        _ENTRIES.append(entry)
        _ENTRIES.sort(key=lambda e: e.order)


def navigation_for(user, path: str) -> list[dict]:
    """The entries this person may use, with the current one marked."""
    if user is None or not user.is_authenticated:
        return []
    items = []
    for entry in _ENTRIES:
        if not entry.visible(user):
            continue
        url = reverse(entry.url_name)
        matches = path == url if url == "/" else path.startswith(url)
        items.append({"label": entry.label, "url": url, "current": matches})
    # Only the most specific entry is current: /apps/manage/ is "Manage apps", not "Apps".
    longest = max((len(i["url"]) for i in items if i["current"]), default=0)
    for item in items:
        item["current"] = item["current"] and len(item["url"]) == longest
    return items


register(NavEntry(_("Home"), "portal:home", lambda user: True, order=0))
register(NavEntry(_("Notifications"), "portal:notifications", lambda user: True, order=900))
register(NavEntry(_("Admin"), "admin:index", lambda user: user.is_staff, order=990))
