"""The base of the desk's admins: read-only fields, forms that post to URLs of their own,
refusals shown on the change page again; and the timeline of state changes they show.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from devices.filters import validate_search


def _timeline(events, workflow) -> list:
    """The events with their states' labels, oldest first."""
    events = list(events)
    for event in events:
        event.from_label = workflow.label(event.from_state) if event.from_state else "—"
        event.to_label = workflow.label(event.to_state)
    return events


class DeskAdmin(admin.ModelAdmin):
    """Read-only fields; the desk's forms post to URLs of their own (`desk_views`), whose
    refusals show the change page again with the refused form (`failed`) and its status."""

    show_full_result_count = False
    list_per_page = 50

    def search(self, queryset, term: str):
        """The list's search (serial, IMEI, asset tag, holder) of a checked term."""
        raise NotImplementedError

    def get_search_results(self, request, queryset, search_term):
        """The pages' and the API's cap on the term (devices.filters.validate_search) is
        checked before any query; a refused term lists nothing and says why."""
        if not search_term.strip():
            return queryset, False
        try:
            validate_search(search_term)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return queryset.none(), False
        return self.search(queryset, search_term), False

    desk_views: dict[str, str] = {}  # URL suffix -> method name

    def get_readonly_fields(self, request, obj=None):
        return [field for _name, options in self.fieldsets for field in options["fields"]]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        own = [
            path(
                f"<path:object_id>/{route}/",
                self.admin_site.admin_view(self._desk_post(getattr(self, method))),
                name=f"{self.opts.app_label}_{self.opts.model_name}_{method}",
            )
            for route, method in self.desk_views.items()
        ]
        return own + super().get_urls()

    def _desk_post(self, view):
        """POST only, on an object this person may change."""

        def wrapped(request, object_id, **kwargs):
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            obj = self.get_object(request, unquote(object_id))
            if obj is None:
                raise Http404(_("No such %(name)s.") % {"name": self.opts.verbose_name})
            if not self.has_change_permission(request, obj):
                raise PermissionDenied
            return view(request, obj, **kwargs)

        return wrapped

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":  # nothing is saved from the change form itself
            return HttpResponseNotAllowed(["GET"])
        return super().change_view(request, object_id, form_url, extra_context)

    def _change_url(self, obj) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])

    def _done(self, request, obj, message):
        self.message_user(request, message, messages.SUCCESS)
        return redirect(self._change_url(obj))

    def _refused(self, request, obj, *, name: str, label, form, status: int):
        errors = form.non_field_errors()
        for error in errors:
            self.message_user(request, error, messages.ERROR)
        if not errors:
            self.message_user(
                request,
                _("“%(action)s” was not done: correct the form below.") % {"action": label},
                messages.ERROR,
            )
        request.method = "GET"
        response = self.change_view(request, str(obj.pk), extra_context={"failed": (name, form)})
        response.status_code = status
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self.desk_context(request, obj, context.get("failed")))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def desk_context(self, request, obj, failed) -> dict:
        return {}
