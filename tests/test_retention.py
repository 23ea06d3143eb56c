"""How long a child's file is kept (issue 16): its review date, the files due for review and
what they hold, a review's outcome, and legal holds.

The rules: a file is due for review at the child's 25th birthday (IRMS toolkit for schools;
settings.RETENTION_YEARS), or at the date a review kept it until; never before a new school
has confirmed receipt of a copy sent to it. Only the DSL team reviews and holds a child's file;
the DSL team or the administrator holds every file of the school; each with a reason.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from concerns import services as concern_services
from retention import selectors, services
from retention.models import LegalHold, Outcome, RetentionReview
from retention.selectors import birthday, file_of, files_due
from safeguard.errors import WorkflowError
from schools.models import Role
from tests.factories import (
    PupilFactory,
    member,
    pdf_file,
    record_concern,
    record_referral,
)
from transfers import services as transfer_services
from transfers.models import IncomingFile, NoSchoolReason, Route, Status

TODAY = timezone.localdate
SUMMARY = {
    "why_known": "Known since Year 3.",
    "current_risks": "None now.",
    "plans": "Check-ins.",
    "agencies": "Testshire MASH.",
}


def aged(years: int, *, days: int = 0) -> datetime.date:
    """The date of birth of someone `years` old today, and `days` more."""
    return birthday(TODAY(), -years) - datetime.timedelta(days=days)


def former_pupil(school, staff, *, born, **fields):
    """A former pupil named in a concern."""
    pupil = PupilFactory(school=school, date_of_birth=born, is_on_roll=False, **fields)
    record_concern(
        school=school,
        reporter=staff,
        pupils=[pupil],
        disclosed_at=timezone.now() - datetime.timedelta(days=3650),
    )
    return pupil


def due_names(school) -> list[str]:
    return [file.pupil.legal_first_name for file in files_due(school, today=TODAY())]


# --- The review date ------------------------------------------------------------------------


def test_a_child_born_on_29_february_turns_25_on_1_march_in_a_common_year():
    assert birthday(datetime.date(2004, 2, 29), 25) == datetime.date(2029, 3, 1)
    assert birthday(datetime.date(2004, 2, 29), 24) == datetime.date(2028, 2, 29)


def test_a_file_is_due_for_review_on_the_childs_25th_birthday(school, staff):
    today_25 = former_pupil(school, staff, born=aged(25), legal_first_name="Tess")
    tomorrow_25 = former_pupil(school, staff, born=aged(24, days=364), legal_first_name="Uma")
    long_ago = former_pupil(school, staff, born=aged(40), legal_first_name="Vera")

    assert file_of(today_25, today=TODAY()).review_on == TODAY()
    assert file_of(tomorrow_25, today=TODAY()).review_on == birthday(tomorrow_25.date_of_birth, 25)
    assert not file_of(tomorrow_25, today=TODAY()).due
    assert file_of(long_ago, today=TODAY()).review_on == birthday(long_ago.date_of_birth, 25)
    # The longest due first.
    assert due_names(school) == ["Vera", "Tess"]


def test_a_child_with_no_file_has_nothing_to_review(school):
    pupil = PupilFactory(school=school, date_of_birth=aged(30))

    assert file_of(pupil, today=TODAY()) is None
    assert due_names(school) == []


def test_the_years_a_file_is_kept_are_a_setting(school, staff, settings):
    settings.RETENTION_YEARS = 30
    pupil = former_pupil(school, staff, born=aged(27), legal_first_name="Tess")

    assert file_of(pupil, today=TODAY()).review_on == birthday(pupil.date_of_birth, 30)
    assert due_names(school) == []
    settings.RETENTION_YEARS = 25
    assert due_names(school) == ["Tess"]


def test_a_file_sent_to_a_new_school_is_not_due_until_it_confirms_receipt(
    school, staff, dsl, other_school, other_dsl
):
    pupil = former_pupil(school, staff, born=aged(30), legal_first_name="Tess", upn="A123")
    pupil = transfer_services.pupil_leaving_set(
        pupil=pupil,
        by=dsl,
        leaving_date=TODAY() - datetime.timedelta(days=2),
        destination_school=other_school,
        destination="",
    )
    # A leaver going to a school, whose file is not sent yet.
    assert file_of(pupil, today=TODAY()).review_on is None
    assert due_names(school) == []

    sent = transfer_services.transfer_send(
        pupil=pupil, by=dsl, route=Route.DEPLOYMENT, to_school=other_school, summary=SUMMARY
    ).transfer
    assert file_of(pupil, today=TODAY()).review_on is None
    assert due_names(school) == []

    transfer_services.incoming_accept(
        incoming=IncomingFile.objects.get(transfer=sent), by=other_dsl
    )
    sent.refresh_from_db()
    assert sent.status == Status.RECEIVED
    # Due from the day receipt was confirmed, the 30-year-old's 25th birthday long past.
    assert file_of(pupil, today=TODAY()).review_on == TODAY()
    assert due_names(school) == ["Tess"]


def test_a_file_accepted_from_an_earlier_school_is_a_file_there_too(
    school, staff, dsl, other_school, other_dsl
):
    pupil = PupilFactory(school=school, date_of_birth=aged(11), upn="A123", year_group="Year 6")
    record_concern(school=school, reporter=staff, pupils=[pupil])
    pupil = transfer_services.pupil_leaving_set(
        pupil=pupil,
        by=dsl,
        leaving_date=TODAY(),
        destination_school=other_school,
        destination="",
    )
    sent = transfer_services.transfer_send(
        pupil=pupil, by=dsl, route=Route.DEPLOYMENT, to_school=other_school, summary=SUMMARY
    ).transfer
    accepted = transfer_services.incoming_accept(
        incoming=IncomingFile.objects.get(transfer=sent), by=other_dsl
    )

    there = file_of(accepted.pupil, today=TODAY())
    assert there.earlier_files == 1
    assert there.concerns == 0
    assert there.review_on == birthday(pupil.date_of_birth, 25)


def test_a_leaver_with_no_school_to_go_to_keeps_the_file_here(school, staff, dsl):
    pupil = former_pupil(school, staff, born=aged(26), legal_first_name="Tess")
    pupil = transfer_services.pupil_leaving_set(
        pupil=pupil,
        by=dsl,
        leaving_date=TODAY() - datetime.timedelta(days=2),
        destination_school=None,
        destination="Somewhere abroad",
    )
    assert due_names(school) == []

    transfer_services.leaver_no_school(
        pupil=pupil, by=dsl, reason=NoSchoolReason.ABROAD, details="Told the local authority."
    )
    assert due_names(school) == ["Tess"]


def test_a_leaver_with_no_destination_recorded_is_reviewed_by_age(school, staff, dsl):
    # A sixth former who left for work: no school is waiting for the file.
    pupil = former_pupil(school, staff, born=aged(26), legal_first_name="Tess")
    pupil.leaving_date = TODAY() - datetime.timedelta(days=3000)
    pupil.save()

    assert due_names(school) == ["Tess"]


# --- What a file holds ----------------------------------------------------------------------


def test_a_file_due_shows_what_it_holds(school, staff, dsl, other_school):
    pupil = former_pupil(school, staff, born=aged(30), legal_first_name="Tess")
    friend = PupilFactory(school=school, date_of_birth=aged(29), legal_first_name="Wren")
    concern = record_concern(school=school, reporter=staff, pupils=[pupil, friend])
    record_referral(concern, dsl)
    concern_services.attachment_add(
        concern=concern,
        by=dsl,
        uploaded_file=SimpleUploadedFile("map.pdf", pdf_file(), content_type="application/pdf"),
        description="Body map",
    )
    # Another school's child is not counted here.
    record_concern(
        school=other_school,
        reporter=member(other_school, Role.STAFF),
        pupils=[PupilFactory(school=other_school, date_of_birth=aged(30))],
    )

    (tess, wren) = files_due(school, today=TODAY())
    assert (tess.pupil, tess.concerns, tess.referrals, tess.attachments) == (pupil, 2, 1, 1)
    assert (wren.pupil, wren.concerns, wren.referrals, wren.attachments) == (friend, 1, 1, 1)
    assert tess.exports == wren.exports == 0


# --- Keeping a file for a further period ----------------------------------------------------


def test_a_file_kept_is_due_again_at_its_next_review_with_a_history_row(school, staff, dsl):
    pupil = former_pupil(school, staff, born=aged(26), legal_first_name="Tess")
    next_review = TODAY() + datetime.timedelta(days=365)

    review = services.retention_keep(
        pupil=pupil,
        by=dsl,
        reason="  Her brother's case is still open.  ",
        next_review_on=next_review,
    )

    assert (review.outcome, review.reason, review.next_review_on, review.decided_by) == (
        Outcome.KEEP,
        "Her brother's case is still open.",
        next_review,
        dsl,
    )
    assert due_names(school) == []
    assert file_of(pupil, today=TODAY()).review_on == next_review
    assert file_of(pupil, today=next_review).due
    (row,) = review.history.all()
    assert row.history_user == dsl
    assert row.history_change_reason == (
        f"Reviewed: kept until {next_review:%-d %B %Y}: Her brother's case is still open."
    )


@pytest.mark.parametrize(
    ("reason", "days", "refusal"),
    [
        ("", 365, "Say why the file is kept for longer."),
        ("A sibling's case.", 0, "The next review date must be after today."),
    ],
)
def test_keeping_a_file_needs_a_reason_and_a_later_date(school, staff, dsl, reason, days, refusal):
    pupil = former_pupil(school, staff, born=aged(26))

    with pytest.raises(WorkflowError, match=refusal):
        services.retention_keep(
            pupil=pupil,
            by=dsl,
            reason=reason,
            next_review_on=TODAY() + datetime.timedelta(days=days),
        )
    assert not RetentionReview.objects.exists()


def test_a_file_not_due_cannot_be_reviewed(school, staff, dsl):
    pupil = former_pupil(school, staff, born=aged(20))

    with pytest.raises(WorkflowError, match="not due for review until"):
        services.retention_keep(
            pupil=pupil, by=dsl, reason="Why not.", next_review_on=TODAY() + datetime.timedelta(1)
        )


@pytest.mark.parametrize("persona", ["staff", "governor", "school_admin", "other_dsl"])
def test_only_the_dsl_team_reviews_a_file(request, school, staff, persona):
    pupil = former_pupil(school, staff, born=aged(26))

    with pytest.raises(WorkflowError, match="Only the school's DSL team"):
        services.retention_keep(
            pupil=pupil,
            by=request.getfixturevalue(persona),
            reason="A sibling's case.",
            next_review_on=TODAY() + datetime.timedelta(days=30),
        )


# --- Legal holds ----------------------------------------------------------------------------


def test_a_hold_on_a_childs_file_is_shown_and_lifted_with_reasons(school, staff, dsl, deputy):
    pupil = former_pupil(school, staff, born=aged(30), legal_first_name="Tess")

    hold = services.legal_hold_place(
        school=school, pupil=pupil, by=dsl, reason="The county court asked for the file."
    )
    (file,) = files_due(school, today=TODAY())
    assert (file.held, file.school_held, file.on_hold) == (True, False, True)

    # Held once: a second hold while the first stands is refused.
    with pytest.raises(WorkflowError, match="already held"):
        services.legal_hold_place(school=school, pupil=pupil, by=deputy, reason="Again.")
    services.legal_hold_lift(hold=hold, by=deputy, reason="The case is over.")
    hold.refresh_from_db()
    assert (hold.lifted_by, hold.lift_reason, hold.in_force) == (deputy, "The case is over.", False)
    (file,) = files_due(school, today=TODAY())
    assert not file.on_hold
    assert [
        (row.history_user, row.history_change_reason)
        for row in hold.history.order_by("history_date")
    ] == [
        (dsl, "Legal hold placed on this child's file: The county court asked for the file."),
        (deputy, "Legal hold lifted: The case is over."),
    ]


def test_a_hold_on_the_whole_school_holds_every_file(school, staff, school_admin, other_school):
    former_pupil(school, staff, born=aged(30), legal_first_name="Tess")
    former_pupil(school, staff, born=aged(31), legal_first_name="Uma")
    elsewhere = member(other_school, Role.STAFF)
    former_pupil(other_school, elsewhere, born=aged(30))

    services.legal_hold_place(school=school, by=school_admin, reason="The inquiry's hold.")

    assert [(f.held, f.school_held) for f in files_due(school, today=TODAY())] == [
        (False, True),
        (False, True),
    ]
    assert [f.on_hold for f in files_due(other_school, today=TODAY())] == [False]


def test_holds_need_reasons(school, staff, dsl):
    pupil = former_pupil(school, staff, born=aged(30))
    with pytest.raises(WorkflowError, match="Say why the file is held"):
        services.legal_hold_place(school=school, pupil=pupil, by=dsl, reason="  ")
    hold = services.legal_hold_place(school=school, pupil=pupil, by=dsl, reason="An inquiry.")
    with pytest.raises(WorkflowError, match="Say why the hold is lifted"):
        services.legal_hold_lift(hold=hold, by=dsl, reason="")
    services.legal_hold_lift(hold=hold, by=dsl, reason="It reported.")
    with pytest.raises(WorkflowError, match="already been lifted"):
        services.legal_hold_lift(hold=hold, by=dsl, reason="Again.")


def test_the_administrator_holds_the_school_but_not_a_childs_file(
    school, staff, dsl, school_admin, governor
):
    pupil = former_pupil(school, staff, born=aged(30))
    with pytest.raises(WorkflowError, match="Only the school's DSL team holds a child's file"):
        services.legal_hold_place(school=school, pupil=pupil, by=school_admin, reason="Inquiry.")
    with pytest.raises(WorkflowError, match="DSL team or administrator"):
        services.legal_hold_place(school=school, by=governor, reason="Inquiry.")
    hold = services.legal_hold_place(school=school, pupil=pupil, by=dsl, reason="Inquiry.")
    with pytest.raises(WorkflowError, match="Only the school's DSL team lifts"):
        services.legal_hold_lift(hold=hold, by=school_admin, reason="Over.")


def test_the_holds_on_a_file_include_the_schools(school, staff, dsl, other_school, other_dsl):
    pupil = former_pupil(school, staff, born=aged(30))
    mine = services.legal_hold_place(school=school, pupil=pupil, by=dsl, reason="A case.")
    everyone = services.legal_hold_place(school=school, by=dsl, reason="The inquiry.")
    services.legal_hold_place(school=other_school, by=other_dsl, reason="Not ours.")

    assert selectors.holds_on(pupil) == [everyone, mine]


def test_reviews_and_holds_are_never_deleted(school, staff, dsl):
    pupil = former_pupil(school, staff, born=aged(30))
    services.retention_keep(
        pupil=pupil, by=dsl, reason="A case.", next_review_on=TODAY() + datetime.timedelta(9)
    )
    services.legal_hold_place(school=school, pupil=pupil, by=dsl, reason="A case.")

    for table in ("retention_retentionreview", "retention_legalhold"):
        with (
            pytest.raises(IntegrityError, match="never deleted"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"DELETE FROM {table}")
    assert LegalHold.objects.count() == RetentionReview.objects.count() == 1
