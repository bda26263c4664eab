"""The embedded PostgreSQL used when no DATABASE_URL is configured.

The `pgserver` package ships PostgreSQL binaries; the data directory lives in the
git-ignored `.pgdata/` folder of the checkout and is reused on the next start. The server
stops when the last Python process that uses it exits.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, urlparse

DATABASE_NAME = "portal"


def database_config(base_dir: Path) -> dict:
    """Start (or join) the embedded server and return a Django DATABASES entry."""
    import warnings

    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR", module="platformdirs.*")
    warnings.filterwarnings("ignore", category=UserWarning, module="platformdirs.*")
    import pgserver

    pgdata = Path(os.environ.get("PORTAL_PGDATA", base_dir / ".pgdata"))
    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{DATABASE_NAME}";')
    uri = urlparse(server.get_uri())
    socket_dir = parse_qs(uri.query).get("host", [""])[0]
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": uri.username or "postgres",
        "PASSWORD": "",
        "HOST": socket_dir or uri.hostname or "",
        "PORT": str(uri.port or ""),
    }
