"""School-wide follow-up is recorded as done, by the DSL team, even after the concern closes."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from concerns import services
from concerns.models import Concern, FollowUpAction, FollowUpKind, Step
from safeguard.errors import WorkflowError
from tests.factories import record_concern


@pytest.fixture
def follow_up(school, staff, dsl, pupils):
    concern = record_concern(school=school, reporter=staff, pupils=pupils)
    # The step gates are tested elsewhere; the follow-up's own rules are what matter here.
    Concern.objects.filter(pk=concern.pk).update(step=Step.REFERRAL_DECIDED)
    return services.follow_up_add(
        concern=concern,
        by=dsl,
        kind=FollowUpKind.PUPIL_LESSONS,
        description="Extra e-safety lessons for Years 3 to 6",
        owner="Computing lead",
        due_date=timezone.localdate() + datetime.timedelta(days=14),
    )


def url(follow_up):
    return reverse("concerns:follow_up_done", args=[follow_up.concern.uuid, follow_up.uuid])


def test_the_dsl_records_follow_up_as_done_with_history(client, dsl, follow_up):
    client.force_login(dsl)
    today = timezone.localdate()

    response = client.post(
        url(follow_up), {"completed_on": today.isoformat(), "notes": "Taught in ICT lessons."}
    )

    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.completed_on, follow_up.completion_notes) == (today, "Taught in ICT lessons.")
    latest = follow_up.history.latest("history_date")
    assert (latest.history_user_id, latest.history_change_reason) == (dsl.pk, "Follow-up done")
    page = client.get(response.url).content.decode()
    assert "is recorded as done." in page
    assert "Taught in ICT lessons." in page


def test_it_can_be_recorded_after_the_concern_has_closed(dsl, follow_up):
    Concern.objects.filter(pk=follow_up.concern_id).update(
        step=Step.CLOSED, closed_at=timezone.now(), outcome_summary="Closed."
    )

    done = services.follow_up_complete(
        follow_up=follow_up, by=dsl, completed_on=timezone.localdate(), notes="Done."
    )

    assert done.completed_on == timezone.localdate()


def test_a_future_date_is_explained_and_the_notes_are_kept(client, dsl, follow_up):
    client.force_login(dsl)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = client.post(url(follow_up), {"completed_on": tomorrow.isoformat(), "notes": "Kept"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "The date it was done cannot be in the future" in page
    assert "Kept</textarea>" in page
    follow_up.refresh_from_db()
    assert follow_up.completed_on is None


def test_it_is_recorded_once(dsl, follow_up):
    services.follow_up_complete(
        follow_up=follow_up, by=dsl, completed_on=timezone.localdate(), notes="Done."
    )

    with pytest.raises(WorkflowError, match="already recorded as done"):
        services.follow_up_complete(
            follow_up=follow_up, by=dsl, completed_on=timezone.localdate(), notes="Again."
        )


@pytest.mark.parametrize("persona", ["staff", "governor"])
def test_other_roles_are_refused(client, follow_up, persona, request):
    client.force_login(request.getfixturevalue(persona))

    response = client.post(
        url(follow_up), {"completed_on": timezone.localdate().isoformat(), "notes": "x"}
    )

    assert response.status_code == 403
    assert FollowUpAction.objects.get(pk=follow_up.pk).completed_on is None


def test_another_schools_dsl_gets_not_found(client, other_dsl, follow_up):
    client.force_login(other_dsl)

    assert client.get(url(follow_up)).status_code == 404


def test_anonymous_users_are_sent_to_sign_in(client, follow_up):
    response = client.get(url(follow_up))

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")
