"""The safeguarding workflow, driven through concerns.services as the views will drive it.

Each test follows the DOMAIN.md case where it can: a mother's account of her daughter
(Amelia) and two friends (Bella, Chloe) sending pictures to an adult met online.
"""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from concerns import services
from concerns.models import (
    ROLES_NEEDING_SUPPORT,
    STEP_REACHED_AT,
    Agency,
    Category,
    ChildRole,
    Concern,
    ConcernChild,
    EvidenceItem,
    FollowUpAction,
    FollowUpKind,
    Note,
    NotReferGround,
    ReferralDecision,
    Step,
    SupportAction,
    YesNoUnknown,
)
from referrals.models import Referral
from safeguard.errors import WorkflowError
from tests.factories import (
    PupilFactory,
    answer_criteria,
    category,
    record_concern,
    record_referral,
    step_dates_from_history,
    step_dates_of,
)

MINUTE = datetime.timedelta(minutes=1)
SUBJECT, AFFECTED = ChildRole.SUBJECT, ChildRole.AFFECTED


def refused(message: str):
    """The service refuses with exactly this message (it is shown to the user as it is)."""
    return pytest.raises(WorkflowError, match=f"^{re.escape(message)}$")


def history_of(concern: Concern) -> list[tuple[str, int, str]]:
    rows = concern.history.order_by("history_date", "history_id")
    return [(h.history_type, h.history_user_id, h.history_change_reason) for h in rows]


def fresh(concern: Concern) -> Concern:
    return Concern.objects.get(pk=concern.pk)


# Each step done properly, so that a test can bring a concern to the step it is about.


def check_safety(concern, *, by, reason=""):
    checks = [
        services.SafetyCheckInput(child=child, safe_now=True, notes="At home with her mother")
        for child in concern.children.all()
    ]
    return services.concern_check_safety(
        concern=concern, by=by, version=concern.version, checks=checks, reason=reason
    )


def describe_evidence(concern, *, by):
    return services.evidence_item_add(
        concern=concern,
        by=by,
        description="Naked pictures and a video sent to a 'special friend'",
        platform="A children's online game, then a chat room",
        usernames="sparkle_friend_11",
        location="Amelia's tablet, chat app",
        held_by="Mrs Sarah Example (mother)",
        device_custody="Tablet kept switched off by the mother",
    )


def preserve_evidence(concern, *, by, **overrides):
    fields = {
        "advice_given_by": "Dana Lead",
        "advice_given_to": "Mrs Sarah Example",
        "advice_given_at": timezone.now() - 30 * MINUTE,
        "no_evidence_reason": "",
    }
    fields.update(overrides)
    return services.concern_preserve_evidence(
        concern=concern, by=by, version=concern.version, **fields
    )


def refer_to(concern, *agencies, by):
    """Record a referral to each agency (social care and the police unless others are
    named), as the DSL does before completing the referral step."""
    for agency in agencies or (Agency.SOCIAL_CARE, Agency.POLICE):
        record_referral(concern, by, agency=agency)


def decide_referral(concern, *, by, **overrides):
    """Decide as the referral page does: the immediate-referral questions first (each "no";
    on the default concern a criterion is still met, since no one knows if an adult is
    involved), then the decision."""
    concern = fresh(concern)
    if concern.step >= Step.EVIDENCE_PRESERVED and concern.criteria_assessed_at is None:
        concern = answer_criteria(concern, by)
    fields = {
        "decision": ReferralDecision.REFER,
        "rationale": "",
        "police_not_told_reason": "",
        "parents_informed": True,
        "parents_not_informed_reason": "",
    }
    fields.update(overrides)
    return services.concern_decide_referral(
        concern=concern, by=by, version=concern.version, **fields
    )


def add_support(concern, child, *, by):
    return services.support_action_add(
        concern=concern,
        by=by,
        child=child,
        action="Weekly check-in with the pastoral lead; praised for telling",
        owner="Pastoral lead",
        review_date=timezone.localdate() + datetime.timedelta(days=14),
    )


def add_follow_up(concern, *, by):
    return services.follow_up_add(
        concern=concern,
        by=by,
        kind=FollowUpKind.PUPIL_LESSONS,
        description="Extra e-safety lessons for Years 3 to 6",
        owner="Computing lead",
        due_date=timezone.localdate() + datetime.timedelta(days=30),
    )


def plan_support(concern, *, by):
    for child in concern.children.all():
        if child.role in ROLES_NEEDING_SUPPORT:
            add_support(concern, child, by=by)
    add_follow_up(concern, by=by)
    return services.concern_plan_support(concern=concern, by=by, version=concern.version)


def close(concern, *, by):
    return services.concern_close(
        concern=concern,
        by=by,
        version=concern.version,
        outcome_summary="Referred to social care and police; support in place for all three.",
    )


def bring_to(step: Step, concern, *, by, **evidence) -> Concern:
    if step >= Step.SAFETY_CHECKED:
        concern = check_safety(concern, by=by)
    if step >= Step.EVIDENCE_PRESERVED:
        describe_evidence(concern, by=by)
        concern = preserve_evidence(concern, by=by, **evidence)
    if step >= Step.REFERRAL_DECIDED:
        refer_to(concern, by=by)
        concern = decide_referral(concern, by=by)
    if step >= Step.SUPPORT_PLANNED:
        concern = plan_support(concern, by=by)
    if step >= Step.CLOSED:
        concern = close(concern, by=by)
    return concern


def test_a_concern_keeps_when_it_reached_each_step_and_a_correction_does_not_move_it(
    school, staff, dsl, pupils
):
    with time_machine.travel(datetime.datetime(2026, 10, 1, 9, 0, tzinfo=datetime.UTC)) as clock:
        concern = record_concern(school=school, reporter=staff, pupils=pupils)
        assert step_dates_of([concern.pk])[concern.pk] == dict.fromkeys(STEP_REACHED_AT.values())
        for step in [Step.SAFETY_CHECKED, Step.EVIDENCE_PRESERVED, Step.REFERRAL_DECIDED]:
            clock.shift(datetime.timedelta(hours=5))
            concern = bring_to_next(step, concern, by=dsl)
        clock.shift(datetime.timedelta(days=2))
        concern = check_safety(concern, by=dsl, reason="Amelia's mother rang back")
        clock.shift(datetime.timedelta(days=1))
        concern = plan_support(concern, by=dsl)
        clock.shift(datetime.timedelta(days=30))
        concern = close(concern, by=dsl)

    dates = step_dates_of([concern.pk])[concern.pk]
    # The same moments as the history rows that show each step first, to the microsecond.
    assert dates == step_dates_from_history([concern.pk])[concern.pk]
    assert [dates[STEP_REACHED_AT[step]].strftime("%d %H:%M") for step in STEP_REACHED_AT] == [
        "01 14:00",
        "01 19:00",
        "02 00:00",
        "05 00:00",
    ]
    closing = Concern.history.filter(id=concern.pk).latest("history_date", "history_id")
    assert fresh(concern).closed_at == closing.history_date


def bring_to_next(step: Step, concern, *, by) -> Concern:
    if step == Step.SAFETY_CHECKED:
        return check_safety(concern, by=by)
    if step == Step.EVIDENCE_PRESERVED:
        describe_evidence(concern, by=by)
        return preserve_evidence(concern, by=by)
    refer_to(concern, by=by)
    return decide_referral(concern, by=by)


@pytest.fixture
def concern(school, staff, pupils):
    """Amelia is the subject; Bella and Chloe are affected. Sharing nudes, adult unknown."""
    return record_concern(school=school, reporter=staff, pupils=pupils)


# Recording a concern.


def test_references_count_up_per_school_and_year(school, other_school, staff, other_dsl, pupils):
    year = timezone.localdate().year
    first = record_concern(school=school, reporter=staff, pupils=pupils[:1])
    second = record_concern(school=school, reporter=staff, pupils=pupils[1:2])
    elsewhere = record_concern(
        school=other_school, reporter=other_dsl, pupils=[PupilFactory(school=other_school)]
    )

    assert first.reference == f"SG-{year}-0001"
    assert second.reference == f"SG-{year}-0002"
    assert elsewhere.reference == f"SG-{year}-0001"


def test_references_start_again_at_one_each_year(school, staff, pupils):
    def record_on(day):
        with time_machine.travel(day, tick=False):
            return record_concern(school=school, reporter=staff, pupils=pupils[:1]).reference

    assert record_on(datetime.datetime(2031, 12, 31, 12, tzinfo=datetime.UTC)) == "SG-2031-0001"
    assert record_on(datetime.datetime(2032, 1, 1, 12, tzinfo=datetime.UTC)) == "SG-2032-0001"
    assert record_on(datetime.datetime(2032, 1, 2, 12, tzinfo=datetime.UTC)) == "SG-2032-0002"


def test_recording_saves_the_account_children_roles_and_categories(school, staff, pupils):
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=pupils,
        roles=[SUBJECT, AFFECTED, ChildRole.WITNESS],
        categories=("sharing-nudes", "online-grooming"),
        adult_involved=YesNoUnknown.YES,
    )

    saved = Concern.objects.get(pk=concern.pk)
    assert saved.step == Step.RECORDED
    assert saved.reporter_id == staff.pk
    assert saved.account == "She said: 'I found the sites on her tablet on Saturday.'"
    assert saved.parent_wishes == "Does not want anyone else told."
    assert saved.adult_involved == YesNoUnknown.YES
    assert set(saved.categories.values_list("slug", flat=True)) == {
        "sharing-nudes",
        "online-grooming",
    }
    children = saved.children.select_related("pupil")
    assert [(child.pupil, child.role, child.added_by_id) for child in children] == [
        (pupils[0], SUBJECT, staff.pk),
        (pupils[1], AFFECTED, staff.pk),
        (pupils[2], ChildRole.WITNESS, staff.pk),
    ]
    assert not any(child.safety_checked for child in children)


def test_recording_leaves_one_history_row_per_row_written_by_the_reporter(concern, staff):
    assert history_of(concern) == [("+", staff.pk, "Concern recorded")]
    child_history = ConcernChild.history.filter(concern_id=concern.pk)
    assert [
        (h.history_type, h.history_user_id, h.history_change_reason) for h in child_history
    ] == [("+", staff.pk, "Child named when the concern was recorded")] * 3


def test_the_history_of_a_recorded_concern_holds_its_categories(concern):
    first_version = concern.history.earliest("history_date")
    assert [row.category_id for row in first_version.categories.all()] == [
        category("sharing-nudes").pk
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"disclosed_at": timezone.now() + datetime.timedelta(days=1)},
            "The time of the disclosure cannot be in the future.",
        ),
        ({"roles": [AFFECTED, AFFECTED]}, "Say which child the concern is about."),
        ({"account": "   "}, "Write down what was said, in the speaker's own words."),
        ({"categories": ()}, "Choose at least one category."),
    ],
    ids=["future-disclosure", "no-subject-child", "no-account", "no-category"],
)
def test_recording_refuses_an_incomplete_account(school, staff, pupils, change, message):
    with refused(message):
        record_concern(school=school, reporter=staff, pupils=pupils[:2], **change)
    assert not Concern.objects.exists()


def test_a_disclosure_is_never_dated_before_the_eldest_child_named_was_born(school, staff, pupils):
    bella = pupils[1]
    bella.date_of_birth = datetime.date(2015, 9, 1)
    bella.save(update_fields=["date_of_birth"])
    first_day = timezone.make_aware(datetime.datetime(1, 1, 1, 9, 30))

    with refused(
        "The disclosure cannot be dated before Bella Cole was born, on 01/09/2015: check the date."
    ):
        record_concern(school=school, reporter=staff, pupils=pupils, disclosed_at=first_day)
    assert not Concern.objects.exists()

    # After Bella's birth but before Amelia's: what happened to Bella may be disclosed.
    in_2016 = timezone.make_aware(datetime.datetime(2016, 6, 1, 9, 30))
    assert record_concern(school=school, reporter=staff, pupils=pupils, disclosed_at=in_2016)


def test_recording_refuses_a_pupil_of_another_school(school, other_school, staff, pupils):
    stranger = PupilFactory(school=other_school)
    with refused("Children must be pupils of this school."):
        record_concern(school=school, reporter=staff, pupils=[pupils[0], stranger])
    assert not Concern.objects.exists()


def test_recording_refuses_a_category_of_another_school(school, other_school, staff, pupils):
    theirs = Category.objects.create(school=other_school, name="Riverside only", slug="riverside")
    with refused("Choose categories from this school's list."):
        services.concern_record(
            school=school,
            reporter=staff,
            discloser_type="parent_carer",
            discloser_name="Mrs Sarah Example",
            discloser_relationship="Mother",
            disclosed_at=timezone.now() - MINUTE,
            location="Head's office",
            account="She said it happened at the weekend.",
            categories=[theirs],
            children=[services.ChildInput(pupil=pupils[0], role=SUBJECT)],
        )
    assert not Concern.objects.exists()


def test_recording_accepts_a_category_the_school_added(school, staff, pupils):
    ours = Category.objects.create(school=school, name="Attendance", slug="attendance")
    concern = services.concern_record(
        school=school,
        reporter=staff,
        discloser_type="child",
        discloser_name="",
        discloser_relationship="",
        disclosed_at=timezone.now() - MINUTE,
        location="Classroom 4B",
        account="I don't want to go home.",
        categories=[ours],
        children=[services.ChildInput(pupil=pupils[0], role=SUBJECT)],
    )
    assert list(concern.categories.values_list("slug", flat=True)) == ["attendance"]


def test_recording_refuses_the_same_child_twice(school, staff, pupils):
    with refused("Each child can be named only once."):
        record_concern(school=school, reporter=staff, pupils=[pupils[0], pupils[0]])
    assert not Concern.objects.exists()


def test_recording_refuses_a_concern_about_no_child(school, staff):
    with refused("Name at least one child."):
        services.concern_record(
            school=school,
            reporter=staff,
            discloser_type="staff_observation",
            discloser_name="",
            discloser_relationship="",
            disclosed_at=timezone.now() - MINUTE,
            location="Playground",
            account="Overheard talk of a 'grown-up game'.",
            categories=[category("sharing-nudes")],
            children=[],
        )


# Step 2: the safety check.


def test_safety_check_must_cover_every_child(concern, dsl):
    amelia = concern.children.get(role=SUBJECT)
    with refused("Record whether Bella Cole, Chloe Dunn is safe now."):
        services.concern_check_safety(
            concern=concern,
            by=dsl,
            version=concern.version,
            checks=[services.SafetyCheckInput(child=amelia, safe_now=True)],
        )
    assert fresh(concern).step == Step.RECORDED


def test_an_unsafe_child_needs_what_was_done_and_when(concern, dsl):
    children = list(concern.children.all())

    def check(action, action_at):
        unsafe = services.SafetyCheckInput(
            child=children[0], safe_now=False, action=action, action_at=action_at
        )
        safe = [services.SafetyCheckInput(child=child, safe_now=True) for child in children[1:]]
        return services.concern_check_safety(
            concern=concern, by=dsl, version=concern.version, checks=[unsafe, *safe]
        )

    with refused("Say what was done to keep Amelia Hart safe."):
        check("", timezone.now())
    with refused("Say when action was taken for Amelia Hart."):
        check("Called 999; police attended the boarding house", None)
    assert not ConcernChild.objects.filter(concern=concern, safe_now__isnull=False).exists()

    acted_at = timezone.now() - 5 * MINUTE
    check("Called 999; police attended the boarding house", acted_at)
    amelia = ConcernChild.objects.get(pk=children[0].pk)
    assert amelia.safe_now is False
    assert amelia.safety_action == "Called 999; police attended the boarding house"
    assert amelia.safety_action_at == acted_at


def test_safety_check_completes_the_step_and_records_who_checked(concern, staff, dsl):
    checked = check_safety(concern, by=dsl)

    assert checked.step == Step.SAFETY_CHECKED
    assert checked.version == concern.version + 1
    assert fresh(concern).step == Step.SAFETY_CHECKED
    for child in ConcernChild.objects.filter(concern=concern):
        assert child.safe_now is True
        assert child.safety_notes == "At home with her mother"
        assert child.safety_checked_by_id == dsl.pk
        assert child.safety_checked_at is not None
    assert history_of(concern)[-1] == ("~", dsl.pk, "Safety check recorded")
    latest = ConcernChild.history.filter(concern_id=concern.pk, history_type="~")
    assert {(h.history_user_id, h.history_change_reason) for h in latest} == {
        (dsl.pk, "Safety check recorded")
    }
    assert latest.count() == 3


def test_safety_check_refuses_a_child_of_another_concern(school, staff, dsl, pupils, concern):
    elsewhere = record_concern(school=school, reporter=staff, pupils=[PupilFactory(school=school)])
    stranger = elsewhere.children.get()
    checks = [
        services.SafetyCheckInput(child=child, safe_now=True)
        for child in [*concern.children.all(), stranger]
    ]
    with pytest.raises(WorkflowError):
        services.concern_check_safety(
            concern=concern, by=dsl, version=concern.version, checks=checks
        )
    assert ConcernChild.objects.get(pk=stranger.pk).safe_now is None


# Step 3: preserving evidence.


def test_evidence_cannot_be_described_before_the_safety_check(concern, dsl):
    with refused("Complete “Safety checked” first: steps cannot be skipped."):
        describe_evidence(concern, by=dsl)
    assert not EvidenceItem.objects.exists()


def test_evidence_step_needs_the_advice_not_to_delete_anything(concern, dsl):
    concern = check_safety(concern, by=dsl)
    describe_evidence(concern, by=dsl)
    message = "Say who gave the advice not to delete anything, and to whom."
    with refused(message):
        preserve_evidence(concern, by=dsl, advice_given_by=" ")
    with refused(message):
        preserve_evidence(concern, by=dsl, advice_given_to="")
    with refused("The time the advice was given cannot be in the future."):
        preserve_evidence(concern, by=dsl, advice_given_at=timezone.now() + MINUTE)
    assert fresh(concern).step == Step.SAFETY_CHECKED


def test_evidence_step_needs_evidence_or_the_reason_there_is_none(concern, dsl):
    concern = check_safety(concern, by=dsl)
    with refused("Describe the evidence, or explain why there is none to record."):
        preserve_evidence(concern, by=dsl)

    preserved = preserve_evidence(
        concern, by=dsl, no_evidence_reason="The mother had already reset the tablet."
    )
    assert preserved.step == Step.EVIDENCE_PRESERVED
    assert fresh(concern).no_evidence_reason == "The mother had already reset the tablet."


def test_described_evidence_completes_the_evidence_step(concern, dsl):
    concern = check_safety(concern, by=dsl)
    item = describe_evidence(concern, by=dsl)
    advised_at = timezone.now() - 30 * MINUTE
    preserved = preserve_evidence(concern, by=dsl, advice_given_at=advised_at)

    saved = fresh(preserved)
    assert saved.step == Step.EVIDENCE_PRESERVED
    assert (saved.evidence_advice_given_by, saved.evidence_advice_given_to) == (
        "Dana Lead",
        "Mrs Sarah Example",
    )
    assert saved.evidence_advice_given_at == advised_at
    assert EvidenceItem.objects.get().location == "Amelia's tablet, chat app"
    assert [(h.history_user_id, h.history_change_reason) for h in item.history.all()] == [
        (dsl.pk, "Evidence described")
    ]
    assert history_of(concern)[-1] == ("~", dsl.pk, "Evidence step completed")


def test_evidence_needs_a_description_a_location_and_who_holds_it(concern, dsl):
    concern = check_safety(concern, by=dsl)
    with refused("Describe the evidence, where it is and who holds it."):
        services.evidence_item_add(
            concern=concern, by=dsl, description="Messages", location="", held_by="Mother"
        )


# Step 4: the referral decision.


def test_parent_wishes_do_not_block_referral(school, staff, dsl, pupils):
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=pupils,
        parent_wishes="Tell no one. Delete the pictures and I will deal with it at home.",
    )
    concern = bring_to(Step.EVIDENCE_PRESERVED, concern, by=dsl)
    refer_to(concern, Agency.SOCIAL_CARE, Agency.POLICE, by=dsl)

    referred = decide_referral(concern, by=dsl)

    saved = fresh(referred)
    assert saved.step == Step.REFERRAL_DECIDED
    assert saved.referral_decision == ReferralDecision.REFER
    assert saved.referral_agencies == [Agency.SOCIAL_CARE, Agency.POLICE]
    assert saved.decided_by_id == dsl.pk
    # The wishes stay on the record, unchanged, next to the decision that overrode them.
    assert (
        saved.parent_wishes == "Tell no one. Delete the pictures and I will deal with it at home."
    )


RECORD_REFERRALS_FIRST = "Record the referral to each agency before completing this step."


def test_referring_needs_a_recorded_referral(concern, dsl):
    concern = answer_criteria(bring_to(Step.EVIDENCE_PRESERVED, concern, by=dsl), dsl)
    with refused(RECORD_REFERRALS_FIRST):
        decide_referral(concern, by=dsl)
    saved = fresh(concern)
    assert (saved.step, saved.version) == (Step.EVIDENCE_PRESERVED, concern.version)


def test_a_referral_recorded_for_another_concern_does_not_count(school, staff, dsl, concern):
    other = record_concern(school=school, reporter=staff, pupils=[PupilFactory(school=school)])
    record_referral(other, dsl)
    concern = bring_to(Step.EVIDENCE_PRESERVED, concern, by=dsl)
    with refused(RECORD_REFERRALS_FIRST):
        decide_referral(concern, by=dsl)


def test_the_decision_takes_its_agencies_time_and_referrer_from_the_recorded_referrals(
    concern, dsl, deputy
):
    concern = bring_to(Step.EVIDENCE_PRESERVED, concern, by=dsl)
    now = timezone.now()
    # Recorded out of order: CEOP last but made first, by the deputy.
    record_referral(concern, dsl, agency=Agency.POLICE, made_at=now - 20 * MINUTE)
    record_referral(concern, dsl, agency=Agency.SOCIAL_CARE, made_at=now - 10 * MINUTE)
    record_referral(concern, deputy, agency=Agency.CEOP, made_at=now - 30 * MINUTE)

    decide_referral(concern, by=dsl)

    saved = fresh(concern)
    assert saved.referral_agencies == [Agency.SOCIAL_CARE, Agency.POLICE, Agency.CEOP]
    assert saved.referral_made_at == now - 30 * MINUTE
    assert saved.referral_made_by == "Dev Deputy"


def test_two_referrals_to_one_agency_name_it_once(concern, dsl):
    concern = bring_to(Step.EVIDENCE_PRESERVED, concern, by=dsl)
    refer_to(concern, Agency.SOCIAL_CARE, Agency.POLICE, Agency.SOCIAL_CARE, by=dsl)
    decide_referral(concern, by=dsl)
    assert fresh(concern).referral_agencies == [Agency.SOCIAL_CARE, Agency.POLICE]


def test_not_referring_needs_a_written_rationale(school, staff, dsl, pupils):
    concern = record_concern(
        school=school, reporter=staff, pupils=pupils[:1], categories=("physical",)
    )
    concern = bring_to(Step.EVIDENCE_PRESERVED, concern, by=dsl)
    not_refer = {"decision": ReferralDecision.NOT_REFER, "not_referring": THRESHOLD_NOT_MET}

    with refused("Explain why the concern is not being referred."):
        decide_referral(concern, by=dsl, **not_refer, rationale=" ")

    decided = decide_referral(
        concern, by=dsl, **not_refer, rationale="Bruise explained by a PE injury, seen by staff."
    )
    saved = fresh(decided)
    assert saved.step == Step.REFERRAL_DECIDED
    assert saved.referral_decision == ReferralDecision.NOT_REFER
    assert saved.referral_rationale == "Bruise explained by a PE injury, seen by staff."
    assert saved.referral_agencies == []
    assert (saved.referral_made_at, saved.referral_made_by) == (None, "")


def test_a_decision_must_be_refer_or_not_refer(concern, dsl):
    concern = bring_to(Step.EVIDENCE_PRESERVED, concern, by=dsl)
    with refused("Choose whether to refer."):
        decide_referral(concern, by=dsl, decision="")


THRESHOLD_NOT_MET = services.NotReferring(
    ground=NotReferGround.THRESHOLD,
    threshold_level="Level 2: early help",
    advice="Early help assessment offered; weekly check-ins with the pastoral lead.",
    review_date=datetime.date(2099, 1, 1),
)


def criterion_met(*met: str, missing: str = "Police") -> str:
    return (
        "An immediate-referral criterion is met ("
        + "; ".join(met)
        + "), so this concern must be referred at once to children's social care and to the "
        f"police: record the referral to {missing}."
    )


@pytest.mark.parametrize(
    ("categories", "adult_involved", "met"),
    [
        # The category answers for the adult and for coercion, whatever the record says.
        (
            ("online-grooming",),
            YesNoUnknown.NO,
            "is an adult involved: yes; is there reason to believe a child has been coerced, "
            "blackmailed or groomed, or is there concern about their capacity to consent (for "
            "example, special educational needs): yes",
        ),
        (
            ("sextortion",),
            YesNoUnknown.NO,
            "is an adult involved: yes; is there reason to believe a child has been coerced, "
            "blackmailed or groomed, or is there concern about their capacity to consent (for "
            "example, special educational needs): yes",
        ),
        (("sharing-nudes",), YesNoUnknown.YES, "is an adult involved: yes"),
    ],
    ids=["grooming", "sextortion", "nudes-with-an-adult"],
)
def test_a_criterion_met_needs_social_care_and_the_police(
    school, staff, dsl, pupils, categories, adult_involved, met
):
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=pupils[:1],
        categories=categories,
        adult_involved=adult_involved,
    )
    concern = bring_to(Step.EVIDENCE_PRESERVED, concern, by=dsl, payment_made="no")
    refer_to(concern, Agency.SOCIAL_CARE, by=dsl)
    with refused(criterion_met(met)):
        decide_referral(concern, by=dsl)
    # No reason stands in for the police where a criterion is met.
    with refused(criterion_met(met)):
        decide_referral(concern, by=dsl, police_not_told_reason="Social care will tell them.")
    with refused(criterion_met(met)):
        decide_referral(
            concern,
            by=dsl,
            decision=ReferralDecision.NOT_REFER,
            rationale="Handled in school.",
            not_referring=THRESHOLD_NOT_MET,
        )
    assert fresh(concern).step == Step.EVIDENCE_PRESERVED

    # A recorded police referral satisfies the rule; no reason is asked for.
    refer_to(concern, Agency.POLICE, by=dsl)
    referred = decide_referral(concern, by=dsl)
    assert referred.step == Step.REFERRAL_DECIDED
    assert fresh(referred).referral_agencies == [Agency.SOCIAL_CARE, Agency.POLICE]
    assert fresh(referred).police_not_told_reason == ""


def grooming_with_no_adult_known(school, staff, dsl, pupils):
    """Grooming where the record says no adult is involved: the category still says one
    sought contact, and that grooming is coercion."""
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=pupils[:1],
        categories=("online-grooming",),
        adult_involved=YesNoUnknown.NO,
    )
    concern = bring_to(Step.EVIDENCE_PRESERVED, concern, by=dsl)
    refer_to(concern, Agency.SOCIAL_CARE, by=dsl)
    return concern


@pytest.mark.parametrize(
    "reason",
    [
        "",
        "Social care are making a joint referral to the police today.",
        "The mother does not want the police involved.",
    ],
)
def test_grooming_is_referred_to_the_police_whatever_the_record_says_of_the_adult(
    school, staff, dsl, pupils, reason
):
    """No reason stands in for the school's own referral to the police (UKCIS: an adult
    involved is an immediate-referral criterion)."""
    concern = grooming_with_no_adult_known(school, staff, dsl, pupils)
    met = "An immediate-referral criterion is met (is an adult involved: yes; is there reason"
    with pytest.raises(WorkflowError, match=f"^{re.escape(met)}"):
        decide_referral(concern, by=dsl, police_not_told_reason=reason)
    assert fresh(concern).step == Step.EVIDENCE_PRESERVED


def test_nudes_shared_between_children_alone_need_no_police(school, staff, dsl, pupils):
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=pupils,
        categories=("sharing-nudes",),
        adult_involved=YesNoUnknown.NO,
    )
    concern = bring_to(Step.EVIDENCE_PRESERVED, concern, by=dsl)
    refer_to(concern, Agency.SOCIAL_CARE, by=dsl)
    decided = decide_referral(
        concern,
        by=dsl,
        police_not_told_reason="Should not be kept when the police rule does not apply",
    )
    saved = fresh(decided)
    assert saved.step == Step.REFERRAL_DECIDED
    assert saved.police_not_told_reason == ""


def test_parents_not_informed_needs_a_reason(concern, dsl):
    concern = bring_to(Step.EVIDENCE_PRESERVED, concern, by=dsl)
    refer_to(concern, by=dsl)
    with refused("Explain why the parents or carers have not been told."):
        decide_referral(concern, by=dsl, parents_informed=False)

    decided = decide_referral(
        concern,
        by=dsl,
        parents_informed=False,
        parents_not_informed_reason="Police asked us not to tell Bella's parents yet.",
    )
    saved = fresh(decided)
    assert saved.parents_informed is False
    assert saved.parents_not_informed_reason == "Police asked us not to tell Bella's parents yet."


# Step 5: support, for each child, and school-wide.


def test_support_cannot_be_planned_before_the_referral_decision(concern, dsl):
    concern = bring_to(Step.EVIDENCE_PRESERVED, concern, by=dsl)
    with refused("Complete “Referral decided” first: steps cannot be skipped."):
        add_support(concern, concern.children.get(role=SUBJECT), by=dsl)
    with refused("Complete “Referral decided” first: steps cannot be skipped."):
        add_follow_up(concern, by=dsl)
    assert not SupportAction.objects.exists()
    assert not FollowUpAction.objects.exists()


def test_every_subject_and_affected_child_needs_a_support_action(school, staff, dsl, pupils):
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=pupils,
        roles=[SUBJECT, AFFECTED, ChildRole.WITNESS],
    )
    concern = bring_to(Step.REFERRAL_DECIDED, concern, by=dsl)
    amelia, bella, _chloe_a_witness = concern.children.all()
    add_follow_up(concern, by=dsl)
    add_support(concern, amelia, by=dsl)

    with refused("Plan support for Bella Cole."):
        services.concern_plan_support(concern=concern, by=dsl, version=concern.version)

    add_support(concern, bella, by=dsl)
    planned = services.concern_plan_support(concern=concern, by=dsl, version=concern.version)
    assert planned.step == Step.SUPPORT_PLANNED


def test_support_step_needs_school_wide_follow_up_or_the_reason_for_none(concern, dsl):
    concern = bring_to(Step.REFERRAL_DECIDED, concern, by=dsl)
    for child in concern.children.all():
        add_support(concern, child, by=dsl)

    with refused("Plan school-wide follow-up, or explain why none is needed."):
        services.concern_plan_support(concern=concern, by=dsl, version=concern.version)

    planned = services.concern_plan_support(
        concern=concern,
        by=dsl,
        version=concern.version,
        no_follow_up_reason="E-safety lessons already run this term.",
    )
    assert fresh(planned).no_follow_up_reason == "E-safety lessons already run this term."
    assert planned.step == Step.SUPPORT_PLANNED


def test_support_can_only_be_planned_for_a_child_of_this_concern(school, staff, dsl, concern):
    concern = bring_to(Step.REFERRAL_DECIDED, concern, by=dsl)
    elsewhere = record_concern(school=school, reporter=staff, pupils=[PupilFactory(school=school)])
    with refused("That child is not named in this concern."):
        add_support(concern, elsewhere.children.get(), by=dsl)


def test_follow_up_needs_a_known_kind(concern, dsl):
    concern = bring_to(Step.REFERRAL_DECIDED, concern, by=dsl)
    with refused("Choose the kind of follow-up."):
        services.follow_up_add(
            concern=concern,
            by=dsl,
            kind="assembly",
            description="Assembly on online friends",
            owner="Head",
            due_date=timezone.localdate(),
        )


# Step 6: closing.


def test_a_concern_closes_only_once_support_is_planned(concern, dsl):
    concern = bring_to(Step.REFERRAL_DECIDED, concern, by=dsl)
    with pytest.raises(WorkflowError, match=r"^Complete “Support planned” first"):
        close(concern, by=dsl)
    assert fresh(concern).step == Step.REFERRAL_DECIDED


def test_closing_needs_an_outcome(concern, dsl):
    concern = bring_to(Step.SUPPORT_PLANNED, concern, by=dsl)
    with refused("Summarise the outcome."):
        services.concern_close(
            concern=concern, by=dsl, version=concern.version, outcome_summary="  "
        )

    closed = close(concern, by=dsl)
    saved = fresh(closed)
    assert saved.step == Step.CLOSED
    assert saved.closed_at is not None
    assert saved.outcome_summary.startswith("Referred to social care and police")
    assert history_of(concern)[-1] == ("~", dsl.pk, "Concern closed")


# Order, corrections, stale edits.


@pytest.mark.parametrize(
    ("done", "attempt", "waiting_for"),
    [
        (Step.RECORDED, lambda c, by: preserve_evidence(c, by=by), "Safety checked"),
        (Step.RECORDED, lambda c, by: decide_referral(c, by=by), "Safety checked"),
        (Step.SAFETY_CHECKED, lambda c, by: decide_referral(c, by=by), "Evidence preserved"),
        (
            Step.EVIDENCE_PRESERVED,
            lambda c, by: services.concern_plan_support(concern=c, by=by, version=c.version),
            "Referral decided",
        ),
        (Step.RECORDED, lambda c, by: close(c, by=by), "Safety checked"),
    ],
    ids=["evidence-first", "referral-first", "referral-before-evidence", "support", "close"],
)
def test_a_step_cannot_be_skipped(concern, dsl, done, attempt, waiting_for):
    concern = bring_to(done, concern, by=dsl)
    with pytest.raises(WorkflowError, match=f"^Complete “{waiting_for}” first"):
        attempt(concern, dsl)
    saved = fresh(concern)
    assert (saved.step, saved.version) == (done, concern.version)


def test_a_completed_step_edited_again_is_a_correction_with_a_reason(concern, dsl, deputy):
    concern = bring_to(Step.EVIDENCE_PRESERVED, concern, by=dsl)
    amelia, *others = concern.children.all()
    checks = [
        services.SafetyCheckInput(
            child=amelia,
            safe_now=False,
            action="Police called to the boarding house",
            action_at=timezone.now() - MINUTE,
        ),
        *(services.SafetyCheckInput(child=child, safe_now=True) for child in others),
    ]

    def correct(reason):
        return services.concern_check_safety(
            concern=concern, by=deputy, version=concern.version, checks=checks, reason=reason
        )

    with refused("Give the reason for this correction."):
        correct("  ")

    corrected = correct("Amelia was still in contact with the man on Monday night.")

    assert corrected.step == Step.EVIDENCE_PRESERVED
    assert ConcernChild.objects.get(pk=amelia.pk).safe_now is False
    reason = "Corrected: Amelia was still in contact with the man on Monday night."
    assert history_of(concern)[-1] == ("~", deputy.pk, reason)
    assert ConcernChild.history.filter(id=amelia.pk).latest(
        "history_date"
    ).history_change_reason == (reason)


def test_correcting_the_referral_decision_keeps_the_later_steps(concern, dsl):
    concern = bring_to(Step.SUPPORT_PLANNED, concern, by=dsl)
    refer_to(concern, Agency.CEOP, by=dsl)
    corrected = decide_referral(concern, by=dsl, reason="A CEOP report was also made.")
    saved = fresh(corrected)
    assert saved.step == Step.SUPPORT_PLANNED
    assert saved.referral_agencies == [Agency.SOCIAL_CARE, Agency.POLICE, Agency.CEOP]
    assert history_of(concern)[-1][2] == "Corrected: A CEOP report was also made."


def test_a_stale_edit_is_refused_and_changes_nothing(concern, dsl, deputy):
    concern = check_safety(concern, by=dsl)
    describe_evidence(concern, by=dsl)
    shown_to_dsl = concern.version
    preserve_evidence(concern, by=deputy)  # the deputy saves first
    history_before = history_of(concern)

    with pytest.raises(services.StaleEdit, match="Someone else changed this concern"):
        services.concern_preserve_evidence(
            concern=concern,
            by=dsl,
            version=shown_to_dsl,
            advice_given_by="Dana Lead",
            advice_given_to="Mr Example",
            advice_given_at=timezone.now(),
        )

    saved = fresh(concern)
    assert saved.version == shown_to_dsl + 1
    assert saved.evidence_advice_given_to == "Mrs Sarah Example"
    assert history_of(concern) == history_before


def test_a_stale_version_is_refused_by_every_step(concern, dsl):
    with pytest.raises(services.StaleEdit):
        services.concern_check_safety(
            concern=concern,
            by=dsl,
            version=concern.version + 1,
            checks=[
                services.SafetyCheckInput(child=child, safe_now=True)
                for child in concern.children.all()
            ],
        )
    assert fresh(concern).step == Step.RECORDED
    assert not ConcernChild.objects.filter(safe_now__isnull=False).exists()


# Children named later.


def test_a_child_added_before_the_safety_check_is_checked_with_the_others(school, concern, dsl):
    dan = PupilFactory(school=school, legal_first_name="Dan", legal_last_name="Ebb")
    services.concern_add_child(concern=concern, by=dsl, pupil=dan, role=AFFECTED)
    concern = fresh(concern)

    first_three = [
        services.SafetyCheckInput(child=child, safe_now=True)
        for child in concern.children.exclude(pupil=dan)
    ]
    with refused("Record whether Dan Ebb is safe now."):
        services.concern_check_safety(
            concern=concern, by=dsl, version=concern.version, checks=first_three
        )


def test_a_child_added_after_the_safety_check_needs_their_own_check(school, concern, dsl):
    concern = check_safety(concern, by=dsl)
    dan = PupilFactory(school=school, legal_first_name="Dan", legal_last_name="Ebb")

    with refused("Record whether this child is safe now."):
        services.concern_add_child(concern=concern, by=dsl, pupil=dan, role=AFFECTED)
    with refused("Say what was done to keep Dan Ebb safe."):
        services.concern_add_child(
            concern=concern,
            by=dsl,
            pupil=dan,
            role=AFFECTED,
            safety=services.SafetyCheckInput(child=None, safe_now=False),
        )
    assert not ConcernChild.objects.filter(pupil=dan).exists()

    child = services.concern_add_child(
        concern=concern,
        by=dsl,
        pupil=dan,
        role=AFFECTED,
        safety=services.SafetyCheckInput(child=None, safe_now=True, notes="In school, seen by DSL"),
    )

    saved = ConcernChild.objects.get(pk=child.pk)
    assert (saved.safe_now, saved.safety_checked_by_id) == (True, dsl.pk)
    assert fresh(concern).version == concern.version + 1
    assert history_of(concern)[-1] == ("~", dsl.pk, "Child added (another child affected)")
    assert [(h.history_user_id, h.history_change_reason) for h in saved.history.all()] == [
        (dsl.pk, "Child added by the safeguarding team")
    ]


def test_a_child_added_after_support_is_planned_needs_support_before_closing(school, concern, dsl):
    concern = bring_to(Step.SUPPORT_PLANNED, concern, by=dsl)
    dan = PupilFactory(school=school, legal_first_name="Dan", legal_last_name="Ebb")
    child = services.concern_add_child(
        concern=concern,
        by=dsl,
        pupil=dan,
        role=AFFECTED,
        safety=services.SafetyCheckInput(child=None, safe_now=True),
    )
    concern = fresh(concern)

    with refused("Plan support for Dan Ebb."):
        close(concern, by=dsl)

    add_support(concern, child, by=dsl)
    assert close(concern, by=dsl).step == Step.CLOSED


def test_a_child_cannot_be_named_twice_or_from_another_school(other_school, concern, dsl, pupils):
    with refused("Amelia Hart is already named in this concern."):
        services.concern_add_child(concern=concern, by=dsl, pupil=pupils[0], role=AFFECTED)
    with refused("Children must be pupils of this school."):
        services.concern_add_child(
            concern=concern, by=dsl, pupil=PupilFactory(school=other_school), role=AFFECTED
        )


# Closed concerns and notes.

CLOSED = "This concern is closed. Add a note to it instead."


@pytest.mark.parametrize(
    "change",
    [
        lambda c, by: check_safety(c, by=by, reason="Late correction"),
        lambda c, by: describe_evidence(c, by=by),
        lambda c, by: preserve_evidence(c, by=by, reason="Late correction"),
        lambda c, by: decide_referral(c, by=by, reason="Late correction"),
        lambda c, by: add_support(c, c.children.first(), by=by),
        lambda c, by: add_follow_up(c, by=by),
        lambda c, by: services.concern_plan_support(
            concern=c, by=by, version=c.version, reason="Late correction"
        ),
        lambda c, by: services.concern_add_child(
            concern=c,
            by=by,
            pupil=PupilFactory(school=c.school),
            role=AFFECTED,
            safety=services.SafetyCheckInput(child=None, safe_now=True),
        ),
    ],
    ids=[
        "safety",
        "evidence-item",
        "evidence-step",
        "referral",
        "support",
        "follow-up",
        "support-step",
        "add-child",
    ],
)
def test_a_closed_concern_refuses_changes(concern, dsl, change):
    concern = bring_to(Step.CLOSED, concern, by=dsl)
    history_before = history_of(concern)
    with refused(CLOSED):
        change(concern, dsl)
    assert history_of(concern) == history_before


def test_a_closed_concern_cannot_be_closed_again(concern, dsl):
    concern = bring_to(Step.CLOSED, concern, by=dsl)
    with refused("This concern is already closed."):
        close(concern, by=dsl)


def test_notes_can_be_added_by_anyone_at_any_step(concern, staff, dsl):
    from_reporter = services.concern_add_note(
        concern=concern, author=staff, text="Amelia's mother rang again at 4pm."
    )
    concern = bring_to(Step.CLOSED, concern, by=dsl)
    after_closing = services.concern_add_note(
        concern=concern, author=dsl, text="Social care confirmed the case is closed."
    )

    notes = Note.objects.filter(concern=concern)
    assert [(note.author_id, note.text) for note in notes] == [
        (staff.pk, "Amelia's mother rang again at 4pm."),
        (dsl.pk, "Social care confirmed the case is closed."),
    ]
    for note, author in [(from_reporter, staff), (after_closing, dsl)]:
        assert [(h.history_user_id, h.history_change_reason) for h in note.history.all()] == [
            (author.pk, "Information added")
        ]


def test_an_empty_note_is_refused(concern, staff):
    with refused("Write the information you want to add."):
        services.concern_add_note(concern=concern, author=staff, text=" \n ")


# Correcting the recorded account.


def correct_record(concern, *, by, **overrides):
    fields = {
        "discloser_type": concern.discloser_type,
        "discloser_name": concern.discloser_name,
        "discloser_relationship": concern.discloser_relationship,
        "disclosed_at": concern.disclosed_at,
        "location": concern.location,
        "account": concern.account,
        "categories": [category("sharing-nudes")],
        "adult_involved": concern.adult_involved,
        "parent_wishes": concern.parent_wishes,
        "immediate_danger": concern.immediate_danger,
        "reason": "The mother rang to correct the day.",
    }
    fields.update(overrides)
    return services.concern_correct_record(
        concern=concern, by=by, version=concern.version, **fields
    )


def test_correcting_the_account_keeps_the_original_in_the_history(concern, staff, dsl):
    original = concern.account
    corrected = correct_record(
        concern, by=dsl, account="She said: 'I found the sites on her tablet on Sunday.'"
    )

    assert fresh(corrected).account == "She said: 'I found the sites on her tablet on Sunday.'"
    assert corrected.step == Step.RECORDED
    first, *_, last = concern.history.order_by("history_date", "history_id")
    assert (first.account, first.history_user_id) == (original, staff.pk)
    assert (last.history_user_id, last.history_change_reason) == (
        dsl.pk,
        "Corrected: The mother rang to correct the day.",
    )


def test_correcting_the_account_needs_a_reason(concern, dsl):
    with refused("Give the reason for this correction."):
        correct_record(concern, by=dsl, reason="")


def test_a_correction_cannot_empty_the_account(concern, dsl):
    with refused("Write down what was said, in the speaker's own words."):
        correct_record(concern, by=dsl, account="  ")
    assert fresh(concern).account == concern.account


def test_a_correction_cannot_date_the_disclosure_before_the_children_were_born(concern, dsl):
    recorded = concern.disclosed_at

    with refused(
        "The disclosure cannot be dated before Amelia Hart was born, on 14/03/2017: check the date."
    ):
        correct_record(
            concern, by=dsl, disclosed_at=timezone.make_aware(datetime.datetime(1, 1, 1, 9, 30))
        )
    assert fresh(concern).disclosed_at == recorded


def test_a_correction_cannot_use_a_category_of_another_school(other_school, concern, dsl):
    theirs = Category.objects.create(school=other_school, name="Riverside only", slug="riverside")
    with refused("Choose categories from this school's list."):
        correct_record(concern, by=dsl, categories=[theirs])
    assert list(fresh(concern).categories.values_list("slug", flat=True)) == ["sharing-nudes"]


# The whole case, and its history.


def test_the_whole_case_leaves_a_history_of_who_did_what_and_why(concern, staff, dsl, deputy):
    services.concern_add_note(concern=concern, author=staff, text="Mother rang again.")
    concern = check_safety(concern, by=dsl)
    describe_evidence(concern, by=deputy)
    concern = preserve_evidence(concern, by=deputy)
    refer_to(concern, by=dsl)
    concern = decide_referral(concern, by=dsl)
    concern = decide_referral(concern, by=dsl, reason="Referral time was wrong.")
    concern = plan_support(concern, by=deputy)
    concern = close(concern, by=dsl)

    assert history_of(concern) == [
        ("+", staff.pk, "Concern recorded"),
        ("~", dsl.pk, "Safety check recorded"),
        ("~", deputy.pk, "Evidence step completed"),
        ("~", dsl.pk, "Immediate-referral questions answered"),
        ("~", dsl.pk, "Referral decision recorded"),
        ("~", dsl.pk, "Corrected: Referral time was wrong."),
        ("~", deputy.pk, "Support planned"),
        ("~", dsl.pk, "Concern closed"),
    ]


@pytest.mark.parametrize(
    "model",
    [Concern, ConcernChild, EvidenceItem, SupportAction, FollowUpAction, Note, Referral],
    ids=lambda model: model.__name__,
)
def test_every_history_row_names_who_made_the_change_and_why(concern, staff, dsl, model):
    services.concern_add_note(concern=concern, author=staff, text="Mother rang again.")
    bring_to(Step.CLOSED, concern, by=dsl)

    rows = list(model.history.all())
    assert rows, f"no history for {model.__name__}"
    assert all(row.history_user_id in (staff.pk, dsl.pk) for row in rows)
    assert all(row.history_change_reason for row in rows)


def test_a_correction_that_involves_an_adult_needs_the_police_in_the_referral_first(
    school, staff, dsl, pupils
):
    from concerns.models import ReferralDecision

    concern = record_concern(
        school=school, reporter=staff, pupils=pupils[:1], categories=("physical",)
    )
    concern = services.concern_check_safety(
        concern=concern,
        by=dsl,
        version=concern.version,
        checks=[services.SafetyCheckInput(child=concern.children.get(), safe_now=True)],
    )
    concern = services.concern_preserve_evidence(
        concern=concern,
        by=dsl,
        version=concern.version,
        advice_given_by="Dana Lead",
        advice_given_to="Mother",
        advice_given_at=timezone.now(),
        no_evidence_reason="Nothing held.",
    )
    record_referral(concern, dsl, agency=Agency.SOCIAL_CARE)
    concern = services.concern_decide_referral(
        concern=concern,
        by=dsl,
        version=concern.version,
        decision=ReferralDecision.REFER,
        rationale="",
        police_not_told_reason="",
        parents_informed=True,
        parents_not_informed_reason="",
    )
    fields = {
        "discloser_type": concern.discloser_type,
        "discloser_name": concern.discloser_name,
        "discloser_relationship": concern.discloser_relationship,
        "disclosed_at": concern.disclosed_at,
        "location": concern.location,
        "account": concern.account,
        "adult_involved": "yes",
        "parent_wishes": concern.parent_wishes,
        "immediate_danger": False,
    }
    with pytest.raises(WorkflowError, match="the police must be told"):
        services.concern_correct_record(
            concern=concern,
            by=dsl,
            version=concern.version,
            reason="The mother later said the friend is an adult.",
            categories=[category("online-grooming")],
            **fields,
        )
    concern.refresh_from_db()
    assert [c.slug for c in concern.categories.all()] == ["physical"]
