"""Small template helpers shared by every app."""

from django import forms, template

from portal.choices import Role

register = template.Library()


@register.filter
def role_label(name: str) -> str:
    """The translated label of a role group's name."""
    try:
        return Role(name).label
    except ValueError:
        return name


@register.filter
def is_checkbox(bound_field) -> bool:
    return getattr(bound_field.field.widget, "input_type", "") in {"checkbox", "radio"}


@register.filter
def is_choice_group(bound_field) -> bool:
    """Radio buttons or checkboxes of one field: a fieldset whose legend names them."""
    return isinstance(bound_field.field.widget, forms.RadioSelect)


@register.filter
def label_of(labels: dict, key: str) -> str:
    """`{{ labels|label_of:state }}`: the human name of a value in a dict of labels."""
    return labels.get(key, key) if key else ""


@register.filter
def described_widget(bound_field, errors) -> str:
    """The widget, pointing (aria-describedby) at its hint and error texts."""
    ids = []
    if bound_field.help_text:
        ids.append(f"{bound_field.auto_id}_helptext")
    if errors:
        ids.append(f"{bound_field.auto_id}_error")
    attrs = {"aria-describedby": " ".join(ids)} if ids else {}
    if errors:
        attrs["aria-invalid"] = "true"
    return bound_field.as_widget(attrs=attrs)


@register.simple_tag
def portal_name() -> str:
    """The portal's name, for pages rendered without the request's context."""
    from django.conf import settings

    return settings.PORTAL_NAME


@register.filter
def error_target(bound_field) -> str:
    """The id an error summary's link points at: the field's first input itself (the
    first radio button or checkbox of a group), so following it focuses the field."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.RadioSelect | forms.MultiWidget):
        return f"{bound_field.auto_id}_0"
    return bound_field.id_for_label or bound_field.auto_id


@register.filter
def known_translation(stored_text: str) -> str:
    """Stored text (a seeded checklist item) in the page's language when the catalogue
    has it; anything else (an administrator's own wording) as it was written."""
    from django.utils.translation import gettext

    return gettext(str(stored_text)) if stored_text else stored_text
