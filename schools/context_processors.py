from django.utils.functional import SimpleLazyObject

from schools import policy
from schools.acting import chosen_school
from schools.selectors import memberships_of


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
            "is_dsl_team": policy.HANDLE_CASES.anywhere(found),
            "can_record": policy.RECORD_CONCERNS.anywhere(found),
            "can_manage_school": policy.MANAGE_SCHOOL.anywhere(found),
            "is_school_admin": policy.MANAGE_PEOPLE.anywhere(found),
            # The oversight registers: governors read them, the DSL team and admin keep them.
            "can_oversee": policy.READ_OVERSIGHT.anywhere(found),
        }

    return {"roles": SimpleLazyObject(roles)}
