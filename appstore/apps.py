from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppstoreConfig(AppConfig):
    name = "appstore"
    verbose_name = _("App store")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from appstore import benchmarks, cache
        from portal.choices import Role
        from portal.models import Department
        from portal.navigation import NavEntry, register
        from portal.roles import register_permissions

        register(NavEntry(_("Apps"), "appstore:home", lambda user: True, order=10))
        register(
            NavEntry(
                _("Manage apps"),
                "appstore:manage_home",
                lambda user: user.has_role(Role.APP_OWNER),
                order=11,
            )
        )

        register_permissions(
            Role.IT_REVIEWER,
            {
                "appstore.view_appversion",
                "appstore.change_appversion",
                "appstore.view_app",
                "appstore.view_checklistitem",
                "appstore.view_listingchange",
                "appstore.change_listingchange",
                "appstore.view_appartifact",
                "appstore.view_appscreenshot",
            },
        )
        register_permissions(
            Role.ADMINISTRATOR,
            {
                "appstore.add_checklistitem",
                "appstore.change_checklistitem",
                "appstore.view_checklistitem",
                "appstore.view_app",
                "appstore.view_appversion",
                "appstore.view_listingchange",
            },
        )
        for signal in (post_save, post_delete):
            signal.connect(cache.department_saved, sender=Department, dispatch_uid="appstore-cards")
        benchmarks.register()  # its share of `manage.py benchmark_city`
