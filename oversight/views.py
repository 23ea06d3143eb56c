"""Governors' oversight pages.

The registers (training, policies, named roles) and the oversight checklist are below. The
DSL team and the school's administrator keep them; governors read them. None of these pages
shows anything from a concern or a child's name (DOMAIN.md rule 5).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from oversight import charts, forms, selectors, services, statistics
from oversight.models import REPORT_KEPT, REPORT_STALLED_AFTER, SOON_DAYS, ReportStatus
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


@dataclass(frozen=True)
class _Page:
    title: str  # the h1
    submit: str  # the button
    done: str  # the message once saved
    hint: str = ""  # a paragraph under the h1


@dataclass(frozen=True)
class _Register:
    """What differs between the registers' add and change pages."""

    form: type[forms.RegisterForm]
    add: Callable  # the service that adds a row: (school=, by=, **the form's fields)
    update: Callable  # the service that changes `row`: (row, by=, **the form's fields)
    anchor: str  # the register's section on the registers page
    new: _Page
    edit: _Page


TRAINING = _Register(
    form=forms.TrainingRecordForm,
    add=services.training_record_add,
    update=lambda row, **changes: services.training_record_update(record=row, **changes),
    anchor="training",
    new=_Page("Record training", "Save the training", "The training has been recorded."),
    edit=_Page(
        "Change a training record",
        "Save the change",
        "The training record has been changed.",
        hint="To record a newer course, record new training instead: the older record stays, "
        "marked as superseded.",
    ),
)
POLICIES = _Register(
    form=forms.PolicyForm,
    add=services.policy_add,
    update=lambda row, **changes: services.policy_update(policy=row, **changes),
    anchor="policies",
    new=_Page("Add a policy", "Save the policy", "The policy has been added."),
    edit=_Page(
        "Record a review or change a policy",
        "Save the change",
        "The policy has been changed.",
        hint="After a review, enter its date as the last review; the earlier dates stay in the "
        "history.",
    ),
)
ROLES = _Register(
    form=forms.NamedRoleForm,
    add=services.named_role_add,
    update=lambda row, **changes: services.named_role_update(named_role=row, **changes),
    anchor="roles",
    new=_Page("Name a role holder", "Save the role", "The role holder has been named."),
    edit=_Page("Change or end a role", "Save the change", "The role has been changed."),
)


def _register_form(request, register: _Register, row=None):
    """Add a row to one register or, given its `row`, change it."""
    if row is None:
        school = selectors.oversight_membership(
            request.user, write=True, chosen=chosen_school(request.session)
        ).school
        page, save = register.new, partial(register.add, school=school)
    else:
        school = row.school
        page, save = register.edit, partial(register.update, row)
    form = register.form(request.POST or None, school=school, row=row)
    if request.method == "POST" and form.is_valid():
        saved = _save(
            request,
            form,
            lambda: save(by=request.user, **form.cleaned_data),
            done=page.done,
            to=reverse("oversight:registers") + "#" + register.anchor,
        )
        if saved:
            return saved
    return render(
        request,
        "oversight/registers_form.html",
        {
            "school": school,
            "form": form,
            "title": page.title,
            "hint": page.hint,
            "submit": page.submit,
        },
    )


@require_http_methods(["GET", "POST"])
def training_new(request):
    return _register_form(request, TRAINING)


@require_http_methods(["GET", "POST"])
def training_edit(request, uuid):
    return _register_form(
        request, TRAINING, selectors.training_record_for(request.user, uuid, write=True)
    )


@require_http_methods(["GET", "POST"])
def policy_new(request):
    return _register_form(request, POLICIES)


@require_http_methods(["GET", "POST"])
def policy_edit(request, uuid):
    return _register_form(request, POLICIES, selectors.policy_for(request.user, uuid, write=True))


@require_http_methods(["GET", "POST"])
def role_new(request):
    return _register_form(request, ROLES)


@require_http_methods(["GET", "POST"])
def role_edit(request, uuid):
    return _register_form(request, ROLES, selectors.named_role_for(request.user, uuid, write=True))


@require_safe
def checklist(request):
    membership = selectors.oversight_membership(request.user, chosen=chosen_school(request.session))
    school = membership.school
    registers = selectors.registers_for(school, today=timezone.localdate())
    signals = selectors.register_signals(registers)
    items = selectors.checklist_items(school)
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
            # Those who keep the school's term dates are sent to enter the missing ones.
            "can_enter_terms": MANAGE_SCHOOL(membership),
            "reports": selectors.recent_reports(
                request.user, membership.school, now=timezone.now()
            ),
            "status": ReportStatus,
        },
        status=status,
    )


@require_safe
def dashboard(request):
    membership = selectors.oversight_membership(request.user, chosen=chosen_school(request.session))
    now = timezone.now()
    form = PeriodForm(request.GET or None)
    period = form.chosen(today=timezone.localdate(now), school=membership.school)
    figures = None
    if period is not None:
        figures = statistics.dashboard_for(
            membership.school, period, exact=MANAGE_SCHOOL(membership), now=now
        )
    return _dashboard_page(request, membership, form, figures)


@require_POST
def report_download(request):
    """Ask for the dashboard's period as a PDF (a governor's copy withheld, as their page is):
    prepared by the task worker, then collected from its own page."""
    membership = selectors.oversight_membership(request.user, chosen=chosen_school(request.session))
    now = timezone.now()
    form = PeriodForm(request.POST)
    period = form.chosen(today=timezone.localdate(now), school=membership.school)
    if period is None:
        return _dashboard_page(request, membership, form, None, status=400)
    asked = services.report_ask(
        school=membership.school,
        by=request.user,
        period=period,
        period_choice={
            name: value for name, value in request.POST.items() if name != "csrfmiddlewaretoken"
        },
        exact=MANAGE_SCHOOL(membership),
    )
    return redirect("oversight:report_status", asked.uuid)


@require_safe
def report_status(request, uuid):
    """Whether the report is ready: the page, or (asked for by its script) only its status."""
    asked = selectors.prepared_report_for(request.user, uuid)
    context = {
        "report": asked,
        "status": ReportStatus,
        "kept_days": REPORT_KEPT.days,
        "stalled_minutes": int(REPORT_STALLED_AFTER.total_seconds() // 60),
    }
    if request.GET.get("fragment") == "status":
        response = render(request, "oversight/report_status.html#status", context)
    else:
        response = render(request, "oversight/report_status.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def report_file(request, uuid):
    """The prepared PDF, for the reader who asked for it; its page until it is ready."""
    asked = selectors.prepared_report_for(request.user, uuid, with_file=True)
    if asked.status != ReportStatus.READY or asked.expired or asked.content is None:
        return redirect("oversight:report_status", asked.uuid)
    response = HttpResponse(bytes(asked.content), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{asked.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
