"""The review checklist: the items IT keeps and the form a reviewer fills in per version."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from appstore.choices import CheckResult
from appstore.models import ChecklistItem
from portal.templatetags.portal_tags import known_translation


class ChecklistForm(forms.Form):
    """Pass / fail / not applicable and a note for every active checklist item."""

    prefix = "checklist"

    def __init__(self, *args, items, answers, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            answer = answers.get(item.pk)
            self.fields[f"result_{item.pk}"] = forms.ChoiceField(
                label=known_translation(item.text),
                choices=CheckResult.choices,
                widget=forms.RadioSelect,
                required=False,
                initial=answer.result if answer else None,
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("Note"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
                initial=answer.note if answer else "",
            )

    def rows(self):
        for item in self.items:
            yield item, self[f"result_{item.pk}"], self[f"note_{item.pk}"]

    def answers(self) -> dict[int, tuple[str, str]]:
        """The items given a result; an item left open is not sent."""
        data = self.cleaned_data
        return {
            item.pk: (data[f"result_{item.pk}"], data[f"note_{item.pk}"])
            for item in self.items
            if data[f"result_{item.pk}"]
        }


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ["text", "position", "is_required", "is_active"]
    list_editable = ["position", "is_required", "is_active"]
    list_filter = ["is_active", "is_required"]
    search_fields = ["text"]
    fields = ["text", "guidance", "position", "is_required", "is_active"]
