from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_http_methods, require_safe

from concerns.errors import WorkflowError
from concerns.selectors import concerns_visible_to, memberships_of
from safeguard.middleware import mark_active
from schools import services
from schools.forms import EmailAuthenticationForm, SchoolDeadlinesForm
from schools.models import Role


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        mark_active(self.request.session)
        return response


@require_safe
def home(request):
    """Send each person to where their role starts: the DSL team to their triage queue,
    governors to the oversight dashboard."""
    memberships = memberships_of(request.user)
    if any(m.is_dsl_team for m in memberships):
        return redirect("concerns:queue")
    can_record = any(m.can_record for m in memberships)
    if not can_record and any(m.role == Role.GOVERNOR for m in memberships):
        return redirect("oversight:dashboard")
    my_concerns = (
        list(concerns_visible_to(request.user).select_related("school", "reporter")[:20])
        if can_record
        else []
    )
    return render(
        request,
        "schools/home.html",
        {"memberships": memberships, "can_record": can_record, "my_concerns": my_concerns},
    )


@require_http_methods(["GET", "POST"])
def school_settings(request):
    """The DSL team or the school's administrator sets the school's safeguarding deadlines."""
    membership = next(
        (m for m in memberships_of(request.user) if m.is_dsl_team or m.role == Role.SCHOOL_ADMIN),
        None,
    )
    if membership is None:
        raise PermissionDenied("Only the safeguarding team or the school's administrator can.")
    school = membership.school
    form = SchoolDeadlinesForm(
        request.POST or None,
        initial={
            "safety_check_hours": school.safety_check_hours,
            "written_confirmation_hours": school.written_confirmation_hours,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.school_update_deadlines(school=school, by=request.user, **form.cleaned_data)
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The school's deadlines have been saved.")
            return redirect("school_settings")
    return render(request, "schools/settings.html", {"form": form, "school": school})
