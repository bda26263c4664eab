from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    from portal.roles import sync_role_groups

    sync_role_groups()


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("People and organisation")

    def ready(self) -> None:
        # checks: the deploy checks; fields: drops the cached department options when a
        # department is saved or deleted, in every process (web, worker, commands).
        from portal import benchmarks, checks, fields  # noqa: F401

        benchmarks.register()

        post_migrate.connect(_sync_roles, dispatch_uid="portal.sync_role_groups")
