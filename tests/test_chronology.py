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

from concerns import services
from concerns.chronology import Event, chronology_for
from concerns.models import (
    Agency,
    ChildRole,
    Concern,
    ConcernChild,
    FollowUpKind,
    ReferralDecision,
    SupportAction,
)
from referrals import services as referral_services
from referrals.models import Consent, ContactKind, Method, Outcome
from tests.factories import PupilFactory, record_concern
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


def check_safety(concern: Concern, *, by, unsafe=(), reason="") -> Concern:
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
                )
            )
        else:
            checks.append(
                services.SafetyCheckInput(
                    child=child, safe_now=True, notes=f"{child.pupil.full_name} seen in class"
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
    work_through(record_concern(school=school, reporter=staff, pupils=pupils), by=dsl)

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
    #   - log the read (INSERT)
    expected = EVERY_PAGE + 2 + 9 + 1
    with django_assert_num_queries(expected):
        one = client.get(chronology_url(amelia))

    for _ in range(2):
        work_through(record_concern(school=school, reporter=staff, pupils=pupils), by=dsl)
    with django_assert_num_queries(expected):
        three = client.get(chronology_url(amelia))

    assert page_text(one).count("Feedback from Testshire MASH") == 1
    assert page_text(three).count("Feedback from Testshire MASH") == 3
    assert page_text(three).count("Support reviewed") == 3
    assert page_text(three).count("Mother rang: Amelia sleeping better.") == 3


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
