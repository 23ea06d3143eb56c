"""State changes to schools and their people."""

from django.db import transaction

from concerns.errors import WorkflowError
from safeguard.db import stamp_history
from schools.models import School


@transaction.atomic
def school_update_deadlines(
    *, school: School, by, safety_check_hours: int, written_confirmation_hours: int
) -> School:
    """Set the school's own deadlines for the safety check and written confirmation."""
    school = School.objects.select_for_update().get(pk=school.pk)
    for value in (safety_check_hours, written_confirmation_hours):
        if not 1 <= value <= 168:
            raise WorkflowError("Deadlines are between 1 hour and 168 hours (a week).")
    school.safety_check_hours = safety_check_hours
    school.written_confirmation_hours = written_confirmation_hours
    stamp_history(school, by=by, reason="Safeguarding deadlines changed")
    school.save(update_fields=["safety_check_hours", "written_confirmation_hours"])
    return school
