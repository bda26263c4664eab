"""Forms of the devices pages. They check shape; devices.services checks the rules."""

from __future__ import annotations

import html

from django import forms
from django.db.models import Q
from django.forms.utils import flatatt
from django.template.loader import render_to_string
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from devices import people
from devices.choices import FaultCategory, RepairState, ReturnReason, ReturnState, WipeMethod
from devices.models import Device
from devices.services import MAX_CANCEL_REASON, MAX_PHOTOS
from portal.errors import RuleViolation
from portal.fields import DepartmentSelect


class QuickSelect(forms.Select):
    """Django's select with its options written in Python instead of a template each
    (the filter forms of the long lists have dozens of options): the same HTML as
    `django/forms/widgets/select.html`."""

    def _render(self, template_name, context, renderer=None):
        widget = context["widget"]
        parts = [f'<select name="{_escape(widget["name"])}"{flatatt(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'<optgroup label="{_escape(group_name)}">')
            parts.extend(
                f'<option value="{_escape(option["value"])}"'
                f"{' selected' if option['selected'] else ''}>"
                f"{_escape(option['label'])}</option>"
                for option in options
            )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value and label is escaped

    @classmethod
    def replacing(cls, field) -> None:
        """Give `field` this widget, keeping its attributes and choices."""
        old = field.widget
        field.widget = cls(attrs=old.attrs, choices=old.choices)
        field.widget.is_required = old.is_required


class QuickDepartmentSelect(DepartmentSelect):
    """`portal.fields.DepartmentSelect` written with plain string operations: its
    options come escaped from the shared cache, their values are primary keys."""

    def render(self, name, value, attrs=None, renderer=None):
        context = forms.Widget.get_context(self, name, value, attrs)
        selected = set(context["widget"]["value"])
        empty, options = self._options()
        parts = [f'<select name="{_escape(name)}"{flatatt(context["widget"]["attrs"])}>']
        if empty is not None:
            flag = " selected" if "" in selected else ""
            parts.append(f'<option value=""{flag}>{empty}</option>')
        plain = '<option value="{}">{}</option>'.format
        for option_value, label in options:
            if option_value in selected:
                parts.append(f'<option value="{_escape(option_value)}" selected>{label}</option>')
            elif option_value.isdigit():
                parts.append(plain(option_value, label))
            else:
                parts.append(plain(_escape(option_value), label))
        parts.append("</select>")
        return mark_safe("\n".join(parts))  # noqa: S308 - every part is escaped above

    @classmethod
    def replacing(cls, field) -> None:
        old = field.widget
        field.widget = cls(attrs=old.attrs, choices=old.choices)
        field.widget.is_required = old.is_required


def _escape(value) -> str:
    """`conditional_escape` without its lazy-string wrapper (many calls a page)."""
    return value if isinstance(value, SafeData) else html.escape(str(value))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several image files from one input; each is validated by the service."""

    widget = MultipleFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(PhotosField, self).clean(f, initial) for f in files]


class FaultForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What is wrong?"), choices=FaultCategory.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("What happened"),
        help_text=_("When it started, what you see, and what you already tried."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )
    data_backed_up = forms.BooleanField(label=_("My data is backed up"), required=False)
    photos = PhotosField(label=_("Photos"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Interpolated per form, in the language of the request (a lazy string formatted
        # in the class body would be translated once, at import, into English).
        self.fields["photos"].help_text = gettext(
            "Up to %(count)s photos of the damage: PNG, JPEG or WebP."
        ) % {"count": MAX_PHOTOS}


class ReturnForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why is the device returned?"),
        choices=ReturnReason.choices,
        widget=forms.RadioSelect,
    )


def comment_field(required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=_("Comment"), required=required, widget=forms.Textarea(attrs={"rows": 2})
    )


def device_by_identifier(text: str) -> int:
    """The primary key of the device with this serial number or asset tag."""
    text = text.strip()
    device = Device.objects.filter(
        Q(serial_number__iexact=text) | Q(asset_tag__iexact=text)
    ).first()
    if device is None:
        raise forms.ValidationError(_("No device has that serial number or asset tag."))
    return device.pk


class CommentForm(forms.Form):
    comment = comment_field()


class PersonForm(forms.Form):
    """The person a device goes to: exactly one active person (`people.person_to_assign`)."""

    person = forms.CharField(
        label=_("Person"),
        help_text=_("Their username, employee number or email address."),
        max_length=254,
    )
    comment = comment_field()

    def clean_person(self) -> int:
        try:
            return people.person_to_assign(self.cleaned_data["person"]).pk
        except RuleViolation as refused:
            raise forms.ValidationError(refused.message, code=refused.code) from None


class StockDeviceForm(forms.Form):
    """A device named by its serial number or asset tag."""

    device = forms.CharField(
        label=_("Device"), help_text=_("Its serial number or asset tag."), max_length=64
    )

    def clean_device(self) -> int:
        return device_by_identifier(self.cleaned_data["device"])


class ShipForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=60)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=80)
    repair_partner = forms.CharField(label=_("Repair partner"), max_length=120, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the case cancelled?"),
        help_text=_("One line, for instance: the fault went away after a restart."),
        max_length=MAX_CANCEL_REASON,
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (s.value, s.label)
            for s in (RepairState.REPAIRED, RepairState.REPLACED, RepairState.BEYOND_REPAIR)
        ],
        widget=forms.RadioSelect,
    )
    cost = forms.DecimalField(
        label=_("Cost"), min_value=0, max_digits=10, decimal_places=2, required=False
    )
    warranty_covered = forms.NullBooleanField(
        label=_("Covered by warranty"),
        widget=forms.Select(
            choices=[("unknown", _("Not known")), ("true", _("Yes")), ("false", _("No"))]
        ),
    )
    replacement = forms.CharField(
        label=_("Replacement device"),
        help_text=_("Only when replaced: the serial number or asset tag of a device in stock."),
        max_length=64,
        required=False,
    )
    comment = comment_field()

    def clean_replacement(self) -> int | None:
        text = self.cleaned_data["replacement"]
        return device_by_identifier(text) if text.strip() else None


class WipeForm(forms.Form):
    method = forms.ChoiceField(label=_("Wipe method"), choices=WipeMethod.choices)
    certificate = forms.CharField(label=_("Certificate number"), max_length=80)


class DisposeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Where the device goes"),
        choices=[
            (s.value, s.label)
            for s in (ReturnState.REDEPLOYED, ReturnState.REFURBISHED, ReturnState.RECYCLED)
        ],
        widget=forms.RadioSelect,
    )
    comment = comment_field()


# The HTML of filter fields already written, by language, field and the values asked
# for: a filter form's field is a pure function of those (and of what `depends` names).
_FIELDS_HTML: dict = {}
_FIELDS_HTML_MOST = 1024


def fields_html(form: forms.Form, depends: dict | None = None, kind=None) -> SafeString:
    """Every field of a GET filter form through `components/field.html`, as the
    template's `{% for field in form %}{% include ... only %}` writes them, each field's
    HTML kept per process by language and the values in the query string. `depends`
    maps a field's name to a function returning what else its HTML depends on (the
    department tree): a kept field is written again when that changed. A field with
    errors is always written afresh. `kind` names the form when its class is made per
    instance (a django-filter FilterSet's form): the class itself otherwise."""
    language = get_language()
    kind = kind or type(form)
    parts = []
    for bound_field in form:
        name = bound_field.name
        errors = bound_field.errors
        key = None
        if not errors:
            values = tuple(form.data.getlist(name)) if form.is_bound else None
            key = (kind, language, name, form.is_bound, values)
            dependency = depends[name]() if depends and name in depends else None
            kept = _FIELDS_HTML.get(key)
            if kept is not None and kept[0] == dependency:
                parts.append(kept[1])
                continue
        html = render_to_string("components/field.html", {"field": bound_field, "errors": errors})
        if key is not None:
            if len(_FIELDS_HTML) >= _FIELDS_HTML_MOST:
                _FIELDS_HTML.clear()
            _FIELDS_HTML[key] = (dependency, html)
        parts.append(html)
    return mark_safe("".join(parts))  # noqa: S308 - each part is a rendered template
