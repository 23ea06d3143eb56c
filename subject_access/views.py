"""The DSL team's subject access register: the list, recording a request, and a request's page
with its deadline, history and the forms that move it on (identity checked, extended,
disclosed, refused).

Thin views: an access helper (subject_access.selectors.request_for: 404 outside the user's
schools, 403 for a role that does not handle cases), a form, one service; a refusal goes back
on the form with what was typed.
"""

from urllib.parse import quote

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audit.http import ip_of
from concerns.pages import acting_for, submit
from concerns.pupil_picker import WHOLE_REGISTER, search_url
from referrals.views import pdf_download
from safeguard.errors import WorkflowError
from safeguard.reauth import require_recent_check
from schools.models import Pupil
from schools.policy import HANDLE_CASES
from subject_access import selectors, services
from subject_access.forms import (
    DiscloseForm,
    ExtendForm,
    IdentityForm,
    RecordForm,
    RedactForm,
    RefuseForm,
)
from subject_access.models import Redaction, SubjectAccessRequest
from subject_access.passages import passages

REFUSAL = "Only the DSL team keeps the subject access register."


@require_safe
def register(request):
    school = acting_for(request, HANDLE_CASES, REFUSAL).school
    return render(
        request,
        "subject_access/register.html",
        {
            "school": school,
            "requests": selectors.register(school),
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
def new(request):
    school = acting_for(request, HANDLE_CASES, REFUSAL).school
    # Former pupils too: a child who has left, or their parent, may ask for their information.
    form = RecordForm(
        request.POST if request.method == "POST" else None,
        pupils=Pupil.objects.filter(school=school),
        search_url=search_url(school, register=WHOLE_REGISTER),
    )
    if request.method == "POST" and form.is_valid():
        sar = submit(form, lambda: services.request_record(by=request.user, **form.values()))
        if sar is not None:
            messages.success(
                request,
                f"Request recorded for {sar.pupil.full_name}'s information. "
                f"It is due on {sar.due_on:%-d %B %Y}.",
            )
            return redirect("subject_access:detail", sar.uuid)
    return render(request, "subject_access/new.html", {"school": school, "form": form})


# The forms on a request's page, by the name each is given in the template and its fields'
# prefix (two forms have a reason; each field's id, and the error summary's link, is unique).
FORMS = {
    "identity": IdentityForm,
    "extend": ExtendForm,
    "disclose": DiscloseForm,
    "refuse": RefuseForm,
}


def _page(request, sar: SubjectAccessRequest, bound: dict | None = None):
    """The request's page, with any form bound to what was typed (and its errors)."""
    history = list(
        sar.history.select_related("history_user")
        .only("history_id", "history_date", "history_change_reason", "history_user__full_name")
        .order_by("-history_date", "-history_id")
    )
    today = timezone.localdate()
    forms = {name: form_class(prefix=name) for name, form_class in FORMS.items()} | (bound or {})
    return render(
        request,
        "subject_access/detail.html",
        {
            "sar": sar,
            "pupil": sar.pupil,
            "history": history,
            "today": today,
            "overdue": sar.overdue(today),
            "may_extend": not sar.extension_months and today <= sar.first_due_on,
            "errors": next((form for form in (bound or {}).values() if form.errors), None),
            **forms,
        },
    )


@require_safe
def detail(request, uuid):
    sar, _ = selectors.request_for(request.user, uuid)
    return _page(request, sar)


def _act(request, uuid, name: str, action, done: str):
    sar, _ = selectors.request_for(request.user, uuid)
    form = FORMS[name](request.POST, prefix=name)
    if form.is_valid():
        changed = submit(form, lambda: action(sar=sar, by=request.user, **form.cleaned_data))
        if changed is not None:
            messages.success(request, done.format(sar=changed))
            return redirect("subject_access:detail", changed.uuid)
    return _page(request, sar, {name: form})


@require_POST
def identity(request, uuid):
    return _act(
        request,
        uuid,
        "identity",
        services.request_check_identity,
        "Recorded that {sar.requester_name}'s identity was checked.",
    )


@require_POST
def extend(request, uuid):
    return _act(
        request,
        uuid,
        "extend",
        services.request_extend,
        "Deadline extended to {sar.due_on:%-d %B %Y}. Tell {sar.requester_name}, and why.",
    )


@require_POST
def disclose(request, uuid):
    return _act(
        request,
        uuid,
        "disclose",
        services.request_disclose,
        "Recorded what was disclosed to {sar.requester_name}. The request is closed.",
    )


@require_POST
def refuse(request, uuid):
    return _act(
        request,
        uuid,
        "refuse",
        services.request_refuse,
        "Recorded the refusal. Tell {sar.requester_name} why, and of their right to complain "
        "to the ICO.",
    )


# --- The child's file, its redactions and the redacted PDF ---------------------------------


def _file_page(request, sar: SubjectAccessRequest, bound: RedactForm | None = None):
    """The assembled file, passage by passage, each with its redaction or the form to mark
    one (bound to what was typed, for the passage it was typed for)."""
    marked = {
        redaction.passage: redaction
        for redaction in Redaction.objects.filter(request=sar)
        .exclude(reason="")
        .select_related("marked_by")
    }
    rows = [
        {
            "passage": passage,
            "redaction": marked.get(passage.key),
            "form": bound
            if bound is not None and bound.data.get("passage") == passage.key
            else RedactForm(initial={"passage": passage.key}, auto_id=f"id_{passage.key}_%s"),
        }
        for passage in (passages(sar.file) if sar.file is not None else [])
    ]
    return render(
        request,
        "subject_access/file.html",
        {"sar": sar, "pupil": sar.pupil, "rows": rows, "errors": bound},
    )


def _at_passage(sar: SubjectAccessRequest, passage: str) -> str:
    """The file page, scrolled to the passage just changed."""
    return f"{reverse('subject_access:file', args=[sar.uuid])}#{quote(passage)}"


@require_safe
def file(request, uuid):
    sar, _ = selectors.request_for(request.user, uuid)
    services.request_file_read(sar=sar, by=request.user, ip_address=ip_of(request))
    return _file_page(request, sar)


@require_POST
def assemble(request, uuid):
    sar, _ = selectors.request_for(request.user, uuid)
    try:
        services.request_assemble_file(sar=sar, by=request.user)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The child's file is assembled. Mark what is withheld.")
    return redirect("subject_access:file", sar.uuid)


@require_POST
def redact(request, uuid):
    sar, _ = selectors.request_for(request.user, uuid)
    passage = request.POST.get("passage", "")
    form = RedactForm(request.POST, auto_id=f"id_{passage}_%s")
    if form.is_valid():
        done = submit(
            form, lambda: services.passage_redact(sar=sar, by=request.user, **form.cleaned_data)
        )
        if done is not None:
            messages.success(request, f"Passage redacted: {done.get_reason_display().lower()}.")
            return redirect(_at_passage(sar, passage))
    return _file_page(request, sar, form)


@require_POST
def unredact(request, uuid):
    sar, _ = selectors.request_for(request.user, uuid)
    passage = request.POST.get("passage", "")
    try:
        services.passage_unredact(sar=sar, by=request.user, passage=passage)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Redaction lifted: the passage will be disclosed.")
    return redirect(_at_passage(sar, passage))


@require_POST
def redacted_pdf(request, uuid):
    sar, _ = selectors.request_for(request.user, uuid)
    require_recent_check(request)
    try:
        content = services.request_redacted_pdf(sar=sar, by=request.user, ip_address=ip_of(request))
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect("subject_access:file", sar.uuid)
    return pdf_download(content, f"subject-access-{sar.received_on:%Y-%m-%d}-redacted.pdf")
