"""What the review screens share: the POST-as-review-action base and the state filters."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from appstore import selectors
from appstore.choices import ListingChangeState, VersionState


class ReviewPostMixin:
    """A change page whose POST is a review action run through a service, not a save.

    `handle_review_post` returns a response, or None when the service refused: the page is
    then shown again with what the reviewer entered and the error message."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            response = self.handle_review_post(request, object_id)
            if response is not None:
                return response
            request.review_data = request.POST
            request.method = "GET"
        return super().change_view(request, object_id, form_url, extra_context)


class ReviewStateFilter(admin.SimpleListFilter):
    """The review queue unless another state (or all of them) is chosen."""

    title = _("state")
    parameter_name = "state"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [(self.ALL, _("All states")), *VersionState.choices]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset & selectors.review_queue()
        if self.value() == self.ALL:
            return queryset
        return queryset.filter(state=self.value())

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Review queue"),
        }
        for value, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(value),
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": title,
            }


class ListingStateFilter(admin.SimpleListFilter):
    """Waiting changes unless another state (or all of them) is chosen."""

    title = _("state")
    parameter_name = "state"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [(self.ALL, _("All states")), *ListingChangeState.choices]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset.filter(state=ListingChangeState.SUBMITTED)
        if self.value() == self.ALL:
            return queryset
        return queryset.filter(state=self.value())

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Waiting for review"),
        }
        for value, title in self.lookup_choices:
            if value == ListingChangeState.SUBMITTED:
                continue
            yield {
                "selected": self.value() == str(value),
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": title,
            }
