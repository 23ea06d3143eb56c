"""The DSL team's triage queue: what is overdue and when, who sees it, and the triage actions
(acknowledge, assign, review support) taken from it.

Deadlines are tested at the minute either side, with the clock moved by time_machine. The
selectors take `now`, so most tests ask them directly rather than travelling again.
"""

import datetime
import html
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casework import queue
from casework.queue import OverdueKind
from concerns import services
from concerns.models import Agency, Concern, Step, SupportAction, SupportReview
from referrals import services as referral_services
from referrals.models import ContactKind, Method, Outcome
from schools.models import Role
from tests.factories import (
    PupilFactory,
    answer_criteria,
    member,
    record_concern,
    record_referral,
)
from tests.test_views_concerns import (
    bring_to,
    fresh,
    history_rows,
    latest_history,
    messages_shown,
    page_text,
    signed_in,
)
from tests.test_views_rules import decide_not_to_refer

LONDON = ZoneInfo("Europe/London")
# session, user, memberships for the navigation (as in test_query_counts)
EVERY_PAGE = 3


def at(*parts) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=LONDON)


def overdue(school, now, kind=None) -> list[tuple[str, OverdueKind]]:
    return [
        (item.concern.reference, item.kind)
        for item in queue.overdue_items(school, now=now)
        if kind is None or item.kind == kind
    ]


def references(concerns) -> list[str]:
    return [concern.reference for concern in concerns]


def listed(response) -> list[str]:
    """The references in the "All concerns" table, in the order shown."""
    return references(response.context["results"])


# Overdue: each deadline, a minute either side.


def test_a_safety_check_is_overdue_once_the_schools_hours_have_passed(school, staff, dsl, pupils):
    school.safety_check_hours = 4
    school.save()
    with time_machine.travel(at(2026, 11, 2, 9, 0), tick=False):
        concern = record_concern(school=school, reporter=staff, pupils=pupils[:1])

    assert overdue(school, at(2026, 11, 2, 12, 59)) == []
    assert overdue(school, at(2026, 11, 2, 13, 1)) == [
        (concern.reference, OverdueKind.SAFETY_CHECK)
    ]
    (item,) = queue.overdue_items(school, now=at(2026, 11, 2, 13, 1))
    assert item.summary() == f"{concern.reference}: safety check overdue since 2 Nov 2026, 13:00"

    with time_machine.travel(at(2026, 11, 2, 13, 30), tick=False):
        bring_to(Step.SAFETY_CHECKED, concern, by=dsl)
    assert overdue(school, at(2026, 11, 2, 13, 31)) == []


def test_an_urgent_referral_is_overdue_when_not_confirmed_in_writing_by_the_deadline(
    school, staff, dsl, pupils
):
    school.written_confirmation_hours = 24
    school.save()
    # The Friday before the Spring bank holiday: the deadline is in hours, so the weekend
    # does not stop the clock.
    made_at = at(2026, 5, 22, 16, 0)
    with time_machine.travel(made_at, tick=False):
        concern = record_concern(school=school, reporter=staff, pupils=pupils[:1])
        referral = record_referral(
            concern, dsl, Agency.POLICE, made_at=made_at, method=Method.PHONE_999, urgent=True
        )
    late = OverdueKind.CONFIRMATION

    assert overdue(school, at(2026, 5, 23, 15, 59), late) == []
    assert overdue(school, at(2026, 5, 23, 16, 1), late) == [(concern.reference, late)]

    with time_machine.travel(at(2026, 5, 23, 17, 0), tick=False):
        referral_services.referral_confirm_in_writing(
            referral=referral, by=dsl, confirmed_at=timezone.now()
        )
    assert overdue(school, at(2026, 5, 23, 17, 1), late) == []


def test_social_care_feedback_is_due_by_the_end_of_the_next_working_day(school, staff, dsl, pupils):
    # Friday 22 May 2026; Monday 25 May is the Spring bank holiday, so the next working day
    # is Tuesday 26 May.
    made_at = at(2026, 5, 22, 10, 0)
    with time_machine.travel(made_at, tick=False):
        concern = record_concern(school=school, reporter=staff, pupils=pupils[:1])
        referral = record_referral(concern, dsl, Agency.SOCIAL_CARE, made_at=made_at)
    late = OverdueKind.FEEDBACK

    assert referral.feedback_due_at == at(2026, 5, 26, 23, 59, 59)
    assert overdue(school, at(2026, 5, 26, 23, 59), late) == []
    assert overdue(school, at(2026, 5, 27, 0, 1), late) == [(concern.reference, late)]
    (item,) = queue.overdue_items(school, now=at(2026, 5, 27, 0, 1))[-1:]
    assert item.summary() == (
        f"{concern.reference}: social care feedback overdue since 26 May 2026"
    )
    assert item.last_chase_text == ""


def test_chasing_social_care_keeps_the_feedback_overdue_but_feedback_resolves_it(
    school, staff, dsl, pupils
):
    made_at = at(2026, 5, 22, 10, 0)
    with time_machine.travel(made_at, tick=False):
        concern = record_concern(school=school, reporter=staff, pupils=pupils[:1])
        referral = record_referral(concern, dsl, Agency.SOCIAL_CARE, made_at=made_at)
    late = OverdueKind.FEEDBACK

    def item(now):
        (found,) = [i for i in queue.overdue_items(school, now=now) if i.kind == late]
        return found

    with time_machine.travel(at(2026, 5, 27, 9, 30), tick=False):
        referral_services.agency_contact_record(
            referral=referral,
            by=dsl,
            kind=ContactKind.FOLLOW_UP,
            happened_at=at(2026, 5, 27, 9, 0),
            notes="Rang the MASH: no decision yet, will call back.",
        )
    assert item(at(2026, 5, 27, 10, 0)).last_chase_text == "Chased 27 May 2026"

    with time_machine.travel(at(2026, 5, 28, 15, 0), tick=False):
        referral_services.agency_contact_record(
            referral=referral,
            by=dsl,
            kind=ContactKind.ESCALATION,
            happened_at=at(2026, 5, 28, 14, 0),
            notes="Escalated to the MASH team manager.",
        )
        # An update from the agency is not the school chasing: the last chase stays.
        referral_services.agency_contact_record(
            referral=referral,
            by=dsl,
            kind=ContactKind.UPDATE,
            happened_at=at(2026, 5, 28, 14, 30),
            notes="Manager says a social worker is allocated.",
        )
    chased = item(at(2026, 5, 28, 16, 0))
    assert chased.last_chased_at == at(2026, 5, 28, 14, 0)
    assert chased.last_chase_text == "Escalated 28 May 2026"

    with time_machine.travel(at(2026, 5, 29, 11, 0), tick=False):
        referral_services.referral_record_feedback(
            referral=referral,
            by=dsl,
            received_at=timezone.now(),
            outcome=Outcome.CHILD_PROTECTION,
            details="Section 47 enquiry opened.",
        )
    assert overdue(school, at(2026, 5, 29, 11, 1), late) == []


def test_a_support_review_is_overdue_the_day_after_its_review_date(school, staff, dsl, pupils):
    with time_machine.travel(at(2026, 11, 2, 10, 0), tick=False):
        concern = bring_to(
            Step.SUPPORT_PLANNED,
            record_concern(school=school, reporter=staff, pupils=pupils),
            by=dsl,
        )
    actions = list(SupportAction.objects.filter(child__concern=concern).order_by("pk"))
    assert {action.review_date for action in actions} == {datetime.date(2026, 11, 16)}
    late = OverdueKind.SUPPORT_REVIEW

    assert overdue(school, at(2026, 11, 16, 23, 59), late) == []
    assert overdue(school, at(2026, 11, 17, 0, 1), late) == [(concern.reference, late)]
    (item,) = [i for i in queue.overdue_items(school, now=at(2026, 11, 17, 9)) if i.kind == late]
    assert item.count == 3
    assert item.summary() == f"{concern.reference}: 3 support reviews overdue since 16 Nov 2026"

    with time_machine.travel(at(2026, 11, 17, 10, 0), tick=False):
        services.support_review_record(
            action=actions[0],
            by=dsl,
            notes="Settled; enjoys the check-ins.",
            next_review_date=datetime.date(2026, 12, 1),
        )
        for action in actions[1:]:
            services.support_review_record(
                action=action, by=dsl, notes="No longer needed.", next_review_date=None
            )
    assert overdue(school, at(2026, 11, 30, 12, 0), late) == []
    assert overdue(school, at(2026, 12, 2, 0, 1), late) == [(concern.reference, late)]


def test_a_closed_concern_has_no_overdue_support_review(school, staff, dsl, pupils):
    with time_machine.travel(at(2026, 11, 2, 10, 0), tick=False):
        bring_to(Step.CLOSED, record_concern(school=school, reporter=staff, pupils=pupils), by=dsl)

    assert overdue(school, at(2026, 11, 20, 9, 0), OverdueKind.SUPPORT_REVIEW) == []


# Immediate danger first, in every list.


def test_immediate_danger_comes_first_in_every_list(school, staff, dsl, pupils):
    concerns = {}
    for name, hour, danger in [("old", 8, False), ("danger", 9, True), ("new", 10, False)]:
        with time_machine.travel(at(2026, 11, 2, hour, 0), tick=False):
            concerns[name] = record_concern(
                school=school, reporter=staff, pupils=pupils[:1], immediate_danger=danger
            )
    old, danger, new = (concerns[name].reference for name in ("old", "danger", "new"))

    # New concerns wait oldest first; all concerns are newest first; overdue by due time.
    assert references(queue.new_concerns(school)) == [danger, old, new]
    assert references(queue.concerns_matching(school)) == [danger, new, old]
    assert [ref for ref, _ in overdue(school, at(2026, 11, 2, 18, 0))] == [danger, old, new]
    for concern in concerns.values():
        services.concern_assign(concern=concern, by=dsl, assignee=dsl)
    assert references(queue.assigned_to(dsl, school)) == [danger, old, new]


def test_the_first_overdue_items_are_those_of_the_whole_list_and_all_are_counted(
    school, staff, dsl, pupils
):
    """Each kind is cut at the limit in the list's order, so the merged first items are
    exactly the first items of everything; the total counts every item."""
    populate(school, count=8, staff=staff, dsl=dsl, deputy=dsl)
    later = timezone.now() + datetime.timedelta(days=1)
    everything = queue.overdue_items(school, now=later)
    assert {item.kind for item in everything} == set(OverdueKind)

    for limit in [1, 3, 5, len(everything), len(everything) + 5]:
        first, total = queue.overdue(school, now=later, limit=limit)
        assert [(i.concern.pk, i.kind, i.due) for i in first] == [
            (i.concern.pk, i.kind, i.due) for i in everything[:limit]
        ]
        assert total == len(everything)


def test_the_overdue_tag_marks_exactly_the_concerns_with_something_overdue(
    school, staff, dsl, pupils
):
    populate(school, count=8, staff=staff, dsl=dsl, deputy=dsl)
    fine = record_concern(school=school, reporter=staff, pupils=pupils[:1])
    later = timezone.now() + datetime.timedelta(days=1)
    every_concern = Concern.objects.filter(school=school).values_list("pk", flat=True)

    tagged = queue.overdue_among(school, every_concern, now=later)

    assert tagged == {item.concern.pk for item in queue.overdue_items(school, now=later)}
    # A concern recorded now is not yet late for its safety check.
    assert fine.pk not in queue.overdue_among(school, [fine.pk], now=timezone.now())
    assert queue.overdue_among(school, [], now=later) == set()


def test_the_year_group_filter_offers_each_year_group_once(dsl, school):
    for year, names in [("Year 4", ["Ann", "Ben", "Cal"]), ("Year 10", ["Dee", "Eve"])]:
        for name in names:
            PupilFactory(school=school, legal_first_name=name, year_group=year)

    response = queue_page(dsl)

    choices = [label for _, label in response.context["form"].fields["year_group"].choices]
    assert choices[1:] == ["Year 4", "Year 10"]
    content = response.content.decode()
    assert content.count('<option value="Year 4">') == 1


def test_counts_of_open_concerns_by_step(school, staff, dsl, pupils):
    for step in [Step.RECORDED, Step.RECORDED, Step.SAFETY_CHECKED, Step.CLOSED]:
        bring_to(step, record_concern(school=school, reporter=staff, pupils=pupils[:1]), by=dsl)

    counts = queue.open_counts(school, dsl).by_step

    assert counts == {
        Step.RECORDED: 2,
        Step.SAFETY_CHECKED: 1,
        Step.EVIDENCE_PRESERVED: 0,
        Step.REFERRAL_DECIDED: 0,
        Step.SUPPORT_PLANNED: 0,
    }


# The page, its filters and its search.


@pytest.fixture
def three_concerns(school, staff, dsl, deputy):
    """SG-2026-0001: Amelia (Year 4), sharing nudes, 1 Oct, not assigned.
    SG-2026-0002: Isabella "Izzy" (Year 6) and Amelia, grooming and nudes, 15 Oct, Dev Deputy.
    SG-2026-0003: Chloe Dunn (Year 5), neglect, 2 Nov, safety checked, not assigned."""
    amelia = PupilFactory(
        school=school, legal_first_name="Amelia", legal_last_name="Hart", year_group="Year 4"
    )
    izzy = PupilFactory(
        school=school,
        legal_first_name="Isabella",
        legal_last_name="Cole",
        preferred_first_name="Izzy",
        year_group="Year 6",
    )
    chloe = PupilFactory(
        school=school, legal_first_name="Chloe", legal_last_name="Dunn", year_group="Year 5"
    )
    with time_machine.travel(at(2026, 10, 1, 9, 0), tick=False):
        first = record_concern(school=school, reporter=staff, pupils=[amelia])
    with time_machine.travel(at(2026, 10, 15, 9, 0), tick=False):
        second = record_concern(
            school=school,
            reporter=staff,
            pupils=[izzy, amelia],
            categories=("online-grooming", "sharing-nudes"),
        )
        services.concern_assign(concern=second, by=dsl, assignee=deputy)
    with time_machine.travel(at(2026, 11, 2, 9, 0), tick=False):
        third = record_concern(
            school=school, reporter=staff, pupils=[chloe], categories=("neglect",)
        )
        bring_to(Step.SAFETY_CHECKED, third, by=dsl)
    assert references([first, second, third]) == ["SG-2026-0001", "SG-2026-0002", "SG-2026-0003"]
    return first, second, third


def queue_page(user, **params):
    return signed_in(user).get(reverse("concerns:queue"), params)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["SG-2026-0003", "SG-2026-0002", "SG-2026-0001"]),
        ({"category": "sharing-nudes"}, ["SG-2026-0002", "SG-2026-0001"]),
        ({"category": "neglect"}, ["SG-2026-0003"]),
        # A concern matches if any of its children is in the year group.
        ({"year_group": "Year 4"}, ["SG-2026-0002", "SG-2026-0001"]),
        ({"year_group": "Year 6"}, ["SG-2026-0002"]),
        ({"step": "2"}, ["SG-2026-0003"]),
        ({"step": "1"}, ["SG-2026-0002", "SG-2026-0001"]),
        ({"assignee": "unassigned"}, ["SG-2026-0003", "SG-2026-0001"]),
        ({"recorded_from": "2026-10-10"}, ["SG-2026-0003", "SG-2026-0002"]),
        ({"recorded_to": "2026-10-15"}, ["SG-2026-0002", "SG-2026-0001"]),
        ({"recorded_from": "15/10/2026", "recorded_to": "15/10/2026"}, ["SG-2026-0002"]),
        ({"year_group": "Year 4", "step": "1", "assignee": "unassigned"}, ["SG-2026-0001"]),
    ],
)
def test_each_filter_narrows_the_list(dsl, three_concerns, params, expected):
    response = queue_page(dsl, **params)

    assert response.status_code == 200
    assert listed(response) == expected


def test_the_assignee_filter_takes_a_member_of_the_team(dsl, deputy, three_concerns):
    assert listed(queue_page(dsl, assignee=str(deputy.uuid))) == ["SG-2026-0002"]
    assert listed(queue_page(dsl, assignee=str(dsl.uuid))) == []


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("SG-2026-0002", ["SG-2026-0002"]),
        ("sg-2026-0002", ["SG-2026-0002"]),
        ("SG-2026-000", ["SG-2026-0003", "SG-2026-0002", "SG-2026-0001"]),
        ("2026-0002", []),
        ("izzy", ["SG-2026-0002"]),
        ("ISABELLA", ["SG-2026-0002"]),
        ("hart", ["SG-2026-0002", "SG-2026-0001"]),
        ("Amelia Hart", ["SG-2026-0002", "SG-2026-0001"]),
        ("dun", ["SG-2026-0003"]),
        # Every word names the same child.
        ("Chloe Hart", []),
    ],
)
def test_search_by_reference_or_childs_name(dsl, three_concerns, search, expected):
    assert listed(queue_page(dsl, q=search)) == expected


def test_invalid_filters_are_shown_as_errors_and_the_valid_ones_still_apply(dsl, three_concerns):
    response = queue_page(
        dsl,
        category="not-a-category",
        step="9",
        assignee="someone",
        year_group="Year 4",
        recorded_from="31/02/2026",
    )

    assert response.status_code == 200
    text = page_text(response)
    assert text.startswith("Error: Safeguarding queue")
    assert "There is a problem" in text
    for error in [
        "Choose a category from the list",
        "Choose a step from the list",
        "Choose a person from the list",
        "Enter the first date recorded as a real date",
    ]:
        assert error in text
    assert listed(response) == ["SG-2026-0002", "SG-2026-0001"]


def test_dates_the_wrong_way_round_are_an_error(dsl, three_concerns):
    response = queue_page(dsl, recorded_from="2026-11-01", recorded_to="2026-10-01")

    assert "The last date must be the same as or after the first" in page_text(response)
    assert listed(response) == ["SG-2026-0003"]


def table_rows(response, section: str) -> list[str]:
    """The text of each body row of the table in a section of the page (id="new", ...)."""
    content = response.content.decode()
    part = content[content.index(f'id="{section}"') :]
    part = part[part.index("<tbody") : part.index("</tbody>")]
    return [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split())
        for row in re.findall(r"<tr\b.*?</tr>", part, flags=re.S)
    ]


def test_the_page_shows_new_overdue_and_mine_with_their_tags(dsl, deputy, three_concerns):
    first, second, _ = three_concerns
    with time_machine.travel(at(2026, 11, 4, 9, 0), tick=False):
        response = queue_page(deputy)

    new = table_rows(response, "new")
    assert [row.split()[0] for row in new] == ["SG-2026-0001", "SG-2026-0003"]
    assert new[0].startswith("SG-2026-0001 1 Oct 2026, 09:00 Tom Teacher 1 month")
    assert "Acknowledge SG-2026-0001" in new[0]
    # The first is still at "Recorded" days later; the third was checked in time.
    assert table_rows(response, "overdue") == [
        "SG-2026-0001 Overdue Safety check 1 Oct 2026, 13:00",
        "SG-2026-0002 Overdue Safety check 15 Oct 2026, 13:00",
    ]
    assert table_rows(response, "mine") == [
        "SG-2026-0002 Overdue 15 Oct 2026, 09:00 Recorded 2 weeks, 6 days"
    ]
    results = table_rows(response, "all")
    assert results[1].startswith(
        "SG-2026-0002 Overdue 15 Oct 2026 2 Online grooming, Sharing nudes and semi-nudes "
        "Recorded Assign to (SG-2026-0002) Choose a person Dana Lead Dev Deputy Assign"
    )
    assert results[0].startswith(
        "SG-2026-0003 2 Nov 2026 1 Neglect Safety checked Not acknowledged Acknowledge"
    )
    content = response.content.decode()
    assert f'action="{reverse("concerns:acknowledge", args=[first.uuid])}"' in content
    assert f'action="{reverse("concerns:acknowledge", args=[second.uuid])}"' not in content
    assert f'<option value="{deputy.uuid}" selected>Dev Deputy</option>' in content
    text = page_text(response)
    assert "New, not acknowledged 2 Overdue 2 Assigned to you 1" in text
    assert "Recorded 2 Safety checked 1 Evidence preserved 0" in text


def test_another_schools_concerns_never_appear(
    dsl, other_dsl, other_school, school, staff, pupils, three_concerns
):
    theirs = record_concern(
        school=other_school,
        reporter=other_dsl,
        pupils=[PupilFactory(school=other_school, legal_first_name="Zara")],
        immediate_danger=True,
    )
    later = timezone.now() + datetime.timedelta(days=3)

    assert theirs.pk not in {item.concern.pk for item in queue.overdue_items(school, now=later)}
    assert theirs.pk not in {c.pk for c in queue.new_concerns(school)}
    assert theirs.pk not in {c.pk for c in queue.concerns_matching(school)}
    for search in ["", theirs.reference, "Zara"]:
        response = queue_page(dsl, q=search)
        assert str(theirs.uuid) not in response.content.decode()
        assert "Zara" not in page_text(response)
    # And their DSL sees only their own.
    response = queue_page(other_dsl)
    assert str(theirs.uuid) in response.content.decode()
    assert str(three_concerns[0].uuid) not in response.content.decode()


def populate(school, *, count, staff, dsl, deputy):
    """`count` concerns, recorded 20 days ago, cycling through every kind of row the page
    shows: a worked concern with every kind of overdue item, an immediate-danger concern,
    one assigned to the DSL, and a plain new one."""
    pupils = PupilFactory.create_batch(2, school=school)
    start = timezone.now() - datetime.timedelta(days=20)
    for number in range(count):
        variant = number % 4
        with time_machine.travel(start + datetime.timedelta(minutes=number), tick=False):
            concern = record_concern(
                school=school,
                reporter=staff,
                pupils=pupils,
                immediate_danger=variant == 1,
                categories=("sharing-nudes", "online-grooming"),
            )
            if variant == 0:
                # Social care feedback and support reviews overdue; an urgent call to the
                # police never confirmed; social care chased once.
                concern = bring_to(Step.SUPPORT_PLANNED, concern, by=dsl)
                record_referral(concern, dsl, Agency.POLICE, method=Method.PHONE, urgent=True)
                referral = concern.referrals.filter(agency=Agency.SOCIAL_CARE).get()
                referral_services.agency_contact_record(
                    referral=referral,
                    by=dsl,
                    kind=ContactKind.FOLLOW_UP,
                    happened_at=timezone.now(),
                    notes="Chased the MASH.",
                )
                services.concern_assign(concern=concern, by=dsl, assignee=deputy)
            elif variant == 2:
                services.concern_assign(concern=concern, by=deputy, assignee=dsl)


def to_settle(school, *, count, staff, dsl):
    """`count` concerns about Year 6 pupils (outside the filtered list) for the queue's other
    sections: each decided not to refer, awaiting a countersignature, with a child not yet
    identified and a note flagged for review."""
    for _ in range(count):
        concern = record_concern(
            school=school,
            reporter=staff,
            pupils=[PupilFactory(school=school, year_group="Year 6")],
            adult_involved="no",
            other_children="yes",
            unnamed_children=["A friend at the sleepover"],
        )
        concern = answer_criteria(bring_to(Step.EVIDENCE_PRESERVED, concern, by=dsl), dsl)
        decide_not_to_refer(concern, by=dsl)
        services.concern_add_note(concern=concern, author=staff, text="I asked the other parents.")


def test_the_queue_costs_the_same_for_2_concerns_as_for_12(
    school, staff, dsl, deputy, django_assert_num_queries
):
    client = signed_in(dsl)
    # Filters and a search cost nothing extra: they are EXISTS conditions in the one query.
    address = reverse("concerns:queue") + "?year_group=Year+4&q=SG-"

    # EVERY_PAGE, plus:
    #   - the user's memberships, with schools (is this user in a DSL team, and where?)
    #   - the school's DSL team (the "Assign to" choices and the assignee filter)
    #   - the school's categories, seeded and its own (the category filter)
    #   - the school's year groups (the year group filter)
    #   - the overdue safety checks
    #   - the overdue written confirmations, with their concerns
    #   - the overdue social care feedback, with concerns and the last chase (subqueries)
    #   - the overdue support reviews, counted per concern
    #   - the first concerns, filtered, with assignee and their children counted (subquery)
    #   - the categories of those concerns (prefetched)
    #   - new concerns, with reporter and assignee
    #   - decisions not to refer awaiting a countersignature, with who decided
    #   - concerns to review: a flagged entry or a child not yet identified (EXISTS each)
    #   - the open concerns counted: by step, new, and assigned to the user (one row)
    #   - the first concerns assigned to the user
    #   - which of the concerns shown have anything overdue (one UNION)
    #   - the school's e-mails that never went, not yet dealt with (the banner)
    #   - the school's term dates, and its leavers with a file (none: no transfers asked
    #     for), for the leavers' files due
    #   - files come from other schools waiting to be accepted
    #   - subject access requests open and due within a week or overdue, with their child
    #     (none here: no panel)
    #   - disposals of children's files waiting for a second member of the DSL team (none
    #     here: no panel)
    expected = EVERY_PAGE + 22
    populate(school, count=2, staff=staff, dsl=dsl, deputy=deputy)
    to_settle(school, count=1, staff=staff, dsl=dsl)
    with django_assert_num_queries(expected):
        two = client.get(address)
    populate(school, count=10, staff=staff, dsl=dsl, deputy=deputy)
    to_settle(school, count=3, staff=staff, dsl=dsl)
    with django_assert_num_queries(expected):
        twelve = client.get(address)

    assert len(two.context["results"]) == 2
    assert len(twelve.context["results"]) == 12
    assert len(two.context["countersign"]) == len(two.context["to_review"]) == 1
    assert len(twelve.context["countersign"]) == len(twelve.context["to_review"]) == 4
    assert page_text(twelve).count("Review and countersign") == 4
    kinds = {item.kind for item in twelve.context["overdue"]}
    assert kinds == set(OverdueKind)
    # Four worked concerns (one from the first batch, three from the second), each chased.
    feedback = [item for item in twelve.context["overdue"] if item.kind == OverdueKind.FEEDBACK]
    assert len(feedback) == 4
    assert all(item.last_chase_text.startswith("Chased ") for item in feedback)
    assert twelve.context["results"][0].immediate_danger


# Who may use each new address.


@pytest.fixture
def concern(school, staff, pupils):
    return fresh(record_concern(school=school, reporter=staff, pupils=pupils))


@pytest.fixture
def support_action(concern, dsl):
    bring_to(Step.SUPPORT_PLANNED, concern, by=dsl)
    return SupportAction.objects.filter(child__concern=concern).order_by("pk").first()


def review_form(action, **overrides) -> dict:
    prefix = f"review-{action.uuid.hex}"
    data = {
        f"{prefix}-notes": "She says the check-ins help; mother agrees.",
        f"{prefix}-next_review_date": (
            timezone.localdate() + datetime.timedelta(days=14)
        ).isoformat(),
    }
    data.update({f"{prefix}-{key}": value for key, value in overrides.items()})
    return data


def post_to(name, client: Client, concern, support_action, user_for_assign=None):
    if name == "acknowledge":
        return client.post(reverse("concerns:acknowledge", args=[concern.uuid]))
    if name == "assign":
        return client.post(
            reverse("concerns:assign", args=[concern.uuid]),
            {"assignee": str(user_for_assign.uuid)},
        )
    return client.post(
        reverse("concerns:support_review", args=[concern.uuid, support_action.uuid]),
        review_form(support_action),
    )


CONCERN_ACTIONS = ["acknowledge", "assign", "support_review"]


def action_url(name, concern, support_action):
    if name == "support_review":
        return reverse("concerns:support_review", args=[concern.uuid, support_action.uuid])
    return reverse(f"concerns:{name}", args=[concern.uuid])


def test_the_dsl_and_deputy_open_the_queue(dsl, deputy, concern):
    for user in (dsl, deputy):
        response = signed_in(user).get(reverse("concerns:queue"))
        assert response.status_code == 200
        assert concern.reference in page_text(response)


@pytest.mark.parametrize("role", ["staff", "governor", "school_admin"])
def test_only_the_dsl_team_has_a_queue(request, role, concern):
    response = signed_in(request.getfixturevalue(role)).get(reverse("concerns:queue"))

    assert response.status_code == 403
    assert "You cannot do this" in page_text(response)
    assert concern.reference not in page_text(response)


@pytest.mark.parametrize("name", CONCERN_ACTIONS)
@pytest.mark.parametrize("role", ["dsl", "deputy"])
def test_the_dsl_team_can_triage(request, role, name, concern, support_action, deputy):
    user = request.getfixturevalue(role)

    response = post_to(name, signed_in(user), concern, support_action, user_for_assign=deputy)

    assert response.status_code == 302
    done = fresh(concern)
    if name == "acknowledge":
        assert done.acknowledged_by_id == user.pk
    elif name == "assign":
        assert (done.assignee_id, done.acknowledged_by_id) == (deputy.pk, user.pk)
    else:
        assert SupportReview.objects.get(action=support_action).reviewed_by_id == user.pk


@pytest.mark.parametrize("name", CONCERN_ACTIONS)
@pytest.mark.parametrize("role", ["staff", "governor"])
def test_the_reporter_and_governors_cannot_triage(
    request, role, name, concern, support_action, dsl
):
    before = fresh(concern)
    user = request.getfixturevalue(role)

    response = post_to(name, signed_in(user), concern, support_action, user_for_assign=dsl)

    assert response.status_code == 403
    after = fresh(concern)
    assert (after.version, after.acknowledged_at, after.assignee_id) == (
        before.version,
        None,
        None,
    )
    assert not SupportReview.objects.exists()


@pytest.mark.parametrize("name", CONCERN_ACTIONS)
def test_a_school_administrator_cannot_triage(school, name, concern, support_action, dsl):
    """An administrator who did not raise the concern cannot see it exists (404, as for any
    member of staff); one who raised it may see it but not triage it (403)."""
    admin = member(school, Role.SCHOOL_ADMIN, full_name="Ada Admin")
    theirs = fresh(
        record_concern(school=school, reporter=admin, pupils=[PupilFactory(school=school)])
    )
    client = signed_in(admin)

    assert post_to(name, client, concern, support_action, user_for_assign=dsl).status_code == 404
    if name != "support_review":
        assert post_to(name, client, theirs, None, user_for_assign=dsl).status_code == 403
    assert fresh(concern).acknowledged_at is None
    assert fresh(theirs).acknowledged_at is None
    assert not SupportReview.objects.exists()


@pytest.mark.parametrize("name", CONCERN_ACTIONS)
def test_another_schools_dsl_finds_no_such_concern(name, other_dsl, concern, support_action):
    response = post_to(
        name, signed_in(other_dsl), concern, support_action, user_for_assign=other_dsl
    )

    assert response.status_code == 404
    assert concern.reference not in page_text(response)
    assert fresh(concern).acknowledged_at is None
    assert not SupportReview.objects.exists()


@pytest.mark.parametrize("name", ["queue", *CONCERN_ACTIONS])
def test_anyone_signed_out_is_sent_to_sign_in(client, name, concern, support_action):
    if name == "queue":
        address = reverse("concerns:queue")
        response = client.get(address)
    else:
        address = action_url(name, concern, support_action)
        response = client.post(address)

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={address}"


@pytest.mark.parametrize("name", CONCERN_ACTIONS)
def test_triage_actions_refuse_a_get(dsl, name, concern, support_action):
    response = signed_in(dsl).get(action_url(name, concern, support_action))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert fresh(concern).acknowledged_at is None


def test_the_queue_refuses_a_post(dsl):
    response = signed_in(dsl).post(reverse("concerns:queue"))

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


# Acknowledge, assign and review, through the pages.


def test_the_dsl_acknowledges_a_concern_from_the_queue_and_returns_to_it(dsl, concern):
    client = signed_in(dsl)
    back = reverse("concerns:queue") + "?step=1"

    response = client.post(
        reverse("concerns:acknowledge", args=[concern.uuid]), {"next": back}, follow=True
    )

    assert response.redirect_chain == [(back, 302)]
    assert messages_shown(response) == [f"You have acknowledged {concern.reference}."]
    acknowledged = fresh(concern)
    assert acknowledged.acknowledged_by_id == dsl.pk
    assert acknowledged.acknowledged_at is not None
    assert latest_history(concern) == (dsl.pk, "Acknowledged")
    assert response.context["new_concerns"] == []


def test_acknowledging_twice_is_refused_with_a_message(dsl, deputy, concern):
    services.concern_acknowledge(concern=concern, by=deputy)

    response = signed_in(dsl).post(
        reverse("concerns:acknowledge", args=[concern.uuid]), follow=True
    )

    assert response.redirect_chain == [(reverse("concerns:detail", args=[concern.uuid]), 302)]
    assert messages_shown(response) == ["This concern has already been acknowledged."]
    assert fresh(concern).acknowledged_by_id == deputy.pk


def test_the_return_address_must_be_on_this_site(dsl, concern):
    response = signed_in(dsl).post(
        reverse("concerns:acknowledge", args=[concern.uuid]), {"next": "https://evil.example/"}
    )

    assert response.url == reverse("concerns:detail", args=[concern.uuid])


def test_the_dsl_assigns_a_concern_and_the_deputy_is_emailed(
    dsl, deputy, concern, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(dsl).post(
            reverse("concerns:assign", args=[concern.uuid]),
            {"assignee": str(deputy.uuid), "next": reverse("concerns:queue")},
            follow=True,
        )

    assert response.redirect_chain == [(reverse("concerns:queue"), 302)]
    assert messages_shown(response) == [f"{concern.reference} is now assigned to Dev Deputy."]
    assigned = fresh(concern)
    assert assigned.assignee_id == deputy.pk
    # Assigning acknowledges a new concern too.
    assert assigned.acknowledged_by_id == dsl.pk
    assert latest_history(concern) == (dsl.pk, "Assigned to Dev Deputy")
    (email,) = mailoutbox
    assert email.to == ["deputy@oakfield.example"]
    assert email.subject == f"Safeguarding concern {concern.reference} has been assigned to you"
    assert "Amelia" not in email.body


def test_assigning_to_yourself_sends_no_email(
    dsl, concern, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(dsl).post(
            reverse("concerns:assign", args=[concern.uuid]),
            {"assignee": str(dsl.uuid)},
            follow=True,
        )

    assert messages_shown(response) == [f"{concern.reference} is now assigned to you."]
    assert fresh(concern).assignee_id == dsl.pk
    assert mailoutbox == []


@pytest.mark.parametrize("who", ["staff", "other_dsl", "nobody"])
def test_assigning_outside_the_team_is_refused_with_a_message(request, dsl, concern, who):
    assignee = "" if who == "nobody" else str(request.getfixturevalue(who).uuid)

    response = signed_in(dsl).post(
        reverse("concerns:assign", args=[concern.uuid]), {"assignee": assignee}, follow=True
    )

    expected = (
        "Choose who to assign the concern to"
        if who == "nobody"
        else "Choose a member of the safeguarding team"
    )
    assert messages_shown(response) == [expected]
    assert fresh(concern).assignee_id is None
    assert fresh(concern).version == concern.version


def test_the_concern_page_shows_triage_to_the_dsl_team_only(dsl, deputy, staff, concern):
    services.concern_assign(concern=concern, by=dsl, assignee=deputy)

    team_view = signed_in(dsl).get(reverse("concerns:detail", args=[concern.uuid]))
    reporter_view = signed_in(staff).get(reverse("concerns:detail", args=[concern.uuid]))

    text = page_text(team_view)
    assert "Triage Acknowledged" in text
    assert "by Dana Lead Assigned to Dev Deputy" in text
    assert reverse("concerns:assign", args=[concern.uuid]) in team_view.content.decode()
    # Assigning acknowledged it: no button to acknowledge again.
    assert reverse("concerns:acknowledge", args=[concern.uuid]) not in team_view.content.decode()
    assert "Triage" not in page_text(reporter_view)
    assert reverse("concerns:assign", args=[concern.uuid]) not in reporter_view.content.decode()


def test_the_dsl_reviews_support_and_sets_the_next_date(dsl, concern, support_action):
    next_date = timezone.localdate() + datetime.timedelta(days=21)

    response = signed_in(dsl).post(
        reverse("concerns:support_review", args=[concern.uuid, support_action.uuid]),
        review_form(support_action, next_review_date=next_date.isoformat()),
        follow=True,
    )

    support_page = reverse("concerns:support", args=[concern.uuid])
    assert response.redirect_chain == [(f"{support_page}#{support_action.uuid}", 302)]
    (review,) = SupportReview.objects.filter(action=support_action)
    assert (review.reviewed_by_id, review.next_review_date) == (dsl.pk, next_date)
    assert review.notes == "She says the check-ins help; mother agrees."
    support_action.refresh_from_db()
    assert support_action.review_date == next_date
    assert support_action.ended_on is None
    assert history_rows(review)[-1] == (dsl.pk, "Support reviewed")
    assert history_rows(support_action)[-1] == (dsl.pk, "Next review set")
    text = page_text(response)
    assert "She says the check-ins help; mother agrees." in text
    assert f"(next review {next_date:%-d %b %Y})" in text


def test_the_dsl_ends_support_at_a_review(dsl, concern, support_action):
    response = signed_in(dsl).post(
        reverse("concerns:support_review", args=[concern.uuid, support_action.uuid]),
        review_form(support_action, next_review_date="", end="on", notes="Not needed now."),
        follow=True,
    )

    assert messages_shown(response) == ["The review has been recorded and the support has ended."]
    support_action.refresh_from_db()
    assert support_action.ended_on == timezone.localdate()
    assert history_rows(support_action)[-1] == (dsl.pk, "Support ended at review")
    assert "(support ended)" in page_text(response)


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"next_review_date": ""}, "Enter the next review date, or end the support"),
        ({"notes": ""}, "Say how the support is going"),
        ({"end": "on"}, "Either set a next review date or end the support"),
        ({"next_review_date": "2020-01-01"}, "The next review date must be in the future."),
    ],
)
def test_a_review_that_is_not_complete_is_refused_and_what_was_typed_is_kept(
    dsl, concern, support_action, overrides, error
):
    response = signed_in(dsl).post(
        reverse("concerns:support_review", args=[concern.uuid, support_action.uuid]),
        review_form(support_action, **overrides),
    )

    assert response.status_code == 400
    text = page_text(response)
    assert text.startswith("Error: Support")
    assert error in text
    notes = overrides.get("notes", "She says the check-ins help; mother agrees.")
    assert response.context["review_form"]["notes"].value() == notes
    assert not SupportReview.objects.exists()


def test_the_navigation_offers_the_queue_to_the_dsl_team_only(dsl, staff, governor):
    queue_link = f'href="{reverse("concerns:queue")}"'

    assert queue_link in signed_in(dsl).get(reverse("concerns:list")).content.decode()
    for user in (staff, governor):
        assert queue_link not in signed_in(user).get(reverse("home")).content.decode()


def test_long_lists_show_the_first_fifty_and_say_how_many_there_are(
    client, school, staff, dsl, pupils
):
    for _ in range(52):
        concern = record_concern(school=school, reporter=staff, pupils=pupils[:1])
        Concern.objects.filter(pk=concern.pk).update(assignee=dsl)
    client.force_login(dsl)

    text = page_text(client.get(reverse("concerns:queue")))

    assert "The first 50 of 52 open concerns assigned to you" in text
    assert "The first 50 of 52 new concerns not yet acknowledged" in text
    assert "New, not acknowledged 52" in text
    assert "The first 50 concerns: search or filter to find others" in text
