"""The school's own safeguarding deadlines, set by the DSL team or the school administrator."""

import pytest
from django.urls import reverse

from schools.models import School

URL = reverse("school_settings")
VALID = {
    "safety_check_hours": "2",
    "written_confirmation_hours": "48",
    "staff_mfa_required": "False",
}


@pytest.mark.parametrize("persona", ["dsl", "deputy", "school_admin"])
def test_the_dsl_team_and_the_admin_set_the_deadlines(client, school, persona, request):
    user = request.getfixturevalue(persona)
    client.force_login(user)

    response = client.post(URL, VALID)

    assert response.status_code == 302
    school.refresh_from_db()
    assert (school.safety_check_hours, school.written_confirmation_hours) == (2, 48)
    latest = School.history.filter(id=school.pk).latest("history_date")
    assert (latest.history_user_id, latest.history_change_reason) == (
        user.pk,
        "Safeguarding deadlines changed",
    )
    page = client.get(response.url).content.decode()
    assert "The school&#x27;s settings have been saved." in page
    assert 'value="48"' in page


def test_a_bad_value_is_explained_and_what_was_typed_is_kept(client, school, dsl):
    client.force_login(dsl)

    response = client.post(
        URL,
        {
            "safety_check_hours": "0",
            "written_confirmation_hours": "30",
            "staff_mfa_required": "True",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Enter at least 1 hour" in page
    assert 'value="30"' in page
    assert 'value="True" required id="id_staff_mfa_required_0" checked' in page
    school.refresh_from_db()
    assert school.safety_check_hours == 4
    assert not school.staff_mfa_required


def test_the_school_can_require_staff_to_use_a_second_factor(client, school, school_admin):
    client.force_login(school_admin)

    client.post(URL, {**VALID, "staff_mfa_required": "True"})

    school.refresh_from_db()
    assert school.staff_mfa_required
    latest = School.history.filter(id=school.pk).latest("history_date")
    assert latest.history_change_reason == (
        "Safeguarding deadlines changed; Staff must now use a second factor"
    )


def test_leaving_the_second_factor_question_unanswered_is_explained(client, school, dsl):
    client.force_login(dsl)

    response = client.post(URL, {"safety_check_hours": "4", "written_confirmation_hours": "24"})

    assert "Say whether members of staff must use a second factor" in response.content.decode()


@pytest.mark.parametrize("persona", ["staff", "governor"])
def test_other_roles_cannot(client, school, persona, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(URL).status_code == 403
    assert client.post(URL, VALID).status_code == 403
    school.refresh_from_db()
    assert school.safety_check_hours == 4


def test_another_schools_dsl_changes_only_their_own_school(client, school, other_school, other_dsl):
    client.force_login(other_dsl)

    client.post(URL, VALID)

    school.refresh_from_db()
    other_school.refresh_from_db()
    assert school.safety_check_hours == 4
    assert other_school.safety_check_hours == 2


def test_anonymous_users_are_sent_to_sign_in(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")
