"""The benchmark's own page (served only with BENCH=true, see safeguard/urls.py)."""

import uuid

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_safe

from schools.models import School


@login_not_required
@require_safe
def floor(request):
    """The benchmark's floor: the least a page of this app can cost, through the same
    middleware: one query, on a unique index (`?school=<uuid>`)."""
    try:
        school_uuid = uuid.UUID(request.GET.get("school", ""))
    except ValueError:
        return HttpResponseBadRequest("Give ?school=<uuid>")
    name = School.objects.filter(uuid=school_uuid).values_list("name", flat=True).first()
    return HttpResponse(name or "", content_type="text/plain")


@require_safe
def signed_in_floor(request):
    """The least a signed-in page can cost: the whole middleware stack, a real session, the
    GOV.UK layout with its navigation, and no data of its own."""
    return render(request, "bench/signed_in_floor.html")
