"""Account pages the portal takes over from allauth.

The email page is read only: a person's email address comes from the organisation (the
administrators in the admin, or single sign-on), never from the person. The logistics
desk assigns devices by email and people sign in and reset passwords with it, so letting
anyone add a colleague's address to their account and make it primary would hand them
the colleague's devices and password resets.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView


class EmailAddressView(LoginRequiredMixin, TemplateView):
    """The person's email address and who sets it; every change (add, remove, make
    primary, send a verification) is refused."""

    template_name = "account/email.html"

    def post(self, request, *args, **kwargs):
        messages.error(
            request,
            _(
                "Your email address is set by your organisation. "
                "Ask the IT service desk to change it."
            ),
        )
        return redirect("account_email")
