"""Who may open which concern page (DOMAIN.md rule 5, need to know).

The DSL team sees their school's concerns; a member of staff sees what they raised; governors
see no individual concern. Out of scope is a 404 that says nothing about whether the record
exists; in scope but the wrong role is a 403. Every refusal leaves the record untouched.
"""

import pytest
from django.test import Client
from django.urls import reverse

from concerns.models import Attachment, Concern, Note, Step
from tests.factories import PupilFactory, record_concern
from tests.test_views_concerns import (
    attach_pdf,
    bring_to,
    fresh,
    messages_shown,
    page_text,
    safety_form,
    signed_in,
)

# Every page about one concern, and whether the member of staff who raised it may use it.
REPORTER_PAGES = ["detail", "recorded", "add_note"]
DSL_ONLY_PAGES = [
    "correct",
    "safety",
    "evidence",
    "referral",
    "support",
    "close",
    "history",
    "attachment",
]
CONCERN_PAGES = REPORTER_PAGES + DSL_ONLY_PAGES
SCHOOL_PAGES = ["list", "new", "categories", "guidance"]
POST_ONLY = {"add_note"}


@pytest.fixture
def concern(school, staff, pupils):
    return fresh(record_concern(school=school, reporter=staff, pupils=pupils))


@pytest.fixture
def attachment(concern, dsl):
    return attach_pdf(concern, by=dsl)


def page_url(name: str, concern: Concern, attachment: Attachment) -> str:
    if name in SCHOOL_PAGES:
        return reverse(f"concerns:{name}")
    if name == "attachment":
        return reverse("concerns:attachment", args=[concern.uuid, attachment.uuid])
    return reverse(f"concerns:{name}", args=[concern.uuid])


def visit(client: Client, name: str, concern: Concern, attachment: Attachment):
    """Open the page the way its own form or link does: POST for notes, GET otherwise."""
    address = page_url(name, concern, attachment)
    if name in POST_ONLY:
        return client.post(address, {"text": "Something else she said."})
    return client.get(address)


def assert_untouched(concern: Concern):
    """Nothing anyone was refused could change: no note, same step, same version."""
    current = fresh(concern)
    assert (current.step, current.version) == (concern.step, concern.version)
    assert not Note.objects.filter(concern=concern).exists()


def assert_refused_without_details(response, concern: Concern):
    """A refusal names neither the concern nor any child in it."""
    text = page_text(response)
    assert concern.reference not in text
    assert "Amelia" not in text


@pytest.mark.parametrize("name", SCHOOL_PAGES + CONCERN_PAGES)
def test_a_governor_sees_no_concern_page(governor, concern, attachment, name):
    response = visit(signed_in(governor), name, concern, attachment)

    assert response.status_code == 403
    assert "You cannot do this" in page_text(response)
    assert_refused_without_details(response, concern)
    assert_untouched(concern)


@pytest.mark.parametrize("name", [*DSL_ONLY_PAGES, "categories"])
def test_the_reporter_cannot_use_the_dsl_teams_pages(staff, concern, attachment, name):
    response = visit(signed_in(staff), name, concern, attachment)

    assert response.status_code == 403
    assert "You cannot do this" in page_text(response)
    assert b"%PDF" not in response.content


def test_the_reporter_cannot_record_the_safety_check(staff, concern):
    response = signed_in(staff).post(
        reverse("concerns:safety", args=[concern.uuid]), safety_form(concern)
    )

    assert response.status_code == 403
    assert_untouched(concern)
    assert {c.safe_now for c in concern.children.all()} == {None}


@pytest.mark.parametrize("name", CONCERN_PAGES)
def test_another_schools_dsl_finds_no_such_concern(other_dsl, concern, attachment, name):
    response = visit(signed_in(other_dsl), name, concern, attachment)

    assert response.status_code == 404
    assert "Page not found" in page_text(response)
    assert_refused_without_details(response, concern)
    assert_untouched(concern)


@pytest.mark.parametrize("name", CONCERN_PAGES)
def test_another_member_of_staff_finds_no_such_concern(other_staff, concern, attachment, name):
    response = visit(signed_in(other_staff), name, concern, attachment)

    assert response.status_code == 404
    assert "Page not found" in page_text(response)
    assert_refused_without_details(response, concern)
    assert_untouched(concern)


def test_an_attachment_cannot_be_fetched_through_another_concern(
    other_dsl, other_school, concern, attachment
):
    theirs = record_concern(
        school=other_school, reporter=other_dsl, pupils=[PupilFactory(school=other_school)]
    )

    response = signed_in(other_dsl).get(
        reverse("concerns:attachment", args=[theirs.uuid, attachment.uuid])
    )

    assert response.status_code == 404
    assert "Page not found" in page_text(response)
    assert b"%PDF" not in response.content


def test_the_reporter_opens_what_they_raised(staff, concern):
    client = signed_in(staff)

    detail = client.get(reverse("concerns:detail", args=[concern.uuid]))
    recorded = client.get(reverse("concerns:recorded", args=[concern.uuid]))

    assert f"Concern {concern.reference}" in page_text(detail)
    assert "Amelia Hart" in page_text(detail)
    assert f"Your reference {concern.reference}" in page_text(recorded)


@pytest.mark.parametrize("name", ["detail", "history", "safety"])
def test_a_deputy_dsl_manages_the_concern_too(deputy, concern, attachment, name):
    response = visit(signed_in(deputy), name, concern, attachment)

    assert response.status_code == 200
    assert concern.reference in page_text(response)


@pytest.mark.parametrize("name", SCHOOL_PAGES + CONCERN_PAGES)
def test_anyone_signed_out_is_sent_to_sign_in(client, concern, attachment, name):
    address = page_url(name, concern, attachment)

    response = visit(client, name, concern, attachment)

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={address}"
    assert_untouched(concern)
    signed_in_page = client.get(response.url)
    assert "Sign in to Safeguard" in page_text(signed_in_page)


def test_notes_cannot_be_added_with_a_get(staff, concern):
    response = signed_in(staff).get(reverse("concerns:add_note", args=[concern.uuid]))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert_untouched(concern)


@pytest.mark.parametrize("name", ["list", "detail", "recorded", "history", "attachment"])
def test_read_only_pages_refuse_a_post(dsl, concern, attachment, name):
    response = signed_in(dsl).post(page_url(name, concern, attachment), {"text": "Hello"})

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert_untouched(concern)


def test_a_step_page_is_refused_on_a_closed_concern(dsl, concern):
    concern = bring_to(Step.CLOSED, concern, by=dsl)

    response = signed_in(dsl).get(reverse("concerns:safety", args=[concern.uuid]), follow=True)

    assert messages_shown(response) == ["This concern is closed. Add a note to it instead."]
    assert fresh(concern).step == Step.CLOSED
