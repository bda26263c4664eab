from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppstoreConfig(AppConfig):
    name = "appstore"
    verbose_name = _("App store")
