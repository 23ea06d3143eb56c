"""Governors' oversight pages.

The registers (training, policies, named roles) and the oversight checklist are below. The
DSL team and the school's administrator keep them; governors read them. None of these pages
shows anything from a concern or a child's name (DOMAIN.md rule 5).
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from oversight import charts, forms, report, selectors, services, statistics
from oversight.models import SOON_DAYS, ChecklistItem, ChecklistQuestion
from oversight.periods import PeriodForm
from safeguard.errors import WorkflowError
from schools.acting import chosen_school
from schools.policy import MANAGE_SCHOOL

# --- Registers and checklist -------------------------------------------------------------


def _save(request, form, action, *, done: str, to: str):
    """Call one service with the valid form; on a refusal, show it and keep what was typed."""
    try:
        action()
    except WorkflowError as error:
        form.add_error(None, str(error))
        return None
    messages.success(request, done)
    return redirect(to)


def _form_page(request, form, context):
    return render(request, "oversight/registers_form.html", {"form": form, **context})


@require_safe
def registers(request):
    membership = selectors.oversight_membership(request.user, chosen=chosen_school(request.session))
    return render(
        request,
        "oversight/registers.html",
        {
            "school": membership.school,
            "registers": selectors.registers_for(membership.school, today=timezone.localdate()),
            "can_edit": MANAGE_SCHOOL(membership),
            "soon_days": SOON_DAYS,
        },
    )


def _training_initial(record):
    return {
        "person": record.person,
        "person_name": record.person_name,
        "person_role": record.person_role,
        "kind": record.kind,
        "title": record.title,
        "provider": record.provider,
        "completed_on": record.completed_on,
        "expires_on": record.expires_on,
    }


@require_http_methods(["GET", "POST"])
def training_new(request):
    school = selectors.oversight_membership(
        request.user, write=True, chosen=chosen_school(request.session)
    ).school
    form = forms.TrainingRecordForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        saved = _save(
            request,
            form,
            lambda: services.training_record_add(
                school=school, by=request.user, **form.cleaned_data
            ),
            done="The training has been recorded.",
            to=reverse("oversight:registers") + "#training",
        )
        if saved:
            return saved
    return _form_page(
        request,
        form,
        {"school": school, "title": "Record training", "submit": "Save the training"},
    )


@require_http_methods(["GET", "POST"])
def training_edit(request, uuid):
    record = selectors.training_record_for(request.user, uuid, write=True)
    form = forms.TrainingRecordForm(
        request.POST or None,
        school=record.school,
        editing=True,
        initial=_training_initial(record),
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(
            request,
            form,
            lambda: services.training_record_update(
                record=record, by=request.user, **form.cleaned_data
            ),
            done="The training record has been changed.",
            to=reverse("oversight:registers") + "#training",
        )
        if saved:
            return saved
    return _form_page(
        request,
        form,
        {
            "school": record.school,
            "title": "Change a training record",
            "hint": "To record a newer course, record new training instead: the older record "
            "stays, marked as superseded.",
            "submit": "Save the change",
        },
    )


@require_http_methods(["GET", "POST"])
def policy_new(request):
    school = selectors.oversight_membership(
        request.user, write=True, chosen=chosen_school(request.session)
    ).school
    form = forms.PolicyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = _save(
            request,
            form,
            lambda: services.policy_add(school=school, by=request.user, **form.cleaned_data),
            done="The policy has been added.",
            to=reverse("oversight:registers") + "#policies",
        )
        if saved:
            return saved
    return _form_page(
        request, form, {"school": school, "title": "Add a policy", "submit": "Save the policy"}
    )


@require_http_methods(["GET", "POST"])
def policy_edit(request, uuid):
    policy = selectors.policy_for(request.user, uuid, write=True)
    form = forms.PolicyForm(
        request.POST or None,
        editing=True,
        initial={
            "kind": policy.kind,
            "title": policy.title,
            "last_reviewed_on": policy.last_reviewed_on,
            "next_review_due_on": policy.next_review_due_on,
            "approved_by": policy.approved_by,
            "notes": policy.notes,
        },
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(
            request,
            form,
            lambda: services.policy_update(policy=policy, by=request.user, **form.cleaned_data),
            done="The policy has been changed.",
            to=reverse("oversight:registers") + "#policies",
        )
        if saved:
            return saved
    return _form_page(
        request,
        form,
        {
            "school": policy.school,
            "title": "Record a review or change a policy",
            "hint": "After a review, enter its date as the last review; the earlier dates stay "
            "in the history.",
            "submit": "Save the change",
        },
    )


@require_http_methods(["GET", "POST"])
def role_new(request):
    school = selectors.oversight_membership(
        request.user, write=True, chosen=chosen_school(request.session)
    ).school
    form = forms.NamedRoleForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        saved = _save(
            request,
            form,
            lambda: services.named_role_add(school=school, by=request.user, **form.cleaned_data),
            done="The role holder has been named.",
            to=reverse("oversight:registers") + "#roles",
        )
        if saved:
            return saved
    return _form_page(
        request,
        form,
        {"school": school, "title": "Name a role holder", "submit": "Save the role"},
    )


@require_http_methods(["GET", "POST"])
def role_edit(request, uuid):
    named = selectors.named_role_for(request.user, uuid, write=True)
    form = forms.NamedRoleForm(
        request.POST or None,
        school=named.school,
        editing=True,
        initial={
            "role": named.role,
            "person": named.person,
            "person_name": named.person_name,
            "from_date": named.from_date,
            "to_date": named.to_date,
        },
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(
            request,
            form,
            lambda: services.named_role_update(
                named_role=named, by=request.user, **form.cleaned_data
            ),
            done="The role has been changed.",
            to=reverse("oversight:registers") + "#roles",
        )
        if saved:
            return saved
    return _form_page(
        request,
        form,
        {
            "school": named.school,
            "title": "Change or end a role",
            "submit": "Save the change",
        },
    )


def _checklist(school) -> list[ChecklistItem]:
    items = selectors.checklist_items(school)
    if len(items) < len(ChecklistQuestion):
        # The school's first visit: its questions are added once, then only read.
        services.checklist_seed(school=school)
        items = selectors.checklist_items(school)
    return items


@require_safe
def checklist(request):
    membership = selectors.oversight_membership(request.user, chosen=chosen_school(request.session))
    school = membership.school
    registers = selectors.registers_for(school, today=timezone.localdate())
    signals = selectors.register_signals(registers)
    items = _checklist(school)
    return render(
        request,
        "oversight/checklist.html",
        {
            "school": school,
            "rows": [(item, signals.get(item.question, "")) for item in items],
            "can_edit": MANAGE_SCHOOL(membership),
        },
    )


@require_http_methods(["GET", "POST"])
def checklist_item(request, uuid):
    item = selectors.checklist_item_for(request.user, uuid, write=True)
    form = forms.ChecklistAssessForm(
        request.POST or None,
        initial={
            "status": item.status,
            "evidence": item.evidence,
            "assessed_on": timezone.localdate(),
        },
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(
            request,
            form,
            lambda: services.checklist_assess(item=item, by=request.user, **form.cleaned_data),
            done="The assessment has been saved.",
            to=reverse("oversight:checklist"),
        )
        if saved:
            return saved
    registers = selectors.registers_for(item.school, today=timezone.localdate())
    return render(
        request,
        "oversight/checklist_item.html",
        {
            "school": item.school,
            "item": item,
            "form": form,
            "signal": selectors.register_signals(registers).get(item.question, ""),
            "earlier": selectors.checklist_history(item),
        },
    )


# --- Dashboard and termly report ---------------------------------------------------------
# Anonymised figures for a period. Governors see small numbers withheld; the DSL team and the
# school's administrator (the registers' keepers) see them exact.


def _dashboard_page(request, membership, form, figures, *, status=200):
    return render(
        request,
        "oversight/dashboard.html",
        {
            "school": membership.school,
            "form": form,
            "dashboard": figures,
            "sections": charts.sections(figures) if figures else [],
        },
        status=status,
    )


@require_safe
def dashboard(request):
    membership = selectors.oversight_membership(request.user, chosen=chosen_school(request.session))
    now = timezone.now()
    form = PeriodForm(request.GET or None)
    period = form.chosen(today=timezone.localdate(now))
    figures = None
    if period is not None:
        figures = statistics.dashboard_for(
            membership.school, period, exact=MANAGE_SCHOOL(membership), now=now
        )
    return _dashboard_page(request, membership, form, figures)


@require_POST
def report_download(request):
    """The dashboard's period as a PDF, for the reader who asks (a governor's is withheld)."""
    membership = selectors.oversight_membership(request.user, chosen=chosen_school(request.session))
    now = timezone.now()
    form = PeriodForm(request.POST)
    period = form.chosen(today=timezone.localdate(now))
    if period is None:
        return _dashboard_page(request, membership, form, None, status=400)
    pdf = report.render_report(
        membership.school,
        period,
        exact=MANAGE_SCHOOL(membership),
        by=request.user,
        now=now,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{report.filename(membership.school, period)}"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
