from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal import error_pages, views
from portal.accounts import EmailAddressView

admin.site.login = views.admin_for_staff_only(secure_admin_login(admin.site.login))
admin.site.site_header = settings.PORTAL_NAME
admin.site.site_title = settings.PORTAL_NAME

portal_patterns = (
    [
        path("", views.home, name="home"),
        path("notifications/", views.notification_list, name="notifications"),
        path("notifications/read/", views.notifications_mark_read, name="notifications_read"),
        path("accessibility/", views.accessibility_statement, name="accessibility"),
    ],
    "portal",
)

urlpatterns = [
    path("", include(portal_patterns)),
    path("apps/", include("appstore.urls")),
    path("devices/", include("devices.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    # Before allauth's own: the email page is read only (portal.accounts).
    path("accounts/email/", EmailAddressView.as_view(), name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("portal.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = error_pages.bad_request
handler403 = error_pages.permission_denied
handler404 = error_pages.page_not_found
handler500 = error_pages.server_error
