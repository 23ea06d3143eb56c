"""Queries scoped to a user. The only way views fetch concerns (DOMAIN.md rule 5)."""

from collections.abc import Iterator

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from concerns.models import Attachment, AttachmentChunk, Category, Concern
from schools.models import Membership, Pupil, School
from schools.policy import HANDLE_CASES, RECORD_CONCERNS
from schools.selectors import membership_at


def concerns_visible_to(user) -> QuerySet[Concern]:
    """The DSL team sees all of their school's concerns; anyone else only what they raised."""
    dsl_schools = Membership.objects.filter(user=user, role__in=HANDLE_CASES.roles).values(
        "school_id"
    )
    recording_schools = Membership.objects.filter(user=user, role__in=RECORD_CONCERNS.roles).values(
        "school_id"
    )
    return Concern.objects.filter(
        Q(school_id__in=dsl_schools) | Q(reporter=user, school_id__in=recording_schools)
    )


def concern_for(user, concern_uuid, *, manage: bool = False) -> tuple[Concern, Membership]:
    """Fetch one concern for `user`, or refuse.

    404 when the concern is outside the user's reach (another school, or another member of
    staff's concern); 403 when the user can see it exists but their role may not do this
    (governors; a reporter trying a DSL action).
    """
    concern = Concern.objects.select_related("school", "reporter").filter(uuid=concern_uuid).first()
    if concern is None:
        raise Http404("No such concern")
    membership = membership_at(user, concern.school_id)
    if membership is None:
        raise Http404("No such concern")
    if membership.is_dsl_team:
        return concern, membership
    if not membership.can_record:
        raise PermissionDenied("Your role does not give access to concerns.")
    if concern.reporter_id != user.pk:
        raise Http404("No such concern")
    if manage:
        raise PermissionDenied("Only the safeguarding team can do this.")
    return concern, membership


def categories_for(school: School) -> QuerySet[Category]:
    return Category.objects.filter(Q(school=None) | Q(school=school)).order_by("position", "name")


def pupils_for(school: School) -> QuerySet[Pupil]:
    return Pupil.objects.filter(school=school, is_on_roll=True).order_by(
        "legal_last_name", "legal_first_name"
    )


def attachment_content(attachment: Attachment) -> Iterator[bytes] | None:
    """The attachment's bytes, read one piece per query as the caller consumes them, so a
    download holds one piece in memory at a time. None when no bytes are stored (a file
    that was already missing when attachments moved into the database)."""
    ids = list(
        AttachmentChunk.objects.filter(attachment=attachment)
        .order_by("position")
        .values_list("pk", flat=True)
    )
    if not ids:
        return None
    return _pieces(ids)


def _pieces(ids: list[int]) -> Iterator[bytes]:
    for pk in ids:
        yield bytes(AttachmentChunk.objects.values_list("data", flat=True).get(pk=pk))
