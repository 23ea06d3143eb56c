"""The safeguarding team's casework pages: the triage queue, a concern's page and its six
steps, its history, a child's chronology and who has read it.

Each view resolves the record through an access helper, binds a form, calls one service and
redirects; a refusal from the service is shown on the page with what was typed. These pages
keep the `concerns:` URL names (casework/urls.py mounts them beside the concerns app's own).
"""

import functools
import uuid as uuid_module

from django.contrib import messages
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audit.http import ip_of
from audit.models import Action
from audit.services import access_record
from casework import exports as chronology_exports
from casework import forms as casework_forms
from casework import hooks, queue
from casework.chronology import chronology_page
from casework.history import concern_history
from casework.selectors import access_to_pupil
from concerns import forms, pupil_picker, rules, services
from concerns.models import (
    Agency,
    Concern,
    FollowUpAction,
    PracticeFlag,
    ReferralDecision,
    Step,
    SupportAction,
    SupportReview,
    UnnamedChild,
)
from concerns.pages import acting_for, submit
from concerns.selectors import (
    categories_for,
    concern_for,
    concerns_visible_to,
    pupils_for,
)
from concerns.services import StaleEdit, WorkflowError
from referrals import views as referral_views
from referrals.selectors import referrals_of, with_status
from safeguard.drafts import keeps_draft, take_draft
from safeguard.http import posted_from
from schools import acting, policy
from schools.models import Role, User
from schools.selectors import memberships_of, open_failed_notifications, pupil_for


@require_safe
def home(request):
    """Send each person to where their role starts: the DSL team to their triage queue,
    governors to the oversight dashboard."""
    memberships = memberships_of(request.user)
    # Someone who chose a school in the header starts where their role there starts.
    chosen = acting.chosen_membership(memberships, acting.chosen_school(request.session))
    starting = [chosen] if chosen is not None else memberships
    if policy.HANDLE_CASES.anywhere(starting):
        return redirect("concerns:queue")
    if not policy.RECORD_CONCERNS.anywhere(starting) and policy.GOVERN.anywhere(starting):
        return redirect("oversight:dashboard")
    can_record = policy.RECORD_CONCERNS.anywhere(memberships)
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


STEP_URLS = {
    Step.SAFETY_CHECKED: "concerns:safety",
    Step.EVIDENCE_PRESERVED: "concerns:evidence",
    Step.REFERRAL_DECIDED: "concerns:referral",
    Step.SUPPORT_PLANNED: "concerns:support",
    Step.CLOSED: "concerns:close",
}


STEP_TASKS = {
    Step.SAFETY_CHECKED: "Check every child is safe",
    Step.EVIDENCE_PRESERVED: "Preserve evidence",
    Step.REFERRAL_DECIDED: "Decide on referral",
    Step.SUPPORT_PLANNED: "Plan support and school-wide follow-up",
    Step.CLOSED: "Close the concern",
}


def _detail(concern):
    return redirect("concerns:detail", concern.uuid)


def _valid_and_current(form, concern) -> bool:
    """Validate a posted form that edits `concern`, refusing it first if someone else has
    changed the concern since the form was shown.

    The stale edit is reported before any other error, since the other person's change may
    be what makes this one a correction that now needs a reason. What was typed is kept and
    the form points at the current version, so submitting again works.
    """
    if form.data.get(form.add_prefix("version")) != str(concern.version):
        form.add_error(None, str(StaleEdit(concern)))
        form.refresh_version(concern.version)
        return False
    return form.is_valid()


def _step_open_or_redirect(request, concern, step):
    """Steps cannot be skipped: a step's page opens once the step before it is complete. On a
    closed concern only the closing step's page opens; with `step` None (correcting the
    record, which is no step) that is the only rule."""
    if concern.is_closed and step != Step.CLOSED:
        messages.error(request, "This concern is closed. Add a note to it instead.")
        return _detail(concern)
    if step is not None and concern.step < step - 1:
        messages.error(request, f"Complete “{Step(concern.step + 1).label}” first.")
        return _detail(concern)
    return None


def _step_page(step: Step | None):
    """A page of the DSL team's work through a concern's steps: the view is called with the
    concern (in place of its UUID) once `_step_open_or_redirect` lets the page open."""

    def decorate(view):
        @functools.wraps(view)
        def step_view(request, uuid):
            concern, _ = concern_for(request.user, uuid, manage=True)
            if blocked := _step_open_or_redirect(request, concern, step):
                return blocked
            return view(request, concern)

        return step_view

    return decorate


def _step_form(request, concern, form, *, posted: bool, service, done, then: str):
    """One form on a step's page. If this request `posted` it and it is valid, call
    `service` (the one service call); on success say `done` (a message, or a function of
    what the service returned) and redirect to the page named `then`. Returns None to show
    the page again, with a refusal on the form beside what was typed.

    A `VersionedForm` edits the concern itself: it is refused first if someone has changed
    the concern since it was shown (see `_valid_and_current`)."""
    if not posted:
        return None
    versioned = isinstance(form, forms.VersionedForm)
    if not (_valid_and_current(form, concern) if versioned else form.is_valid()):
        return None
    result = submit(form, service)
    if result is None:
        return None
    messages.success(request, done(result) if callable(done) else done)
    return redirect(then, concern.uuid)


# The rows of "All concerns" shown at once; filters narrow a longer list.
QUEUE_LIMIT = 50


SECTION_LIMIT = 50


def _dsl_membership(request, refusal: str):
    """The school whose queue, categories and guidance the user works on, as DSL or deputy."""
    return acting_for(request, policy.HANDLE_CASES, refusal)


@require_safe
def concern_queue(request):
    school = _dsl_membership(request, "Only the safeguarding team has a queue.").school
    now = timezone.now()
    team = queue.dsl_team(school)
    form = casework_forms.QueueFilterForm(
        request.GET or None,
        categories=list(categories_for(school)),
        year_groups=queue.year_groups(school),
        team=team,
    )
    if form.is_bound:
        # Invalid filters are shown as errors; the valid ones still apply.
        form.is_valid()
    # Long lists are cut, most urgent first, and say how many there are in all: a trust's
    # school can have hundreds, and the page must stay quick to load and read.
    overdue, overdue_total = queue.overdue(school, now=now, limit=SECTION_LIMIT)
    results = list(queue.concerns_matching(school, **form.filters())[: QUEUE_LIMIT + 1])
    mine = list(queue.assigned_to(request.user, school)[:SECTION_LIMIT])
    new_concerns = list(queue.new_concerns(school)[:SECTION_LIMIT])
    countersign = list(queue.awaiting_countersignature(school)[:SECTION_LIMIT])
    to_review = list(queue.to_review(school)[:SECTION_LIMIT])
    counts = queue.open_counts(school, request.user)
    shown = {concern.pk for concern in [*results, *mine, *new_concerns]}
    _with_triage(
        [*new_concerns, *results, *mine, *countersign, *to_review, *(i.concern for i in overdue)],
        team,
    )
    return render(
        request,
        "concerns/queue.html",
        {
            "school": school,
            "now": now,
            "form": form,
            "team": team,
            "new_concerns": new_concerns,
            "new_total": counts.new,
            "countersign": countersign,
            "to_review": to_review,
            "step_counts": list(counts.by_step.items()),
            "mine": mine,
            "mine_total": counts.assigned,
            "overdue": overdue,
            "overdue_total": overdue_total,
            "overdue_ids": queue.overdue_among(school, shown, now=now),
            "failed_notifications": open_failed_notifications(school, dsl_team=True),
            "panels": hooks.queue_panels(school, now),
            "results": results[:QUEUE_LIMIT],
            "more_results": len(results) > QUEUE_LIMIT,
            "here": request.get_full_path(),
        },
    )


_PLACEHOLDER = uuid_module.UUID(int=0)


def _address(name: str):
    """A function giving the address of `name` for a concern's UUID: reversed once, then
    filled in per row (a queue shows up to 200 rows, each with three addresses)."""
    template = reverse(name, args=[_PLACEHOLDER])
    return lambda concern_uuid: template.replace(str(_PLACEHOLDER), str(concern_uuid))


def _with_triage(concerns, team) -> None:
    """Give each concern on the queue what its row links to and offers, built once for the
    page: its address, the addresses of its Acknowledge and Assign forms, and the Assign
    list's options with its assignee chosen (one string per assignee, shared by the rows)."""
    detail, acknowledge, assign = (
        _address("concerns:detail"),
        _address("concerns:acknowledge"),
        _address("concerns:assign"),
    )
    options: dict[int | None, str] = {}

    def options_for(assignee_id) -> str:
        if assignee_id not in options:
            options[assignee_id] = mark_safe(
                '<option value="">Choose a person</option>'
                + "".join(
                    format_html(
                        '<option value="{}"{}>{}</option>',
                        member.uuid,
                        mark_safe(" selected") if member.pk == assignee_id else "",
                        member.full_name,
                    )
                    for member in team
                )
            )
        return options[assignee_id]

    for concern in concerns:
        concern.detail_url = detail(concern.uuid)
        concern.acknowledge_url = acknowledge(concern.uuid)
        concern.assign_url = assign(concern.uuid)
        concern.assign_options = options_for(concern.assignee_id)


def _back(request, concern):
    """Return to the page the form was posted from (the queue, with its filters kept), if it
    is one of ours; otherwise to the concern."""
    target = posted_from(request)
    return redirect(target) if target else _detail(concern)


def _triage(request, concern, service, *, done: str):
    """A button beside a concern, pressed on the queue or the concern's page: with no form
    to carry a refusal, it is shown as a message, and the DSL goes back where they were."""
    try:
        service()
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return _back(request, concern)


@require_POST
def concern_acknowledge(request, uuid):
    concern, _ = concern_for(request.user, uuid, manage=True)
    return _triage(
        request,
        concern,
        lambda: services.concern_acknowledge(concern=concern, by=request.user),
        done=f"You have acknowledged {concern.reference}.",
    )


@require_POST
def concern_assign(request, uuid):
    concern, _ = concern_for(request.user, uuid, manage=True)
    form = forms.AssignForm(request.POST, team=queue.dsl_team(concern.school_id))
    if not form.is_valid():
        for error in form.errors["assignee"]:
            messages.error(request, error)
        return _back(request, concern)
    assignee = form.chosen
    whom = "you" if assignee.pk == request.user.pk else assignee.full_name
    return _triage(
        request,
        concern,
        lambda: services.concern_assign(concern=concern, by=request.user, assignee=assignee),
        done=f"{concern.reference} is now assigned to {whom}.",
    )


def _name_signatories(concern: Concern) -> None:
    """Load who decided not to refer and who countersigned, for the pages that name them: one
    query, and none for a concern that was referred or not yet decided."""
    if concern.referral_decision != ReferralDecision.NOT_REFER:
        return
    users = User.objects.in_bulk({concern.decided_by_id, concern.countersigned_by_id} - {None})
    concern.decided_by = users.get(concern.decided_by_id)
    concern.countersigned_by = users.get(concern.countersigned_by_id)


def _detail_context(concern: Concern):
    _name_signatories(concern)
    # The page and the rules it shows each read the categories: fetched once.
    prefetch_related_objects([concern], "categories")
    children = list(
        concern.children.select_related("pupil", "safety_checked_by", "added_by").order_by(
            "added_at", "pk"
        )
    )
    awaiting = rules.awaiting_countersignature(concern)
    return {
        "concern": concern,
        "categories": list(concern.categories.all()),
        "children": children,
        "notes": list(concern.notes.select_related("author")),
        "evidence_items": list(concern.evidence_items.all()),
        "attachments": list(concern.attachments.select_related("uploaded_by")),
        "support_actions": list(
            SupportAction.objects.filter(child__concern=concern).select_related("child__pupil")
        ),
        "follow_ups": list(concern.follow_ups.all()),
        "steps": _step_list(concern, awaiting_countersignature=awaiting),
        "police_required": services.police_required(concern),
        "referral_rows": with_status(referrals_of(concern), timezone.now()),
        "unnamed_children": list(concern.unnamed_children.select_related("identified_as__pupil")),
        "advice_given": list(concern.advice_given.select_related("card")),
        "flags": list(concern.practice_flags.select_related("raised_by", "reviewed_by")),
        "open_items": services.open_items(concern) if not concern.is_closed else [],
        "awaiting_countersignature": awaiting,
        "criteria": rules.criteria(concern) if rules.asks_criteria(concern) else [],
    }


def _step_list(concern: Concern, *, awaiting_countersignature: bool = False):
    rows = []
    for step in Step:
        if step == Step.RECORDED:
            continue
        done = concern.step >= step
        available = concern.step >= step - 1 and not concern.is_closed
        if not done and available and awaiting_countersignature and step > Step.REFERRAL_DECIDED:
            rows.append(
                {
                    "task": STEP_TASKS[step],
                    "url": reverse(STEP_URLS[step], args=[concern.uuid]),
                    "done": False,
                    # The page opens, and says why it cannot be completed yet.
                    "available": True,
                    "status": "Waiting for a countersignature",
                }
            )
            continue
        rows.append(
            {
                "task": STEP_TASKS[step],
                "url": reverse(STEP_URLS[step], args=[concern.uuid]),
                "done": done,
                # A completed step's page stays open for corrections until the concern closes;
                # the closing page also shows the outcome afterwards.
                "available": available or (done and (not concern.is_closed or step == Step.CLOSED)),
                "status": "Completed"
                if done
                else ("Ready to start" if available else "Cannot start yet"),
            }
        )
    return rows


@require_safe
def concern_detail(request, uuid):
    concern, membership = concern_for(request.user, uuid)
    access_record(
        user=request.user,
        school=concern.school,
        action=Action.VIEWED_CONCERN,
        ip_address=ip_of(request),
        concern=concern,
    )
    context = _detail_context(concern)
    context["manage"] = membership.is_dsl_team
    if membership.is_dsl_team:
        context["triage"] = queue.concern_triage(concern)
        _with_triage([concern], context["triage"].team)
        context["flag_rows"] = _flag_rows(context["flags"])
    # A note posted after the session ended comes back as typed (see concern_add_note).
    context["note_form"] = forms.NoteForm(take_draft(request))
    return render(request, "concerns/detail.html", context)


@keeps_draft(restore_at="concerns:detail")
@require_POST
def concern_add_note(request, uuid):
    concern, membership = concern_for(request.user, uuid)
    form = forms.NoteForm(request.POST)
    if form.is_valid():
        services.concern_add_note(
            concern=concern, author=request.user, text=form.cleaned_data["text"]
        )
        messages.success(request, "Your information has been added to the record.")
        return _detail(concern)
    context = _detail_context(concern)
    context.update(manage=membership.is_dsl_team, note_form=form)
    return render(request, "concerns/detail.html", context, status=400)


@require_http_methods(["GET", "POST"])
@_step_page(None)  # open at any point until the concern is closed
def concern_correct(request, concern):
    categories = list(categories_for(concern.school))
    initial = {
        field: getattr(concern, field)
        for field in [
            "discloser_type",
            "discloser_name",
            "discloser_relationship",
            "disclosed_at",
            "location",
            "account",
            "adult_involved",
            "parent_wishes",
            "other_children",
        ]
    }
    initial["immediate_danger"] = "yes" if concern.immediate_danger else "no"
    initial["categories"] = [str(pk) for pk in concern.categories.values_list("pk", flat=True)]
    form = forms.CorrectRecordForm(
        request.POST or None,
        initial=initial,
        categories=categories,
        correction=True,
        version=concern.version,
    )
    if response := _step_form(
        request,
        concern,
        form,
        posted=request.method == "POST",
        service=lambda: services.concern_correct_record(
            concern=concern,
            by=request.user,
            version=form.cleaned_data["version"],
            reason=form.reason,
            **form.record_values(),
        ),
        done="The record has been corrected. The history keeps the earlier version.",
        then="concerns:detail",
    ):
        return response
    return render(request, "concerns/correct.html", {"concern": concern, "form": form})


@require_http_methods(["GET", "POST"])
@_step_page(Step.SAFETY_CHECKED)
def concern_safety(request, concern):
    children = list(concern.children.select_related("pupil"))
    correction = concern.has_completed(Step.SAFETY_CHECKED)
    form = forms.SafetyCheckForm(
        request.POST if "check_safety" in request.POST else None,
        children=children,
        correction=correction,
        version=concern.version,
    )
    adding = "add_child" in request.POST or pupil_picker.finds(request.POST, "add")
    add_form = forms.AddChildForm(
        request.POST if adding else None,
        pupils=pupils_for(concern.school).exclude(concern_links__concern=concern),
        search_url=pupil_picker.search_url(concern.school, leaving_out=concern),
        needs_safety=correction,
    )
    if response := _step_form(
        request,
        concern,
        add_form,
        posted="add_child" in request.POST,
        service=lambda: services.concern_add_child(
            concern=concern,
            by=request.user,
            pupil=add_form.chosen_pupil,
            role=add_form.cleaned_data["role"],
            safety=add_form.safety(),
        ),
        done=lambda child: f"{child.pupil.full_name} has been added to the concern.",
        then="concerns:safety",
    ):
        return response
    if response := _step_form(
        request,
        concern,
        form,
        posted="check_safety" in request.POST,
        service=lambda: services.concern_check_safety(
            concern=concern,
            by=request.user,
            version=form.cleaned_data["version"],
            checks=form.checks(),
            reason=form.reason,
        ),
        done="The safety check has been recorded.",
        then="concerns:detail",
    ):
        return response
    unnamed_form = forms.UnnamedChildForm(request.POST if "add_unnamed" in request.POST else None)
    if response := _step_form(
        request,
        concern,
        unnamed_form,
        posted="add_unnamed" in request.POST,
        service=lambda: services.unnamed_child_add(
            concern=concern,
            by=request.user,
            description=unnamed_form.cleaned_data["description"],
        ),
        done="The child has been described. Identify them when known.",
        then="concerns:safety",
    ):
        return response
    return render(
        request,
        "concerns/safety.html",
        {
            "concern": concern,
            "form": form,
            "add_form": add_form,
            "unnamed_form": unnamed_form,
            "unnamed_children": list(
                concern.unnamed_children.select_related("identified_as__pupil")
            ),
            "correction": correction,
            "cards": services.guidance_cards_for(concern),
        },
    )


@require_http_methods(["GET", "POST"])
def unnamed_child(request, uuid, unnamed_uuid):
    """A child not yet identified: name them from the register, or record that what is
    known was passed to social care or the police to establish who they are."""
    concern, _ = concern_for(request.user, uuid, manage=True)
    unnamed = get_object_or_404(
        UnnamedChild.objects.select_related("added_by"), concern=concern, uuid=unnamed_uuid
    )
    if concern.is_closed or not unnamed.is_open:
        messages.error(request, "This child has already been identified or passed on.")
        return redirect("concerns:safety", concern.uuid)
    posted = request.POST.get("form")
    identify_form = forms.AddChildForm(
        request.POST if posted == "identify" else None,
        pupils=pupils_for(concern.school).exclude(concern_links__concern=concern),
        search_url=pupil_picker.search_url(concern.school, leaving_out=concern),
        needs_safety=concern.has_completed(Step.SAFETY_CHECKED),
    )
    pass_form = forms.PassOnForm(request.POST if posted == "pass" else None)
    if response := _step_form(
        request,
        concern,
        identify_form,
        posted=posted == "identify",
        service=lambda: services.unnamed_child_identify(
            unnamed=unnamed,
            by=request.user,
            pupil=identify_form.chosen_pupil,
            role=identify_form.cleaned_data["role"],
            safety=identify_form.safety(),
        ),
        done=lambda child: f"{child.pupil.full_name} has been named in the concern.",
        then="concerns:safety",
    ):
        return response
    if response := _step_form(
        request,
        concern,
        pass_form,
        posted=posted == "pass",
        service=lambda: services.unnamed_child_pass_on(
            unnamed=unnamed, by=request.user, **pass_form.cleaned_data
        ),
        done="Recorded: the information was passed on to identify them.",
        then="concerns:safety",
    ):
        return response
    return render(
        request,
        "concerns/unnamed_child.html",
        {
            "concern": concern,
            "unnamed": unnamed,
            "identify_form": identify_form,
            "pass_form": pass_form,
        },
    )


def _flag_rows(flags, bound=None):
    """Each flagged entry with its review form (the posted one, with its errors, if any)."""
    return [
        (
            flag,
            bound
            if bound is not None and bound.prefix == flag.uuid.hex
            else forms.FlagReviewForm(prefix=flag.uuid.hex),
        )
        for flag in flags
    ]


@require_POST
def flag_review(request, uuid, flag_uuid):
    concern, _ = concern_for(request.user, uuid, manage=True)
    flag = get_object_or_404(PracticeFlag, concern=concern, uuid=flag_uuid)
    form = forms.FlagReviewForm(request.POST, prefix=flag.uuid.hex)
    if form.is_valid():
        if submit(
            form,
            lambda: services.practice_flag_review(
                flag=flag, by=request.user, notes=form.cleaned_data["review_notes"]
            ),
        ):
            messages.success(request, "Your review of the flagged entry has been recorded.")
            return redirect(reverse("concerns:detail", args=[concern.uuid]) + "#flags")
    context = _detail_context(concern)
    context.update(
        manage=True,
        triage=queue.concern_triage(concern),
        note_form=forms.NoteForm(),
        flag_rows=_flag_rows(context["flags"], bound=form),
        flag_form=form,
    )
    return render(request, "concerns/detail.html", context, status=400)


@require_http_methods(["GET", "POST"])
@_step_page(Step.EVIDENCE_PRESERVED)
def concern_evidence(request, concern):
    correction = concern.has_completed(Step.EVIDENCE_PRESERVED)
    posted = request.POST.get("form")
    item_form = forms.EvidenceItemForm(request.POST if posted == "item" else None, prefix="item")
    attachment_form = forms.AttachmentForm(
        request.POST if posted == "attachment" else None,
        request.FILES if posted == "attachment" else None,
        prefix="attachment",
    )
    initial = {
        "advice_given_by": concern.evidence_advice_given_by,
        "advice_given_to": concern.evidence_advice_given_to,
        "advice_given_at": concern.evidence_advice_given_at,
        "no_evidence_reason": concern.no_evidence_reason,
    }
    initial["payment_made"] = concern.payment_made or None
    initial["payment_details"] = concern.payment_details
    extortion = rules.is_extortion(concern)
    advice_form = forms.EvidenceAdviceForm(
        request.POST if posted == "advice" else None,
        initial=initial,
        correction=correction,
        version=concern.version,
        extortion=extortion,
    )
    cards = services.guidance_cards_for(concern)
    family_cards = [card for card in cards if card.has_family_advice]
    advice_given_form = forms.AdviceGivenForm(
        request.POST if posted == "advice_given" else None, cards=family_cards
    )
    if response := _step_form(
        request,
        concern,
        advice_given_form,
        posted=posted == "advice_given",
        service=lambda: services.advice_record(
            concern=concern,
            by=request.user,
            card=advice_given_form.chosen_card,
            given_by=advice_given_form.cleaned_data["given_by"],
            given_to=advice_given_form.cleaned_data["given_to"],
            given_at=advice_given_form.cleaned_data["given_at"],
            notes=advice_given_form.cleaned_data["notes"],
        ),
        done="The advice given has been recorded.",
        then="concerns:evidence",
    ):
        return response
    if response := _step_form(
        request,
        concern,
        item_form,
        posted=posted == "item",
        service=lambda: services.evidence_item_add(
            concern=concern, by=request.user, **item_form.cleaned_data
        ),
        done="The evidence has been described.",
        then="concerns:evidence",
    ):
        return response
    if response := _step_form(
        request,
        concern,
        attachment_form,
        posted=posted == "attachment",
        service=lambda: services.attachment_add(
            concern=concern,
            by=request.user,
            uploaded_file=attachment_form.cleaned_data["file"],
            description=attachment_form.cleaned_data["description"],
        ),
        done="The document has been attached.",
        then="concerns:evidence",
    ):
        return response
    if response := _step_form(
        request,
        concern,
        advice_form,
        posted=posted == "advice",
        service=lambda: services.concern_preserve_evidence(
            concern=concern,
            by=request.user,
            version=advice_form.cleaned_data["version"],
            advice_given_by=advice_form.cleaned_data["advice_given_by"],
            advice_given_to=advice_form.cleaned_data["advice_given_to"],
            advice_given_at=advice_form.cleaned_data["advice_given_at"],
            no_evidence_reason=advice_form.cleaned_data["no_evidence_reason"],
            payment_made=advice_form.cleaned_data.get("payment_made", ""),
            payment_details=advice_form.cleaned_data.get("payment_details", ""),
            reason=advice_form.reason,
        ),
        done="The evidence step is complete.",
        then="concerns:detail",
    ):
        return response
    sexual_imagery = rules.images_refused(concern)
    return render(
        request,
        "concerns/evidence.html",
        {
            "concern": concern,
            "items": list(concern.evidence_items.all()),
            "attachments": list(concern.attachments.select_related("uploaded_by")),
            "item_form": item_form,
            "attachment_form": attachment_form,
            "advice_form": advice_form,
            "advice_given_form": advice_given_form,
            "advice_given": list(concern.advice_given.select_related("card")),
            "advice_outstanding": services.advice_outstanding(concern),
            "cards": cards,
            "correction": correction,
            "sexual_imagery": sexual_imagery,
            "extortion": extortion,
        },
    )


@require_http_methods(["GET", "POST"])
@_step_page(Step.REFERRAL_DECIDED)
def concern_referral(request, concern):
    """The referral step: the immediate-referral questions (on concerns that ask them), the
    decision, and a second member of the DSL team's countersignature where one is needed."""
    # The rules below each read the categories: fetched once, through the prefetch cache.
    prefetch_related_objects([concern], "categories")
    correction = concern.has_completed(Step.REFERRAL_DECIDED)
    police_required = services.police_required(concern)
    referrals = list(referrals_of(concern, with_children=True))
    police_referred = any(referral.agency == Agency.POLICE for referral in referrals)
    asks_criteria = rules.asks_criteria(concern)
    criteria = rules.criteria(concern) if asks_criteria else []
    met = [criterion for criterion in criteria if criterion.met]
    unanswered = [criterion for criterion in criteria if not criterion.answer]
    posted = request.POST.get("form", "decision") if request.method == "POST" else None
    criteria_form = forms.CriteriaForm(
        request.POST if posted == "criteria" else None,
        prefix="criteria",
        initial={"notes": concern.criteria_notes},
        criteria=criteria,
        correction=concern.criteria_assessed_at is not None,
        version=concern.version,
    )
    if response := _step_form(
        request,
        concern,
        criteria_form,
        posted=posted == "criteria",
        service=lambda: services.concern_assess_criteria(
            concern=concern,
            by=request.user,
            version=criteria_form.cleaned_data["version"],
            answers=criteria_form.answers,
            notes=criteria_form.cleaned_data["notes"],
            reason=criteria_form.reason,
        ),
        done="The answers to the immediate-referral questions are saved.",
        then="concerns:referral",
    ):
        return response
    countersign_form = forms.CountersignForm(
        request.POST if posted == "countersign" else None,
        prefix="countersign",
        version=concern.version,
    )
    if response := _step_form(
        request,
        concern,
        countersign_form,
        posted=posted == "countersign",
        service=lambda: services.concern_countersign(
            concern=concern,
            by=request.user,
            version=countersign_form.cleaned_data["version"],
            reason=countersign_form.cleaned_data["countersign_reason"],
        ),
        done="You have countersigned the decision not to refer.",
        then="concerns:detail",
    ):
        return response
    initial = {}
    if concern.referral_decision:
        initial = {
            "decision": concern.referral_decision,
            "rationale": concern.referral_rationale,
            "police_not_told_reason": concern.police_not_told_reason,
            "parents_informed": "yes" if concern.parents_informed else "no",
            "parents_not_informed_reason": concern.parents_not_informed_reason,
            "not_refer_ground": concern.not_refer_ground,
            "not_refer_contact": concern.not_refer_contact,
            "not_refer_contact_at": concern.not_refer_contact_at,
            "not_refer_advice": concern.not_refer_advice,
            "threshold_level": concern.threshold_level,
            "not_refer_review_date": concern.not_refer_review_date,
        }
    form = forms.ReferralDecisionForm(
        request.POST if posted == "decision" else None,
        initial=initial,
        correction=correction,
        version=concern.version,
        has_referrals=bool(referrals),
        police_not_referred=police_required and not police_referred,
        must_refer=bool(met),
    )

    def decide():
        data = form.cleaned_data
        services.concern_decide_referral(
            concern=concern,
            by=request.user,
            version=data["version"],
            decision=data["decision"],
            rationale=data["rationale"],
            police_not_told_reason=data.get("police_not_told_reason", ""),
            parents_informed=data["parents_informed"],
            parents_not_informed_reason=data["parents_not_informed_reason"],
            reason=form.reason,
            not_referring=form.not_referring(),
        )
        # The message depends on the decision as saved: read it back.
        concern.refresh_from_db()
        return concern

    if response := _step_form(
        request,
        concern,
        form,
        posted=posted == "decision",
        service=decide,
        done=lambda decided: (
            "The decision not to refer is recorded. Another member of the safeguarding "
            "team must now countersign it before the concern can move on."
            if rules.awaiting_countersignature(decided)
            else "The referral decision has been recorded."
        ),
        then="concerns:detail",
    ):
        return response
    awaiting = rules.awaiting_countersignature(concern)
    _name_signatories(concern)
    return render(
        request,
        "concerns/referral.html",
        {
            "concern": concern,
            "form": form,
            "criteria_form": criteria_form,
            "countersign_form": countersign_form,
            "correction": correction,
            "police_required": police_required,
            "police_referred": police_referred,
            "referrals": referrals,
            "asks_criteria": asks_criteria,
            "criteria": criteria,
            "criteria_met": met,
            "criteria_unanswered": unanswered,
            "under_13_note": rules.under_13_note(concern) if asks_criteria else "",
            "indicators": rules.indicators(concern),
            "awaiting_countersignature": awaiting,
            "may_countersign": awaiting and concern.decided_by_id != request.user.pk,
            "cards": services.guidance_cards_for(concern),
            "agencies_referred": {referral.agency for referral in referrals},
        },
    )


@require_http_methods(["GET", "POST"])
@_step_page(Step.SUPPORT_PLANNED)
def concern_support(request, concern):
    correction = concern.has_completed(Step.SUPPORT_PLANNED)
    children = list(concern.children.select_related("pupil"))
    posted = request.POST.get("form")
    support_form = forms.SupportActionForm(
        request.POST if posted == "support" else None, children=children
    )
    follow_up_form = forms.FollowUpForm(request.POST if posted == "followup" else None)
    plan_form = forms.PlanSupportForm(
        request.POST if posted == "plan" else None,
        initial={"no_follow_up_reason": concern.no_follow_up_reason},
        correction=correction,
        version=concern.version,
    )
    if response := _step_form(
        request,
        concern,
        support_form,
        posted=posted == "support",
        service=lambda: services.support_action_add(
            concern=concern,
            by=request.user,
            child=support_form.chosen_child,
            action=support_form.cleaned_data["action"],
            owner=support_form.cleaned_data["owner"],
            review_date=support_form.cleaned_data["review_date"],
        ),
        done="The support action has been added.",
        then="concerns:support",
    ):
        return response
    if response := _step_form(
        request,
        concern,
        follow_up_form,
        posted=posted == "followup",
        service=lambda: services.follow_up_add(
            concern=concern, by=request.user, **follow_up_form.cleaned_data
        ),
        done="The school-wide follow-up has been added.",
        then="concerns:support",
    ):
        return response
    if response := _step_form(
        request,
        concern,
        plan_form,
        posted=posted == "plan",
        service=lambda: services.concern_plan_support(
            concern=concern,
            by=request.user,
            version=plan_form.cleaned_data["version"],
            no_follow_up_reason=plan_form.cleaned_data["no_follow_up_reason"],
            reason=plan_form.reason,
        ),
        done="The support step is complete.",
        then="concerns:detail",
    ):
        return response
    return _support_page(
        request,
        concern,
        children=children,
        support_form=support_form,
        follow_up_form=follow_up_form,
        plan_form=plan_form,
    )


def _support_page(
    request,
    concern,
    *,
    children=None,
    support_form=None,
    follow_up_form=None,
    plan_form=None,
    review=None,
    status=200,
):
    """The support page, with a review form for each action. `review` is the (action, bound
    form) of a refused review, shown with its errors and what was typed."""
    correction = concern.has_completed(Step.SUPPORT_PLANNED)
    if children is None:
        children = list(concern.children.select_related("pupil"))
    if support_form is None:
        support_form = forms.SupportActionForm(children=children)
    if follow_up_form is None:
        follow_up_form = forms.FollowUpForm()
    if plan_form is None:
        plan_form = forms.PlanSupportForm(
            initial={"no_follow_up_reason": concern.no_follow_up_reason},
            correction=correction,
            version=concern.version,
        )
    support_actions = list(
        SupportAction.objects.filter(child__concern=concern)
        .select_related("child__pupil")
        .prefetch_related(
            Prefetch("reviews", queryset=SupportReview.objects.select_related("reviewed_by"))
        )
    )
    reviews = [
        (
            action,
            review[1]
            if review and review[0].pk == action.pk
            else forms.SupportReviewForm(prefix=f"review-{action.uuid.hex}"),
        )
        for action in support_actions
    ]
    return render(
        request,
        "concerns/support.html",
        {
            "concern": concern,
            "children": children,
            "support_actions": support_actions,
            "reviews": reviews,
            "review_form": review[1] if review else None,
            "today": timezone.localdate(),
            "follow_ups": list(concern.follow_ups.all()),
            "support_form": support_form,
            "follow_up_form": follow_up_form,
            "plan_form": plan_form,
            "correction": correction,
        },
        status=status,
    )


@require_POST
def support_review(request, uuid, action_uuid):
    concern, _ = concern_for(request.user, uuid, manage=True)
    action = get_object_or_404(SupportAction, child__concern=concern, uuid=action_uuid)
    # Reviews are made from the support page, so they follow its rule: open, not closed.
    if blocked := _step_open_or_redirect(request, concern, Step.SUPPORT_PLANNED):
        return blocked
    form = forms.SupportReviewForm(request.POST, prefix=f"review-{action.uuid.hex}")
    if form.is_valid():
        data = form.cleaned_data
        review = submit(
            form,
            lambda: services.support_review_record(
                action=action,
                by=request.user,
                notes=data["notes"],
                next_review_date=None if data["end"] else data["next_review_date"],
            ),
        )
        if review is not None:
            if data["end"]:
                done = "The review has been recorded and the support has ended."
            else:
                next_date = formats.date_format(data["next_review_date"], "j M Y")
                done = f"The review has been recorded. Next review: {next_date}."
            messages.success(request, done)
            return redirect(reverse("concerns:support", args=[concern.uuid]) + f"#{action.uuid}")
    return _support_page(request, concern, review=(action, form), status=400)


@require_http_methods(["GET", "POST"])
@_step_page(Step.CLOSED)
def concern_close(request, concern):
    form = forms.CloseForm(request.POST or None, version=concern.version)
    if response := _step_form(
        request,
        concern,
        form,
        posted=request.method == "POST",
        service=lambda: services.concern_close(
            concern=concern,
            by=request.user,
            version=form.cleaned_data["version"],
            outcome_summary=form.cleaned_data["outcome_summary"],
        ),
        done=f"Concern {concern.reference} is closed. It is kept, not deleted.",
        then="concerns:detail",
    ):
        return response
    return render(
        request,
        "concerns/close.html",
        {
            "concern": concern,
            "form": form,
            "open_items": services.open_items(concern) if not concern.is_closed else [],
        },
    )


@require_safe
def concern_history_view(request, uuid):
    concern, _ = concern_for(request.user, uuid, manage=True)
    access_record(
        user=request.user,
        school=concern.school,
        action=Action.VIEWED_HISTORY,
        ip_address=ip_of(request),
        concern=concern,
    )
    return render(
        request, "concerns/history.html", {"concern": concern, "entries": concern_history(concern)}
    )


@require_safe
def pupil_chronology(request, uuid):
    pupil, _ = pupil_for(request.user, uuid)
    access_record(
        user=request.user,
        school=pupil.school,
        action=Action.VIEWED_CHRONOLOGY,
        ip_address=ip_of(request),
        pupil=pupil,
    )
    page = chronology_page(pupil, request.GET.get("year"), today=timezone.localdate())
    if page is None:
        raise Http404("No such year in this chronology.")
    return render(
        request,
        "concerns/chronology.html",
        {
            "pupil": pupil,
            "page": page,
            "events": page.events,
            # Files received from the schools the child was at before (transfers).
            "earlier_parts": hooks.earlier_parts(pupil),
        },
    )


@require_http_methods(["GET", "POST"])
def follow_up_done(request, uuid, follow_up_uuid):
    """Record that school-wide follow-up happened; possible after the concern has closed."""
    concern, _ = concern_for(request.user, uuid, manage=True)
    follow_up = get_object_or_404(FollowUpAction, concern=concern, uuid=follow_up_uuid)
    if follow_up.completed_on is not None:
        messages.error(request, "This follow-up is already recorded as done.")
        return _detail(concern)
    form = forms.FollowUpDoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if submit(
            form,
            lambda: services.follow_up_complete(
                follow_up=follow_up,
                by=request.user,
                completed_on=form.cleaned_data["completed_on"],
                notes=form.cleaned_data["notes"],
            ),
        ):
            messages.success(request, f"“{follow_up.get_kind_display()}” is recorded as done.")
            return _detail(concern)
    return render(
        request,
        "concerns/follow_up_done.html",
        {"concern": concern, "follow_up": follow_up, "form": form},
    )


@require_POST
def chronology_pdf(request, uuid):
    pupil, _ = pupil_for(request.user, uuid)
    return referral_views.pdf_export(
        request,
        functools.partial(chronology_exports.chronology_pdf_export, pupil=pupil, by=request.user),
        back_url=reverse("concerns:chronology", args=[pupil.uuid]),
        back_text=f"Return to {pupil.full_name}'s chronology",
        about=f"{pupil.full_name}'s chronology",
    )


@require_safe
def pupil_access(request, uuid):
    pupil, _ = pupil_for(request.user, uuid)
    records = list(access_to_pupil(pupil))
    roles = dict(Role.choices)
    rows = [(record, roles.get(record.role, "No longer at the school")) for record in records]
    return render(request, "audit/pupil.html", {"pupil": pupil, "rows": rows})
