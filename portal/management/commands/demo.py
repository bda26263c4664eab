"""`manage.py demo [PORT | ADDRESS:PORT] [--password PW]`: migrate, load the demo data and
serve the portal (on 127.0.0.1:8000 unless given another port).

It is runserver with a preparation step, so it takes runserver's address and options
(`manage.py demo 8001`, `manage.py demo 0.0.0.0:8001`, `--noreload`). Its output is what a
newcomer needs: one line per app while seeding, then the address and the demo users.
While seeding, the emails the demo causes are dropped (its people have no mailboxes) and
Celery's log line per task and the broker's warnings are silenced. SIGTERM and SIGHUP end
it as Ctrl-C does, so the embedded PostgreSQL is stopped on the way out
(`portal.embedded_db`).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import warnings
from contextlib import contextmanager

from django.core.management import call_command
from django.core.management.commands.runserver import Command as RunserverCommand
from django.test import override_settings
from django.utils import autoreload
from django.utils.translation import gettext as _

from portal.management.commands.seed_demo import check_demo_allowed, seed_all, sign_in_line


@contextmanager
def quiet_seeding():
    """No emails, no log records below ERROR and no Python warnings while the demo seeds."""
    previous = logging.root.manager.disable
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        logging.disable(logging.WARNING)
        try:
            yield
        finally:
            logging.disable(previous)


def ignore_further_interrupts() -> None:
    """Once the demo is on its way out, a second Ctrl-C (uv passes one on as well) must not
    cut the embedded PostgreSQL's shutdown short."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)


def _exit(signum, frame):
    ignore_further_interrupts()
    sys.exit(128 + signum)


def exit_on_terminate() -> None:
    """SIGTERM and SIGHUP raise SystemExit, so exit handlers (which stop the embedded
    PostgreSQL) run, even while migrating or seeding."""
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit)


def quiet_autoreloader() -> None:
    """No 'Watching for file changes' line, nor the same 'X changed, reloading' twice."""
    logging.getLogger("django.utils.autoreload").setLevel(logging.WARNING)


class Command(RunserverCommand):
    # Help texts stay English, as with Django's own commands (argparse wants plain str).
    help = (
        "Prepare the database with demo data and run the development server "
        "(on 127.0.0.1:8000 unless given another port or address:port)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--password", default="portal-demo", help="Password of every demo user."
        )

    def handle(self, *args, **options):
        self.password = options["password"]
        check_demo_allowed(password=self.password)
        exit_on_terminate()
        quiet_autoreloader()
        super().handle(*args, **options)

    def run(self, **options):
        # The autoreloader runs this command again in a child process (RUN_MAIN=true);
        # preparing the database once, in the parent, is enough.
        try:
            if os.environ.get(autoreload.DJANGO_AUTORELOAD_ENV) != "true":
                self.prepare()
            super().run(**options)
        except KeyboardInterrupt:
            sys.exit(130)
        finally:
            ignore_further_interrupts()

    def prepare(self) -> None:
        self.stdout.write(_("Preparing the database and the demo data..."))
        with quiet_seeding():
            call_command("migrate", interactive=False, verbosity=0)
            seed_all(password=self.password, stdout=self.stdout)

    def on_bind(self, server_port):
        quiet_autoreloader()  # loading the WSGI handler configured logging afresh
        if self._raw_ipv6:
            addr = f"[{self.addr}]"
        elif self.addr == "0":
            addr = "0.0.0.0"  # noqa: S104 - only shown
        else:
            addr = self.addr
        url = f"{self.protocol}://{addr}:{server_port}/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(_("The portal runs at %(url)s") % {"url": url}))
        self.stdout.write(sign_in_line(self.password))
        self.stdout.write(_("Quit with CONTROL-C. (A development server: not for production use.)"))
