"""`manage.py load_demo`: the demo schools, logins and concerns, and running it again.

The demo is what a newcomer sees first, so its concerns are held to the same rules as real
ones: these tests check each demo decision as the services would, and pin the cases a
visitor is shown (the DOMAIN.md case worked through, the secondary's sextortion case, a
countersigned decision, one awaiting its countersignature, a child not yet identified, a
flagged entry).
"""

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from concerns import rules, services
from concerns.models import (
    AdviceGiven,
    Agency,
    ChildRole,
    Concern,
    ConcernChild,
    EvidenceItem,
    FollowUpAction,
    FollowUpKind,
    GuidanceCard,
    Note,
    NotReferGround,
    PracticeFlag,
    ReferralDecision,
    Step,
    SupportAction,
    UnnamedChild,
    YesNoUnknown,
)
from demo import leavers as demo_leavers
from demo import oversight as oversight_demo
from demo import retention as demo_retention
from demo import school as demo
from oversight.models import CourseKind, NamedRole, Policy, TrainingRecord
from referrals.models import Referral
from retention.selectors import files_due
from schools.models import Boarding, HouseholdContact, Membership, Pupil, Role, School, User
from schools.pupil_import import upn_problem
from tests.factories import answer_criteria, record_concern, record_referral
from transfers.selectors import leavers

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
    Referral,
    UnnamedChild,
    AdviceGiven,
    PracticeFlag,
    GuidanceCard,
)
# The day the register's ages are counted on (the academic year the demo is drawn for).
TODAY = date(demo.ACADEMIC_YEAR, 12, 2)


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


def nc_year_of(pupil: Pupil) -> int:
    return 0 if pupil.year_group == "Reception" else int(pupil.year_group.removeprefix("Year "))


def school_concerns(spec: demo.SchoolSpec):
    return Concern.objects.filter(school__urn=spec.urn)


def larkmoor_concern(category: str) -> Concern:
    return school_concerns(demo.LARKMOOR).get(categories__slug=category)


def test_creates_a_primary_a_secondary_and_a_small_other_school(loaded):
    hollybrook = School.objects.get(urn=demo.HOLLYBROOK.urn)
    larkmoor = School.objects.get(urn=demo.LARKMOOR.urn)
    other = School.objects.get(urn=demo.OTHER.urn)
    assert hollybrook.name == "Hollybrook Primary School"
    assert larkmoor.name == "Larkmoor High School"
    assert {s.local_authority for s in (hollybrook, larkmoor, other)} == {"Demoshire"}
    assert hollybrook.phone.startswith("01632 960") and larkmoor.phone.startswith("01632 960")
    assert 280 <= Pupil.objects.filter(school=hollybrook).count() <= 320
    assert 60 <= Pupil.objects.filter(school=larkmoor).count() <= 120
    assert 15 <= Pupil.objects.filter(school=other).count() <= 25
    assert "Schools:             created    3, already present    0" in loaded


def test_every_pupil_is_plausible_and_has_a_creation_history_row(loaded):
    # On the register: the former pupil whose file is due for review is not (demo.retention).
    pupils = list(Pupil.objects.filter(is_on_roll=True))
    for pupil in pupils:
        assert upn_problem(pupil.upn) is None
        nc_year = nc_year_of(pupil)
        earliest, latest = demo.birth_range(nc_year)
        assert earliest <= pupil.date_of_birth <= latest, pupil
        assert pupil.class_name[:-1] == ("R" if nc_year == 0 else str(nc_year))
    assert any(p.boarding == Boarding.WEEKLY for p in pupils)
    assert any(p.sen_disability and p.sen_details for p in pupils)
    assert len({p.first_language for p in pupils}) > 5
    assert len({p.ethnicity for p in pupils}) > 5
    created = Pupil.history.filter(history_type="+", history_change_reason=demo.CHANGE_REASON)
    assert sorted(created.values_list("id", flat=True)) == sorted(
        Pupil.objects.values_list("pk", flat=True)
    )


def test_the_primary_has_reception_to_year_6_and_the_secondary_year_7_to_13(loaded):
    def year_groups(spec):
        return set(Pupil.objects.filter(school__urn=spec.urn).values_list("year_group", flat=True))

    assert year_groups(demo.HOLLYBROOK) == {"Reception", *(f"Year {n}" for n in range(1, 7))}
    assert year_groups(demo.LARKMOOR) == {f"Year {n}" for n in range(7, 14)}


def test_the_secondary_pupils_are_11_to_18_with_a_sixth_form_and_some_with_sen(loaded):
    pupils = list(Pupil.objects.filter(school__urn=demo.LARKMOOR.urn, is_on_roll=True))
    for pupil in pupils:
        # Aged at the start of the year what their year group is, plus four or five.
        assert pupil.age_on(TODAY) - nc_year_of(pupil) in (4, 5), pupil
    assert min(p.age_on(TODAY) for p in pupils) == 11
    assert max(p.age_on(TODAY) for p in pupils) == 18
    assert {p.class_name for p in pupils if nc_year_of(p) >= 12} == {"12S", "13S"}
    assert len({p.class_name for p in pupils}) == 5 * 2 + 2
    assert 3 <= sum(p.sen_disability for p in pupils) <= 25
    assert len({p.upn for p in pupils}) == len(pupils)
    # A day school: none of its pupils boards.
    assert {p.boarding for p in pupils} == {Boarding.DAY}


def test_every_pupil_has_one_or_two_fictional_household_contacts(loaded):
    per_pupil = {}
    for contact in HouseholdContact.objects.all():
        per_pupil.setdefault(contact.pupil_id, []).append(contact)
        assert contact.phone.startswith("07700 900")
        assert contact.email.endswith("@example.com")
    # A former pupil's contacts are no longer kept (demo.retention).
    on_roll = Pupil.objects.filter(is_on_roll=True)
    assert set(per_pupil) == set(on_roll.values_list("pk", flat=True))
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


def test_the_walkthrough_case_can_still_be_taken_to_option_3(loaded):
    """What the README asks a newcomer to do, through the services the pages call: the demo
    leaves the walkthrough pupils free, and the case closes under the referral rules."""
    staff = User.objects.get(email=demo.STAFF.email)
    dsl = User.objects.get(email=demo.DSL.email)
    amelia, bella, chloe = (
        Pupil.objects.get(school__urn=demo.HOLLYBROOK.urn, legal_last_name=last)
        for last in ("Hart", "Cole", "Dunn")
    )
    concern = record_concern(
        school=School.objects.get(urn=demo.HOLLYBROOK.urn),
        reporter=staff,
        pupils=[amelia, bella, chloe],
        categories=("sharing-nudes", "online-grooming"),
        adult_involved=YesNoUnknown.YES,
        other_children=YesNoUnknown.YES,
    )
    concern = services.concern_check_safety(
        concern=concern,
        by=dsl,
        version=concern.version,
        checks=[
            services.SafetyCheckInput(
                child=child, safe_now=True, spoken_to="No one: her mother told us."
            )
            for child in concern.children.all()
        ],
    )
    concern = services.concern_preserve_evidence(
        concern=concern,
        by=dsl,
        version=concern.version,
        advice_given_by="Dee Lead",
        advice_given_to="Her mother",
        advice_given_at=timezone.now(),
        no_evidence_reason="The tablet is at home, switched off.",
    )
    concern = answer_criteria(concern, dsl)
    # Online grooming: an adult sought the images, and grooming is coercion.
    assert [c.key for c in rules.criteria_met(concern)] == ["adult", "coercion"]
    for agency in (Agency.SOCIAL_CARE, Agency.POLICE):
        record_referral(concern, dsl, agency=agency)
    concern = services.concern_decide_referral(
        concern=concern,
        by=dsl,
        version=concern.version,
        decision=ReferralDecision.REFER,
        rationale="An adult obtained images from three girls under 13.",
        police_not_told_reason="",
        parents_informed=True,
        parents_not_informed_reason="",
    )
    for child in concern.children.all():
        services.support_action_add(
            concern=concern,
            by=dsl,
            child=child,
            action="Weekly pastoral check-in",
            owner="Class teacher",
            review_date=timezone.localdate() + timedelta(days=28),
        )
    concern = services.concern_plan_support(
        concern=concern, by=dsl, version=concern.version, no_follow_up_reason="Covered by PSHE."
    )
    concern = services.concern_close(
        concern=concern, by=dsl, version=concern.version, outcome_summary="Referred; supported."
    )

    assert concern.step == Step.CLOSED
    issued = school_concerns(demo.HOLLYBROOK).exclude(pk=concern.pk).count()
    assert concern.reference.endswith(f"-{issued + 1:04d}")


def test_demo_logins_work_with_the_printed_password(loaded, client):
    for account in demo.ACCOUNTS:
        assert client.login(username=account.email, password=demo.DEFAULT_PASSWORD), account
        membership = Membership.objects.select_related("school").get(user__email=account.email)
        assert (membership.role, membership.school.urn) == (account.role, account.school.urn)
        assert account.email in loaded
    assert f"Password for all of them: {demo.DEFAULT_PASSWORD}" in loaded


def test_both_phases_have_the_five_logins_and_the_command_prints_them_by_school(loaded):
    for spec, domain in ((demo.HOLLYBROOK, "demo.example"), (demo.LARKMOOR, "larkmoor.example")):
        roles = dict(
            Membership.objects.filter(school__urn=spec.urn).values_list("user__email", "role")
        )
        assert roles == {
            f"staff@{domain}": Role.STAFF,
            f"dsl@{domain}": Role.DSL,
            f"deputy@{domain}": Role.DEPUTY_DSL,
            f"governor@{domain}": Role.GOVERNOR,
            f"admin@{domain}": Role.SCHOOL_ADMIN,
        }
    logins = loaded.split("Demo logins", 1)[1]
    primary = logins.index("Hollybrook Primary School (primary, Reception to Year 6)")
    secondary = logins.index(
        "Larkmoor High School (secondary, Year 7 to Year 13, with a sixth form)"
    )
    assert primary < logins.index("dsl@demo.example") < secondary
    assert secondary < logins.index("dsl@larkmoor.example")
    assert re.search(r"governor@larkmoor\.example +Governor\n", logins)


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


def test_the_demo_code_is_the_one_the_app_shows_now_not_one_about_to_expire(time_machine):
    now = datetime(2026, 12, 2, 9, 0, 5, tzinfo=UTC)
    time_machine.move_to(now, tick=False)
    code = io.StringIO()

    call_command("demo_code", stdout=code)

    this_period = int(now.timestamp()) // 30
    assert code.getvalue().strip() == format_hotp_value(
        hotp_value(demo.DEMO_TOTP_SECRET, this_period)
    )


def test_an_existing_login_gets_the_demo_password_from_the_environment(loaded, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "another-long-demo-password")

    out = load_demo()

    for account in demo.ACCOUNTS:
        assert User.objects.get(email=account.email).check_password("another-long-demo-password")
    assert f"Accounts:            created    0, already present {len(demo.ACCOUNTS):>4}" in out
    assert "Password, role or access put back for: staff@demo.example, dsl@demo.example" in out
    assert "Password for all of them: another-long-demo-password" in out


def test_concerns_are_at_every_step_and_carry_their_history(loaded):
    concerns = list(school_concerns(demo.HOLLYBROOK))
    assert 8 <= len(concerns) <= 12
    steps = [concern.step for concern in concerns]
    assert set(steps) == set(Step.values)
    assert steps.count(Step.CLOSED) == 3
    urgent = [c for c in concerns if c.immediate_danger]
    assert len(urgent) == 1 and urgent[0].step == Step.RECORDED
    assert school_concerns(demo.OTHER).count() == 2

    now = timezone.now()
    for concern in Concern.objects.all():
        history = list(concern.history.order_by("history_date", "history_id"))
        assert history[0].history_change_reason == "Concern recorded"
        # One row for the recording, one for its categories, then at least one per step.
        assert len(history) >= concern.step
        assert history[-1].step == concern.step
        assert all(row.history_user_id for row in history)
        # Back-dated over the last three months, history included; the former pupil's from
        # when she was at school (demo.retention).
        assert history[0].history_date == concern.recorded_at
        assert concern.recorded_at < now - timedelta(minutes=15)
    on_roll = Concern.objects.exclude(children__pupil__is_on_roll=False)
    assert not on_roll.filter(recorded_at__lte=now - timedelta(days=100)).exists()


def test_no_time_stamped_by_the_services_during_the_load_is_left(loaded):
    # The demo's latest step is five minutes before the load; the load took seconds.
    since = timezone.now() - timedelta(minutes=3)
    stamped = {
        Concern: ["recorded_at", "closed_at", "criteria_assessed_at", "countersigned_at"],
        ConcernChild: ["added_at", "safety_checked_at"],
        UnnamedChild: ["added_at", "resolved_at"],
        EvidenceItem: ["added_at"],
        AdviceGiven: ["recorded_at"],
        PracticeFlag: ["raised_at"],
        SupportAction: ["added_at"],
        FollowUpAction: ["added_at"],
        Note: ["added_at"],
        Referral: ["recorded_at"],
    }
    for model, columns in stamped.items():
        for rows in (model.objects, model.history):
            for column in columns:
                assert not rows.filter(**{f"{column}__gt": since}), (model, column)
        assert not model.history.filter(history_date__gt=since), model
    # When each concern reached each step is kept on the concern (not in its history).
    for column in ("safety_checked_at", "evidence_preserved_at", "referral_decided_at"):
        assert not Concern.objects.filter(**{f"{column}__gt": since}), column
    assert not GuidanceCard.history.exclude(school=None).filter(history_date__gt=since)


@pytest.mark.parametrize(
    ("spec", "domain"), [(demo.HOLLYBROOK, "demo.example"), (demo.LARKMOOR, "larkmoor.example")]
)
def test_staff_reported_and_the_dsl_team_acted(loaded, spec, domain):
    concerns = school_concerns(spec).select_related("reporter", "decided_by")
    assert f"staff@{domain}" in {c.reporter.email for c in concerns}
    decided = [c for c in concerns if c.step >= Step.REFERRAL_DECIDED]
    assert decided
    assert {c.decided_by.email for c in decided} <= {f"dsl@{domain}", f"deputy@{domain}"}


def test_the_secondary_has_concerns_at_each_of_the_six_steps_across_the_range(loaded):
    concerns = school_concerns(demo.LARKMOOR).prefetch_related("categories")
    steps = {concern.step for concern in concerns}
    assert steps == set(Step.values)
    categories = {category.slug for concern in concerns for category in concern.categories.all()}
    assert {
        "sextortion",
        "sharing-nudes",
        "self-harm",
        "child-on-child",
        "radicalisation",
        "exploitation",
        "domestic-abuse",
        "neglect",
    } <= categories
    # One new concern nobody has picked up yet, for the queue.
    assert concerns.filter(step=Step.RECORDED, acknowledged_at=None).exists()


def test_every_demo_decision_stands_under_the_referral_rules(loaded):
    """What the services refuse, the demo never shows: each decision is one guidance allows,
    with its questions answered, its ground and, where needed, its countersignature."""
    concerns = Concern.objects.prefetch_related("categories", "referrals", "children")
    for concern in concerns:
        assert concern.other_children in YesNoUnknown.values, concern
        if concern.step >= Step.SAFETY_CHECKED:
            assert all(child.spoken_to for child in concern.children.all()), concern
        if not concern.referral_decision:
            continue
        agencies = {referral.agency for referral in concern.referrals.all()}
        assert rules.decision_problems(concern, list(agencies)) == [], concern
        if rules.asks_criteria(concern):
            assert concern.criteria_assessed_at is not None, concern
        if rules.criteria_met(concern):
            assert {Agency.SOCIAL_CARE, Agency.POLICE} <= agencies, concern
        if concern.referral_decision == ReferralDecision.NOT_REFER:
            assert concern.not_refer_ground in NotReferGround.values, concern
            assert concern.not_refer_advice, concern
        if concern.step >= Step.SUPPORT_PLANNED:
            assert not rules.awaiting_countersignature(concern), concern
        if concern.step == Step.CLOSED:
            assert services.open_items(concern) == [], concern


def test_the_sextortion_case_keeps_the_payment_and_advice_and_is_referred_to_both(loaded):
    concern = larkmoor_concern("sextortion")
    boy = concern.children.select_related("pupil").get(role=ChildRole.SUBJECT).pupil

    assert boy.gender == "M" and boy.age_on(concern.disclosed_at.date()) == 15
    assert concern.payment_made == YesNoUnknown.YES
    assert "bank transfer" in concern.payment_details
    advice = concern.advice_given.select_related("card").get()
    assert advice.card.key == "sextortion-family" and advice.card.school_id is None
    assert advice.given_by == demo.L_DSL.full_name
    assert concern.referral_decision == ReferralDecision.REFER
    assert set(concern.referrals.values_list("agency", flat=True)) == {
        Agency.SOCIAL_CARE,
        Agency.POLICE,
    }
    assert "Sextortion is blackmail by definition" in {
        criterion.source for criterion in rules.criteria_met(concern)
    }
    assert concern.step == Step.SUPPORT_PLANNED


def test_not_referring_on_the_threshold_ground_is_countersigned_by_the_deputy(loaded):
    concern = (
        school_concerns(demo.LARKMOOR)
        .select_related("decided_by", "countersigned_by")
        .get(not_refer_ground=NotReferGround.THRESHOLD)
    )

    assert concern.decided_by.email == demo.L_DSL.email
    assert concern.countersigned_by.email == demo.L_DEPUTY.email
    assert concern.countersign_reason and concern.countersigned_at > concern.disclosed_at
    assert "early help" in concern.not_refer_advice and concern.threshold_level
    assert concern.not_refer_review_date > timezone.localdate()
    assert rules.indicators(concern)  # why it needed the second signature
    assert concern.step == Step.SUPPORT_PLANNED


def test_one_decision_not_to_refer_waits_for_its_countersignature(loaded):
    waiting = [c for c in school_concerns(demo.LARKMOOR) if rules.awaiting_countersignature(c)]

    assert len(waiting) == 1
    assert waiting[0].step == Step.REFERRAL_DECIDED
    assert waiting[0].not_refer_ground == NotReferGround.ADVICE
    assert waiting[0].not_refer_contact and waiting[0].not_refer_contact_at


def test_a_child_not_yet_identified_is_described_and_left_open(loaded):
    unnamed = UnnamedChild.objects.select_related("concern").get(
        concern__school__urn=demo.LARKMOOR.urn, identified_as=None, passed_to=""
    )

    assert unnamed.description.startswith("A Year 9 boy from the bus stop")
    assert "name not known" in unnamed.description
    assert unnamed.concern.other_children == YesNoUnknown.YES
    assert any("not yet identified" in item for item in services.open_items(unnamed.concern))


def test_the_only_flagged_entry_is_the_note_about_other_parents_left_for_review(loaded):
    flag = PracticeFlag.objects.select_related("concern__school", "raised_by").get()

    assert flag.concern.school.urn == demo.LARKMOOR.urn
    assert flag.excerpt.startswith("I asked the other parents whether")
    assert flag.concern_text == "Other parents asked or told"
    assert flag.raised_by.email == demo.L_STAFF.email
    assert flag.reviewed_at is None


def test_the_domain_case_is_worked_through_to_option_3_with_the_advice_given(loaded):
    concern = school_concerns(demo.HOLLYBROOK).get(
        categories__slug="sharing-nudes", step=Step.CLOSED
    )
    children = list(concern.children.select_related("pupil"))
    subject = next(child.pupil for child in children if child.role == ChildRole.SUBJECT)

    assert subject.boarding == Boarding.WEEKLY
    assert subject.age_on(concern.disclosed_at.date()) == 9
    assert len(children) == 3  # the friend first described is named from the register
    assert concern.unnamed_children.get().identified_as_id in {child.pk for child in children}
    assert concern.parent_wishes and concern.evidence_advice_given_by
    assert set(concern.referrals.values_list("agency", flat=True)) == {
        Agency.SOCIAL_CARE,
        Agency.POLICE,
    }
    assert set(concern.advice_given.values_list("card__key", flat=True)) == {
        "sharing-nudes-family",
        "online-grooming-family",
    }
    assert services.advice_outstanding(concern) == []
    assert all(SupportAction.objects.filter(child=child).exists() for child in children)
    assert set(concern.follow_ups.values_list("kind", flat=True)) == {
        FollowUpKind.PUPIL_LESSONS,
        FollowUpKind.PARENT_SESSION,
        FollowUpKind.POLICY_REVIEW,
    }
    # The walkthrough pupils stay free for the newcomer to record the case about.
    assert not {child.pupil.legal_last_name for child in children} & {"Hart", "Cole", "Dunn"}


def test_each_school_has_registers_for_its_governors(loaded):
    for registers in oversight_demo.REGISTERS:
        school = School.objects.get(urn=registers.school.urn)
        assert TrainingRecord.objects.filter(school=school).count() == len(registers.training)
        assert Policy.objects.filter(school=school).count() == len(registers.policies)
        assert NamedRole.objects.filter(school=school).count() == len(registers.roles)
    larkmoor_dsl = TrainingRecord.objects.get(
        school__urn=demo.LARKMOOR.urn, person__email=demo.L_DSL.email, kind=CourseKind.DSL
    )
    assert larkmoor_dsl.completed_on > timezone.localdate() - timedelta(days=365 * 2)


def test_hollybrook_has_its_own_guidance_card_with_local_contacts(loaded):
    card = GuidanceCard.objects.get(school__urn=demo.HOLLYBROOK.urn)

    assert "MASH" in card.title
    assert re.findall(r"01632 960\d{3}", card.report_to)
    assert not card.categories.exists()  # shown on every concern of the school
    assert "Guidance cards:      created    1, already present    0" in loaded


def test_running_it_twice_changes_nothing(loaded):
    before = snapshot()

    again = load_demo()

    assert snapshot() == before
    pupils, concerns = Pupil.objects.filter(is_on_roll=True).count(), len(demo.stories())
    assert f"Pupils:              created    0, already present {pupils:>4}" in again
    assert f"Concerns:            created    0, already present {concerns:>4}" in again
    assert "Files to review:     created    0, already present    1" in again
    assert "put back" not in again


def test_running_it_again_tops_up_what_is_missing(loaded):
    HouseholdContact.objects.filter(priority=2).order_by("pk").first().delete()
    Membership.objects.filter(user__email="governor@demo.example").delete()
    Membership.objects.filter(user__email="dsl@demo.example").update(role=Role.STAFF)

    again = load_demo()

    assert "Household contacts:  created    1" in again
    present = len(demo.ACCOUNTS) - 1
    assert f"School memberships:  created    1, already present {present:>4}" in again
    assert "put back for: dsl@demo.example" in again
    assert Membership.objects.get(user__email="dsl@demo.example").role == Role.DSL
    assert Membership.objects.get(user__email="governor@demo.example").role == Role.GOVERNOR


def test_hollybrooks_year_6_leave_for_larkmoor_and_an_in_year_mover_is_overdue(loaded):
    hollybrook = School.objects.get(urn=demo.HOLLYBROOK.urn)
    larkmoor = School.objects.get(urn=demo.LARKMOOR.urn)
    year_6 = Pupil.objects.filter(school=hollybrook, year_group="Year 6")
    assert year_6.exists()
    assert not year_6.filter(leaving_date=None).exists()
    assert set(year_6.values_list("destination_school", flat=True)) == {larkmoor.pk}
    rows = leavers(hollybrook, today=timezone.localdate())
    # The leavers with a file: the Year 6 boy from the football game, and the in-year mover.
    assert any(row.pupil.year_group == "Year 6" for row in rows)
    [mover] = [row for row in rows if row.pupil.destination == demo_leavers.ELSEWHERE]
    assert mover.overdue and mover.status_label == "Not sent"
    # Recorded by the DSL, by hand, with a history row.
    assert mover.pupil.history.latest().history_change_reason == "Leaving date recorded"


def test_a_former_larkmoor_pupil_has_a_file_due_for_review(loaded):
    larkmoor = School.objects.get(urn=demo.LARKMOOR.urn)
    [file] = files_due(larkmoor, today=timezone.localdate())
    assert file.pupil.upn == demo_retention.FORMER_UPN
    assert not file.pupil.is_on_roll
    assert file.pupil.age_on(timezone.localdate()) == demo_retention.AGE
    assert (file.concerns, file.referrals, file.on_hold) == (1, 1, False)
    [concern] = Concern.objects.filter(children__pupil=file.pupil)
    assert concern.step == Step.CLOSED
    years_ago = (timezone.now() - concern.recorded_at).days // 365
    assert years_ago == demo_retention.CONCERN_YEARS_AGO
    # Hollybrook's children are all young: nothing is due there.
    assert not files_due(School.objects.get(urn=demo.HOLLYBROOK.urn), today=timezone.localdate())
