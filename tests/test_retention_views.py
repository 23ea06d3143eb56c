"""The DSL team's retention pages (issue 16): the files due for review, a child's file kept
for a further period or held, a hold lifted, and the holds on every file of the school.

Each page: what the DSL team sees and does, what a refusal keeps of what was typed, and who
is refused (other roles 403, another school 404, anonymous to sign in, GET on a POST 405).
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from retention import services
from retention.models import LegalHold, RetentionReview
from retention.selectors import birthday
from tests.factories import PupilFactory, record_concern, record_referral
from tests.test_views_concerns import form_state, messages_shown, page_text, signed_in

TODAY = timezone.localdate
REVIEWS = reverse("retention:review_list")
SCHOOL_HOLDS = reverse("retention:school_holds")


def aged(years: int, *, days: int = 0) -> datetime.date:
    return birthday(TODAY(), -years) - datetime.timedelta(days=days)


def long(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


@pytest.fixture
def former(school, staff, dsl):
    return tess_ward(school, staff, dsl)


def tess_ward(school, staff, dsl):
    """Tess Ward, a former pupil now 27, with a concern from ten years ago, referred."""
    pupil = PupilFactory(
        school=school,
        legal_first_name="Tess",
        legal_last_name="Ward",
        date_of_birth=aged(27, days=10),
        is_on_roll=False,
    )
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=[pupil],
        disclosed_at=timezone.now() - datetime.timedelta(days=3650),
    )
    record_referral(concern, dsl)
    return pupil


def file_url(pupil) -> str:
    return reverse("retention:file", args=[pupil.uuid])


def refused(request, persona: str, address: str, *, post=False, data=None):
    client = Client()
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client.post(address, data or {}) if post else client.get(address)


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("account_login"))


# --- The files due for review ---------------------------------------------------------------


def test_the_review_list_shows_each_file_due_with_what_it_holds(school, staff, dsl, former):
    young = PupilFactory(school=school, legal_first_name="Young", date_of_birth=aged(12))
    record_concern(school=school, reporter=staff, pupils=[young])

    text = page_text(signed_in(dsl).get(REVIEWS))

    assert "Files due for review" in text
    review_on = birthday(former.date_of_birth, 25)
    assert (
        f"Tess Ward Former pupil {former.date_of_birth.day} {former.date_of_birth:%b %Y} "
        f"{review_on.day} {review_on:%b %Y} 1 concern 1 referral 0 exports 0 attachments None "
        "Review Tess Ward's file"
    ) in text
    assert "Young" not in text


def test_a_held_file_is_shown_as_held_on_the_review_list(school, dsl, former):
    services.legal_hold_place(school=school, pupil=former, by=dsl, reason="A court case.")

    text = page_text(signed_in(dsl).get(REVIEWS))

    assert "0 attachments Held Review Tess Ward's file" in text


def test_nothing_due_says_so(dsl):
    assert "No file is due for review today." in page_text(signed_in(dsl).get(REVIEWS))


def test_the_review_list_costs_the_same_for_1_file_as_for_3(
    school, staff, dsl, former, django_assert_num_queries
):
    client = signed_in(dsl)
    # The session, the signed-in user, then:
    #   - the user's memberships, with their schools (which school acts: acting_for)
    #   - the files due, with what each holds, its latest review and its holds
    #   - the disposals waiting for confirmation, with their child and who proposed each
    #   - the user's memberships (the navigation)
    expected = 2 + 4
    with django_assert_num_queries(expected):
        one = client.get(REVIEWS)
    for n in range(2):
        pupil = PupilFactory(school=school, date_of_birth=aged(30 + n), is_on_roll=False)
        record_concern(school=school, reporter=staff, pupils=[pupil])
    services.legal_hold_place(school=school, by=dsl, reason="The inquiry.")
    with django_assert_num_queries(expected):
        three = client.get(REVIEWS)
    assert page_text(one).count("Review ") == 1
    assert page_text(three).count("Held") == 3


@pytest.mark.parametrize("persona", ["staff", "governor", "school_admin"])
def test_other_roles_have_no_review_list(request, persona, former):
    response = refused(request, persona, REVIEWS)

    assert response.status_code == 403
    assert "Tess" not in response.content.decode()


def test_another_schools_dsl_sees_their_own_review_list(other_dsl, former):
    response = signed_in(other_dsl).get(REVIEWS)

    assert "Riverside Academy" in page_text(response)
    assert "Tess" not in page_text(response)


def test_the_review_list_asks_anonymous_visitors_to_sign_in(client):
    assert is_login_redirect(client.get(REVIEWS))


# --- A child's file: keeping it -------------------------------------------------------------


def test_the_file_page_shows_its_review_date_and_holdings(dsl, former):
    text = page_text(signed_in(dsl).get(file_url(former)))

    review_on = birthday(former.date_of_birth, 25)
    assert f"Due for review {long(review_on)} Due" in text
    assert "1 concern 1 referral 0 exports 0 attachments" in text
    assert "Keep the file for a further period" in text


def test_the_file_page_costs_the_same_however_many_holds_it_had(
    school, dsl, deputy, former, django_assert_num_queries
):
    client = signed_in(dsl)
    first = services.legal_hold_place(school=school, pupil=former, by=dsl, reason="Inquiry.")
    # The session, the signed-in user, the user's memberships (the navigation), then:
    #   - the pupil, with their school (file_for)
    #   - the user's membership there (may they handle cases?)
    #   - the file: the pupil with what it holds, its latest review and whether it is held
    #   - its reviews, with who decided each
    #   - the holds on it and on the school, with who placed and lifted each
    #   - for a file due, what disposing of it takes: the children bound to it by shared
    #     concerns (one step for a child who shares none), their files, the open subject
    #     access requests about them, and a proposal waiting
    # Twelve, whatever the file's holds and reviews.
    with django_assert_num_queries(12):
        client.get(file_url(former))
    services.legal_hold_lift(hold=first, by=deputy, reason="Over.")
    services.legal_hold_place(school=school, pupil=former, by=dsl, reason="A court case.")
    services.legal_hold_place(school=school, by=dsl, reason="The whole school: an inquiry.")
    with django_assert_num_queries(12):
        response = client.get(file_url(former))
    text = page_text(response)
    assert "A court case." in text and "Inquiry." in text


def test_keeping_a_file_puts_its_review_off_with_the_reason(dsl, former):
    next_review = TODAY() + datetime.timedelta(days=730)
    client = signed_in(dsl)

    response = client.post(
        reverse("retention:keep", args=[former.uuid]),
        {"keep-reason": "Her sister's case is still open.", "keep-next_review_on": next_review},
        follow=True,
    )

    assert response.redirect_chain == [(REVIEWS, 302)]
    assert messages_shown(response) == [
        f"Tess Ward's file is kept. It is next due for review on {long(next_review)}."
    ]
    assert "Review Tess Ward's file" not in page_text(response)
    review = RetentionReview.objects.get(pupil=former)
    assert (review.reason, review.next_review_on, review.decided_by_id) == (
        "Her sister's case is still open.",
        next_review,
        dsl.pk,
    )
    assert review.history.get().history_user_id == dsl.pk
    text = page_text(client.get(file_url(former)))
    assert (
        f"Keep for a further period, until {next_review.day} {next_review:%b %Y} "
        "Her sister's case is still open."
    ) in text
    assert "Keep the file for a further period" not in text


def test_a_review_with_no_reason_or_a_past_date_keeps_what_was_typed(dsl, former):
    response = signed_in(dsl).post(
        reverse("retention:keep", args=[former.uuid]),
        {"keep-reason": "", "keep-next_review_on": "2020-01-01"},
    )

    assert response.status_code == 200
    assert "Say why the file is kept for longer" in page_text(response)
    assert form_state(response)["keep-next_review_on"] == ["2020-01-01"]

    response = signed_in(dsl).post(
        reverse("retention:keep", args=[former.uuid]),
        {"keep-reason": "A sibling's case.", "keep-next_review_on": "2020-01-01"},
    )
    assert "The next review date must be after today." in page_text(response)
    assert form_state(response)["keep-reason"] == ["A sibling's case."]
    assert not RetentionReview.objects.exists()


@pytest.mark.parametrize("persona", ["staff", "governor", "school_admin"])
@pytest.mark.parametrize("name", ["retention:file", "retention:keep", "retention:hold"])
def test_other_roles_cannot_open_or_change_a_file(request, persona, name, former):
    response = refused(
        request, persona, reverse(name, args=[former.uuid]), post=name != "retention:file"
    )

    assert response.status_code == 403
    assert not RetentionReview.objects.exists() and not LegalHold.objects.exists()


@pytest.mark.parametrize("name", ["retention:file", "retention:keep", "retention:hold"])
def test_another_schools_dsl_finds_no_such_file(request, name, former):
    response = refused(
        request, "other_dsl", reverse(name, args=[former.uuid]), post=name != "retention:file"
    )

    assert response.status_code == 404


@pytest.mark.parametrize("name", ["retention:file", "retention:keep", "retention:hold"])
def test_a_file_asks_anonymous_visitors_to_sign_in(client, name, former):
    address = reverse(name, args=[former.uuid])
    assert is_login_redirect(
        client.post(address) if name != "retention:file" else client.get(address)
    )


@pytest.mark.parametrize("name", ["retention:keep", "retention:hold"])
def test_keeping_and_holding_are_posts_only(dsl, name, former):
    assert signed_in(dsl).get(reverse(name, args=[former.uuid])).status_code == 405


def test_a_child_with_no_file_has_no_file_page(school, dsl):
    pupil = PupilFactory(school=school)
    assert signed_in(dsl).get(file_url(pupil)).status_code == 404


# --- Holds ----------------------------------------------------------------------------------


def test_holding_a_childs_file_and_lifting_the_hold(dsl, deputy, former):
    client = signed_in(dsl)
    response = client.post(
        reverse("retention:hold", args=[former.uuid]),
        {"hold-reason": "The county court asked for it."},
        follow=True,
    )

    assert response.redirect_chain == [(file_url(former), 302)]
    assert messages_shown(response) == [
        "Tess Ward's file is held. It is kept, whatever its review date, until the hold is lifted."
    ]
    text = page_text(response)
    assert "Legal hold Held" in text
    assert "This file The county court asked for it. In force Lift" in text
    hold = LegalHold.objects.get(pupil=former)
    assert hold.history.get().history_user_id == dsl.pk

    lift = reverse("retention:lift", args=[hold.uuid])
    refusal = signed_in(deputy).post(lift, {"lift_reason": ""})
    assert "Say why the hold is lifted" in page_text(refusal)
    response = signed_in(deputy).post(lift, {"lift_reason": "Judgment given."}, follow=True)

    assert response.redirect_chain == [(file_url(former), 302)]
    assert messages_shown(response) == ["The hold on Tess Ward's file is lifted."]
    assert "Judgment given." in page_text(response)
    assert "Legal hold None" in page_text(response)
    hold.refresh_from_db()
    assert (hold.lifted_by_id, hold.lift_reason) == (deputy.pk, "Judgment given.")
    assert "This hold has been lifted." in page_text(signed_in(dsl).get(lift))


def test_a_hold_needs_a_reason_on_the_page(dsl, former):
    response = signed_in(dsl).post(
        reverse("retention:hold", args=[former.uuid]), {"hold-reason": "  "}
    )

    assert response.status_code == 200
    assert "Say why the file is held" in page_text(response)
    assert not LegalHold.objects.exists()


@pytest.fixture
def hold(school, dsl, former):
    return services.legal_hold_place(school=school, pupil=former, by=dsl, reason="A court case.")


@pytest.mark.parametrize("persona", ["staff", "governor", "school_admin"])
def test_other_roles_cannot_lift_a_hold_on_a_file(request, persona, hold):
    lift = reverse("retention:lift", args=[hold.uuid])
    assert refused(request, persona, lift).status_code == 403
    assert refused(request, persona, lift, post=True, data={"lift_reason": "x"}).status_code == 403
    hold.refresh_from_db()
    assert hold.in_force


def test_another_schools_dsl_finds_no_such_hold(request, hold):
    assert (
        refused(request, "other_dsl", reverse("retention:lift", args=[hold.uuid])).status_code
        == 404
    )


def test_lifting_asks_anonymous_visitors_to_sign_in(client, hold):
    assert is_login_redirect(client.get(reverse("retention:lift", args=[hold.uuid])))


# --- Holds on every file of the school ------------------------------------------------------


def test_the_administrator_holds_every_file_of_the_school_and_lifts_it(
    school, school_admin, dsl, former
):
    client = signed_in(school_admin)
    assert "Hold every file of the school" in page_text(client.get(reverse("school_settings")))
    response = client.post(
        SCHOOL_HOLDS, {"reason": "The inquiry asked schools to keep all records."}, follow=True
    )

    assert response.redirect_chain == [(SCHOOL_HOLDS, 302)]
    assert messages_shown(response) == [
        "Every file of the school is held. Each is kept, whatever its review date, until the hold "
        "is lifted."
    ]
    assert "The inquiry asked schools to keep all records. In force Lift" in page_text(response)
    # The DSL team sees every file held.
    text = page_text(signed_in(dsl).get(REVIEWS))
    assert "Held Every file of the school" in text

    hold = LegalHold.objects.get(school=school, pupil=None)
    response = client.post(
        reverse("retention:lift", args=[hold.uuid]),
        {"lift_reason": "The inquiry has reported."},
        follow=True,
    )
    assert response.redirect_chain == [(SCHOOL_HOLDS, 302)]
    assert "The inquiry has reported." in page_text(response)
    assert "Held" not in page_text(signed_in(dsl).get(REVIEWS))


def test_a_school_hold_needs_a_reason(school_admin):
    response = signed_in(school_admin).post(SCHOOL_HOLDS, {"reason": ""})

    assert "Say why the school's files are held" in page_text(response)
    assert not LegalHold.objects.exists()


@pytest.mark.parametrize("persona", ["staff", "governor"])
def test_other_roles_cannot_hold_the_school(request, persona):
    assert refused(request, persona, SCHOOL_HOLDS).status_code == 403
    assert (
        refused(request, persona, SCHOOL_HOLDS, post=True, data={"reason": "x"}).status_code == 403
    )
    assert not LegalHold.objects.exists()


def test_another_schools_dsl_holds_only_their_own_school(school, other_school, other_dsl):
    signed_in(other_dsl).post(SCHOOL_HOLDS, {"reason": "Their inquiry."})

    assert LegalHold.objects.get().school_id == other_school.pk


def test_school_holds_ask_anonymous_visitors_to_sign_in(client):
    assert is_login_redirect(client.get(SCHOOL_HOLDS))


def test_another_schools_dsl_cannot_lift_this_schools_hold(school, school_admin, other_dsl):
    hold = services.legal_hold_place(school=school, by=school_admin, reason="The inquiry.")

    response = signed_in(other_dsl).post(
        reverse("retention:lift", args=[hold.uuid]), {"lift_reason": "Over."}
    )
    assert response.status_code == 404
    hold.refresh_from_db()
    assert hold.in_force
