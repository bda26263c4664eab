from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppstoreConfig(AppConfig):
    name = "appstore"
    verbose_name = _("App store")

    def ready(self) -> None:
        from portal.choices import Role
        from portal.roles import register_permissions

        register_permissions(
            Role.IT_REVIEWER,
            {
                "appstore.view_appversion",
                "appstore.change_appversion",
                "appstore.view_app",
                "appstore.view_checklistitem",
            },
        )
        register_permissions(
            Role.ADMINISTRATOR,
            {
                "appstore.add_checklistitem",
                "appstore.change_checklistitem",
                "appstore.view_checklistitem",
            },
        )
