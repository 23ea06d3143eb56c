"""The receiving side: a school's incoming files (accepted, declined, imported from a package)
and the two pages a school outside the deployment opens from the e-mail, without signing in:
the package's one download and the receipt.

Before a file is accepted its DSL team sees only who it is about and where it comes from
(need to know: it may have come to the wrong school); once accepted, the whole file, sealed.
"""

from allauth.core.internal import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audit.http import ip_of
from concerns.pages import acting_for, submit
from referrals.views import pdf_download
from safeguard.errors import WorkflowError
from schools import policy
from schools.models import Pupil
from transfers import services
from transfers.models import IncomingStatus, Package
from transfers.pdf import readable
from transfers.receiving_forms import AcceptForm, DeclineForm, ImportForm, ReceiptForm
from transfers.selectors import incoming_files, incoming_for

NOT_DSL_TEAM = "Only the DSL team receives child protection files."

# The pages opened from an e-mail without signing in, counted per network address (allauth's
# limits, as sign-in is: accounts.ratelimits): plenty for a person, few for a script trying
# addresses. The package's address and the receipt link are unguessable anyway.
LINK_RATE_LIMITS = {"package": "20/m/ip,200/d/ip", "receipt": "20/m/ip,200/d/ip"}


def _too_many(request, action: str) -> HttpResponse | None:
    usage = ratelimit.consume(
        request, app="transfers", action=action, config=LINK_RATE_LIMITS, limit_get=True
    )
    return None if usage is not None else render(request, "429.html", status=429)


def _keep_link_private(response: HttpResponse) -> HttpResponse:
    # The address is the key: keep it out of the Referer of anything linked elsewhere (not
    # "no-referrer", which makes the form's Origin null and the CSRF check refuse it).
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


# --- A school's incoming files -------------------------------------------------------------


@require_safe
def incoming_list(request):
    school = acting_for(request, policy.TRANSFER_FILES, NOT_DSL_TEAM).school
    files = incoming_files(school)
    return render(
        request,
        "transfers/incoming_list.html",
        {
            "school": school,
            "waiting": [f for f in files if f.status == IncomingStatus.AWAITING],
            "dealt_with": [f for f in files if f.status != IncomingStatus.AWAITING],
        },
    )


STATUS_TAGS = {
    IncomingStatus.AWAITING: "govuk-tag--yellow",
    IncomingStatus.ACCEPTED: "govuk-tag--green",
    IncomingStatus.DECLINED: "govuk-tag--red",
    IncomingStatus.WITHDRAWN: "govuk-tag--grey",
}


def _incoming_page(request, incoming, *, accept_form=None, decline_form=None):
    awaiting = incoming.status == IncomingStatus.AWAITING
    accept_form = accept_form or AcceptForm()
    decline_form = decline_form or DeclineForm()
    context = {
        "incoming": incoming,
        "school": incoming.school,
        "child": incoming.document["child"],
        "made_by": incoming.document.get("made_by", {}),
        "made_at": readable(incoming.document.get("made_at"), "made_at"),
        "status_tag": STATUS_TAGS[incoming.status],
        "accept_form": accept_form,
        "decline_form": decline_form,
        "form_has_errors": bool(accept_form.errors or decline_form.errors),
    }
    if awaiting and incoming.upn:
        # Whom accepting joins the file to: this pupil, or one added from the file.
        context["on_register"] = Pupil.objects.filter(
            school=incoming.school, upn=incoming.upn
        ).first()
    if incoming.status == IncomingStatus.ACCEPTED:
        context["doc"] = readable(incoming.document)
    return render(request, "transfers/incoming.html", context)


@require_safe
def incoming(request, uuid):
    """The file as its DSL team may see it now; every opening is logged as a read, and the
    first tells the sender it was viewed."""
    incoming, _ = incoming_for(request.user, uuid)
    services.incoming_open(incoming=incoming, by=request.user, ip_address=ip_of(request))
    return _incoming_page(request, incoming)


@require_POST
def incoming_accept(request, uuid):
    incoming, _ = incoming_for(request.user, uuid)
    form = AcceptForm(request.POST)
    if submit(form, lambda: services.incoming_accept(incoming=incoming, by=request.user)) is None:
        # Refused (dealt with meanwhile, or no UPN to match the child): the page as it is now.
        incoming, _ = incoming_for(request.user, uuid)
        return _incoming_page(request, incoming, accept_form=form)
    messages.success(
        request,
        f"File {incoming.reference} accepted. {incoming.from_school_name} has been told you "
        "received it.",
    )
    return redirect("transfers:incoming", incoming.uuid)


@require_POST
def incoming_decline(request, uuid):
    incoming, _ = incoming_for(request.user, uuid)
    form = DeclineForm(request.POST)
    declined = form.is_valid() and submit(
        form,
        lambda: services.incoming_decline(
            incoming=incoming,
            by=request.user,
            reason=form.cleaned_data["reason"],
            details=form.cleaned_data["details"],
        ),
    )
    if not declined:
        incoming, _ = incoming_for(request.user, uuid)
        return _incoming_page(request, incoming, decline_form=form)
    messages.success(
        request,
        f"File {incoming.reference} declined. {incoming.from_school_name} has been told why.",
    )
    return redirect("transfers:incoming", incoming.uuid)


@require_http_methods(["GET", "POST"])
def incoming_import(request):
    """A package from a school outside the deployment (or the JSON taken out of it), as an
    incoming file here, to accept or decline like any other."""
    school = acting_for(request, policy.TRANSFER_FILES, NOT_DSL_TEAM).school
    posted = request.method == "POST"
    form = ImportForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            incoming = services.incoming_import(
                school=school, by=request.user, document=form.cleaned_data["document"]
            )
        except WorkflowError as error:
            form.add_error("file", str(error))
        else:
            messages.success(
                request,
                f"File {incoming.reference} from {incoming.from_school_name} imported. Check "
                "who it is about, then accept or decline it.",
            )
            return redirect("transfers:incoming", incoming.uuid)
    return render(request, "transfers/incoming_import.html", {"school": school, "form": form})


# --- Pages for a school outside the deployment ---------------------------------------------


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def package(request, uuid):
    """The package e-mailed to a school outside: a GET shows what it is; only the POST hands
    it over, once (a link preview or a mail scanner must not use it up)."""
    if refused := _too_many(request, "package"):
        return refused
    package = (
        Package.objects.select_related("transfer__school")
        .defer("content")
        .filter(uuid=uuid)
        .exclude(emailed_to="")
        .first()
    )
    if package is None:
        raise Http404("No such package")
    transfer = package.transfer
    content = None
    if request.method == "POST":
        content = services.package_collect(package=package)
    elif package.collected_at is None and package.expires_at > timezone.now():
        return _keep_link_private(
            render(request, "transfers/package.html", {"package": package, "transfer": transfer})
        )
    if content is None:
        return _keep_link_private(
            render(request, "transfers/package_gone.html", {"transfer": transfer}, status=410)
        )
    return _keep_link_private(pdf_download(content, f"{transfer.reference}.pdf"))


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def receipt(request, token):
    """The receiving school's DSL confirms receipt of a package: their name and school are the
    receipt. The page names the file and the sending school, never the child: the link may
    have been forwarded."""
    if refused := _too_many(request, "receipt"):
        return refused
    try:
        receipt = services.receipt_for(token)
    except services.ReceiptRefused as error:
        return _receipt_refused(request, error)
    transfer = receipt.transfer
    posted = request.method == "POST"
    form = ReceiptForm(request.POST if posted else None)
    if posted:
        # Only a person submits the form: a mail scanner opening the link marks nothing.
        services.receipt_open(receipt=receipt)
    if posted and form.is_valid():
        try:
            services.receipt_confirm(
                receipt=receipt,
                name=form.cleaned_data["name"],
                school_name=form.cleaned_data["school_name"],
                ip_address=ip_of(request),
            )
        except services.ReceiptRefused as error:
            return _receipt_refused(request, error)
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            # Shown here, not after a redirect: the link is used up, so opening it again
            # says so.
            return _keep_link_private(
                render(request, "transfers/receipt_confirmed.html", {"transfer": transfer})
            )
    return _keep_link_private(
        render(request, "transfers/receipt.html", {"transfer": transfer, "form": form})
    )


def _receipt_refused(request, error: services.ReceiptRefused) -> HttpResponse:
    response = render(
        request,
        "transfers/receipt_refused.html",
        {"message": str(error)},
        status=410 if error.gone else 404,
    )
    return _keep_link_private(response)


urlpatterns = [
    path("files/incoming/", incoming_list, name="incoming_list"),
    path("files/incoming/import/", incoming_import, name="incoming_import"),
    path("files/incoming/<uuid:uuid>/", incoming, name="incoming"),
    path("files/incoming/<uuid:uuid>/accept/", incoming_accept, name="incoming_accept"),
    path("files/incoming/<uuid:uuid>/decline/", incoming_decline, name="incoming_decline"),
    path("files/package/<uuid:uuid>/", package, name="package"),
    path("receipt/<str:token>/", receipt, name="receipt"),
]
