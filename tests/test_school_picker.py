"""Someone in more than one school chooses which one they are working for.

A DSL at one school may be a member of staff or a governor at another; a trust's DSL may lead
at two. The picker in the header keeps the chosen school for the session, and every page that
acts for "your school" follows it where the person's role there allows, else falls back to the
first school (by name) where it does, and names the school it is for.
"""

import re

import pytest
from django.urls import reverse

from concerns.models import Concern
from schools.acting import SESSION_KEY
from schools.models import Membership, Role
from tests.factories import PupilFactory, SchoolFactory, member, record_concern
from tests.test_views_concerns import messages_shown, page_text, record_form, signed_in

# The fixtures' schools, in the order memberships are listed: by name.
OAKFIELD = "Oakfield Primary School"
RIVERSIDE = "Riverside Academy"


def join(user, school, role):
    Membership.objects.create(user=user, school=school, role=role)
    return user


@pytest.fixture
def sam(school, other_school):
    """A member of staff at Oakfield who is the DSL at Riverside."""
    user = member(
        school, Role.STAFF, second_factor=True, full_name="Sam Both", email="sam@trust.example"
    )
    return join(user, other_school, Role.DSL)


@pytest.fixture
def riverside_pupils(other_school):
    return [
        PupilFactory(school=other_school, legal_first_name="Rosa", legal_last_name="Brook"),
        PupilFactory(school=other_school, legal_first_name="Ruby", legal_last_name="Ford"),
        PupilFactory(school=other_school, legal_first_name="Reid", legal_last_name="Lane"),
    ]


def choose(client, school, *, next_url=""):
    return client.post(reverse("school_choose"), {"school": str(school.uuid), "next": next_url})


def caption(response) -> str:
    """The school a page says it is for: the caption above its heading."""
    found = re.search(r'class="govuk-caption-l">([^<]*)<', response.content.decode())
    assert found, "the page names no school"
    return found.group(1).strip()


def picker_shows_chosen(response) -> str:
    """The school the header's picker shows as chosen."""
    found = re.search(r'<option value="[^"]+" selected>([^(<]*) \(', response.content.decode())
    return found.group(1) if found else ""


# --- Recording -----------------------------------------------------------------------------


def test_a_person_records_at_the_school_they_chose_and_the_concern_belongs_to_it(
    sam, other_school, riverside_pupils
):
    client = signed_in(sam)

    chosen = choose(client, other_school, next_url=reverse("concerns:new"))
    form = client.get(reverse("concerns:new"))
    recorded = client.post(
        reverse("concerns:new"),
        record_form(riverside_pupils, school=str(other_school.uuid), other_children="yes"),
    )

    assert chosen.status_code == 302
    assert chosen.url == reverse("concerns:new")
    assert f"Recording for: {RIVERSIDE} Change school" in page_text(form)
    # Its children are found on that school's register.
    assert f"school={other_school.uuid}" in form.content.decode()
    concern = Concern.objects.get(reporter=sam)
    assert recorded.url == reverse("concerns:recorded", args=[concern.uuid])
    assert concern.school_id == other_school.pk
    assert sorted(concern.children.values_list("pupil__legal_first_name", flat=True)) == [
        "Reid",
        "Rosa",
        "Ruby",
    ]


def test_without_a_choice_each_page_uses_the_first_school_where_the_role_is_held(
    sam, school, pupils
):
    client = signed_in(sam)

    form = client.get(reverse("concerns:new"))
    client.post(
        reverse("concerns:new"), record_form(pupils, school=str(school.uuid), other_children="yes")
    )
    queue = client.get(reverse("concerns:queue"))

    assert f"Recording for: {OAKFIELD}" in page_text(form)
    assert Concern.objects.get(reporter=sam).school_id == school.pk
    # Sam is on the safeguarding team only at Riverside.
    assert caption(queue) == RIVERSIDE


def test_a_form_shown_for_one_school_is_not_recorded_at_another_chosen_since(
    sam, school, other_school, pupils
):
    """Chosen in another tab while the form was open: its children were Oakfield's."""
    client = signed_in(sam)
    choose(client, school)
    client.get(reverse("concerns:new"))
    choose(client, other_school)

    response = client.post(
        reverse("concerns:new"), record_form(pupils, school=str(school.uuid), other_children="yes")
    )

    assert response.status_code == 200
    assert "You changed school after opening this form" in page_text(response)
    assert f"It now records for {RIVERSIDE}" in page_text(response)
    assert not Concern.objects.filter(reporter=sam).exists()


# --- The queue and every page that acts for "your school" ---------------------------------


def test_the_queue_shows_the_chosen_schools_concerns(
    dsl, other_school, school, staff, pupils, riverside_pupils
):
    join(dsl, other_school, Role.DSL)
    reporter = member(other_school, Role.STAFF, full_name="Rob River")
    oakfield = record_concern(school=school, reporter=staff, pupils=pupils[:1])
    riverside = record_concern(school=other_school, reporter=reporter, pupils=riverside_pupils[:1])
    client = signed_in(dsl)

    first = client.get(reverse("concerns:queue"))
    choose(client, other_school)
    chosen = client.get(reverse("concerns:queue"))

    def shown(concern, page):
        return reverse("concerns:detail", args=[concern.uuid]) in page.content.decode()

    assert caption(first) == OAKFIELD
    assert (shown(oakfield, first), shown(riverside, first)) == (True, False)
    assert caption(chosen) == RIVERSIDE
    assert (shown(oakfield, chosen), shown(riverside, chosen)) == (False, True)


@pytest.fixture
def dsl_and_admin(school, other_school):
    """The DSL at Oakfield, who is also Riverside's school administrator."""
    user = member(school, Role.DSL, full_name="Pat Pair", email="pat@trust.example")
    return join(user, other_school, Role.SCHOOL_ADMIN)


# Each page, and the school it is for when Oakfield or Riverside is chosen. The safeguarding
# team's own pages stay at Oakfield, and the people pages at Riverside: the role is held only
# there.
PAGES = [
    ("concerns:new", OAKFIELD, RIVERSIDE),
    ("concerns:list", OAKFIELD, RIVERSIDE),
    ("concerns:guidance", OAKFIELD, RIVERSIDE),
    ("concerns:queue", OAKFIELD, OAKFIELD),
    ("concerns:categories", OAKFIELD, OAKFIELD),
    ("concerns:guidance_new", OAKFIELD, OAKFIELD),
    ("oversight:dashboard", OAKFIELD, RIVERSIDE),
    ("oversight:registers", OAKFIELD, RIVERSIDE),
    ("oversight:checklist", OAKFIELD, RIVERSIDE),
    ("oversight:training_new", OAKFIELD, RIVERSIDE),
    ("school_settings", OAKFIELD, RIVERSIDE),
    ("pupil_import", OAKFIELD, RIVERSIDE),
    ("transfers:incoming_list", OAKFIELD, OAKFIELD),
    ("transfers:incoming_import", OAKFIELD, OAKFIELD),
    ("transfers:leavers", OAKFIELD, OAKFIELD),
    ("people", RIVERSIDE, RIVERSIDE),
    ("person_invite", RIVERSIDE, RIVERSIDE),
]


@pytest.mark.parametrize(("name", "at_oakfield", "at_riverside"), PAGES)
def test_each_page_follows_the_chosen_school_where_the_role_allows(
    dsl_and_admin, school, other_school, name, at_oakfield, at_riverside
):
    client = signed_in(dsl_and_admin)

    choose(client, school)
    oakfield = client.get(reverse(name))
    choose(client, other_school)
    riverside = client.get(reverse(name))

    assert (oakfield.status_code, riverside.status_code) == (200, 200)
    assert (caption(oakfield), caption(riverside)) == (at_oakfield, at_riverside)
    # The header shows the school the page is for, even where it is not the one chosen.
    assert (picker_shows_chosen(oakfield), picker_shows_chosen(riverside)) == (
        at_oakfield,
        at_riverside,
    )


def test_a_governor_elsewhere_reads_that_schools_registers_without_changing_them(
    dsl, school, other_school
):
    join(dsl, other_school, Role.GOVERNOR)
    client = signed_in(dsl)

    choose(client, other_school)
    registers = client.get(reverse("oversight:registers"))
    home = client.get(reverse("home"))

    assert caption(registers) == RIVERSIDE
    assert "Record training" not in page_text(registers)
    # Home starts where the chosen school's role starts: a governor's is the dashboard.
    assert home.url == reverse("oversight:dashboard")


# --- The picker ----------------------------------------------------------------------------


def test_the_choice_lasts_across_requests(sam, other_school):
    client = signed_in(sam)

    response = choose(client, other_school, next_url=reverse("concerns:guidance"))
    back = client.get(response.url)
    pages = [client.get(reverse(name)) for name in ("concerns:new", "concerns:list", "home")]

    assert client.session[SESSION_KEY] == str(other_school.uuid)
    assert messages_shown(back) == [f"You are now working for {RIVERSIDE}."]
    assert caption(back) == RIVERSIDE
    assert f"Recording for: {RIVERSIDE}" in page_text(pages[0])
    assert caption(pages[1]) == RIVERSIDE
    assert pages[2].url == reverse("concerns:queue")  # Sam is Riverside's DSL


def test_choosing_a_school_they_are_not_a_member_of_is_not_found(sam, school, other_school):
    elsewhere = SchoolFactory(name="Westfield Academy")
    client = signed_in(sam)
    choose(client, other_school)

    refused = [
        choose(client, elsewhere),
        client.post(reverse("school_choose"), {"school": "not-a-school"}),
        client.post(reverse("school_choose"), {}),
    ]

    assert [response.status_code for response in refused] == [404, 404, 404]
    assert client.session[SESSION_KEY] == str(other_school.uuid)


def test_the_picker_refuses_a_get(sam, other_school):
    client = signed_in(sam)

    response = client.get(reverse("school_choose"), {"school": str(other_school.uuid)})

    assert response.status_code == 405
    assert SESSION_KEY not in client.session


def test_anyone_signed_out_is_sent_to_sign_in(client, other_school):
    response = choose(client, other_school)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login") + "?")
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize(
    "next_url", ["https://elsewhere.example/", "//elsewhere.example/queue/", ""]
)
def test_the_picker_goes_back_only_to_our_own_pages(sam, other_school, next_url):
    response = choose(signed_in(sam), other_school, next_url=next_url)

    assert response.url == reverse("home")


def test_signing_out_forgets_the_choice(sam, school, other_school):
    client = signed_in(sam)
    choose(client, other_school)

    client.post(reverse("account_logout"))
    client.force_login(sam)
    form = client.get(reverse("concerns:new"))

    assert SESSION_KEY not in client.session
    assert f"Recording for: {OAKFIELD}" in page_text(form)


def test_the_picker_is_shown_to_someone_in_two_schools(sam):
    page = signed_in(sam).get(reverse("concerns:guidance"))

    assert 'action="/school/choose/"' in page.content.decode()
    assert f"School {OAKFIELD} (member of staff) {RIVERSIDE} (designated safeguarding lead)" in (
        page_text(page)
    )
    assert "Change school" in page_text(page)


@pytest.mark.parametrize("name", ["concerns:new", "concerns:guidance", "home"])
def test_the_picker_is_not_shown_to_someone_in_one_school(staff, name):
    page = signed_in(staff).get(reverse(name))

    assert page.status_code == 200
    assert reverse("school_choose") not in page.content.decode()
    assert "Change school" not in page_text(page)
