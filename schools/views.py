from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_safe

from concerns.selectors import concerns_visible_to, memberships_of
from schools.forms import EmailAuthenticationForm


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True


@require_safe
def home(request):
    """Send each person to where their role starts: the DSL team to their triage queue."""
    memberships = memberships_of(request.user)
    if any(m.is_dsl_team for m in memberships):
        return redirect("concerns:queue")
    can_record = any(m.can_record for m in memberships)
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
