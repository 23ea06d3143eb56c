"""Disposing of a child's file after its review (issue 16): proposed by one member of the DSL
team, confirmed by another, destroyed in one transaction by the one database function that
may delete, and a certificate kept for good.

The rules: only a file due for review, of a child no longer on the roll, with no hold in
force on it or on the school and no open subject access request about the child; a concern
naming several children is destroyed whole or kept whole, so their files go together; the
person who proposed it does not confirm it; nothing else can delete a safeguarding record.
"""

import datetime

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.db.models import ForeignKey
from django.utils import timezone

from audit.models import AccessRecord, Action
from audit.services import access_record
from concerns import services as concern_services
from concerns.models import (
    Attachment,
    AttachmentChunk,
    Concern,
    ConcernChild,
    EvidenceItem,
    FollowUpAction,
    FollowUpKind,
    Note,
    SupportAction,
    SupportReview,
    UnnamedChild,
)
from referrals import services as referral_services
from referrals.exports import record_export
from referrals.models import AgencyContact, ContactKind, Export, ExportKind, Referral
from retention import selectors, services
from retention.models import Disposal, DisposalStatus, LegalHold, RetentionReview
from retention.selectors import DISPOSED_KINDS, files_due
from safeguard.errors import WorkflowError
from schools.models import HouseholdContact, Pupil
from subject_access import services as sar_services
from subject_access.models import Redaction, Relationship, SubjectAccessRequest
from subject_access.passages import passages
from tests.factories import PupilFactory, pdf_file, record_concern, record_referral
from tests.test_append_only import as_runtime_role, refused, runtime_role  # noqa: F401
from tests.test_retention import SUMMARY, TODAY, aged
from transfers import services as transfer_services
from transfers.models import IncomingFile, Route, Transfer


def former_pupil(school, staff, *, born=None, **fields):
    pupil = PupilFactory(school=school, date_of_birth=born or aged(30), is_on_roll=False, **fields)
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=[pupil],
        disclosed_at=timezone.now() - datetime.timedelta(days=5000),
    )
    return pupil, concern


def everything_in_a_file(school, staff, dsl, other_school, other_dsl, pupil, concern):
    """Every kind of record a child's file can hold, made through the services where they
    allow it for a file this old, and as rows otherwise."""
    now = timezone.now()
    child = ConcernChild.objects.get(concern=concern, pupil=pupil)
    concern_services.concern_add_note(concern=concern, author=dsl, text="Mum rang back.")
    concern_services.attachment_add(
        concern=concern,
        by=dsl,
        uploaded_file=SimpleUploadedFile("map.pdf", pdf_file(), content_type="application/pdf"),
        description="Body map",
    )
    EvidenceItem.objects.create(
        concern=concern,
        description="Phone",
        location="Office safe",
        held_by="DSL",
        added_by=dsl,
        added_at=now,
    )
    UnnamedChild.objects.create(
        concern=concern, description="An older boy", added_by=dsl, added_at=now
    )
    action = SupportAction.objects.create(
        child=child,
        school_id=concern.school_id,
        action="Weekly check-in",
        owner="Form tutor",
        review_date=TODAY(),
        added_by=dsl,
        added_at=now,
    )
    SupportReview.objects.create(action=action, reviewed_at=now, reviewed_by=dsl, notes="Fine")
    FollowUpAction.objects.create(
        concern=concern,
        kind=FollowUpKind.values[0],
        description="Assembly",
        owner="Head",
        due_date=TODAY(),
        added_by=dsl,
        added_at=now,
    )
    referral = record_referral(concern, dsl)
    referral_services.agency_contact_record(
        referral=referral,
        by=dsl,
        kind=ContactKind.values[0],
        happened_at=now,
        notes="Chased the MASH.",
    )
    record_export(
        kind=ExportKind.REFERRAL,
        by=dsl,
        pdf_bytes=b"%PDF",
        password_protected=False,
        children=[child],
        now=now,
        concern=concern,
    )
    for action_, target in [
        (Action.VIEWED_CONCERN, {"concern": concern}),
        (Action.VIEWED_CHRONOLOGY, {"pupil": pupil}),
        (Action.VIEWED_REFERRAL, {"referral": referral}),
    ]:
        access_record(user=dsl, school=school, action=action_, ip_address=None, **target)
    HouseholdContact.objects.create(pupil=pupil, name="Ann Mother", relationship="Mother")
    # An answered subject access request, with a passage redacted.
    sar = sar_services.request_record(
        pupil=pupil,
        by=dsl,
        requester_name="Ann Mother",
        relationship=Relationship.values[0],
        received_on=TODAY(),
    )
    sar = sar_services.request_check_identity(sar=sar, by=dsl, checked_on=TODAY(), how="Passport")
    sar = sar_services.request_assemble_file(sar=sar, by=dsl)
    sar_services.passage_redact(
        sar=sar,
        by=dsl,
        passage=passages(sar.file)[0].key,
        reason="third_party",
        details="Names a neighbour",
    )
    sar_services.request_disclose(sar=sar, by=dsl, disclosed_on=TODAY(), disclosure="By post")
    # A hold placed and lifted; the file sent to a new school, which accepted it.
    hold = services.legal_hold_place(school=school, pupil=pupil, by=dsl, reason="Inquiry")
    services.legal_hold_lift(hold=hold, by=dsl, reason="Inquiry over")
    pupil = transfer_services.pupil_leaving_set(
        pupil=pupil,
        by=dsl,
        leaving_date=TODAY() - datetime.timedelta(days=3),
        destination_school=other_school,
        destination="",
    )
    sent = transfer_services.transfer_send(
        pupil=pupil, by=dsl, route=Route.DEPLOYMENT, to_school=other_school, summary=SUMMARY
    ).transfer
    transfer_services.incoming_accept(
        incoming=IncomingFile.objects.get(transfer=sent), by=other_dsl
    )
    return Pupil.objects.get(pk=pupil.pk)


# What everything_in_a_file makes one of.
ONE_EACH = (
    "pupils",
    "concerns",
    "children_named",
    "notes",
    "attachments",
    "evidence_items",
    "unnamed_children",
    "support_actions",
    "support_reviews",
    "follow_up_actions",
    "referrals",
    "agency_contacts",
    "exports",
    "files_sent",
    "subject_access_requests",
    "redactions",
    "legal_holds",
    "household_contacts",
)


def dispose(pupil, *, by, confirmed_by, reason="Reviewed at 25; nothing needs it."):
    proposed = services.disposal_propose(pupil=pupil, by=by, reason=reason)
    return services.disposal_confirm(disposal=proposed, by=confirmed_by)


# --- Destroying the file ----------------------------------------------------------------


def test_two_members_of_the_dsl_team_destroy_every_record_of_the_file(
    school, staff, dsl, deputy, other_school, other_dsl
):
    pupil, concern = former_pupil(school, staff, legal_first_name="Tess", legal_last_name="Ash")
    pupil = everything_in_a_file(school, staff, dsl, other_school, other_dsl, pupil, concern)
    # Another child's file at the school, and the new school's copy, are left alone.
    kept, kept_concern = former_pupil(school, staff, legal_first_name="Wren")
    incoming = IncomingFile.objects.get(school=other_school)
    referral = Referral.objects.get(concern=concern)

    certificate = dispose(pupil, by=dsl, confirmed_by=deputy)

    assert certificate.status == DisposalStatus.DISPOSED
    assert (certificate.proposed_by_id, certificate.confirmed_by_id) == (dsl.pk, deputy.pk)
    assert certificate.pupil is None
    assert certificate.children == [
        {
            "name": "Tess Ash",
            "date_of_birth": pupil.date_of_birth.isoformat(),
            "references": [concern.reference],
        }
    ]
    counts = certificate.counts
    assert set(counts) == set(DISPOSED_KINDS)
    assert {kind: counts[kind] for kind in ONE_EACH} == dict.fromkeys(ONE_EACH, 1)
    assert counts["access_log"] >= 3 and counts["history_entries"] > 20
    # Nothing of the child is left anywhere: no row, no history row.
    assert not Pupil.objects.filter(pk=pupil.pk).exists()
    assert not Pupil.history.filter(id=pupil.pk).exists()
    assert not Concern.objects.filter(pk=concern.pk).exists()
    assert not Concern.history.filter(id=concern.pk).exists()
    assert not Referral.history.filter(id=referral.pk).exists()
    for model in (
        Note,
        Attachment,
        AttachmentChunk,
        EvidenceItem,
        UnnamedChild,
        SupportAction,
        SupportReview,
        FollowUpAction,
        AgencyContact,
        Redaction,
        RetentionReview,
    ):
        assert not model.objects.exists(), model.__name__
    assert not Export.objects.exists()
    assert not SubjectAccessRequest.objects.exists()
    assert not SubjectAccessRequest.history.exists()
    assert not Transfer.objects.exists()
    assert not LegalHold.objects.exists()
    assert not HouseholdContact.objects.exists()
    assert not AccessRecord.objects.filter(school=school).exists()
    # The other child's file is whole, and the new school keeps its copy, unlinked from ours.
    assert Concern.objects.filter(pk=kept_concern.pk).exists()
    assert Pupil.objects.filter(pk=kept.pk).exists()
    incoming.refresh_from_db()
    assert incoming.transfer_id is None and incoming.document
    assert Pupil.objects.filter(pk=incoming.pupil_id).exists()
    # The certificate's history: proposed, then disposed of by the second person.
    assert [row.history_change_reason for row in certificate.history.order_by("history_id")] == [
        "Disposal proposed: Reviewed at 25; nothing needs it.",
        f"Disposed of, confirmed by {deputy.full_name}: {sum(counts.values())} records destroyed",
    ]


def test_the_one_who_proposed_a_disposal_does_not_confirm_it(school, staff, dsl):
    pupil, _ = former_pupil(school, staff)
    proposed = services.disposal_propose(pupil=pupil, by=dsl, reason="Reviewed")

    with pytest.raises(WorkflowError, match="a second member of the DSL team must confirm"):
        services.disposal_confirm(disposal=proposed, by=dsl)

    assert Pupil.objects.filter(pk=pupil.pk).exists()
    assert Disposal.objects.get(pk=proposed.pk).waiting


@pytest.mark.parametrize("persona", ["staff", "governor", "school_admin", "other_dsl"])
def test_only_the_schools_dsl_team_proposes_or_confirms(request, school, staff, dsl, persona):
    pupil, _ = former_pupil(school, staff)
    someone = request.getfixturevalue(persona)

    with pytest.raises(WorkflowError, match="Only the school's DSL team"):
        services.disposal_propose(pupil=pupil, by=someone, reason="Reviewed")
    proposed = services.disposal_propose(pupil=pupil, by=dsl, reason="Reviewed")
    with pytest.raises(WorkflowError, match="Only the school's DSL team"):
        services.disposal_confirm(disposal=proposed, by=someone)

    assert Pupil.objects.filter(pk=pupil.pk).exists()


def test_a_proposal_needs_a_reason_and_one_waits_at_a_time(school, staff, dsl, deputy):
    pupil, _ = former_pupil(school, staff)

    with pytest.raises(WorkflowError, match="Say why the file is disposed of") as refusal:
        services.disposal_propose(pupil=pupil, by=dsl, reason="  ")
    assert refusal.value.field == "reason"
    services.disposal_propose(pupil=pupil, by=dsl, reason="Reviewed")
    with pytest.raises(WorkflowError, match="has already proposed disposing of this file"):
        services.disposal_propose(pupil=pupil, by=deputy, reason="Reviewed too")


def test_a_withdrawn_proposal_keeps_the_file_and_cannot_be_confirmed(school, staff, dsl, deputy):
    pupil, _ = former_pupil(school, staff)
    proposed = services.disposal_propose(pupil=pupil, by=dsl, reason="Reviewed")

    with pytest.raises(WorkflowError, match="Say why the proposal is withdrawn"):
        services.disposal_withdraw(disposal=proposed, by=deputy, reason="")
    withdrawn = services.disposal_withdraw(
        disposal=proposed, by=deputy, reason="A claim has been made"
    )
    with pytest.raises(WorkflowError, match="no longer waiting"):
        services.disposal_confirm(disposal=proposed, by=deputy)

    assert withdrawn.status == DisposalStatus.WITHDRAWN
    assert Pupil.objects.filter(pk=pupil.pk).exists()
    # The file is still due, and may be proposed again.
    assert services.disposal_propose(pupil=pupil, by=deputy, reason="Claim settled").waiting


# --- What refuses a disposal ------------------------------------------------------------


def test_a_held_file_refuses_disposal_even_once_proposed(school, staff, dsl, deputy):
    pupil, _ = former_pupil(school, staff, legal_first_name="Tess", legal_last_name="Ash")
    hold = services.legal_hold_place(school=school, pupil=pupil, by=dsl, reason="IICSA")

    with pytest.raises(WorkflowError, match="Tess Ash's file is held"):
        services.disposal_propose(pupil=pupil, by=dsl, reason="Reviewed")

    services.legal_hold_lift(hold=hold, by=dsl, reason="Inquiry over")
    proposed = services.disposal_propose(pupil=pupil, by=dsl, reason="Reviewed")
    # A hold placed on the whole school while the proposal waits stops the confirmation.
    services.legal_hold_place(school=school, by=dsl, reason="A court case")
    with pytest.raises(WorkflowError, match="Every file of the school is held"):
        services.disposal_confirm(disposal=proposed, by=deputy)

    assert Pupil.objects.filter(pk=pupil.pk).exists()
    assert Concern.objects.filter(children__pupil=pupil).exists()


def test_an_open_subject_access_request_refuses_disposal(school, staff, dsl, deputy):
    pupil, _ = former_pupil(school, staff, legal_first_name="Tess", legal_last_name="Ash")
    proposed = services.disposal_propose(pupil=pupil, by=dsl, reason="Reviewed")
    sar_services.request_record(
        pupil=pupil,
        by=dsl,
        requester_name="Tess Ash",
        relationship=Relationship.values[0],
        received_on=TODAY(),
    )

    with pytest.raises(WorkflowError, match="subject access request for Tess Ash's"):
        services.disposal_confirm(disposal=proposed, by=deputy)
    assert Pupil.objects.filter(pk=pupil.pk).exists()


def test_a_file_not_due_or_a_child_on_roll_refuses_disposal(school, staff, dsl):
    young, _ = former_pupil(school, staff, born=aged(20), legal_first_name="Uma")
    on_roll, _ = former_pupil(school, staff, legal_first_name="Vera")
    Pupil.objects.filter(pk=on_roll.pk).update(is_on_roll=True)
    on_roll.refresh_from_db()

    with pytest.raises(WorkflowError, match="not due for review until"):
        services.disposal_propose(pupil=young, by=dsl, reason="Reviewed")
    with pytest.raises(WorkflowError, match="still on the school's roll"):
        services.disposal_propose(pupil=on_roll, by=dsl, reason="Reviewed")


def test_files_sharing_a_concern_go_together_when_both_are_due(school, staff, dsl, deputy):
    tess = PupilFactory(school=school, date_of_birth=aged(30), is_on_roll=False)
    wren = PupilFactory(school=school, date_of_birth=aged(20), is_on_roll=False)
    both = record_concern(school=school, reporter=staff, pupils=[tess, wren])

    plan = selectors.disposal_plan(tess, today=TODAY())
    assert [file.pupil for file in plan.files] == [tess, wren]
    assert plan.shared == {wren.pk: [both.reference]}
    with pytest.raises(WorkflowError, match=f"{wren.full_name}'s file is not due for review"):
        services.disposal_propose(pupil=tess, by=dsl, reason="Reviewed")

    # Five years on, both are due: both go, with the concern, on one certificate.
    Pupil.objects.filter(pk=wren.pk).update(date_of_birth=aged(26))
    certificate = dispose(tess, by=dsl, confirmed_by=deputy)

    assert [child["name"] for child in certificate.children] == [tess.full_name, wren.full_name]
    assert certificate.counts["pupils"] == 2 and certificate.counts["concerns"] == 1
    assert not Pupil.objects.filter(pk__in=[tess.pk, wren.pk]).exists()


# --- The database: one function deletes, and only when the rules are met -------------------


def _call(disposal, pupil_ids):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT retention_dispose(%s, %s)", [disposal.pk, pupil_ids])


def test_the_function_refuses_a_proposal_not_confirmed_by_a_second_person(
    school, staff, dsl, deputy
):
    pupil, _ = former_pupil(school, staff)
    proposed = services.disposal_propose(pupil=pupil, by=dsl, reason="Reviewed")

    with pytest.raises(IntegrityError, match="second member of the DSL team"):
        _call(proposed, [pupil.pk])
    Disposal.objects.filter(pk=proposed.pk).update(confirmed_by=dsl, confirmed_at=timezone.now())
    with pytest.raises(IntegrityError, match="second member of the DSL team"):
        _call(proposed, [pupil.pk])
    Disposal.objects.filter(pk=proposed.pk).update(confirmed_by=deputy)
    # Not a child the proposal is about, nor a concern shared with a child left out.
    other, _ = former_pupil(school, staff)
    with pytest.raises(IntegrityError, match="must include the file proposed"):
        _call(proposed, [other.pk])
    sibling = PupilFactory(school=school, date_of_birth=aged(30), is_on_roll=False)
    record_concern(school=school, reporter=staff, pupils=[pupil, sibling])
    with pytest.raises(IntegrityError, match="naming a child whose file is kept"):
        _call(proposed, [pupil.pk])
    services.legal_hold_place(school=school, pupil=pupil, by=dsl, reason="IICSA")
    with pytest.raises(IntegrityError, match="A held file is never disposed of"):
        _call(proposed, [pupil.pk, sibling.pk])

    assert Pupil.objects.filter(pk__in=[pupil.pk, sibling.pk, other.pk]).count() == 3


def test_a_delete_outside_the_function_is_refused_whoever_sends_it(school, staff, dsl):
    _, concern = former_pupil(school, staff)

    assert "never deleted" in refused("DELETE FROM concerns_concern")
    assert "never deleted" in refused("DELETE FROM schools_pupil")
    assert "never deleted" in refused("DELETE FROM concerns_historicalconcern")
    # A pass is for its own transaction only: one left behind by another opens nothing.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO retention_disposalpass (xact) "
            "VALUES ((pg_current_xact_id()::text::bigint - 1)::text::xid8)"
        )
    assert "never deleted" in refused("DELETE FROM concerns_concern")

    assert Concern.objects.filter(pk=concern.pk).exists()


def test_a_certificate_is_never_changed_nor_deleted(school, staff, dsl, deputy):
    pupil, _ = former_pupil(school, staff)
    certificate = dispose(pupil, by=dsl, confirmed_by=deputy)

    assert "never changed" in refused("UPDATE retention_disposal SET reason = 'Changed'")
    assert "never deleted" in refused("DELETE FROM retention_disposal")
    assert "only ever added to" in refused("DELETE FROM retention_historicaldisposal")

    assert Disposal.objects.get(pk=certificate.pk).reason == certificate.reason


def _reaches_a_childs_file(model, seen=()) -> bool:
    """Whether rows of `model` point, through foreign keys, at a pupil or a concern."""
    if model._meta.label in ("schools.Pupil", "concerns.Concern"):
        return True
    if model._meta.label in seen:
        return False
    return any(
        isinstance(field, ForeignKey)
        and field.db_constraint
        and _reaches_a_childs_file(field.related_model, (*seen, model._meta.label))
        for field in model._meta.get_fields()
        if field.concrete
    )


def test_the_function_deletes_from_every_table_that_holds_a_childs_records(db):
    """A new model pointing at a child's records must be added to retention_dispose (a new
    migration replacing the function), with its history table, or disposal would leave it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'retention_dispose'")
        (source,) = cursor.fetchone()
    # The certificate itself is kept, its link to the child cleared.
    kept = {"retention.Disposal"}
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.label not in kept and _reaches_a_childs_file(model)
    }
    tables |= {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if hasattr(model, "instance_type") and model.instance_type._meta.db_table in tables
    }
    assert "concerns_historicalconcern" in tables
    missing = sorted(table for table in tables if table not in source)
    assert missing == []


# --- What the review list and the governors see ------------------------------------------


def test_a_disposed_file_leaves_the_review_list_and_is_counted_for_governors(
    school, staff, dsl, deputy
):
    pupil, _ = former_pupil(school, staff, legal_first_name="Tess")
    kept, _ = former_pupil(school, staff, legal_first_name="Wren")
    services.retention_keep(
        pupil=kept,
        by=dsl,
        reason="Sibling's case open",
        next_review_on=TODAY() + datetime.timedelta(days=365),
    )

    dispose(pupil, by=dsl, confirmed_by=deputy)

    assert files_due(school, today=TODAY()) == []
    counts = selectors.retention_counts(school, {"now": (TODAY(), TODAY())})["now"]
    assert (counts.kept, counts.disposed) == (1, 1)
    assert counts.records == sum(Disposal.objects.get().counts.values())


@runtime_role
@pytest.mark.usefixtures("as_runtime_role")
def test_the_app_disposes_through_the_function_and_cannot_forge_its_pass(
    school, staff, dsl, deputy
):
    pupil, concern = former_pupil(school, staff)

    # The role the app runs as may neither write the pass nor delete a record itself.
    message = refused(
        "INSERT INTO retention_disposalpass (xact) VALUES (pg_current_xact_id())",
        error=ProgrammingError,
    )
    assert "permission denied for table retention_disposalpass" in message
    assert "permission denied" in refused("DELETE FROM concerns_concern", error=ProgrammingError)

    certificate = dispose(pupil, by=dsl, confirmed_by=deputy)

    assert certificate.counts["concerns"] == 1
    assert not Concern.objects.filter(pk=concern.pk).exists()
