"""`/api/v1/`: the portal's own endpoints; each app includes its router here."""

from django.urls import include, path, re_path

from portal.api.errors import not_found
from portal.api.views import MeView

app_name = "api"

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("", include("appstore.api.urls")),
    path("", include("devices.api.urls")),
    # Anything else ending in a slash is a 404 in the API's error form, not a page (an
    # address without the slash is first sent to the one with it, as elsewhere).
    re_path(r"^(?:.*/)?$", not_found, name="not_found"),
]
