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


class _WaitingFirstFilter(admin.SimpleListFilter):
    """A state filter that shows what waits for a reviewer unless another state (or all of
    them) is chosen."""

    title = _("state")
    parameter_name = "state"
    ALL = "all"
    state_choices: list = []
    waiting_label = ""
    hidden: tuple = ()  # states the waiting view already is, not offered again

    def waiting(self, queryset):
        raise NotImplementedError

    def lookups(self, request, model_admin):
        return [(self.ALL, _("All states")), *self.state_choices]

    def queryset(self, request, queryset):
        if self.value() is None:
            return self.waiting(queryset)
        if self.value() == self.ALL:
            return queryset
        return queryset.filter(state=self.value())

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": self.waiting_label,
        }
        for value, title in self.lookup_choices:
            if value in self.hidden:
                continue
            yield {
                "selected": self.value() == str(value),
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": title,
            }


class ReviewStateFilter(_WaitingFirstFilter):
    """The review queue unless another state (or all of them) is chosen."""

    state_choices = VersionState.choices
    waiting_label = _("Review queue")

    def waiting(self, queryset):
        return queryset & selectors.review_queue()


class ListingStateFilter(_WaitingFirstFilter):
    """Waiting changes unless another state (or all of them) is chosen."""

    state_choices = ListingChangeState.choices
    waiting_label = _("Waiting for review")
    hidden = (ListingChangeState.SUBMITTED,)

    def waiting(self, queryset):
        return queryset.filter(state=ListingChangeState.SUBMITTED)
