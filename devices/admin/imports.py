"""The CSV import of devices in the admin, for the logistics desk and administrators.

The add page takes a file and the "import the good rows" choice; the file is checked
(CSV, UTF-8, at most 20 MB, a first line of at most 50 known columns, checked before it
is parsed) before anything is kept, and saving starts the
import through `devices.importing.start_import`, which queues the task on commit. An
import's page is read-only: its state, a progress bar that reloads itself while the
import is queued or running, the counts and the bad rows. Imports are never changed or
deleted: they are the record of what came into the fleet.
"""

from __future__ import annotations

import csv
import io

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Func, IntegerField
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from devices import importing, rows
from devices.choices import ImportState
from devices.models import DeviceImport
from portal.errors import DomainError

SHOWN_PROBLEMS = 1000


class DeviceImportForm(forms.ModelForm):
    class Meta:
        model = DeviceImport
        fields = ["file", "import_good_rows"]
        widgets = {"file": forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"})}
        help_texts = {
            "file": _("A CSV file in UTF-8 with the header row of the template, at most 20 MB."),
            "import_good_rows": _(
                "Without this, nothing is imported when any row is bad; with it, the good "
                "rows are imported and the bad ones listed."
            ),
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            importing.check_upload(upload)
        except DomainError as refused:
            raise ValidationError(refused.message) from None
        return upload


def _csv_response(lines, filename: str) -> HttpResponse:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(lines)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@admin.register(DeviceImport)
class DeviceImportAdmin(admin.ModelAdmin):
    form = DeviceImportForm
    list_display = [
        "__str__",
        "state",
        "created_by",
        "created_at",
        "total_rows",
        "created_count",
        "bad_rows",
    ]
    list_filter = ["state"]
    list_select_related = ["created_by"]
    show_full_result_count = False
    list_per_page = 50
    shown_fields = [
        "file_name",
        "state",
        "import_good_rows",
        "created_by",
        "created_at",
        "finished_at",
        "total_rows",
        "created_count",
    ]

    def get_queryset(self, request):
        count = Func(F("errors"), function="jsonb_array_length", output_field=IntegerField())
        return super().get_queryset(request).annotate(problem_count=count).defer("errors")

    @admin.display(description=_("bad rows"), ordering="problem_count")
    def bad_rows(self, obj) -> int:
        return obj.problem_count

    def get_fields(self, request, obj=None):
        return ["file", "import_good_rows"] if obj is None else self.shown_fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("template/", view(self.template_view), name="devices_deviceimport_template"),
            path(
                "<path:object_id>/bad-rows/",
                view(self.bad_rows_view),
                name="devices_deviceimport_bad_rows",
            ),
            *super().get_urls(),
        ]

    def template_view(self, request):
        """An empty file with the header row, to fill in a spreadsheet."""
        if not (self.has_add_permission(request) or self.has_view_permission(request)):
            raise PermissionDenied
        return _csv_response([rows.COLUMNS], "devices-template.csv")

    def bad_rows_view(self, request, object_id):
        """Every bad row of an import as CSV (the page shows the first ones)."""
        device_import = self.get_object(request, unquote(object_id))
        if device_import is None:
            raise Http404(_("No such device import."))
        if not self.has_view_permission(request, device_import):
            raise PermissionDenied
        lines = [(p["line"], p["field"], p["reason"]) for p in device_import.errors]
        return _csv_response([("line", "field", "reason"), *lines], "bad-rows.csv")

    def save_model(self, request, obj, form, change):
        started = importing.start_import(
            by=request.user,
            upload=form.cleaned_data["file"],
            import_good_rows=form.cleaned_data["import_good_rows"],
        )
        obj.pk, obj.file_name, obj.file = started.pk, started.file_name, started.file
        obj._state.adding = False

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            _("The import of “%(name)s” has started; this page shows how it goes.")
            % {"name": obj.file_name},
            messages.SUCCESS,
        )
        return redirect(reverse("admin:devices_deviceimport_change", args=[obj.pk]))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["template_url"] = reverse("admin:devices_deviceimport_template")
        context["columns"] = rows.COLUMNS
        context["show_save_and_add_another"] = False
        if obj is not None:
            problems = obj.errors
            context.update(
                {
                    "import": obj,
                    "refresh": obj.state in (ImportState.QUEUED, ImportState.RUNNING),
                    "problems": problems[:SHOWN_PROBLEMS],
                    "problem_count": len(problems),
                    "more_problems": max(len(problems) - SHOWN_PROBLEMS, 0),
                    "bad_rows_url": reverse("admin:devices_deviceimport_bad_rows", args=[obj.pk]),
                }
            )
        return super().render_change_form(request, context, add, change, form_url, obj)
