"""Nothing is deleted (DOMAIN.md rule 2): PostgreSQL itself refuses, whatever the caller.

The triggers come from concerns/migrations/0003, 0005 and 0013 and referrals/migrations/0002; they
raise restrict_violation (SQLSTATE 23001), which psycopg raises as RestrictViolation and Django
as IntegrityError. Each attempt runs in its own atomic block so that the test's transaction
survives the error.
"""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from concerns import services
from concerns.models import (
    AdviceGiven,
    Agency,
    Attachment,
    AttachmentChunk,
    Category,
    ChildRole,
    Concern,
    ConcernChild,
    EvidenceItem,
    FollowUpAction,
    FollowUpKind,
    GuidanceCard,
    Note,
    PracticeFlag,
    ReferralDecision,
    SupportAction,
    SupportReview,
    UnnamedChild,
)
from referrals import services as referral_services
from referrals.models import AgencyContact, ContactKind, Export, ExportKind, Referral
from tests.factories import answer_criteria, record_concern, record_referral

REFUSED = r"Safeguarding records are never deleted \(table (concerns|referrals)_\w+\)"

PROTECTED_TABLES = [
    "concerns_concern",
    "concerns_historicalconcern",
    "concerns_historicalconcern_categories",
    "concerns_concernchild",
    "concerns_historicalconcernchild",
    "concerns_evidenceitem",
    "concerns_historicalevidenceitem",
    "concerns_attachment",
    "concerns_historicalattachment",
    "concerns_attachmentchunk",
    "concerns_supportaction",
    "concerns_historicalsupportaction",
    "concerns_supportreview",
    "concerns_historicalsupportreview",
    "concerns_followupaction",
    "concerns_historicalfollowupaction",
    "concerns_note",
    "concerns_historicalnote",
    "concerns_category",
    "concerns_historicalcategory",
    "referrals_referral",
    "referrals_historicalreferral",
    "referrals_historicalreferral_children",
    "referrals_agencycontact",
    "referrals_historicalagencycontact",
    "referrals_export",
    "referrals_historicalexport",
    "referrals_historicalexport_children",
    "concerns_unnamedchild",
    "concerns_historicalunnamedchild",
    "concerns_guidancecard",
    "concerns_historicalguidancecard",
    "concerns_historicalguidancecard_categories",
    "concerns_advicegiven",
    "concerns_historicaladvicegiven",
    "concerns_practiceflag",
    "concerns_historicalpracticeflag",
]


def refused_by_the_database():
    return pytest.raises(IntegrityError, match=REFUSED)


@pytest.fixture
def case(school, staff, dsl, pupils):
    """A concern taken to the support step, so that every kind of row exists."""
    now = timezone.now()
    concern = record_concern(school=school, reporter=staff, pupils=pupils[:2])
    concern = services.concern_check_safety(
        concern=concern,
        by=dsl,
        version=concern.version,
        checks=[
            services.SafetyCheckInput(child=child, safe_now=True)
            for child in concern.children.all()
        ],
    )
    services.evidence_item_add(
        concern=concern,
        by=dsl,
        description="Messages from 'sparkle_friend_11'",
        location="Mother's phone",
        held_by="Mother",
    )
    concern = services.concern_preserve_evidence(
        concern=concern,
        by=dsl,
        version=concern.version,
        advice_given_by="Dana Lead",
        advice_given_to="Mother",
        advice_given_at=now,
    )
    concern = answer_criteria(concern, dsl)
    referral = record_referral(concern, dsl, agency=Agency.SOCIAL_CARE)
    record_referral(concern, dsl, agency=Agency.POLICE)
    referral_services.agency_contact_record(
        referral=referral,
        by=dsl,
        kind=ContactKind.FOLLOW_UP,
        happened_at=now,
        notes="Rang the MASH: no decision yet.",
    )
    concern = services.concern_decide_referral(
        concern=concern,
        by=dsl,
        version=concern.version,
        decision=ReferralDecision.REFER,
        rationale="",
        police_not_told_reason="",
        parents_informed=True,
        parents_not_informed_reason="",
    )
    subject = concern.children.get(role=ChildRole.SUBJECT)
    support = services.support_action_add(
        concern=concern,
        by=dsl,
        child=subject,
        action="Weekly check-in",
        owner="Pastoral lead",
        review_date=now.date() + datetime.timedelta(days=14),
    )
    services.support_action_add(
        concern=concern,
        by=dsl,
        child=subject,
        action="School counsellor",
        owner="Counsellor",
        review_date=now.date() + datetime.timedelta(days=14),
    )
    services.support_review_record(
        action=support,
        by=dsl,
        notes="Settling well.",
        next_review_date=timezone.localdate() + datetime.timedelta(days=28),
    )
    services.follow_up_add(
        concern=concern,
        by=dsl,
        kind=FollowUpKind.PARENT_SESSION,
        description="E-safety evening for parents",
        owner="Head",
        due_date=now.date() + datetime.timedelta(days=30),
    )
    services.concern_add_note(concern=concern, author=staff, text="Mother rang again.")
    # A note that reads as investigating raises a flag for the DSL team to review.
    services.concern_add_note(concern=concern, author=staff, text="I asked the other parents.")
    services.unnamed_child_add(concern=concern, by=dsl, description="A friend at the sleepover")
    card = services.guidance_card_save(
        school=school,
        by=dsl,
        title="Testshire MASH",
        categories=[Category.objects.get(school=None, slug="sharing-nudes")],
        report_to="Testshire MASH 01632 960 000",
    )
    services.advice_record(
        concern=concern,
        by=dsl,
        card=GuidanceCard.objects.get(school=None, key="sharing-nudes-family"),
        given_by="Dana Lead",
        given_to="Mother",
        given_at=now,
    )
    assert card.categories.exists() and PracticeFlag.objects.filter(concern=concern).exists()
    # Written directly: the upload checks are test_uploads' business, and no file is needed.
    Attachment.objects.create(
        concern=concern,
        original_name="minutes.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        description="Minutes",
        uploaded_by=dsl,
        uploaded_at=now,
    )
    # Its bytes; Django's PROTECT guards an attachment that has them, so the one above has
    # none and reaches the trigger.
    with_content = Attachment.objects.create(
        concern=concern,
        original_name="letter.txt",
        content_type="text/plain",
        size=1,
        sha256="0" * 64,
        description="Letter",
        uploaded_by=dsl,
        uploaded_at=now,
    )
    AttachmentChunk.objects.create(attachment=with_content, position=0, data=b"x")
    # Likewise an export: its file is not the point, only the record that it left.
    export = Export.objects.create(
        kind=ExportKind.REFERRAL,
        concern=concern,
        sha256="0" * 64,
        exported_by=dsl,
        exported_at=now,
    )
    export.children.set([subject])
    Category.objects.create(school=school, name="Attendance", slug="attendance")
    return concern


def test_a_recorded_concern_cannot_be_deleted(case):
    # Django's PROTECT refuses first (ProtectedError is an IntegrityError); the trigger is
    # the backstop, tested on its own below.
    with pytest.raises(ProtectedError), transaction.atomic():
        Concern.objects.filter(pk=case.pk).delete()
    assert Concern.objects.filter(pk=case.pk).exists()


def test_the_database_refuses_to_delete_a_concern_nothing_points_at(school, staff):
    bare = Concern.objects.create(
        school=school,
        reference="SG-2000-0001",
        reporter=staff,
        recorded_at=timezone.now(),
        discloser_type="child",
        disclosed_at=timezone.now(),
        location="Classroom",
        account="Inserted directly, with no children, to reach the trigger.",
    )
    with refused_by_the_database(), transaction.atomic():
        Concern.objects.filter(pk=bare.pk).delete()
    assert Concern.objects.filter(pk=bare.pk).exists()


@pytest.mark.parametrize(
    "model",
    [
        ConcernChild,
        EvidenceItem,
        Attachment,
        AttachmentChunk,
        SupportAction,
        SupportReview,
        FollowUpAction,
        Note,
        Referral,
        AgencyContact,
        Export,
        UnnamedChild,
        GuidanceCard,
        AdviceGiven,
        PracticeFlag,
    ],
    ids=lambda model: model.__name__,
)
def test_the_database_refuses_to_delete_a_concerns_records(case, model):
    rows = model.objects.all()
    # Rows that something else points at are also protected by Django; these reach the trigger.
    if model is ConcernChild:
        rows = rows.filter(support_actions__isnull=True)
    elif model is SupportAction:
        rows = rows.filter(reviews__isnull=True)
    elif model is Attachment:
        rows = rows.filter(chunks__isnull=True)
    elif model is Referral:
        rows = rows.filter(contacts__isnull=True)
    elif model is GuidanceCard:
        # The national card has advice given from it; the school's own card has none.
        rows = rows.exclude(school=None)
    count = rows.count()
    assert count

    with refused_by_the_database(), transaction.atomic():
        rows.delete()
    assert rows.count() == count


def test_the_database_refuses_to_delete_a_category(case):
    with refused_by_the_database(), transaction.atomic():
        Category.objects.filter(slug="attendance").delete()
    assert Category.objects.filter(slug="attendance").exists()


@pytest.mark.parametrize(
    "model",
    [
        Concern,
        ConcernChild,
        EvidenceItem,
        Attachment,
        SupportAction,
        SupportReview,
        FollowUpAction,
        Note,
        Category,
        Referral,
        AgencyContact,
        Export,
        UnnamedChild,
        GuidanceCard,
        AdviceGiven,
        PracticeFlag,
    ],
    ids=lambda model: model.__name__,
)
def test_the_database_refuses_to_delete_history(case, model):
    history = model.history.all()
    count = history.count()
    assert count

    with refused_by_the_database(), transaction.atomic():
        history.delete()
    assert history.count() == count


@pytest.mark.parametrize("table", PROTECTED_TABLES)
def test_raw_sql_cannot_delete_from_a_protected_table(case, table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        (count,) = cursor.fetchone()
        assert count, f"{table} is empty, so a DELETE would touch no row"

        with refused_by_the_database(), transaction.atomic():
            cursor.execute(f"DELETE FROM {table}")

        cursor.execute(f"SELECT count(*) FROM {table}")
        assert cursor.fetchone() == (count,)


def test_the_refusal_is_a_restrict_violation(case):
    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        Note.objects.all().delete()
    assert refusal.value.__cause__.sqlstate == "23001"
