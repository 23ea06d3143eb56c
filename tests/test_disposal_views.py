"""Disposing of a child's file through the DSL team's pages (issue 16): proposed on the file's
page, confirmed by a second member of the team on the disposal's page, and the certificate it
leaves; what stops it, shown before anyone tries; the queue's panel and the governors' counts.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from concerns.models import Concern
from retention import services
from retention.models import Disposal, DisposalStatus
from schools.models import Pupil
from tests.factories import PupilFactory, record_concern
from tests.test_retention_views import aged, file_url, tess_ward
from tests.test_views_concerns import form_state, messages_shown, page_text, signed_in

CERTIFICATES = reverse("retention:certificates")


@pytest.fixture
def tess(school, staff, dsl):
    """Tess Ward, a former pupil now 27, with a concern from ten years ago, referred: her
    file is due for review."""
    return tess_ward(school, staff, dsl)


def disposal_url(disposal) -> str:
    return reverse("retention:disposal", args=[disposal.uuid])


def test_the_dsl_proposes_disposal_from_the_files_page_with_a_reason(dsl, tess):
    client = signed_in(dsl)
    text = page_text(client.get(file_url(tess)))
    assert "Or dispose of the file" in text
    assert "What is destroyed Child Due for review What the file holds Tess Ward" in text
    assert "Propose disposal" in text

    refused = client.post(reverse("retention:dispose", args=[tess.uuid]), {"dispose-reason": "  "})
    assert "Say why the file is disposed of" in page_text(refused)
    assert not Disposal.objects.exists()

    response = client.post(
        reverse("retention:dispose", args=[tess.uuid]),
        {"dispose-reason": "Reviewed at 27: nothing needs it."},
    )
    proposed = Disposal.objects.get()
    assert response.status_code == 302 and response.url == disposal_url(proposed)
    page = client.get(response.url)
    assert messages_shown(page)[0].startswith("Disposal of Tess Ward's file is proposed.")
    text = page_text(page)
    assert "You proposed this disposal: a different member of the DSL team confirms it." in text
    assert "Confirm and destroy the file" not in text
    # The file's page now points at the proposal instead of offering another.
    assert "Confirm or withdraw the proposal" in page_text(client.get(file_url(tess)))


def test_a_second_member_confirms_and_the_certificate_says_what_was_destroyed(dsl, deputy, tess):
    concern = Concern.objects.get(children__pupil=tess)
    proposed = services.disposal_propose(pupil=tess, by=dsl, reason="Reviewed at 27.")
    client = signed_in(deputy)
    text = page_text(client.get(disposal_url(proposed)))
    assert "Dispose of Tess Ward's file" in text
    assert "Confirm and destroy the file" in text

    unticked = client.post(reverse("retention:disposal_confirm", args=[proposed.uuid]), {})
    assert "Tick to confirm that you have checked what is destroyed" in page_text(unticked)
    assert Pupil.objects.filter(pk=tess.pk).exists()

    response = client.post(
        reverse("retention:disposal_confirm", args=[proposed.uuid]), {"confirm": "on"}
    )
    assert response.status_code == 302 and response.url == disposal_url(proposed)
    assert not Pupil.objects.filter(pk=tess.pk).exists()
    page = client.get(response.url)
    text = page_text(page)
    assert messages_shown(page)[0].startswith("The file is disposed of.")
    born = tess.date_of_birth
    assert f"Whose file Tess Ward, born {born.day} {born:%B %Y}: {concern.reference}" in text
    assert f"by {dsl.full_name}" in text and f"by {deputy.full_name}" in text
    assert "1 child on the register" in text and "1 concern" in text and "1 referral" in text
    assert "Disposed of, confirmed by" in text  # the history
    listed = page_text(client.get(CERTIFICATES))
    assert f"Tess Ward {dsl.full_name} and {deputy.full_name}" in listed


def test_a_withdrawal_needs_a_reason_and_keeps_the_file(dsl, deputy, tess):
    proposed = services.disposal_propose(pupil=tess, by=dsl, reason="Reviewed at 27.")
    client = signed_in(deputy)
    address = reverse("retention:disposal_withdraw", args=[proposed.uuid])

    refused = client.post(address, {"withdraw_reason": ""})
    assert "Say why the proposal is withdrawn" in page_text(refused)

    response = client.post(address, {"withdraw_reason": "A claim has been made."})
    text = page_text(client.get(response.url))
    assert "Disposal withdrawn" in text and "A claim has been made." in text
    assert Disposal.objects.get().status == DisposalStatus.WITHDRAWN
    assert Pupil.objects.filter(pk=tess.pk).exists()


def test_a_withdrawn_proposal_cannot_be_confirmed_from_its_page(dsl, deputy, tess):
    proposed = services.disposal_propose(pupil=tess, by=dsl, reason="Reviewed at 27.")
    services.disposal_withdraw(disposal=proposed, by=dsl, reason="A claim has been made.")

    response = signed_in(deputy).post(
        reverse("retention:disposal_confirm", args=[proposed.uuid]), {"confirm": "on"}
    )

    assert "This proposal is no longer waiting for confirmation." in page_text(response)
    assert Pupil.objects.filter(pk=tess.pk).exists()
    assert Disposal.objects.get().status == DisposalStatus.WITHDRAWN


def test_a_held_file_says_why_it_cannot_be_disposed_of_and_offers_no_button(school, dsl, tess):
    services.legal_hold_place(school=school, pupil=tess, by=dsl, reason="IICSA asked.")

    text = page_text(signed_in(dsl).get(file_url(tess)))

    assert "It cannot be disposed of today: Tess Ward's file is held" in text
    assert "Propose disposal" not in text


def test_a_refusal_keeps_what_was_typed(school, dsl, tess):
    client = signed_in(dsl)
    page = client.get(file_url(tess))  # the page is offered while nothing stops it
    assert "Propose disposal" in page_text(page)
    # Meanwhile, an inquiry holds every file of the school.
    services.legal_hold_place(school=school, by=dsl, reason="An inquiry.")

    response = client.post(
        reverse("retention:dispose", args=[tess.uuid]),
        {"dispose-reason": "Reviewed at 27: nothing needs it."},
    )

    assert "Every file of the school is held" in page_text(response)
    assert not Disposal.objects.exists()
    assert form_state(response) is not None


def test_shared_concerns_show_the_files_that_go_together(school, staff, dsl, tess):
    sister = PupilFactory(
        school=school, legal_first_name="Ivy", legal_last_name="Ward", date_of_birth=aged(20)
    )
    both = record_concern(school=school, reporter=staff, pupils=[tess, sister])

    text = page_text(signed_in(dsl).get(file_url(tess)))

    assert "this file goes with the files of every child named with Tess Ward" in text
    assert "Ivy Ward Born" in text and f"Named in {both.reference}" in text
    assert "Ivy Ward is still on the school's roll" in text
    assert "Propose disposal" not in text


def test_the_queue_shows_disposals_to_confirm(dsl, deputy, tess):
    proposed = services.disposal_propose(pupil=tess, by=dsl, reason="Reviewed at 27.")

    text = page_text(signed_in(deputy).get(reverse("concerns:queue")))

    assert "Disposals to confirm" in text
    assert "Tess Ward's file" in text and f"proposed by {dsl.full_name}" in text
    assert disposal_url(proposed) in signed_in(dsl).get(reverse("concerns:queue")).content.decode()


def test_the_disposal_page_costs_the_same_for_one_file_as_for_two(
    school, staff, dsl, deputy, tess, django_assert_num_queries
):
    proposed = services.disposal_propose(pupil=tess, by=dsl, reason="Reviewed at 27.")
    client = signed_in(deputy)
    # The session, the signed-in user, the user's memberships (the navigation), then:
    #   - the disposal, with its school, child, and who proposed, confirmed, withdrew it
    #   - the user's membership there (may they handle cases?)
    #   - the plan: the children bound by shared concerns (one step), their files, the open
    #     subject access requests, the proposal waiting
    #   - the disposal's history, with who made each change
    with django_assert_num_queries(10):
        client.get(disposal_url(proposed))
    sister = PupilFactory(school=school, date_of_birth=aged(30), is_on_roll=False)
    record_concern(school=school, reporter=staff, pupils=[tess, sister])
    # One more step to find the sister, and the references that bind her.
    with django_assert_num_queries(12):
        text = page_text(client.get(disposal_url(proposed)))
    assert "The files destroyed together" in text


def test_the_certificates_cost_the_same_for_one_as_for_three(
    school, staff, dsl, deputy, django_assert_num_queries
):
    def disposed():
        pupil = PupilFactory(school=school, date_of_birth=aged(30), is_on_roll=False)
        record_concern(school=school, reporter=staff, pupils=[pupil])
        proposed = services.disposal_propose(pupil=pupil, by=dsl, reason="Reviewed.")
        services.disposal_confirm(disposal=proposed, by=deputy)

    disposed()
    client = signed_in(dsl)
    # The session, the user, the memberships (which school acts; the navigation), and the
    # certificates with who proposed and confirmed each.
    with django_assert_num_queries(5):
        client.get(CERTIFICATES)
    disposed()
    disposed()
    with django_assert_num_queries(5):
        text = page_text(client.get(CERTIFICATES))
    assert text.count("Certificate of") == 3


def test_governors_see_files_kept_and_disposed_of_as_counts(school, staff, dsl, deputy, governor):
    for n in range(6):
        pupil = PupilFactory(school=school, date_of_birth=aged(30 + n), is_on_roll=False)
        record_concern(
            school=school,
            reporter=staff,
            pupils=[pupil],
            disclosed_at=timezone.now() - datetime.timedelta(days=4000),
        )
        proposed = services.disposal_propose(pupil=pupil, by=dsl, reason="Reviewed.")
        services.disposal_confirm(disposal=proposed, by=deputy)

    text = page_text(signed_in(governor).get(reverse("oversight:dashboard")))

    assert "Children's files reviewed in the period" in text
    assert "Disposed of, by two members of the DSL team 6" in text
    for certificate in Disposal.objects.all():
        assert certificate.children[0]["name"] not in text


@pytest.mark.parametrize("persona", ["staff", "governor", "school_admin"])
def test_other_roles_see_no_certificate(request, dsl, deputy, tess, persona):
    proposed = services.disposal_propose(pupil=tess, by=dsl, reason="Reviewed at 27.")
    services.disposal_confirm(disposal=proposed, by=deputy)
    client = signed_in(request.getfixturevalue(persona))

    for address in (CERTIFICATES, disposal_url(proposed)):
        response = client.get(address)
        assert response.status_code == 403
        assert "Tess" not in response.content.decode()
