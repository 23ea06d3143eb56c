"""Pages cost a fixed number of queries, however many concerns, children, notes or history rows.

Each count is pinned with the queries named, so a change that adds one has to say which.
Every signed-in page starts with the same two and ends with the navigation's:
  - the session
  - the signed-in user
  - ...the page's own queries...
  - the user's memberships, with their schools (the navigation: Concerns, Record a concern)
"""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from concerns import services
from concerns.models import Agency, Concern, GuidanceCard, PracticeFlag, Step
from referrals import services as referral_services
from referrals.models import ContactKind, Referral
from referrals.pdf import referral_document
from schools.models import User
from tests.factories import PupilFactory, answer_criteria, record_concern, record_referral
from tests.test_views_concerns import (
    attach_pdf,
    bring_to,
    page_text,
    signed_in,
)
from tests.test_views_rules import decide_not_to_refer

# session, user, memberships for the navigation
EVERY_PAGE = 3


def add_contacts(referral: Referral, *by) -> None:
    for number, user in enumerate(by, start=1):
        referral_services.agency_contact_record(
            referral=referral,
            by=user,
            kind=ContactKind.FOLLOW_UP,
            happened_at=timezone.now(),
            notes=f"Contact number {number}",
        )


def add_notes(concern: Concern, *authors) -> None:
    for number, author in enumerate(authors, start=1):
        services.concern_add_note(concern=concern, author=author, text=f"Note {number}")


def add_guidance_rows(concern: Concern, by, *, count: int) -> None:
    """`count` each of: advice given, children not yet identified (passed on to the MASH, so
    the concern can still close), and notes flagged as investigating and then reviewed."""
    card = GuidanceCard.objects.get(school=None, key="sharing-nudes-family")
    for number in range(1, count + 1):
        services.advice_record(
            concern=concern,
            by=by,
            card=card,
            given_by="Dana Lead",
            given_to=f"Parent {number}",
            given_at=timezone.now(),
        )
        unnamed = services.unnamed_child_add(
            concern=concern, by=by, description=f"Friend {number} at the sleepover"
        )
        services.unnamed_child_pass_on(
            unnamed=unnamed, by=by, passed_to="Testshire MASH", passed_at=timezone.now()
        )
        # Written by the reporter, so that `by` reviews it (nobody reviews their own).
        services.concern_add_note(
            concern=concern,
            author=User.objects.get(pk=concern.reporter_id),
            text=f"Note {number}: I asked the other parents.",
        )
        services.practice_flag_review(
            flag=PracticeFlag.objects.get(concern=concern, reviewed_at=None),
            by=by,
            notes="The school does not canvass other parents.",
        )


@pytest.fixture
def dsl_client(dsl):
    return signed_in(dsl)


def test_the_concern_list_costs_the_same_for_3_concerns_as_for_10(
    dsl_client, school, staff, other_staff, pupils, django_assert_num_queries
):
    def record(count):
        for number in range(count):
            reporter = staff if number % 2 else other_staff
            record_concern(school=school, reporter=reporter, pupils=pupils[number % 3 :][:1])

    # EVERY_PAGE, plus:
    #   - the user's memberships (may their role see concerns at all?)
    #   - the concerns they may see, with school and reporter joined
    expected = EVERY_PAGE + 2
    record(3)
    with django_assert_num_queries(expected):
        three = dsl_client.get(reverse("concerns:list"))
    record(7)
    with django_assert_num_queries(expected):
        ten = dsl_client.get(reverse("concerns:list"))

    assert page_text(three).count("Olive Other") + page_text(three).count("Tom Teacher") == 3
    assert page_text(ten).count("Olive Other") + page_text(ten).count("Tom Teacher") == 10


def test_the_concern_detail_costs_the_same_for_1_child_as_for_3_with_notes_and_support(
    dsl_client, school, staff, dsl, deputy, pupils, django_assert_num_queries
):
    recorded = record_concern(school=school, reporter=staff, pupils=pupils[:1])
    small = bring_to(
        Step.SUPPORT_PLANNED,
        record_concern(school=school, reporter=staff, pupils=pupils[:1]),
        by=dsl,
    )
    large = record_concern(school=school, reporter=staff, pupils=pupils)
    large = bring_to(Step.SUPPORT_PLANNED, large, by=dsl)
    attach_pdf(large, by=deputy)
    add_notes(large, staff, dsl, deputy)
    add_guidance_rows(large, dsl, count=3)

    # EVERY_PAGE, plus:
    #   - the concern, with school and reporter joined
    #   - the user's membership at the concern's school (may they see it, manage it?)
    #   - log the read (INSERT)
    #   - the categories (prefetched once: the page and every rule below read them)
    #   - the children, with pupil, who added them and who checked their safety
    #   - the notes, with their authors
    #   - the evidence items
    #   - the attachments, with who uploaded them
    #   - the support actions, with each child and pupil
    #   - the school-wide follow-ups
    #   - the referrals
    #   - the children not yet identified, with whom each was identified as
    #   - the advice given, with each card
    #   - the flagged entries, with who raised and who reviewed them
    #   - what is still to settle (services.open_items): the agencies referred to; the
    #     immediate-referral questions (rules.decision_problems): the children with their
    #     pupils (whether a child is not yet identified is asked only when no named child
    #     is under 13, and here all are 9); the children not yet identified; the flagged
    #     entries not yet reviewed (counted)
    #   - the immediate-referral questions shown on the page (rules.criteria: the children)
    #   - the school's DSL team with the assignee and acknowledger (the triage section)
    decided = EVERY_PAGE + 14 + (1 + 1 + 1 + 1) + 1 + 1
    with django_assert_num_queries(decided):
        one_child = dsl_client.get(reverse("concerns:detail", args=[small.uuid]))
    with django_assert_num_queries(decided):
        three_children = dsl_client.get(reverse("concerns:detail", args=[large.uuid]))
    # Not yet decided: no agencies, and no decision to hold to the questions.
    with django_assert_num_queries(decided - 2):
        just_recorded = dsl_client.get(reverse("concerns:detail", args=[recorded.uuid]))

    assert "Nothing has been added." in page_text(one_child)
    assert "Nothing has been added." in page_text(just_recorded)
    text = page_text(three_children)
    assert all(f"Note {n}" in text for n in (1, 2, 3))
    assert all(name in text for name in ("Amelia Hart", "Bella Cole", "Chloe Dunn"))
    assert text.count("Given by Dana Lead to Parent") == 3
    assert text.count("passed to Testshire MASH to identify") == 3
    assert text.count("Review by Dana Lead") == 3


def test_the_concern_detail_of_a_decision_not_to_refer_names_who_decided_and_countersigned(
    dsl_client, school, staff, dsl, deputy, pupils, django_assert_num_queries
):
    def not_referred(children, *, countersign):
        concern = record_concern(
            school=school, reporter=staff, pupils=children, adult_involved="no"
        )
        concern = answer_criteria(bring_to(Step.EVIDENCE_PRESERVED, concern, by=dsl), dsl)
        concern = decide_not_to_refer(concern, by=dsl)
        if countersign:
            services.concern_countersign(
                concern=concern, by=deputy, version=concern.version, reason="I agree."
            )
        return concern

    small = not_referred(pupils[:1], countersign=False)
    large = not_referred(pupils, countersign=False)
    signed = not_referred(pupils, countersign=True)

    # As for a referred concern (above), plus:
    #   - who decided and who countersigned (one query for both)
    #   - whether the decision awaits a countersignature (rules.indicators asks the
    #     immediate-referral questions again: the children)
    expected = EVERY_PAGE + 14 + (1 + 1 + 1 + 1) + 1 + 1 + 1 + 1
    with django_assert_num_queries(expected):
        one = dsl_client.get(reverse("concerns:detail", args=[small.uuid]))
    with django_assert_num_queries(expected):
        three = dsl_client.get(reverse("concerns:detail", args=[large.uuid]))
    # Once countersigned, nothing awaits: the questions are not asked again for that.
    with django_assert_num_queries(expected - 1):
        countersigned = dsl_client.get(reverse("concerns:detail", args=[signed.uuid]))

    for page in (one, three):
        assert "Countersigned Awaiting countersignature" in page_text(page)
    assert "Countersigned By Dev Deputy" in page_text(countersigned)
    assert "awaiting a countersignature" not in page_text(countersigned)


def test_the_history_costs_the_same_after_the_whole_workflow_as_when_just_recorded(
    dsl_client, school, staff, dsl, deputy, pupils, django_assert_num_queries
):
    recorded = record_concern(school=school, reporter=staff, pupils=pupils[:1])
    worked = record_concern(school=school, reporter=staff, pupils=pupils)
    attach_pdf(worked, by=deputy)
    add_notes(worked, staff, deputy)
    worked = bring_to(Step.SUPPORT_PLANNED, answer_criteria(worked, dsl), by=dsl)
    add_guidance_rows(worked, dsl, count=2)
    worked = Concern.objects.get(pk=worked.pk)
    worked = services.concern_close(
        concern=worked, by=dsl, version=worked.version, outcome_summary="Support in place."
    )

    # EVERY_PAGE, plus:
    #   - the concern, with school and reporter joined
    #   - the user's membership at the concern's school
    #   - history rows of: the concern, its children, evidence items, attachments, support
    #     actions, school-wide follow-ups, notes, children not yet identified, advice given
    #     (with each card) and flagged entries (10 queries, each with its history user)
    #   - the names of every user the rows mention
    #   - the names of the pupils named
    #   - the names of the categories
    #   - which categories each version of the concern had
    #   - the PDFs exported with the concern or its children in them, with who made them
    #   - log the read (INSERT)
    expected = EVERY_PAGE + 2 + 10 + 4 + 1 + 1
    with django_assert_num_queries(expected):
        short = dsl_client.get(reverse("concerns:history", args=[recorded.uuid]))
    with django_assert_num_queries(expected):
        long = dsl_client.get(reverse("concerns:history", args=[worked.uuid]))

    assert "Reason: Concern closed" not in page_text(short)
    text = page_text(long)
    assert "by Dana Lead. Reason: Concern closed" in text
    assert "by Dev Deputy. Reason: Information added" in text
    assert text.count("Advice given: Sharing nudes and semi-nudes: added") == 2
    assert text.count("Reason: Passed to Testshire MASH to identify") == 2
    assert text.count("Reason: Flag reviewed") == 2


def test_the_referral_step_costs_the_same_for_1_referral_as_for_3(
    dsl_client, school, staff, dsl, pupils, django_assert_num_queries
):
    small = bring_to(
        Step.EVIDENCE_PRESERVED,
        record_concern(school=school, reporter=staff, pupils=pupils[:1]),
        by=dsl,
    )
    record_referral(small, dsl, Agency.SOCIAL_CARE)
    large = bring_to(
        Step.EVIDENCE_PRESERVED,
        record_concern(school=school, reporter=staff, pupils=pupils),
        by=dsl,
    )
    for agency in (Agency.SOCIAL_CARE, Agency.POLICE, Agency.CEOP):
        record_referral(large, dsl, agency)

    # EVERY_PAGE, plus:
    #   - the concern, with school and reporter joined
    #   - the user's membership at the concern's school
    #   - the categories (prefetched once: whether the police must be told, and every rule)
    #   - the referrals, with who made them
    #   - the children they cover, with their pupils (one query for all the referrals)
    #   - the immediate-referral questions (rules.criteria): the children with their pupils
    #     (whether a child is not yet identified is asked only when none is under 13)
    #   - the children's ages again, for the note beside the under-13 question, and
    #     whether a child is not yet identified (the note says so too)
    #   - why not referring would need a countersignature (rules.indicators asks the
    #     questions again: the children)
    #   - the guidance cards for the concern's categories
    expected = EVERY_PAGE + 5 + 1 + 2 + 1 + 1
    with django_assert_num_queries(expected):
        one = dsl_client.get(reverse("concerns:referral", args=[small.uuid]))
    with django_assert_num_queries(expected):
        three = dsl_client.get(reverse("concerns:referral", args=[large.uuid]))

    assert page_text(one).count("View the referral to") == 1
    assert page_text(three).count("View the referral to") == 3
    assert "Amelia Hart Bella Cole Chloe Dunn View the referral to CEOP" in page_text(three)
    assert "Under 13 when this was disclosed: Amelia Hart (9), Bella Cole (9)" in page_text(three)


def test_the_referral_step_awaiting_a_countersignature_costs_the_same_for_1_child_as_for_3(
    school, staff, dsl, deputy, pupils, django_assert_num_queries
):
    def not_referred(children):
        concern = record_concern(
            school=school, reporter=staff, pupils=children, adult_involved="no"
        )
        concern = answer_criteria(bring_to(Step.EVIDENCE_PRESERVED, concern, by=dsl), dsl)
        return decide_not_to_refer(concern, by=dsl)

    small, large = not_referred(pupils[:1]), not_referred(pupils)
    client = signed_in(deputy)

    # EVERY_PAGE, plus:
    #   - the concern, with school and reporter joined
    #   - the user's membership at the concern's school
    #   - the categories (prefetched once)
    #   - the referrals (none: so no query for the children they cover)
    #   - the immediate-referral questions (rules.criteria: the children, as above)
    #   - whether the decision awaits a countersignature (rules.indicators: the children)
    #   - who decided (and who countersigned: one query for both)
    #   - the children's ages again, for the note beside the under-13 question, and
    #     whether a child is not yet identified (the note says so too)
    #   - why not referring needs a countersignature (rules.indicators again: the children)
    #   - the guidance cards for the concern's categories
    expected = EVERY_PAGE + 4 + 1 + 1 + 1 + 2 + 1 + 1
    with django_assert_num_queries(expected):
        one = client.get(reverse("concerns:referral", args=[small.uuid]))
    with django_assert_num_queries(expected):
        three = client.get(reverse("concerns:referral", args=[large.uuid]))

    for page in (one, three):
        assert "Dana Lead decided not to refer" in page_text(page)
        assert "Countersign the decision" in page_text(page)


def test_the_referral_page_costs_the_same_for_1_child_and_contact_as_for_3(
    dsl_client, school, staff, dsl, deputy, pupils, django_assert_num_queries
):
    small = record_referral(record_concern(school=school, reporter=staff, pupils=pupils[:1]), dsl)
    add_contacts(small, dsl)
    large = record_referral(
        record_concern(school=school, reporter=staff, pupils=pupils), dsl, urgent=True
    )
    add_contacts(large, dsl, deputy, staff)

    # EVERY_PAGE, plus:
    #   - the referral, with who made and recorded it (and its concern's UUID)
    #   - the concern, with school and reporter joined
    #   - the user's membership at the concern's school
    #   - the children it covers, with their pupils
    #   - the concern's children not yet identified
    #   - its follow-ups, escalations and updates, with who recorded them
    #   - log the read (INSERT)
    expected = EVERY_PAGE + 7
    with django_assert_num_queries(expected):
        one = dsl_client.get(reverse("referrals:detail", args=[small.uuid]))
    with django_assert_num_queries(expected):
        three = dsl_client.get(reverse("referrals:detail", args=[large.uuid]))

    assert page_text(one).count("Contact number") == 1
    text = page_text(three)
    assert text.count("Contact number") == 3
    assert all(name in text for name in ("Amelia Hart", "Bella Cole", "Chloe Dunn"))


def test_the_referral_pdf_costs_the_same_for_1_child_as_for_3_with_every_kind_of_row(
    school, staff, dsl, deputy, pupils, django_assert_num_queries
):
    small = answer_criteria(record_concern(school=school, reporter=staff, pupils=pupils[:1]), dsl)
    small = bring_to(Step.REFERRAL_DECIDED, small, by=dsl)
    large = answer_criteria(record_concern(school=school, reporter=staff, pupils=pupils), dsl)
    large = bring_to(Step.SUPPORT_PLANNED, large, by=dsl)
    add_guidance_rows(large, dsl, count=3)
    add_contacts(large.referrals.first(), dsl, deputy)

    def document(concern):
        doc = referral_document(concern, by=dsl, now=timezone.now())
        # The HTML WeasyPrint lays out: a lazy load in the template would show here.
        return render_to_string("referrals/pdf/referral.html", {"doc": doc})

    # The document's own queries (no page around it):
    #   - the concern, with school, reporter, who decided, countersigned and answered the
    #     immediate-referral questions
    #   - the children, with pupil and who checked their safety
    #   - the children not yet identified, with who described and who passed them on
    #   - the categories
    #   - the children's parents and carers
    #   - the referrals, with who made them
    #   - the children each referral covers (one query for all the referrals)
    #   - the support actions
    #   - the evidence items
    #   - the referrer's membership at the school (their role)
    #   - the agency contacts, with their referral and who recorded them
    #   - the advice given, with each card
    #   - the immediate-referral questions (rules.criteria): the children with their pupils
    #     (whether a child is not yet identified is asked only when none is under 13)
    expected = 12 + 1
    with django_assert_num_queries(expected):
        one = document(small)
    with django_assert_num_queries(expected):
        three = document(large)

    assert "Child 1 of 1: Amelia Hart" in one
    assert "Child 3 of 3: Chloe Dunn" in three
    assert three.count("Not yet identified: <span") == 3
    assert three.count("Parent 3") == 1


def test_the_safety_page_costs_the_same_for_1_child_as_for_3(
    dsl_client, school, staff, pupils, django_assert_num_queries
):
    PupilFactory.create_batch(5, school=school)
    small = record_concern(school=school, reporter=staff, pupils=pupils[:1])
    large = record_concern(school=school, reporter=staff, pupils=pupils)

    # EVERY_PAGE, plus:
    #   - the concern, with school and reporter joined
    #   - the user's membership at the concern's school
    #   - the children, with their pupils (a question for each)
    #   - the children not yet identified, with whom each was identified as
    #   - the concern's categories, and the guidance cards for them
    # ("Add another child" searches the register only when asked: tests/test_pupil_picker.py)
    expected = EVERY_PAGE + 3 + 1 + 2
    with django_assert_num_queries(expected):
        one = dsl_client.get(reverse("concerns:safety", args=[small.uuid]))
    with django_assert_num_queries(expected):
        three = dsl_client.get(reverse("concerns:safety", args=[large.uuid]))

    assert page_text(one).count("safe now?") == 1
    assert page_text(three).count("safe now?") == 3


def test_the_record_form_costs_the_same_however_many_pupils(
    staff, school, pupils, django_assert_num_queries
):
    client = signed_in(staff)

    # EVERY_PAGE, plus:
    #   - the user's memberships (the school where they record)
    #   - the school's categories, seeded and its own
    #   - the guidance cards on what to say when told, with their categories (prefetched)
    # No pupils: each child is found by a search (tests/test_pupil_picker.py).
    expected = EVERY_PAGE + 2 + 2
    with django_assert_num_queries(expected):
        few = client.get(reverse("concerns:new"))
    PupilFactory.create_batch(20, school=school)
    with django_assert_num_queries(expected):
        many = client.get(reverse("concerns:new"))

    assert "Hart, Amelia" not in page_text(few)
    assert page_text(many) == page_text(few)


def test_the_home_page_costs_the_same_for_1_concern_as_for_5(
    staff, school, pupils, django_assert_num_queries
):
    client = signed_in(staff)
    record_concern(school=school, reporter=staff, pupils=pupils[:1])

    # EVERY_PAGE, plus:
    #   - the user's memberships (where does their role start?)
    #   - the concerns they raised, with school and reporter joined
    expected = EVERY_PAGE + 2
    with django_assert_num_queries(expected):
        one = client.get(reverse("home"))
    for _ in range(4):
        record_concern(school=school, reporter=staff, pupils=pupils[:1])
    with django_assert_num_queries(expected):
        five = client.get(reverse("home"))

    assert page_text(one).count("SG-") == 1
    assert page_text(five).count("SG-") == 5
