"""The sending school's pages for a leaver's child protection file (issue 15): the leavers list,
a leaving date and new school, sending the file to a school here or as an encrypted package,
the file's page and history, sending it again, and the sending DSL's own copies.

Each page: what the DSL team sees and does, what a refusal keeps of what was typed, and who
is refused (other roles 403, another school 404, anonymous to sign in, GET on a POST 405).
"""

import datetime
import io
import re

import pikepdf
import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessRecord, Action
from schools.models import Pupil, Role
from tests.factories import PASSWORD, PupilFactory, member, record_concern, totp_code
from tests.test_accounts import confirm_first
from tests.test_pdf import pdf_text
from tests.test_views_concerns import form_state, messages_shown, page_text, signed_in
from transfers import services
from transfers.models import (
    DeclineReason,
    IncomingFile,
    IncomingStatus,
    NoSchool,
    NoSchoolReason,
    Package,
    Route,
    Status,
    Transfer,
)
from transfers.pdf import document_from_package

SUMMARY = {
    "why_known": "Disclosed online sexual abuse in Year 5; referred to children's social care.",
    "current_risks": "Contact from the adult online may resume.",
    "plans": "Weekly check-in with the learning mentor; online safety work.",
    "agencies": "Demoshire MASH, social worker Sam Patel 01632 960000.",
}
TODAY = timezone.localdate


def short(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


def long(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


@pytest.fixture
def leaver(school, staff, dsl, other_school):
    """Amelia, Year 6, named in a concern, who left three weeks ago for Riverside Academy (a
    school that uses Safeguard here): her file is overdue."""
    pupil = PupilFactory(
        school=school, legal_first_name="Amelia", legal_last_name="Hart", year_group="Year 6"
    )
    record_concern(school=school, reporter=staff, pupils=[pupil])
    return services.pupil_leaving_set(
        pupil=pupil,
        by=dsl,
        leaving_date=TODAY() - datetime.timedelta(days=21),
        destination_school=other_school,
        destination="",
    )


def sent_here(pupil, dsl, other_school) -> Transfer:
    return services.transfer_send(
        pupil=pupil, by=dsl, route=Route.DEPLOYMENT, to_school=other_school, summary=SUMMARY
    ).transfer


def sent_as_package(pupil, dsl, **extra) -> services.Sent:
    return services.transfer_send(
        pupil=pupil,
        by=dsl,
        route=Route.PACKAGE,
        to_school_name="St Elsewhere's School",
        to_school_urn="999999",
        summary=SUMMARY,
        **extra,
    )


def refused(request, persona: str, address: str, *, post=False, data=None):
    client = Client()
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client.post(address, data or {}) if post else client.get(address)


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("account_login"))


def shown_password(response) -> str:
    (password,) = re.findall(r"<code>([^<]+)</code>", response.content.decode())
    return password


# --- The leavers list ------------------------------------------------------------------------

LEAVERS = reverse("transfers:leavers")


def test_the_leavers_page_lists_each_leaver_with_a_file_and_when_it_is_due(
    school, staff, dsl, leaver, other_school
):
    later = PupilFactory(
        school=school, legal_first_name="Bella", legal_last_name="Cole", year_group="Year 5"
    )
    record_concern(school=school, reporter=staff, pupils=[later])
    later = services.pupil_leaving_set(
        pupil=later,
        by=dsl,
        leaving_date=TODAY() + datetime.timedelta(days=30),
        destination_school=None,
        destination="St Elsewhere's School, Testington",
    )
    # A leaver without a file is not the DSL team's business here.
    no_file = PupilFactory(school=school, legal_first_name="Dora", legal_last_name="Fine")
    Pupil.objects.filter(pk=no_file.pk).update(leaving_date=TODAY(), destination="Anywhere")

    text = page_text(signed_in(dsl).get(LEAVERS))

    amelia_due = services.due(leaver).day
    assert (
        f"Amelia Hart Year 6 Left on {short(leaver.leaving_date)} Change Amelia Hart's leaving "
        f"date or school Riverside Academy {short(amelia_due)} (estimated: term dates not "
        "entered) Enter the term dates Overdue Not sent Send the file of Amelia Hart"
    ) in text
    bella_due = services.due(later).day
    assert (
        f"Bella Cole Year 5 Leaves on {short(later.leaving_date)} Change Bella Cole's leaving "
        f"date or school St Elsewhere's School, Testington {short(bella_due)}"
    ) in text
    assert "Dora" not in text.split("Record a leaving date", 1)[0]
    # Soonest due first.
    assert text.index("Amelia Hart") < text.index("Bella Cole")


def test_each_leaver_links_to_their_chronology_and_to_sending_or_seeing_the_file(
    dsl, leaver, other_school
):
    page = signed_in(dsl).get(LEAVERS).content.decode()
    assert reverse("concerns:chronology", args=[leaver.uuid]) in page
    assert reverse("transfers:send", args=[leaver.uuid]) in page
    assert reverse("school_terms") in page

    transfer = sent_here(leaver, dsl, other_school)
    page = signed_in(dsl).get(LEAVERS)

    assert reverse("transfers:transfer", args=[transfer.uuid]) in page.content.decode()
    assert reverse("transfers:send", args=[leaver.uuid]) not in page.content.decode()
    assert "Sent See the file of Amelia Hart" in page_text(page)


def test_a_received_file_shows_as_received_and_not_overdue(dsl, leaver, other_school, other_dsl):
    transfer = sent_here(leaver, dsl, other_school)
    services.incoming_accept(incoming=IncomingFile.objects.get(transfer=transfer), by=other_dsl)

    text = page_text(signed_in(dsl).get(LEAVERS))

    assert "Received See the file of Amelia Hart" in text
    assert "Overdue" not in text


def test_a_file_due_today_says_so(school, dsl, leaver):
    # A Monday leaver's file is due the next Monday (no term dates: weekdays are counted).
    monday = datetime.date(2027, 3, 8)
    Pupil.objects.filter(pk=leaver.pk).update(leaving_date=monday)
    with time_machine.travel(datetime.datetime(2027, 3, 15, 10, tzinfo=datetime.UTC)):
        text = page_text(signed_in(dsl).get(LEAVERS))
    assert "15 Mar 2027 (estimated: term dates not entered) Enter the term dates Due today" in (
        text
    )
    assert "Overdue" not in text


def test_with_no_leavers_the_page_says_what_to_do(dsl, pupils):
    text = page_text(signed_in(dsl).get(LEAVERS))

    assert "No leavers have a safeguarding file." in text
    assert "record their leaving date below" in text


def test_recording_a_leaving_date_starts_by_choosing_the_child(dsl, pupils):
    client = signed_in(dsl)
    page = client.get(LEAVERS, {"find": "pupil", "pupil_q": "hart"})
    assert "Hart, Amelia – Year 4, 4B, born 14/03/2017" in page_text(page)

    chosen = client.get(LEAVERS, {"pupil": str(pupils[0].uuid)})

    assert chosen.url == reverse("transfers:leaving", args=[pupils[0].uuid])


@pytest.mark.parametrize(
    ("chosen", "error"),
    [
        ("", "Choose the child who is leaving"),
        ("elsewhere", "Find the child on your school's register and choose them"),
    ],
)
def test_choosing_no_child_or_one_not_on_the_register_is_refused(
    dsl, pupils, other_school, chosen, error
):
    if chosen == "elsewhere":
        chosen = str(PupilFactory(school=other_school).uuid)

    page = signed_in(dsl).get(LEAVERS, {"pupil": chosen})

    assert page.status_code == 200
    assert f"There is a problem {error}" in page_text(page)


def test_the_leavers_page_costs_the_same_for_2_leavers_as_for_4(
    school, staff, dsl, other_school, django_assert_num_queries
):
    def leavers(count, *, sent):
        for _ in range(count):
            pupil = PupilFactory(school=school)
            record_concern(school=school, reporter=staff, pupils=[pupil])
            services.pupil_leaving_set(
                pupil=pupil,
                by=dsl,
                leaving_date=TODAY(),
                destination_school=other_school,
                destination="",
            )
            if sent:
                sent_here(pupil, dsl, other_school)

    client = signed_in(dsl)
    # The session, the signed-in user, then:
    #   - the user's memberships, with their schools (which school acts: acting_for)
    #   - the school's term dates (the due dates are counted in them)
    #   - the leavers with a file, with their destination schools
    #   - their files sent
    #   - those recorded as having no school to send the file to
    #   - the user's memberships (the navigation)
    expected = 2 + 6
    leavers(2, sent=False)
    with django_assert_num_queries(expected):
        two = client.get(LEAVERS)
    leavers(2, sent=True)
    with django_assert_num_queries(expected):
        four = client.get(LEAVERS)
    assert page_text(two).count("Send the file of") == 2
    assert page_text(four).count("Send the file of") == 2
    assert page_text(four).count("See the file of") == 2


@pytest.mark.parametrize("persona", ["staff", "governor", "school_admin"])
def test_other_roles_have_no_leavers_page(request, persona, leaver):
    response = refused(request, persona, LEAVERS)

    assert response.status_code == 403
    assert "Amelia" not in response.content.decode()


def test_another_schools_dsl_sees_only_their_own_leavers(other_dsl, leaver):
    text = page_text(signed_in(other_dsl).get(LEAVERS))

    assert "Riverside Academy Leavers" in text
    assert "Amelia" not in text
    assert "No leavers have a safeguarding file." in text


def test_signing_in_comes_before_the_leavers_page(client):
    assert is_login_redirect(client.get(LEAVERS))


# --- A leaving date and a new school ----------------------------------------------------------


def leaving_url(pupil) -> str:
    return reverse("transfers:leaving", args=[pupil.uuid])


def test_the_dsl_records_a_leaving_date_for_a_school_here(school, dsl, pupils, other_school):
    amelia = pupils[0]
    client = signed_in(dsl)
    form = client.get(leaving_url(amelia))
    assert "When is Amelia Hart leaving, and for which school?" in page_text(form)
    assert "Riverside Academy" in page_text(form)
    assert school.name not in [
        option for option in re.findall(r"<option[^>]*>([^<]+)<", form.content.decode())
    ]

    response = client.post(
        leaving_url(amelia),
        {
            "leaving_date": "2027-07-21",
            "going_to": "here",
            "destination_school": str(other_school.uuid),
        },
    )

    assert response.url == LEAVERS
    amelia.refresh_from_db()
    assert amelia.leaving_date == datetime.date(2027, 7, 21)
    assert amelia.destination_school_id == other_school.pk
    assert amelia.destination == "Riverside Academy"
    row = amelia.history.latest()
    assert (row.history_user_id, row.history_change_reason) == (dsl.pk, "Leaving date recorded")
    verb = "leaves" if datetime.date(2027, 7, 21) > TODAY() else "left"
    assert messages_shown(client.get(LEAVERS)) == [
        f"Amelia Hart {verb} on 21 July 2027 for Riverside Academy."
    ]


def test_the_dsl_records_another_school_by_name_and_sees_it_next_time(dsl, pupils):
    amelia = pupils[0]
    client = signed_in(dsl)

    client.post(
        leaving_url(amelia),
        {
            "leaving_date": "20/12/2026",
            "going_to": "elsewhere",
            "destination": "St Elsewhere's School, Testington",
        },
    )

    amelia.refresh_from_db()
    assert amelia.leaving_date == datetime.date(2026, 12, 20)
    assert amelia.destination_school_id is None
    assert amelia.destination == "St Elsewhere's School, Testington"
    again = form_state(client.get(leaving_url(amelia)))
    assert again["leaving_date"] == ["2026-12-20"]
    assert again["going_to"] == ["elsewhere"]
    assert again["destination"] == ["St Elsewhere's School, Testington"]


@pytest.mark.parametrize(
    ("posted", "errors"),
    [
        (
            {},
            ["Enter the leaving date", "Select where the child is going"],
        ),
        (
            {"leaving_date": "31/02/2027", "going_to": "here"},
            [
                "Enter the leaving date in the right format",
                "Choose the school the child is going to",
            ],
        ),
        (
            {"leaving_date": "2027-07-21", "going_to": "elsewhere", "destination": " "},
            ["Enter the name of the school the child is going to"],
        ),
        (
            {"leaving_date": "2027-07-21", "going_to": "here", "destination_school": "x"},
            ["Choose one of the schools in the list"],
        ),
        (
            {"leaving_date": "2010-07-21", "going_to": "elsewhere", "destination": "Larkmoor"},
            ["The leaving date is before the child's date of birth."],
        ),
    ],
)
def test_a_refused_leaving_date_says_why_keeps_what_was_typed_and_saves_nothing(
    dsl, pupils, other_school, posted, errors
):
    amelia = pupils[0]

    page = signed_in(dsl).post(leaving_url(amelia), posted)

    assert page.status_code == 200
    text = page_text(page)
    assert "There is a problem" in text
    for error in errors:
        assert error in text
    state = form_state(page)
    for name, value in posted.items():
        if name != "destination_school":
            assert state[name] == [value.strip() or value], name
    amelia.refresh_from_db()
    assert amelia.leaving_date is None
    assert amelia.history.count() == 1


@pytest.mark.parametrize("persona", ["staff", "governor", "school_admin"])
def test_other_roles_cannot_record_a_leaving_date(request, persona, pupils):
    amelia = pupils[0]
    data = {"leaving_date": "2027-07-21", "going_to": "elsewhere", "destination": "Larkmoor"}

    for post in (False, True):
        assert refused(request, persona, leaving_url(amelia), post=post, data=data).status_code == (
            403
        )
    amelia.refresh_from_db()
    assert amelia.leaving_date is None


def test_another_schools_dsl_cannot_find_the_pupil(other_dsl, pupils):
    assert signed_in(other_dsl).get(leaving_url(pupils[0])).status_code == 404


def test_signing_in_comes_before_a_leaving_date(client, pupils):
    assert is_login_redirect(client.get(leaving_url(pupils[0])))


# --- Sending the file ------------------------------------------------------------------------


def send_url(pupil) -> str:
    return reverse("transfers:send", args=[pupil.uuid])


def send_data(**changes) -> dict:
    return {**SUMMARY, "route": "deployment", **changes}


def test_the_send_page_shows_when_the_file_is_due_and_what_goes_in_it(dsl, leaver, other_school):
    page = signed_in(dsl).get(send_url(leaver))

    text = page_text(page)
    due = services.due(leaver).day
    assert f"Due at the new school {long(due)}, 5 school days after the leaving date" in text
    assert "(estimated: term dates not entered) Enter the term dates" in text
    assert "the chronology: " in text and "1 concern, each with its decisions and reasons" in text
    # The school the child is going to, chosen already.
    state = form_state(page)
    assert state["route"] == ["deployment"]
    assert state["to_school"] == [str(other_school.uuid)]
    assert "Write “None known” if there are none." in text


def test_the_dsl_sends_the_file_to_a_school_here(dsl, leaver, other_school):
    client = signed_in(dsl)

    response = client.post(
        send_url(leaver), send_data(to_school=str(other_school.uuid)), REMOTE_ADDR="203.0.113.7"
    )

    transfer = Transfer.objects.get()
    assert response.url == reverse("transfers:transfer", args=[transfer.uuid])
    assert transfer.status == Status.SENT
    assert transfer.to_school_id == other_school.pk
    assert transfer.why_known == SUMMARY["why_known"]
    assert transfer.history.latest().history_change_reason == "Sent to Riverside Academy"
    assert IncomingFile.objects.get(transfer=transfer).school_id == other_school.pk
    assert AccessRecord.objects.filter(
        user=dsl, action=Action.SENT_FILE, pupil=leaver, ip_address="203.0.113.7"
    ).exists()
    page = client.get(response.url)
    assert messages_shown(page) == [
        f"File {transfer.reference} sent to Riverside Academy. Their DSL team has been told."
    ]


def test_a_package_shows_its_password_once_and_the_receipt_link(dsl, leaver):
    client = signed_in(dsl)

    page = client.post(
        send_url(leaver),
        send_data(route="package", to_school_name="St Elsewhere's School", to_school_urn="123 456"),
    )

    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    text = page_text(page)
    transfer = Transfer.objects.get()
    assert transfer.route == Route.PACKAGE
    assert transfer.to_school_urn == "123456"
    assert "Write this down now: it is not stored and cannot be shown again." in text
    password = shown_password(page)
    assert re.fullmatch(r"[3467ACDEFGHJKMNPQRTWXY]{4}(-[3467ACDEFGHJKMNPQRTWXY]{4}){4}", password)
    (receipt,) = re.findall(r"http://testserver/transfers/receipt/[^<\s]+", text)
    assert services.receipt_for(receipt.rsplit("/", 2)[-2]).transfer == transfer
    package = Package.objects.get()
    download = reverse("transfers:package_download", args=[package.uuid])
    assert f'action="{download}"' in page.content.decode()
    assert password not in repr(list(Transfer.history.values()))

    encrypted = client.post(download)

    assert encrypted["Content-Type"] == "application/pdf"
    assert encrypted["Cache-Control"] == "private, no-store"
    assert encrypted["Content-Disposition"] == f'attachment; filename="{transfer.reference}.pdf"'
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(io.BytesIO(encrypted.content))
    assert document_from_package(encrypted.content, password) == transfer.document
    # On the file's first page (a long link may wrap across lines there).
    assert receipt in pdf_text(encrypted.content, password)[0].replace(" ", "")
    assert (
        AccessRecord.objects.filter(
            user=dsl, action=Action.DOWNLOADED_PACKAGE, pupil=leaver
        ).count()
        == 1
    )

    # Once only.
    gone = client.post(download)

    assert gone.status_code == 410
    assert "Send the file again: it will have a new password" in page_text(gone)
    assert AccessRecord.objects.filter(action=Action.DOWNLOADED_PACKAGE).count() == 1


def test_a_package_emailed_to_the_new_school_is_not_downloaded_by_the_sender(dsl, leaver):
    client = signed_in(dsl)

    page = client.post(
        send_url(leaver),
        send_data(
            route="package",
            to_school_name="St Elsewhere's School",
            email="dsl@elsewhere.example",
        ),
    )

    package = Package.objects.get()
    text = page_text(page)
    assert "A link to download the package has been e-mailed to dsl@elsewhere.example." in text
    assert f"It works once, until {long(timezone.localtime(package.expires_at).date())}" in text
    assert "Download the encrypted file" not in text
    assert shown_password(page)
    assert client.post(reverse("transfers:package_download", args=[package.uuid])).status_code == (
        404
    )
    Package.objects.get(pk=package.pk, collected_at=None)


@pytest.mark.parametrize(
    ("posted", "errors"),
    [
        (
            {"route": "deployment"},
            [
                "Write why the child is known to the safeguarding team",
                "Write the current risks, or “None known”",
                "Write the plans and support in place, or “None”",
                "Write the agencies involved and their contacts, or “None”",
                "Choose the school the file goes to",
            ],
        ),
        ({**SUMMARY}, ["Select where the file is going"]),
        ({**SUMMARY, "route": "package"}, ["Enter the name of the school the file goes to"]),
        (
            {
                **SUMMARY,
                "route": "package",
                "to_school_name": "St Elsewhere's",
                "to_school_urn": "12A",
                "email": "not-an-address",
            },
            [
                "Enter the URN in numbers only, like 123456",
                "Enter an e-mail address in the correct format, like name@example.org",
            ],
        ),
    ],
)
def test_a_refused_send_says_why_keeps_what_was_typed_and_sends_nothing(
    dsl, leaver, posted, errors
):
    page = signed_in(dsl).post(send_url(leaver), posted)

    assert page.status_code == 200
    text = page_text(page)
    assert "There is a problem" in text
    for error in errors:
        assert error in text
    state = form_state(page)
    for name, value in posted.items():
        assert state[name] == [value], name
    assert not Transfer.objects.exists()


def test_a_refusal_from_the_service_is_shown_on_the_form(school, dsl, other_school):
    """A leaver no concern names has no file to send: the service refuses, and what was typed
    is kept."""
    pupil = PupilFactory(school=school, leaving_date=TODAY(), destination="Larkmoor")

    page = signed_in(dsl).post(send_url(pupil), send_data(to_school=str(other_school.uuid)))

    text = page_text(page)
    assert "There is a problem There is no safeguarding file for this child" in text
    assert form_state(page)["why_known"] == [SUMMARY["why_known"]]
    assert not Transfer.objects.exists()


def test_the_sending_school_is_not_a_destination(dsl, leaver, school):
    page = signed_in(dsl).post(send_url(leaver), send_data(to_school=str(school.uuid)))

    assert "Choose one of the schools in the list" in page_text(page)
    assert not Transfer.objects.exists()


def test_a_file_already_sent_opens_its_page_instead(dsl, leaver, other_school):
    transfer = sent_here(leaver, dsl, other_school)
    client = signed_in(dsl)

    response = client.get(send_url(leaver))

    assert response.url == reverse("transfers:transfer", args=[transfer.uuid])
    assert messages_shown(client.get(response.url)) == [
        f"Amelia Hart's file has already been sent ({transfer.reference}). "
        "To send it again, choose “Send the file again” and give the reason."
    ]
    assert client.post(send_url(leaver), send_data(to_school=str(other_school.uuid))).url == (
        response.url
    )
    assert Transfer.objects.count() == 1


def test_a_child_with_no_leaving_date_is_sent_to_record_it_first(dsl, pupils, staff, school):
    record_concern(school=school, reporter=staff, pupils=pupils[:1])
    client = signed_in(dsl)

    response = client.get(send_url(pupils[0]))

    assert response.url == leaving_url(pupils[0])
    assert "Record their leaving date first." in messages_shown(client.get(response.url))[0]


def test_sending_later_in_a_session_asks_to_confirm_it_is_you_first(
    client, dsl, leaver, other_school
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(dsl)
    with time_machine.travel(start + datetime.timedelta(minutes=6), tick=False):
        asked = client.post(send_url(leaver), send_data(to_school=str(other_school.uuid)))

    assert asked.url == confirm_first(send_url(leaver))
    assert not Transfer.objects.exists()


@pytest.mark.parametrize("persona", ["staff", "governor", "school_admin"])
def test_other_roles_cannot_send_a_file(request, persona, leaver, other_school):
    for post in (False, True):
        response = refused(
            request,
            persona,
            send_url(leaver),
            post=post,
            data=send_data(to_school=str(other_school.uuid)),
        )
        assert response.status_code == 403
    assert not Transfer.objects.exists()


def test_another_schools_dsl_cannot_send_the_file(other_dsl, leaver, other_school):
    client = signed_in(other_dsl)
    assert client.get(send_url(leaver)).status_code == 404
    assert client.post(send_url(leaver), send_data()).status_code == 404
    assert not Transfer.objects.exists()


def test_signing_in_comes_before_sending(client, leaver):
    assert is_login_redirect(client.get(send_url(leaver)))
    assert is_login_redirect(client.post(send_url(leaver), send_data()))


# --- The file's page -------------------------------------------------------------------------


def transfer_url(transfer) -> str:
    return reverse("transfers:transfer", args=[transfer.uuid])


def test_the_files_page_shows_where_it_went_and_its_history_newest_first(
    dsl, leaver, other_school, other_dsl
):
    transfer = sent_here(leaver, dsl, other_school)
    services.incoming_open(
        incoming=IncomingFile.objects.get(transfer=transfer), by=other_dsl, ip_address=None
    )

    text = page_text(signed_in(dsl).get(transfer_url(transfer)))

    assert f"{transfer.reference}: Amelia Hart" in text
    assert "Status Overdue Viewed" in text
    assert "Sent to Riverside Academy" in text
    assert "How Through Safeguard: their DSL team accepts it here" in text
    assert "by Dana Lead" in text
    assert f"Due {long(transfer.due_on)} (estimated: term dates not entered)" in text
    assert "Receipt confirmed Not yet" in text
    assert "Send the file again" in text
    assert "Download the file as a PDF" in text
    history = text.split("What happened", 1)[1]
    assert "Rita River Opened by Riverside Academy" in history
    assert "Dana Lead Sent to Riverside Academy" in history
    assert history.index("Opened by") < history.index("Sent to Riverside")


def test_a_received_file_says_who_confirmed_and_cannot_be_sent_again(
    dsl, leaver, other_school, other_dsl
):
    transfer = sent_here(leaver, dsl, other_school)
    services.incoming_accept(incoming=IncomingFile.objects.get(transfer=transfer), by=other_dsl)
    client = signed_in(dsl)

    text = page_text(client.get(transfer_url(transfer)))

    assert "Status Received" in text
    assert "Overdue" not in text.split("History", 1)[0]
    assert "by Rita River, Riverside Academy" in text
    assert "Send the file again" not in text
    response = client.get(reverse("transfers:resend", args=[transfer.uuid]))
    assert response.url == transfer_url(transfer)


def test_a_declined_file_says_why(dsl, leaver, other_school, other_dsl):
    transfer = sent_here(leaver, dsl, other_school)
    services.incoming_decline(
        incoming=IncomingFile.objects.get(transfer=transfer),
        by=other_dsl,
        reason=DeclineReason.NOT_OUR_PUPIL,
        details="No child of that name has joined us.",
    )

    text = page_text(signed_in(dsl).get(transfer_url(transfer)))

    assert "Status Overdue Declined" in text
    assert "Not our pupil No child of that name has joined us." in text
    assert "Riverside Academy declined the file." in text
    assert "Declined by Riverside Academy: Not our pupil" in text


def test_a_receipt_confirmed_through_the_link_is_by_the_receiving_school(dsl, leaver):
    sent = sent_as_package(leaver, dsl)
    services.receipt_confirm(
        receipt=services.receipt_for(sent.receipt_token),
        name="Pat Jones",
        school_name="St Elsewhere's",
        ip_address=None,
    )

    text = page_text(signed_in(dsl).get(transfer_url(sent.transfer)))

    assert "by Pat Jones, St Elsewhere's" in text
    assert "The receiving school Receipt confirmed by Pat Jones, St Elsewhere's" in text
    assert "As an encrypted package, with a receipt link" in text
    assert "The package Not downloaded yet: the sender's download works until" in text


def test_the_files_page_costs_the_same_for_1_history_row_as_for_4(
    dsl, leaver, other_school, other_dsl, django_assert_num_queries
):
    transfer = sent_here(leaver, dsl, other_school)
    client = signed_in(dsl)
    # The session, the signed-in user, then:
    #   - the transfer, with school, pupil, receiving school, sender and receiver
    #   - the user's membership at the sending school (the DSL team?)
    #   - the transfer's history, with who made each change
    #   - the user's memberships (the navigation)
    # (A file sent as a package adds one: its latest package.)
    expected = 2 + 4
    with django_assert_num_queries(expected):
        one = client.get(transfer_url(transfer))
    services.transfer_resend(transfer=transfer, by=dsl, reason="Their DSL changed")
    services.incoming_open(
        incoming=IncomingFile.objects.get(transfer=transfer, status=IncomingStatus.AWAITING),
        by=other_dsl,
        ip_address=None,
    )
    services.incoming_accept(
        incoming=IncomingFile.objects.get(transfer=transfer, status=IncomingStatus.AWAITING),
        by=other_dsl,
    )
    with django_assert_num_queries(expected):
        four = client.get(transfer_url(transfer))
    assert page_text(one).split("What happened", 1)[1].count("Riverside Academy") == 1
    assert "Sent again to Riverside Academy: Their DSL changed" in page_text(four)


@pytest.mark.parametrize("persona", ["staff", "governor", "school_admin"])
def test_other_roles_cannot_see_a_file_sent(request, persona, leaver, dsl, other_school):
    transfer = sent_here(leaver, dsl, other_school)
    response = refused(request, persona, transfer_url(transfer))
    assert response.status_code == 403
    assert transfer.reference not in response.content.decode()


def test_another_schools_dsl_cannot_find_a_file_sent(other_dsl, leaver, dsl, other_school):
    transfer = sent_here(leaver, dsl, other_school)
    assert signed_in(other_dsl).get(transfer_url(transfer)).status_code == 404


def test_signing_in_comes_before_a_file_sent(client, leaver, dsl, other_school):
    assert is_login_redirect(client.get(transfer_url(sent_here(leaver, dsl, other_school))))


# --- Sending again ---------------------------------------------------------------------------


def resend_url(transfer) -> str:
    return reverse("transfers:resend", args=[transfer.uuid])


def test_sending_again_starts_from_the_file_as_sent(dsl, leaver, other_school):
    transfer = sent_here(leaver, dsl, other_school)

    state = form_state(signed_in(dsl).get(resend_url(transfer)))

    assert state["why_known"] == [SUMMARY["why_known"]]
    assert state["route"] == ["deployment"]
    assert state["to_school"] == [str(other_school.uuid)]
    assert state["reason"] == [""]


def test_the_dsl_sends_a_declined_file_again_with_the_reason(
    school, dsl, leaver, other_school, other_dsl
):
    transfer = sent_here(leaver, dsl, other_school)
    services.incoming_decline(
        incoming=IncomingFile.objects.get(transfer=transfer),
        by=other_dsl,
        reason=DeclineReason.WRONG_SCHOOL,
    )
    client = signed_in(dsl)

    response = client.post(
        resend_url(transfer),
        {
            **SUMMARY,
            "current_risks": "None known now.",
            "reason": "She went to St Elsewhere's instead.",
            "route": "package",
            "to_school_name": "St Elsewhere's School",
        },
    )

    assert "Write this down now" in page_text(response)
    transfer.refresh_from_db()
    assert transfer.status == Status.SENT
    assert transfer.times_sent == 2
    assert transfer.route == Route.PACKAGE
    assert transfer.to_school_id is None
    assert transfer.current_risks == "None known now."
    row = transfer.history.latest()
    assert (row.history_user_id, row.history_change_reason) == (
        dsl.pk,
        "Sent again to St Elsewhere's School: She went to St Elsewhere's instead.",
    )


def test_sending_again_to_a_school_here_says_so(dsl, leaver, other_school):
    transfer = sent_here(leaver, dsl, other_school)
    client = signed_in(dsl)

    response = client.post(
        resend_url(transfer),
        {
            **SUMMARY,
            "reason": "Their DSL changed.",
            "route": "deployment",
            "to_school": str(other_school.uuid),
        },
    )

    assert response.url == transfer_url(transfer)
    assert messages_shown(client.get(response.url)) == [
        f"File {transfer.reference} sent again to Riverside Academy. Their DSL team has been told."
    ]
    assert IncomingFile.objects.filter(transfer=transfer).count() == 2


def test_sending_again_without_a_reason_is_refused_and_keeps_what_was_typed(
    dsl, leaver, other_school
):
    transfer = sent_here(leaver, dsl, other_school)
    posted = {
        **SUMMARY,
        "plans": "Plans changed.",
        "route": "deployment",
        "to_school": str(other_school.uuid),
        "reason": " ",
    }

    page = signed_in(dsl).post(resend_url(transfer), posted)

    assert "There is a problem Enter why you are sending the file again" in page_text(page)
    assert form_state(page)["plans"] == ["Plans changed."]
    transfer.refresh_from_db()
    assert transfer.times_sent == 1


@pytest.mark.parametrize("persona", ["staff", "governor", "school_admin"])
def test_other_roles_cannot_send_a_file_again(request, persona, leaver, dsl, other_school):
    transfer = sent_here(leaver, dsl, other_school)
    data = {**SUMMARY, "reason": "Lost", "route": "deployment", "to_school": str(other_school.uuid)}
    for post in (False, True):
        assert refused(
            request, persona, resend_url(transfer), post=post, data=data
        ).status_code == (403)
    transfer.refresh_from_db()
    assert transfer.times_sent == 1


def test_another_schools_dsl_cannot_send_a_file_again(other_dsl, leaver, dsl, other_school):
    transfer = sent_here(leaver, dsl, other_school)
    assert signed_in(other_dsl).get(resend_url(transfer)).status_code == 404


def test_signing_in_comes_before_sending_again(client, leaver, dsl, other_school):
    assert is_login_redirect(client.get(resend_url(sent_here(leaver, dsl, other_school))))


# --- The sending DSL's own copies ------------------------------------------------------------


def pdf_url(transfer) -> str:
    return reverse("transfers:transfer_pdf", args=[transfer.uuid])


def test_the_dsl_downloads_the_file_as_sent_and_it_is_logged(deputy, dsl, leaver, other_school):
    transfer = sent_here(leaver, dsl, other_school)

    response = signed_in(deputy).post(pdf_url(transfer), REMOTE_ADDR="198.51.100.9")

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{transfer.reference}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    text = " ".join(pdf_text(response.content))
    assert SUMMARY["current_risks"] in text
    assert AccessRecord.objects.filter(
        user=deputy, action=Action.EXPORTED_FILE_PDF, pupil=leaver, ip_address="198.51.100.9"
    ).exists()


def test_a_pdf_later_in_a_session_asks_to_confirm_it_is_you_first(
    client, dsl, leaver, other_school
):
    transfer = sent_here(leaver, dsl, other_school)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(dsl)
    with time_machine.travel(start + datetime.timedelta(minutes=6), tick=False):
        asked = client.post(pdf_url(transfer))

    assert asked.url == confirm_first(pdf_url(transfer))
    assert not AccessRecord.objects.filter(action=Action.EXPORTED_FILE_PDF).exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("staff", 403), ("governor", 403), ("school_admin", 403), ("other_dsl", 404)],
)
def test_only_the_schools_dsl_team_downloads_the_pdf(
    request, persona, status, leaver, dsl, other_school
):
    transfer = sent_here(leaver, dsl, other_school)

    response = refused(request, persona, pdf_url(transfer), post=True)

    assert response.status_code == status
    assert b"%PDF" not in response.content
    assert not AccessRecord.objects.filter(action=Action.EXPORTED_FILE_PDF).exists()


def test_the_pdf_is_a_post(dsl, leaver, other_school):
    transfer = sent_here(leaver, dsl, other_school)
    assert signed_in(dsl).get(pdf_url(transfer)).status_code == 405


def test_signing_in_comes_before_the_pdf(client, leaver, dsl, other_school):
    assert is_login_redirect(client.post(pdf_url(sent_here(leaver, dsl, other_school))))


def package_url(sent) -> str:
    return reverse("transfers:package_download", args=[sent.package.uuid])


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("deputy", 404),  # the package is for the DSL who made it, who has its password
        ("staff", 403),
        ("governor", 403),
        ("school_admin", 403),
        ("other_dsl", 404),
    ],
)
def test_only_the_dsl_who_made_the_package_downloads_it(request, persona, status, leaver, dsl):
    sent = sent_as_package(leaver, dsl)

    response = refused(request, persona, package_url(sent), post=True)

    assert response.status_code == status
    assert b"%PDF" not in response.content
    sent.package.refresh_from_db()
    assert sent.package.collected_at is None


def test_a_package_sent_again_cannot_be_downloaded(dsl, leaver):
    sent = sent_as_package(leaver, dsl)
    services.transfer_resend(transfer=sent.transfer, by=dsl, reason="Password lost")

    response = signed_in(dsl).post(package_url(sent))

    assert response.status_code == 410
    assert "replaced when the file was sent again" in page_text(response)


def test_the_package_download_is_a_post(dsl, leaver):
    sent = sent_as_package(leaver, dsl)
    assert signed_in(dsl).get(package_url(sent)).status_code == 405
    sent.package.refresh_from_db()
    assert sent.package.collected_at is None


def test_signing_in_comes_before_the_package(client, leaver, dsl):
    assert is_login_redirect(client.post(package_url(sent_as_package(leaver, dsl))))


def test_another_deputy_can_still_download_when_they_made_it(school, leaver, dsl):
    deputy = member(school, Role.DEPUTY_DSL, full_name="Dee Second")
    sent = sent_as_package(leaver, deputy)

    response = signed_in(deputy).post(package_url(sent))

    assert response["Content-Type"] == "application/pdf"


def test_a_summary_sent_after_the_session_ended_comes_back_as_typed(
    client, dsl, leaver, other_school
):
    typed = send_data(to_school=str(other_school.uuid), plans="Typed for a long time.")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client.post(reverse("account_login"), {"login": dsl.email, "password": PASSWORD})
        client.post(reverse("mfa_authenticate"), {"code": totp_code()})
        assert client.get(send_url(leaver)).status_code == 200
        clock.shift(datetime.timedelta(minutes=settings.SESSION_IDLE_MINUTES + 10))

        sent = client.post(send_url(leaver), typed)

        assert sent.url == f"{reverse('account_login')}?next={send_url(leaver)}"
        client.post(sent.url, {"login": dsl.email, "password": PASSWORD})
        back = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
        assert back.url == send_url(leaver)
        restored = client.get(back.url)

    assert "Nothing you typed has been lost" in page_text(restored)
    assert form_state(restored)["plans"] == ["Typed for a long time."]
    assert form_state(restored)["to_school"] == [str(other_school.uuid)]
    assert not Transfer.objects.exists()


# --- No school to send it to --------------------------------------------------------------


def no_school_url(pupil) -> str:
    return reverse("transfers:no_school", args=[pupil.uuid])


def test_a_leaver_with_no_school_is_recorded_and_no_longer_chased(dsl, leaver, school):
    client = signed_in(dsl)
    assert "Overdue" in page_text(client.get(reverse("transfers:leavers")))

    response = client.post(
        no_school_url(leaver),
        {
            "reason": NoSchoolReason.NOT_KNOWN,
            "details": "Children missing education officer, Demoshire, told by phone 3 Dec.",
        },
    )

    assert response.status_code == 302
    record = NoSchool.objects.get(pupil=leaver)
    assert record.recorded_by_id == dsl.pk
    assert record.history.latest().history_change_reason == (
        "No school to send the file to: Where they have gone is not known"
    )
    page = client.get(response.url)
    assert messages_shown(page) == [
        "Recorded: Amelia Hart's file has no school to go to (where they have gone is not "
        "known). It is no longer chased."
    ]
    text = page_text(page)
    assert "No school: where they have gone is not known" in text
    assert "Overdue" not in text
    assert "Amelia Hart" not in page_text(client.get("/concerns/queue/"))


def test_no_school_needs_a_reason_and_what_was_done_keeping_what_was_typed(dsl, leaver):
    response = signed_in(dsl).post(no_school_url(leaver), {"details": "Told the LA."})

    assert response.status_code == 200
    assert "Select why there is no school to send the file to" in page_text(response)
    assert form_state(response)["details"] == ["Told the LA."]
    response = signed_in(dsl).post(no_school_url(leaver), {"reason": NoSchoolReason.ABROAD})
    assert "Say what was done instead" in page_text(response)
    assert not NoSchool.objects.exists()


def test_no_school_is_refused_for_a_file_on_its_way(dsl, leaver, other_school):
    sent_here(leaver, dsl, other_school)
    response = signed_in(dsl).post(
        no_school_url(leaver), {"reason": NoSchoolReason.ABROAD, "details": "Moved to Spain."}
    )
    assert "The file has been sent to a school and is waiting for its receipt" in page_text(
        response
    )
    assert not NoSchool.objects.exists()


@pytest.mark.parametrize("persona", ["staff", "governor", "school_admin"])
def test_only_the_dsl_team_records_no_school(request, persona, leaver):
    client = signed_in(request.getfixturevalue(persona))
    response = client.post(
        no_school_url(leaver), {"reason": NoSchoolReason.ABROAD, "details": "Moved to Spain."}
    )
    assert response.status_code == 403
    assert not NoSchool.objects.exists()


def test_another_schools_dsl_cannot_record_no_school(other_dsl, leaver):
    response = signed_in(other_dsl).post(
        no_school_url(leaver), {"reason": NoSchoolReason.ABROAD, "details": "Moved to Spain."}
    )
    assert response.status_code == 404
    assert not NoSchool.objects.exists()


def test_recording_no_school_needs_signing_in(client, leaver):
    response = client.get(no_school_url(leaver))
    assert response.status_code == 302
    assert response.url.startswith(reverse(settings.LOGIN_URL))
