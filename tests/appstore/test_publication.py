"""Publication: superseding per platform, who is told and only once, listing changes,
installations and ratings."""

from __future__ import annotations

import pytest

from appstore import selectors, services
from appstore.choices import InstallSource, ListingChangeState, Platform, VersionState
from appstore.models import App, Installation, ListingChange, Rating
from portal.choices import WorkPattern
from portal.errors import Conflict, IllegalTransition, NotFound, NotPermitted, RuleViolation
from portal.models import Notification
from tests.appstore.factories import make_app, make_version, pass_checklist, publish
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks, monkeypatch):
    """Announcements are queued after the commit: each service call here ends as if its
    transaction committed, so the queued tasks run (eagerly) before the next line."""
    import tests.appstore.test_publication as here

    def committed(function):
        def call(*args, **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return function(*args, **kwargs)

        return call

    monkeypatch.setattr(here, "publish", committed(publish))
    for name in ("approve_listing_change", "install_app"):
        monkeypatch.setattr(services, name, committed(getattr(services, name)))


A, IOS, W = Platform.ANDROID, Platform.IOS, Platform.WEB


def _state(version):
    version.refresh_from_db()
    return version.state


def test_a_new_version_supersedes_only_where_it_covers_every_platform(appowner, reviewer):
    app = make_app(owner=appowner)
    both = publish(owner=appowner, reviewer=reviewer, app=app, version="1.0.0", platforms=(A, IOS))
    android_only = publish(
        owner=appowner, reviewer=reviewer, app=app, version="1.1.0", platforms=(A,)
    )
    assert _state(both) == VersionState.PUBLISHED  # still the current iOS version
    current = selectors.current_artifacts(app)
    assert current[A].version == android_only
    assert current[IOS].version == both
    publish(owner=appowner, reviewer=reviewer, app=app, version="1.2.0", platforms=(IOS,))
    assert _state(both) == VersionState.SUPERSEDED
    assert _state(android_only) == VersionState.PUBLISHED
    event = both.events.order_by("-pk").first()
    assert (event.from_state, event.to_state, event.actor) == ("published", "superseded", reviewer)
    assert "1.2.0" in event.comment


def test_an_older_version_cannot_be_published_over_a_newer_one(appowner, reviewer):
    app = make_app(owner=appowner)
    older = make_version(owner=appowner, app=app, version="1.0.0")
    services.submit_version(by=appowner, version_id=older.pk)
    publish(owner=appowner, reviewer=reviewer, app=app, version="1.1.0")
    services.claim_version(by=reviewer, version_id=older.pk)
    pass_checklist(reviewer=reviewer, version=older)
    with pytest.raises(Conflict, match="newer version"):
        services.approve_version(by=reviewer, version_id=older.pk)
    assert _state(older) == VersionState.IN_REVIEW  # the approval was rolled back too


def test_a_required_app_is_announced_to_its_audience_once(appowner, reviewer, employee, manager):
    outsider = UserFactory(department=DepartmentFactory())
    nurse_dept = employee.department
    app = make_app(
        owner=appowner, audience_everyone=False, audience_departments=[nurse_dept], is_required=True
    )
    child = DepartmentFactory(parent=nurse_dept)
    colleague = UserFactory(department=child, preferred_language="nb")
    publish(owner=appowner, reviewer=reviewer, app=app)
    key = f"app:{app.pk}:required"
    told = set(Notification.objects.filter(key=key).values_list("recipient_id", flat=True))
    assert told == {employee.pk, manager.pk, colleague.pk}
    assert outsider.pk not in told
    in_norwegian = Notification.objects.get(key=key, recipient=colleague)
    assert "obligatorisk" in in_norwegian.title.lower() or app.name in in_norwegian.title
    # Running the announcement again tells nobody twice.
    assert services.announce_required(app_id=app.pk) == 0
    assert Notification.objects.filter(key=key).count() == 3


def test_a_new_version_reaches_those_who_installed_it_and_no_one_else(
    appowner, reviewer, employee, manager
):
    app = make_app(owner=appowner)
    publish(owner=appowner, reviewer=reviewer, app=app, version="1.0.0")
    services.install_app(by=employee, app_id=app.pk, platform=A)
    second = publish(owner=appowner, reviewer=reviewer, app=app, version="1.1.0")
    key = f"appversion:{second.pk}:published"
    assert list(Notification.objects.filter(key=key).values_list("recipient_id", flat=True)) == [
        employee.pk
    ]
    assert services.announce_publication(version_id=second.pk) == 0


def test_a_new_version_of_a_required_app_reaches_its_whole_audience(
    appowner, reviewer, employee, manager
):
    app = make_app(owner=appowner, is_required=True)
    publish(owner=appowner, reviewer=reviewer, app=app, version="1.0.0")
    second = publish(owner=appowner, reviewer=reviewer, app=app, version="2.0.0")
    told = set(
        Notification.objects.filter(key=f"appversion:{second.pk}:published").values_list(
            "recipient_id", flat=True
        )
    )
    assert {employee.pk, manager.pk, appowner.pk, reviewer.pk} <= told


def test_audience_members_is_the_inverse_of_what_people_see(appowner, reviewer, employee):
    frontline = UserFactory(work_pattern=WorkPattern.FRONTLINE)
    app = make_app(
        owner=appowner,
        audience_everyone=False,
        audience_work_patterns=[WorkPattern.FRONTLINE],
        audience_roles=["it_reviewer"],
    )
    publish(owner=appowner, reviewer=reviewer, app=app)
    members = set(selectors.audience_members(app))
    assert members == {frontline, reviewer}
    for person in (frontline, reviewer, employee, appowner):
        sees = selectors.apps_visible_to(person).filter(pk=app.pk).exists()
        assert sees == (person in members)


def test_listing_edits_apply_at_once_before_publication(appowner):
    app = make_app(owner=appowner, name="Hydrant check")
    result = services.update_listing(by=appowner, app_id=app.pk, name="Hydrant inspection")
    assert isinstance(result, App)
    assert App.objects.get(pk=app.pk).name == "Hydrant inspection"
    assert not ListingChange.objects.exists()


def test_a_listing_change_of_a_published_app_waits_for_review(appowner, reviewer, employee):
    app = make_app(owner=appowner, name="Hydrant check")
    publish(owner=appowner, reviewer=reviewer, app=app)
    change = services.update_listing(
        by=appowner, app_id=app.pk, name="Hydrant inspection", is_required=True
    )
    assert isinstance(change, ListingChange)
    app.refresh_from_db()
    assert (app.name, app.is_required) == ("Hydrant check", False)
    assert Notification.objects.filter(
        recipient=reviewer, key=f"listingchange:{change.pk}:submitted"
    ).exists()
    # A second edit updates the same waiting change.
    again = services.update_listing(by=appowner, app_id=app.pk, summary="Yearly checks")
    assert again.pk == change.pk
    assert again.proposed["name"] == "Hydrant inspection"
    with pytest.raises(RuleViolation):
        services.reject_listing_change(
            by=reviewer, change_id=change.pk, revision=again.revision, comment=""
        )
    services.approve_listing_change(by=reviewer, change_id=change.pk, revision=again.revision)
    app.refresh_from_db()
    assert (app.name, app.summary, app.is_required) == (
        "Hydrant inspection",
        "Yearly checks",
        True,
    )
    assert selectors.search(App.objects.all(), "inspection").filter(pk=app.pk).exists()
    assert Notification.objects.filter(recipient=employee, key=f"app:{app.pk}:required").exists()
    with pytest.raises(IllegalTransition):
        services.approve_listing_change(by=reviewer, change_id=change.pk, revision=again.revision)


def test_listing_changes_are_decided_by_reviewers_outside_the_department(appowner, reviewer):
    app = make_app(owner=appowner)
    publish(owner=appowner, reviewer=reviewer, app=app)
    change = services.update_listing(by=appowner, app_id=app.pk, summary="New words")
    with pytest.raises(NotPermitted):
        services.approve_listing_change(by=appowner, change_id=change.pk, revision=1)
    stranger = UserFactory(roles=["app_owner"], department=DepartmentFactory())
    with pytest.raises(NotFound):
        services.withdraw_listing_change(by=stranger, change_id=change.pk)
    services.withdraw_listing_change(by=appowner, change_id=change.pk)
    change.refresh_from_db()
    assert change.state == ListingChangeState.WITHDRAWN


def test_an_app_needs_an_audience(appowner):
    with pytest.raises(RuleViolation) as refused:
        make_app(owner=appowner, audience_everyone=False)
    assert refused.value.field == "audience_everyone"
    assert not App.objects.exists()


def test_install_and_mdm_report_are_idempotent(appowner, reviewer, employee):
    app = make_app(owner=appowner)
    publish(owner=appowner, reviewer=reviewer, app=app, version="1.0.0")
    first = services.install_app(by=employee, app_id=app.pk, platform=A)
    assert services.install_app(by=employee, app_id=app.pk, platform=A).pk == first.pk
    _, outcome = services.report_installation(
        user=employee, app_id=app.pk, version="1.0.0", platform=A
    )
    assert outcome == "unchanged"
    publish(owner=appowner, reviewer=reviewer, app=app, version="1.1.0")
    [mine] = selectors.my_installations(employee)
    assert mine.update.version == "1.1.0"
    installation, outcome = services.report_installation(
        user=employee, app_id=app.pk, version="1.1.0", platform=A
    )
    assert (outcome, installation.source) == ("updated", InstallSource.MDM)
    assert Installation.objects.count() == 1
    [mine] = selectors.my_installations(employee)
    assert mine.update is None
    with pytest.raises(RuleViolation):
        services.install_app(by=employee, app_id=app.pk, platform=W)
    with pytest.raises(RuleViolation):
        services.report_installation(user=employee, app_id=app.pk, version="9.9.9", platform=A)


def test_nobody_installs_or_rates_an_app_outside_their_audience(appowner, reviewer, employee):
    app = make_app(
        owner=appowner, audience_everyone=False, audience_departments=[appowner.department]
    )
    publish(owner=appowner, reviewer=reviewer, app=app)
    with pytest.raises(NotFound):
        services.install_app(by=employee, app_id=app.pk, platform=A)
    with pytest.raises(NotFound):
        services.rate_app(by=employee, app_id=app.pk, stars=5)
    with pytest.raises(NotFound):
        services.report_installation(user=employee, app_id=app.pk, version="1.0.0", platform=A)
    assert not Installation.objects.exists() and not Rating.objects.exists()


def test_one_rating_per_person_which_they_can_change(appowner, reviewer, employee):
    app = make_app(owner=appowner)
    publish(owner=appowner, reviewer=reviewer, app=app)
    services.rate_app(by=employee, app_id=app.pk, stars=2, comment="Slow")
    services.rate_app(by=employee, app_id=app.pk, stars=4, comment="Better now")
    rating = Rating.objects.get()
    assert (rating.stars, rating.comment) == (4, "Better now")
    for bad in (0, 6, "x", None):
        with pytest.raises(RuleViolation):
            services.rate_app(by=employee, app_id=app.pk, stars=bad)
    listed = selectors.catalogue(employee).get(pk=app.pk)
    assert (listed.rating_average, listed.rating_count) == (4, 1)
    services.remove_rating(by=employee, app_id=app.pk)
    assert not Rating.objects.exists()


def test_withdrawing_needs_a_reason_and_removes_the_app_from_the_catalogue(
    appowner, reviewer, employee
):
    app = make_app(owner=appowner)
    version = publish(owner=appowner, reviewer=reviewer, app=app)
    with pytest.raises(RuleViolation):
        services.withdraw_version(by=appowner, version_id=version.pk, comment=" ")
    services.withdraw_version(by=appowner, version_id=version.pk, comment="Security fix coming")
    assert not selectors.apps_visible_to(employee).filter(pk=app.pk).exists()
    with pytest.raises(IllegalTransition):
        services.withdraw_version(by=appowner, version_id=version.pk, comment="Again")


def test_search_finds_by_prefix_and_ranks_names_first(appowner, reviewer, employee):
    water = make_app(owner=appowner, name="Vanninspeksjon", summary="Water mains")
    notes = make_app(
        owner=appowner, name="Field notes", summary="Notes", description="Used for vann work"
    )
    other = make_app(owner=appowner, name="Leak alert", summary="Leaks")
    for app in (water, notes, other):
        publish(owner=appowner, reviewer=reviewer, app=app)
    found = list(selectors.search(selectors.catalogue(employee), "vann"))
    assert found == [water, notes]
    # Category names are searchable in every language (Norwegian here).
    assert water in selectors.search(selectors.catalogue(employee), "tekniske")
    assert list(selectors.search(selectors.catalogue(employee), "!!")) != []
