"""The concern pages, driven the way people use them: a member of staff records a concern, the
DSL team takes it through every step, and what they typed survives every refusal.

The helpers at the top (page text, form state, a concern brought to a step) are shared by the
other view test modules.
"""

import datetime
import html
import re
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from concerns import rules, services
from concerns.models import (
    ROLES_NEEDING_SUPPORT,
    Agency,
    Attachment,
    Category,
    ChildRole,
    Concern,
    ConcernChild,
    EvidenceItem,
    FollowUpAction,
    FollowUpKind,
    Note,
    ReferralDecision,
    Step,
    SupportAction,
)
from referrals.models import Consent, Method
from tests.factories import (
    PupilFactory,
    answer_criteria,
    category,
    pdf_file,
    record_concern,
    record_referral,
)

LONDON = ZoneInfo("Europe/London")
DISCLOSED = "2026-11-20T09:30"
PDF_BYTES = pdf_file()
# The 8-byte PNG signature and an IHDR chunk: enough for the content sniffing to call it PNG.
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


# Reading pages as a person would.


def page_text(response) -> str:
    """The words on the page: tags dropped, entities decoded, whitespace collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


class _FormState(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._textarea = None
        self._select = None

    def _add(self, name, value):
        self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            if attrs.get("type") in ("radio", "checkbox"):
                if "checked" in attrs:
                    self._add(name, attrs.get("value", "on"))
            elif attrs.get("type") != "file":
                self._add(name, attrs.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self._add(name, "")
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][-1] += data


def form_state(response) -> dict[str, list[str]]:
    """What each form field on the page holds: typed text, ticked boxes, chosen options."""
    parser = _FormState()
    parser.feed(response.content.decode())
    return {name: [v.removeprefix("\n") for v in values] for name, values in parser.values.items()}


def shown_version(response) -> str:
    """The concern version a page's form will post back."""
    (version,) = form_state(response)["version"]
    return version


def messages_shown(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def history_rows(model_or_instance):
    """(user id, reason) of each history row, oldest first."""
    return [
        (row.history_user_id, row.history_change_reason)
        for row in model_or_instance.history.order_by("history_date", "history_id")
    ]


def latest_history(concern: Concern):
    row = concern.history.order_by("-history_date", "-history_id").first()
    return row.history_user_id, row.history_change_reason


def fresh(concern: Concern) -> Concern:
    return Concern.objects.select_related("school", "reporter").get(pk=concern.pk)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, concern: Concern, *extra) -> str:
    return reverse(f"concerns:{name}", args=[concern.uuid, *extra])


def minutes_ago(minutes: int) -> str:
    """A datetime-local value, as the browser posts it."""
    when = timezone.localtime() - datetime.timedelta(minutes=minutes)
    return when.strftime("%Y-%m-%dT%H:%M")


def days_ahead(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def children_of(concern: Concern) -> list[ConcernChild]:
    return list(concern.children.select_related("pupil").order_by("added_at", "pk"))


# What each step's form posts, as a browser would send it.


def record_form(pupils, **overrides) -> dict:
    data = {
        "discloser_type": "parent_carer",
        "discloser_name": "Mrs Sarah Example",
        "discloser_relationship": "Mother",
        "disclosed_at": DISCLOSED,
        "location": "Head's office",
        "account": "She said: 'I found the sites on her tablet on Saturday. "
        "She calls him her special friend.'",
        "categories": [str(category("sharing-nudes").pk), str(category("online-grooming").pk)],
        "adult_involved": "yes",
        "parent_wishes": "Does not want anyone else told.",
        "immediate_danger": "no",
        # Bella and Chloe are named below.
        "other_children": "yes",
        "child_1": str(pupils[0].uuid),
        "role_1": ChildRole.SUBJECT,
        "child_2": str(pupils[1].uuid),
        "role_2": ChildRole.AFFECTED,
        "child_3": str(pupils[2].uuid),
        "role_3": ChildRole.WITNESS,
        "child_4": "",
        "role_4": "",
    }
    data.update(overrides)
    return data


SPOKEN_TO = "No one: her mother told the head teacher."


def safety_form(concern, *, version=None, notes="Seen in class at 9:15", **extra) -> dict:
    data = {"check_safety": "1", "version": str(version or concern.version)}
    for child in children_of(concern):
        key = child.uuid.hex
        data |= {
            f"safe_{key}": "yes",
            f"spoken_to_{key}": SPOKEN_TO,
            f"notes_{key}": notes,
            f"action_{key}": "",
            f"action_at_{key}": "",
        }
    data.update(extra)
    return data


def evidence_item_form(**overrides) -> dict:
    data = {
        "form": "item",
        "item-description": "14 messages from the username sparkle_friend_11 asking for pictures",
        "item-platform": "A children's online game, then a chat room",
        "item-usernames": "sparkle_friend_11",
        "item-location": "Amelia's tablet, chat app",
        "item-held_by": "Mrs Sarah Example (mother)",
        "item-device_custody": "Tablet switched off, kept by the mother",
    }
    data.update(overrides)
    return data


def advice_form(concern, **overrides) -> dict:
    data = {
        "form": "advice",
        "advice_given_by": "Dana Lead",
        "advice_given_to": "Mrs Sarah Example",
        "advice_given_at": minutes_ago(30),
        "no_evidence_reason": "",
        "version": str(concern.version),
    }
    data.update(overrides)
    return data


def new_referral_form(concern, **overrides) -> dict:
    """A referral to children's social care about every child named, as the page posts it."""
    data = {
        "agency": Agency.SOCIAL_CARE,
        "agency_name": "Demoshire MASH",
        "made_at": minutes_ago(20),
        "method": Method.PHONE,
        "contact_name": "Sam Social (duty social worker)",
        "agency_reference": "MASH-2026-0042",
        "children": [child.uuid.hex for child in children_of(concern)],
        "parents_aware": "yes",
        "consent": Consent.REFUSED,
        "consent_reason": "The mother does not want anyone else involved.",
        "risk_view": "An adult obtained naked images of three girls: significant harm.",
        "urgent": "on",
    }
    data.update(overrides)
    return data


def criteria_form(concern, *, version=None, **answers) -> dict:
    """The immediate-referral questions the DSL is asked, each "no" unless given."""
    data = {
        "form": "criteria",
        "criteria-version": str(version or concern.version),
        "criteria-notes": "What the mother said about the messages.",
    }
    for key in ("coercion", "unusual_content", "sexual_acts", "harm_risk"):
        data[f"criteria-{key}"] = answers.get(key, "no")
    return data


def police_referral_form(concern, **overrides) -> dict:
    """A call to the police on 101 about every child named."""
    return new_referral_form(
        concern,
        agency=Agency.POLICE,
        agency_name="Demoshire Police",
        method=Method.PHONE_101,
        contact_name="101 call handler",
        agency_reference="DP-2026-1177",
        urgent="",
        **overrides,
    )


def referral_form(concern, **overrides) -> dict:
    data = {
        "decision": ReferralDecision.REFER,
        "rationale": "Three children sent images to an adult met online.",
        "police_not_told_reason": "",
        "parents_informed": "no",
        "parents_not_informed_reason": "Social care asked us to wait until they have spoken "
        "to the other families.",
        "version": str(concern.version),
    }
    data.update(overrides)
    return data


def support_action_form(child, **overrides) -> dict:
    data = {
        "form": "support",
        "support-child": child.uuid.hex,
        "support-action": "Weekly check-in with the pastoral lead; praised for telling",
        "support-owner": "Pastoral lead",
        "support-review_date": days_ahead(14),
    }
    data.update(overrides)
    return data


def follow_up_form(**overrides) -> dict:
    data = {
        "form": "followup",
        "followup-kind": FollowUpKind.PUPIL_LESSONS,
        "followup-description": "Extra e-safety lessons for Years 3 to 6",
        "followup-owner": "Computing lead",
        "followup-due_date": days_ahead(30),
    }
    data.update(overrides)
    return data


def plan_form(concern, **overrides) -> dict:
    data = {"form": "plan", "no_follow_up_reason": "", "version": str(concern.version)}
    data.update(overrides)
    return data


def close_form(concern, **overrides) -> dict:
    data = {
        "outcome_summary": "Referred to social care and the police; support in place for all "
        "three girls.",
        "version": str(concern.version),
    }
    data.update(overrides)
    return data


# Bringing a concern to a step through the services, so a test starts where its story does.


def bring_to(step: Step, concern: Concern, *, by) -> Concern:
    now = timezone.now()
    if step >= Step.SAFETY_CHECKED:
        checks = [
            services.SafetyCheckInput(child=child, safe_now=True, notes="At home with her mother")
            for child in children_of(concern)
        ]
        concern = services.concern_check_safety(
            concern=concern, by=by, version=concern.version, checks=checks
        )
    if step >= Step.EVIDENCE_PRESERVED:
        services.evidence_item_add(
            concern=concern,
            by=by,
            description="Naked pictures and a video sent to a 'special friend'",
            location="Amelia's tablet",
            held_by="Mrs Sarah Example (mother)",
        )
        concern = services.concern_preserve_evidence(
            concern=concern,
            by=by,
            version=concern.version,
            advice_given_by="Dana Lead",
            advice_given_to="Mrs Sarah Example",
            advice_given_at=now - datetime.timedelta(minutes=30),
        )
    if step >= Step.REFERRAL_DECIDED:
        if concern.criteria_assessed_at is None:
            # Each asked question "no"; the default concern still meets one (an adult's
            # involvement is not known), so it is referred to social care and the police.
            concern = answer_criteria(concern, by)
        refer_to_social_care_and_police(concern, by=by)
        concern = services.concern_decide_referral(
            concern=concern,
            by=by,
            version=concern.version,
            decision=ReferralDecision.REFER,
            rationale="",
            police_not_told_reason="",
            parents_informed=True,
            parents_not_informed_reason="",
        )
    if step >= Step.SUPPORT_PLANNED:
        support_every_child(concern, by=by)
        services.follow_up_add(
            concern=concern,
            by=by,
            kind=FollowUpKind.PARENT_SESSION,
            description="E-safety evening for parents",
            owner="Head teacher",
            due_date=timezone.localdate() + datetime.timedelta(days=30),
        )
        concern = services.concern_plan_support(concern=concern, by=by, version=concern.version)
    if step >= Step.CLOSED:
        concern = services.concern_close(
            concern=concern, by=by, version=concern.version, outcome_summary="Support in place."
        )
    return fresh(concern)


def refer_to_social_care_and_police(concern: Concern, *, by) -> None:
    """The DOMAIN.md case: social care about every child, and the police by a 101 call."""
    record_referral(concern, by, Agency.SOCIAL_CARE)
    record_referral(concern, by, Agency.POLICE, method=Method.PHONE_101)


def support_every_child(concern: Concern, *, by) -> None:
    for child in children_of(concern):
        if child.role in ROLES_NEEDING_SUPPORT:
            services.support_action_add(
                concern=concern,
                by=by,
                child=child,
                action="Weekly check-in with the pastoral lead",
                owner="Pastoral lead",
                review_date=timezone.localdate() + datetime.timedelta(days=14),
            )


def attach_pdf(concern: Concern, *, by, name="body-map.pdf") -> Attachment:
    return services.attachment_add(
        concern=concern,
        by=by,
        uploaded_file=SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf"),
        description="Completed body map",
    )


@pytest.fixture
def concern(school, staff, pupils):
    """Amelia is the subject; Bella and Chloe are affected. Sharing nudes, raised by Tom."""
    return fresh(record_concern(school=school, reporter=staff, pupils=pupils, other_children="yes"))


@pytest.fixture
def no_adult_concern(school, staff, dsl, pupils):
    """Nudes shared among the three girls, no adult involved, at the referral step with every
    immediate-referral question answered "no": the one kind of sexual-imagery concern where
    not referring is offered (on a ground, and countersigned: it is about sexual harm)."""
    concern = record_concern(school=school, reporter=staff, pupils=pupils, adult_involved="no")
    return fresh(answer_criteria(bring_to(Step.EVIDENCE_PRESERVED, concern, by=dsl), dsl))


@pytest.fixture
def dsl_client(dsl):
    return signed_in(dsl)


@pytest.fixture
def staff_client(staff):
    return signed_in(staff)


# Recording a concern.


def test_staff_records_a_concern_and_sees_its_reference(staff_client, school, staff, dsl, pupils):
    response = staff_client.post(reverse("concerns:new"), record_form(pupils))

    concern = Concern.objects.get(school=school)
    assert response.status_code == 302
    assert response.url == url("recorded", concern)
    assert concern.reporter_id == staff.pk
    assert concern.step == Step.RECORDED
    assert concern.location == "Head's office"
    assert concern.discloser_name == "Mrs Sarah Example"
    assert concern.disclosed_at == datetime.datetime(2026, 11, 20, 9, 30, tzinfo=LONDON)
    assert concern.adult_involved == "yes"
    assert concern.immediate_danger is False
    assert sorted(concern.categories.values_list("slug", flat=True)) == [
        "online-grooming",
        "sharing-nudes",
    ]
    assert sorted(
        (c.pupil.legal_first_name, c.role, c.added_by_id) for c in children_of(concern)
    ) == [
        ("Amelia", ChildRole.SUBJECT, staff.pk),
        ("Bella", ChildRole.AFFECTED, staff.pk),
        ("Chloe", ChildRole.WITNESS, staff.pk),
    ]
    assert history_rows(concern) == [(staff.pk, "Concern recorded")]

    recorded = staff_client.get(response.url)
    assert "Concern recorded" in page_text(recorded)
    assert f"Your reference {concern.reference}" in page_text(recorded)
    assert "call 999" not in page_text(recorded)


def test_a_disclosure_dated_before_the_children_were_born_is_refused_as_typed(staff_client, pupils):
    data = record_form(pupils, disclosed_at="0001-01-01T09:30", other_children="yes")

    response = staff_client.post(reverse("concerns:new"), data)

    assert response.status_code == 200
    assert not Concern.objects.exists()
    text = page_text(response)
    assert "There is a problem" in text
    assert "The disclosure cannot be dated before Amelia Hart was born, on 14/03/2017" in text
    typed = form_state(response)
    assert typed["disclosed_at"] == ["0001-01-01T09:30"]
    assert typed["child_2"] == [str(pupils[1].uuid)]


def test_the_record_form_asks_for_the_children_and_lists_the_categories(staff_client, pupils):
    response = staff_client.get(reverse("concerns:new"))

    text = page_text(response)
    assert "Record a concern" in text
    assert "Oakfield Primary School" in text
    # Each child is found on the register (tests/test_pupil_picker.py), which is not sent.
    assert "Type part of their name, their class or their UPN, and find them" in text
    assert "Hart, Amelia" not in text
    assert "Sharing nudes and semi-nudes" in text
    assert form_state(response)["role_1"] == [ChildRole.SUBJECT]


def test_a_missing_account_is_refused_and_everything_typed_is_kept(staff_client, pupils):
    data = record_form(pupils, account="   ", categories=[str(category("sextortion").pk)])

    response = staff_client.post(reverse("concerns:new"), data)

    assert response.status_code == 200
    assert not Concern.objects.exists()
    text = page_text(response)
    assert text.startswith("Error: Record a concern")
    assert "There is a problem" in text
    assert "Write down what was said, in the speaker's own words" in text
    typed = form_state(response)
    assert typed["location"] == ["Head's office"]
    assert typed["discloser_name"] == ["Mrs Sarah Example"]
    assert typed["discloser_type"] == ["parent_carer"]
    assert typed["disclosed_at"] == [DISCLOSED]
    assert typed["categories"] == [str(category("sextortion").pk)]
    assert typed["child_1"] == [str(pupils[0].uuid)]
    assert typed["role_3"] == [ChildRole.WITNESS]
    assert typed["immediate_danger"] == ["no"]


def test_immediate_danger_tells_the_reporter_to_call_999_and_alerts_the_dsl_team(
    staff_client, dsl, pupils, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("concerns:new"), record_form(pupils, immediate_danger="yes")
        )

    concern = Concern.objects.get()
    assert concern.immediate_danger is True
    recorded = staff_client.get(response.url)
    assert "You said someone is in immediate danger. If you have not already, call 999 now." in (
        page_text(recorded)
    )
    (email,) = mailoutbox
    assert email.subject.startswith("IMMEDIATE DANGER")
    assert concern.reference in email.subject
    assert email.to == [dsl.email]
    # E-mail leaves the school: no child's name travels in it.
    assert "Amelia" not in email.body and "Hart" not in email.body


# The reporter's view of what they raised.


def test_the_reporter_adds_a_note_to_their_concern_and_sees_it(staff_client, staff, concern):
    response = staff_client.post(
        url("add_note", concern), {"text": "Amelia said this morning that he sent her money too."}
    )

    assert response.status_code == 302
    assert response.url == url("detail", concern)
    note = Note.objects.get(concern=concern)
    assert note.author_id == staff.pk
    assert history_rows(note) == [(staff.pk, "Information added")]
    detail = staff_client.get(response.url)
    text = page_text(detail)
    assert "Your information has been added to the record." in text
    assert "Amelia said this morning that he sent her money too." in text
    assert "Added by Tom Teacher" in text


def test_an_empty_note_is_refused_with_the_reason(staff_client, concern):
    response = staff_client.post(url("add_note", concern), {"text": "  "})

    assert response.status_code == 400
    text = page_text(response)
    assert "There is a problem" in text
    assert "Write the information you want to add" in text
    assert not Note.objects.exists()


def test_the_reporter_sees_what_they_raised_but_not_the_dsl_workflow(staff_client, concern):
    response = staff_client.get(url("detail", concern))

    text = page_text(response)
    assert f"Concern {concern.reference}" in text
    assert "She said: 'I found the sites on her tablet on Saturday.'" in text
    assert "Amelia Hart" in text
    assert "Safeguarding response" not in text
    assert "History of this concern" not in text


def test_the_dsl_sees_the_task_list_with_only_the_next_step_open(dsl_client, concern):
    response = dsl_client.get(url("detail", concern))

    text = page_text(response)
    assert "Recorded by Tom Teacher" in text
    assert "Check every child is safe Ready to start" in text
    assert "Preserve evidence Cannot start yet" in text
    links = re.findall(r'href="([^"]+)"', response.content.decode())
    assert url("safety", concern) in links
    assert url("evidence", concern) not in links


# The DSL team's workflow, one step at a time.


def test_dsl_records_the_safety_check_for_every_child(dsl_client, dsl, concern):
    page = dsl_client.get(url("safety", concern))
    assert "Is Amelia Hart safe now?" in page_text(page)
    amelia, bella, chloe = children_of(concern)
    data = safety_form(concern)
    data |= {
        f"safe_{bella.uuid.hex}": "no",
        f"action_{bella.uuid.hex}": "Police called; officer visited the home",
        f"action_at_{bella.uuid.hex}": "2026-11-20T10:15",
    }

    response = dsl_client.post(url("safety", concern), data)

    assert response.status_code == 302
    assert response.url == url("detail", concern)
    concern = fresh(concern)
    assert concern.step == Step.SAFETY_CHECKED
    amelia, bella, chloe = children_of(concern)
    assert (amelia.safe_now, bella.safe_now, chloe.safe_now) == (True, False, True)
    assert amelia.safety_notes == "Seen in class at 9:15"
    assert bella.safety_action == "Police called; officer visited the home"
    assert {c.safety_checked_by_id for c in (amelia, bella, chloe)} == {dsl.pk}
    assert latest_history(concern) == (dsl.pk, "Safety check recorded")
    assert history_rows(bella)[-1] == (dsl.pk, "Safety check recorded")
    detail = page_text(dsl_client.get(response.url))
    assert "The safety check has been recorded." in detail
    assert "Check every child is safe Completed" in detail
    assert "No. Police called; officer visited the home (20 Nov 2026, 10:15)" in detail


def test_an_unsafe_child_without_an_action_is_refused_and_the_answers_are_kept(dsl_client, concern):
    amelia = children_of(concern)[0]
    data = safety_form(concern, notes="Not seen today")
    data[f"safe_{amelia.uuid.hex}"] = "no"

    response = dsl_client.post(url("safety", concern), data)

    text = page_text(response)
    assert "There is a problem" in text
    assert "Say what was done to make Amelia Hart safe" in text
    assert form_state(response)[f"safe_{amelia.uuid.hex}"] == ["no"]
    assert form_state(response)[f"notes_{amelia.uuid.hex}"] == ["Not seen today"]
    assert fresh(concern).step == Step.RECORDED


def test_dsl_adds_a_child_identified_later(dsl_client, dsl, school, concern):
    dani = PupilFactory(school=school, legal_first_name="Dani", legal_last_name="Eve")

    response = dsl_client.post(
        url("safety", concern),
        {"add_child": "1", "add-pupil": str(dani.uuid), "add-role": ChildRole.AFFECTED},
    )

    assert response.status_code == 302
    assert response.url == url("safety", concern)
    child = ConcernChild.objects.get(concern=concern, pupil=dani)
    assert (child.role, child.added_by_id) == (ChildRole.AFFECTED, dsl.pk)
    assert latest_history(concern) == (dsl.pk, "Child added (another child affected)")
    page = page_text(dsl_client.get(response.url))
    assert "Dani Eve has been added to the concern." in page
    assert "Is Dani Eve safe now?" in page


def test_dsl_describes_evidence_attaches_a_document_and_completes_the_step(
    dsl_client, dsl, concern
):
    concern = bring_to(Step.SAFETY_CHECKED, concern, by=dsl)

    described = dsl_client.post(url("evidence", concern), evidence_item_form())
    attached = dsl_client.post(
        url("evidence", concern),
        {
            "form": "attachment",
            "attachment-description": "Letter from the mother",
            "attachment-file": SimpleUploadedFile("letter.pdf", PDF_BYTES),
        },
    )
    page = dsl_client.get(url("evidence", concern))
    completed = dsl_client.post(url("evidence", concern), advice_form(concern))

    assert described.status_code == attached.status_code == 302
    assert described.url == attached.url == url("evidence", concern)
    item = EvidenceItem.objects.get(concern=concern)
    assert item.location == "Amelia's tablet, chat app"
    assert history_rows(item) == [(dsl.pk, "Evidence described")]
    attachment = Attachment.objects.get(concern=concern)
    assert (attachment.original_name, attachment.content_type) == ("letter.pdf", "application/pdf")
    assert history_rows(attachment) == [(dsl.pk, "Document attached")]
    text = page_text(page)
    assert "14 messages from the username sparkle_friend_11 asking for pictures" in text
    assert "Letter from the mother (letter.pdf" in text
    assert "added by Dana Lead" in text

    assert completed.status_code == 302
    assert completed.url == url("detail", concern)
    concern = fresh(concern)
    assert concern.step == Step.EVIDENCE_PRESERVED
    assert concern.evidence_advice_given_to == "Mrs Sarah Example"
    assert latest_history(concern) == (dsl.pk, "Evidence step completed")
    detail = page_text(dsl_client.get(completed.url))
    assert "The evidence step is complete." in detail
    assert "Dana Lead told Mrs Sarah Example not to delete anything" in detail


def test_an_image_upload_on_a_sharing_nudes_concern_is_refused_and_nothing_is_saved(
    dsl_client, dsl, concern, _private_media
):
    concern = bring_to(Step.SAFETY_CHECKED, concern, by=dsl)
    page = dsl_client.get(url("evidence", concern))
    assert "images and videos will be refused" in page_text(page)

    response = dsl_client.post(
        url("evidence", concern),
        {
            "form": "attachment",
            "attachment-description": "Screenshot of the chat",
            "attachment-file": SimpleUploadedFile("chat.pdf", PNG_BYTES),
        },
    )

    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem" in text
    assert "Images and videos cannot be attached to a concern about sexual imagery" in text
    assert form_state(response)["attachment-description"] == ["Screenshot of the chat"]
    assert not Attachment.objects.exists()
    assert not list(_private_media.rglob("*"))


def test_dsl_records_the_referral_decision_despite_the_parents_wishes(dsl_client, dsl, concern):
    concern = answer_criteria(bring_to(Step.EVIDENCE_PRESERVED, concern, by=dsl), dsl)
    refer_to_social_care_and_police(concern, by=dsl)
    page = page_text(dsl_client.get(url("referral", concern)))
    assert "Does not want anyone else told." in page
    assert "Their wishes are recorded but do not override the duty to refer." in page
    assert "Refer: the referrals recorded above" in page

    response = dsl_client.post(url("referral", concern), referral_form(concern))

    assert response.status_code == 302
    assert response.url == url("detail", concern)
    concern = fresh(concern)
    assert concern.step == Step.REFERRAL_DECIDED
    assert concern.referral_decision == ReferralDecision.REFER
    assert concern.referral_agencies == [Agency.SOCIAL_CARE, Agency.POLICE]
    assert concern.parents_informed is False
    assert concern.parents_not_informed_reason.startswith("Social care asked us to wait")
    assert concern.decided_by_id == dsl.pk
    assert latest_history(concern) == (dsl.pk, "Referral decision recorded")
    detail = page_text(dsl_client.get(response.url))
    assert "The referral decision has been recorded." in detail
    assert "Referred to Children's social care (MASH), Police" in detail


def test_not_referring_without_reasons_is_refused(dsl_client, dsl, no_adult_concern):
    # Not referring is offered only where no immediate-referral criterion is met.
    concern = no_adult_concern
    data = referral_form(concern, decision=ReferralDecision.NOT_REFER, rationale="")

    response = dsl_client.post(url("referral", concern), data)

    assert "Explain why the concern is not being referred" in page_text(response)
    assert form_state(response)["decision"] == [ReferralDecision.NOT_REFER]
    assert fresh(concern).step == Step.EVIDENCE_PRESERVED


def test_dsl_plans_support_for_each_child_and_school_wide_follow_up(dsl_client, dsl, concern):
    concern = bring_to(Step.REFERRAL_DECIDED, concern, by=dsl)

    added = [
        dsl_client.post(url("support", concern), support_action_form(child))
        for child in children_of(concern)
    ]
    followed = dsl_client.post(url("support", concern), follow_up_form())
    page = page_text(dsl_client.get(url("support", concern)))
    planned = dsl_client.post(url("support", concern), plan_form(concern))

    assert [r.url for r in [*added, followed]] == [url("support", concern)] * 4
    assert SupportAction.objects.filter(child__concern=concern).count() == 3
    follow_up = FollowUpAction.objects.get(concern=concern)
    assert history_rows(follow_up) == [(dsl.pk, "School-wide follow-up planned")]
    assert "Weekly check-in with the pastoral lead; praised for telling" in page
    assert "Extra e-safety lessons for pupils" in page

    assert planned.status_code == 302
    assert planned.url == url("detail", concern)
    concern = fresh(concern)
    assert concern.step == Step.SUPPORT_PLANNED
    assert latest_history(concern) == (dsl.pk, "Support planned")
    assert "The support step is complete." in page_text(dsl_client.get(planned.url))


def test_completing_support_without_support_for_every_child_is_refused(dsl_client, dsl, concern):
    concern = bring_to(Step.REFERRAL_DECIDED, concern, by=dsl)
    dsl_client.post(url("support", concern), support_action_form(children_of(concern)[0]))

    response = dsl_client.post(
        url("support", concern), plan_form(concern, no_follow_up_reason="Done last term")
    )

    assert response.status_code == 200
    assert "Plan support for Bella Cole, Chloe Dunn." in page_text(response)
    assert form_state(response)["no_follow_up_reason"] == ["Done last term"]
    assert fresh(concern).step == Step.REFERRAL_DECIDED


def test_dsl_closes_a_concern_and_it_is_kept(dsl_client, dsl, concern):
    concern = bring_to(Step.SUPPORT_PLANNED, concern, by=dsl)

    response = dsl_client.post(url("close", concern), close_form(concern))

    assert response.status_code == 302
    assert response.url == url("detail", concern)
    concern = fresh(concern)
    assert concern.step == Step.CLOSED
    assert concern.closed_at is not None
    assert concern.outcome_summary.startswith("Referred to social care and the police")
    assert latest_history(concern) == (dsl.pk, "Concern closed")
    detail = page_text(dsl_client.get(response.url))
    assert f"Concern {concern.reference} is closed. It is kept, not deleted." in detail
    assert "Outcome Referred to social care and the police" in detail


def test_a_closed_concern_still_takes_notes_but_not_corrections(dsl_client, dsl, concern):
    concern = bring_to(Step.CLOSED, concern, by=dsl)

    correction = dsl_client.get(url("correct", concern), follow=True)
    note = dsl_client.post(url("add_note", concern), {"text": "Police confirmed an arrest."})

    assert "This concern is closed. Add a note to it instead." in messages_shown(correction)
    assert note.status_code == 302
    assert Note.objects.get(concern=concern).text == "Police confirmed an arrest."


def test_dsl_corrects_the_record_with_a_reason(dsl_client, dsl, concern):
    page = dsl_client.get(url("correct", concern))
    typed = form_state(page)
    assert typed["location"] == ["Head's office"]
    assert typed["categories"] == [str(category("sharing-nudes").pk)]
    assert typed["other_children"] == ["yes"]
    data = {k: v if len(v) > 1 else v[0] for k, v in typed.items() if k != "csrfmiddlewaretoken"}
    data |= {"location": "Head's office, with the deputy head present", "reason": ""}

    refused = dsl_client.post(url("correct", concern), data)
    corrected = dsl_client.post(url("correct", concern), data | {"reason": "Deputy was there"})

    assert "Enter the reason for this correction" in page_text(refused)
    assert form_state(refused)["location"] == ["Head's office, with the deputy head present"]
    assert corrected.status_code == 302
    concern = fresh(concern)
    assert concern.location == "Head's office, with the deputy head present"
    assert latest_history(concern) == (dsl.pk, "Corrected: Deputy was there")
    history = page_text(dsl_client.get(url("history", concern)))
    assert "Reason: Corrected: Deputy was there" in history
    assert "Location Head's office Head's office, with the deputy head present" in history


# Steps cannot be skipped.


@pytest.mark.parametrize("method", ["get", "post"])
def test_evidence_before_the_safety_check_sends_the_dsl_back(dsl_client, concern, method):
    response = getattr(dsl_client, method)(
        url("evidence", concern), advice_form(concern), follow=True
    )

    assert response.redirect_chain == [(url("detail", concern), 302)]
    assert messages_shown(response) == ["Complete “Safety checked” first."]
    assert "Complete “Safety checked” first." in page_text(response)
    concern = fresh(concern)
    assert concern.step == Step.RECORDED
    assert concern.evidence_advice_given_by == ""


@pytest.mark.parametrize(
    ("name", "done", "needed"),
    [
        ("referral", Step.SAFETY_CHECKED, "Evidence preserved"),
        ("support", Step.EVIDENCE_PRESERVED, "Referral decided"),
        ("close", Step.REFERRAL_DECIDED, "Support planned"),
    ],
)
def test_later_steps_wait_for_the_one_before(dsl_client, dsl, concern, name, done, needed):
    concern = bring_to(done, concern, by=dsl)

    response = dsl_client.get(url(name, concern), follow=True)

    assert response.redirect_chain == [(url("detail", concern), 302)]
    assert messages_shown(response) == [f"Complete “{needed}” first."]


# Corrections to a completed step need a reason, and the history says it.


CORRECTIONS = {
    "safety": (Step.SAFETY_CHECKED, lambda c: safety_form(c, notes="Seen at lunch, 12:30")),
    "evidence": (Step.EVIDENCE_PRESERVED, lambda c: advice_form(c, advice_given_to="Mr Example")),
    "referral": (
        Step.REFERRAL_DECIDED,
        lambda c: referral_form(c, rationale="Social care and the police both agreed."),
    ),
    "support": (Step.SUPPORT_PLANNED, lambda c: plan_form(c, no_follow_up_reason="Done")),
}


@pytest.mark.parametrize("name", CORRECTIONS)
def test_correcting_a_completed_step_needs_a_reason(dsl_client, dsl, concern, name):
    step, form = CORRECTIONS[name]
    concern = bring_to(step, concern, by=dsl)
    before = concern.history.count()
    assert "Reason for the correction" in page_text(dsl_client.get(url(name, concern)))

    refused = dsl_client.post(url(name, concern), form(concern))

    assert refused.status_code == 200
    assert "Enter the reason for this correction" in page_text(refused)
    assert concern.history.count() == before

    saved = dsl_client.post(url(name, concern), form(concern) | {"reason": "Typed in a hurry"})

    assert saved.status_code == 302
    concern = fresh(concern)
    assert concern.step == step
    assert latest_history(concern) == (dsl.pk, "Corrected: Typed in a hurry")
    history = page_text(dsl_client.get(url("history", concern)))
    assert "by Dana Lead. Reason: Corrected: Typed in a hurry" in history


# Two people at once.


def test_a_stale_safety_check_is_refused_and_keeps_what_was_typed(dsl, deputy, concern):
    lead, second = signed_in(dsl), signed_in(deputy)
    lead_page, second_page = lead.get(url("safety", concern)), second.get(url("safety", concern))
    assert shown_version(lead_page) == shown_version(second_page) == str(concern.version)

    lead.post(url("safety", concern), safety_form(concern, notes="Dana saw her at 9:15"))
    stale = second.post(url("safety", concern), safety_form(concern, notes="Dev saw her at 9:20"))

    assert stale.status_code == 200
    text = page_text(stale)
    assert "Someone else changed this concern while you were editing it." in text
    amelia = children_of(concern)[0]
    assert form_state(stale)[f"notes_{amelia.uuid.hex}"] == ["Dev saw her at 9:20"]
    assert {c.safety_notes for c in children_of(concern)} == {"Dana saw her at 9:15"}
    assert {c.safety_checked_by_id for c in children_of(concern)} == {dsl.pk}
    current = fresh(concern)
    assert shown_version(stale) == str(current.version)
    # Dana's check completed the step, so Dev's answers now correct it and need a reason.
    assert "Enter the reason for this correction" in text

    data = safety_form(concern, notes="Dev saw her at 9:20", version=shown_version(stale))
    resubmitted = second.post(url("safety", concern), data | {"reason": "Seen again later"})

    assert resubmitted.status_code == 302
    assert {c.safety_notes for c in children_of(concern)} == {"Dev saw her at 9:20"}
    assert latest_history(concern) == (deputy.pk, "Corrected: Seen again later")


def test_a_stale_correction_is_refused_then_resubmitted(dsl, deputy, concern):
    concern = bring_to(Step.SAFETY_CHECKED, concern, by=dsl)
    lead, second = signed_in(dsl), signed_in(deputy)
    version = shown_version(lead.get(url("safety", concern)))
    assert shown_version(second.get(url("safety", concern))) == version

    lead.post(
        url("safety", concern),
        safety_form(concern, version=version, notes="Dana: seen", reason="Checked again"),
    )
    typed = safety_form(concern, version=version, notes="Dev: seen", reason="Dev checked")
    stale = second.post(url("safety", concern), typed)

    text = page_text(stale)
    assert "Someone else changed this concern while you were editing it." in text
    assert "Enter the reason" not in text
    assert form_state(stale)["reason"] == ["Dev checked"]
    assert {c.safety_notes for c in children_of(concern)} == {"Dana: seen"}

    resubmitted = second.post(url("safety", concern), typed | {"version": shown_version(stale)})

    assert resubmitted.status_code == 302
    assert {c.safety_notes for c in children_of(concern)} == {"Dev: seen"}
    assert latest_history(concern) == (deputy.pk, "Corrected: Dev checked")


STEP_FORMS = {
    "evidence": (Step.SAFETY_CHECKED, lambda c: advice_form(c, no_evidence_reason="None kept")),
    "referral": (Step.EVIDENCE_PRESERVED, referral_form),
    "support": (Step.REFERRAL_DECIDED, lambda c: plan_form(c, no_follow_up_reason="Done")),
    "close": (Step.SUPPORT_PLANNED, close_form),
}


@pytest.mark.parametrize("name", STEP_FORMS)
def test_any_step_submitted_after_someone_else_changed_the_concern_is_refused(
    dsl, deputy, school, concern, name
):
    before, form = STEP_FORMS[name]
    concern = bring_to(before, concern, by=dsl)
    if name == "referral":
        concern = answer_criteria(concern, dsl)
        refer_to_social_care_and_police(concern, by=dsl)
    if name == "support":
        support_every_child(concern, by=dsl)
    client = signed_in(dsl)
    shown = shown_version(client.get(url(name, concern)))
    services.concern_add_child(
        concern=concern,
        by=deputy,
        pupil=PupilFactory(school=school),
        role=ChildRole.WITNESS,
        safety=services.SafetyCheckInput(safe_now=True, notes="In class"),
    )

    stale = client.post(url(name, concern), form(concern) | {"version": shown})

    assert "Someone else changed this concern while you were editing it." in page_text(stale)
    assert fresh(concern).step == before
    assert latest_history(concern) == (deputy.pk, "Child added (witness)")

    again = client.post(url(name, concern), form(concern) | {"version": shown_version(stale)})

    assert again.status_code == 302
    assert fresh(concern).step == before + 1
    assert latest_history(concern)[0] == dsl.pk


def test_the_dsl_takes_the_domain_case_through_every_step(dsl_client, dsl, staff, concern):
    """Option 3 from DOMAIN.md, page by page, each form posting the version its page showed."""

    def submit(name, data):
        version = shown_version(dsl_client.get(url(name, concern)))
        response = dsl_client.post(url(name, concern), data | {"version": version})
        assert response.status_code == 302, page_text(response)
        return response

    submit("safety", safety_form(concern))
    dsl_client.post(url("evidence", concern), evidence_item_form())
    submit("evidence", advice_form(concern))
    page = dsl_client.get(url("referral", concern))
    (version,) = form_state(page)["criteria-version"]
    answered = dsl_client.post(url("referral", concern), criteria_form(concern, version=version))
    assert answered.url == url("referral", concern)
    referred = dsl_client.post(
        reverse("referrals:new", args=[concern.uuid]), new_referral_form(concern)
    )
    assert referred.url == url("referral", concern)
    # An adult's involvement is not known, which counts as yes: the police are told too.
    dsl_client.post(reverse("referrals:new", args=[concern.uuid]), police_referral_form(concern))
    submit("referral", referral_form(concern))
    for child in children_of(concern):
        dsl_client.post(url("support", concern), support_action_form(child))
    dsl_client.post(url("support", concern), follow_up_form())
    submit("support", plan_form(concern))
    closed = submit("close", close_form(concern))

    assert fresh(concern).step == Step.CLOSED
    detail = page_text(dsl_client.get(closed.url))
    for step in [
        "Check every child is safe",
        "Preserve evidence",
        "Decide on referral",
        "Plan support and school-wide follow-up",
    ]:
        assert f"{step} Completed" in detail
    reasons = [reason for user, reason in history_rows(concern) if user == dsl.pk]
    assert reasons == [
        "Safety check recorded",
        "Evidence step completed",
        "Immediate-referral questions answered",
        "Referral decision recorded",
        "Support planned",
        "Concern closed",
    ]
    history = page_text(dsl_client.get(url("history", concern)))
    assert history.index("Reason: Concern closed") < history.index("Reason: Concern recorded")


# The history page and documents.


def test_the_history_shows_who_did_what_and_why(dsl_client, dsl, staff, concern):
    concern = bring_to(Step.SAFETY_CHECKED, concern, by=dsl)

    response = dsl_client.get(url("history", concern))

    text = page_text(response)
    assert f"History – {concern.reference}" in text
    assert "by Tom Teacher. Reason: Concern recorded" in text
    assert "by Dana Lead. Reason: Safety check recorded" in text
    assert "Child: Amelia Hart: added" in text
    assert "Categories – Sharing nudes and semi-nudes" in text


def test_dsl_downloads_an_attachment_privately(dsl_client, dsl, concern):
    attachment = attach_pdf(concern, by=dsl)

    response = dsl_client.get(url("attachment", concern, attachment.uuid))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    response.close()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="body-map.pdf"'
    assert response["Cache-Control"] == "private, no-store"


# Categories.


def test_dsl_adds_a_category_for_their_school(dsl_client, dsl, school):
    page = page_text(dsl_client.get(reverse("concerns:categories")))
    assert "Sharing nudes and semi-nudes" in page

    response = dsl_client.post(
        reverse("concerns:categories"), {"name": "Cyberbullying", "is_online_safety": "on"}
    )

    assert response.status_code == 302
    added = Category.objects.get(school=school)
    assert (added.name, added.slug, added.is_online_safety) == (
        "Cyberbullying",
        "cyberbullying",
        True,
    )
    assert history_rows(added) == [(dsl.pk, "Category added by the school")]
    listed = page_text(dsl_client.get(response.url))
    assert "“Cyberbullying” has been added to your categories." in listed
    assert "Cyberbullying Added by your school" in listed


def test_a_category_named_for_sexual_harm_is_held_to_its_rules_with_no_box_ticked(
    dsl_client, school, staff, pupils
):
    dsl_client.post(reverse("concerns:categories"), {"name": "Youth-produced sexual imagery"})

    added = Category.objects.get(school=school)
    concern = services.concern_record(
        school=school,
        reporter=staff,
        discloser_type="child",
        discloser_name="",
        discloser_relationship="",
        disclosed_at=timezone.now() - datetime.timedelta(minutes=5),
        location="Classroom 4B",
        account="She said a boy in Year 6 passed round a picture.",
        categories=[added],
        children=[services.ChildInput(pupil=pupils[0], role=ChildRole.SUBJECT)],
    )
    # No images kept, and a decision not to refer is countersigned.
    assert rules.images_refused(concern)
    assert "the concern is about sexual harm" in rules.indicators(concern)


def test_a_category_that_exists_already_is_refused(dsl_client, school):
    response = dsl_client.post(reverse("concerns:categories"), {"name": "Sharing nudes"})

    text = page_text(response)
    assert "There is a problem" in text
    assert "There is already a category called “Sharing nudes”." in text
    assert not Category.objects.filter(school=school).exists()


# The concern list.


def test_staff_see_only_the_concerns_they_raised_in_the_list(
    staff_client, school, staff, other_staff, pupils
):
    mine = record_concern(school=school, reporter=staff, pupils=pupils[:1])
    theirs = record_concern(school=school, reporter=other_staff, pupils=pupils[1:2])

    response = staff_client.get(reverse("concerns:list"))

    text = page_text(response)
    assert mine.reference in text
    assert theirs.reference not in text
    assert "Categories of concern" not in text


def test_the_dsl_sees_every_concern_at_their_school(dsl_client, school, staff, other_staff, pupils):
    mine = record_concern(school=school, reporter=staff, pupils=pupils[:1])
    theirs = record_concern(
        school=school, reporter=other_staff, pupils=pupils[1:2], immediate_danger=True
    )

    response = dsl_client.get(reverse("concerns:list"))

    text = page_text(response)
    assert f"{theirs.reference} Immediate danger" in text
    assert mine.reference in text
    assert "Tom Teacher" in text and "Olive Other" in text
    assert "Categories of concern" in text
