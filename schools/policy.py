"""Who may do what, and where: every rule that turns on a person's role, in one place.

A person's role is per school (a Membership), so every question is asked of a membership:
"may this person do this here?" is `rule(membership)`.
Views and access helpers ask it; selectors filter on `rule.roles`; the URL-by-role table
(tests/test_url_access_matrix.py) checks its rows against these rules.

What a refusal looks like is the caller's business: out of the person's schools is 404, in
their school but not their role is 403 (DOMAIN.md rule 5, need to know).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from schools.models import Membership, Role


@dataclass(frozen=True)
class Rule:
    """Something a role lets a person do at their school."""

    name: str
    roles: frozenset[Role]

    def __call__(self, membership: Membership) -> bool:
        return membership.role in self.roles

    def anywhere(self, memberships: Iterable[Membership]) -> bool:
        """Whether any of the person's memberships allows it (the navigation asks this)."""
        return any(self(m) for m in memberships)


_DSL_TEAM = frozenset({Role.DSL, Role.DEPUTY_DSL})

# Record a concern and follow the ones you recorded: everyone who works with children.
RECORD_CONCERNS = Rule("record concerns", frozenset({Role.STAFF, *_DSL_TEAM, Role.SCHOOL_ADMIN}))
# Read and act on every concern of the school, a child's chronology and who read it, make
# referrals and export them: the DSL and deputies only.
HANDLE_CASES = Rule("handle the school's cases", _DSL_TEAM)
# Send a leaver's child protection file to their new school, and accept or decline a file
# that comes to the school: the DSL team only (KCSIE).
TRANSFER_FILES = Rule("send and receive child protection files", _DSL_TEAM)
# The school's safeguarding settings, its pupil register, and the oversight registers
# (training, policies, named roles, checklist): the DSL team or the school's administrator.
MANAGE_SCHOOL = Rule("manage the school", frozenset({*_DSL_TEAM, Role.SCHOOL_ADMIN}))
# Invite people, change their roles, reset a second factor, lift a sign-in lockout.
MANAGE_PEOPLE = Rule("manage the school's people", frozenset({Role.SCHOOL_ADMIN}))
# The governors' dashboard, the termly report and reading the oversight registers.
READ_OVERSIGHT = Rule(
    "read the oversight", frozenset({*_DSL_TEAM, Role.SCHOOL_ADMIN, Role.GOVERNOR})
)
# Govern the school: a governor who records nothing starts at the dashboard.
GOVERN = Rule("govern", frozenset({Role.GOVERNOR}))
# Roles that see identifying safeguarding records, or the school's oversight of them, always
# sign in with a second factor. Staff do when their school asks for it
# (School.staff_mfa_required); see second_factor_required.
ALWAYS_SECOND_FACTOR = Rule(
    "always sign in with a second factor",
    frozenset({*_DSL_TEAM, Role.GOVERNOR, Role.SCHOOL_ADMIN}),
)

RULES = (
    RECORD_CONCERNS,
    HANDLE_CASES,
    TRANSFER_FILES,
    MANAGE_SCHOOL,
    MANAGE_PEOPLE,
    READ_OVERSIGHT,
    GOVERN,
    ALWAYS_SECOND_FACTOR,
)


def second_factor_required(memberships: Iterable[Membership]) -> bool:
    return any(
        ALWAYS_SECOND_FACTOR(m) or (m.role == Role.STAFF and m.school.staff_mfa_required)
        for m in memberships
    )


# Authenticator types that are a second factor (recovery codes are only a way back in).
SECOND_FACTORS = ("totp", "webauthn")


def has_second_factor(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()
