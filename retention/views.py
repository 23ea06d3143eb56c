"""The DSL team's retention pages: the files due for review, a child's file with its review
outcome and holds, lifting a hold; disposing of a file (proposed by one member of the DSL
team, confirmed or withdrawn by another) and the certificates disposals leave; and the holds
on every file of the school, for the DSL team or the school's administrator.

Thin views: an access helper (retention.selectors: 404 outside the user's schools, 403 for a
role that may not), a form, one service; a refusal goes back on the form with what was typed.
"""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerns.pages import acting_for, submit
from retention import selectors, services
from retention.forms import (
    ConfirmDisposalForm,
    DisposeForm,
    HoldForm,
    KeepForm,
    LiftForm,
    SchoolHoldForm,
    WithdrawDisposalForm,
)
from schools.policy import HANDLE_CASES, MANAGE_SCHOOL


@require_safe
def review_list(request):
    """The school's files due for review, with what each holds and whether it is held."""
    school = acting_for(request, HANDLE_CASES, "Only the DSL team reviews children's files.").school
    today = timezone.localdate()
    return render(
        request,
        "retention/review_list.html",
        {
            "school": school,
            "files": selectors.files_due(school, today=today),
            "waiting": selectors.disposals_waiting(school),
            "years": settings.RETENTION_YEARS,
        },
    )


def _file_page(request, file, *, keep_form=None, hold_form=None, dispose_form=None):
    return render(
        request,
        "retention/file.html",
        {
            "file": file,
            "pupil": file.pupil,
            "reviews": selectors.reviews_of(file.pupil),
            "holds": selectors.holds_on(file.pupil),
            "plan": selectors.disposal_plan(file.pupil, today=file.today) if file.due else None,
            "keep_form": keep_form or KeepForm(),
            "hold_form": hold_form or HoldForm(),
            "dispose_form": dispose_form or DisposeForm(),
        },
    )


@require_safe
def file_detail(request, uuid):
    """A child's file: when it is due for review, what it holds, its reviews and holds."""
    file, _ = selectors.file_for(request.user, uuid, today=timezone.localdate())
    return _file_page(request, file)


@require_POST
def keep(request, uuid):
    file, _ = selectors.file_for(request.user, uuid, today=timezone.localdate())
    form = KeepForm(request.POST)
    if form.is_valid():
        kept = submit(
            form,
            lambda: services.retention_keep(pupil=file.pupil, by=request.user, **form.cleaned_data),
        )
        if kept is not None:
            messages.success(
                request,
                f"{file.pupil.full_name}'s file is kept. It is next due for review on "
                f"{kept.next_review_on:%-d %B %Y}.",
            )
            return redirect("retention:review_list")
    return _file_page(request, file, keep_form=form)


@require_POST
def hold(request, uuid):
    file, _ = selectors.file_for(request.user, uuid, today=timezone.localdate())
    form = HoldForm(request.POST)
    if form.is_valid():
        held = submit(
            form,
            lambda: services.legal_hold_place(
                school=file.pupil.school,
                pupil=file.pupil,
                by=request.user,
                reason=form.cleaned_data["reason"],
            ),
        )
        if held is not None:
            messages.success(
                request,
                f"{file.pupil.full_name}'s file is held. It is kept, whatever its review date, "
                "until the hold is lifted.",
            )
            return redirect("retention:file", file.pupil.uuid)
    return _file_page(request, file, hold_form=form)


@require_POST
def dispose(request, uuid):
    """Propose disposing of a file due for review: a second member of the DSL team confirms."""
    file, _ = selectors.file_for(request.user, uuid, today=timezone.localdate())
    form = DisposeForm(request.POST)
    if form.is_valid():
        proposed = submit(
            form,
            lambda: services.disposal_propose(
                pupil=file.pupil, by=request.user, reason=form.cleaned_data["reason"]
            ),
        )
        if proposed is not None:
            messages.success(
                request,
                f"Disposal of {file.pupil.full_name}'s file is proposed. A second member of the "
                "DSL team must confirm it: nothing is destroyed until then.",
            )
            return redirect("retention:disposal", proposed.uuid)
    return _file_page(request, file, dispose_form=form)


def _disposal_page(request, disposal, *, confirm_form=None, withdraw_form=None):
    plan = None
    if disposal.waiting:
        plan = selectors.disposal_plan(disposal.pupil, today=timezone.localdate())
    return render(
        request,
        "retention/disposal.html",
        {
            "disposal": disposal,
            "plan": plan,
            "destroyed": selectors.destroyed(disposal.counts),
            "confirm_form": confirm_form or ConfirmDisposalForm(),
            "withdraw_form": withdraw_form or WithdrawDisposalForm(),
            "history": disposal.history.select_related("history_user").order_by(
                "-history_date", "-history_id"
            ),
        },
    )


@require_safe
def disposal_detail(request, uuid):
    """A disposal: waiting for confirmation (with what it would destroy), withdrawn, or its
    certificate."""
    disposal, _ = selectors.disposal_for(request.user, uuid)
    return _disposal_page(request, disposal)


@require_POST
def disposal_confirm(request, uuid):
    disposal, _ = selectors.disposal_for(request.user, uuid)
    form = ConfirmDisposalForm(request.POST)
    # Whether it still waits, and who may confirm it, is the service's to say.
    if form.is_valid():
        done = submit(form, lambda: services.disposal_confirm(disposal=disposal, by=request.user))
        if done is not None:
            messages.success(
                request,
                "The file is disposed of. This certificate of what was destroyed is kept for good.",
            )
            return redirect("retention:disposal", done.uuid)
    return _disposal_page(request, disposal, confirm_form=form)


@require_POST
def disposal_withdraw(request, uuid):
    disposal, _ = selectors.disposal_for(request.user, uuid)
    form = WithdrawDisposalForm(request.POST)
    if form.is_valid():
        withdrawn = submit(
            form,
            lambda: services.disposal_withdraw(
                disposal=disposal, by=request.user, reason=form.cleaned_data["withdraw_reason"]
            ),
        )
        if withdrawn is not None:
            messages.success(request, "The proposal is withdrawn. The file is kept.")
            return redirect("retention:disposal", withdrawn.uuid)
    return _disposal_page(request, disposal, withdraw_form=form)


@require_safe
def certificates(request):
    """The school's disposal certificates: what was destroyed, when, why, and by whom."""
    school = acting_for(
        request, HANDLE_CASES, "Only the DSL team sees disposal certificates."
    ).school
    return render(
        request,
        "retention/certificates.html",
        {"school": school, "certificates": selectors.certificates(school)},
    )


@require_http_methods(["GET", "POST"])
def lift(request, uuid):
    """Lift a hold, with a reason: on a child's file, or on every file of the school."""
    held, _ = selectors.hold_for(request.user, uuid)
    form = LiftForm(request.POST if request.method == "POST" else None)
    if held.in_force and request.method == "POST" and form.is_valid():
        lifted = submit(
            form,
            lambda: services.legal_hold_lift(
                hold=held, by=request.user, reason=form.cleaned_data["lift_reason"]
            ),
        )
        if lifted is not None:
            if held.whole_school:
                messages.success(request, "The hold on the school's files is lifted.")
                return redirect("retention:school_holds")
            messages.success(request, f"The hold on {held.pupil.full_name}'s file is lifted.")
            return redirect("retention:file", held.pupil.uuid)
    return render(request, "retention/lift.html", {"hold": held, "form": form})


@require_http_methods(["GET", "POST"])
def school_holds(request):
    """Holds on every file of the school: placed by the DSL team or the administrator."""
    school = acting_for(
        request,
        MANAGE_SCHOOL,
        "Only the school's DSL team or administrator holds the school's files.",
    ).school
    form = SchoolHoldForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        held = submit(
            form,
            lambda: services.legal_hold_place(
                school=school, by=request.user, reason=form.cleaned_data["reason"]
            ),
        )
        if held is not None:
            messages.success(
                request,
                "Every file of the school is held. Each is kept, whatever its review date, until "
                "the hold is lifted.",
            )
            return redirect("retention:school_holds")
    return render(
        request,
        "retention/school_holds.html",
        {"school": school, "holds": selectors.school_holds(school), "form": form},
    )
