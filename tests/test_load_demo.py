"""`manage.py load_demo`: the demo schools, logins and concerns, and running it again."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from concerns.models import (
    Concern,
    ConcernChild,
    EvidenceItem,
    FollowUpAction,
    Note,
    Step,
    SupportAction,
)
from schools import demo
from schools.models import Boarding, HouseholdContact, Membership, Pupil, Role, School, User
from schools.pupil_import import upn_problem

# Models whose rows, and history rows, a second run must leave alone.
MODELS = (
    School,
    Pupil,
    HouseholdContact,
    Membership,
    Concern,
    ConcernChild,
    EvidenceItem,
    SupportAction,
    FollowUpAction,
    Note,
)


# The real hasher takes half a second a password, on purpose; these tests check logins.
FAST_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    state = {}
    for model in MODELS:
        state[model.__name__] = model.objects.count()
        state[f"{model.__name__} history"] = model.history.count()
    state["users"] = list(User.objects.order_by("email").values_list("email", "password"))
    return state


@pytest.fixture(scope="module")
def _loaded_once(django_db_setup, django_db_blocker):
    """Load the demo once for this module, in a transaction rolled back after its last test."""
    with (
        django_db_blocker.unblock(),
        override_settings(FETCH_MODE="FETCH_RAISE", PASSWORD_HASHERS=FAST_HASHING),
        transaction.atomic(),
    ):
        yield load_demo()
        transaction.set_rollback(True)


@pytest.fixture
def loaded(_loaded_once, db, settings) -> str:
    """The command's output. Each test runs in a savepoint on top of the loaded demo."""
    settings.PASSWORD_HASHERS = FAST_HASHING
    return _loaded_once


def test_creates_two_schools_with_about_300_and_20_pupils(loaded):
    hollybrook = School.objects.get(urn=demo.HOLLYBROOK.urn)
    other = School.objects.get(urn=demo.OTHER.urn)
    assert hollybrook.name == "Hollybrook Primary School"
    assert hollybrook.local_authority == other.local_authority == "Demoshire"
    assert hollybrook.phone.startswith("01632 960")
    assert 280 <= Pupil.objects.filter(school=hollybrook).count() <= 320
    assert 15 <= Pupil.objects.filter(school=other).count() <= 25
    assert "Schools:             created    2, already present    0" in loaded


def test_every_pupil_is_plausible_and_has_a_creation_history_row(loaded):
    pupils = list(Pupil.objects.all())
    for pupil in pupils:
        assert upn_problem(pupil.upn) is None
        nc_year = (
            0 if pupil.year_group == "Reception" else int(pupil.year_group.removeprefix("Year "))
        )
        earliest, latest = demo.birth_range(nc_year)
        assert earliest <= pupil.date_of_birth <= latest, pupil
        assert pupil.class_name[0] == ("R" if nc_year == 0 else str(nc_year))
    assert {p.year_group for p in pupils} == {"Reception", *(f"Year {n}" for n in range(1, 7))}
    assert any(p.boarding == Boarding.WEEKLY for p in pupils)
    assert any(p.sen_disability and p.sen_details for p in pupils)
    assert len({p.first_language for p in pupils}) > 5
    assert len({p.ethnicity for p in pupils}) > 5
    created = Pupil.history.filter(history_type="+", history_change_reason=demo.CHANGE_REASON)
    assert sorted(created.values_list("id", flat=True)) == sorted(p.pk for p in pupils)


def test_every_pupil_has_one_or_two_fictional_household_contacts(loaded):
    per_pupil = {}
    for contact in HouseholdContact.objects.all():
        per_pupil.setdefault(contact.pupil_id, []).append(contact)
        assert contact.phone.startswith("07700 900")
        assert contact.email.endswith("@example.com")
    assert set(per_pupil) == set(Pupil.objects.values_list("pk", flat=True))
    assert {len(contacts) for contacts in per_pupil.values()} == {1, 2}
    assert HouseholdContact.history.count() == HouseholdContact.objects.count()


def test_the_walkthrough_children_are_in_the_register_and_in_no_concern(loaded):
    amelia, bella, chloe = (
        Pupil.objects.get(
            school__urn=demo.HOLLYBROOK.urn, legal_first_name=first, legal_last_name=last
        )
        for first, last in (("Amelia", "Hart"), ("Bella", "Cole"), ("Chloe", "Dunn"))
    )
    assert amelia.year_group == bella.year_group == chloe.year_group == "Year 4"
    assert amelia.class_name == bella.class_name == chloe.class_name == "4B"
    assert amelia.boarding == Boarding.WEEKLY
    assert amelia.age_on(date(demo.ACADEMIC_YEAR, 11, 23)) == 9
    # The newcomer records the DOMAIN.md case about them in the browser.
    assert not ConcernChild.objects.filter(pupil__in=[amelia, bella, chloe]).exists()
    assert "Pupils for the walkthrough" in loaded
    assert "Amelia Hart (4B, aged" in loaded


def test_demo_logins_work_with_the_printed_password(loaded, client):
    for account in demo.ACCOUNTS:
        assert client.login(username=account.email, password=demo.DEFAULT_PASSWORD), account
        membership = Membership.objects.select_related("school").get(user__email=account.email)
        assert (membership.role, membership.school.urn) == (account.role, account.school.urn)
        assert account.email in loaded
    assert f"Password for all of them: {demo.DEFAULT_PASSWORD}" in loaded


def test_a_demo_dsl_signs_in_with_the_printed_password_and_the_demo_code(loaded, client):
    signed_in = client.post(
        reverse("account_login"), {"login": "dsl@demo.example", "password": demo.DEFAULT_PASSWORD}
    )
    assert signed_in.url == reverse("mfa_authenticate")

    code = io.StringIO()
    call_command("demo_code", stdout=code)
    response = client.post(reverse("mfa_authenticate"), {"code": code.getvalue().strip()})

    assert response.url == reverse("home")
    assert client.get(reverse("home")).url == reverse("concerns:queue")
    assert "make code" in loaded and demo.DEMO_TOTP_SECRET in loaded


def test_an_existing_login_gets_the_demo_password_from_the_environment(loaded, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "another-long-demo-password")

    out = load_demo()

    for account in demo.ACCOUNTS:
        assert User.objects.get(email=account.email).check_password("another-long-demo-password")
    assert "Accounts:            created    0, already present    6" in out
    assert "Password, role or access put back for: staff@demo.example, dsl@demo.example" in out
    assert "Password for all of them: another-long-demo-password" in out


def test_concerns_are_at_every_step_and_carry_their_history(loaded):
    hollybrook = School.objects.get(urn=demo.HOLLYBROOK.urn)
    concerns = list(Concern.objects.filter(school=hollybrook))
    assert 8 <= len(concerns) <= 12
    steps = [concern.step for concern in concerns]
    assert set(steps) == set(Step.values)
    assert steps.count(Step.CLOSED) == 2
    urgent = [c for c in concerns if c.immediate_danger]
    assert len(urgent) == 1 and urgent[0].step == Step.RECORDED
    assert Concern.objects.filter(school__urn=demo.OTHER.urn).count() == 2

    now = timezone.now()
    for concern in Concern.objects.all():
        history = list(concern.history.order_by("history_date", "history_id"))
        assert history[0].history_change_reason == "Concern recorded"
        # One row for the recording, one for its categories, then at least one per step.
        assert len(history) >= concern.step
        assert history[-1].step == concern.step
        assert all(row.history_user_id for row in history)
        # Back-dated over the last three months, history included.
        assert history[0].history_date == concern.recorded_at
        assert now - timedelta(days=100) < concern.recorded_at < now - timedelta(minutes=15)


def test_no_time_stamped_by_the_services_during_the_load_is_left(loaded):
    # The demo's latest step is five minutes before the load; the load took seconds.
    since = timezone.now() - timedelta(minutes=3)
    stamped = {
        Concern: ["recorded_at", "closed_at"],
        ConcernChild: ["added_at", "safety_checked_at"],
        EvidenceItem: ["added_at"],
        SupportAction: ["added_at"],
        FollowUpAction: ["added_at"],
        Note: ["added_at"],
    }
    for model, columns in stamped.items():
        for rows in (model.objects, model.history):
            for column in columns:
                assert not rows.filter(**{f"{column}__gt": since}), (model, column)
        assert not model.history.filter(history_date__gt=since), model


def test_staff_reported_and_the_dsl_team_acted(loaded):
    concerns = Concern.objects.filter(school__urn=demo.HOLLYBROOK.urn).select_related(
        "reporter", "decided_by"
    )
    assert "staff@demo.example" in {c.reporter.email for c in concerns}
    decided = [c for c in concerns if c.step >= Step.REFERRAL_DECIDED]
    assert decided
    assert {c.decided_by.email for c in decided} <= {"dsl@demo.example", "deputy@demo.example"}


def test_running_it_twice_changes_nothing(loaded):
    before = snapshot()

    again = load_demo()

    assert snapshot() == before
    pupils, concerns = Pupil.objects.count(), len(demo.STORIES)
    assert f"Pupils:              created    0, already present {pupils:>4}" in again
    assert f"Concerns:            created    0, already present {concerns:>4}" in again
    assert "put back" not in again


def test_running_it_again_tops_up_what_is_missing(loaded):
    HouseholdContact.objects.filter(priority=2).order_by("pk").first().delete()
    Membership.objects.filter(user__email="governor@demo.example").delete()
    Membership.objects.filter(user__email="dsl@demo.example").update(role=Role.STAFF)

    again = load_demo()

    assert "Household contacts:  created    1" in again
    assert "School memberships:  created    1, already present    5" in again
    assert "put back for: dsl@demo.example" in again
    assert Membership.objects.get(user__email="dsl@demo.example").role == Role.DSL
    assert Membership.objects.get(user__email="governor@demo.example").role == Role.GOVERNOR
