"""`manage.py demo`: migrate, load demo data and serve the portal on 127.0.0.1:8000."""

from __future__ import annotations

import os

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Prepare the database with demo data and run the development server."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--password", default="portal-demo")

    def handle(self, *args, addrport: str, password: str, **options):
        # The autoreloader runs this command again in a child process (RUN_MAIN=true);
        # preparing the database once, in the parent, is enough.
        if os.environ.get("RUN_MAIN") != "true":
            call_command("migrate", interactive=False, verbosity=1)
            call_command("seed_demo", password=password)
        call_command("runserver", addrport)
