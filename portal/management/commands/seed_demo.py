"""`manage.py seed_demo [--password PW] [--force]`: idempotent demo data."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


def seed_steps():
    """Each installed app's `demo.seed`, in INSTALLED_APPS order (portal first)."""
    for config in apps.get_app_configs():
        if find_spec(f"{config.name}.demo") is None:
            continue
        module = import_module(f"{config.name}.demo")
        if hasattr(module, "seed"):
            yield config.label, module.seed


def check_demo_allowed(*, password: str, force: bool = False) -> None:
    """Demo data only where DEBUG is on (or forced), with a password of 8 characters or more."""
    if not settings.DEBUG and not force:
        raise CommandError(
            _(
                "Refusing to load demo data into a production configuration (DEBUG is off). "
                "Pass --force if this really is a demo installation."
            )
        )
    if len(password) < 8:
        raise CommandError(_("The demo password must have at least 8 characters."))


def seed_all(*, password: str, stdout) -> None:
    """Run every app's demo step, one progress line each."""
    for label, seed in seed_steps():
        seed(password=password)
        stdout.write("  " + _("%(app)s: demo data ready") % {"app": label})


def sign_in_line(password: str) -> str:
    return _(
        "Sign in as employee, appowner, reviewer, manager, logistics, trainer or admin "
        "with the password '%(password)s'."
    ) % {"password": password}


class Command(BaseCommand):
    help = "Load demo data: a municipality, one user per role, and each app's demo content."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", default="portal-demo", help="Password of every demo user."
        )
        parser.add_argument(
            "--force", action="store_true", help="Run even though DEBUG is off (production)."
        )

    def handle(self, *args, password: str, force: bool, **options):
        check_demo_allowed(password=password, force=force)
        seed_all(password=password, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(_("Demo data ready.") + " " + sign_in_line(password)))
