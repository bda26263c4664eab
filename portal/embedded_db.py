"""The embedded PostgreSQL used when no DATABASE_URL is configured.

The `pgserver` package ships PostgreSQL binaries; the data directory lives in the
git-ignored `.pgdata/` folder of the checkout and is reused on the next start. The server
stops when the last Python process that uses it exits (pgserver counts them in
`.pgdata/.handle_pids.json`; processes that were killed before they could say goodbye are
forgotten, so they cannot keep it running).
"""

from __future__ import annotations

import atexit
import os
from pathlib import Path
from urllib.parse import parse_qs, urlparse

DATABASE_NAME = "portal"

_watched: set = set()


def _running(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def forget_exited_processes(server) -> None:
    """Drop the processes that no longer run from the server's list of users.

    pgserver stops the server when the last process on that list exits. A process killed
    before its exit handler ran stays on the list for ever and keeps the server running:
    runserver's autoreloader kills its child a quarter of a second after Ctrl-C, and a
    SIGTERM'd `manage.py demo` does the same.
    """
    with server._lock:
        handles = server.global_process_id_list
        pids = handles.get()
        running = [pid for pid in pids if _running(pid)]
        if running != pids:
            handles.put(running)


def database_config(base_dir: Path) -> dict:
    """Start (or join) the embedded server and return a Django DATABASES entry."""
    import warnings

    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR", module="platformdirs.*")
    warnings.filterwarnings("ignore", category=UserWarning, module="platformdirs.*")
    import pgserver

    pgdata = Path(os.environ.get("PORTAL_PGDATA", base_dir / ".pgdata"))
    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    forget_exited_processes(server)
    if server not in _watched:
        _watched.add(server)
        # Registered after pgserver's own exit handler, so it runs before it (last in,
        # first out): the handler then sees whether this process is the last one left.
        atexit.register(forget_exited_processes, server)
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
