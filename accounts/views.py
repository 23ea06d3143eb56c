"""The school's people: its administrator invites them, changes their roles, resets a
second factor or lifts a sign-in lockout; an invited person accepts by choosing a password.

Only the school's administrator manages its people (schools.selectors.admin_membership, by
schools.policy.MANAGE_PEOPLE). Accounts are made only here, by invitation: there is no
sign-up page.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render, resolve_url
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.forms import (
    AcceptInvitationForm,
    InviteForm,
    RoleChangeForm,
    SecondFactorResetForm,
    SignInForm,
)
from accounts.services import sign_in_lockout_lift
from safeguard.errors import WorkflowError
from safeguard.reauth import require_recent_check
from schools import acting, selectors, services
from schools.invitations import invited_user
from schools.models import Role
from schools.policy import has_second_factor
from schools.selectors import memberships_of


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
