from django.conf import settings

from portal.navigation import navigation_for


def portal(request):
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True).count()
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "PORTAL_ORGANISATION": settings.PORTAL_ORGANISATION,
        "nav_items": navigation_for(user, request.path),
        "unread_notifications": unread,
    }
