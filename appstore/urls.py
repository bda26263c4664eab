"""`/apps/`: the catalogue for staff and, under `/apps/manage/`, the owners' pages."""

from django.urls import include, path

from appstore.views import catalogue, manage

app_name = "appstore"

urlpatterns = [
    path("manage/", include(manage.urlpatterns)),
    path("", include(catalogue.urlpatterns)),
]
