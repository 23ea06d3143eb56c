"""The concern pages every member of staff uses: recording a concern, their own concerns,
an attachment's download, and the school's categories and guidance cards.

Each view resolves the record through an access helper, binds a form, calls one service and
redirects; a refusal from the service is shown on the page with what was typed. The safeguarding
team's pages (queue, steps, history, chronology) are in casework/views.py.
"""

import uuid as uuid_module

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_safe

from audit.http import ip_of
from audit.models import Action
from audit.services import access_record
from concerns import forms, pupil_picker, services
from concerns.models import (
    Attachment,
    GuidanceCard,
)
from concerns.pages import acting_for, submit
from concerns.selectors import (
    attachment_content,
    categories_for,
    concern_for,
    concerns_visible_to,
    pupils_for,
)
from safeguard.drafts import keeps_draft, take_draft
from schools import policy
from schools.models import Pupil


def _recording_membership(request):
    """The school a new concern belongs to."""
    return acting_for(request, policy.RECORD_CONCERNS, "Your role does not record concerns.")


@require_safe
def concern_list(request):
    membership = acting_for(
        request, policy.RECORD_CONCERNS, "Your role does not give access to concerns."
    )
    concerns = (
        concerns_visible_to(request.user)
        .filter(school=membership.school)
        .select_related("school", "reporter")
        .order_by("-recorded_at")[:200]
    )
    return render(
        request, "concerns/list.html", {"concerns": concerns, "school": membership.school}
    )


@require_safe
def pupil_search(request):
    """The pupils matching what was typed in a pupil picker, as the picker's radios (a
    fragment, concerns.pupil_picker): at one of the user's schools (404 elsewhere), on roll
    for anyone who records concerns there, the whole register for its DSL team; a concern's
    children left out when asked."""
    parameters = request.GET
    name, id_ = parameters.get("field", ""), parameters.get("id", "")
    if not (pupil_picker.FIELD_NAME.match(name) and pupil_picker.FIELD_NAME.match(id_)):
        return HttpResponseBadRequest("Say which field the matches are for.")
    try:
        school_uuid = uuid_module.UUID(parameters.get("school", ""))
    except ValueError:
        raise Http404("No such school") from None
    # The user's memberships, with their schools, as the middleware already read them.
    membership = next(
        (m for m in request.memberships if m.school.uuid == school_uuid),
        None,
    )
    if membership is None:
        raise Http404("No such school")
    whole = parameters.get("register") == pupil_picker.WHOLE_REGISTER
    rule = policy.HANDLE_CASES if whole else policy.RECORD_CONCERNS
    if not rule(membership):
        raise PermissionDenied("Your role does not give access to the register.")
    pupils = (
        Pupil.objects.filter(school=membership.school) if whole else pupils_for(membership.school)
    )
    if leaving_out := parameters.get("except"):
        try:
            pupils = pupils.exclude(concern_links__concern__uuid=uuid_module.UUID(leaving_out))
        except ValueError:
            return HttpResponseBadRequest("No such concern.")
    response = render(
        request,
        "components/pupil_picker.html#matches",
        {
            "matches": pupil_picker.search(pupils, parameters.get("q", "")[:100]),
            "name": name,
            "id": id_,
        },
    )
    # Children's names: kept by no cache, shared or the browser's.
    response["Cache-Control"] = "private, no-store"
    return response


@keeps_draft
@require_http_methods(["GET", "POST"])
def concern_new(request):
    membership = _recording_membership(request)
    school = membership.school
    # A form posted after the session ended comes back as typed, to be checked and sent again.
    data = (request.POST or None) if request.method == "POST" else take_draft(request)
    form = forms.ConcernRecordForm(
        data,
        categories=list(categories_for(school)),
        pupils=pupils_for(school),
        search_url=pupil_picker.search_url(school),
    )
    changed = request.method == "POST" and _school_changed(data, school)
    if request.method == "POST" and form.is_valid() and not changed:
        if concern := submit(
            form,
            lambda: services.concern_record(
                school=school,
                reporter=request.user,
                children=form.children(),
                unnamed_children=form.unnamed(),
                **form.record_values(),
            ),
        ):
            return redirect("concerns:recorded", concern.uuid)
    if changed:
        form.add_error(
            None,
            f"You changed school after opening this form. It now records for {school.name}: "
            "check the children and categories, then submit it again.",
        )
    return render(
        request,
        "concerns/new.html",
        {"form": form, "school": school, "cards": _recording_cards(school)},
    )


def _school_changed(data, school) -> bool:
    """Whether the form was shown for another school than the one now chosen (in another tab,
    say): its children and categories were that school's, so it is not recorded here unseen.
    A form that doesn't say (one kept from before this check) is taken as it is."""
    shown_for = data.get("school") if data else None
    return bool(shown_for) and shown_for != str(school.uuid)


def _recording_cards(school) -> list[GuidanceCard]:
    """What to say, and what not to ask, when a child or parent tells you: one card per
    kind of harm that has such advice, national first."""
    return list(
        GuidanceCard.objects.filter(Q(school=None) | Q(school=school))
        .exclude(when_told="")
        .prefetch_related("categories")
        .order_by(F("school").asc(nulls_first=True), "position", "title")
    )


@require_safe
def concern_recorded(request, uuid):
    concern, _ = concern_for(request.user, uuid)
    return render(request, "concerns/recorded.html", {"concern": concern})


@require_safe
def attachment_download(request, uuid, attachment_uuid):
    concern, _ = concern_for(request.user, uuid, manage=True)
    attachment = get_object_or_404(Attachment, concern=concern, uuid=attachment_uuid)
    content = attachment_content(attachment)
    if content is None:
        raise Http404("The file's content was missing when attachments moved into the database")
    access_record(
        user=request.user,
        school=concern.school,
        action=Action.DOWNLOADED_ATTACHMENT,
        ip_address=ip_of(request),
        concern=concern,
    )
    # Streamed piece by piece from the database: memory stays flat whatever the file's size.
    response = StreamingHttpResponse(content, content_type=attachment.content_type)
    response["Content-Length"] = attachment.size
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_download_name(attachment.original_name)
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _download_name(name: str) -> str:
    # The name came from the uploader's machine: no folders, no control characters that
    # could break the header.
    name = "".join(c for c in name if c.isprintable()).replace("/", "_").replace("\\", "_")
    return name.strip(" .") or "attachment"


@require_http_methods(["GET", "POST"])
def category_list(request):
    membership = acting_for(
        request, policy.HANDLE_CASES, "Only the safeguarding team manages categories."
    )
    form = forms.CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        category = submit(
            form,
            lambda: services.category_add(
                school=membership.school, by=request.user, **form.cleaned_data
            ),
        )
        if category is not None:
            messages.success(request, f"“{category.name}” has been added to your categories.")
            return redirect("concerns:categories")
    return render(
        request,
        "concerns/categories.html",
        {
            "categories": list(categories_for(membership.school)),
            "form": form,
            "school": membership.school,
        },
    )


@require_safe
def guidance_list(request):
    """The guidance cards: national advice for each kind of harm and the school's own (local
    contacts and procedures). Everyone who records concerns may read them."""
    membership = acting_for(
        request, policy.RECORD_CONCERNS, "Your role does not give access to concerns."
    )
    cards = list(
        GuidanceCard.objects.filter(Q(school=None) | Q(school=membership.school))
        .prefetch_related("categories")
        .order_by(F("school").asc(nulls_first=True), "position", "title")
    )
    return render(
        request,
        "concerns/guidance.html",
        {
            "school": membership.school,
            "national": [card for card in cards if not card.is_local],
            "local": [card for card in cards if card.is_local],
            "manage": membership.is_dsl_team,
        },
    )


@require_http_methods(["GET", "POST"])
def guidance_edit(request, card_uuid=None):
    """Add or change one of the school's own cards (the DSL team only)."""
    membership = acting_for(
        request, policy.HANDLE_CASES, "Only the safeguarding team edits the guidance."
    )
    school = membership.school
    card = None
    if card_uuid is not None:
        card = get_object_or_404(GuidanceCard, school=school, uuid=card_uuid)
    initial = {}
    if card is not None:
        initial = {
            "title": card.title,
            "categories": [str(pk) for pk in card.categories.values_list("pk", flat=True)],
            **{
                name: getattr(card, name)
                for name in ("report_to", "tell_family", "when_told", "do_not", "removal")
            },
        }
    form = forms.GuidanceCardForm(
        request.POST or None,
        initial=initial,
        categories=list(categories_for(school)),
        editing=card is not None,
    )
    if request.method == "POST" and form.is_valid():
        saved = submit(
            form,
            lambda: services.guidance_card_save(
                school=school, by=request.user, card=card, **form.values()
            ),
        )
        if saved is not None:
            messages.success(request, f"“{saved.title}” is saved.")
            return redirect("concerns:guidance")
    return render(
        request,
        "concerns/guidance_edit.html",
        {"school": school, "form": form, "card": card},
    )
