"""What the devices pages share: the desk guard, bound forms and service refusals."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from devices import permissions
from portal.pages import allowed_only, bound, refused

__all__ = ["bound", "desk_required", "refused"]

desk_required = allowed_only(permissions.is_desk, _("Only the logistics desk works here."))
