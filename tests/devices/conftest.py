"""Fixtures shared by the devices tests."""

from __future__ import annotations

import uuid

import pytest
from django.utils.html import escape

from portal.fields import forget_department_tree

FEW, MANY = 2, 20


@pytest.fixture(autouse=True)
def _fresh_department_tree():
    """The department select's options are cached in the shared cache, which a rolled
    back test does not reset: each test starts without them."""
    forget_department_tree()


@pytest.fixture(autouse=True)
def _own_list_counts(monkeypatch):
    """The fleet's counts are kept a minute in the shared cache, which a rolled back test
    does not reset: each test keeps its own."""
    monkeypatch.setattr("devices.views.fleet.COUNT_KEY", f"test:{uuid.uuid4().hex}:")


@pytest.fixture
def same_queries(django_assert_max_num_queries):
    """`same_queries(client, url, grow=, rows=, most=N)`: the page with a few rows, then,
    after `grow()`, with many; each time within N queries, answered 200 and with every
    text of `rows()` on the page (HTML-escaped), and both times the same number of
    queries. Returns that number."""

    def check(client, url, *, grow, rows, most, data=None):
        client.get(url, data or {})  # warm the process-wide caches (content types, ...)
        counts = []
        for step in (None, grow):
            if step is not None:
                step()
            with django_assert_max_num_queries(most) as captured:
                response = client.get(url, data or {})
            assert response.status_code == 200
            html = response.content.decode()
            expected = [str(text) for text in rows()]
            assert len(expected) >= FEW
            missing = [text for text in expected if escape(text) not in html]
            assert not missing, missing
            counts.append(len(captured))
        assert counts[0] == counts[1], counts
        return counts[0]

    return check
