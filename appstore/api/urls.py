"""`/api/v1/`: the app store's endpoints, included from `portal.api.urls` (namespace "api")."""

from django.urls import path

from appstore.api import views

apps = views.AppViewSet
submissions = views.SubmissionViewSet

urlpatterns = [
    path("apps/", apps.as_view({"get": "list"}), name="app_list"),
    path("apps/<slug:slug>/", apps.as_view({"get": "retrieve"}), name="app_detail"),
    path("catalogue/", views.AudienceCatalogueView.as_view(), name="catalogue"),
    path(
        "packages/<int:artifact_id>/download/",
        views.PackageDownloadView.as_view(),
        name="package_download",
    ),
    path("installations/", views.InstallationReportView.as_view(), name="installation_list"),
    path("submissions/", submissions.as_view({"get": "list"}), name="submission_list"),
    path(
        "submissions/<int:pk>/",
        submissions.as_view({"get": "retrieve"}),
        name="submission_detail",
    ),
    path(
        "submissions/<int:pk>/submit/",
        submissions.as_view({"post": "submit"}),
        name="submission_submit",
    ),
    path(
        "submissions/<int:pk>/withdraw/",
        submissions.as_view({"post": "withdraw"}),
        name="submission_withdraw",
    ),
]
