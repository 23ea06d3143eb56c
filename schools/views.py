from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.services import sign_in_lockout_lift
from concerns.selectors import concerns_visible_to
from safeguard.errors import WorkflowError
from safeguard.http import posted_from
from safeguard.reauth import require_recent_check
from schools import acting, policy, selectors, services
from schools.forms import (
    AcceptInvitationForm,
    InviteForm,
    PupilImportForm,
    RoleChangeForm,
    SchoolDeadlinesForm,
    SecondFactorResetForm,
    SignInForm,
)
from schools.invitations import invited_user
from schools.models import Role
from schools.policy import has_second_factor
from schools.pupil_import import REQUIRED_COLUMNS, PupilFileError, pupils_import
from schools.selectors import memberships_of


@require_safe
def home(request):
    """Send each person to where their role starts: the DSL team to their triage queue,
    governors to the oversight dashboard."""
    memberships = memberships_of(request.user)
    # Someone who chose a school in the header starts where their role there starts.
    chosen = acting.chosen_membership(memberships, acting.chosen_school(request.session))
    starting = [chosen] if chosen is not None else memberships
    if any(m.is_dsl_team for m in starting):
        return redirect("concerns:queue")
    if not any(m.can_record for m in starting) and any(m.role == Role.GOVERNOR for m in starting):
        return redirect("oversight:dashboard")
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


@require_http_methods(["GET", "POST"])
def school_settings(request):
    """The DSL team or the school's administrator sets the school's safeguarding deadlines."""
    membership = acting.acting_membership(
        memberships_of(request.user), acting.chosen_school(request.session), policy.MANAGE_SCHOOL
    )
    if membership is None:
        raise PermissionDenied("Only the safeguarding team or the school's administrator can.")
    school = membership.school
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


# --- People --------------------------------------------------------------------------------
# Only the school's administrator manages its people (schools.selectors.admin_membership).
# Accounts are made only here, by invitation: there is no sign-up page.


@require_safe
def people(request):
    admin = selectors.admin_membership(request.user, chosen=acting.chosen_school(request.session))
    return render(
        request,
        "schools/people.html",
        {
            "school": admin.school,
            "people": list(selectors.people_of(admin.school)),
            "me": request.user,
            "failed_notifications": selectors.open_failed_notifications(
                admin.school, dsl_team=admin.is_dsl_team
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def person_invite(request):
    school = selectors.admin_membership(
        request.user, chosen=acting.chosen_school(request.session)
    ).school
    form = InviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.person_invite(school=school, by=request.user, **form.cleaned_data)
        except services.AlreadyAMember as error:
            form.add_error("email", str(error))
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            # The same words whether or not the address has an account at another school,
            # and the name as typed here: nothing about another school's people.
            done = f"{form.cleaned_data['full_name']} has been invited to {school.name}. We have "
            done += f"e-mailed {invitation.membership.user.email} to tell them how to sign in."
            messages.success(request, done)
            return redirect("people")
    return render(request, "schools/invite.html", {"form": form, "school": school})


def _person_page(
    request, person, admin, *, role_form=None, sign_in_form=None, reset_form=None, status=200
):
    user = person.user
    return render(
        request,
        "schools/person.html",
        {
            "school": admin.school,
            "person": person,
            "is_me": user.pk == request.user.pk,
            "role_form": role_form or RoleChangeForm(initial={"role": person.role}),
            "sign_in_form": sign_in_form
            or SignInForm(prefix="sign_in", initial={"turn": "off" if user.is_active else "on"}),
            "reset_form": reset_form or SecondFactorResetForm(prefix="second_factor"),
            "has_second_factor": has_second_factor(user),
            "form_has_errors": any(
                f is not None and f.errors for f in (role_form, sign_in_form, reset_form)
            ),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def person_role(request, person_uuid):
    """Change someone's role at the school. The page also turns their sign-in off or on."""
    person, admin = selectors.person_for(
        request.user, person_uuid, chosen=acting.chosen_school(request.session)
    )
    # Changing what someone may see is sensitive: confirm it is still the admin at the keyboard.
    require_recent_check(request)
    if request.method != "POST":
        return _person_page(request, person, admin)
    form = RoleChangeForm(request.POST)
    if form.is_valid():
        try:
            services.membership_change_role(membership=person, by=request.user, **form.cleaned_data)
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"{person.name} is now {Role(form.cleaned_data['role']).label.lower()}.",
            )
            return redirect("people")
    return _person_page(request, person, admin, role_form=form)


@require_POST
def person_sign_in(request, person_uuid):
    person, admin = selectors.person_for(
        request.user, person_uuid, chosen=acting.chosen_school(request.session)
    )
    require_recent_check(request)
    form = SignInForm(request.POST, prefix="sign_in")
    if form.is_valid():
        try:
            services.user_set_sign_in(
                membership=person,
                by=request.user,
                active=form.active,
                reason=form.cleaned_data["reason"],
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            name = person.name
            messages.success(
                request,
                f"{name} can sign in again."
                if form.active
                else f"Sign-in is turned off for {name}. Nothing they recorded has been deleted.",
            )
            return redirect("people")
    return _person_page(request, person, admin, sign_in_form=form)


@require_POST
def person_second_factor_reset(request, person_uuid):
    """Someone lost their phone: remove their authenticator app so they can set up another."""
    person, admin = selectors.person_for(
        request.user, person_uuid, chosen=acting.chosen_school(request.session)
    )
    require_recent_check(request)
    form = SecondFactorResetForm(request.POST, prefix="second_factor")
    if form.is_valid():
        try:
            services.user_reset_second_factor(
                membership=person, by=request.user, reason=form.cleaned_data["reason"]
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"{person.name}'s second factor has been reset. They set up a new "
                "authenticator app the next time they sign in.",
            )
            return redirect("people")
    return _person_page(request, person, admin, reset_form=form)


@require_POST
def person_lockout_lift(request, person_uuid):
    """Someone is told there have been too many failed attempts: let them sign in again now."""
    person, _ = selectors.person_for(request.user, person_uuid)
    sign_in_lockout_lift(membership=person, by=request.user)
    messages.success(
        request,
        f"{person.name} can sign in again now. If they still cannot, they can "
        "reset their password from the sign-in page.",
    )
    return redirect("people")


@require_POST
def invitation_resend(request, person_uuid):
    person, _ = selectors.person_for(
        request.user, person_uuid, chosen=acting.chosen_school(request.session)
    )
    try:
        services.invitation_resend(membership=person, by=request.user)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"A new invitation has been e-mailed to {person.name}.")
    return redirect("people")


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request, uidb64, token):
    """Someone invited chooses their password; then they sign in as everyone does."""
    user = invited_user(uidb64, token)
    invalid = {"login_url": resolve_url(settings.LOGIN_URL)}
    if user is None:
        response = render(request, "schools/invitation_invalid.html", invalid, status=404)
    else:
        form = AcceptInvitationForm(user, request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.invitation_accept(user=user, password=form.cleaned_data["new_password1"])
            except WorkflowError:
                response = render(request, "schools/invitation_invalid.html", invalid, status=404)
            else:
                messages.success(
                    request,
                    "Your password has been set. Sign in with your email address and password.",
                )
                return redirect(resolve_url(settings.LOGIN_URL))
        else:
            schools = [m.school for m in memberships_of(user)]
            response = render(
                request,
                "schools/invitation_accept.html",
                {"form": form, "invitee": user, "schools": schools},
            )
    # The token is in the address: keep it out of the Referer header of anything linked
    # elsewhere. Not "no-referrer": browsers then send "Origin: null" with the form, which
    # Django's CSRF check refuses, so no one could accept an invitation.
    response["Referrer-Policy"] = "same-origin"
    return response


# --- Pupils --------------------------------------------------------------------------------


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
