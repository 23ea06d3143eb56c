"""The DSL's view of the access log."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from audit.selectors import access_to_pupil
from schools.models import Role
from schools.selectors import pupil_for


@require_safe
def pupil_access(request, uuid):
    pupil, _ = pupil_for(request.user, uuid)
    records = list(access_to_pupil(pupil))
    roles = dict(Role.choices)
    rows = [(record, roles.get(record.role, "No longer at the school")) for record in records]
    return render(request, "audit/pupil.html", {"pupil": pupil, "rows": rows})
