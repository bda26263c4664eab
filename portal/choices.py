"""Choices shared by the whole portal: roles, work patterns, languages."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles of PRODUCT.md. Each is a Django group of the same name."""

    EMPLOYEE = "employee", _("Employee")
    APP_OWNER = "app_owner", _("App owner")
    IT_REVIEWER = "it_reviewer", _("IT reviewer")
    LINE_MANAGER = "line_manager", _("Line manager")
    LOGISTICS = "logistics_desk", _("Logistics desk")
    TRAINING_COORDINATOR = "training_coordinator", _("Training coordinator")
    ADMINISTRATOR = "administrator", _("Administrator")


class WorkPattern(models.TextChoices):
    OFFICE = "office", _("Office")
    HYBRID = "hybrid", _("Hybrid")
    FRONTLINE = "frontline", _("Frontline")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    NORWEGIAN_BOKMAL = "nb", _("Norwegian Bokmål")
    SWEDISH = "sv", _("Swedish")


class ApiScope(models.TextChoices):
    """What an API token may reach. A token acts as its user, but only on the endpoints
    that name one of its scopes; every other endpoint is for signed-in sessions."""

    APPS_READ = "apps:read", _("Read the app catalogue and app versions as the person it acts as")
    SUBMISSIONS_WRITE = "submissions:write", _("Submit and withdraw app versions")
    CATALOGUE_READ = "catalogue:read", _("Read the published app catalogue of any audience")
    INSTALLATIONS_WRITE = "installations:write", _("Report app installations")
    DEVICES_READ = (
        "devices:read",
        _("Read devices, repair and return cases as the person it acts as"),
    )
    DEVICES_WRITE = "devices:write", _("Report faults, ask for returns and act on cases")
    INVENTORY_WRITE = "inventory:write", _("Upsert the device inventory")
