"""A child's chronology: everything the school did about them, across every concern, in date
order. It is the core of the child protection file that goes with a child to a new school.

The events come from the records themselves and from their history rows (the workflow steps
and corrections, each with who and why), read in a fixed number of queries however many
concerns, referrals, reviews or notes there are.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from itertools import pairwise
from uuid import UUID

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from concerns import rules
from concerns.models import (
    AdviceGiven,
    Agency,
    Category,
    Concern,
    ConcernChild,
    DiscloserType,
    Note,
    NotReferGround,
    PracticeFlag,
    ReferralDecision,
    Step,
    SupportAction,
    SupportReview,
    UnnamedChild,
    YesNoUnknown,
)
from referrals.models import AgencyContact, Referral
from schools.models import Pupil
from schools.terms import academic_year_of

# Steps whose completion is an event of its own. The safety check is not here: each child's
# own check (from the child's history) says more than "the step was completed".
STEP_EVENTS = (
    Step.EVIDENCE_PRESERVED,
    Step.REFERRAL_DECIDED,
    Step.SUPPORT_PLANNED,
    Step.CLOSED,
)
# The fields of a concern a correction can change, with the words a reader knows them by.
CORRECTABLE = {
    "discloser_type": "who told",
    "discloser_name": "who told",
    "discloser_relationship": "who told",
    "disclosed_at": "when it was disclosed",
    "location": "where",
    "account": "the account",
    "adult_involved": "whether an adult is involved",
    "parent_wishes": "the parents' wishes",
    "immediate_danger": "immediate danger",
    "other_children": "whether other children are involved",
    "evidence_advice_given_by": "the advice not to delete anything",
    "evidence_advice_given_to": "the advice not to delete anything",
    "evidence_advice_given_at": "the advice not to delete anything",
    "no_evidence_reason": "why there is no evidence",
    "payment_made": "whether anything was paid",
    "payment_details": "whether anything was paid",
    "referral_decision": "the referral decision",
    "referral_rationale": "the referral decision",
    "not_refer_ground": "the referral decision",
    "not_refer_contact": "the referral decision",
    "not_refer_contact_at": "the referral decision",
    "not_refer_advice": "the referral decision",
    "threshold_level": "the referral decision",
    "not_refer_review_date": "the referral decision",
    "police_not_told_reason": "why the police were not told",
    "parents_informed": "whether the parents were told",
    "parents_not_informed_reason": "whether the parents were told",
    "no_follow_up_reason": "school-wide follow-up",
}

# The UKCIS questions the DSL answers, in a few words each (the page and the referral PDF
# give them in full).
CRITERIA_SHORT = {
    "coercion": "coerced, blackmailed or groomed, or capacity to consent in doubt",
    "unusual_content": "sexual acts unusual for the child's stage, or violence",
    "sexual_acts": "sexual acts with a child under 13",
    "harm_risk": "a child at immediate risk of harm because of the sharing",
}

TOLD_BY = {
    DiscloserType.PARENT_CARER: "Told by a parent or carer",
    DiscloserType.CHILD: "Told by the child",
    DiscloserType.STAFF_OBSERVATION: "Seen by a member of staff",
    DiscloserType.OTHER: "Told by another person",
}


@dataclass(frozen=True)
class Event:
    when: datetime
    kind: str
    title: str
    detail: str
    concern_reference: str
    concern_uuid: UUID
    who: str = ""
    # Filled in once per concern by `chronology_for`, not reversed again for every event.
    concern_url: str = ""

    @property
    def when_text(self) -> str:
        """For example "4 Nov 2026, 09:30" (the school's time): what the `date` filter with
        "j M Y, H:i" gives, at a fraction of its cost over hundreds of rows."""
        local = timezone.localtime(self.when)
        return f"{local.day} {local.strftime('%b %Y, %H:%M')}"


def _at(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%d %b %Y, %H:%M")


def _name(user) -> str:
    return user.full_name if user is not None else ""


@dataclass(frozen=True)
class Span:
    """The moments from `start` up to, not including, `end`: an academic year, or all time."""

    start: datetime | None = None
    end: datetime | None = None

    def holds(self, moment: datetime) -> bool:
        return (self.start is None or moment >= self.start) and (
            self.end is None or moment < self.end
        )

    def q(self, *fields: str) -> Q:
        """Rows with any of `fields` in the span (a null field is in no span)."""
        if self.start is None and self.end is None:
            return Q()
        either = Q(pk__in=[])
        for field in fields:
            within = Q(**{f"{field}__isnull": False})
            if self.start is not None:
                within &= Q(**{f"{field}__gte": self.start})
            if self.end is not None:
                within &= Q(**{f"{field}__lt": self.end})
            either |= within
        return either


EVER = Span()


def academic_year(start_year: int) -> Span:
    """1 September `start_year` to 1 September the year after, in the school's time."""

    def first_of_september(year: int) -> datetime:
        return timezone.make_aware(datetime.combine(date(year, 9, 1), time()))

    return Span(first_of_september(start_year), first_of_september(start_year + 1))


def chronology_for(pupil: Pupil, span: Span = EVER) -> list[Event]:
    """Every event in the child's safeguarding record, oldest first; with a `span`, only the
    events in it, read from only the rows that can hold them (whatever the child's file
    holds besides)."""
    links = list(
        ConcernChild.objects.filter(pupil=pupil).select_related(
            "concern", "concern__reporter", "added_by"
        )
    )
    concerns = {link.concern_id: link.concern for link in links}
    events: list[Event] = []

    def event(concern: Concern, when, kind, title, detail="", who=""):
        if span.holds(when):
            events.append(Event(when, kind, title, detail, concern.reference, concern.uuid, who))

    raised = [link.concern_id for link in links if span.holds(link.concern.disclosed_at)]
    categories: dict[int, list[str]] = {}
    for concern_id, name in (
        (
            Category.objects.filter(concerns__in=raised)
            .order_by("position", "name")
            .values_list("concerns", "name")
        )
        if raised
        else []
    ):
        categories.setdefault(concern_id, []).append(name)

    for link in links:
        concern = link.concern
        told_by = TOLD_BY[concern.discloser_type]
        if concern.discloser_name:
            told_by = f"Told by {concern.discloser_name}"
            if concern.discloser_relationship:
                told_by += f" ({concern.discloser_relationship.lower()})"
        event(
            concern,
            concern.disclosed_at,
            "concern",
            f"Concern raised: {', '.join(categories.get(concern.pk, []))}",
            f"{told_by}, {concern.location}. Recorded by {concern.reporter.full_name}, "
            f"{_at(concern.recorded_at)}. {pupil.full_name}: {link.get_role_display().lower()}.",
            concern.reporter.full_name,
        )
        if link.added_at > concern.recorded_at:
            event(
                concern,
                link.added_at,
                "named",
                "Named in the concern",
                link.get_role_display(),
                _name(link.added_by),
            )

    safety, safety_corrections = _safety_events(pupil, concerns)
    found = [
        *safety,
        *_step_events(concerns, span, already_shown=safety_corrections),
        *_referral_events(pupil, concerns, span),
        *_support_events(pupil, concerns, span),
    ]
    events += [found_event for found_event in found if span.holds(found_event.when)]

    notes = Note.objects.filter(span.q("added_at"), concern_id__in=list(concerns))
    for note in notes.select_related("author"):
        event(
            concerns[note.concern_id],
            note.added_at,
            "note",
            "Information added",
            note.text,
            _name(note.author),
        )
    found = [
        *_advice_events(concerns, span),
        *_unnamed_child_events(pupil, concerns, span),
        # After the notes: a flag raised on a note comes at the same moment, and reads after it.
        *_flag_events(pupil, concerns, span),
    ]
    events += [found_event for found_event in found if span.holds(found_event.when)]

    # Python's sort is stable: events at the same moment keep the order they were made in.
    urls = {c.uuid: reverse("concerns:detail", args=[c.uuid]) for c in concerns.values()}
    return [
        replace(event, concern_url=urls[event.concern_uuid])
        for event in sorted(events, key=lambda e: e.when)
    ]


def _step_events(concerns: dict[int, Concern], span: Span, *, already_shown: set) -> list[Event]:
    """Completed steps and corrections, from the concerns' history rows: each row compared
    with the one before it (for a span, the rows in it and each concern's last row before).

    `already_shown` holds (concern id, reason) of this child's corrected safety checks: the
    concern's own row for such a correction changes none of its fields and says less.
    """
    history = Concern.history.filter(id__in=list(concerns)).select_related("history_user")
    rows = list(history.filter(span.q("history_date")))
    if span.start is not None:
        rows += (
            history.filter(history_date__lt=span.start)
            .order_by("id", "-history_date", "-history_id")
            .distinct("id")
        )
    rows.sort(key=lambda row: (row.id, row.history_date, row.history_id))
    events = []
    for previous, current in pairwise(rows):
        if previous.id != current.id:
            continue
        concern = concerns[current.id]
        reason = current.history_change_reason or ""
        if current.step > previous.step and current.step in STEP_EVENTS:
            kind = "step"
            title, detail = _step_summary(current)
        elif current.criteria_assessed_at and (
            current.criteria_assessed_at != previous.criteria_assessed_at
        ):
            kind = "criteria"
            if previous.criteria_assessed_at is None:
                title = "Immediate-referral questions answered"
            else:
                title = "Immediate-referral answers corrected"
            detail = _criteria_summary(current)
            if reason.startswith("Corrected:"):
                detail = f"{reason} {detail}"
        elif current.countersigned_at and current.countersigned_at != previous.countersigned_at:
            kind = "countersigned"
            title = "Decision not to refer countersigned"
            detail = current.countersign_reason
        elif reason.startswith("Corrected:"):
            changed = sorted(
                {
                    label
                    for field, label in CORRECTABLE.items()
                    if getattr(previous, field) != getattr(current, field)
                }
            )
            if not changed and (current.id, reason) in already_shown:
                continue
            kind, title = "correction", "Record corrected"
            detail = reason + (f" Changed: {', '.join(changed)}." if changed else "")
        else:
            # Acknowledging, assigning and naming other children are not about this child.
            continue
        events.append(
            Event(
                current.history_date,
                kind,
                title,
                detail,
                concern.reference,
                concern.uuid,
                _name(current.history_user),
            )
        )
    return events


def _step_summary(row) -> tuple[str, str]:
    """The title and detail of a completed step, from the concern as it stood then."""
    reason = row.history_change_reason or Step(row.step).label
    if row.step == Step.EVIDENCE_PRESERVED:
        detail = (
            f"{row.evidence_advice_given_by} told {row.evidence_advice_given_to} not to delete "
            f"anything, {_at(row.evidence_advice_given_at)}."
            if row.evidence_advice_given_at
            else ""
        )
        if row.no_evidence_reason:
            detail += f" No evidence to record: {row.no_evidence_reason}"
        if row.payment_made:
            detail += f" Anything paid: {YesNoUnknown(row.payment_made).label.lower()}."
            if row.payment_details:
                detail += f" {row.payment_details}"
        return reason, detail.strip()
    if row.step == Step.REFERRAL_DECIDED:
        if row.referral_decision == ReferralDecision.REFER:
            detail = "Referred"
            if row.referral_agencies:
                detail += " to " + ", ".join(Agency(a).label for a in row.referral_agencies)
            detail += "."
        elif row.not_refer_ground:
            detail = (
                f"Not referred. Ground: {NotReferGround(row.not_refer_ground).label}. "
                f"{_ground_details(row)} Reasons: {row.referral_rationale}"
            )
        else:
            # Decisions recorded before a ground was asked for.
            detail = f"Not referred: {row.referral_rationale}"
        if row.parents_informed is False:
            detail += f" Parents not told: {row.parents_not_informed_reason}"
        elif row.parents_informed:
            detail += " Parents told."
        return reason, detail
    if row.step == Step.SUPPORT_PLANNED:
        detail = (
            f"No school-wide follow-up: {row.no_follow_up_reason}"
            if row.no_follow_up_reason
            else ""
        )
        return reason, detail
    return reason, row.outcome_summary


def _ground_details(row) -> str:
    """What stands behind a decision not to refer, as it stood in a history row."""
    if row.not_refer_ground == NotReferGround.ADVICE:
        return (
            f"Advised by {row.not_refer_contact}, {_at(row.not_refer_contact_at)}: "
            f"“{row.not_refer_advice}”."
        )
    if row.not_refer_ground == NotReferGround.THRESHOLD:
        review = (
            f" Review by {row.not_refer_review_date:%d %b %Y}." if row.not_refer_review_date else ""
        )
        return f"Level: {row.threshold_level}. Instead: “{row.not_refer_advice}”.{review}"
    told = f"Social worker {row.not_refer_contact}, told {_at(row.not_refer_contact_at)}."
    return told + (f" “{row.not_refer_advice}”." if row.not_refer_advice else "")


def _criteria_summary(row) -> str:
    """The answers to the UKCIS questions as they stood in a history row: the DSL's, and
    whether an adult is involved (from the record). The answers the app works out from the
    register (ages, special educational needs) are not stored, so they are not repeated."""
    answers = [("an adult involved", row.adult_involved)] + [
        (CRITERIA_SHORT[key], getattr(row, field))
        for key, field in rules.ASKED_FIELDS.items()
        if getattr(row, field)
    ]
    detail = "; ".join(f"{text}: {YesNoUnknown(answer).label.lower()}" for text, answer in answers)
    detail = detail[:1].upper() + detail[1:] + "."
    met = [text for text, answer in answers if answer in rules.MET_ANSWERS]
    if met:
        detail += " Met (not known counts as met): " + "; ".join(met) + "."
    else:
        detail += " None is met."
    if row.criteria_notes:
        detail += f" Notes: {row.criteria_notes}"
    return detail


def _safety_events(
    pupil: Pupil, concerns: dict[int, Concern]
) -> tuple[list[Event], set[tuple[int, str]]]:
    """Each safety check of this child, and corrections of it, from the child's history."""
    rows = list(
        ConcernChild.history.filter(pupil_id=pupil.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    events, corrections = [], set()
    for previous, current in pairwise([None, *rows]):
        if current.safety_checked_at is None:
            continue
        same_child = previous is not None and previous.id == current.id
        if same_child and previous.safety_checked_at == current.safety_checked_at:
            continue
        if current.safe_now:
            detail = "Safe now." + (f" {current.safety_notes}" if current.safety_notes else "")
        else:
            detail = (
                f"Not safe. Action taken, {_at(current.safety_action_at)}: {current.safety_action}"
            )
            if current.safety_notes:
                detail += f" ({current.safety_notes})"
        reason = current.history_change_reason or ""
        title = "Safety check recorded"
        if same_child and previous.safety_checked_at is not None:
            title = "Safety check corrected"
            if reason.startswith("Corrected:"):
                detail = f"{reason} {detail}"
                corrections.add((current.concern_id, reason))
        concern = concerns[current.concern_id]
        events.append(
            Event(
                current.safety_checked_at,
                "safety",
                title,
                detail,
                concern.reference,
                concern.uuid,
                _name(current.history_user),
            )
        )
    return events, corrections


def _referral_events(pupil: Pupil, concerns: dict[int, Concern], span: Span) -> list[Event]:
    referrals = list(
        Referral.objects.filter(
            span.q("made_at", "confirmed_in_writing_at", "feedback_received_at"),
            children__pupil=pupil,
        )
        .select_related("made_by")
        .order_by("pk")
    )
    contacts = list(
        AgencyContact.objects.filter(
            span.q("happened_at"), referral__children__pupil=pupil
        ).select_related("recorded_by", "referral")
    )
    events = []
    for referral in referrals:
        concern = concerns[referral.concern_id]

        def add(when, kind, title, detail, who="", concern=concern):
            events.append(Event(when, kind, title, detail, concern.reference, concern.uuid, who))

        how = referral.get_method_display()
        if referral.contact_name:
            how += f", to {referral.contact_name}"
        if referral.agency_reference:
            how += f". Their reference: {referral.agency_reference}"
        if referral.urgent:
            how += ". Urgent: to be confirmed in writing"
        add(
            referral.made_at,
            "referral",
            f"Referral to {referral.agency_label}",
            f"{how}. View of risk: {referral.risk_view}",
            _name(referral.made_by),
        )
        if referral.confirmed_in_writing_at:
            add(
                referral.confirmed_in_writing_at,
                "referral_confirmed",
                f"Referral to {referral.agency_label} confirmed in writing",
                "",
            )
        if referral.feedback_received_at:
            add(
                referral.feedback_received_at,
                "referral_feedback",
                f"Feedback from {referral.agency_label}: {referral.get_outcome_display()}",
                referral.outcome_details,
            )
    for contact in contacts:
        referral = contact.referral
        concern = concerns[referral.concern_id]
        detail = contact.notes
        if contact.with_whom:
            detail = f"With {contact.with_whom}. {detail}"
        events.append(
            Event(
                contact.happened_at,
                "agency_contact",
                f"{contact.get_kind_display()} ({referral.agency_label})",
                detail,
                concern.reference,
                concern.uuid,
                _name(contact.recorded_by),
            )
        )
    return events


def _support_events(pupil: Pupil, concerns: dict[int, Concern], span: Span) -> list[Event]:
    actions = SupportAction.objects.filter(span.q("added_at"), child__pupil=pupil).select_related(
        "child", "added_by"
    )
    reviews = SupportReview.objects.filter(
        span.q("reviewed_at"), action__child__pupil=pupil
    ).select_related("reviewed_by", "action", "action__child")
    events = []
    for action in actions:
        concern = concerns[action.child.concern_id]
        events.append(
            Event(
                action.added_at,
                "support_action",
                "Support action planned",
                f"{action.action} (owner: {action.owner})",
                concern.reference,
                concern.uuid,
                _name(action.added_by),
            )
        )
    for review in reviews:
        action = review.action
        concern = concerns[action.child.concern_id]
        if review.next_review_date is None:
            title, after = "Support ended at review", "The support has ended."
        else:
            title = "Support reviewed"
            after = f"Next review {review.next_review_date:%d %b %Y}."
        events.append(
            Event(
                review.reviewed_at,
                "support_review",
                title,
                f"{action.action}: {review.notes} {after}",
                concern.reference,
                concern.uuid,
                _name(review.reviewed_by),
            )
        )
    return events


def _advice_events(concerns: dict[int, Concern], span: Span) -> list[Event]:
    """Each piece of advice given to the child or family: which card, by whom, to whom."""
    events = []
    given = AdviceGiven.objects.filter(span.q("given_at"), concern_id__in=list(concerns))
    for advice in given.select_related("card", "recorded_by"):
        concern = concerns[advice.concern_id]
        detail = f"By {advice.given_by} to {advice.given_to}."
        if advice.notes:
            detail += f" {advice.notes}"
        events.append(
            Event(
                advice.given_at,
                "advice",
                f"Advice given: {advice.card.title}",
                detail,
                concern.reference,
                concern.uuid,
                _name(advice.recorded_by),
            )
        )
    return events


def _unnamed_child_events(pupil: Pupil, concerns: dict[int, Concern], span: Span) -> list[Event]:
    """Children involved who were not yet identified: described, then identified or their
    identities passed on. Another child, once identified, is not named here: this file is
    this child's, and goes with them to a new school."""
    events = []
    unnamed_children = UnnamedChild.objects.filter(
        span.q("added_at", "resolved_at", "passed_at"), concern_id__in=list(concerns)
    )
    for unnamed in unnamed_children.select_related("added_by", "resolved_by", "identified_as"):
        concern = concerns[unnamed.concern_id]

        def add(when, kind, title, detail, who, concern=concern):
            events.append(Event(when, kind, title, detail, concern.reference, concern.uuid, who))

        described = f"“{unnamed.description}”"
        add(
            unnamed.added_at,
            "unnamed_child",
            "Child not yet identified described",
            described,
            _name(unnamed.added_by),
        )
        if unnamed.identified_as is not None:
            if unnamed.identified_as.pupil_id == pupil.pk:
                title = f"Identified as {pupil.full_name}"
                detail = f"Described before being identified as {described}."
            else:
                title = "Child not yet identified: now identified"
                detail = f"{described} is now named in the concern."
            add(
                unnamed.resolved_at,
                "unnamed_identified",
                title,
                detail,
                _name(unnamed.resolved_by),
            )
        elif unnamed.passed_to:
            add(
                unnamed.passed_at,
                "unnamed_passed_on",
                f"What is known of a child not yet identified passed to {unnamed.passed_to}",
                f"{described}: passed on for them to establish who the child is.",
                _name(unnamed.resolved_by),
            )
    return events


def _flag_events(pupil: Pupil, concerns: dict[int, Concern], span: Span) -> list[Event]:
    """Entries flagged as investigating rather than listening, and their reviews. A flag on
    another child's safety check belongs to that child's file, as the check itself does."""
    own_check = f"Safety check: {pupil.full_name}"
    events = []
    flags = PracticeFlag.objects.filter(
        span.q("raised_at", "reviewed_at"), concern_id__in=list(concerns)
    )
    for flag in flags.select_related("raised_by", "reviewed_by"):
        if flag.source.startswith("Safety check: ") and flag.source != own_check:
            continue
        concern = concerns[flag.concern_id]
        events.append(
            Event(
                flag.raised_at,
                "flag",
                f"Entry flagged for review: {flag.concern_text}",
                f"{flag.source}, written by {_name(flag.raised_by)}: “{flag.excerpt}”",
                concern.reference,
                concern.uuid,
            )
        )
        if flag.reviewed_at is not None:
            events.append(
                Event(
                    flag.reviewed_at,
                    "flag_review",
                    "Flagged entry reviewed",
                    flag.review_notes,
                    concern.reference,
                    concern.uuid,
                    _name(flag.reviewed_by),
                )
            )
    return events


# A file with more concerns than this opens at its latest year, not all of it at once.
WHOLE_FILE_UP_TO = 10


@dataclass(frozen=True)
class Year:
    """An academic year of a child's chronology, and how many concerns were raised in it."""

    start_year: int
    concerns: int

    @property
    def label(self) -> str:
        return f"{self.start_year} to {self.start_year + 1}"

    @property
    def span(self) -> Span:
        return academic_year(self.start_year)


@dataclass(frozen=True)
class ChronologyPage:
    years: list[Year]
    # The year shown, or None for the whole file.
    year: Year | None
    events: list[Event]


def chronology_page(pupil: Pupil, asked: str | None, *, today: date) -> ChronologyPage | None:
    """The chronology by academic year: every year from the first concern to this one, each
    with the concerns raised in it; the events of the year `asked` for ("all" for the whole
    file, None for the default: the whole of a short file, the latest year with a concern
    raised in a longer one). None if `asked` is not one of the years."""
    raised = [
        academic_year_of(timezone.localtime(moment).date())
        for moment in ConcernChild.objects.filter(pupil=pupil).values_list(
            "concern__disclosed_at", flat=True
        )
    ]
    counts = {year: raised.count(year) for year in set(raised)}
    first, last = min(raised, default=None), max([*raised, academic_year_of(today)])
    years = [
        Year(y, counts.get(y, 0)) for y in range(first if first is not None else last, last + 1)
    ]
    if asked is None:
        asked = "all" if len(raised) <= WHOLE_FILE_UP_TO else str(max(raised))
    if asked == "all":
        return ChronologyPage(years, None, chronology_for(pupil))
    year = next((y for y in years if str(y.start_year) == asked), None)
    if year is None:
        return None
    return ChronologyPage(years, year, chronology_for(pupil, year.span))
