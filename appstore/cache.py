"""The catalogue in the shared cache, under two versions that services replace.

- The catalogue version: what an audience sees changes only when an app is published,
  withdrawn or re-targeted, so the visible app ids (and what follows from them alone:
  shelves, category counts) are kept per audience under it.
- The cards version: what an app's card and page show (name, summary, icon, owner,
  versions, ratings) is the same for everyone who may see the app, so its rendered HTML
  is kept per app and language under it. Every catalogue change replaces it too; so do
  ratings, thumbnails and renamed departments.

A version is replaced at once (so the writer's own next read sees the change) and again
when the transaction commits (so nothing read before the commit stays cached under it).
"""

from __future__ import annotations

import hashlib
import json
from uuid import uuid4

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "appstore:catalogue-version"
CARDS_KEY = "appstore:cards-version"
TIMEOUT = 60 * 60  # an entry of an audience nobody asks for again ages out
# A cache of this process only (the development default) never hears of a change made by
# another process (a command, a worker): its entries live briefly.
LOCAL_TIMEOUT = 30


def _timeout() -> int:
    backend = settings.CACHES["default"]["BACKEND"]
    return LOCAL_TIMEOUT if backend.endswith(("LocMemCache", "DummyCache")) else TIMEOUT


def _versions(*keys: str) -> list[str]:
    """The current value of each version key, in one round trip; a missing one is made."""
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, uuid4().hex, None)
            found[key] = cache.get(key) or "unversioned"
    return [found[key] for key in keys]


def catalogue_version() -> str:
    return _versions(VERSION_KEY)[0]


def cards_version() -> str:
    return _versions(CARDS_KEY)[0]


def _replacer(*keys: str):
    def replace() -> None:
        cache.set_many({key: uuid4().hex for key in keys}, None)

    return replace


def catalogue_changed() -> None:
    """Every service that changes which apps an audience sees calls this in its transaction.
    What the cards show may have changed with it (a new version, another category)."""
    replace = _replacer(VERSION_KEY, CARDS_KEY)
    replace()
    transaction.on_commit(replace)


def cards_changed() -> None:
    """Every service that changes what an app's card or page shows, and not who sees it
    (a rating, a thumbnail, a renamed department), calls this in its transaction."""
    replace = _replacer(CARDS_KEY)
    replace()
    transaction.on_commit(replace)


def digest(text: str) -> str:
    """A short, fixed-length stand-in for `text` in a cache key."""
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def department_saved(sender, **kwargs) -> None:
    """A card and a page name the owning department: a renamed one makes new cards."""
    cards_changed()


def audience_key(kind: str, *, department_path: str, roles, work_pattern: str) -> str:
    """The cache key of `kind` for an audience (department path, sorted roles, work
    pattern) at the current catalogue version."""
    return audience_keys([kind], department_path, roles, work_pattern)[0]


def audience_keys(kinds, department_path: str, roles, work_pattern: str) -> list[str]:
    """The cache keys of several kinds for one audience (one read of the version)."""
    audience = [department_path, sorted(roles), work_pattern, catalogue_version()]
    digest = hashlib.sha256(json.dumps(audience).encode()).hexdigest()[:32]
    return [f"appstore:{kind}:{digest}" for kind in kinds]


def card_keys(pks, language: str) -> dict[int, str]:
    """The cache key of each app's card in a language, at the current cards version."""
    version = cards_version()
    return {pk: f"appstore:card:{version}:{language}:{pk}" for pk in pks}


def page_key(pk: int, language: str, url: str) -> str:
    """The cache key of the shared parts of an app's page at an address in a language."""
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return f"appstore:page:{cards_version()}:{language}:{pk}:{digest}"


def cached(key: str, compute, *, timeout: int | None = None):
    """The value under `key`, computed and stored once when missing. `compute` may find
    nothing (None): that is not stored. `timeout` shortens how long it is kept."""
    value = cache.get(key)
    if value is None:
        value = compute()
        if value is not None:
            cache.set(key, value, min(timeout or TIMEOUT, _timeout()))
    return value


def cached_many(keys: dict, compute) -> dict:
    """{name: value} for `keys` ({name: cache key}) in one round trip; the missing names
    are given to `compute`, which returns their values, stored for the next time."""
    found = cache.get_many(keys.values())
    values = {name: found[key] for name, key in keys.items() if key in found}
    missing = [name for name in keys if name not in values]
    if missing:
        made = compute(missing)
        cache.set_many({keys[name]: made[name] for name in missing if name in made}, _timeout())
        values.update(made)
    return values
