"""Every decision held to guidance: the wrong courses of DOMAIN.md's case cannot reach
"Closed" by any order of steps or corrections, and the right one still can."""

import datetime
import re

import pytest
from django.utils import timezone

from casework import queue
from concerns import rules, services
from concerns.models import (
    AdviceGiven,
    Agency,
    ChildRole,
    Concern,
    FollowUpKind,
    GuidanceCard,
    NotReferGround,
    PracticeFlag,
    ReferralDecision,
    Step,
    UnnamedChild,
    YesNoUnknown,
)
from safeguard.errors import WorkflowError
from tests.factories import (
    PupilFactory,
    answer_criteria,
    category,
    record_concern,
    record_referral,
)

HOUR = datetime.timedelta(hours=1)
SUBJECT, AFFECTED = ChildRole.SUBJECT, ChildRole.AFFECTED


def refused(message: str):
    return pytest.raises(WorkflowError, match=f"^{re.escape(message)}")


def fresh(concern: Concern) -> Concern:
    return Concern.objects.get(pk=concern.pk)


def check_safety(concern, *, by, spoken_to="No one: her mother told us.", reason=""):
    checks = [
        services.SafetyCheckInput(
            child=child, safe_now=True, notes="In school, seen by the DSL", spoken_to=spoken_to
        )
        for child in concern.children.all()
    ]
    return services.concern_check_safety(
        concern=concern, by=by, version=fresh(concern).version, checks=checks, reason=reason
    )


def preserve_evidence(concern, *, by, **extra):
    services.evidence_item_add(
        concern=concern,
        by=by,
        description="Messages asking for pictures",
        location="The mother's phone",
        held_by="The mother",
    )
    return services.concern_preserve_evidence(
        concern=concern,
        by=by,
        version=fresh(concern).version,
        advice_given_by="Dana Lead",
        advice_given_to="The mother",
        advice_given_at=timezone.now() - HOUR,
        **extra,
    )


def decide(concern, *, by, reason="", **fields):
    values = {
        "decision": ReferralDecision.REFER,
        "rationale": "",
        "police_not_told_reason": "",
        "parents_informed": True,
        "parents_not_informed_reason": "",
    }
    values.update(fields)
    return services.concern_decide_referral(
        concern=concern, by=by, version=fresh(concern).version, reason=reason, **values
    )


def threshold(**overrides):
    values = {
        "ground": NotReferGround.THRESHOLD,
        "threshold_level": "Level 2: early help",
        "advice": "Early help assessment; weekly check-ins with the pastoral lead.",
        "review_date": timezone.localdate() + datetime.timedelta(days=28),
    }
    values.update(overrides)
    return services.NotReferring(**values)


def support_everyone(concern, *, by, action="Weekly check-in with the pastoral lead"):
    for child in concern.children.filter(role__in=[SUBJECT, AFFECTED]):
        services.support_action_add(
            concern=concern,
            by=by,
            child=child,
            action=action,
            owner="Pastoral lead",
            review_date=timezone.localdate() + datetime.timedelta(days=14),
        )
    services.follow_up_add(
        concern=concern,
        by=by,
        kind=FollowUpKind.PUPIL_LESSONS,
        description="E-safety lessons",
        owner="Computing lead",
        due_date=timezone.localdate() + datetime.timedelta(days=30),
    )
    return services.concern_plan_support(concern=concern, by=by, version=fresh(concern).version)


def close(concern, *, by):
    return services.concern_close(
        concern=concern, by=by, version=fresh(concern).version, outcome_summary="Done."
    )


@pytest.fixture
def seed_case(school, staff, pupils):
    """DOMAIN.md: a 9-year-old's mother tells the head; two friends did the same at a
    sleepover; nobody knows who the 'special friend' is."""
    return record_concern(
        school=school,
        reporter=staff,
        pupils=pupils,
        other_children=YesNoUnknown.YES,
        parent_wishes="Does not want anyone else involved, or the other parents told.",
    )


# Option 3: the right course still reaches "Closed".


def test_the_right_course_reaches_closed(seed_case, dsl):
    concern = check_safety(seed_case, by=dsl)
    concern = preserve_evidence(concern, by=dsl)
    concern = answer_criteria(concern, dsl)
    record_referral(concern, dsl, agency=Agency.SOCIAL_CARE)
    record_referral(concern, dsl, agency=Agency.POLICE)
    concern = decide(concern, by=dsl, rationale="Criteria met: an adult obtained images.")
    concern = support_everyone(concern, by=dsl)
    concern = close(concern, by=dsl)
    assert fresh(concern).step == Step.CLOSED


# Option 1: do what the mother asks.


def test_option_1_not_referring_is_refused_where_a_criterion_is_met(seed_case, dsl):
    concern = preserve_evidence(check_safety(seed_case, by=dsl), by=dsl)
    concern = answer_criteria(concern, dsl, sexual_acts=YesNoUnknown.UNKNOWN)
    met = [criterion.key for criterion in rules.criteria_met(concern)]
    # Nobody knows if an adult is involved (counts as yes), and the girls are 9.
    assert met == ["adult", "sexual_acts"]
    with refused("An immediate-referral criterion is met (is an adult involved: not known"):
        decide(
            concern,
            by=dsl,
            decision=ReferralDecision.NOT_REFER,
            rationale="The mother asked us not to involve anyone.",
            not_referring=threshold(),
        )
    assert fresh(concern).step == Step.EVIDENCE_PRESERVED
    assert fresh(concern).referral_decision == ""


def test_option_1_a_parents_wish_is_never_a_ground(school, staff, dsl, pupils):
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=pupils[:1],
        categories=("neglect",),
        adult_involved=YesNoUnknown.NO,
        other_children=YesNoUnknown.NO,
    )
    concern = preserve_evidence(check_safety(concern, by=dsl), by=dsl)
    for rationale in [
        "The mother asked us not to involve anyone.",
        "Parents do not want social care involved",
        "Mum would rather deal with it at home.",
    ]:
        with refused(rules.FAMILY_WISHES_MESSAGE):
            decide(
                concern,
                by=dsl,
                decision=ReferralDecision.NOT_REFER,
                rationale=rationale,
                not_referring=threshold(),
            )
    assert fresh(concern).step == Step.EVIDENCE_PRESERVED


def test_option_1_no_support_left_to_the_mother_is_refused(seed_case, dsl):
    concern = preserve_evidence(check_safety(seed_case, by=dsl), by=dsl)
    concern = answer_criteria(concern, dsl)
    record_referral(concern, dsl, agency=Agency.SOCIAL_CARE)
    record_referral(concern, dsl, agency=Agency.POLICE)
    concern = decide(concern, by=dsl)
    for action in [
        "No further support: the mother will handle it at home",
        "None needed",
        "Family are dealing with it",
    ]:
        with refused(rules.NO_SUPPORT_MESSAGE):
            support_everyone(concern, by=dsl, action=action)
    assert not fresh(concern).children.filter(support_actions__isnull=False).exists()


# Option 2: investigate, ask the other parents, then wait.


def test_option_2_investigating_is_flagged_and_holds_the_concern_open(seed_case, dsl, deputy):
    concern = check_safety(
        seed_case,
        by=dsl,
        spoken_to="The DSL interviewed her about the messages to find out who else was involved.",
    )
    services.concern_add_note(
        concern=concern,
        author=dsl,
        text="I asked the other parents what they wanted; they want nothing done.",
    )
    flags = list(PracticeFlag.objects.filter(concern=concern).order_by("pk"))
    assert [flag.concern_text for flag in flags] == [
        "A child questioned or interviewed",
        "A child questioned or interviewed",
        "A child questioned or interviewed",
        "Other parents asked or told",
    ]
    concern = preserve_evidence(concern, by=dsl)
    concern = answer_criteria(concern, dsl)
    with refused("An immediate-referral criterion is met"):
        decide(
            concern,
            by=dsl,
            decision=ReferralDecision.NOT_REFER,
            rationale="The other parents want nothing done.",
            not_referring=threshold(),
        )
    record_referral(concern, dsl, agency=Agency.SOCIAL_CARE)
    record_referral(concern, dsl, agency=Agency.POLICE)
    concern = support_everyone(decide(concern, by=dsl), by=dsl)
    with refused("4 flagged entries need review by the safeguarding team"):
        close(concern, by=dsl)
    for flag in flags:
        services.practice_flag_review(
            flag=flag, by=deputy, notes="Advice given: listen, do not interview or canvass."
        )
    assert fresh(close(concern, by=dsl)).step == Step.CLOSED


def test_option_2_naming_one_girl_of_three_needs_the_others_named_or_described(
    school, staff, pupils
):
    with refused("You said other children are involved or may be at risk: name each of them"):
        record_concern(
            school=school, reporter=staff, pupils=pupils[:1], other_children=YesNoUnknown.YES
        )
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=pupils[:1],
        other_children=YesNoUnknown.YES,
        unnamed_children=["Two friends at the sleepover"],
    )
    assert [u.description for u in concern.unnamed_children.all()] == [
        "Two friends at the sleepover"
    ]
    with refused("You have named or described other children, so other children are involved"):
        record_concern(school=school, reporter=staff, pupils=pupils, other_children=YesNoUnknown.NO)


def test_a_child_not_yet_identified_holds_the_concern_open_until_named_or_passed_on(
    school, staff, dsl, pupils
):
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=pupils[:1],
        other_children=YesNoUnknown.YES,
        unnamed_children=["A friend at the sleepover", "Another friend at the sleepover"],
    )
    first, second = concern.unnamed_children.order_by("pk")
    concern = preserve_evidence(check_safety(concern, by=dsl), by=dsl)
    concern = answer_criteria(concern, dsl)
    record_referral(concern, dsl, agency=Agency.SOCIAL_CARE)
    record_referral(concern, dsl, agency=Agency.POLICE)
    concern = support_everyone(decide(concern, by=dsl), by=dsl)
    with refused("Children not yet identified: “A friend at the sleepover”; “Another friend"):
        close(concern, by=dsl)

    # Named later: a child of the school, with their own safety check.
    with refused("Record whether this child is safe now."):
        services.unnamed_child_identify(unnamed=first, by=dsl, pupil=pupils[1], role=AFFECTED)
    child = services.unnamed_child_identify(
        unnamed=first,
        by=dsl,
        pupil=pupils[1],
        role=AFFECTED,
        safety=services.SafetyCheckInput(safe_now=True, spoken_to="No one"),
    )
    assert UnnamedChild.objects.get(pk=first.pk).identified_as_id == child.pk
    # Not a pupil here: the information goes to social care to establish who she is.
    services.unnamed_child_pass_on(
        unnamed=second, by=dsl, passed_to="Demoshire MASH, Sam Duty", passed_at=timezone.now()
    )
    with refused("Plan support for Bella Cole."):
        close(concern, by=dsl)
    services.support_action_add(
        concern=concern,
        by=dsl,
        child=child,
        action="Check-ins with her class teacher",
        owner="Class teacher",
        review_date=timezone.localdate() + datetime.timedelta(days=14),
    )
    assert fresh(close(concern, by=dsl)).step == Step.CLOSED
    assert [row.history_change_reason for row in second.history.order_by("history_id")] == [
        "Child described when the concern was recorded",
        "Passed to Demoshire MASH, Sam Duty to identify",
    ]


def test_other_children_not_known_holds_the_concern_open(school, staff, dsl, pupils):
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=pupils[:1],
        categories=("neglect",),
        adult_involved=YesNoUnknown.NO,
        other_children=YesNoUnknown.UNKNOWN,
    )
    concern = preserve_evidence(check_safety(concern, by=dsl), by=dsl)
    record_referral(concern, dsl, agency=Agency.SOCIAL_CARE)
    concern = support_everyone(decide(concern, by=dsl), by=dsl)
    with refused("It is not known whether other children are involved or at risk"):
        close(concern, by=dsl)


# Not referring: only on grounds guidance accepts, countersigned where there was an indicator.


@pytest.fixture
def low_level(school, staff, dsl, pupils):
    """A concern about emotional harm at home, no adult online, no other children."""
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=pupils[:1],
        categories=("emotional",),
        adult_involved=YesNoUnknown.NO,
        other_children=YesNoUnknown.NO,
    )
    return preserve_evidence(check_safety(concern, by=dsl), by=dsl)


@pytest.mark.parametrize(
    ("grounds", "message"),
    [
        (services.NotReferring(ground=""), "Choose the ground for not referring"),
        (services.NotReferring(ground="parents"), "Choose the ground for not referring"),
        (
            services.NotReferring(ground=NotReferGround.ADVICE, contact="Sam Duty, MASH"),
            "Say who gave the advice (name and service), when, and what they advised.",
        ),
        (
            threshold(threshold_level=""),
            "Say which level of the local threshold document applies",
        ),
        (
            threshold(review_date=datetime.date(2020, 1, 1)),
            "Set a date in the future to review the decision.",
        ),
        (
            services.NotReferring(ground=NotReferGround.KNOWN, contact="Kim Worker"),
            "Name the child's social worker and say when they were told.",
        ),
        (
            services.NotReferring(
                ground=NotReferGround.ADVICE,
                contact="Sam Duty, MASH",
                contact_at=timezone.now() - HOUR,
                advice="The father asked us to wait.",
            ),
            rules.FAMILY_WISHES_MESSAGE,
        ),
    ],
    ids=["none", "parents", "advice", "threshold", "review", "known", "wishes"],
)
def test_not_referring_needs_a_ground_and_its_details(low_level, dsl, grounds, message):
    with refused(message):
        decide(
            low_level,
            by=dsl,
            decision=ReferralDecision.NOT_REFER,
            rationale="Below threshold",
            not_referring=grounds,
        )
    assert fresh(low_level).step == Step.EVIDENCE_PRESERVED


def test_a_decision_not_to_refer_without_indicators_needs_no_countersignature(low_level, dsl):
    concern = decide(
        low_level,
        by=dsl,
        decision=ReferralDecision.NOT_REFER,
        rationale="Worries about friendships; no sign of harm at home.",
        not_referring=threshold(),
    )
    saved = fresh(concern)
    assert (saved.not_refer_ground, saved.threshold_level) == (
        NotReferGround.THRESHOLD,
        "Level 2: early help",
    )
    assert not rules.awaiting_countersignature(saved)
    assert fresh(close(support_everyone(concern, by=dsl), by=dsl)).step == Step.CLOSED


@pytest.fixture
def nudes_between_teenagers(school, staff, dsl):
    """Two 15-year-olds shared images consensually: no criterion met, but a sexual concern."""
    older = [PupilFactory(school=school, date_of_birth=datetime.date(2011, 5, 1)) for _ in range(2)]
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=older,
        adult_involved=YesNoUnknown.NO,
        other_children=YesNoUnknown.YES,
    )
    concern = preserve_evidence(check_safety(concern, by=dsl), by=dsl)
    return answer_criteria(concern, dsl)


def test_not_referring_a_sexual_concern_waits_for_a_second_signature(
    nudes_between_teenagers, dsl, deputy
):
    concern = nudes_between_teenagers
    assert rules.criteria_met(concern) == []
    concern = decide(
        concern,
        by=dsl,
        decision=ReferralDecision.NOT_REFER,
        rationale="Consensual sharing between two 15-year-olds; managed in school (UKCIS).",
        not_referring=threshold(),
    )
    assert rules.awaiting_countersignature(fresh(concern))
    assert list(queue.awaiting_countersignature(concern.school)) == [fresh(concern)]
    with refused("The decision not to refer is awaiting a countersignature"):
        support_everyone(concern, by=dsl)
    with refused("Another member of the safeguarding team must countersign"):
        services.concern_countersign(
            concern=concern, by=dsl, version=fresh(concern).version, reason="Agreed."
        )
    with refused(rules.FAMILY_WISHES_MESSAGE):
        services.concern_countersign(
            concern=concern,
            by=deputy,
            version=fresh(concern).version,
            reason="The parents want it kept in school.",
        )
    services.concern_countersign(
        concern=concern,
        by=deputy,
        version=fresh(concern).version,
        reason="Agree: no coercion, same age, managed under UKCIS with education.",
    )
    saved = fresh(concern)
    assert (saved.countersigned_by_id, saved.countersign_reason) == (
        deputy.pk,
        "Agree: no coercion, same age, managed under UKCIS with education.",
    )
    assert list(queue.awaiting_countersignature(concern.school)) == []
    assert fresh(support_everyone(concern, by=dsl)).step == Step.SUPPORT_PLANNED

    # A corrected decision is signed afresh.
    decide(
        concern,
        by=dsl,
        decision=ReferralDecision.NOT_REFER,
        rationale="Same decision, review date moved.",
        not_referring=threshold(),
        reason="Review date agreed with the family support worker",
    )
    assert rules.awaiting_countersignature(fresh(concern))
    with refused("The decision not to refer is awaiting a countersignature"):
        close(concern, by=dsl)


def test_new_facts_that_meet_a_criterion_hold_the_concern_until_the_decision_is_corrected(
    nudes_between_teenagers, dsl, deputy
):
    concern = decide(
        nudes_between_teenagers,
        by=dsl,
        decision=ReferralDecision.NOT_REFER,
        rationale="Consensual sharing between two 15-year-olds.",
        not_referring=threshold(),
    )
    services.concern_countersign(
        concern=concern, by=deputy, version=fresh(concern).version, reason="Agreed: same age."
    )
    # It turns out one of them was pressured into it: the record is corrected, and the
    # decision not to refer no longer stands.
    concern = answer_criteria(fresh(concern), dsl, coercion=YesNoUnknown.UNKNOWN)
    assert fresh(concern).criterion_coercion == YesNoUnknown.UNKNOWN
    [item] = services.open_items(fresh(concern))
    assert item.startswith(
        "The referral decision no longer stands. An immediate-referral criterion is met"
    )
    with refused("An immediate-referral criterion is met"):
        support_everyone(concern, by=dsl)
    with refused("Complete “Support planned” first"):
        close(concern, by=dsl)

    record_referral(concern, dsl, agency=Agency.SOCIAL_CARE)
    record_referral(concern, dsl, agency=Agency.POLICE)
    concern = decide(concern, by=dsl, reason="Coercion now suspected")
    assert services.open_items(fresh(concern)) == []
    assert fresh(close(support_everyone(concern, by=dsl), by=dsl)).step == Step.CLOSED


def test_a_category_added_later_asks_the_questions_before_the_concern_moves_on(low_level, dsl):
    concern = decide(
        low_level,
        by=dsl,
        decision=ReferralDecision.NOT_REFER,
        rationale="Friendship worries only.",
        not_referring=threshold(),
    )
    concern = services.concern_correct_record(
        concern=concern,
        by=dsl,
        version=fresh(concern).version,
        reason="She has since said an older man online asked for pictures",
        discloser_type=concern.discloser_type,
        discloser_name=concern.discloser_name,
        discloser_relationship=concern.discloser_relationship,
        disclosed_at=concern.disclosed_at,
        location=concern.location,
        account=concern.account,
        categories=[*concern.categories.all(), category("online-grooming")],
        adult_involved=YesNoUnknown.UNKNOWN,
        parent_wishes="",
        immediate_danger=False,
    )
    with refused("Answer the immediate-referral questions first"):
        support_everyone(concern, by=dsl)
    concern = answer_criteria(concern, dsl)
    # Online grooming means an adult sought contact, and is coercion by definition.
    with refused("An immediate-referral criterion is met (is an adult involved: yes; is there"):
        support_everyone(concern, by=dsl)
    assert "An adult is involved in seeking images or contact from a child" in " ".join(
        services.open_items(fresh(concern))
    )


def test_the_decision_waits_for_the_questions(nudes_between_teenagers, school, staff, dsl):
    concern = record_concern(
        school=school, reporter=staff, pupils=[PupilFactory(school=school)], other_children="no"
    )
    concern = preserve_evidence(check_safety(concern, by=dsl), by=dsl)
    record_referral(concern, dsl, agency=Agency.SOCIAL_CARE)
    with refused("Answer the immediate-referral questions before deciding"):
        decide(concern, by=dsl)


# What the app answers itself.


def test_the_app_fills_in_what_it_knows(school, staff, dsl):
    send = PupilFactory(school=school, sen_disability=True, date_of_birth=datetime.date(2010, 1, 1))
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=[send],
        adult_involved=YesNoUnknown.NO,
        immediate_danger=True,
        other_children=YesNoUnknown.NO,
    )
    answers = {c.key: (c.answer, c.asked) for c in rules.criteria(concern)}
    assert answers == {
        "adult": ("no", False),
        "coercion": ("yes", False),  # special educational needs: capacity in doubt
        "unusual_content": ("", True),
        "sexual_acts": ("no", False),  # nobody under 13
        "harm_risk": ("yes", False),  # immediate danger
    }


def test_sextortion_implies_blackmail_and_asks_what_was_paid(school, staff, dsl):
    boy = PupilFactory(school=school, date_of_birth=datetime.date(2011, 6, 1))
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=[boy],
        categories=("sextortion",),
        adult_involved=YesNoUnknown.UNKNOWN,
        other_children=YesNoUnknown.NO,
    )
    assert [c.key for c in rules.criteria_met(concern)] == ["adult", "coercion"]
    concern = check_safety(concern, by=dsl)
    with refused("Say whether any money or anything else was paid."):
        preserve_evidence(concern, by=dsl)
    with refused("Say what was paid, how and to whom"):
        services.concern_preserve_evidence(
            concern=concern,
            by=dsl,
            version=fresh(concern).version,
            advice_given_by="Dana Lead",
            advice_given_to="His father",
            advice_given_at=timezone.now() - HOUR,
            payment_made=YesNoUnknown.YES,
        )
    concern = services.concern_preserve_evidence(
        concern=concern,
        by=dsl,
        version=fresh(concern).version,
        advice_given_by="Dana Lead",
        advice_given_to="His father",
        advice_given_at=timezone.now() - HOUR,
        payment_made=YesNoUnknown.YES,
        payment_details="£50 by bank transfer to an account in another name",
    )
    assert fresh(concern).payment_details == "£50 by bank transfer to an account in another name"

    card = GuidanceCard.objects.get(school=None, key="sextortion-family")
    assert "pay" in card.tell_family.lower()
    assert card in services.advice_outstanding(concern)
    services.advice_record(
        concern=concern,
        by=dsl,
        card=card,
        given_by="Dana Lead",
        given_to="The boy and his father",
        given_at=timezone.now() - HOUR,
    )
    assert card not in services.advice_outstanding(concern)
    advice = AdviceGiven.objects.get(concern=concern)
    assert advice.history.get().history_change_reason == f"Advice given: {card.title}"

    neglect = GuidanceCard.objects.get(school=None, key="neglect-family")
    with refused("Choose advice that applies to this concern."):
        services.advice_record(
            concern=concern,
            by=dsl,
            card=neglect,
            given_by="Dana Lead",
            given_to="The father",
            given_at=timezone.now(),
        )


def test_a_schools_own_card_shows_with_the_national_ones(school, dsl, staff, pupils):
    card = services.guidance_card_save(
        school=school,
        by=dsl,
        title="Local contacts",
        categories=[],
        report_to="Demoshire MASH 01632 960000",
    )
    concern = record_concern(school=school, reporter=staff, pupils=pupils[:1])
    cards = services.guidance_cards_for(concern)
    assert cards[-1] == card
    assert [c.key for c in cards[:2]] == ["listen-dont-investigate", "sharing-nudes-family"]
    with refused("Give the reason for this change."):
        services.guidance_card_save(
            school=school, by=dsl, card=card, title="Local", categories=[], report_to="x"
        )


# The wording rules, on their own.


@pytest.mark.parametrize(
    "text",
    [
        "The mother asked us not to involve anyone",
        "the mother does not want the police involved",
        "no further support: the mother will handle it at home",
        "The other parents want nothing done",
        "Dad refused consent",
        "The family would rather keep it private; she does not want a fuss.",
    ],
)
def test_reasons_resting_on_a_familys_wishes_are_recognised(text):
    assert rules.cites_family_wishes(text)


@pytest.mark.parametrize(
    "text",
    [
        "Advice from the MASH duty social worker: no further action at level 1.",
        "Bruise explained by a PE injury seen by two staff.",
        "Social worker Kim Worker told on 3 November; she is visiting the family.",
    ],
)
def test_ordinary_reasons_are_not_mistaken_for_a_familys_wishes(text):
    assert not rules.cites_family_wishes(text)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("I interviewed Amelia about the chat room", ["a child questioned or interviewed"]),
        ("Called the other parents to ask what they want", ["other parents asked or told"]),
        ("Looked at the photos on her tablet", ["images viewed or copied"]),
        ("Messaged the account to warn them off", ["the alleged offender contacted or alerted"]),
        ("Seen in class at 9:15, happy and settled.", []),
        ("Her mother told us; nobody has spoken to her.", []),
    ],
)
def test_investigating_rather_than_listening_is_recognised(text, found):
    assert rules.investigating(text) == found


def test_the_queue_and_the_rules_agree_on_which_decisions_need_a_countersignature(
    school, staff, dsl, pupils
):
    """queue.INDICATOR is the SQL form of rules.indicators: for every kind of concern, the
    queue lists exactly the not-referred ones the rules say are waiting."""
    cases = [
        ("emotional", YesNoUnknown.NO, False),
        ("emotional", YesNoUnknown.YES, False),
        ("neglect", YesNoUnknown.NO, True),
        ("sexual-abuse", YesNoUnknown.NO, False),
        ("self-harm", YesNoUnknown.UNKNOWN, False),
    ]
    decided = []
    for slug, adult, danger in cases:
        concern = record_concern(
            school=school,
            reporter=staff,
            pupils=[PupilFactory(school=school, date_of_birth=datetime.date(2010, 1, 1))],
            categories=(slug,),
            adult_involved=adult,
            immediate_danger=danger,
            other_children=YesNoUnknown.NO,
        )
        concern = preserve_evidence(check_safety(concern, by=dsl), by=dsl)
        concern = answer_criteria(concern, dsl)  # sexual abuse is asked them: every one "no"
        decided.append(
            decide(
                concern,
                by=dsl,
                decision=ReferralDecision.NOT_REFER,
                rationale="Below the threshold.",
                not_referring=threshold(),
            )
        )
    by_rules = {c.pk for c in decided if rules.awaiting_countersignature(fresh(c))}
    # An adult involved, or not known to be; immediate danger; sexual harm.
    assert by_rules == {decided[1].pk, decided[2].pk, decided[3].pk, decided[4].pk}
    assert {c.pk for c in queue.awaiting_countersignature(school)} == by_rules


# Found walking the app as a DSL: routes around the rules, closed one by one.


def correct_record(concern, *, by, reason="Corrected after speaking to the mother", **changes):
    concern = fresh(concern)
    values = {
        "discloser_type": concern.discloser_type,
        "discloser_name": concern.discloser_name,
        "discloser_relationship": concern.discloser_relationship,
        "disclosed_at": concern.disclosed_at,
        "location": concern.location,
        "account": concern.account,
        "categories": list(concern.categories.all()),
        "adult_involved": concern.adult_involved,
        "parent_wishes": concern.parent_wishes,
        "immediate_danger": concern.immediate_danger,
        "other_children": concern.other_children,
    }
    values.update(changes)
    return services.concern_correct_record(
        concern=concern, by=by, version=concern.version, reason=reason, **values
    )


def not_referring(concern, *, by, rationale="Level 1 only: e-safety letter to parents."):
    return decide(
        concern,
        by=by,
        decision=ReferralDecision.NOT_REFER,
        rationale=rationale,
        not_referring=threshold(),
    )


@pytest.fixture
def groomed(school, staff, dsl, pupils):
    """DOMAIN.md's case filed as it is: nudes and online grooming, nobody knows who the
    'special friend' is; safety checked and evidence preserved."""
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=pupils,
        categories=("sharing-nudes", "online-grooming"),
        adult_involved=YesNoUnknown.UNKNOWN,
        other_children=YesNoUnknown.YES,
    )
    return preserve_evidence(check_safety(concern, by=dsl), by=dsl)


def test_option_1_an_adult_corrected_away_on_a_grooming_concern_still_means_a_referral(
    groomed, dsl
):
    """The category says an adult sought contact and that it was grooming: correcting the
    record's "adult involved" to no leaves both criteria met (so nothing is taken away, and
    nothing is flagged)."""
    concern = answer_criteria(groomed, dsl)
    concern = correct_record(
        concern,
        by=dsl,
        reason="The mother believes the special friend is another child",
        adult_involved=YesNoUnknown.NO,
    )

    assert [c.key for c in rules.criteria_met(fresh(concern))] == ["adult", "coercion"]
    with refused("An immediate-referral criterion is met (is an adult involved: yes; is there"):
        not_referring(concern, by=dsl)
    assert not PracticeFlag.objects.filter(concern=concern).exists()


def test_option_1_reclassified_away_from_sexual_harm_waits_for_a_second_person(
    groomed, dsl, deputy
):
    concern = correct_record(
        groomed, by=dsl, reason="Reclassified.", categories=[category("emotional")]
    )
    (flag,) = PracticeFlag.objects.filter(concern=concern)
    assert (flag.source, flag.excerpt) == ("Correction of the record", "Corrected: Reclassified.")
    assert flag.concern_text == (
        "A correction takes away: an immediate-referral criterion is met; an adult is "
        "involved; the concern is about sexual harm; the concern is about harm online"
    )
    # "Not known" about an adult still needs a second signature on a decision not to refer.
    concern = not_referring(concern, by=dsl)
    assert rules.awaiting_countersignature(fresh(concern))
    assert rules.indicators(fresh(concern)) == ["it is not known whether an adult is involved"]
    services.concern_countersign(
        concern=concern, by=deputy, version=fresh(concern).version, reason="Agreed: level 1."
    )
    concern = support_everyone(concern, by=dsl)
    with refused("1 flagged entry needs review by the safeguarding team"):
        close(concern, by=dsl)
    # Whoever made the correction does not review it.
    with refused("You wrote the flagged entry, so another member of the DSL team reviews it"):
        services.practice_flag_review(flag=flag, by=dsl, notes="Reviewed.")
    services.practice_flag_review(
        flag=flag, by=deputy, notes="Checked with the DSL: the images were never sexual."
    )
    assert fresh(close(concern, by=dsl)).step == Step.CLOSED


def test_option_2_other_children_corrected_to_none_is_flagged_for_a_second_person(
    school, staff, dsl, deputy, pupils
):
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=pupils[:1],
        other_children=YesNoUnknown.UNKNOWN,
    )
    concern = correct_record(
        concern, by=dsl, reason="Only Amelia is involved.", other_children=YesNoUnknown.NO
    )
    (flag,) = PracticeFlag.objects.filter(concern=concern)
    assert flag.concern_text == ("A correction takes away: other children are or may be involved")
    with refused(rules.FAMILY_WISHES_MESSAGE):
        services.practice_flag_review(
            flag=flag, by=deputy, notes="Reviewed: the other parents want nothing done."
        )
    assert PracticeFlag.objects.get(pk=flag.pk).reviewed_at is None


def test_criteria_answers_corrected_to_no_are_flagged(seed_case, dsl):
    concern = preserve_evidence(check_safety(seed_case, by=dsl), by=dsl)
    concern = answer_criteria(concern, dsl, harm_risk=YesNoUnknown.UNKNOWN)
    assert not PracticeFlag.objects.filter(concern=concern).exists()
    services.concern_assess_criteria(
        concern=concern,
        by=dsl,
        version=fresh(concern).version,
        answers={
            "coercion": YesNoUnknown.NO,
            "unusual_content": YesNoUnknown.NO,
            "sexual_acts": YesNoUnknown.NO,
            "harm_risk": YesNoUnknown.NO,
        },
        notes="",
        reason="She is not at risk of harming herself after all.",
    )
    # Still "not known" about the adult, so a criterion is still met: nothing taken away.
    assert not PracticeFlag.objects.filter(concern=concern).exists()


@pytest.mark.parametrize(
    "reason",
    [
        "In line with parental wishes, no referral.",
        "Police not informed as per parental request.",
        "I agree; respecting parental wishes, threshold not met.",
        "Parents refused consent for a referral.",
        "No consent from the family.",
        "The parents' decision is to deal with it themselves.",
        "At the mother's request.",
    ],
)
def test_a_family_wish_in_other_words_is_still_not_a_reason(reason):
    assert rules.cites_family_wishes(reason)


@pytest.mark.parametrize(
    "reason",
    [
        "Threshold not met: level 1, universal services; e-safety work in school.",
        "Early help arranged with the parents' agreement.",
        "Referred with parental consent.",
        "Parents informed; the social worker already knows.",
    ],
)
def test_what_is_not_a_family_wish_is_accepted(reason):
    assert not rules.cites_family_wishes(reason)


@pytest.mark.parametrize(
    "action",
    [
        "Left to the parents to monitor at home.",
        "Parental supervision at home; nothing from school.",
        "Mum will manage it at home",
        "Leave it with the family",
    ],
)
def test_support_left_to_the_family_is_no_support(action):
    assert rules.declines_support(action)


@pytest.mark.parametrize(
    "action",
    [
        "Weekly check-ins with her form tutor",
        "Counselling with the school counsellor; family liaison worker visits at home",
        "ELSA sessions; parents kept informed",
    ],
)
def test_school_support_that_mentions_home_or_parents_is_support(action):
    assert not rules.declines_support(action)


def test_the_under_13_note_is_only_given_where_the_question_is_asked(school, staff, dsl):
    teenager = PupilFactory(school=school, date_of_birth=datetime.date(2011, 1, 1))
    concern = record_concern(
        school=school, reporter=staff, pupils=[teenager], other_children=YesNoUnknown.NO
    )
    assert rules.under_13_note(fresh(concern)) == ""
    services.unnamed_child_add(concern=concern, by=dsl, description="A boy from the club")
    assert rules.under_13_note(fresh(concern)) == (
        "Some children are not yet identified, so their ages are not known."
    )


# Found on a second walk: the rules went by the category picked, never by what was said.


def test_the_case_filed_as_sexual_abuse_with_an_adult_must_go_to_the_police(
    school, staff, dsl, pupils
):
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=pupils,
        categories=("sexual-abuse",),
        adult_involved=YesNoUnknown.YES,
        other_children=YesNoUnknown.YES,
    )
    concern = preserve_evidence(check_safety(concern, by=dsl), by=dsl)
    assert rules.asks_criteria(fresh(concern))
    assert services.police_required(fresh(concern))
    concern = answer_criteria(concern, dsl)
    with refused("An immediate-referral criterion is met (is an adult involved: yes"):
        not_referring(concern, by=dsl, rationale="Level 2 only; monitoring in school.")


def test_the_case_filed_as_child_on_child_abuse_is_flagged_for_its_account(
    school, staff, dsl, pupils
):
    account = (
        "Her mother said a 'special friend' online asked her for naked pictures, and she "
        "sent some. Two friends did the same at a sleepover."
    )
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=pupils[:1],
        categories=("child-on-child",),
        adult_involved=YesNoUnknown.NO,
        other_children=YesNoUnknown.NO,
        account=account,
    )
    (flag,) = PracticeFlag.objects.filter(concern=concern)
    assert (flag.source, flag.concern_text, flag.raised_by_id) == (
        "The record",
        rules.MISFILED,
        staff.pk,
    )
    assert flag.excerpt == account


@pytest.mark.parametrize(
    "slug", ["online-grooming", "sexual-abuse", "exploitation", "sextortion", "sharing-nudes"]
)
def test_images_are_refused_on_every_concern_about_sexual_harm(school, staff, pupils, slug):
    assert rules.images_refused(
        record_concern(school=school, reporter=staff, pupils=pupils[:1], categories=(slug,))
    )


def test_images_are_accepted_where_the_harm_is_not_sexual(school, staff, pupils):
    assert not rules.images_refused(
        record_concern(school=school, reporter=staff, pupils=pupils[:1], categories=("neglect",))
    )


@pytest.mark.parametrize(
    "reason",
    [
        "As requested by the mother, this is being kept within the family.",
        "Mrs Hart asked us not to refer; kept within the family.",
        "Agreed. Mum has it in hand; it is a private family matter.",
        "A one-off; the family are managing it.",
        "At the request of the mother",
        "Mother says no",
        "Respecting the mother's confidentiality",
        "Mum is adamant nobody is told",
        "Parents unwilling to engage with social care",
        "Mother not agreeable to a referral",
        "Mother opposed to police involvement",
    ],
)
def test_a_family_wish_said_the_other_way_round_is_still_not_a_reason(reason):
    assert rules.cites_family_wishes(reason)


@pytest.mark.parametrize(
    "reason",
    [
        "Advice from the MASH: Jo Duty said no referral was needed; monitoring in school.",
        "Mrs Patel, the social worker, has been told and is visiting today.",
        "Social care said they are managing it.",
        "The mother was told of the decision and the reasons.",
    ],
)
def test_what_a_professional_or_the_school_does_is_not_a_family_wish(reason):
    assert not rules.cites_family_wishes(reason)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "I sat down with her and went through the messages; rang the other girls' mums.",
            ["other parents asked or told", "a child's device or messages searched"],
        ),
        ("Told the parents of the other girls", ["other parents asked or told"]),
        ("Let the other parents know", ["other parents asked or told"]),
        ("Rang Amy's mum and Zara's dad", ["other parents asked or told"]),
        ("The mother has deleted the pictures", ["evidence deleted"]),
        ("No one: her mother told us.", []),
        ("The DSL told her mother what happens next.", []),
    ],
)
def test_investigating_in_everyday_words_is_flagged(text, found):
    assert rules.investigating(text) == found
