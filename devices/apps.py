from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevicesConfig(AppConfig):
    name = "devices"
    verbose_name = _("Devices")

    def ready(self) -> None:
        from devices import benchmarks
        from devices.permissions import is_desk
        from devices.selectors import manages_a_department
        from portal.choices import Role
        from portal.navigation import NavEntry, register
        from portal.roles import register_permissions

        register(NavEntry(_("Devices"), "devices:mine", lambda user: True, order=20))
        register(
            NavEntry(_("My department's devices"), "devices:team", manages_a_department, order=21)
        )
        register(NavEntry(_("Logistics desk"), "devices:desk", is_desk, order=22))

        # The logistics desk's admin screens: devices and cases are read-only there and
        # changed only through the desk's forms (which need "change"); device models are
        # reference data; the CSV import screens need the import permissions.
        desk = {
            "devices.view_device",
            "devices.change_device",
            "devices.view_devicemodel",
            "devices.add_devicemodel",
            "devices.change_devicemodel",
            "devices.view_repaircase",
            "devices.change_repaircase",
            "devices.view_returncase",
            "devices.change_returncase",
            "devices.view_deviceimport",
            "devices.add_deviceimport",
        }
        register_permissions(Role.LOGISTICS, desk)
        register_permissions(Role.ADMINISTRATOR, desk)
        benchmarks.register()  # its share of `manage.py benchmark_city`
