"""`manage.py demo`: a short output while seeding, the address it serves, and the embedded
PostgreSQL stopped when it ends. Fast: the app's demo steps are stand-ins here (the real
seeding is covered by the demo tests, which share one seed per run)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from io import StringIO
from types import SimpleNamespace

import psutil
import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from portal import embedded_db
from portal.management.commands import demo, seed_demo

pytestmark = pytest.mark.django_db

EMAIL_BODY = "http://127.0.0.1:8000/admin/appstore/appversion/1/change/"


def _noisy_step(*, password):
    """What the real steps cause: an email, Celery's line per task, a broker warning."""
    mail.send_mail("Vanninspeksjon 1.0.0 waits for review", EMAIL_BODY, None, ["r@example.org"])
    logging.getLogger("celery.app.trace").info("Task portal.tasks.send_notification_email")
    logging.getLogger("kombu.connection").warning("No hostname was supplied.")
    warnings.warn("task_always_eager has no effect on send_task", stacklevel=1)


@pytest.fixture
def noisy_steps(monkeypatch):
    steps = [("portal", _noisy_step), ("appstore", _noisy_step), ("devices", _noisy_step)]
    monkeypatch.setattr(seed_demo, "seed_steps", lambda: iter(steps))
    commands = []
    monkeypatch.setattr(demo, "call_command", lambda *a, **kw: commands.append((a, kw)))
    return commands


@pytest.fixture
def development(settings):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"


def test_demo_seeding_prints_a_line_per_app_and_no_emails_task_logs_or_warnings(
    noisy_steps, development, capsys, caplog, recwarn
):
    out = StringIO()
    command = demo.Command(stdout=out, stderr=out)
    command.password = "demo-pass-1"
    caplog.set_level(logging.INFO)
    command.prepare()
    assert noisy_steps == [(("migrate",), {"interactive": False, "verbosity": 0})]
    assert out.getvalue().splitlines() == [
        "Preparing the database and the demo data...",
        "  portal: demo data ready",
        "  appstore: demo data ready",
        "  devices: demo data ready",
    ]
    printed = capsys.readouterr()
    assert EMAIL_BODY not in printed.out + printed.err
    assert not [r for r in caplog.records if r.name.startswith(("celery", "kombu"))]
    assert not [w for w in recwarn if "send_task" in str(w.message)]
    # Outside the seeding, email and logging work as configured again.
    _noisy_step(password="")
    assert EMAIL_BODY in capsys.readouterr().out
    assert [r for r in caplog.records if r.name.startswith("kombu")]


@pytest.fixture
def served(monkeypatch, development):
    """`demo ARGS` parsed as the command line would, stopping before it prepares or serves."""
    monkeypatch.setattr(demo, "exit_on_terminate", lambda: None)
    ran = []
    monkeypatch.setattr(demo.Command, "run", lambda self, **options: ran.append(self))

    def serve(*args):
        out = StringIO()
        call_command(demo.Command(stdout=out), *args)
        [command] = ran
        logging.getLogger("django.utils.autoreload").setLevel(logging.NOTSET)
        command.on_bind(int(command.port))
        return command, out.getvalue()

    return serve


@pytest.mark.parametrize(
    ("args", "addr", "url"),
    [
        ((), "127.0.0.1", "http://127.0.0.1:8000/"),
        (("8001",), "127.0.0.1", "http://127.0.0.1:8001/"),
        (("127.0.0.1:8001",), "127.0.0.1", "http://127.0.0.1:8001/"),
        (("0.0.0.0:8001",), "0.0.0.0", "http://0.0.0.0:8001/"),  # noqa: S104
        (("[::1]:8001",), "::1", "http://[::1]:8001/"),
    ],
)
def test_demo_serves_on_the_port_given_and_says_where_and_as_whom(served, args, addr, url):
    command, out = served(*args, "--password", "demo-pass-1")
    assert command.addr == addr
    lines = [line for line in out.splitlines() if line]
    assert len(lines) <= 3
    assert f"The portal runs at {url}" in lines[0]
    assert "admin with the password 'demo-pass-1'" in lines[1]
    # Loading the WSGI handler reconfigures logging: on_bind quiets the reloader again.
    assert logging.getLogger("django.utils.autoreload").level == logging.WARNING


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("localhost:http",), "not a valid port"),
        (("8001", "--password", "short12"), "8 characters"),
    ],
)
def test_demo_refuses_a_bad_address_or_password_before_touching_the_database(
    monkeypatch, development, args, message
):
    monkeypatch.setattr(demo, "exit_on_terminate", lambda: None)
    prepared = []
    monkeypatch.setattr(demo.Command, "prepare", lambda self: prepared.append(self))
    with pytest.raises(CommandError, match=message):
        call_command("demo", *args)
    assert not prepared


def test_demo_refuses_production_settings(monkeypatch, settings):
    settings.DEBUG = False
    monkeypatch.setattr(demo.Command, "prepare", lambda self: pytest.fail("prepared"))
    with pytest.raises(CommandError, match="production"):
        call_command("demo", "8001")


def test_sigterm_and_sighup_end_the_demo_like_ctrl_c_and_a_second_signal_is_ignored():
    handled = (signal.SIGTERM, signal.SIGHUP)
    previous = {signum: signal.getsignal(signum) for signum in (*handled, signal.SIGINT)}
    try:
        for signum in handled:
            demo.exit_on_terminate()
            with pytest.raises(SystemExit):
                signal.getsignal(signum)(signum, None)
            assert all(signal.getsignal(other) == signal.SIG_IGN for other in previous)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class _PidList:
    """pgserver's list of the processes using the server (a JSON file), in memory."""

    def __init__(self, pids):
        self.pids = pids

    def get(self):
        return list(self.pids)

    def put(self, pids):
        self.pids = list(pids)


def test_the_embedded_database_forgets_processes_that_were_killed():
    """A killed process (and one not yet reaped) no longer keeps the embedded server up."""
    dead = subprocess.Popen([sys.executable, "-c", ""])  # noqa: S603
    dead.wait()
    zombie = subprocess.Popen(["true"])  # noqa: S607
    deadline = time.monotonic() + 5
    while psutil.Process(zombie.pid).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    handles = _PidList([dead.pid, os.getpid(), zombie.pid])
    server = SimpleNamespace(_lock=threading.Lock(), global_process_id_list=handles)
    embedded_db.forget_exited_processes(server)
    zombie.wait()
    assert handles.get() == [os.getpid()]
