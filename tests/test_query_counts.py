"""Pages cost a fixed number of queries, however many concerns, children, notes or history rows.

Each count is pinned with the queries named, so a change that adds one has to say which.
Every signed-in page starts with the same two and ends with the navigation's:
  - the session
  - the signed-in user
  - ...the page's own queries...
  - the user's memberships, with their schools (the navigation: Concerns, Record a concern)
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from concerns import services
from concerns.models import Agency, Concern, Step
from referrals import services as referral_services
from referrals.models import ContactKind, Referral
from tests.factories import PupilFactory, record_concern, record_referral
from tests.test_views_concerns import (
    attach_pdf,
    bring_to,
    page_text,
    signed_in,
)

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
    small = record_concern(school=school, reporter=staff, pupils=pupils[:1])
    large = record_concern(school=school, reporter=staff, pupils=pupils)
    large = bring_to(Step.SUPPORT_PLANNED, large, by=dsl)
    attach_pdf(large, by=deputy)
    add_notes(large, staff, dsl, deputy)

    # EVERY_PAGE, plus:
    #   - the concern, with school and reporter joined
    #   - the user's membership at the concern's school (may they see it, manage it?)
    #   - the children, with pupil, who added them and who checked their safety
    #   - the categories
    #   - the notes, with their authors
    #   - the evidence items
    #   - the attachments, with who uploaded them
    #   - the support actions, with each child and pupil
    #   - the school-wide follow-ups
    #   - the categories again, to tell whether the police must be told
    #   - the referrals
    #   - the school's DSL team with the assignee and acknowledger (the triage section)
    #   - log the read (INSERT)
    expected = EVERY_PAGE + 13
    with django_assert_num_queries(expected):
        one_child = dsl_client.get(reverse("concerns:detail", args=[small.uuid]))
    with django_assert_num_queries(expected):
        three_children = dsl_client.get(reverse("concerns:detail", args=[large.uuid]))

    assert "Nothing has been added." in page_text(one_child)
    text = page_text(three_children)
    assert all(f"Note {n}" in text for n in (1, 2, 3))
    assert all(name in text for name in ("Amelia Hart", "Bella Cole", "Chloe Dunn"))


def test_the_history_costs_the_same_after_the_whole_workflow_as_when_just_recorded(
    dsl_client, school, staff, dsl, deputy, pupils, django_assert_num_queries
):
    recorded = record_concern(school=school, reporter=staff, pupils=pupils[:1])
    worked = record_concern(school=school, reporter=staff, pupils=pupils)
    attach_pdf(worked, by=deputy)
    add_notes(worked, staff, deputy)
    worked = bring_to(Step.CLOSED, worked, by=dsl)

    # EVERY_PAGE, plus:
    #   - the concern, with school and reporter joined
    #   - the user's membership at the concern's school
    #   - history rows of: the concern, its children, evidence items, attachments, support
    #     actions, school-wide follow-ups and notes (7 queries, each with its history user)
    #   - the names of every user the rows mention
    #   - the names of the pupils named
    #   - the names of the categories
    #   - which categories each version of the concern had
    #   - the PDFs exported with the concern or its children in them, with who made them
    #   - log the read (INSERT)
    expected = EVERY_PAGE + 2 + 7 + 4 + 1 + 1
    with django_assert_num_queries(expected):
        short = dsl_client.get(reverse("concerns:history", args=[recorded.uuid]))
    with django_assert_num_queries(expected):
        long = dsl_client.get(reverse("concerns:history", args=[worked.uuid]))

    assert "Reason: Concern closed" not in page_text(short)
    text = page_text(long)
    assert "by Dana Lead. Reason: Concern closed" in text
    assert "by Dev Deputy. Reason: Information added" in text


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
    #   - the categories, to tell whether the police must be told
    #   - the referrals, with who made them
    #   - the children they cover, with their pupils (one query for all the referrals)
    expected = EVERY_PAGE + 5
    with django_assert_num_queries(expected):
        one = dsl_client.get(reverse("concerns:referral", args=[small.uuid]))
    with django_assert_num_queries(expected):
        three = dsl_client.get(reverse("concerns:referral", args=[large.uuid]))

    assert page_text(one).count("View the referral to") == 1
    assert page_text(three).count("View the referral to") == 3
    assert "Amelia Hart Bella Cole Chloe Dunn View the referral to CEOP" in page_text(three)


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
    #   - its follow-ups, escalations and updates, with who recorded them
    #   - log the read (INSERT)
    expected = EVERY_PAGE + 6
    with django_assert_num_queries(expected):
        one = dsl_client.get(reverse("referrals:detail", args=[small.uuid]))
    with django_assert_num_queries(expected):
        three = dsl_client.get(reverse("referrals:detail", args=[large.uuid]))

    assert page_text(one).count("Contact number") == 1
    text = page_text(three)
    assert text.count("Contact number") == 3
    assert all(name in text for name in ("Amelia Hart", "Bella Cole", "Chloe Dunn"))


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
    #   - the school's pupils not yet named (the "Add another child" choices)
    expected = EVERY_PAGE + 4
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
    #   - the pupils on roll (the choices for each child)
    expected = EVERY_PAGE + 3
    with django_assert_num_queries(expected):
        few = client.get(reverse("concerns:new"))
    PupilFactory.create_batch(20, school=school)
    with django_assert_num_queries(expected):
        many = client.get(reverse("concerns:new"))

    assert "Hart, Amelia" in page_text(few)
    assert page_text(many).count("born 14/03/2017") == page_text(few).count("born 14/03/2017") + 80


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
