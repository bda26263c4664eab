"""The repair and return cases in the admin, worked with the forms of their actions
(the one table of `devices.actions`), with the case search and the loaner filter.
"""

from __future__ import annotations

from contextlib import suppress

from django.contrib import admin
from django.db.models import Q
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from devices import actions, selectors
from devices.admin.common import DeskAdmin, _timeline
from devices.choices import REPAIR_ENDED, RETURN_ENDED, RepairState
from devices.models import Device, RepairCase, ReturnCase
from devices.workflow import REPAIR_WORKFLOW, RETURN_WORKFLOW


class HasLoanerFilter(admin.SimpleListFilter):
    title = _("loaner")
    parameter_name = "loaner"

    def lookups(self, request, model_admin):
        return [("yes", _("Has a loaner")), ("no", _("No loaner"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(loaner__isnull=self.value() == "no")
        return queryset


def _case_search(queryset, term: str):
    """Cases of devices found by serial, IMEI, asset tag or holder (as the fleet search),
    and cases whose holder's name or username starts with the first word."""
    first = term.split()[0]
    devices = selectors.search_devices(Device.objects.all(), term).values("pk")
    return queryset.filter(
        Q(device__in=devices)
        | Q(holder__username__istartswith=first)
        | Q(holder__first_name__istartswith=first)
        | Q(holder__last_name__istartswith=first)
    )


class CaseAdmin(DeskAdmin):
    """A repair or return case, worked with the forms of its actions (devices.actions)."""

    table: dict[str, actions.CaseAction] = {}
    workflow = None
    desk_views = {"action/<slug:name>": "action_view"}
    search_help_text = _("The start of a serial number, IMEI or asset tag, or a holder's name.")
    search_fields = ["device__serial_number"]  # shows the box; the search is _case_search

    def available(self, case, user) -> list[actions.CaseAction]:
        raise NotImplementedError

    def search(self, queryset, term):
        return _case_search(queryset, term)

    def action_view(self, request, case, name):
        action = self.table.get(name)
        if action is None:
            raise Http404(_("No such action."))
        form, status = actions.perform(
            action, by=request.user, case_id=case.pk, data=request.POST, files=request.FILES
        )
        if status != 200:
            offered = action in self.available(case, request.user)
            if not offered and not form.non_field_errors():
                # No form to correct on the page: the case has moved on (or never got there).
                form.add_error(
                    None,
                    _("“%(action)s” cannot be done now: the case is “%(state)s”.")
                    % {"action": action.label, "state": case.get_state_display()},
                )
                status = 409
            return self._refused(
                request, case, name=name, label=action.label, form=form, status=status
            )
        case.refresh_from_db(fields=["state"])
        return self._done(
            request,
            case,
            _("%(action)s: done. %(case)s is now “%(state)s”.")
            % {"action": action.label, "case": case, "state": case.get_state_display()},
        )

    def desk_context(self, request, case, failed) -> dict:
        available = self.available(case, request.user)
        if not self.has_change_permission(request, case):
            available = []
        forms = []
        for action in available:
            form = failed[1] if failed and failed[0] == action.name else action.blank_form(case)
            form.auto_id = f"id_{action.name}_%s"  # several forms on one page
            url = reverse(
                f"admin:devices_{self.opts.model_name}_action_view", args=[case.pk, action.name]
            )
            forms.append({"action": action, "form": form, "url": url})
        return {
            "desk": True,
            "action_forms": forms,
            "events": _timeline(case.events.select_related("actor"), self.workflow),
        }

    @admin.display(description=_("device"), ordering="device__serial_number")
    def device_link(self, case):
        return f"{case.device.model} · {case.device.serial_number}"

    @admin.display(description=_("holder"), ordering="holder__last_name")
    def holder_name(self, case):
        return (case.holder.get_full_name() or case.holder.username) if case.holder else None


@admin.register(RepairCase)
class RepairCaseAdmin(CaseAdmin):
    table = actions.REPAIR_ACTIONS
    workflow = REPAIR_WORKFLOW
    list_display = [
        "__str__",
        "device_link",
        "holder_name",
        "category",
        "state",
        "is_security_event",
        "has_loaner",
        "reported_at",
        "age",
    ]
    list_display_links = ["__str__"]
    list_filter = ["state", "category", "is_security_event", HasLoanerFilter]
    list_select_related = ["device__model", "holder"]
    ordering = ["-is_security_event", "reported_at", "pk"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "device",
                    "holder",
                    "reported_by",
                    "reported_at",
                    "state",
                    "category",
                    "is_security_event",
                    "description",
                    "data_backed_up",
                ]
            },
        ),
        (_("Shipping"), {"fields": ["carrier", "tracking_number", "repair_partner"]}),
        (
            _("Outcome"),
            {
                "fields": [
                    "cost",
                    "warranty_covered",
                    "loaner",
                    "replacement",
                    "returned_at",
                    "turnaround",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "device__model", "holder", "reported_by", "loaner__model", "replacement__model"
            )
        )

    def available(self, case, user):
        return actions.repair_actions(case, user)

    def desk_context(self, request, case, failed) -> dict:
        context = super().desk_context(request, case, failed)
        photos = []
        for photo in case.photos.all():
            url = None
            with suppress(NoReverseMatch):
                url = reverse("devices:photo", args=[case.pk, photo.pk])
            photos.append({"photo": photo, "url": url})
        lends = [item for item in context["action_forms"] if item["action"].name == "lend"]
        for item in lends:  # the devices in stock as suggestions
            item["form"].fields["device"].widget.attrs["list"] = "stock-devices"
        context.update(photos=photos, stock=list(selectors.stock_devices()[:20]) if lends else [])
        return context

    @admin.display(description=_("loaner"), boolean=True)
    def has_loaner(self, case):
        return case.loaner_id is not None

    @admin.display(description=_("open for"), ordering="reported_at")
    def age(self, case):
        if case.state in (RepairState.RETURNED_TO_USER, *REPAIR_ENDED):
            return None
        return timesince(case.reported_at, depth=1)

    @admin.display(description=_("turnaround"))
    def turnaround(self, case):
        if case.returned_at is None:
            return self.get_empty_value_display()
        return timesince(case.reported_at, case.returned_at, depth=2)


@admin.register(ReturnCase)
class ReturnCaseAdmin(CaseAdmin):
    table = actions.RETURN_ACTIONS
    workflow = RETURN_WORKFLOW
    list_display = [
        "__str__",
        "device_link",
        "holder_name",
        "reason",
        "state",
        "requested_at",
        "age",
    ]
    list_display_links = ["__str__"]
    list_filter = ["state", "reason"]
    list_select_related = ["device__model", "holder"]
    ordering = ["requested_at", "pk"]
    fieldsets = [
        (None, {"fields": ["device", "holder", "requested_by", "requested_at", "state", "reason"]}),
        (_("Data wipe"), {"fields": ["wipe_method", "wipe_certificate", "wiped_by", "wiped_at"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("device__model", "holder", "requested_by", "wiped_by")
        )

    def available(self, case, user):
        return actions.return_actions(case, user)

    @admin.display(description=_("open for"), ordering="requested_at")
    def age(self, case):
        if case.state in RETURN_ENDED:
            return None
        return timesince(case.requested_at, depth=1)
