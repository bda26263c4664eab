"""Forms of the owners' pages. They check shape only; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from appstore.choices import Category, DataClassification, Platform
from portal.choices import Role, WorkPattern
from portal.fields import DepartmentMultipleChoiceField
from portal.models import Department

IMAGE_ACCEPT = "image/png,image/jpeg,image/webp"


class ListingForm(forms.Form):
    """An app's listing; the audience is one fieldset, roles and work patterns groups in it."""

    template_name = "appstore/manage/partials/listing_form.html"
    CHECKBOX_GROUPS = ("audience_roles", "audience_work_patterns")

    name = forms.CharField(label=_("Name"), max_length=120)
    summary = forms.CharField(
        label=_("Summary"), max_length=200, help_text=_("One line shown in lists and search.")
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    support_contact = forms.EmailField(
        label=_("Support contact"), help_text=_("The address staff write to for help.")
    )
    audience_everyone = forms.BooleanField(label=_("Everyone in the organisation"), required=False)
    audience_departments = DepartmentMultipleChoiceField(
        label=_("Departments (with the departments below them)"),
        queryset=Department.objects.order_by("path"),
        required=False,
    )
    audience_roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    audience_work_patterns = forms.MultipleChoiceField(
        label=_("Work patterns"),
        choices=WorkPattern.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_required = forms.BooleanField(
        label=_("Required for everyone in the audience"), required=False
    )
    icon = forms.FileField(
        label=_("Icon"),
        required=False,
        help_text=_("PNG, JPEG or WebP, square, from 256 × 256 to 1024 × 1024 pixels."),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
    )

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["audience_departments"] = [d.pk for d in data["audience_departments"]]
        if not data.get("icon"):
            data["icon"] = None
        return data

    def changed_arguments(self) -> dict:
        """Only what differs from the initial listing; empty when nothing does."""
        data = self.service_arguments()
        changed = set(self.changed_data)
        if data["icon"] is not None:
            changed.add("icon")
        if not changed:
            return {}
        arguments = {name: data[name] for name in changed}
        arguments.setdefault("icon", None)
        arguments.setdefault("audience_departments", None)
        return arguments


class VersionAnswersForm(forms.Form):
    release_notes = forms.CharField(
        label=_("Release notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What is new, in words staff understand. Needed before you submit."),
    )
    data_classification = forms.ChoiceField(
        label=_("Data classification"),
        choices=DataClassification.choices,
        help_text=_("The highest class of data the app handles."),
    )
    processes_personal_data = forms.BooleanField(
        label=_("The app processes personal data"), required=False
    )
    personal_data_description = forms.CharField(
        label=_("Which personal data, and why"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    dpia_done = forms.BooleanField(
        label=_("A data protection impact assessment (DPIA) is done"), required=False
    )


class NewVersionForm(VersionAnswersForm):
    version = forms.CharField(
        label=_("Version number"), max_length=40, help_text=_("Three numbers, e.g. 1.4.0.")
    )
    field_order = ["version"]


class ArtifactForm(forms.Form):
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    store_url = forms.URLField(label=_("Store or MDM link"), required=False, assume_scheme="https")
    mdm_identifier = forms.CharField(
        label=_("Store or MDM identifier"),
        required=False,
        max_length=200,
        help_text=_("Bundle id, package name or the MDM system's app id."),
    )
    package = forms.FileField(
        label=_("Package"),
        required=False,
        help_text=_(".apk (Android), .ipa (iOS), .msix or .appx (Windows)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".apk,.ipa,.msix,.appx"}),
    )
    web_url = forms.URLField(
        label=_("Web address"),
        required=False,
        assume_scheme="https",
        help_text=_("Only for the web platform."),
    )
    min_os_version = forms.CharField(label=_("Minimum OS version"), required=False, max_length=20)

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["package"] = data.get("package") or None
        return data


class ScreenshotForm(forms.Form):
    image = forms.FileField(
        label=_("Screenshot"),
        help_text=_("PNG, JPEG or WebP."),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
    )
    alt_text = forms.CharField(
        label=_("What the screenshot shows"),
        max_length=250,
        help_text=_("Read aloud to people who cannot see it."),
    )


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class SubmitForm(forms.Form):
    comment = forms.CharField(
        label=_("Message to the reviewer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("When you resubmit, say what you changed."),
    )


class WithdrawForm(forms.Form):
    comment = forms.CharField(
        label=_("Why you withdraw it"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Staff who installed it and IT see this reason."),
    )
