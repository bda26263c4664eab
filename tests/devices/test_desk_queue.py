"""The desk's queue: open work first, newest first (a new report is not listed after a
case that waits only to be closed), filtered by a GET form that works without
JavaScript, in as many queries for 20 cases as for 2; its tables scroll as a labelled,
focusable region and become cards on a phone."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from devices import services
from devices.models import RepairCase, ReturnCase
from tests.devices.factories import DeviceModelFactory, held_device, open_repair, open_return
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

DESK = reverse("devices:desk")


def _age(case, days: int) -> None:
    """Pretend the case was opened `days` ago (the timestamp is set on creation)."""
    when = timezone.now() - datetime.timedelta(days=days)
    field = "reported_at" if isinstance(case, RepairCase) else "requested_at"
    type(case).objects.filter(pk=case.pk).update(**{field: when})


def _finished_repair(holder, desk, *, days: int) -> RepairCase:
    case = open_repair(device=held_device(holder=holder, desk=desk), by=holder)
    services.triage_case(by=desk, case_id=case.pk)
    services.ship_case(by=desk, case_id=case.pk, carrier="Posten", tracking_number="T")
    services.case_at_partner(by=desk, case_id=case.pk)
    services.record_outcome(by=desk, case_id=case.pk, outcome="repaired")
    services.return_to_user(by=desk, case_id=case.pk)
    _age(case, days)
    return case


def _links(html: str, section: str, name: str) -> list[int]:
    part = html.split(f'id="{section}-heading"')[1].split("</section>")[0]
    prefix = reverse(f"devices:{name}", args=[0]).rsplit("0/", 1)[0]
    found = []
    for chunk in part.split(f'href="{prefix}')[1:]:
        number = chunk.split("/", 1)[0]
        if number.isdigit() and int(number) not in found:
            found.append(int(number))
    return found


def test_open_work_comes_first_newest_first(client_for, employee, logistics):
    waiting = _finished_repair(employee, logistics, days=30)
    old = open_repair(device=held_device(holder=employee, desk=logistics), by=employee)
    _age(old, 10)
    new = open_repair(device=held_device(holder=employee, desk=logistics), by=employee)
    html = client_for(logistics).get(DESK).content.decode()
    assert _links(html, "repairs", "repair_case") == [new.pk, old.pk, waiting.pk]


def test_returns_list_open_work_first_newest_first(client_for, employee, logistics):
    older = open_return(device=held_device(holder=employee, desk=logistics), by=employee)
    _age(older, 5)
    newer = open_return(device=held_device(holder=employee, desk=logistics), by=employee)
    html = client_for(logistics).get(DESK).content.decode()
    assert _links(html, "returns", "return_case") == [newer.pk, older.pk]


@pytest.fixture
def queue(employee, logistics, department):
    """A repair and a return in the employee's department, a cancelled repair, and a
    repair in another department with another repair partner."""
    elsewhere = DepartmentFactory(name="Schools", code="schools")
    pupil_helper = UserFactory(department=elsewhere)
    other_model = DeviceModelFactory(default_repair_partner="Fixit Bergen AS")
    mine = held_device(holder=employee, desk=logistics, serial_number="QUEUE0001")
    cancelled_device = held_device(holder=employee, desk=logistics, serial_number="QUEUE0003")
    cancelled = open_repair(device=cancelled_device, by=employee)
    services.cancel_repair_case(by=employee, case_id=cancelled.pk, reason="Works again")
    theirs = held_device(
        holder=pupil_helper, desk=logistics, serial_number="QUEUE0002", model=other_model
    )
    return {
        "repair": open_repair(device=mine, by=employee),
        "return": open_return(device=mine, by=employee),
        "cancelled": cancelled,
        "other": open_repair(device=theirs, by=pupil_helper),
        "elsewhere": elsewhere,
    }


def _shown(client, **query) -> set[str]:
    html = client.get(DESK, query).content.decode()
    keys = set()
    for name, section, url in (
        ("repair", "repairs", "repair_case"),
        ("return", "returns", "return_case"),
    ):
        keys.update(f"{name}:{pk}" for pk in _links(html, section, url))
    return keys


def test_the_queue_filters_by_kind_state_department_partner_and_serial(
    client_for, logistics, queue, department
):
    client = client_for(logistics)
    repair, ret, cancelled, other = (
        f"repair:{queue['repair'].pk}",
        f"return:{queue['return'].pk}",
        f"repair:{queue['cancelled'].pk}",
        f"repair:{queue['other'].pk}",
    )
    assert _shown(client) == {repair, ret, other}
    assert _shown(client, kind="return") == {ret}
    assert _shown(client, kind="repair") == {repair, other}
    assert _shown(client, state="cancelled") == {cancelled}
    assert _shown(client, state="requested") == {ret}
    assert _shown(client, department=queue["elsewhere"].pk) == {other}
    assert _shown(client, department=department.pk) == {repair, ret}
    assert _shown(client, partner="fixit berg") == {other}
    assert _shown(client, q="queue0002") == {other}
    assert _shown(client, q="QUEUE0001", kind="") == {repair, ret}


def test_a_bad_filter_lists_nothing_and_says_why(client_for, logistics, queue):
    response = client_for(logistics).get(DESK, {"state": "lost", "q": "x" * 101})
    html = response.content.decode()
    assert response.status_code == 200
    assert "field__error" in html and _shown(client_for(logistics), state="lost") == set()
    summary = html.split('class="desk-summary"')[1].split("</ul>")[0]
    assert summary.count("<strong>0</strong>") == 4  # lost, repairs, returns, leavers


def test_the_filters_are_a_get_form_and_the_tables_are_labelled_regions(
    client_for, logistics, queue
):
    html = client_for(logistics).get(DESK).content.decode()
    form = html.split('role="search"')[0].rsplit("<form", 1)[1]
    assert 'method="get"' in form and "hx-" not in form
    for name in ("q", "kind", "state", "department", "partner"):
        assert f'name="{name}"' in html
    for section in ("repairs", "returns"):
        assert (
            f'class="table-wrap" role="region" aria-labelledby="{section}-heading" tabindex="0"'
        ) in html
    assert html.count("table--cards") == 2 and 'data-label="State"' in html


def test_filtered_queue_queries_do_not_grow(client_for, logistics, department, same_queries):
    made = []

    def add(count):
        for _ in range(count):
            holder = UserFactory(department=department)
            device = held_device(holder=holder, desk=logistics)
            made.append(open_repair(device=device, by=holder))
            made.append(open_return(device=device, by=holder))

    def rows():
        return [
            reverse(
                "devices:repair_case" if isinstance(c, RepairCase) else "devices:return_case",
                args=[c.pk],
            )
            for c in made
        ]

    add(2)
    same_queries(
        client_for(logistics),
        DESK,
        grow=lambda: add(18),
        rows=rows,
        most=12,
        data={"department": department.pk, "q": "SN", "state": ""},
    )
    assert ReturnCase.objects.count() == 20


def test_each_section_shows_a_page_with_its_true_count_and_pages_keep_the_filters(
    client_for, employee, logistics, department, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr("devices.views.cases.QUEUE_PAGE_SIZE", 2)
    cases = []
    for days in (3, 2, 1):
        case = open_repair(device=held_device(holder=employee, desk=logistics), by=employee)
        _age(case, days)
        cases.append(case)
    oldest, middle, newest = cases
    client = client_for(logistics)
    first = client.get(DESK, {"department": department.pk}).content.decode()
    assert _links(first, "repairs", "repair_case") == [newest.pk, middle.pk]
    summary = first.split('class="desk-summary"')[1].split("</ul>")[0]
    assert "<strong>3</strong>" in summary  # the true count, not the page's length
    pager = first.split('aria-label="Pages of repairs"')[1].split("</nav>")[0]
    assert f"department={department.pk}" in pager and "repairs_page=2" in pager
    with django_assert_max_num_queries(12):
        second = client.get(DESK, {"department": department.pk, "repairs_page": "2"})
    assert _links(second.content.decode(), "repairs", "repair_case") == [oldest.pk]
    # A page past the end (or not a number) shows the last (or first) page.
    beyond = client.get(DESK, {"repairs_page": "99"}).content.decode()
    assert _links(beyond, "repairs", "repair_case") == [oldest.pk]
    garbage = client.get(DESK, {"repairs_page": "x"}).content.decode()
    assert _links(garbage, "repairs", "repair_case") == [newest.pk, middle.pk]


def test_the_queue_pages_on_the_case_table_through_the_open_work_index():
    """The open cases' page is cut by the partial index in the queue's order; only the
    page's rows are joined to devices and people."""
    from devices import selectors

    queue = selectors.desk_queue()
    for name, index in (("repairs", "repaircase_open_work"), ("returns", "returncase_open_work")):
        cut = queue[name].values("pk")[:25]
        sql = str(cut.query)
        assert "devices_device" not in sql and "portal_user" not in sql
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
        assert index in cut.explain(), name
    assert "repaircase_open_security" in queue["security"][:100].explain()


def test_leavers_are_listed_by_name_with_their_true_count_and_move_at_once(
    client_for, logistics, department, monkeypatch
):
    """The devices of deactivated holders: a page in the holders' name order, the count
    of all of them (read with the page), and a change seen on the next request (the SQL
    is kept per process, never the rows)."""
    monkeypatch.setattr("devices.views.cases.QUEUE_PAGE_SIZE", 2)
    devices = {}
    for last_name in ("Cole", "abel", "Berg"):
        leaver = UserFactory(department=department, last_name=last_name)
        devices[last_name] = held_device(holder=leaver, desk=logistics)
        leaver.is_active = False
        leaver.save()
    client = client_for(logistics)

    def orphans():
        html = client.get(DESK).content.decode()
        section = html.split('id="orphans-heading"')[1]
        summary = html.split('class="desk-summary"')[1].split("</ul>")[0]
        order = sorted(
            (section.find(reverse("devices:device", args=[d.pk])), name)
            for name, d in devices.items()
            if reverse("devices:device", args=[d.pk]) in section
        )
        return [name for _position, name in order], summary

    shown, summary = orphans()
    assert shown == ["abel", "Berg"]  # by name, whatever the case
    assert "<strong>3</strong> held by deactivated accounts" in summary
    abel = devices["abel"].assignee
    abel.is_active = True
    abel.save()
    shown, summary = orphans()
    assert shown == ["Berg", "Cole"]
    assert "<strong>2</strong> held by deactivated accounts" in summary


def test_a_case_the_desk_moves_leaves_the_open_queue_at_once(client_for, employee, logistics):
    case = open_repair(device=held_device(holder=employee, desk=logistics), by=employee)
    client = client_for(logistics)
    link = reverse("devices:repair_case", args=[case.pk])
    assert link in client.get(DESK).content.decode()
    services.cancel_repair_case(by=logistics, case_id=case.pk, reason="Reported twice")
    html = client.get(DESK).content.decode()
    assert link not in html.split('id="repairs-heading"')[1]


def test_the_filter_form_shows_a_renamed_department_at_once(client_for, logistics, department):
    client = client_for(logistics)
    assert department.name in client.get(DESK).content.decode()
    department.name = "Renamed ward"
    department.save()
    html = client.get(DESK).content.decode()
    assert "Renamed ward" in html.split("desk-filters")[1].split("</form>")[0]
