from django.conf import settings
from django.utils.functional import SimpleLazyObject

from portal.navigation import navigation_for


def portal(request):
    """Name, navigation and unread count; computed only if a template uses them (the
    admin's pages do not)."""
    user = getattr(request, "user", None)

    def unread() -> int:
        if user is None or not user.is_authenticated:
            return 0
        return user.notifications.filter(read_at__isnull=True).count()

    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "PORTAL_ORGANISATION": settings.PORTAL_ORGANISATION,
        "nav_items": SimpleLazyObject(lambda: navigation_for(user, request.path)),
        "unread_notifications": SimpleLazyObject(unread),
    }
