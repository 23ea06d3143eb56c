"""A child's chronology: every concern about them, every step taken, every referral and its
follow-up, every support action and review and every note, oldest first, across concerns.

`work_through` (a concern taken through every step, with referrals, agency contacts, support
reviews and a note) is shared with tests/test_pdf.py.
"""

import datetime
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone

from casework import chronology
from casework.chronology import Event, academic_year, chronology_for
from casework.history import concern_history
from concerns import rules, services
from concerns.models import (
    Agency,
    ChildRole,
    Concern,
    ConcernChild,
    FollowUpKind,
    GuidanceCard,
    NotReferGround,
    PracticeFlag,
    ReferralDecision,
    SupportAction,
    UnnamedChild,
)
from referrals import services as referral_services
from referrals.models import Consent, ContactKind, Method, Outcome
from schools.models import User
from tests.factories import PupilFactory, answer_criteria, record_concern
from tests.test_views_concerns import page_text, signed_in

LONDON = ZoneInfo("Europe/London")
# Monday 5 January 2026, the first day of the spring term.
TERM_STARTS = datetime.datetime(2026, 1, 5, tzinfo=LONDON)
EVERY_PAGE = 3  # session, user, and the navigation's memberships


def day(number: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment on the nth day of term (day 1 is Monday 5 January 2026)."""
    return TERM_STARTS + datetime.timedelta(days=number - 1, hours=hour, minutes=minute)


def children_of(concern: Concern) -> list[ConcernChild]:
    return list(concern.children.select_related("pupil").order_by("added_at", "pk"))


def check_safety(concern: Concern, *, by, unsafe=(), reason="", spoken_to="") -> Concern:
    checks = []
    for child in children_of(concern):
        if child.pupil in unsafe:
            checks.append(
                services.SafetyCheckInput(
                    child=child,
                    safe_now=False,
                    notes="Not in school; mother not answering",
                    action="Police asked to make a welfare visit",
                    action_at=timezone.now() - datetime.timedelta(minutes=5),
                    spoken_to=spoken_to,
                )
            )
        else:
            checks.append(
                services.SafetyCheckInput(
                    child=child,
                    safe_now=True,
                    notes=f"{child.pupil.full_name} seen in class",
                    spoken_to=spoken_to,
                )
            )
    return services.concern_check_safety(
        concern=concern, by=by, version=concern.version, checks=checks, reason=reason
    )


def preserve_evidence(concern: Concern, *, by) -> Concern:
    services.evidence_item_add(
        concern=concern,
        by=by,
        description="14 messages asking for pictures, and the pictures and video she sent",
        platform="A children's online game, then a chat room",
        usernames="sparkle_friend_11",
        location="Amelia's tablet, chat app",
        held_by="Mrs Sarah Hart (mother)",
        device_custody="Tablet switched off and kept by the mother",
    )
    return services.concern_preserve_evidence(
        concern=concern,
        by=by,
        version=concern.version,
        advice_given_by="Dana Lead",
        advice_given_to="Mrs Sarah Hart",
        advice_given_at=timezone.now() - datetime.timedelta(minutes=20),
    )


def refer(concern: Concern, *, by, agency=Agency.SOCIAL_CARE, children=None, **extra):
    fields = {
        "made_at": timezone.now() - datetime.timedelta(minutes=10),
        "method": Method.PHONE,
        "agency_name": "Testshire MASH" if agency == Agency.SOCIAL_CARE else "",
        "contact_name": "Jo Duty (duty social worker)",
        "agency_reference": "MASH-2026-0142" if agency == Agency.SOCIAL_CARE else "",
        "parents_aware": False,
        "consent": Consent.NOT_SOUGHT,
        "consent_reason": "Seeking consent could place the children at risk of further harm.",
        "risk_view": "An adult has obtained sexual images of three children: significant harm.",
        "urgent": agency == Agency.SOCIAL_CARE,
    }
    fields.update(extra)
    return referral_services.referral_record(
        concern=concern,
        by=by,
        agency=agency,
        children=children if children is not None else children_of(concern),
        **fields,
    )


def decide_to_refer(concern: Concern, *, by) -> Concern:
    """Refer, as guidance requires: the immediate-referral questions answered first (where
    the concern asks them and they are not answered yet), then the decision."""
    if concern.criteria_assessed_at is None:
        concern = answer_criteria(concern, by)
    return services.concern_decide_referral(
        concern=concern,
        by=by,
        version=concern.version,
        decision=ReferralDecision.REFER,
        rationale="Three children sent images to an adult met online.",
        police_not_told_reason="",
        parents_informed=False,
        parents_not_informed_reason="Social care asked us to wait until they have spoken to "
        "the other families.",
    )


def plan_support(concern: Concern, *, by) -> Concern:
    for child in children_of(concern):
        services.support_action_add(
            concern=concern,
            by=by,
            child=child,
            action=f"Weekly check-in for {child.pupil.full_name}; praised for telling",
            owner="Pastoral lead",
            review_date=timezone.localdate() + datetime.timedelta(days=14),
        )
    services.follow_up_add(
        concern=concern,
        by=by,
        kind=FollowUpKind.PUPIL_LESSONS,
        description="Extra e-safety lessons for Years 3 to 6",
        owner="Computing lead",
        due_date=timezone.localdate() + datetime.timedelta(days=30),
    )
    return services.concern_plan_support(concern=concern, by=by, version=concern.version)


def work_through(concern: Concern, *, by) -> Concern:
    """Every kind of event at once (at the current time): a safety check, evidence, a referral
    confirmed in writing with feedback and an agency contact, a police referral, the decision,
    support for each child reviewed once, and a note."""
    concern = check_safety(concern, by=by)
    concern = preserve_evidence(concern, by=by)
    social_care = refer(concern, by=by)
    refer(concern, by=by, agency=Agency.POLICE, method=Method.PHONE_101, urgent=False)
    referral_services.referral_confirm_in_writing(
        referral=social_care, by=by, confirmed_at=timezone.now()
    )
    referral_services.agency_contact_record(
        referral=social_care,
        by=by,
        kind=ContactKind.UPDATE,
        happened_at=timezone.now(),
        with_whom="Jo Duty",
        notes="Strategy meeting booked for Thursday.",
    )
    referral_services.referral_record_feedback(
        referral=social_care,
        by=by,
        received_at=timezone.now(),
        outcome=Outcome.CHILD_PROTECTION,
        details="Section 47 enquiry opened for all three girls.",
    )
    concern = decide_to_refer(concern, by=by)
    concern = plan_support(concern, by=by)
    for action in SupportAction.objects.filter(child__concern=concern):
        services.support_review_record(
            action=action,
            by=by,
            notes="Settled; talking to her form tutor.",
            next_review_date=timezone.localdate() + datetime.timedelta(days=28),
        )
    services.concern_add_note(
        concern=concern, author=by, text="Mother rang: Amelia sleeping better."
    )
    return concern


FRIEND = "A friend at the sleepover, about 9"
COUSIN = "Another girl at the sleepover, a visiting cousin, about 10"
CANVASSED = "I asked the other parents at pick-up whether their girls had sent pictures."


def fresh(concern: Concern) -> Concern:
    return Concern.objects.get(pk=concern.pk)


def handled_in_school(*, school, staff, dsl, deputy, pupils) -> Concern:
    """A concern the school handles itself, as guidance allows: two 9-year-olds swapped
    pictures in their underwear at a sleepover, no adult involved. Of the two other girls
    there, one turns out to be Bella (whose check reads as questioning her) and the other's
    description is passed to the MASH; advice is given to the mother; a note that canvassed
    other parents is flagged and reviewed; no criterion is met, the MASH advises against a
    referral, and the deputy countersigns the decision not to refer."""
    amelia, bella, _ = pupils
    with time_machine.travel(day(1, 9, 30), tick=False):
        concern = record_concern(
            school=school,
            reporter=staff,
            pupils=[amelia],
            categories=("sharing-nudes",),
            disclosed_at=day(1, 9, 0),
            account="She said: 'Amelia and her friends swapped pictures in their pants.'",
            adult_involved="no",
            other_children="yes",
            unnamed_children=[FRIEND, COUSIN],
        )
    friend, cousin = UnnamedChild.objects.filter(concern=concern).order_by("pk")
    with time_machine.travel(day(1, 10), tick=False):
        concern = check_safety(
            concern, by=dsl, spoken_to="Her mother only; the school has listened, nothing more."
        )
    with time_machine.travel(day(1, 10, 15), tick=False):
        services.unnamed_child_identify(
            unnamed=friend,
            by=dsl,
            pupil=bella,
            role=ChildRole.AFFECTED,
            safety=services.SafetyCheckInput(
                safe_now=True,
                notes="Seen in class",
                spoken_to="Her teacher asked her to name the others at the sleepover.",
            ),
        )
    with time_machine.travel(day(1, 10, 30), tick=False):
        services.evidence_item_add(
            concern=concern,
            by=dsl,
            description="Two pictures of the girls in their underwear, sent between phones",
            location="Amelia's phone, photo messages",
            held_by="Mrs Sarah Example (mother)",
        )
        concern = services.concern_preserve_evidence(
            concern=fresh(concern),
            by=dsl,
            version=fresh(concern).version,
            advice_given_by="Dana Lead",
            advice_given_to="Mrs Sarah Example",
            advice_given_at=day(1, 10, 25),
        )
    with time_machine.travel(day(1, 10, 40), tick=False):
        services.advice_record(
            concern=concern,
            by=dsl,
            card=GuidanceCard.objects.get(school=None, key="sharing-nudes-family"),
            given_by="Dana Lead",
            given_to="Mrs Sarah Example (mother)",
            given_at=day(1, 10, 35),
            notes="Leaflet given; not to forward the pictures.",
        )
    with time_machine.travel(day(1, 11), tick=False):
        services.concern_add_note(concern=concern, author=staff, text=CANVASSED)
    with time_machine.travel(day(1, 11, 30), tick=False):
        services.practice_flag_review(
            flag=PracticeFlag.objects.get(concern=concern, source="Note"),
            by=dsl,
            notes="Spoke to Tom: the school listens and does not canvass other parents.",
        )
    with time_machine.travel(day(1, 12), tick=False):
        services.unnamed_child_pass_on(
            unnamed=cousin,
            by=dsl,
            passed_to="Testshire MASH (Jo Duty)",
            passed_at=day(1, 11, 50),
        )
    with time_machine.travel(day(1, 13), tick=False):
        concern = fresh(concern)
        services.concern_assess_criteria(
            concern=concern,
            by=dsl,
            version=concern.version,
            answers={c.key: "no" for c in rules.criteria(concern) if c.asked},
            notes="Pictures in underwear only: no sexual acts, no one coerced.",
        )
    with time_machine.travel(day(1, 14), tick=False):
        concern = fresh(concern)
        services.concern_decide_referral(
            concern=concern,
            by=dsl,
            version=concern.version,
            decision=ReferralDecision.NOT_REFER,
            rationale="No immediate-referral criterion is met; the MASH advised support in "
            "school for both girls.",
            police_not_told_reason="",
            parents_informed=True,
            parents_not_informed_reason="",
            not_referring=services.NotReferring(
                ground=NotReferGround.ADVICE,
                contact="Jo Duty, Testshire MASH",
                contact_at=day(1, 13, 30),
                advice="No referral needed: teach both girls about consent and images.",
            ),
        )
    with time_machine.travel(day(2, 9), tick=False):
        concern = fresh(concern)
        services.concern_countersign(
            concern=concern,
            by=deputy,
            version=concern.version,
            reason="Agreed: no criterion is met, and the MASH advice is recorded.",
        )
    return fresh(concern)


def add_guidance_rows(concern: Concern, *, by) -> None:
    """One of each of the newer records on a concern (at the current time): advice given, a
    child not yet identified whose description is passed on, and a note flagged and reviewed."""
    services.advice_record(
        concern=concern,
        by=by,
        card=GuidanceCard.objects.get(school=None, key="sharing-nudes-family"),
        given_by="Dana Lead",
        given_to="Mrs Sarah Hart (mother)",
        given_at=timezone.now(),
    )
    unnamed = services.unnamed_child_add(concern=concern, by=by, description=COUSIN)
    services.unnamed_child_pass_on(
        unnamed=unnamed, by=by, passed_to="Testshire MASH", passed_at=timezone.now()
    )
    # Written by the reporter, so that `by` reviews it (nobody reviews their own).
    services.concern_add_note(
        concern=concern, author=User.objects.get(pk=concern.reporter_id), text=CANVASSED
    )
    services.practice_flag_review(
        flag=PracticeFlag.objects.get(concern=concern, reviewed_at=None),
        by=by,
        notes="Reminded staff not to canvass other parents.",
    )


@pytest.fixture
def handled(school, staff, dsl, deputy, pupils) -> Concern:
    return handled_in_school(school=school, staff=staff, dsl=dsl, deputy=deputy, pupils=pupils)


@pytest.fixture
def amelia(pupils):
    return pupils[0]


@pytest.fixture
def two_concerns(school, staff, dsl, pupils, amelia):
    """Amelia's first concern (January: the DOMAIN.md case) runs on while a second one, about
    Chloe, names her later (and is corrected); the first is closed last."""
    amelia, bella, chloe = pupils
    with time_machine.travel(day(1, 9, 30), tick=False):
        first = record_concern(
            school=school,
            reporter=staff,
            pupils=[amelia, bella],
            categories=("sharing-nudes", "online-grooming"),
            disclosed_at=day(1, 9, 0),
        )
    with time_machine.travel(day(1, 10), tick=False):
        first = check_safety(first, by=dsl)
    with time_machine.travel(day(1, 10, 30), tick=False):
        first = preserve_evidence(first, by=dsl)
    with time_machine.travel(day(1, 11), tick=False):
        social_care = refer(first, by=dsl)
    with time_machine.travel(day(1, 11, 20), tick=False):
        refer(first, by=dsl, agency=Agency.POLICE, method=Method.PHONE_101, urgent=False)
    with time_machine.travel(day(1, 11, 30), tick=False):
        first = answer_criteria(first, dsl)
    with time_machine.travel(day(1, 11, 40), tick=False):
        first = decide_to_refer(first, by=dsl)
    with time_machine.travel(day(2, 9), tick=False):
        referral_services.referral_confirm_in_writing(
            referral=social_care, by=dsl, confirmed_at=day(2, 8, 45)
        )
    with time_machine.travel(day(2, 16), tick=False):
        referral_services.agency_contact_record(
            referral=social_care,
            by=dsl,
            kind=ContactKind.FOLLOW_UP,
            happened_at=day(2, 15, 30),
            with_whom="MASH duty desk",
            notes="Chased the decision: due tomorrow.",
        )
    with time_machine.travel(day(3, 10), tick=False):
        referral_services.referral_record_feedback(
            referral=social_care,
            by=dsl,
            received_at=day(3, 9, 30),
            outcome=Outcome.CHILD_PROTECTION,
            details="Section 47 enquiry opened.",
        )
    with time_machine.travel(day(3, 11), tick=False):
        first = plan_support(first, by=dsl)
    with time_machine.travel(day(3, 12), tick=False):
        services.concern_add_note(
            concern=first, author=staff, text="Amelia asked to sit with Bella at lunch."
        )

    with time_machine.travel(day(10, 9), tick=False):
        second = record_concern(
            school=school,
            reporter=staff,
            pupils=[chloe],
            categories=("child-on-child",),
            disclosed_at=day(10, 8, 40),
        )
    with time_machine.travel(day(10, 15), tick=False):
        services.concern_add_child(concern=second, by=dsl, pupil=amelia, role=ChildRole.WITNESS)
        second = Concern.objects.get(pk=second.pk)
    with time_machine.travel(day(11, 9), tick=False):
        second = check_safety(second, by=dsl, unsafe=[amelia])
    with time_machine.travel(day(11, 9, 30), tick=False):
        second = check_safety(second, by=dsl, reason="Amelia was in the library, not absent")
    with time_machine.travel(day(12, 10), tick=False):
        second = services.concern_correct_record(
            concern=second,
            by=dsl,
            version=second.version,
            reason="The disclosure was in the playground, not the classroom",
            discloser_type=second.discloser_type,
            discloser_name=second.discloser_name,
            discloser_relationship=second.discloser_relationship,
            disclosed_at=second.disclosed_at,
            location="Playground",
            account=second.account,
            categories=list(second.categories.all()),
            adult_involved=second.adult_involved,
            parent_wishes=second.parent_wishes,
            immediate_danger=second.immediate_danger,
        )

    amelias_support = SupportAction.objects.get(child__concern=first, child__pupil=amelia)
    with time_machine.travel(day(17, 10), tick=False):
        services.support_review_record(
            action=amelias_support,
            by=dsl,
            notes="Much happier; check-ins fortnightly now.",
            next_review_date=day(31, 0).date(),
        )
    with time_machine.travel(day(31, 10), tick=False):
        amelias_support.refresh_from_db()
        services.support_review_record(
            action=amelias_support, by=dsl, notes="No longer needed.", next_review_date=None
        )
        bellas_support = SupportAction.objects.get(child__concern=first, child__pupil=bella)
        services.support_review_record(
            action=bellas_support,
            by=dsl,
            notes="Ended: Bella has moved school.",
            next_review_date=None,
        )
    with time_machine.travel(day(32, 10), tick=False):
        first = services.concern_close(
            concern=first, by=dsl, version=first.version, outcome_summary="Support in place."
        )
    return first, second


def test_the_chronology_spans_both_concerns_in_date_order_with_every_kind_of_event(
    two_concerns, amelia
):
    first, second = two_concerns

    events = chronology_for(amelia)

    seen = [
        (timezone.localtime(e.when).strftime("%d %b %H:%M"), e.concern_reference, e.title)
        for e in events
    ]
    a, b = first.reference, second.reference
    assert seen == [
        ("05 Jan 09:00", a, "Concern raised: Online grooming, Sharing nudes and semi-nudes"),
        ("05 Jan 10:00", a, "Safety check recorded"),
        ("05 Jan 10:30", a, "Evidence step completed"),
        ("05 Jan 10:50", a, "Referral to Testshire MASH"),
        ("05 Jan 11:10", a, "Referral to Police"),
        ("05 Jan 11:30", a, "Immediate-referral questions answered"),
        ("05 Jan 11:40", a, "Referral decision recorded"),
        ("06 Jan 08:45", a, "Referral to Testshire MASH confirmed in writing"),
        ("06 Jan 15:30", a, "Follow-up: the school chased the agency (Testshire MASH)"),
        (
            "07 Jan 09:30",
            a,
            "Feedback from Testshire MASH: Child protection enquiry (section 47)",
        ),
        ("07 Jan 11:00", a, "Support planned"),
        ("07 Jan 11:00", a, "Support action planned"),
        ("07 Jan 12:00", a, "Information added"),
        ("14 Jan 08:40", b, "Concern raised: Child-on-child abuse"),
        ("14 Jan 15:00", b, "Named in the concern"),
        ("15 Jan 09:00", b, "Safety check recorded"),
        ("15 Jan 09:30", b, "Safety check corrected"),
        ("16 Jan 10:00", b, "Record corrected"),
        ("21 Jan 10:00", a, "Support reviewed"),
        ("04 Feb 10:00", a, "Support ended at review"),
        ("05 Feb 10:00", a, "Concern closed"),
    ]
    by_title = {e.title: e for e in events}
    # Each event says what happened, not only that something did.
    assert "Recorded by Tom Teacher" in events[0].detail
    assert "Amelia Hart: the child the concern is about." in events[0].detail
    assert "Dana Lead told Mrs Sarah Hart not to delete anything" in (
        by_title["Evidence step completed"].detail
    )
    assert "Their reference: MASH-2026-0142" in by_title["Referral to Testshire MASH"].detail
    assert "Urgent: to be confirmed in writing" in by_title["Referral to Testshire MASH"].detail
    assert "Parents not told: Social care asked us" in by_title["Referral decision recorded"].detail
    assert "Referred to Children's social care (MASH), Police." in (
        by_title["Referral decision recorded"].detail
    )
    # Whether an adult is involved was not known: that counts as met.
    answered = by_title["Immediate-referral questions answered"]
    assert answered.who == "Dana Lead"
    assert "An adult involved: not known;" in answered.detail
    assert "a child at immediate risk of harm because of the sharing: no." in answered.detail
    assert "Met (not known counts as met): an adult involved." in answered.detail
    assert by_title["Named in the concern"].detail == "Witness"
    assert by_title["Safety check recorded"].who == "Dana Lead"
    assert "Not safe. Action taken" in [e for e in events if e.concern_reference == b][2].detail
    assert by_title["Safety check corrected"].detail.startswith(
        "Corrected: Amelia was in the library, not absent Safe now."
    )
    assert "Changed: where." in by_title["Record corrected"].detail
    assert "Next review 04 Feb 2026" in by_title["Support reviewed"].detail
    assert by_title["Information added"].who == "Tom Teacher"
    assert by_title["Concern closed"].detail == "Support in place."


def test_only_the_childs_own_support_and_referrals_appear(two_concerns, pupils):
    first, _ = two_concerns
    amelia, bella, chloe = pupils

    amelias = chronology_for(amelia)
    bellas = chronology_for(bella)
    chloes = chronology_for(chloe)

    assert [e.detail for e in amelias if e.kind == "support_action"] == [
        "Weekly check-in for Amelia Hart; praised for telling (owner: Pastoral lead)"
    ]
    assert [e.detail for e in bellas if e.kind == "support_action"] == [
        "Weekly check-in for Bella Cole; praised for telling (owner: Pastoral lead)"
    ]
    assert [e.title for e in bellas if e.kind == "support_review"] == ["Support ended at review"]
    # Chloe is named only in the second concern, which was never referred.
    assert [e.title for e in chloes if e.kind == "referral"] == []
    assert {e.concern_reference for e in bellas} == {first.reference}


def test_the_chronology_carries_advice_criteria_grounds_countersignature_and_other_children(
    handled, amelia
):
    events = chronology_for(amelia)

    seen = [(timezone.localtime(e.when).strftime("%d %b %H:%M"), e.title) for e in events]
    assert seen == [
        ("05 Jan 09:00", "Concern raised: Sharing nudes and semi-nudes"),
        ("05 Jan 09:30", "Child not yet identified described"),
        ("05 Jan 09:30", "Child not yet identified described"),
        ("05 Jan 10:00", "Safety check recorded"),
        ("05 Jan 10:15", "Child not yet identified: now identified"),
        ("05 Jan 10:30", "Evidence step completed"),
        ("05 Jan 10:35", "Advice given: Sharing nudes and semi-nudes"),
        ("05 Jan 11:00", "Information added"),
        ("05 Jan 11:00", "Entry flagged for review: Other parents asked or told"),
        ("05 Jan 11:30", "Flagged entry reviewed"),
        (
            "05 Jan 11:50",
            "What is known of a child not yet identified passed to Testshire MASH (Jo Duty)",
        ),
        ("05 Jan 13:00", "Immediate-referral questions answered"),
        ("05 Jan 14:00", "Referral decision recorded"),
        ("06 Jan 09:00", "Decision not to refer countersigned"),
    ]
    by_title = {e.title: e for e in events}
    described = [e for e in events if e.kind == "unnamed_child"]
    assert [e.detail for e in described] == [f"“{FRIEND}”", f"“{COUSIN}”"]
    assert {e.who for e in described} == {"Tom Teacher"}
    advice = by_title["Advice given: Sharing nudes and semi-nudes"]
    assert advice.detail == (
        "By Dana Lead to Mrs Sarah Example (mother). Leaflet given; not to forward the pictures."
    )
    assert advice.who == "Dana Lead"
    flagged = by_title["Entry flagged for review: Other parents asked or told"]
    assert flagged.detail == f"Note, written by Tom Teacher: “{CANVASSED}”"
    reviewed = by_title["Flagged entry reviewed"]
    assert reviewed.detail.startswith("Spoke to Tom: the school listens")
    assert reviewed.who == "Dana Lead"
    passed = next(e for e in events if e.kind == "unnamed_passed_on")
    assert passed.detail == f"“{COUSIN}”: passed on for them to establish who the child is."
    answered = by_title["Immediate-referral questions answered"]
    assert answered.detail.startswith("An adult involved: no; coerced, blackmailed or groomed")
    assert "None is met. Notes: Pictures in underwear only" in answered.detail
    decision = by_title["Referral decision recorded"].detail
    assert decision.startswith(
        "Not referred. Ground: Children's social care or the police advised that no referral "
        "is needed. Advised by Jo Duty, Testshire MASH, 05 Jan 2026, 13:30: “No referral "
        "needed: teach both girls about consent and images.”. Reasons: No immediate-referral"
    )
    countersigned = by_title["Decision not to refer countersigned"]
    assert countersigned.detail == "Agreed: no criterion is met, and the MASH advice is recorded."
    assert countersigned.who == "Dev Deputy"


def test_another_child_is_not_named_in_this_childs_chronology(handled, amelia):
    # Bella was first described, then identified, and her safety check was flagged: all of
    # it belongs in her file, not Amelia's (which goes with Amelia to a new school).
    events = chronology_for(amelia)

    assert not [e for e in events if "Bella" in e.title + e.detail]
    identified = [e for e in events if e.kind == "unnamed_identified"]
    assert [e.detail for e in identified] == [f"“{FRIEND}” is now named in the concern."]


def test_the_child_identified_later_has_their_description_and_flagged_check_in_their_file(
    handled, pupils
):
    bella = pupils[1]

    events = chronology_for(bella)

    titles = [e.title for e in events]
    assert "Named in the concern" in titles
    assert "Identified as Bella Cole" in titles
    identified = next(e for e in events if e.title == "Identified as Bella Cole")
    assert identified.detail == f"Described before being identified as “{FRIEND}”."
    flagged = next(e for e in events if e.title.startswith("Entry flagged"))
    assert flagged.title == "Entry flagged for review: A child questioned or interviewed"
    assert flagged.detail.startswith("Safety check: Bella Cole, written by Dana Lead: “Her teacher")


def test_the_chronology_page_shows_the_new_events(dsl, handled, amelia):
    text = page_text(signed_in(dsl).get(chronology_url(amelia)))

    assert "Advice given: Sharing nudes and semi-nudes" in text
    assert "Immediate-referral questions answered" in text
    assert "Ground: Children's social care or the police advised that no referral is needed" in text
    assert "Decision not to refer countersigned" in text
    assert "By Dev Deputy" in text
    assert f"“{COUSIN}”" in text
    assert "Entry flagged for review: Other parents asked or told" in text
    assert "Flagged entry reviewed" in text


# The concern's history: every row of every record in it, with who and why.


def test_the_history_shows_every_row_of_the_new_records_with_who_and_why(dsl, handled):
    text = page_text(signed_in(dsl).get(reverse("concerns:history", args=[handled.uuid])))

    # Children not yet identified: described, then identified or passed on.
    friend, cousin = (
        f"Child not yet identified (“{FRIEND}”)",
        f"Child not yet identified (“{COUSIN}”)",
    )
    assert f"{friend}: added" in text and f"{cousin}: added" in text
    assert text.count("by Tom Teacher. Reason: Child described when the concern was recorded") == 2
    assert f"{friend}: changed" in text
    assert "by Dana Lead. Reason: Identified as Bella Cole" in text
    assert "Identified as – Bella Cole" in text
    assert f"{cousin}: changed" in text
    assert "by Dana Lead. Reason: Passed to Testshire MASH (Jo Duty) to identify" in text
    assert "Identities passed to – Testshire MASH (Jo Duty)" in text
    # The advice given.
    assert "Advice given: Sharing nudes and semi-nudes: added" in text
    assert "by Dana Lead. Reason: Advice given: Sharing nudes and semi-nudes" in text
    assert "Given to – Mrs Sarah Example (mother)" in text
    # Flags raised (by whoever wrote the entry) and reviewed.
    assert "Entry flagged for review: Other parents asked or told: added" in text
    assert "by Tom Teacher. Reason: Flagged for review: other parents asked or told" in text
    assert f"What was written – {CANVASSED}" in text
    assert "Entry flagged for review: Other parents asked or told: changed" in text
    assert "by Dana Lead. Reason: Flag reviewed" in text
    assert "What the review found – Spoke to Tom" in text
    assert "Entry flagged for review: A child questioned or interviewed: added" in text
    # The concern: the criteria, the ground and the countersignature, in words.
    assert "Reason: Immediate-referral questions answered" in text
    assert (
        "Does what is known of the images suggest sexual acts unusual for the child's "
        "developmental stage, or violence? – No"
    ) in text
    assert (
        "Ground for not referring – Children's social care or the police advised that no "
        "referral is needed"
    ) in text
    assert "Who advised, or the child's social worker – Jo Duty, Testshire MASH" in text
    assert "by Dev Deputy. Reason: Decision not to refer countersigned" in text
    assert "Countersigned by – Dev Deputy" in text
    assert "Countersigner's reason – Agreed: no criterion is met" in text
    # Who has spoken to each child.
    assert "Who has spoken to the child, and why – Her teacher asked her to name the others" in text
    # Newest first.
    assert text.index("Decision not to refer countersigned") < text.index(
        "Reason: Immediate-referral questions answered"
    )


def test_a_child_in_no_concern_has_an_empty_chronology(school):
    assert chronology_for(PupilFactory(school=school)) == []


# The page.


def chronology_url(pupil) -> str:
    return reverse("concerns:chronology", args=[pupil.uuid])


def test_the_dsl_reads_the_chronology_with_links_into_each_concern(dsl, two_concerns, amelia):
    first, second = two_concerns

    response = signed_in(dsl).get(chronology_url(amelia))

    assert response.status_code == 200
    text = page_text(response)
    assert "Chronology: Amelia Hart" in text
    assert text.index("Concern raised: Online grooming") < text.index("Record corrected")
    assert text.index("Record corrected") < text.index("Concern closed")
    body = response.content.decode()
    assert f'href="{reverse("concerns:detail", args=[first.uuid])}"' in body
    assert f'href="{reverse("concerns:detail", args=[second.uuid])}"' in body
    assert reverse("concerns:chronology_pdf", args=[amelia.uuid]) in body


def test_the_deputy_reads_the_chronology_too(deputy, two_concerns, amelia):
    response = signed_in(deputy).get(chronology_url(amelia))

    assert response.status_code == 200
    assert "Chronology: Amelia Hart" in page_text(response)


@pytest.mark.parametrize("persona", ["staff", "governor", "school_admin"])
def test_only_the_dsl_team_sees_a_chronology(request, persona, two_concerns, amelia):
    # Tom (staff) raised both concerns, and still may not see Amelia's whole file.
    user = request.getfixturevalue(persona)

    response = signed_in(user).get(chronology_url(amelia))

    assert response.status_code == 403
    assert "Amelia" not in page_text(response)


def test_another_schools_dsl_gets_not_found(other_dsl, two_concerns, amelia):
    response = signed_in(other_dsl).get(chronology_url(amelia))

    assert response.status_code == 404
    assert "Amelia" not in page_text(response)


def test_an_unknown_pupil_is_not_found(dsl):
    response = signed_in(dsl).get(reverse("concerns:chronology", args=[uuid.uuid4()]))

    assert response.status_code == 404


def test_signing_in_comes_first(client, amelia):
    address = chronology_url(amelia)

    response = client.get(address)

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={address}"


def test_the_chronology_page_refuses_a_post(dsl, amelia):
    response = signed_in(dsl).post(chronology_url(amelia))

    assert response.status_code == 405


def test_the_concern_page_links_each_child_to_their_chronology_for_the_dsl_team_only(
    dsl, staff, two_concerns, pupils
):
    first, _ = two_concerns

    as_dsl = signed_in(dsl).get(reverse("concerns:detail", args=[first.uuid])).content.decode()
    as_reporter = signed_in(staff).get(reverse("concerns:detail", args=[first.uuid]))

    for pupil in pupils[:2]:
        assert f'href="{chronology_url(pupil)}"' in as_dsl
        assert chronology_url(pupil) not in as_reporter.content.decode()
    assert "Amelia Hart" in page_text(as_reporter)


def test_the_chronology_page_costs_the_same_for_1_concern_as_for_3(
    dsl, school, staff, pupils, django_assert_num_queries
):
    amelia = pupils[0]
    client = signed_in(dsl)

    def worked_through_with_guidance_rows():
        concern = work_through(record_concern(school=school, reporter=staff, pupils=pupils), by=dsl)
        add_guidance_rows(concern, by=dsl)

    worked_through_with_guidance_rows()

    # EVERY_PAGE (session, user, and at the end the navigation's memberships), plus:
    #   - the pupil, with their school (pupil_for)
    #   - the user's membership at the pupil's school (pupil_for: DSL team?)
    #   - the child's links to concerns, with each concern, its reporter and who named them
    #   - the categories of those concerns
    #   - the child's own history rows (safety checks and their corrections), with users
    #   - the concerns' history rows (steps and corrections), with users
    #   - the referrals covering the child, with who made them
    #   - the agency contacts about those referrals, with who recorded them
    #   - the child's support actions, with their link and who planned them
    #   - the reviews of those support actions, with the reviewers
    #   - the notes added to those concerns, with their authors
    #   - the advice given on those concerns, with each card and who recorded it
    #   - the children not yet identified in them, with who described, identified or passed
    #     them on (and the child each was identified as)
    #   - the entries flagged on them, with who wrote and who reviewed each
    #   - log the read (INSERT)
    #   - the files accepted for the child from earlier schools (casework.hooks.earlier_parts)
    #   - when each of the child's concerns was raised (the years to choose between)
    expected = EVERY_PAGE + 2 + 12 + 1 + 1 + 1
    with django_assert_num_queries(expected):
        one = client.get(chronology_url(amelia))

    for _ in range(2):
        worked_through_with_guidance_rows()
    with django_assert_num_queries(expected):
        three = client.get(chronology_url(amelia))

    assert page_text(one).count("Feedback from Testshire MASH") == 1
    assert page_text(three).count("Feedback from Testshire MASH") == 3
    assert page_text(three).count("Support reviewed") == 3
    assert page_text(three).count("Mother rang: Amelia sleeping better.") == 3
    assert page_text(three).count("Advice given: Sharing nudes and semi-nudes") == 3
    assert page_text(three).count("Child not yet identified described") == 3
    assert page_text(three).count("Flagged entry reviewed") == 3


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2026, 3, 1, 9, 5, tzinfo=datetime.UTC),  # GMT
        datetime.datetime(2026, 7, 14, 23, 30, tzinfo=datetime.UTC),  # BST: the next day
    ],
)
def test_an_events_time_reads_as_the_date_filter_would_write_it(moment):
    event = Event(moment, "note", "Information added", "", "SG-2026-0001", uuid.uuid4())

    assert event.when_text == date_filter(timezone.localtime(moment), "j M Y, H:i")


def test_the_history_in_a_childs_file_leaves_out_another_childs_check_and_name(
    handled, amelia, pupils
):
    # The history that goes with Amelia to a new school (transfers.document): Bella's own
    # records, and the flag quoting her safety check, are hers.
    entries = concern_history(handled, for_pupil=amelia)
    text = " ".join(
        f"{e.subject} {e.reason} " + " ".join(f"{c.label} {c.old} {c.new}" for c in e.changes)
        for e in entries
    )
    assert "Bella" not in text
    assert "Her teacher" not in text
    assert any(e.subject.startswith("Entry flagged") for e in entries), "Amelia's own flags stay"
    # The school's own history of the concern still has it all.
    everything = concern_history(handled)
    assert any("Bella" in e.subject for e in everything)


# --- By school year -------------------------------------------------------------------------


def at(year: int, month: int, day_of_month: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(year, month, day_of_month, hour, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def three_years(school, staff, dsl, amelia):
    """Amelia's file over three school years: a concern raised in October 2024 and checked
    then, whose evidence step and a note come a year later; a concern raised and worked
    through in November 2025; and one raised this year (2026 to 2027)."""
    with time_machine.travel(at(2024, 10, 7), tick=False):
        first = record_concern(school=school, reporter=staff, pupils=[amelia])
        first = check_safety(first, by=dsl)
    with time_machine.travel(at(2025, 10, 6), tick=False):
        first = preserve_evidence(fresh(first), by=dsl)
        services.concern_add_note(concern=first, author=dsl, text="Mother rang a year on.")
    with time_machine.travel(at(2025, 11, 3), tick=False):
        second = work_through(
            record_concern(school=school, reporter=staff, pupils=[amelia]), by=dsl
        )
    with time_machine.travel(at(2026, 10, 5), tick=False):
        third = record_concern(school=school, reporter=staff, pupils=[amelia])
    return first, second, third


def test_the_years_together_hold_the_whole_file_and_nothing_twice(three_years, amelia):
    whole = chronology_for(amelia)
    by_year = [
        event
        for year in (2024, 2025, 2026)
        for event in chronology_for(amelia, academic_year(year))
    ]

    assert by_year == whole
    assert {event.when.year for event in whole} == {2024, 2025, 2026}


def test_a_year_shows_what_happened_in_it_whichever_concern_it_belongs_to(dsl, three_years, amelia):
    first, second, third = three_years
    client = signed_in(dsl)

    year_2024 = page_text(client.get(chronology_url(amelia) + "?year=2024"))
    year_2025 = page_text(client.get(chronology_url(amelia) + "?year=2025"))

    assert "Shown: 2024 to 2025, from 1 September 2024 to 31 August 2025" in year_2024
    assert "Safety check recorded" in year_2024
    assert "Evidence step completed" not in year_2024
    assert "Mother rang a year on." not in year_2024
    assert second.reference not in year_2024 and third.reference not in year_2024
    # The first concern's evidence step and note, a year on, are in the year they happened,
    # beside the second concern's events.
    assert "Mother rang a year on." in year_2025
    assert year_2025.count("Evidence step completed") == 2
    assert first.reference in year_2025 and second.reference in year_2025
    assert third.reference not in year_2025


def test_the_years_are_listed_with_the_concerns_raised_in_each(dsl, three_years, amelia):
    text = page_text(signed_in(dsl).get(chronology_url(amelia) + "?year=2025"))

    assert "By school year" in text
    assert "2024 to 2025 : 1 concern raised" in text
    assert "2025 to 2026 : 1 concern raised" in text
    assert "2026 to 2027 : 1 concern raised" in text
    assert "The whole file" in text


def test_a_short_file_opens_whole_and_a_long_one_at_its_latest_year(
    dsl, three_years, amelia, monkeypatch
):
    first, second, third = three_years
    client = signed_in(dsl)

    whole = page_text(client.get(chronology_url(amelia)))
    assert all(c.reference in whole for c in three_years)

    monkeypatch.setattr(chronology, "WHOLE_FILE_UP_TO", 2)
    latest = page_text(client.get(chronology_url(amelia)))
    assert "Shown: 2026 to 2027" in latest
    assert third.reference in latest
    assert first.reference not in latest and second.reference not in latest
    # The whole file is still one link away.
    assert all(
        c.reference in page_text(client.get(chronology_url(amelia) + "?year=all"))
        for c in three_years
    )


def test_a_year_with_nothing_in_it_says_so(dsl, school, staff, amelia):
    with time_machine.travel(at(2024, 10, 7), tick=False):
        record_concern(school=school, reporter=staff, pupils=[amelia])

    text = page_text(signed_in(dsl).get(chronology_url(amelia) + "?year=2025"))

    assert "2025 to 2026 : no concern raised" in text
    assert "Nothing was recorded about Amelia Hart in 2025 to 2026." in text


@pytest.mark.parametrize("year", ["2019", "2030", "last", ""])
def test_a_year_outside_the_file_is_not_found(dsl, three_years, amelia, year):
    assert signed_in(dsl).get(chronology_url(amelia) + f"?year={year}").status_code == 404


def test_a_years_page_costs_the_same_for_1_concern_in_it_as_for_3(
    dsl, school, staff, amelia, django_assert_num_queries
):
    """A year reads only the rows that can hold its events: the concerns' history in it and
    each concern's last row before it, not the file's earlier years."""
    with time_machine.travel(at(2024, 10, 7), tick=False):
        work_through(record_concern(school=school, reporter=staff, pupils=[amelia]), by=dsl)
    client = signed_in(dsl)
    this_year = chronology_url(amelia) + "?year=2026"
    work_through(record_concern(school=school, reporter=staff, pupils=[amelia]), by=dsl)

    # As the whole file (test above), and each concern's last history row before the year.
    expected = EVERY_PAGE + 2 + 12 + 1 + 1 + 1 + 1
    with django_assert_num_queries(expected):
        one = client.get(this_year)
    for _ in range(2):
        work_through(record_concern(school=school, reporter=staff, pupils=[amelia]), by=dsl)
    with django_assert_num_queries(expected):
        three = client.get(this_year)

    assert page_text(one).count("Feedback from Testshire MASH") == 1
    assert page_text(three).count("Feedback from Testshire MASH") == 3
