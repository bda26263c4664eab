from django import template

from appstore.choices import ListingChangeState, VersionState

register = template.Library()


@register.filter
def state_label(value: str) -> str:
    """The human name of a version or listing change state."""
    for states in (VersionState, ListingChangeState):
        if value in states.values:
            return str(states(value).label)
    return value
