"""`manage.py seed_demo [--password PW] [--force]`: idempotent demo data."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def seed_steps():
    """Each installed app's `demo.seed`, in INSTALLED_APPS order (portal first)."""
    for config in apps.get_app_configs():
        if find_spec(f"{config.name}.demo") is None:
            continue
        module = import_module(f"{config.name}.demo")
        if hasattr(module, "seed"):
            yield config.label, module.seed


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
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to load demo data into a production configuration (DEBUG is off). "
                "Pass --force if this really is a demo installation."
            )
        if len(password) < 8:
            raise CommandError("The demo password must have at least 8 characters.")
        for label, seed in seed_steps():
            seed(password=password)
            self.stdout.write(f"  {label}: demo data ready")
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data ready. Sign in as employee, appowner, reviewer, manager, logistics, "
                f"trainer or admin with the password '{password}'."
            )
        )
