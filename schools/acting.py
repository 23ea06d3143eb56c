"""The school a request acts for, when its user belongs to more than one.

A trust's DSL may lead at two schools; a DSL at one school may govern another. They choose
the school in the header (schools.views.school_choose), which keeps its UUID in the session.
Every page that acts for "your school" asks `acting_membership` which membership to use,
rather than taking the first. Signing out flushes the session, and the choice with it.
"""

import uuid
from collections.abc import Callable, Iterable

from schools.models import Membership

SESSION_KEY = "acting_school"

# What a page needs of the membership it acts through: a rule of schools.policy.
Need = Callable[[Membership], bool]


def chosen_school(session) -> str | None:
    """The UUID of the school chosen in this session, as text; None if none was."""
    return session.get(SESSION_KEY)


def school_key(value: str) -> str | None:
    """`value` as a school's UUID in the form the session keeps; None if it is not one."""
    try:
        return str(uuid.UUID(value))
    except (TypeError, ValueError, AttributeError):
        return None


def chosen_membership(memberships: Iterable[Membership], chosen: str | None) -> Membership | None:
    """The membership at the chosen school, whatever its role; None if there is none."""
    if not chosen:
        return None
    return next((m for m in memberships if str(m.school.uuid) == chosen), None)


def acting_membership(
    memberships: Iterable[Membership],
    chosen: str | None,
    need: Need,
    *,
    prefer: Need | None = None,
) -> Membership | None:
    """The membership a request acts through for `need`.

    The one at the chosen school if it meets the need; otherwise the first that does, in the
    order given (memberships_of gives them by school name), and among those the first that
    also meets `prefer` when one does. None if no membership meets the need.
    """
    suitable = [m for m in memberships if need(m)]
    here = chosen_membership(suitable, chosen)
    if here is not None:
        return here
    if prefer is not None:
        preferred = next((m for m in suitable if prefer(m)), None)
        if preferred is not None:
            return preferred
    return suitable[0] if suitable else None
