from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevicesConfig(AppConfig):
    name = "devices"
    verbose_name = _("Devices")

    def ready(self) -> None:
        from portal.choices import Role
        from portal.roles import register_permissions

        view = {
            "devices.view_device",
            "devices.view_devicemodel",
            "devices.view_repaircase",
            "devices.view_returncase",
        }
        register_permissions(
            Role.LOGISTICS, view | {"devices.add_devicemodel", "devices.change_devicemodel"}
        )
        register_permissions(
            Role.ADMINISTRATOR, view | {"devices.add_devicemodel", "devices.change_devicemodel"}
        )
