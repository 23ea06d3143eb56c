"""State changes to schools and their people."""

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from safeguard.db import stamp_history
from safeguard.errors import WorkflowError
from schools.models import FailedNotification, Membership, Role, School, Term, User
from schools.tasks import send_invitation, send_membership_notice


@transaction.atomic
def school_update_settings(
    *,
    school: School,
    by,
    safety_check_hours: int,
    written_confirmation_hours: int,
    staff_mfa_required: bool,
) -> School:
    """Set the school's own deadlines for the safety check and written confirmation, and
    whether its members of staff must sign in with a second factor."""
    school = School.objects.select_for_update().get(pk=school.pk)
    for value in (safety_check_hours, written_confirmation_hours):
        if not 1 <= value <= 168:
            raise WorkflowError("Deadlines are between 1 hour and 168 hours (a week).")
    changed = []
    if (school.safety_check_hours, school.written_confirmation_hours) != (
        safety_check_hours,
        written_confirmation_hours,
    ):
        changed.append("Safeguarding deadlines changed")
    if school.staff_mfa_required != staff_mfa_required:
        changed.append(
            "Staff must now use a second factor"
            if staff_mfa_required
            else "Staff may sign in without a second factor"
        )
    school.safety_check_hours = safety_check_hours
    school.written_confirmation_hours = written_confirmation_hours
    school.staff_mfa_required = staff_mfa_required
    stamp_history(school, by=by, reason="; ".join(changed) or "Settings saved unchanged")
    school.save(
        update_fields=["safety_check_hours", "written_confirmation_hours", "staff_mfa_required"]
    )
    return school


# --- Term dates ----------------------------------------------------------------------------


def _year_name(academic_year: int) -> str:
    return f"{academic_year} to {academic_year + 1}"


@transaction.atomic
def school_terms_set(
    *, school: School, by, academic_year: int, halves: dict[str, tuple[date, date]]
) -> list[Term]:
    """Set the school's six half terms of one academic year, each (first day, last day),
    correcting any already entered. Each half term must fall in that academic year (1
    September to 31 August), end on or after it starts, and start after the one before it
    ends. One history row for each half term added or changed."""
    school = School.objects.select_for_update().get(pk=school.pk)
    year_starts, year_ends = date(academic_year, 9, 1), date(academic_year + 1, 8, 31)
    previous = None
    for half in Term.Half:
        if half.value not in halves:
            raise WorkflowError(f"Enter the dates of {half.label.lower()}", field=f"{half}_starts")
        first, last = halves[half.value]
        if last < first:
            raise WorkflowError(
                f"{half.label} must end on or after the day it starts", field=f"{half}_ends"
            )
        if first < year_starts or last > year_ends:
            raise WorkflowError(
                f"{half.label} must fall between 1 September {academic_year} and "
                f"31 August {academic_year + 1}",
                field=f"{half}_starts",
            )
        if previous is not None and first <= halves[previous.value][1]:
            raise WorkflowError(
                f"{half.label} must start after {previous.label.lower()} ends",
                field=f"{half}_starts",
            )
        previous = half
    existing = {t.half: t for t in Term.objects.filter(school=school, academic_year=academic_year)}
    saved = []
    for half in Term.Half:
        first, last = halves[half.value]
        term = existing.get(half.value)
        if term is None:
            term = Term(school=school, academic_year=academic_year, half=half)
            reason = f"Term dates for {_year_name(academic_year)} entered"
        elif (term.starts_on, term.ends_on) == (first, last):
            saved.append(term)
            continue
        else:
            reason = f"Term dates for {_year_name(academic_year)} corrected"
        term.starts_on, term.ends_on = first, last
        stamp_history(term, by=by, reason=reason)
        term.save()
        saved.append(term)
    return saved


# --- People ------------------------------------------------------------------------------


class AlreadyAMember(WorkflowError):
    """The e-mail address belongs to someone who is already a member of the school."""


@dataclass(frozen=True)
class Invitation:
    membership: Membership
    new_user: bool  # False: someone who already had an account was added to this school
    link_sent: bool  # True: they were sent an invitation link to choose their password


# Its callers' transaction is its own: no savepoint, which would cost every invitation two
# more queries (and roll back nothing they would not).
@transaction.atomic(savepoint=False)
def membership_add(
    *,
    school: School,
    by: User | None,
    email: str,
    full_name: str,
    role: str,
    job_title: str = "",
    joined: bool,
    reason: str,
    reason_had_account: str,
) -> tuple[Membership, bool]:
    """Give the person with the address `email` a role at `school`. Returns the membership,
    and whether their user is new.

    An address with no account gets a new user with no usable password, to be chosen through
    an invitation link. An account the address already has (at another school) keeps its
    name, job title, password and sign-in. Raises AlreadyAMember if the address is already a
    member of `school`.

    With `joined=False` the membership waits for them to sign in, and until then the school
    sees the name and job title typed here. The membership's history row gives `reason`, or
    `reason_had_account` if the address already had an account.
    """
    email = User.objects.normalize_email(email).lower()
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    existing = (
        Membership.objects.filter(user=user, school=school).select_related("user").first()
        if user is not None
        else None
    )
    if existing is not None:
        raise AlreadyAMember(f"{existing.name} ({user.email}) is already a member of {school}")
    new_user = user is None
    if new_user:
        user = User(email=email, full_name=full_name, job_title=job_title)
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            # Added at another school at the same moment: theirs stands, and this school
            # adds the same person, as it would have a moment later.
            user = User.objects.select_for_update().get(email__iexact=email)
            new_user = False
    membership = Membership(user=user, school=school, role=role)
    if not joined:
        # Not joined until they sign in: until then this school sees the name and job title
        # it typed, whatever the account already says.
        membership.invited_name = full_name
        membership.invited_job_title = job_title
        membership.joined_at = None
    stamp_history(membership, by=by, reason=reason if new_user else reason_had_account)
    membership.save()
    return membership, new_user


@transaction.atomic
def person_invite(
    *, school: School, by: User, full_name: str, email: str, job_title: str = "", role: str
) -> Invitation:
    """Give someone a role at `school`, and e-mail them once the change has committed.

    Someone new gets a user with no usable password and an invitation link to choose one.
    Someone who already has an account (at another school) gets a membership here, and a
    notice, or a new invitation link if they have not chosen a password yet; their name,
    job title, password and sign-in are left as they are. Raises AlreadyAMember if the
    address is already a member of `school`.

    Nothing here depends, as the inviting school sees it, on whether the address has an
    account elsewhere: that would tell one school about another's people. Only the e-mail,
    which goes to the person themselves, differs.
    """
    # One invitation at a time per school, so two admins can't both add the same person.
    school = School.objects.select_for_update().get(pk=school.pk)
    label = Role(role).label.lower()
    membership, new_user = membership_add(
        school=school,
        by=by,
        email=email,
        full_name=full_name,
        job_title=job_title,
        role=role,
        joined=False,
        reason=f"Invited as {label}",
        reason_had_account=f"Added as {label}; already had an account",
    )
    user = membership.user
    # Someone invited elsewhere who hasn't chosen a password yet needs a link, not a notice.
    link_sent = user.is_active and not user.has_usable_password()
    if link_sent:
        transaction.on_commit(lambda: send_invitation.enqueue(user.pk, school.pk, by.pk))
    else:
        transaction.on_commit(lambda: send_membership_notice.enqueue(user.pk, school.pk))
    return Invitation(membership=membership, new_user=new_user, link_sent=link_sent)


@transaction.atomic
def invitation_resend(*, membership: Membership, by: User) -> None:
    """E-mail the invitation again to someone who has not signed in here since being invited:
    a new link if they have no password yet, otherwise the notice that they were added (so
    the school sees the same answer whether or not the address had an account)."""
    user = User.objects.select_for_update().get(pk=membership.user_id)
    school_id = membership.school_id
    if membership.has_joined:
        raise WorkflowError(f"{membership.name} has already accepted their invitation.")
    if user.has_usable_password():
        transaction.on_commit(lambda: send_membership_notice.enqueue(user.pk, school_id))
        return
    if not user.is_active:
        raise WorkflowError(
            f"Sign-in is turned off for {membership.name}. Turn it on before inviting them again."
        )
    transaction.on_commit(lambda: send_invitation.enqueue(user.pk, school_id, by.pk))


def memberships_joined(user: User) -> None:
    """Someone has accepted an invitation or signed in: every school that gave them a role
    since then now sees them as they are. Recorded in each membership's history."""
    with transaction.atomic():
        pending = Membership.objects.select_for_update().filter(user=user, joined_at=None)
        for membership in pending:
            membership.joined_at = timezone.now()
            stamp_history(membership, by=user, reason="Joined: accepted or signed in since invited")
            membership.save(update_fields=["joined_at"])


@transaction.atomic
def invitation_accept(*, user: User, password: str) -> User:
    """Set the invited person's first password. The invitation link then stops working."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.has_usable_password() or not user.is_active:
        # Another tab, or the admin, got there first.
        raise WorkflowError("This invitation has already been used or withdrawn.")
    user.set_password(password)
    user.save(update_fields=["password"])
    memberships_joined(user)
    return user


@transaction.atomic
def membership_change_role(
    *, membership: Membership, by: User, role: str, reason: str
) -> Membership:
    """Change someone's role at one school, recording who decided and why."""
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    if membership.user_id == by.pk:
        # So that a school is never left without an administrator by accident.
        raise WorkflowError(
            "You cannot change your own role. Ask another administrator of the school."
        )
    if not reason.strip():
        raise WorkflowError("Give the reason for changing the role.")
    if membership.role == role:
        raise WorkflowError(f"{membership.name} is already {Role(role).label.lower()}.")
    old = membership.get_role_display().lower()
    membership.role = role
    stamp_history(
        membership, by=by, reason=f"Role changed from {old} to {Role(role).label.lower()}: {reason}"
    )
    membership.save(update_fields=["role"])
    return membership


def _person_to_change(
    membership: Membership, *, by: User, reason: str, yourself: str, why: str, what: str
) -> User:
    """The person whose account an administrator changes (their sign-in, their second
    factor), locked; refused on yourself, without a reason, or while another school still
    has them (only the administrator of every school they belong to may change it)."""
    user = User.objects.select_for_update().get(pk=membership.user_id)
    if user.pk == by.pk:
        raise WorkflowError(yourself)
    if not reason.strip():
        raise WorkflowError(why)
    if Membership.objects.filter(user=user).exclude(school_id=membership.school_id).exists():
        raise WorkflowError(
            f"Another school still needs {membership.name}, so their {what} stays as it is. "
            "Ask that school's administrator."
        )
    return user


@transaction.atomic
def user_set_sign_in(*, membership: Membership, by: User, active: bool, reason: str) -> User:
    """Turn someone's sign-in off (a leaver) or back on. Nothing is deleted.

    Only the administrator of every school the person belongs to may do this, so it is
    refused while another school still has them. Django refuses an inactive user's sign-in
    and ends their session on their next request. The decision is recorded in the history
    of the person's membership here, as the user has no history of its own.
    """
    user = _person_to_change(
        membership,
        by=by,
        reason=reason,
        yourself="You cannot turn off your own sign-in.",
        why="Give the reason for turning sign-in off or on.",
        what="sign-in",
    )
    if user.is_active == active:
        state = "on" if active else "off"
        raise WorkflowError(f"Sign-in is already turned {state} for {membership.name}.")
    user.is_active = active
    user.save(update_fields=["is_active"])
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    stamp_history(
        membership,
        by=by,
        reason=f"Sign-in turned {'on' if active else 'off'}: {reason}",
    )
    # No field changes: the save is the history row of the decision.
    membership.save()
    return user


@transaction.atomic
def user_reset_second_factor(*, membership: Membership, by: User, reason: str) -> int:
    """Remove someone's authenticator app and recovery codes (a lost phone), so that they
    set up a new one the next time they sign in. Returns how many were removed.

    The same rules as turning sign-in off: not on yourself, and not while another school
    still has them. The decision is recorded in the history of their membership here.
    """
    from allauth.mfa.models import Authenticator

    if not membership.has_joined:
        raise WorkflowError(
            f"{membership.name} has not accepted their invitation yet, so there is no second "
            "factor to reset."
        )
    user = _person_to_change(
        membership,
        by=by,
        reason=reason,
        yourself="You cannot reset your own second factor.",
        why="Give the reason for resetting the second factor.",
        what="second factor",
    )
    removed, _ = Authenticator.objects.filter(user=user).delete()
    if not removed:
        raise WorkflowError(f"{membership.name} has no second factor to reset.")
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    stamp_history(membership, by=by, reason=f"Second factor reset: {reason}")
    membership.save()
    return removed


@transaction.atomic
def school_add(*, name: str, urn: str, admin_full_name: str, admin_email: str) -> Membership:
    """A new school on this deployment, with its first administrator, who then invites
    everyone else. Done on the server (manage.py add_school), so no user is `by`."""
    if School.objects.filter(urn=urn).exists():
        raise WorkflowError(f"A school with URN {urn} is already here.")
    school = School(name=name, urn=urn)
    stamp_history(school, by=None, reason="School added on the server")
    school.save()
    reason = "First administrator, added on the server"
    membership, _ = membership_add(
        school=school,
        by=None,
        email=admin_email,
        full_name=admin_full_name,
        role=Role.SCHOOL_ADMIN,
        joined=True,
        reason=reason,
        reason_had_account=reason,
    )
    return membership


# --- Notifications that could not be sent --------------------------------------------------


def failed_notification_record(
    *, notice, reason: str, attempts: int, task_path: str, task_args: list
) -> FailedNotification:
    """Record that a notification failed for good, for the school to see and act on.
    Called by the worker (schools.notifications), so no one is its author."""
    failure = FailedNotification(
        school_id=notice.school_id,
        what=notice.what[:200],
        recipients="\n".join(notice.recipients),
        link=notice.link,
        dsl_team_only=notice.dsl_team_only,
        reason=reason,
        attempts=attempts,
        task_path=task_path,
        task_args=task_args,
    )
    stamp_history(failure, by=None, reason=f"Not sent after {attempts} attempts")
    failure.save()
    return failure


@transaction.atomic
def failed_notification_close(
    *, failure: FailedNotification, by: User, retry: bool
) -> FailedNotification:
    """Mark a failed notification dealt with, or queue it again (with its retries) and
    mark it so. It closes once: a second click, or a colleague's, is refused."""
    failure = FailedNotification.objects.select_for_update().get(pk=failure.pk)
    if failure.outcome != FailedNotification.Outcome.OPEN:
        raise WorkflowError("Someone has already dealt with this notification.")
    failure.outcome = (
        FailedNotification.Outcome.RETRIED if retry else FailedNotification.Outcome.DEALT_WITH
    )
    failure.closed_at = timezone.now()
    failure.closed_by = by
    stamp_history(failure, by=by, reason=failure.get_outcome_display())
    failure.save(update_fields=["outcome", "closed_at", "closed_by"])
    if retry:
        notification = import_string(failure.task_path)
        args = list(failure.task_args)
        transaction.on_commit(lambda: notification.enqueue(*args))
    return failure
