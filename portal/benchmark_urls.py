"""The portal's URLs plus the bare 50-card page that `manage.py benchmark_city` measures
every page against. Used only by that command (it overrides ROOT_URLCONF while it runs)."""

from django.shortcuts import render
from django.urls import path

from portal.urls import handler400, handler403, handler404, handler500
from portal.urls import urlpatterns as portal

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
CARDS_URL = "/benchmark/cards/"


def cards(request):
    """50 cards from a list in memory, through the portal's layout and middleware."""
    rows = [
        {
            "url": f"/apps/card-{n}/",
            "name": f"Card number {n}",
            "summary": f"A short summary of card {n}, about as long as an app's.",
            "category": "Field work",
            "department": f"Department {n % 7}",
        }
        for n in range(50)
    ]
    return render(request, "portal/benchmark_cards.html", {"cards": rows})


urlpatterns = [path(CARDS_URL.strip("/") + "/", cards, name="benchmark_cards"), *portal]
