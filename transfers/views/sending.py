"""The sending school's pages: its leavers with a file, a leaver's leaving date and new school,
sending the file (to a school here, or as an encrypted package for a school outside), the
file's page with its status and history, sending it again, and the sending DSL's own copies.

Thin views: an access helper (transfers.selectors: 404 outside the user's schools, 403 for a
role that does not send files), a form, one service; a refusal goes back on the form with
what was typed.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audit.http import ip_of
from casework.chronology import chronology_for
from concerns.models import ConcernChild
from concerns.pages import acting_for, submit
from concerns.pupil_picker import search_url
from concerns.selectors import pupils_for
from referrals.views import pdf_download
from safeguard.drafts import keeps_draft, take_draft
from safeguard.reauth import require_recent_check
from schools.models import Pupil, School
from schools.policy import TRANSFER_FILES
from schools.terms import Counted
from transfers import exports, selectors, services
from transfers.models import Package, Route, Status, Transfer
from transfers.sending_forms import (
    LeaverChoiceForm,
    LeavingForm,
    NoSchoolForm,
    ResendForm,
    SendForm,
)


def _other_schools(school_id: int) -> list[School]:
    """The schools a file can go to in this deployment: every school but the sender."""
    return list(School.objects.exclude(pk=school_id).order_by("name"))


# --- Leavers -------------------------------------------------------------------------------


@require_safe
def leavers(request):
    """The school's leavers with a file, and when each file is due. Choosing a child in
    "Record a leaving date" (a GET form, so it works without JavaScript) opens their page."""
    school = acting_for(
        request, TRANSFER_FILES, "Only the DSL team sends children's files to their new schools."
    ).school
    choice = LeaverChoiceForm(
        request.GET or None, pupils=pupils_for(school), search_url=search_url(school)
    )
    if choice.is_bound and choice.is_valid():
        return redirect("transfers:leaving", choice.cleaned_data["pupil"])
    rows = selectors.leavers(school, today=timezone.localdate())
    return render(
        request,
        "transfers/leavers.html",
        {"school": school, "rows": rows, "choice": choice},
    )


@require_http_methods(["GET", "POST"])
def leaving(request, uuid):
    pupil, _ = selectors.leaver_for(request.user, uuid)
    form = LeavingForm(
        request.POST if request.method == "POST" else None,
        schools=_other_schools(pupil.school_id),
        initial=LeavingForm.initial_for(pupil),
    )
    if request.method == "POST" and form.is_valid():
        saved = submit(
            form,
            lambda: services.pupil_leaving_set(pupil=pupil, by=request.user, **form.values()),
        )
        if saved is not None:
            verb = "leaves" if saved.leaving_date > timezone.localdate() else "left"
            messages.success(
                request,
                f"{saved.full_name} {verb} on {saved.leaving_date:%-d %B %Y} for "
                f"{saved.destination}.",
            )
            return redirect("transfers:leavers")
    return render(request, "transfers/leaving.html", {"pupil": pupil, "form": form})


@require_http_methods(["GET", "POST"])
def no_school(request, uuid):
    """A leaver whose file has no school to go to: why, and what was done instead."""
    pupil, _ = selectors.leaver_for(request.user, uuid)
    if pupil.leaving_date is None:
        messages.error(request, f"Record {pupil.full_name}'s leaving date first.")
        return redirect("transfers:leaving", pupil.uuid)
    form = NoSchoolForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        recorded = submit(
            form,
            lambda: services.leaver_no_school(pupil=pupil, by=request.user, **form.cleaned_data),
        )
        if recorded is not None:
            messages.success(
                request,
                f"Recorded: {pupil.full_name}'s file has no school to go to "
                f"({recorded.get_reason_display().lower()}). It is no longer chased.",
            )
            return redirect("transfers:leavers")
    return render(request, "transfers/no_school.html", {"pupil": pupil, "form": form})


# --- Sending -------------------------------------------------------------------------------


def _sent(request, sent: services.Sent, *, again: bool) -> HttpResponse:
    """After sending: to a school here, the file's page with a banner; as a package, the
    password, shown once on a page that is never cached."""
    transfer = sent.transfer
    if transfer.route == Route.DEPLOYMENT:
        messages.success(
            request,
            f"File {transfer.reference} sent{' again' if again else ''} to "
            f"{transfer.to_school_name}. Their DSL team has been told.",
        )
        return redirect("transfers:transfer", transfer.uuid)
    response = render(
        request,
        "transfers/package_sent.html",
        {
            "transfer": transfer,
            "pupil": transfer.pupil,
            "password": sent.password,
            "package": sent.package,
            "receipt_url": services.receipt_url(sent.receipt_token),
            "receipt_days": services.RECEIPT_LINK_DAYS,
            "minutes": _minutes(),
            "again": again,
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _minutes() -> int:
    """How long the sending DSL's own download of a package waits, in minutes."""
    return int(services.PACKAGE_DOWNLOAD_WINDOW.total_seconds() // 60)


def _what_is_sent(pupil: Pupil) -> dict:
    return {
        "concern_count": ConcernChild.objects.filter(pupil=pupil).count(),
        "event_count": len(chronology_for(pupil)),
    }


@keeps_draft
@require_http_methods(["GET", "POST"])
def send(request, uuid):
    pupil, _ = selectors.leaver_for(request.user, uuid)
    if pupil.leaving_date is None:
        messages.error(
            request,
            "A file is sent only for a child who has left or is leaving. "
            "Record their leaving date first.",
        )
        return redirect("transfers:leaving", pupil.uuid)
    already = Transfer.objects.filter(pupil=pupil, leaving_date=pupil.leaving_date).first()
    if already is not None:
        messages.error(
            request,
            f"{pupil.full_name}'s file has already been sent ({already.reference}). "
            "To send it again, choose “Send the file again” and give the reason.",
        )
        return redirect("transfers:transfer", already.uuid)
    data = request.POST if request.method == "POST" else take_draft(request)
    form = SendForm(
        data, schools=_other_schools(pupil.school_id), initial=SendForm.initial_for(pupil)
    )
    if request.method == "POST":
        require_recent_check(request)
        if form.is_valid():
            sent = submit(
                form,
                lambda: services.transfer_send(
                    pupil=pupil,
                    by=request.user,
                    summary=form.summary(),
                    ip_address=ip_of(request),
                    **form.delivery(),
                ),
            )
            if sent is not None:
                return _sent(request, sent, again=False)
    return render(
        request,
        "transfers/send.html",
        {"pupil": pupil, "form": form, "due": services.due(pupil), **_what_is_sent(pupil)},
    )


# --- A file sent -----------------------------------------------------------------------------


def _as_leaver(transfer: Transfer) -> selectors.Leaver:
    """The transfer as its row on the leavers page: its status, overdue or due today, counted
    from the due date it was sent with."""
    return selectors.Leaver(
        pupil=transfer.pupil,
        due=Counted(day=transfer.due_on, estimated=transfer.due_estimated),
        transfer=transfer,
        today=timezone.localdate(),
    )


@require_safe
def transfer_detail(request, uuid):
    transfer, _ = selectors.transfer_for(request.user, uuid)
    history = list(
        transfer.history.select_related("history_user")
        # Each row holds the whole file as it stood; the page needs only who, when and why.
        .only("history_id", "history_date", "history_change_reason", "history_user__full_name")
        .order_by("-history_date", "-history_id")
    )
    package = None
    if transfer.route == Route.PACKAGE:
        # The latest (each one sent again replaces the one before), without its bytes.
        package = Package.objects.filter(transfer=transfer).defer("content").first()
    return render(
        request,
        "transfers/transfer.html",
        {
            "transfer": transfer,
            "pupil": transfer.pupil,
            "row": _as_leaver(transfer),
            "history": history,
            "package": package,
            "now": timezone.now(),
        },
    )


@keeps_draft
@require_http_methods(["GET", "POST"])
def resend(request, uuid):
    transfer, _ = selectors.transfer_for(request.user, uuid)
    if transfer.status == Status.RECEIVED:
        messages.error(
            request, "The new school has confirmed receipt: there is nothing to send again."
        )
        return redirect("transfers:transfer", transfer.uuid)
    data = request.POST if request.method == "POST" else take_draft(request)
    form = ResendForm(
        data,
        schools=_other_schools(transfer.school_id),
        initial=ResendForm.initial_for(transfer),
    )
    if request.method == "POST":
        require_recent_check(request)
        if form.is_valid():
            sent = submit(
                form,
                lambda: services.transfer_resend(
                    transfer=transfer,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    summary=form.summary(),
                    ip_address=ip_of(request),
                    **form.delivery(),
                ),
            )
            if sent is not None:
                return _sent(request, sent, again=True)
    return render(
        request,
        "transfers/resend.html",
        {"transfer": transfer, "pupil": transfer.pupil, "form": form},
    )


# --- The sending DSL's own copies ------------------------------------------------------------


@require_POST
def transfer_pdf(request, uuid):
    transfer, _ = selectors.transfer_for(request.user, uuid)
    require_recent_check(request)
    content = exports.transfer_pdf_export(
        transfer=transfer, by=request.user, ip_address=ip_of(request)
    )
    return pdf_download(content, exports.filename(transfer))


@require_POST
def package_download(request, uuid):
    """The package's one download, by the DSL who made it (a package e-mailed to the new
    school is theirs to download, not the sender's). A POST: it uses the package up, so a
    link preview or prefetch must not be able to spend it."""
    package = Package.objects.select_related("transfer").defer("content").filter(uuid=uuid).first()
    if package is None:
        raise Http404("No such package")
    transfer, _ = selectors.transfer_for(request.user, package.transfer.uuid)
    if package.made_by_id != request.user.pk or package.emailed_to:
        raise Http404("No such package")
    package.transfer = transfer
    content = exports.package_download(package=package, by=request.user, ip_address=ip_of(request))
    if content is None:
        return render(
            request,
            "transfers/package_download_gone.html",
            {"transfer": transfer, "minutes": _minutes()},
            status=410,
        )
    return pdf_download(content, exports.filename(transfer))


urlpatterns = [
    path("leavers/", leavers, name="leavers"),
    path("leavers/<uuid:uuid>/leaving/", leaving, name="leaving"),
    path("leavers/<uuid:uuid>/send/", send, name="send"),
    path("leavers/<uuid:uuid>/no-school/", no_school, name="no_school"),
    path("files/sent/<uuid:uuid>/", transfer_detail, name="transfer"),
    path("files/sent/<uuid:uuid>/again/", resend, name="resend"),
    path("files/sent/<uuid:uuid>/pdf/", transfer_pdf, name="transfer_pdf"),
    path("files/package/<uuid:uuid>/download/", package_download, name="package_download"),
]
