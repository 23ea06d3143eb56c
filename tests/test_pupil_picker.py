"""Choosing a pupil by searching the register (issue 17): the record form carries no register,
"Find" works without JavaScript and keeps what was typed, the fragment JavaScript asks for is
scoped to the user's school and role, and a choice from outside the register is refused.
The same picker is on every form where a pupil is picked."""

import pytest
from django.urls import reverse

from concerns.models import Concern
from concerns.pupil_picker import MATCHES, pupil_label
from schools.models import Role
from tests.factories import PupilFactory, member, record_concern
from tests.test_views_concerns import form_state, page_text, record_form, signed_in

NEW = reverse("concerns:new")
SEARCH = reverse("concerns:pupil_search")


def searched(client, school, q, *, register="roll", **extra):
    return client.get(
        SEARCH,
        {
            "school": str(school.uuid),
            "register": register,
            "q": q,
            "field": "child_1",
            "id": "id_child_1",
            **extra,
        },
    )


def test_the_record_form_carries_no_register(school, staff, pupils):
    client = signed_in(staff)
    three = client.get(NEW).content
    for n in range(40):
        PupilFactory(school=school, legal_last_name=f"Register{n}")

    forty_three = client.get(NEW).content

    # The same page, to the byte but for its per-request tokens, whatever the register holds.
    assert abs(len(forty_three) - len(three)) < 200
    content = forty_three.decode()
    assert "Register1" not in content and pupils[0].legal_last_name not in content
    assert content.count('name="find"') == 4  # a "Find" button for each child's row


def test_find_without_javascript_brings_back_the_matches_and_everything_typed(
    school, staff, pupils
):
    amelia = pupils[0]
    data = record_form(pupils, child_1="", find="child_1", child_1_q="hart")

    response = signed_in(staff).post(NEW, data)

    assert response.status_code == 200
    assert not Concern.objects.exists()
    text = page_text(response)
    assert "There is a problem" not in text
    assert f"1 pupil matching “hart”: choose one {pupil_label(amelia)}" in text
    typed = form_state(response)
    assert typed["discloser_name"] == ["Mrs Sarah Example"]
    assert typed["child_1_q"] == ["hart"]
    # The other rows keep their choices, shown as chosen.
    assert typed["child_2"] == [str(pupils[1].uuid)]
    assert pupil_label(pupils[1]) in text


def test_change_clears_a_choice_and_nothing_is_recorded(staff, pupils):
    data = record_form(pupils, find="child_2:change")

    response = signed_in(staff).post(NEW, data)

    typed = form_state(response)
    assert "child_2" not in typed and typed["child_2_q"] == [""]
    assert typed["child_1"] == [str(pupils[0].uuid)]
    assert not Concern.objects.exists()


def test_a_pupil_from_another_school_is_refused_with_what_was_typed(staff, pupils, other_school):
    stranger = PupilFactory(school=other_school)

    response = signed_in(staff).post(NEW, record_form(pupils, child_2=str(stranger.uuid)))

    assert not Concern.objects.exists()
    text = page_text(response)
    assert "Find the child and choose them from the matches" in text
    assert form_state(response)["discloser_name"] == ["Mrs Sarah Example"]


def test_a_chosen_pupil_is_recorded(staff, pupils):
    response = signed_in(staff).post(NEW, record_form(pupils, child_1_q="ignored"))

    concern = Concern.objects.get()
    assert response.status_code == 302
    assert sorted(concern.children.values_list("pupil_id", flat=True)) == sorted(
        p.pk for p in pupils
    )


# --- The fragment JavaScript asks for ---------------------------------------------------


def test_the_search_fragment_lists_matches_at_the_users_school_alone(
    school, staff, pupils, other_school, django_assert_num_queries
):
    PupilFactory(school=other_school, legal_last_name="Hart")
    gone = PupilFactory(school=school, legal_last_name="Hart", is_on_roll=False)
    client = signed_in(staff)
    # The session, the user, their membership at the school named, the matches.
    with django_assert_num_queries(4):
        response = searched(client, school, "hart")

    content = response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    assert content.count('type="radio"') == 1
    assert f'name="child_1" type="radio" value="{pupils[0].uuid}"' in content
    assert 'id="id_child_1-match-1"' in content
    assert str(gone.uuid) not in content
    assert "<html" not in content


def test_the_fragment_searches_names_class_and_upn_and_says_when_there_are_more(
    school, staff, pupils
):
    for n in range(MATCHES + 1):
        PupilFactory(school=school, legal_last_name=f"Many{n:02}", class_name="6M")
    client = signed_in(staff)

    assert page_text(searched(client, school, "6m")).startswith(
        f"The first {MATCHES} pupils matching “6m”"
    )
    assert "1 pupil matching" in page_text(searched(client, school, pupils[1].upn))
    assert "No pupil on the register matches “zzz”" in page_text(searched(client, school, "zzz"))
    # Every word must match: first and last name together.
    both = f"{pupils[0].legal_first_name} {pupils[0].legal_last_name}"
    assert page_text(searched(client, school, both)).startswith("1 pupil matching")


def test_the_whole_register_is_for_the_dsl_team_and_a_concerns_children_are_left_out(
    school, staff, dsl, pupils
):
    gone = PupilFactory(school=school, legal_last_name="Former", is_on_roll=False)
    concern = record_concern(school=school, reporter=staff, pupils=[pupils[0]])

    assert searched(signed_in(staff), school, "former", register="all").status_code == 403
    assert str(gone.uuid) in searched(signed_in(dsl), school, "former", register="all").text
    left_out = searched(
        signed_in(dsl), school, pupils[0].legal_last_name, **{"except": str(concern.uuid)}
    )
    assert str(pupils[0].uuid) not in left_out.text


@pytest.mark.parametrize(("persona", "status"), [("other_dsl", 404), ("anonymous", 302)])
def test_another_schools_staff_and_anonymous_visitors_find_no_one(
    request, client, school, pupils, persona, status
):
    if persona != "anonymous":
        client = signed_in(request.getfixturevalue(persona))

    response = searched(client, school, "hart")

    assert response.status_code == status
    assert str(pupils[0].uuid) not in response.content.decode()


def test_a_fragment_for_a_field_name_that_is_not_one_is_refused(school, staff):
    response = searched(signed_in(staff), school, "hart", field='x"><script>')

    assert response.status_code == 400
    assert "<script>" not in response.content.decode()
    assert "Hart" not in response.content.decode()


# --- The other places a pupil is picked -------------------------------------------------


def test_adding_a_child_on_the_safety_step_finds_them_without_javascript(
    school, staff, dsl, pupils
):
    concern = record_concern(school=school, reporter=staff, pupils=[pupils[0]])
    address = reverse("concerns:safety", args=[concern.uuid])

    response = signed_in(dsl).post(
        address, {"find": "add-pupil", "add-pupil_q": "cole", "add-role": "affected"}
    )

    text = page_text(response)
    assert f"1 pupil matching “cole”: choose one {pupil_label(pupils[1])}" in text
    assert "There is a problem" not in text
    assert form_state(response)["add-role"] == ["affected"]
    # A child already named is not offered again.
    named = signed_in(dsl).post(
        address, {"find": "add-pupil", "add-pupil_q": pupils[0].legal_last_name}
    )
    assert "No pupil on the register matches" in page_text(named)


def test_a_subject_access_request_finds_a_former_pupil(school, dsl):
    gone = PupilFactory(school=school, legal_last_name="Leftlong", is_on_roll=False)

    response = signed_in(dsl).post(
        reverse("subject_access:new"),
        {"find": "pupil", "pupil_q": "leftlong", "requester_name": "Her father"},
    )

    assert pupil_label(gone) in page_text(response)
    assert form_state(response)["requester_name"] == ["Her father"]


def test_the_leavers_page_finds_a_child_with_a_get_form(school, dsl, pupils):
    client = signed_in(dsl)
    found = client.get(reverse("transfers:leavers"), {"find": "pupil", "pupil_q": "hart"})
    assert pupil_label(pupils[0]) in page_text(found)

    chosen = client.get(reverse("transfers:leavers"), {"pupil": str(pupils[0].uuid)})

    assert chosen.status_code == 302
    assert chosen.url == reverse("transfers:leaving", args=[pupils[0].uuid])


def test_a_governor_finds_no_one(school, pupils):
    governor = member(school, Role.GOVERNOR)

    response = searched(signed_in(governor), school, "hart")

    assert response.status_code == 403
    assert str(pupils[0].uuid) not in response.content.decode()
