"""What the store home puts forward: administrators choose the featured apps."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from appstore import cache
from appstore.models import App
from portal.choices import Role
from portal.errors import NotFound, NotPermitted


@transaction.atomic
def set_featured(*, by, app_id: int, featured: bool) -> App:
    """Only administrators feature an app on the store home, or stop featuring it."""
    if not (by.is_authenticated and (by.is_superuser or by.has_role(Role.ADMINISTRATOR))):
        raise NotPermitted(_("Only administrators choose the featured apps."))
    app = App.objects.select_for_update().filter(pk=app_id).first()
    if app is None:
        raise NotFound(_("No such app."))
    if app.is_featured != featured:
        app.is_featured = featured
        app.save(update_fields=["is_featured", "updated_at"])
        cache.catalogue_changed()  # the store home's featured shelf
    return app
