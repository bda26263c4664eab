"""`/api/v1/` endpoints of the device fleet, included from `portal.api.urls` (namespace "api")."""

from django.urls import path

from devices.api import views

devices = views.DeviceViewSet
repairs = views.RepairCaseViewSet
returns = views.ReturnCaseViewSet

urlpatterns = [
    path("devices/", devices.as_view({"get": "list"}), name="device_list"),
    path("devices/<int:pk>/", devices.as_view({"get": "retrieve"}), name="device_detail"),
    path(
        "devices/<int:pk>/report-fault/",
        devices.as_view({"post": "report_fault"}),
        name="device_report_fault",
    ),
    path(
        "devices/<int:pk>/request-return/",
        devices.as_view({"post": "request_return"}),
        name="device_request_return",
    ),
    path("repair-cases/", repairs.as_view({"get": "list"}), name="repair_case_list"),
    path("repair-cases/<int:pk>/", repairs.as_view({"get": "retrieve"}), name="repair_case_detail"),
    path(
        "repair-cases/<int:pk>/actions/<slug:name>/",
        views.RepairCaseActionView.as_view(),
        name="repair_case_action",
    ),
    path("return-cases/", returns.as_view({"get": "list"}), name="return_case_list"),
    path("return-cases/<int:pk>/", returns.as_view({"get": "retrieve"}), name="return_case_detail"),
    path(
        "return-cases/<int:pk>/actions/<slug:name>/",
        views.ReturnCaseActionView.as_view(),
        name="return_case_action",
    ),
    path("inventory/", views.InventoryView.as_view(), name="inventory"),
]
