"""Need to know (DOMAIN.md rule 5), enforced by the selectors every view goes through.

Out of reach is a 404, so that a concern's existence is not given away; in reach but not
allowed is a 403.
"""

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from concerns.selectors import concern_for, concerns_visible_to
from schools.models import Membership, Role
from tests.factories import PupilFactory, UserFactory, record_concern


@pytest.fixture
def concerns(school, other_school, staff, other_staff, dsl, other_dsl, pupils):
    """Two concerns raised by Tom, one by Olive, one by the DSL, and one at another school."""
    return {
        "tom": record_concern(school=school, reporter=staff, pupils=pupils[:1]),
        "tom again": record_concern(school=school, reporter=staff, pupils=pupils[1:2]),
        "olive": record_concern(school=school, reporter=other_staff, pupils=pupils[2:]),
        "dsl": record_concern(school=school, reporter=dsl, pupils=pupils[:2]),
        "riverside": record_concern(
            school=other_school, reporter=other_dsl, pupils=[PupilFactory(school=other_school)]
        ),
    }


def visible(user, concerns) -> set[str]:
    by_pk = {concern.pk: name for name, concern in concerns.items()}
    return {by_pk[pk] for pk in concerns_visible_to(user).values_list("pk", flat=True)}


def test_staff_see_only_the_concerns_they_raised(concerns, staff, other_staff):
    assert visible(staff, concerns) == {"tom", "tom again"}
    assert visible(other_staff, concerns) == {"olive"}


@pytest.mark.parametrize("persona", ["dsl", "deputy"])
def test_the_dsl_team_sees_every_concern_of_their_school(concerns, persona, request):
    user = request.getfixturevalue(persona)
    assert visible(user, concerns) == {"tom", "tom again", "olive", "dsl"}


def test_a_governor_sees_no_concern(concerns, governor):
    assert visible(governor, concerns) == set()


def test_another_schools_dsl_sees_only_their_own_schools(concerns, other_dsl):
    assert visible(other_dsl, concerns) == {"riverside"}


def test_someone_who_has_left_the_school_sees_nothing_they_raised(concerns, staff):
    Membership.objects.filter(user=staff).delete()
    assert visible(staff, concerns) == set()
    with pytest.raises(Http404):
        concern_for(staff, concerns["tom"].uuid)


def test_a_dsl_at_one_school_and_staff_at_another_sees_accordingly(
    concerns, other_school, other_staff
):
    Membership.objects.create(user=other_staff, school=other_school, role=Role.DSL)
    assert visible(other_staff, concerns) == {"olive", "riverside"}


def test_the_reporter_can_read_their_concern(concerns, staff):
    concern, membership = concern_for(staff, concerns["tom"].uuid)
    assert concern.pk == concerns["tom"].pk
    assert membership.role == Role.STAFF


def test_the_reporter_cannot_manage_their_concern(concerns, staff):
    with pytest.raises(PermissionDenied):
        concern_for(staff, concerns["tom"].uuid, manage=True)


def test_another_member_of_staff_gets_not_found(concerns, other_staff):
    with pytest.raises(Http404):
        concern_for(other_staff, concerns["tom"].uuid)
    with pytest.raises(Http404):
        concern_for(other_staff, concerns["tom"].uuid, manage=True)


@pytest.mark.parametrize("persona", ["dsl", "deputy"])
@pytest.mark.parametrize("manage", [False, True])
def test_the_dsl_team_can_read_and_manage_any_concern_of_their_school(
    concerns, persona, manage, request
):
    user = request.getfixturevalue(persona)
    concern, membership = concern_for(user, concerns["olive"].uuid, manage=manage)
    assert concern.pk == concerns["olive"].pk
    assert membership.is_dsl_team


@pytest.mark.parametrize("manage", [False, True])
def test_a_governor_is_refused(concerns, governor, manage):
    with pytest.raises(PermissionDenied):
        concern_for(governor, concerns["tom"].uuid, manage=manage)


def test_another_schools_dsl_gets_not_found(concerns, other_dsl):
    with pytest.raises(Http404):
        concern_for(other_dsl, concerns["tom"].uuid)
    with pytest.raises(Http404):
        concern_for(other_dsl, concerns["tom"].uuid, manage=True)


def test_someone_with_no_school_gets_not_found(concerns):
    with pytest.raises(Http404):
        concern_for(UserFactory(), concerns["tom"].uuid)


def test_an_unknown_concern_is_not_found(concerns, dsl):
    with pytest.raises(Http404):
        concern_for(dsl, uuid.uuid4())


def test_the_fetched_concern_carries_its_school_and_reporter(concerns, dsl):
    # Views read both on every page; under FETCH_RAISE a lazy load here would raise.
    concern, _ = concern_for(dsl, concerns["tom"].uuid)
    assert concern.school.name == "Oakfield Primary School"
    assert concern.reporter.full_name == "Tom Teacher"
