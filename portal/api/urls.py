"""`/api/v1/`: the portal's own endpoints; each app includes its router here."""

from django.urls import include, path

from portal.api.views import MeView

app_name = "api"

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("", include("appstore.api.urls")),
    path("", include("devices.api.urls")),
]
