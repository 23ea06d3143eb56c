"""The referral pages: recording each referral to an agency, then following it up until the
agency says what it will do. Referrals are the DSL team's work (DOMAIN.md rule 5)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from concerns.models import Agency, Concern, Step
from referrals import services
from referrals.models import AgencyContact, ContactKind, Method, Outcome, Referral
from tests.factories import answer_criteria, record_concern, record_referral
from tests.test_views_concerns import (
    bring_to,
    children_of,
    form_state,
    fresh,
    history_rows,
    messages_shown,
    minutes_ago,
    new_referral_form,
    page_text,
    referral_form,
    signed_in,
    url,
)


@pytest.fixture
def concern(school, staff, pupils):
    """Amelia is the subject; Bella and Chloe are affected. Sharing nudes, raised by Tom."""
    return fresh(record_concern(school=school, reporter=staff, pupils=pupils))


@pytest.fixture
def groomed(school, staff, pupils, dsl):
    """The DOMAIN.md case, ready for the referral step: an adult sought the images, so the
    police must be told as well as children's social care."""
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=pupils,
        categories=("sharing-nudes", "online-grooming"),
        adult_involved="yes",
    )
    return answer_criteria(bring_to(Step.EVIDENCE_PRESERVED, concern, by=dsl), dsl)


@pytest.fixture
def groomed_no_adult_known(school, staff, pupils, dsl):
    """Grooming where the DSL has established that no adult is involved and no criterion is
    met: the category still calls for the police, or a reason why not."""
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=pupils[:1],
        categories=("online-grooming",),
        adult_involved="no",
    )
    return answer_criteria(bring_to(Step.EVIDENCE_PRESERVED, concern, by=dsl), dsl)


@pytest.fixture
def dsl_client(dsl):
    return signed_in(dsl)


@pytest.fixture
def referral(concern, dsl):
    """An urgent call to social care about all three girls, twenty minutes ago."""
    return record_referral(
        concern,
        dsl,
        agency_name="Demoshire MASH",
        made_at=timezone.now() - datetime.timedelta(minutes=20),
        agency_reference="MASH-2026-0042",
        urgent=True,
    )


def new_url(concern: Concern) -> str:
    return reverse("referrals:new", args=[concern.uuid])


def referral_url(name: str, referral: Referral) -> str:
    return reverse(f"referrals:{name}", args=[referral.uuid])


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


# Recording a referral.


def test_the_referral_form_shows_the_parents_wishes_and_ticks_every_child(dsl_client, concern):
    response = dsl_client.get(new_url(concern))

    text = page_text(response)
    assert "Record a referral" in text
    assert "Does not want anyone else told." in text
    assert "Their wishes are recorded but do not override the duty to refer." in text
    assert "Your local authority expects it in writing within 24 hours." in text
    ticked = form_state(response)["children"]
    assert ticked == [child.uuid.hex for child in children_of(concern)]
    assert "Bella Cole (another child affected)" in text


def test_dsl_records_a_referral_to_social_care_about_every_child(dsl_client, dsl, concern):
    concern = bring_to(Step.EVIDENCE_PRESERVED, concern, by=dsl)

    response = dsl_client.post(new_url(concern), new_referral_form(concern))

    assert response.status_code == 302
    assert response.url == url("referral", concern)
    referral = Referral.objects.get(concern=concern)
    assert (referral.agency, referral.agency_name, referral.method) == (
        Agency.SOCIAL_CARE,
        "Demoshire MASH",
        Method.PHONE,
    )
    assert referral.agency_reference == "MASH-2026-0042"
    assert referral.contact_name == "Sam Social (duty social worker)"
    assert referral.consent_reason == "The mother does not want anyone else involved."
    assert referral.parents_aware is True
    assert (referral.made_by_id, referral.recorded_by_id) == (dsl.pk, dsl.pk)
    assert set(referral.children.all()) == set(children_of(concern))
    assert referral.urgent is True
    assert referral.confirmation_due_at == referral.made_at + datetime.timedelta(hours=24)
    assert referral.feedback_due_at > referral.made_at
    assert history_rows(referral) == [(dsl.pk, "Referral to Demoshire MASH recorded")]
    step = dsl_client.get(response.url)
    assert messages_shown(step) == ["The referral to Demoshire MASH has been recorded."]
    text = page_text(step)
    assert "Demoshire MASH" in text
    assert "Phone, by Dana Lead" in text
    assert "Amelia Hart Bella Cole Chloe Dunn View the referral to Demoshire MASH" in text


def test_a_999_call_is_recorded_before_the_referral_step_opens(dsl_client, dsl, concern):
    """The police come first when a child is in danger now: a referral needs no earlier step."""
    data = new_referral_form(
        concern,
        agency=Agency.POLICE,
        agency_name="",
        method=Method.PHONE_999,
        children=[children_of(concern)[0].uuid.hex],
        agency_reference="CAD 1234",
    )

    response = dsl_client.post(new_url(concern), data)

    # The referral step page is not open yet, so the concern's page is where it shows.
    assert response.url == url("detail", concern)
    referral = Referral.objects.get(concern=concern)
    assert referral.agency == Agency.POLICE
    assert [child.pupil.full_name for child in referral.children.select_related("pupil")] == [
        "Amelia Hart"
    ]
    assert fresh(concern).step == Step.RECORDED
    detail = page_text(dsl_client.get(response.url))
    assert "The referral to Police has been recorded." in detail
    assert "Police" in detail and "CAD 1234 Written confirmation due" in detail


def test_a_referral_without_the_view_of_risk_is_refused_and_keeps_what_was_typed(
    dsl_client, concern
):
    amelia, bella, _ = children_of(concern)
    data = new_referral_form(concern, risk_view="  ", children=[amelia.uuid.hex, bella.uuid.hex])

    response = dsl_client.post(new_url(concern), data)

    assert response.status_code == 200
    assert not Referral.objects.exists()
    text = page_text(response)
    assert text.startswith("Error: Record a referral")
    assert "There is a problem" in text
    assert "Give your view of the risk, with your reasons" in text
    typed = form_state(response)
    assert typed["agency"] == [Agency.SOCIAL_CARE]
    assert typed["method"] == [Method.PHONE]
    assert typed["children"] == [amelia.uuid.hex, bella.uuid.hex]
    assert typed["agency_reference"] == ["MASH-2026-0042"]
    assert typed["consent"] == ["refused"]
    assert typed["consent_reason"] == ["The mother does not want anyone else involved."]
    assert typed["made_at"] == [data["made_at"]]
    assert typed["urgent"] == ["on"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"agency": ""}, "Select the agency the referral was made to"),
        ({"made_at": ""}, "Enter when the referral was made"),
        ({"made_at": "yesterday"}, "Enter when the referral was made in the right format"),
        ({"method": ""}, "Select how the referral was made"),
        ({"children": []}, "Select the children the referral covers"),
        ({"parents_aware": ""}, "Select whether the parents or carers are aware of the referral"),
        ({"consent": ""}, "Select whether the parents or carers consented to the referral"),
        ({"consent_reason": ""}, "Say why consent was not given or not sought"),
        (
            {"method": Method.PORTAL},
            "Only a phone referral is confirmed in writing afterwards: untick this, or choose "
            "the kind of call",
        ),
    ],
)
def test_an_incomplete_referral_is_refused_with_the_reason(dsl_client, concern, change, message):
    response = dsl_client.post(new_url(concern), new_referral_form(concern) | change)

    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem" in text
    assert message in text
    assert not Referral.objects.exists()


def test_a_referral_made_in_the_future_is_refused(dsl_client, concern):
    tomorrow = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    response = dsl_client.post(new_url(concern), new_referral_form(concern, made_at=tomorrow))

    assert "The date and time cannot be in the future" in page_text(response)
    assert form_state(response)["made_at"] == [tomorrow]
    assert not Referral.objects.exists()


def test_a_closed_concern_takes_no_new_referral(dsl_client, dsl, concern):
    concern = bring_to(Step.CLOSED, concern, by=dsl)
    before = Referral.objects.count()

    shown = dsl_client.get(new_url(concern), follow=True)
    posted = dsl_client.post(new_url(concern), new_referral_form(concern))

    assert shown.redirect_chain == [(url("detail", concern), 302)]
    assert messages_shown(shown) == ["This concern is closed. Add a note to it instead."]
    assert posted.url == url("detail", concern)
    assert Referral.objects.count() == before


# The referral step: the referrals recorded, then the decision.


def test_the_referral_step_lists_the_referrals_and_completes_from_them(dsl_client, dsl, groomed):
    record_referral(groomed, dsl, Agency.SOCIAL_CARE)
    record_referral(groomed, dsl, Agency.POLICE, method=Method.PHONE_101)

    page = dsl_client.get(url("referral", groomed))
    response = dsl_client.post(url("referral", groomed), referral_form(groomed))

    text = page_text(page)
    assert "Children's social care (MASH)" in text and "101 call, by Dana Lead" in text
    assert "Record a referral" in text
    assert "Referred to" not in text
    assert "Why have the police not been told?" not in text
    assert "refer to the police as well" not in text
    assert response.status_code == 302
    concern = fresh(groomed)
    assert concern.step == Step.REFERRAL_DECIDED
    assert concern.referral_agencies == [Agency.SOCIAL_CARE, Agency.POLICE]
    assert history_rows(concern)[-1] == (dsl.pk, "Referral decision recorded")


def test_referring_before_any_referral_is_recorded_is_refused(dsl_client, groomed):
    data = referral_form(groomed, rationale="Images sent to an adult", police_not_told_reason="")

    response = dsl_client.post(url("referral", groomed), data)

    text = page_text(response)
    assert "No referral has been recorded yet." in text
    assert "Record the referral to each agency before completing this step" in text
    assert form_state(response)["rationale"] == ["Images sent to an adult"]
    assert fresh(groomed).step == Step.EVIDENCE_PRESERVED


def test_grooming_asks_no_reason_for_not_telling_the_police_it_must_be_told(
    dsl_client, dsl, groomed_no_adult_known
):
    groomed = groomed_no_adult_known
    record_referral(groomed, dsl, Agency.SOCIAL_CARE)
    page = page_text(dsl_client.get(url("referral", groomed)))
    reason = "Social care are telling the police at the strategy meeting this afternoon."
    refused = dsl_client.post(
        url("referral", groomed), referral_form(groomed, police_not_told_reason=reason)
    )

    assert "refer to the police as well as children's social care" in page
    assert "Why have the police not been told?" not in page
    assert "From the category “Online grooming”: an adult" in page
    assert "An immediate-referral criterion is met (is an adult involved: yes" in (
        page_text(refused)
    )
    assert form_state(refused)["parents_not_informed_reason"][0].startswith("Social care asked")
    concern = fresh(groomed)
    assert concern.step == Step.EVIDENCE_PRESERVED
    assert concern.police_not_told_reason == ""


def test_where_a_criterion_is_met_no_reason_stands_in_for_the_police(dsl_client, dsl, groomed):
    record_referral(groomed, dsl, Agency.SOCIAL_CARE)
    reason = "Social care are telling the police at the strategy meeting this afternoon."

    refused = dsl_client.post(
        url("referral", groomed), referral_form(groomed, police_not_told_reason=reason)
    )

    text = page_text(refused)
    assert "Why have the police not been told?" not in text
    assert "record the referral to Police." in text
    assert fresh(groomed).step == Step.EVIDENCE_PRESERVED


def test_the_concern_page_lists_its_referrals_with_their_status(dsl_client, dsl, concern):
    overdue = record_referral(
        concern, dsl, Agency.SOCIAL_CARE, made_at=days_ago(10), agency_reference="MASH-1"
    )
    record_referral(concern, dsl, Agency.POLICE, method=Method.PHONE_101, agency_reference="PC-7")
    heard = record_referral(concern, dsl, Agency.EARLY_HELP, agency_reference="EH-3")
    services.referral_record_feedback(
        referral=heard,
        by=dsl,
        received_at=timezone.now(),
        outcome=Outcome.EARLY_HELP,
        details="Family support worker allocated.",
    )

    response = dsl_client.get(url("detail", concern))

    text = page_text(response)
    assert "MASH-1 Feedback overdue" in text
    assert "PC-7 Referred" in text
    assert "EH-3 Feedback received" in text
    assert f'href="{referral_url("detail", overdue)}"' in response.content.decode()


# The referral's own page.


def test_the_referral_page_shows_the_referral_its_deadlines_and_contacts_in_date_order(
    dsl_client, dsl, deputy, referral
):
    # Recorded out of order: the page lists them by when they happened.
    for minutes, notes in [(2, "Chased: no decision yet"), (5, "Strategy meeting called")]:
        services.agency_contact_record(
            referral=referral,
            by=deputy,
            kind=ContactKind.FOLLOW_UP,
            happened_at=timezone.now() - datetime.timedelta(minutes=minutes),
            notes=notes,
        )

    response = dsl_client.get(referral_url("detail", referral))

    text = page_text(response)
    assert "Referral to Demoshire MASH" in text
    assert "Agency Children's social care (MASH): Demoshire MASH" in text
    assert "Their reference MASH-2026-0042" in text
    assert "Amelia Hart (the child the concern is about) Bella Cole" in text
    assert "Written confirmation Due by" in text
    assert "Due Feedback from the agency Due by the end of" in text
    assert text.index("Strategy meeting called") < text.index("Chased: no decision yet")
    assert "Recorded by Dev Deputy" in text
    assert "Confirmed in writing" in text and "Record feedback" in text


def test_overdue_deadlines_are_shown_in_red(dsl_client, dsl, concern):
    late = record_referral(concern, dsl, made_at=days_ago(10), urgent=True)

    response = dsl_client.get(referral_url("detail", late))

    html = response.content.decode()
    assert html.count('<strong class="govuk-tag govuk-tag--red">Overdue</strong>') == 2
    assert "Written confirmation overdue" in page_text(dsl_client.get(url("detail", concern)))


def test_dsl_records_the_written_confirmation(dsl_client, dsl, referral):
    when = minutes_ago(5)

    response = dsl_client.post(referral_url("confirm", referral), {"confirm-confirmed_at": when})

    assert response.status_code == 302
    assert response.url == referral_url("detail", referral)
    referral.refresh_from_db()
    assert timezone.localtime(referral.confirmed_in_writing_at).strftime("%Y-%m-%dT%H:%M") == when
    assert history_rows(referral)[-1] == (dsl.pk, "Confirmed in writing")
    page = dsl_client.get(response.url)
    assert messages_shown(page) == ["The written confirmation has been recorded."]
    assert "Confirmed" in page_text(page)
    assert "Record the written confirmation" not in page_text(page)


def test_a_confirmation_before_the_referral_is_refused_and_keeps_what_was_typed(
    dsl_client, referral
):
    before = minutes_ago(60)

    response = dsl_client.post(referral_url("confirm", referral), {"confirm-confirmed_at": before})

    assert response.status_code == 400
    text = page_text(response)
    assert text.startswith("Error: Referral to Demoshire MASH")
    assert "The written confirmation cannot come before the referral." in text
    assert form_state(response)["confirm-confirmed_at"] == [before]
    referral.refresh_from_db()
    assert referral.confirmed_in_writing_at is None


def test_a_confirmation_without_a_time_is_refused(dsl_client, referral):
    response = dsl_client.post(referral_url("confirm", referral), {"confirm-confirmed_at": ""})

    assert response.status_code == 400
    assert "Enter when the referral was confirmed in writing" in page_text(response)


def feedback_form(**overrides) -> dict:
    data = {
        "feedback-received_at": minutes_ago(5),
        "feedback-acknowledged_at": minutes_ago(15),
        "feedback-outcome": Outcome.STRATEGY_MEETING,
        "feedback-details": "Strategy meeting tomorrow at 10:00; the school is invited.",
    }
    data.update(overrides)
    return data


def test_dsl_records_the_agencys_feedback(dsl_client, dsl, referral):
    response = dsl_client.post(referral_url("feedback", referral), feedback_form())

    assert response.status_code == 302
    assert response.url == referral_url("detail", referral)
    referral.refresh_from_db()
    assert referral.outcome == Outcome.STRATEGY_MEETING
    assert referral.outcome_details.startswith("Strategy meeting tomorrow")
    assert referral.acknowledged_at < referral.feedback_received_at
    assert history_rows(referral)[-1] == (dsl.pk, "Feedback recorded")
    page = dsl_client.get(response.url)
    text = page_text(page)
    assert "The agency's feedback has been recorded." in text
    assert "Outcome Strategy meeting" in text
    assert "Correct the feedback" in text
    assert '<strong class="govuk-tag govuk-tag--green">Received</strong>' in page.content.decode()


def test_feedback_without_details_is_refused_and_keeps_what_was_typed(dsl_client, referral):
    data = feedback_form(**{"feedback-details": ""})

    response = dsl_client.post(referral_url("feedback", referral), data)

    assert response.status_code == 400
    assert "Describe what the agency said and decided" in page_text(response)
    typed = form_state(response)
    assert typed["feedback-outcome"] == [Outcome.STRATEGY_MEETING]
    assert typed["feedback-received_at"] == [data["feedback-received_at"]]
    referral.refresh_from_db()
    assert referral.feedback_received_at is None


def contact_form(**overrides) -> dict:
    data = {
        "contact-kind": ContactKind.ESCALATION,
        "contact-happened_at": minutes_ago(3),
        "contact-with_whom": "MASH team manager",
        "contact-notes": "No decision after a working day: escalated to the team manager.",
    }
    data.update(overrides)
    return data


def test_dsl_records_an_escalation(dsl_client, dsl, referral):
    response = dsl_client.post(referral_url("contact", referral), contact_form())

    assert response.status_code == 302
    assert response.url == referral_url("detail", referral)
    contact = AgencyContact.objects.get(referral=referral)
    assert (contact.kind, contact.with_whom, contact.recorded_by_id) == (
        ContactKind.ESCALATION,
        "MASH team manager",
        dsl.pk,
    )
    assert history_rows(contact) == [(dsl.pk, "Escalation recorded")]
    text = page_text(dsl_client.get(response.url))
    assert "The escalation has been recorded." in text
    assert "Escalation with MASH team manager No decision after a working day" in text


def test_a_contact_without_notes_is_refused_and_keeps_what_was_typed(dsl_client, referral):
    response = dsl_client.post(
        referral_url("contact", referral), contact_form(**{"contact-notes": ""})
    )

    assert response.status_code == 400
    assert "Describe the contact" in page_text(response)
    typed = form_state(response)
    assert typed["contact-kind"] == [ContactKind.ESCALATION]
    assert typed["contact-with_whom"] == ["MASH team manager"]
    assert not AgencyContact.objects.exists()


# Who may use the referral pages.

WRITES = {
    "confirm": lambda: {"confirm-confirmed_at": minutes_ago(1)},
    "feedback": feedback_form,
    "contact": contact_form,
}


def visit(client, name: str, concern: Concern, referral: Referral):
    """Open a referral page the way its own form or link does."""
    if name == "new":
        return client.post(new_url(concern), new_referral_form(concern))
    if name == "detail":
        return client.get(referral_url("detail", referral))
    return client.post(referral_url(name, referral), WRITES[name]())


PAGES = ["new", "detail", *WRITES]


def assert_untouched(referral: Referral):
    """One referral (the fixture's), unconfirmed, without feedback or contacts."""
    assert Referral.objects.count() == 1
    referral.refresh_from_db()
    assert referral.confirmed_in_writing_at is None
    assert referral.feedback_received_at is None
    assert not AgencyContact.objects.exists()


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("persona", ["governor", "staff"])
def test_a_governor_or_the_reporter_may_not_use_the_referral_pages(
    request, concern, referral, name, persona
):
    response = visit(signed_in(request.getfixturevalue(persona)), name, concern, referral)

    assert response.status_code == 403
    text = page_text(response)
    assert "You cannot do this" in text
    assert "Amelia" not in text and concern.reference not in text
    assert_untouched(referral)


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("persona", ["other_dsl", "other_staff"])
def test_anyone_outside_the_concern_finds_no_such_referral(
    request, concern, referral, name, persona
):
    response = visit(signed_in(request.getfixturevalue(persona)), name, concern, referral)

    assert response.status_code == 404
    text = page_text(response)
    assert "Page not found" in text
    assert "Amelia" not in text and "MASH-2026-0042" not in text
    assert_untouched(referral)


@pytest.mark.parametrize("name", PAGES)
def test_anyone_signed_out_is_sent_to_sign_in(client, concern, referral, name):
    response = visit(client, name, concern, referral)

    assert response.status_code == 302
    address = new_url(concern) if name == "new" else referral_url(name, referral)
    assert response.url == f"/accounts/login/?next={address}"
    assert_untouched(referral)


@pytest.mark.parametrize("name", list(WRITES))
def test_the_referral_forms_cannot_be_sent_with_a_get(dsl_client, referral, name):
    response = dsl_client.get(referral_url(name, referral))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert_untouched(referral)


def test_the_referral_page_refuses_a_post(dsl_client, referral):
    response = dsl_client.post(referral_url("detail", referral), contact_form())

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert_untouched(referral)


def test_a_deputy_dsl_works_on_referrals_too(deputy, referral):
    response = signed_in(deputy).post(referral_url("contact", referral), contact_form())

    assert response.status_code == 302
    assert AgencyContact.objects.get().recorded_by_id == deputy.pk


def test_a_referral_covers_only_children_named_in_its_own_concern(
    dsl_client, school, staff, pupils, concern
):
    other = record_concern(school=school, reporter=staff, pupils=pupils[:1])
    data = new_referral_form(other) | {"children": [c.uuid.hex for c in children_of(concern)]}

    response = dsl_client.post(new_url(other), data)

    assert response.status_code == 200
    assert "Select a valid choice" in page_text(response)
    assert not Referral.objects.filter(concern=other).exists()
