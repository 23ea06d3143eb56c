"""`manage.py generate_trust`: a synthetic trust for performance work, checked at a tiny size."""

import io
import re
from collections import Counter, defaultdict

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from concerns import rules, services
from concerns.models import (
    Agency,
    Concern,
    ConcernChild,
    NotReferGround,
    ReferenceCounter,
    ReferralDecision,
    Step,
    YesNoUnknown,
)
from demo.trust import STAFF_PER_SCHOOL, trust_urns
from referrals.models import Referral
from schools.models import Membership, Pupil, Role, School
from schools.policy import ALWAYS_SECOND_FACTOR
from tests.factories import record_concern, step_dates_from_history, step_dates_of

SIZE = {"schools": 2, "pupils": 60, "concerns": 300, "seed": 7}
# What the services write as the reason of a concern's history rows (and nothing else).
CONCERN_REASONS = re.compile(
    r"Concern recorded|Acknowledged|Assigned to .+|Safety check recorded|"
    r"Evidence step completed|Immediate-referral questions answered|"
    r"Referral decision recorded|Decision not to refer countersigned|Support planned|"
    r"Concern closed"
)


def generate(**options) -> str:
    out = io.StringIO()
    call_command("generate_trust", **{**SIZE, **options}, stdout=out)
    return out.getvalue()


def uuid_after(label: str, output: str) -> str:
    return re.search(rf"{label}: ([0-9a-f-]{{36}})", output).group(1)


@pytest.fixture
def output(db):
    return generate()


@pytest.fixture
def schools(output):
    return list(School.objects.filter(urn__in=trust_urns(SIZE["schools"])))


def dsl_of(school_id: int):
    return Membership.objects.select_related("user").get(school_id=school_id, role=Role.DSL).user


def test_creates_the_schools_pupils_concerns_and_logins_asked_for(schools):
    assert len(schools) == 2
    assert Pupil.objects.filter(school__in=schools).count() == 60
    assert Concern.objects.filter(school__in=schools).count() == 300
    for school in schools:
        roles = dict(
            Membership.objects.filter(school=school)
            .values("role")
            .annotate(n=Count("pk"))
            .values_list("role", "n")
        )
        assert roles == {
            Role.DSL: 1,
            Role.DEPUTY_DSL: 1,
            Role.GOVERNOR: 1,
            Role.SCHOOL_ADMIN: 1,
            Role.STAFF: STAFF_PER_SCHOOL,
        }
    needing = Membership.objects.filter(school__in=schools, role__in=ALWAYS_SECOND_FACTOR.roles)
    assert (
        Authenticator.objects.filter(
            user__memberships__in=needing, type=Authenticator.Type.TOTP
        ).count()
        == needing.count()
    )


def test_every_concern_has_a_child_and_the_history_the_services_leave(schools):
    concerns = Concern.objects.filter(school__in=schools)
    assert not concerns.filter(children__isnull=True).exists()
    created = dict(Concern.history.filter(history_type="+").values_list("id", "history_user_id"))
    assert created == dict(concerns.values_list("pk", "reporter_id"))
    children = ConcernChild.objects.filter(concern__in=concerns)
    assert set(ConcernChild.history.filter(history_type="+").values_list("id", flat=True)) == set(
        children.values_list("pk", flat=True)
    )

    # One change row for each step a concern went through, by a named user, with the reason
    # the service gives; the version counts the changes.
    steps, changes = defaultdict(set), defaultdict(int)
    for concern_id, step, kind, user_id, reason in Concern.history.values_list(
        "id", "step", "history_type", "history_user_id", "history_change_reason"
    ):
        assert user_id is not None
        assert CONCERN_REASONS.fullmatch(reason), reason
        steps[concern_id].add(step)
        changes[concern_id] += kind == "~"
    for concern_id, step, version in concerns.values_list("pk", "step", "version"):
        assert steps[concern_id] == set(range(Step.RECORDED, step + 1))
        assert version == 1 + changes[concern_id]


def test_each_concern_keeps_when_its_history_shows_it_reached_each_step(schools):
    concerns = list(Concern.objects.filter(school__in=schools).values_list("pk", flat=True))

    assert step_dates_of(concerns) == step_dates_from_history(concerns)


def test_steps_are_spread_and_closed_concerns_have_their_outcome(schools):
    concerns = Concern.objects.filter(school__in=schools)
    steps = Counter(concerns.values_list("step", flat=True))
    # At this size "Recorded" (or another step) can be missing, just by chance.
    assert len(steps) >= 3
    assert steps.most_common(1)[0][0] == Step.CLOSED
    for closed_at, outcome in concerns.filter(step=Step.CLOSED).values_list(
        "closed_at", "outcome_summary"
    ):
        assert closed_at is not None and outcome
    assert not concerns.filter(step__lt=Step.CLOSED, closed_at__isnull=False).exists()
    # Every child of a concern past "Recorded" has had its safety checked.
    assert not ConcernChild.objects.filter(
        concern__in=concerns.filter(step__gte=Step.SAFETY_CHECKED), safe_now=None
    ).exists()
    assert Referral.objects.filter(concern__in=concerns).exists()


def test_every_decision_is_one_the_referral_rules_allow(schools):
    """The trust is written without the services, so it is checked against what they hold
    every decision to: the immediate-referral questions answered before deciding, social care
    and the police where one is met, a ground for not referring and a second signature where
    there is an indicator of risk, and nothing open on a closed concern."""
    concerns = Concern.objects.filter(school__in=schools).prefetch_related(
        "categories", "referrals", "children"
    )
    decided = countersigned = met = 0
    for concern in concerns:
        assert concern.other_children in (YesNoUnknown.YES, YesNoUnknown.NO)
        assert (concern.other_children == YesNoUnknown.YES) == (concern.children.count() > 1)
        if concern.step >= Step.SAFETY_CHECKED:
            assert all(child.spoken_to for child in concern.children.all()), concern
        if concern.step >= Step.EVIDENCE_PRESERVED and rules.is_extortion(concern):
            assert concern.payment_made in YesNoUnknown.values, concern
        if not concern.referral_decision:
            continue
        decided += 1
        agencies = {referral.agency for referral in concern.referrals.all()}
        assert rules.decision_problems(concern, list(agencies)) == [], concern
        if rules.asks_criteria(concern):
            assert concern.criteria_assessed_at <= concern.referral_decided_at, concern
        if rules.criteria_met(concern):
            met += 1
            assert concern.referral_decision == ReferralDecision.REFER
            assert {Agency.SOCIAL_CARE, Agency.POLICE} <= agencies, concern
        if concern.referral_decision == ReferralDecision.NOT_REFER:
            assert concern.not_refer_ground in NotReferGround.values, concern
            if concern.not_refer_ground == NotReferGround.THRESHOLD:
                assert concern.threshold_level and concern.not_refer_advice, concern
                assert concern.not_refer_review_date > concern.referral_decided_at.date()
            else:
                assert concern.not_refer_contact and concern.not_refer_contact_at, concern
        if concern.countersigned_by_id:
            countersigned += 1
            assert concern.countersigned_by_id != concern.decided_by_id
        if concern.step >= Step.SUPPORT_PLANNED:
            assert not rules.awaiting_countersignature(concern), concern
        if concern.step == Step.CLOSED:
            assert services.open_items(concern) == [], concern
    # At this size each kind of decision is there (the seed is fixed).
    assert decided and met and countersigned


def test_references_run_from_one_per_school_and_year_in_recording_order(schools):
    for school in schools:
        numbers = defaultdict(list)
        for reference, recorded_at in (
            Concern.objects.filter(school=school)
            .order_by("recorded_at", "pk")
            .values_list("reference", "recorded_at")
        ):
            year, number = re.fullmatch(r"SG-(\d{4})-(\d{4})", reference).groups()
            assert int(year) == timezone.localtime(recorded_at).year
            numbers[int(year)].append(int(number))
        for year, issued in numbers.items():
            assert issued == list(range(1, len(issued) + 1))
            counter = ReferenceCounter.objects.get(school=school, year=year)
            assert counter.last_number == len(issued)


def test_a_concern_recorded_afterwards_gets_the_next_reference(schools):
    school = schools[0]
    year = timezone.localdate().year
    issued = Concern.objects.filter(school=school, reference__startswith=f"SG-{year}-").count()
    reporter = (
        Membership.objects.select_related("user").filter(school=school, role=Role.STAFF)[0].user
    )
    pupil = Pupil.objects.filter(school=school, is_on_roll=True)[0]

    concern = record_concern(school=school, reporter=reporter, pupils=[pupil])

    assert concern.reference == f"SG-{year}-{issued + 1:04d}"


def test_the_dsl_opens_the_queue_a_concern_and_the_busiest_childs_chronology(client, output):
    rich = Concern.objects.select_related("school").get(
        uuid=uuid_after("Concern with a rich history", output)
    )
    client.force_login(dsl_of(rich.school_id))

    queue = client.get(reverse("concerns:queue"))
    assert queue.status_code == 200
    open_concerns = Concern.objects.filter(school=rich.school).exclude(step=Step.CLOSED)
    assert dict(queue.context["step_counts"]) == {
        step: open_concerns.filter(step=step).count() for step in Step if step != Step.CLOSED
    }
    assert all(c.school_id == rich.school_id for c in queue.context["results"])

    page = client.get(reverse("concerns:detail", args=[rich.uuid]))
    assert page.status_code == 200
    assert rich.reference in page.text
    for child in ConcernChild.objects.filter(concern=rich).select_related("pupil"):
        assert child.pupil.full_name in page.text

    busiest = Pupil.objects.get(uuid=uuid_after("Pupil with the most concerns", output))
    references = set(
        Concern.objects.filter(children__pupil=busiest).values_list("reference", flat=True)
    )
    assert len(references) == max(
        Pupil.objects.filter(school__urn__in=trust_urns(SIZE["schools"]))
        .annotate(n=Count("concern_links"))
        .values_list("n", flat=True)
    )
    client.force_login(dsl_of(busiest.school_id))
    url = reverse("concerns:chronology", args=[busiest.uuid])
    whole = client.get(url, {"year": "all"})
    assert whole.status_code == 200
    events = whole.context["events"]
    assert {event.concern_reference for event in events} == references
    assert len(events) > len(references)  # each concern has more than its recording
    # A file this long opens at its latest year, with only that year's events.
    latest = client.get(url).context["page"]
    assert latest.year is not None and latest.year.concerns > 0
    assert latest.events and all(latest.year.span.holds(e.when) for e in latest.events)
    assert len(latest.events) < len(events)


def test_running_again_creates_nothing_and_says_why(output):
    counts = (School.objects.count(), Pupil.objects.count(), Concern.objects.count())

    with pytest.raises(CommandError, match="already exist"):
        generate()

    assert (School.objects.count(), Pupil.objects.count(), Concern.objects.count()) == counts
