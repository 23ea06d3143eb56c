from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from safeguard.errors import WorkflowError
from safeguard.http import posted_from
from safeguard.reauth import require_recent_check
from schools import acting, policy, selectors, services, terms
from schools.forms import PupilImportForm, SchoolDeadlinesForm, TermDatesForm
from schools.models import Term
from schools.pupil_import import REQUIRED_COLUMNS, PupilFileError, pupils_import
from schools.selectors import memberships_of


@require_POST
def school_choose(request):
    """Choose the school this session works for (the picker in the header), then go back to
    the page it was chosen on. A school the user is not a member of is not found."""
    key = acting.school_key(request.POST.get("school", ""))
    membership = acting.chosen_membership(memberships_of(request.user), key)
    if membership is None:
        raise Http404("You are not a member of that school.")
    request.session[acting.SESSION_KEY] = key
    messages.success(request, f"You are now working for {membership.school.name}.")
    return redirect(posted_from(request) or "home")


def _managed_school(request):
    """The school this request manages (its settings, term dates), for the DSL team or the
    school's administrator: the one chosen in the header if their role there allows."""
    membership = acting.acting_membership(
        memberships_of(request.user), acting.chosen_school(request.session), policy.MANAGE_SCHOOL
    )
    if membership is None:
        raise PermissionDenied("Only the safeguarding team or the school's administrator can.")
    return membership.school


@require_http_methods(["GET", "POST"])
def school_settings(request):
    """The DSL team or the school's administrator sets the school's safeguarding deadlines."""
    school = _managed_school(request)
    form = SchoolDeadlinesForm(
        request.POST or None,
        initial={
            "safety_check_hours": school.safety_check_hours,
            "written_confirmation_hours": school.written_confirmation_hours,
            "staff_mfa_required": school.staff_mfa_required,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.school_update_settings(school=school, by=request.user, **form.cleaned_data)
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The school's settings have been saved.")
            return redirect("school_settings")
    return render(request, "schools/settings.html", {"form": form, "school": school})


# Which academic years a school may enter term dates for: last year's (to correct it), this
# year's and the next two.
TERM_YEARS_BACK, TERM_YEARS_AHEAD = 1, 2


def _term_years(today) -> list[int]:
    this_year = terms.academic_year_of(today)
    return list(range(this_year - TERM_YEARS_BACK, this_year + TERM_YEARS_AHEAD + 1))


@require_safe
def school_terms(request):
    """The school's term dates, this academic year and next: school days are counted in them
    (a child's file is due at a new school within 5 school days of the move)."""
    school = _managed_school(request)
    this_year = terms.academic_year_of(timezone.localdate())
    entered = {}
    for term in Term.objects.filter(school=school, academic_year__in=[this_year, this_year + 1]):
        entered.setdefault(term.academic_year, {})[term.half] = term
    years = [
        {
            "year": year,
            "name": f"{year} to {year + 1}",
            "rows": [(half.label, entered.get(year, {}).get(half.value)) for half in Term.Half],
            "entered": year in entered,
        }
        for year in (this_year, this_year + 1)
    ]
    return render(request, "schools/terms.html", {"school": school, "years": years})


@require_http_methods(["GET", "POST"])
def school_terms_edit(request, year):
    school = _managed_school(request)
    if year not in _term_years(timezone.localdate()):
        raise Http404("Term dates are kept for last year, this year and the next two.")
    form = TermDatesForm(
        request.POST or None,
        initial=TermDatesForm.initial_from(terms.terms_of_year(school, year)),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.school_terms_set(
                school=school, by=request.user, academic_year=year, halves=form.halves()
            )
        except WorkflowError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, f"The term dates for {year} to {year + 1} have been saved.")
            return redirect("school_terms")
    return render(
        request,
        "schools/terms_edit.html",
        {"school": school, "form": form, "year_name": f"{year} to {year + 1}"},
    )


@require_http_methods(["GET", "POST"])
def pupil_import(request):
    """Import the school's pupils from an MIS export: the page over `manage.py import_pupils`."""
    school = selectors.pupil_import_membership(
        request.user, chosen=acting.chosen_school(request.session)
    ).school
    # Asked when the page opens, so that a file chosen afterwards is not lost to the check.
    require_recent_check(request)
    posted = request.method == "POST"
    form = PupilImportForm(request.POST if posted else None, request.FILES if posted else None)
    result = None
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = pupils_import(
                school=school,
                rows_or_file=upload,
                by=request.user,
                source_name=upload.name,
                dry_run=form.cleaned_data["dry_run"],
            )
        except PupilFileError as error:
            form.add_error("file", f"Nothing was imported: {error}")
        else:
            form = PupilImportForm()  # ready for the next file
    return render(
        request,
        "schools/pupil_import.html",
        {
            "form": form,
            "school": school,
            "result": result,
            "required_columns": REQUIRED_COLUMNS,
        },
    )


@require_POST
def failed_notification_close(request, failure_uuid):
    """Send a failed notification again, or mark it dealt with (the banner's buttons)."""
    failure, membership = selectors.failed_notification_for(request.user, failure_uuid)
    what = failure.what_for(dsl_team=membership.is_dsl_team)
    retry = request.POST.get("action") == "retry"
    try:
        services.failed_notification_close(failure=failure, by=request.user, retry=retry)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Sending again: {what}." if retry else f"Marked dealt with: {what}.",
        )
    return redirect(posted_from(request) or "home")
