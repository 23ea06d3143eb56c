"""What the concern pages share (here and in casework): the membership a request acts
through, and calling a service from a form."""

from django.core.exceptions import PermissionDenied

from concerns.services import StaleEdit
from safeguard.errors import WorkflowError
from schools import acting
from schools.selectors import memberships_of


def acting_for(request, need: acting.Need, refusal: str):
    """The membership this request acts through for `need`: at the school chosen in the
    header if the user's role there meets it, else the first school where it does."""
    membership = acting.acting_membership(
        memberships_of(request.user), acting.chosen_school(request.session), need
    )
    if membership is None:
        raise PermissionDenied(refusal)
    return membership


def submit(form, action):
    """Call a service; on a refusal, put its message on the form and keep what was typed."""
    try:
        return action()
    except StaleEdit as error:
        form.add_error(None, str(error))
        if hasattr(form, "refresh_version"):
            form.refresh_version(error.concern.version)
    except WorkflowError as error:
        # Beside the field it is about, where the form has it (linked from the summary).
        form.add_error(error.field if error.field in form.fields else None, str(error))
    return None
