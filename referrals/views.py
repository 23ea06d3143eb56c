"""Referral pages and the PDF exports. Thin views: access helper, form, one service."""

from functools import partial

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audit.http import ip_of
from audit.models import Action
from audit.services import access_record
from concerns import services as concern_services
from concerns.models import Concern, Step
from concerns.selectors import concern_for
from referrals import exports, forms, services
from referrals.models import ContactKind, Export, ExportKind
from referrals.selectors import confirmation_status, feedback_status, referral_for
from safeguard.errors import WorkflowError
from safeguard.reauth import require_recent_check
from schools.selectors import pupil_for

# How the success banner names each kind of contact.
CONTACT_WORDS = {
    ContactKind.FOLLOW_UP: "follow-up",
    ContactKind.ESCALATION: "escalation",
    ContactKind.UPDATE: "update from the agency",
    ContactKind.MEETING: "meeting or call",
}


def _submit(form, action):
    """Call a service; on a refusal, show its message in the error summary."""
    try:
        return action()
    except WorkflowError as error:
        form.add_error(None, str(error))
    return None


def _referrals_page_of(concern: Concern) -> str:
    """Where a concern's referrals are worked on: its referral step page once that is open;
    before then (a 999 call during the safety check, say) the concern's own page."""
    if concern.has_completed(Step.EVIDENCE_PRESERVED) and not concern.is_closed:
        return reverse("concerns:referral", args=[concern.uuid])
    return reverse("concerns:detail", args=[concern.uuid])


@require_http_methods(["GET", "POST"])
def referral_new(request, uuid):
    concern, _ = concern_for(request.user, uuid, manage=True)
    if concern.is_closed:
        messages.error(request, "This concern is closed. Add a note to it instead.")
        return redirect("concerns:detail", concern.uuid)
    form = forms.ReferralForm(
        request.POST or None,
        children=list(concern.children.select_related("pupil").order_by("added_at", "pk")),
        confirmation_hours=concern.school.written_confirmation_hours,
    )
    if request.method == "POST" and form.is_valid():
        referral = _submit(
            form,
            lambda: services.referral_record(
                concern=concern, by=request.user, **form.referral_values()
            ),
        )
        if referral is not None:
            messages.success(request, f"The referral to {referral.agency_label} has been recorded.")
            return redirect(_referrals_page_of(concern))
    return render(
        request,
        "referrals/new.html",
        {
            "concern": concern,
            "form": form,
            "back_url": _referrals_page_of(concern),
            "police_required": concern_services.police_required(concern),
        },
    )


def _detail_page(
    request, referral, *, confirm_form=None, feedback_form=None, contact_form=None, status=200
):
    """The referral's page, with whichever of its three forms was posted shown bound."""
    now = timezone.now()
    if feedback_form is None and referral.feedback_received_at is not None:
        # Recorded feedback can be corrected: start from what is on record.
        feedback_form = forms.FeedbackForm(
            initial={
                "received_at": referral.feedback_received_at,
                "acknowledged_at": referral.acknowledged_at,
                "outcome": referral.outcome,
                "details": referral.outcome_details,
            }
        )
    page_forms = {
        "confirm_form": confirm_form or forms.ConfirmForm(),
        "feedback_form": feedback_form or forms.FeedbackForm(),
        "contact_form": contact_form or forms.ContactForm(),
    }
    context = {
        "referral": referral,
        "concern": referral.concern,
        "children": list(referral.children.select_related("pupil").order_by("added_at", "pk")),
        # Children involved who are not yet identified are part of every referral about the
        # concern: the agency needs to know of them to establish who they are.
        "unnamed_children": list(
            referral.concern.unnamed_children.filter(identified_as=None).order_by("added_at", "pk")
        ),
        "contacts": list(referral.contacts.select_related("recorded_by")),
        "confirmation": confirmation_status(referral, now),
        "feedback": feedback_status(referral, now),
        "back_url": _referrals_page_of(referral.concern),
        "form_has_errors": any(form.errors for form in page_forms.values()),
        **page_forms,
    }
    return render(request, "referrals/detail.html", context, status=status)


@require_safe
def referral_detail(request, uuid):
    referral = referral_for(request.user, uuid)
    access_record(
        user=request.user,
        school=referral.concern.school,
        action=Action.VIEWED_REFERRAL,
        ip_address=ip_of(request),
        concern=referral.concern,
        referral=referral,
    )
    return _detail_page(request, referral)


@require_POST
def referral_confirm(request, uuid):
    referral = referral_for(request.user, uuid)
    form = forms.ConfirmForm(request.POST)
    if form.is_valid() and _submit(
        form,
        lambda: services.referral_confirm_in_writing(
            referral=referral, by=request.user, confirmed_at=form.cleaned_data["confirmed_at"]
        ),
    ):
        messages.success(request, "The written confirmation has been recorded.")
        return redirect("referrals:detail", referral.uuid)
    return _detail_page(request, referral, confirm_form=form, status=400)


@require_POST
def referral_feedback(request, uuid):
    referral = referral_for(request.user, uuid)
    form = forms.FeedbackForm(request.POST)
    if form.is_valid() and _submit(
        form,
        lambda: services.referral_record_feedback(
            referral=referral, by=request.user, **form.cleaned_data
        ),
    ):
        messages.success(request, "The agency's feedback has been recorded.")
        return redirect("referrals:detail", referral.uuid)
    return _detail_page(request, referral, feedback_form=form, status=400)


@require_POST
def referral_contact(request, uuid):
    referral = referral_for(request.user, uuid)
    form = forms.ContactForm(request.POST)
    if form.is_valid() and (
        contact := _submit(
            form,
            lambda: services.agency_contact_record(
                referral=referral, by=request.user, **form.cleaned_data
            ),
        )
    ):
        messages.success(request, f"The {CONTACT_WORDS[contact.kind]} has been recorded.")
        return redirect("referrals:detail", referral.uuid)
    return _detail_page(request, referral, contact_form=form, status=400)


# PDF exports. A plain copy downloads at once; a protected copy's password is shown once, on
# a page that is never cached, and its file waits for one download by its maker.

PROTECTED = {"yes": True, "no": False}


def _minutes() -> int:
    return int(exports.DOWNLOAD_WINDOW.total_seconds() // 60)


def pdf_download(pdf_bytes: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf_bytes, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def pdf_export(request, export, *, back_url: str, back_text: str, about: str) -> HttpResponse:
    """The rest of a PDF export's page, once the access check has passed: confirm who they
    are if that was a while ago, read whether the copy is protected, make it with
    `export(password_protected=..., ip_address=...)`, and give it out."""
    require_recent_check(request)
    protected = PROTECTED.get(request.POST.get("protected", ""))
    if protected is None:
        return HttpResponseBadRequest("Say whether the copy is password-protected.")
    result = export(password_protected=protected, ip_address=ip_of(request))
    return _deliver(request, result, back_url=back_url, back_text=back_text, about=about)


def _deliver(request, result, *, back_url: str, back_text: str, about: str) -> HttpResponse:
    if result.password is None:
        return pdf_download(result.pdf_bytes, result.filename)
    exports.stash_for_download(result)
    response = render(
        request,
        "referrals/export_password.html",
        {
            "result": result,
            "back_url": back_url,
            "back_text": back_text,
            "about": about,
            "minutes": _minutes(),
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def concern_pdf(request, uuid):
    concern, _ = concern_for(request.user, uuid, manage=True)
    return pdf_export(
        request,
        partial(exports.referral_pdf_export, concern=concern, by=request.user),
        back_url=reverse("concerns:detail", args=[concern.uuid]),
        back_text=f"Return to concern {concern.reference}",
        about=f"the referral for concern {concern.reference}",
    )


@require_POST
def export_download(request, uuid):
    """The protected copy's one download. A POST, since it uses the copy up: a link preview or
    prefetch must not be able to spend it."""
    export = get_object_or_404(
        Export.objects.select_related("concern", "pupil"), uuid=uuid, password_protected=True
    )
    if export.exported_by_id != request.user.pk:
        raise Http404("No such download")
    # Still allowed to see the record now? The same checks as when it was made.
    if export.kind == ExportKind.REFERRAL:
        concern_for(request.user, export.concern.uuid, manage=True)
    else:
        pupil_for(request.user, export.pupil.uuid)
    pdf_bytes = exports.collect_download(export=export, by=request.user)
    if pdf_bytes is None:
        if export.kind == ExportKind.REFERRAL:
            back_url = reverse("concerns:detail", args=[export.concern.uuid])
        else:
            back_url = reverse("concerns:chronology", args=[export.pupil.uuid])
        context = {"back_url": back_url, "minutes": _minutes()}
        return render(request, "referrals/export_gone.html", context, status=410)
    return pdf_download(pdf_bytes, exports.export_filename(export))
