from django.utils.functional import SimpleLazyObject

from concerns.selectors import memberships_of
from schools.acting import chosen_school
from schools.models import Role


def membership(request):
    """The signed-in user's roles, for the navigation. Evaluated only when a template asks."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def roles():
        # Loaded once per request by accounts.middleware; asked for here otherwise.
        found = getattr(request, "memberships", None)
        if found is None:
            found = memberships_of(user)
        return {
            "memberships": found,
            # The school picker in the header, for someone in more than one school.
            "chosen_school": chosen_school(getattr(request, "session", {})),
            "is_dsl_team": any(m.is_dsl_team for m in found),
            "can_record": any(m.can_record for m in found),
            "can_manage_school": any(m.is_dsl_team or m.role == Role.SCHOOL_ADMIN for m in found),
            "is_school_admin": any(m.role == Role.SCHOOL_ADMIN for m in found),
            # The oversight registers: governors read them, the DSL team and admin keep them.
            "can_oversee": any(
                m.is_dsl_team or m.role in (Role.GOVERNOR, Role.SCHOOL_ADMIN) for m in found
            ),
        }

    return {"roles": SimpleLazyObject(roles)}
