"""Who read which safeguarding record, and when. Rows are only ever added: PostgreSQL refuses
UPDATE, DELETE and TRUNCATE on the table (audit/migrations/0002 and 0003).

The log sits low in the layers (docs/architecture.md) so that every page that shows a record
can write to it. It points at the concern, pupil or referral read by foreign key, named as
"app.Model" rather than imported: the log keeps which row was read, and knows nothing else of
what a concern or a referral is."""

from django.conf import settings
from django.db import models

from safeguard.db import FetchModeManager
from schools.models import Pupil, School


class Action(models.TextChoices):
    VIEWED_CONCERN = "viewed_concern", "Viewed the concern"
    VIEWED_CHRONOLOGY = "viewed_chronology", "Viewed the chronology"
    VIEWED_HISTORY = "viewed_history", "Viewed the concern's history"
    EXPORTED_REFERRAL_PDF = "exported_referral_pdf", "Exported the referral PDF"
    EXPORTED_CHRONOLOGY_PDF = "exported_chronology_pdf", "Exported the chronology PDF"
    DOWNLOADED_ATTACHMENT = "downloaded_attachment", "Downloaded an attachment"
    VIEWED_REFERRAL = "viewed_referral", "Viewed the referral"
    SENT_FILE = "sent_file", "Sent the child protection file to a new school"
    DOWNLOADED_PACKAGE = "downloaded_package", "Downloaded the child protection file's package"
    EXPORTED_FILE_PDF = "exported_file_pdf", "Exported the child protection file PDF"
    VIEWED_INCOMING_FILE = "viewed_incoming_file", "Read a child protection file from a school"
    VIEWED_REQUEST_FILE = (
        "viewed_request_file",
        "Read the child's file assembled for a subject access request",
    )
    EXPORTED_REDACTED_PDF = (
        "exported_redacted_pdf",
        "Exported the redacted file for a subject access request",
    )


class AccessRecord(models.Model):
    """One read of a record: who, what, when and from which address."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=30, choices=Action.choices)
    concern = models.ForeignKey(
        "concerns.Concern", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pupil = models.ForeignKey(
        Pupil, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = FetchModeManager()
    append_only = True  # safeguard.db.is_append_only

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} by user {self.user_id} at {self.at:%Y-%m-%d %H:%M}"
