"""`/devices/`: My devices for everyone, the department's for line managers, the fleet and
the case queue for the logistics desk."""

from django.urls import path

from devices.views import cases, fleet

app_name = "devices"

urlpatterns = [
    path("", fleet.mine, name="mine"),
    path("team/", fleet.team, name="team"),
    path("fleet/", fleet.fleet, name="fleet"),
    path("export.csv", fleet.export, name="export"),
    path("desk/", cases.desk, name="desk"),
    path("<int:pk>/", fleet.device, name="device"),
    path("<int:pk>/assign/", fleet.assign, name="assign"),
    path("<int:pk>/report-fault/", cases.report_fault, name="report_fault"),
    path("<int:pk>/return/", cases.request_return, name="request_return"),
    path("repairs/<int:pk>/", cases.repair_case, name="repair_case"),
    path("repairs/<int:pk>/do/<slug:action>/", cases.repair_action, name="repair_action"),
    path("repairs/<int:pk>/photos/<int:photo_pk>/", cases.photo, name="photo"),
    path("repairs/<int:pk>/label/", cases.repair_label, name="repair_label"),
    path("returns/<int:pk>/", cases.return_case, name="return_case"),
    path("returns/<int:pk>/label/", cases.return_label, name="return_label"),
    path("returns/<int:pk>/do/<slug:action>/", cases.return_action, name="return_action"),
]
