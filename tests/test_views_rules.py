"""The pages that hold a concern to safeguarding guidance: the immediate-referral questions,
the grounds for not referring and their countersignature, children not yet identified,
flagged entries, advice given, the sextortion payment question and the guidance cards.

Each page is driven as the DSL team uses it, and refused to everyone else: the reporter and
governors (403), another school (404), anyone signed out (sign in first), and a GET where
only a POST may change anything (405).
"""

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from concerns import services
from concerns.models import (
    AdviceGiven,
    ChildRole,
    Concern,
    ConcernChild,
    GuidanceCard,
    NotReferGround,
    PracticeFlag,
    ReferralDecision,
    Step,
    UnnamedChild,
    YesNoUnknown,
)
from concerns.rules import FAMILY_WISHES_MESSAGE
from tests.factories import PupilFactory, answer_criteria, category, record_concern
from tests.test_views_concerns import (
    SPOKEN_TO,
    advice_form,
    bring_to,
    children_of,
    criteria_form,
    days_ahead,
    form_state,
    fresh,
    history_rows,
    latest_history,
    messages_shown,
    minutes_ago,
    page_text,
    record_form,
    referral_form,
    safety_form,
    signed_in,
    url,
)

RATIONALE = "The three girls shared pictures among themselves; no adult, and no coercion."
AWAITING = (
    "The decision not to refer is recorded. Another member of the safeguarding team must now "
    "countersign it before the concern can move on."
)


def ground_fields(ground: str) -> dict:
    """What each ground needs, as the referral page posts it."""
    return {
        NotReferGround.ADVICE: {
            "not_refer_contact": "Sam Duty, Demoshire MASH",
            "not_refer_contact_at": minutes_ago(60),
            "not_refer_advice": "No referral needed: the school to support the girls.",
        },
        NotReferGround.THRESHOLD: {
            "threshold_level": "Level 2: early help",
            "not_refer_advice": "Early help assessment; weekly check-ins with the pastoral lead.",
            "not_refer_review_date": days_ahead(28),
        },
        NotReferGround.KNOWN: {
            "not_refer_contact": "Jo Worker, Demoshire children's services",
            "not_refer_contact_at": minutes_ago(60),
        },
    }[ground]


def not_refer_form(concern, ground=NotReferGround.THRESHOLD, **overrides) -> dict:
    data = referral_form(
        concern,
        decision=ReferralDecision.NOT_REFER,
        rationale=RATIONALE,
        parents_informed="yes",
        parents_not_informed_reason="",
        not_refer_ground=ground,
        **ground_fields(ground),
    )
    data.update(overrides)
    return data


def countersign_form(concern, **overrides) -> dict:
    data = {
        "form": "countersign",
        "countersign-version": str(concern.version),
        "countersign-countersign_reason": "I agree: early help is the right level for this.",
    }
    data.update(overrides)
    return data


def decide_not_to_refer(concern, *, by) -> Concern:
    services.concern_decide_referral(
        concern=concern,
        by=by,
        version=concern.version,
        decision=ReferralDecision.NOT_REFER,
        rationale=RATIONALE,
        police_not_told_reason="",
        parents_informed=True,
        parents_not_informed_reason="",
        not_referring=services.NotReferring(
            ground=NotReferGround.THRESHOLD,
            threshold_level="Level 2: early help",
            advice="Early help assessment; weekly check-ins with the pastoral lead.",
            review_date=timezone.localdate() + datetime.timedelta(days=28),
        ),
    )
    return fresh(concern)


def section(response, anchor: str) -> str:
    """The HTML of the page from the element with id=`anchor` to the next h2."""
    content = response.content.decode()
    part = content[content.rindex("<", 0, content.index(f'id="{anchor}"')) :]
    end = part.find("<h2", 1)
    return part if end == -1 else part[:end]


def words(html_text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", html_text)).split())


@pytest.fixture
def concern(school, staff, pupils):
    """The DOMAIN.md case: sharing nudes, an adult's involvement not known, three girls of 9."""
    return fresh(record_concern(school=school, reporter=staff, pupils=pupils, other_children="yes"))


@pytest.fixture
def no_adult(school, staff, dsl, pupils):
    """Nudes shared among the three girls, no adult involved, at the referral step with every
    immediate-referral question answered "no": not referring is offered, and needs a
    countersignature (the concern is about sexual harm)."""
    concern = record_concern(
        school=school, reporter=staff, pupils=pupils, adult_involved="no", other_children="yes"
    )
    return fresh(answer_criteria(bring_to(Step.EVIDENCE_PRESERVED, concern, by=dsl), dsl))


@pytest.fixture
def not_referred(no_adult, dsl):
    """Dana decided not to refer (the threshold is not met); it awaits a countersignature."""
    return decide_not_to_refer(no_adult, by=dsl)


# --- Recording: other children; the safety check: who has spoken to each child ----------


def test_the_record_form_asks_whether_other_children_are_involved(staff, pupils):
    data = record_form(pupils)
    del data["other_children"]

    response = signed_in(staff).post(reverse("concerns:new"), data)

    assert response.status_code == 200
    assert "Select whether other children are involved or at risk" in page_text(response)
    assert form_state(response)["account"] == [data["account"]]
    assert not Concern.objects.exists()


def test_other_children_said_to_be_involved_are_named_or_described(staff, school, pupils):
    alone = record_form(pupils, child_2="", role_2="", child_3="", role_3="")
    client = signed_in(staff)

    refused = client.post(reverse("concerns:new"), alone)
    described = client.post(
        reverse("concerns:new"),
        alone
        | {"unnamed_children": "Two friends at the sleepover\n\nA boy in Year 6, name not known"},
    )

    assert "Name the other children, or describe them below if you do not know who they are" in (
        page_text(refused)
    )
    concern = Concern.objects.get(school=school)
    assert described.url == url("recorded", concern)
    assert concern.other_children == YesNoUnknown.YES
    unnamed = list(UnnamedChild.objects.filter(concern=concern).order_by("pk"))
    assert [u.description for u in unnamed] == [
        "Two friends at the sleepover",
        "A boy in Year 6, name not known",
    ]
    assert {history_rows(u)[0] for u in unnamed} == {
        (staff.pk, "Child described when the concern was recorded")
    }


def test_the_safety_check_asks_who_has_spoken_to_each_child(dsl, concern):
    amelia = children_of(concern)[0]
    data = safety_form(concern)
    data[f"spoken_to_{amelia.uuid.hex}"] = ""

    response = signed_in(dsl).post(url("safety", concern), data)

    assert response.status_code == 200
    text = page_text(response)
    assert "Say who has spoken to Amelia Hart about this, and why (or that no one has)" in text
    assert form_state(response)[f"notes_{amelia.uuid.hex}"] == ["Seen in class at 9:15"]
    assert fresh(concern).step == Step.RECORDED


def test_a_child_questioned_is_flagged_for_the_dsl_team_to_review(dsl, deputy, concern):
    amelia = children_of(concern)[0]
    data = safety_form(concern)
    data[f"spoken_to_{amelia.uuid.hex}"] = "Her teacher questioned her about the pictures."
    client = signed_in(dsl)

    response = client.post(url("safety", concern), data)

    assert response.status_code == 302
    assert children_of(concern)[0].spoken_to == "Her teacher questioned her about the pictures."
    flag = PracticeFlag.objects.get(concern=concern)
    assert (flag.source, flag.concern_text, flag.raised_by_id) == (
        "Safety check: Amelia Hart",
        "A child questioned or interviewed",
        dsl.pk,
    )
    detail = client.get(url("detail", concern))
    assert "A child questioned or interviewed (Safety check: Amelia Hart) To review" in (
        page_text(detail)
    )
    # Whoever wrote it does not review it: a second person looks.
    assert f"{flag.uuid.hex}-review_notes" not in form_state(detail)
    assert "You wrote this, so another member of the DSL team reviews it." in page_text(detail)
    other = signed_in(deputy).get(url("detail", concern))
    assert f"{flag.uuid.hex}-review_notes" in form_state(other)


# --- The immediate-referral questions ----------------------------------------------------


def test_the_dsl_answers_the_immediate_referral_questions(dsl, school, staff, pupils):
    concern = record_concern(school=school, reporter=staff, pupils=pupils, adult_involved="no")
    concern = bring_to(Step.EVIDENCE_PRESERVED, concern, by=dsl)
    client = signed_in(dsl)
    page = page_text(client.get(url("referral", concern)))
    assert "Is an adult involved? No From the record: adult involved, “no”" in page
    assert "Under 13 when this was disclosed: Amelia Hart (9), Bella Cole (9), Chloe Dunn (9)." in (
        page
    )
    assert "Answer the immediate-referral questions above before recording the decision." in page

    response = client.post(
        url("referral", concern), criteria_form(concern, harm_risk=YesNoUnknown.UNKNOWN)
    )

    assert response.status_code == 302
    assert response.url == url("referral", concern)
    concern = fresh(concern)
    assert (
        concern.criterion_coercion,
        concern.criterion_unusual_content,
        concern.criterion_sexual_acts,
        concern.criterion_harm_risk,
    ) == ("no", "no", "no", "unknown")
    assert concern.criteria_notes == "What the mother said about the messages."
    assert concern.criteria_assessed_by_id == dsl.pk
    assert latest_history(concern) == (dsl.pk, "Immediate-referral questions answered")
    shown = client.get(response.url)
    text = page_text(shown)
    assert "The answers to the immediate-referral questions are saved." in text
    # "Not known" counts as yes: the referral is no longer optional.
    assert "A referral is not optional: is there reason to believe a child is at immediate" in text
    assert [value for value, _ in shown.context["form"].fields["decision"].choices] == [
        ReferralDecision.REFER
    ]


def test_a_question_left_unanswered_is_refused_and_the_other_answers_are_kept(dsl, concern):
    concern = bring_to(Step.EVIDENCE_PRESERVED, concern, by=dsl)
    data = criteria_form(concern, coercion=YesNoUnknown.YES)
    del data["criteria-harm_risk"]

    response = signed_in(dsl).post(url("referral", concern), data)

    assert response.status_code == 200
    text = page_text(response)
    assert text.startswith("Error: Referral")
    assert "Answer this question (“Not known” if unsure)" in text
    typed = form_state(response)
    assert typed["criteria-coercion"] == [YesNoUnknown.YES]
    assert typed["criteria-notes"] == ["What the mother said about the messages."]
    assert fresh(concern).criteria_assessed_at is None


def test_changing_the_answers_needs_a_reason(dsl, concern):
    concern = answer_criteria(bring_to(Step.EVIDENCE_PRESERVED, concern, by=dsl), dsl)
    client = signed_in(dsl)

    refused = client.post(url("referral", concern), criteria_form(concern, coercion="yes"))
    saved = client.post(
        url("referral", concern),
        criteria_form(concern, coercion="yes") | {"criteria-reason": "The mother rang back"},
    )

    assert "Enter the reason for this correction" in page_text(refused)
    assert form_state(refused)["criteria-coercion"] == ["yes"]
    assert saved.status_code == 302
    assert fresh(concern).criterion_coercion == YesNoUnknown.YES
    assert latest_history(concern) == (dsl.pk, "Corrected: The mother rang back")


# --- The decision: "Do not refer" only where no criterion is met, and only on a ground -----


@pytest.mark.parametrize(
    "answers",
    [
        {},  # the default concern: an adult's involvement is not known
        {"sexual_acts": YesNoUnknown.UNKNOWN},
        {"coercion": YesNoUnknown.YES},
    ],
    ids=["adult-not-known", "sexual-acts-not-known", "coercion"],
)
def test_do_not_refer_is_not_offered_where_a_criterion_is_met(dsl, school, staff, pupils, answers):
    adult = YesNoUnknown.UNKNOWN if not answers else YesNoUnknown.NO
    concern = record_concern(school=school, reporter=staff, pupils=pupils, adult_involved=adult)
    concern = answer_criteria(bring_to(Step.EVIDENCE_PRESERVED, concern, by=dsl), dsl, **answers)
    client = signed_in(dsl)

    page = client.get(url("referral", concern))

    assert "“Do not refer” is not offered." in page_text(page)
    assert "not_refer_ground" not in page.context["form"].fields
    assert 'value="not_refer"' not in page.content.decode()

    posted = client.post(url("referral", concern), not_refer_form(concern))

    assert posted.status_code == 200
    assert "Select a valid choice" in page_text(posted)
    assert fresh(concern).referral_decision == ""
    assert fresh(concern).step == Step.EVIDENCE_PRESERVED


def test_do_not_refer_is_offered_with_its_grounds_where_no_criterion_is_met(dsl, no_adult):
    page = signed_in(dsl).get(url("referral", no_adult))

    text = page_text(page)
    assert "Do not refer" in text
    for ground in NotReferGround:
        assert ground.label in text
    assert (
        "If you decide not to refer, another member of the safeguarding team must countersign "
        "the decision, because the concern is about sexual harm"
    ) in text


@pytest.mark.parametrize("ground", list(NotReferGround))
def test_the_dsl_decides_not_to_refer_on_each_ground(dsl, no_adult, ground):
    client = signed_in(dsl)

    response = client.post(url("referral", no_adult), not_refer_form(no_adult, ground))

    assert response.status_code == 302
    assert response.url == url("detail", no_adult)
    concern = fresh(no_adult)
    assert concern.step == Step.REFERRAL_DECIDED
    assert concern.referral_decision == ReferralDecision.NOT_REFER
    assert concern.not_refer_ground == ground
    assert concern.referral_rationale == RATIONALE
    assert concern.decided_by_id == dsl.pk
    assert concern.countersigned_by_id is None
    if ground == NotReferGround.THRESHOLD:
        assert (concern.threshold_level, concern.not_refer_review_date.isoformat()) == (
            "Level 2: early help",
            days_ahead(28),
        )
    else:
        assert concern.not_refer_contact == ground_fields(ground)["not_refer_contact"]
        assert concern.not_refer_contact_at is not None
    assert latest_history(concern) == (dsl.pk, "Referral decision recorded")
    detail = client.get(response.url)
    assert messages_shown(detail) == [AWAITING]
    text = page_text(detail)
    assert f"Ground for not referring {ground.label}" in text
    assert "Countersigned Awaiting countersignature" in text


@pytest.mark.parametrize(
    ("ground", "overrides", "field", "message"),
    [
        (NotReferGround.THRESHOLD, {"not_refer_ground": ""}, "rationale", None),
        (
            NotReferGround.ADVICE,
            {"not_refer_contact": ""},
            "not_refer_contact",
            "Enter who advised",
        ),
        (
            NotReferGround.ADVICE,
            {"not_refer_contact_at": ""},
            "not_refer_contact_at",
            "Enter when you spoke to them",
        ),
        (
            NotReferGround.ADVICE,
            {"not_refer_contact_at": minutes_ago(-120)},
            "not_refer_contact_at",
            "The date and time cannot be in the future",
        ),
        (
            NotReferGround.ADVICE,
            {"not_refer_advice": ""},
            "not_refer_contact",
            "Enter what they advised",
        ),
        (
            NotReferGround.KNOWN,
            {"not_refer_contact": ""},
            "not_refer_contact_at",
            "Enter the name of the child's social worker",
        ),
        (
            NotReferGround.THRESHOLD,
            {"threshold_level": ""},
            "not_refer_advice",
            "Enter the level of the threshold document",
        ),
        (
            NotReferGround.THRESHOLD,
            {"not_refer_advice": ""},
            "threshold_level",
            "Enter what will happen instead",
        ),
        (
            NotReferGround.THRESHOLD,
            {"not_refer_review_date": ""},
            "threshold_level",
            "Enter the date of the review",
        ),
        (
            NotReferGround.THRESHOLD,
            {"not_refer_review_date": days_ahead(0)},
            "threshold_level",
            "The review date must be in the future",
        ),
        (
            NotReferGround.THRESHOLD,
            {"rationale": "Her mother does not want social care involved."},
            "threshold_level",
            FAMILY_WISHES_MESSAGE,
        ),
        (
            NotReferGround.THRESHOLD,
            {"not_refer_advice": "The family will handle it at home."},
            "threshold_level",
            FAMILY_WISHES_MESSAGE,
        ),
    ],
    ids=[
        "no-ground",
        "advice-who",
        "advice-when",
        "advice-when-in-future",
        "advice-what",
        "known-social-worker",
        "threshold-level",
        "threshold-instead",
        "threshold-review",
        "threshold-review-today",
        "rationale-parents-wish",
        "advice-family-handles-it",
    ],
)
def test_an_incomplete_ground_is_refused_with_the_reason_and_what_was_typed_is_kept(
    dsl, no_adult, ground, overrides, field, message
):
    data = not_refer_form(no_adult, ground, **overrides)

    response = signed_in(dsl).post(url("referral", no_adult), data)

    assert response.status_code == 200
    text = page_text(response)
    assert text.startswith("Error: Referral")
    assert "There is a problem" in text
    assert (message or "Select the ground for not referring") in text
    typed = form_state(response)
    assert typed["decision"] == [ReferralDecision.NOT_REFER]
    assert typed[field] == [data[field]]
    concern = fresh(no_adult)
    assert (concern.step, concern.referral_decision) == (Step.EVIDENCE_PRESERVED, "")
    assert concern.version == no_adult.version


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("rationale", "In line with parental wishes, no referral."),
        ("not_refer_advice", "Left to the parents to monitor at home."),
    ],
)
def test_a_family_wish_is_shown_beside_the_field_that_gives_it(dsl, no_adult, field, text):
    """With two reasons typed, the DSL is shown which one rests on the family's wishes."""
    data = not_refer_form(no_adult, NotReferGround.THRESHOLD, **{field: text})

    response = signed_in(dsl).post(url("referral", no_adult), data)

    page = response.content.decode()
    assert f'<a href="#id_{field}">{FAMILY_WISHES_MESSAGE}</a>' in page.replace("&#x27;", "'")
    assert f'id="id_{field}_error"' in page
    assert form_state(response)[field] == [text]
    assert fresh(no_adult).referral_decision == ""


def test_the_next_step_says_it_waits_for_the_countersignature(dsl, not_referred):
    text = page_text(signed_in(dsl).get(url("detail", not_referred)))

    assert "Plan support and school-wide follow-up Waiting for a countersignature" in text
    assert "Ready to start" not in text


# --- Countersignature --------------------------------------------------------------------


def test_the_decider_cannot_countersign_their_own_decision(dsl, not_referred):
    client = signed_in(dsl)
    page = page_text(client.get(url("referral", not_referred)))
    assert "You made this decision, so someone else must countersign it" in page

    response = client.post(url("referral", not_referred), countersign_form(not_referred))

    assert response.status_code == 200
    text = page_text(response)
    assert text.startswith("Error: Referral")
    assert "Another member of the safeguarding team must countersign: you made this decision." in (
        text
    )
    # They were never offered the form: nothing of theirs to give back.
    assert "Countersign the decision" not in text
    concern = fresh(not_referred)
    assert (concern.countersigned_by_id, concern.version) == (None, not_referred.version)


def test_the_deputy_countersigns_the_decision_not_to_refer(dsl, deputy, not_referred):
    client = signed_in(deputy)
    page = page_text(client.get(url("referral", not_referred)))
    assert "Dana Lead decided not to refer (the local threshold for a referral is not met)" in page
    assert "Countersign the decision" in page

    response = client.post(url("referral", not_referred), countersign_form(not_referred))

    assert response.status_code == 302
    assert response.url == url("detail", not_referred)
    concern = fresh(not_referred)
    assert concern.countersigned_by_id == deputy.pk
    assert concern.countersigned_at is not None
    assert concern.countersign_reason == "I agree: early help is the right level for this."
    assert concern.decided_by_id == dsl.pk
    assert latest_history(concern) == (deputy.pk, "Decision not to refer countersigned")
    detail = client.get(response.url)
    assert messages_shown(detail) == ["You have countersigned the decision not to refer."]
    assert "Countersigned By Dev Deputy" in page_text(detail)
    assert "awaiting a countersignature" not in page_text(detail)


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Give your own reason for agreeing that the concern is not referred"),
        ("The parents would rather deal with it themselves.", FAMILY_WISHES_MESSAGE),
    ],
    ids=["no-reason", "parents-wish"],
)
def test_a_countersignature_needs_a_reason_of_its_own(deputy, not_referred, reason, message):
    data = countersign_form(not_referred, **{"countersign-countersign_reason": reason})

    response = signed_in(deputy).post(url("referral", not_referred), data)

    assert response.status_code == 200
    assert message in page_text(response)
    assert form_state(response)["countersign-countersign_reason"] == [reason]
    assert fresh(not_referred).countersigned_by_id is None


# --- Children not yet identified ---------------------------------------------------------


@pytest.fixture
def unnamed(concern, dsl):
    bring_to(Step.SAFETY_CHECKED, concern, by=dsl)
    return services.unnamed_child_add(
        concern=concern, by=dsl, description="A friend at the sleepover, about 9"
    )


def unnamed_url(unnamed) -> str:
    return reverse("concerns:unnamed_child", args=[unnamed.concern.uuid, unnamed.uuid])


def test_the_dsl_describes_a_child_not_yet_identified(dsl, concern):
    response = signed_in(dsl).post(
        url("safety", concern),
        {"add_unnamed": "1", "unnamed-description": "A boy in the year above, name not known"},
        follow=True,
    )

    assert response.redirect_chain == [(url("safety", concern), 302)]
    unnamed = UnnamedChild.objects.get(concern=concern)
    assert (unnamed.description, unnamed.added_by_id) == (
        "A boy in the year above, name not known",
        dsl.pk,
    )
    assert history_rows(unnamed) == [(dsl.pk, "Child not yet identified described")]
    text = page_text(response)
    assert "The child has been described. Identify them when known." in text
    assert "A boy in the year above, name not known Not yet identified" in text


def test_the_dsl_names_a_described_child_from_the_register(dsl, school, concern, unnamed):
    dani = PupilFactory(school=school, legal_first_name="Dani", legal_last_name="Eve")
    client = signed_in(dsl)
    assert "A friend at the sleepover, about 9" in page_text(client.get(unnamed_url(unnamed)))

    response = client.post(
        unnamed_url(unnamed),
        {
            "form": "identify",
            "add-pupil": str(dani.uuid),
            "add-role": ChildRole.AFFECTED,
            "add-safe_now": "yes",
            "add-spoken_to": SPOKEN_TO,
            "add-safety_notes": "In class, seen by the DSL",
        },
        follow=True,
    )

    assert response.redirect_chain == [(url("safety", concern), 302)]
    child = ConcernChild.objects.get(concern=concern, pupil=dani)
    assert (child.role, child.safe_now, child.spoken_to) == (ChildRole.AFFECTED, True, SPOKEN_TO)
    unnamed = UnnamedChild.objects.get(pk=unnamed.pk)
    assert (unnamed.identified_as_id, unnamed.resolved_by_id) == (child.pk, dsl.pk)
    assert history_rows(unnamed)[-1] == (dsl.pk, "Identified as Dani Eve")
    assert latest_history(concern) == (dsl.pk, "Child added (another child affected)")
    text = page_text(response)
    assert "Dani Eve has been named in the concern." in text
    assert "Identified: Dani Eve" in text


def test_naming_a_described_child_needs_who_has_spoken_to_them(dsl, school, unnamed):
    dani = PupilFactory(school=school, legal_first_name="Dani", legal_last_name="Eve")

    response = signed_in(dsl).post(
        unnamed_url(unnamed),
        {
            "form": "identify",
            "add-pupil": str(dani.uuid),
            "add-role": ChildRole.AFFECTED,
            "add-safe_now": "yes",
            "add-safety_notes": "In class",
        },
    )

    assert response.status_code == 200
    text = page_text(response)
    assert text.startswith("Error: A child not yet identified")
    assert "Say who has spoken to this child about this, and why (or that no one has)" in text
    assert form_state(response)["add-safety_notes"] == ["In class"]
    assert UnnamedChild.objects.get(pk=unnamed.pk).is_open


def test_the_dsl_records_a_described_child_passed_on_to_be_identified(dsl, concern, unnamed):
    passed_at = minutes_ago(15)

    response = signed_in(dsl).post(
        unnamed_url(unnamed),
        {"form": "pass", "pass-passed_to": "Demoshire MASH, Sam Duty", "pass-passed_at": passed_at},
        follow=True,
    )

    assert response.redirect_chain == [(url("safety", concern), 302)]
    unnamed = UnnamedChild.objects.get(pk=unnamed.pk)
    assert unnamed.passed_to == "Demoshire MASH, Sam Duty"
    assert timezone.localtime(unnamed.passed_at).strftime("%Y-%m-%dT%H:%M") == passed_at
    assert not unnamed.is_open
    assert history_rows(unnamed)[-1] == (dsl.pk, "Passed to Demoshire MASH, Sam Duty to identify")
    text = page_text(response)
    assert "Recorded: the information was passed on to identify them." in text
    assert "Passed to Demoshire MASH, Sam Duty" in text


def test_passing_on_without_saying_to_whom_is_refused_and_the_time_is_kept(dsl, unnamed):
    passed_at = minutes_ago(15)

    response = signed_in(dsl).post(
        unnamed_url(unnamed), {"form": "pass", "pass-passed_to": " ", "pass-passed_at": passed_at}
    )

    assert response.status_code == 200
    assert "Enter to whom the information was passed" in page_text(response)
    assert form_state(response)["pass-passed_at"] == [passed_at]
    assert UnnamedChild.objects.get(pk=unnamed.pk).is_open


@pytest.mark.parametrize("passed_to", ["Amy's mum", "Mrs Hart, the mother"])
def test_what_is_known_of_a_child_is_passed_to_an_agency_not_a_parent(dsl, unnamed, passed_to):
    passed_at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = signed_in(dsl).post(
        unnamed_url(unnamed),
        {"form": "pass", "pass-passed_to": passed_to, "pass-passed_at": passed_at},
    )

    assert response.status_code == 200
    assert "Pass what is known to children's social care or the police" in page_text(
        response
    ).replace("’", "'")
    assert 'id="id_pass-passed_to_error"' in response.content.decode()
    assert form_state(response)["pass-passed_to"] == [passed_to]
    assert UnnamedChild.objects.get(pk=unnamed.pk).is_open


def test_a_child_already_passed_on_is_not_offered_again(dsl, concern, unnamed):
    services.unnamed_child_pass_on(
        unnamed=unnamed, by=dsl, passed_to="Police", passed_at=timezone.now()
    )

    response = signed_in(dsl).get(unnamed_url(unnamed), follow=True)

    assert response.redirect_chain == [(url("safety", concern), 302)]
    assert messages_shown(response) == ["This child has already been identified or passed on."]


# --- Flagged entries ---------------------------------------------------------------------


@pytest.fixture
def flag(concern, staff):
    services.concern_add_note(
        concern=concern, author=staff, text="I asked the other parents whether they knew."
    )
    return PracticeFlag.objects.select_related("concern").get(concern=concern)


def flag_url(flag) -> str:
    return reverse("concerns:flag_review", args=[flag.concern.uuid, flag.uuid])


def test_the_dsl_reviews_a_flagged_entry(dsl, concern, flag):
    client = signed_in(dsl)
    detail = page_text(client.get(url("detail", concern)))
    assert "Other parents asked or told (Note) To review" in detail

    response = client.post(
        flag_url(flag),
        {f"{flag.uuid.hex}-review_notes": "Advised Tom not to contact other parents."},
        follow=True,
    )

    assert response.redirect_chain == [(url("detail", concern) + "#flags", 302)]
    flag = PracticeFlag.objects.get(pk=flag.pk)
    assert (flag.reviewed_by_id, flag.review_notes) == (
        dsl.pk,
        "Advised Tom not to contact other parents.",
    )
    assert flag.reviewed_at is not None
    assert history_rows(flag) == [
        (flag.raised_by_id, "Flagged for review: other parents asked or told"),
        (dsl.pk, "Flag reviewed"),
    ]
    text = page_text(response)
    assert "Your review of the flagged entry has been recorded." in text
    assert "Review by Dana Lead" in text


def test_a_review_without_notes_is_refused_on_the_concern_page(dsl, concern, flag):
    response = signed_in(dsl).post(flag_url(flag), {f"{flag.uuid.hex}-review_notes": " "})

    assert response.status_code == 400
    text = page_text(response)
    assert text.startswith(f"Error: Concern {concern.reference}")
    assert "Say what you found and what follows" in text
    assert PracticeFlag.objects.get(pk=flag.pk).reviewed_at is None


def test_a_flag_review_refuses_a_get(dsl, flag):
    response = signed_in(dsl).get(flag_url(flag))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert PracticeFlag.objects.get(pk=flag.pk).reviewed_at is None


# --- Advice given, and what was paid -----------------------------------------------------


def advice_given_form(card, **overrides) -> dict:
    data = {
        "form": "advice_given",
        "advice_given-card": card.uuid.hex,
        "advice_given-given_by": "Dana Lead",
        "advice_given-given_to": "Mrs Sarah Example",
        "advice_given-given_at": minutes_ago(20),
        "advice_given-notes": "Leaflet given.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def family_card(db):
    return GuidanceCard.objects.get(school=None, key="sharing-nudes-family")


def test_the_dsl_records_advice_given_to_the_family(dsl, concern, family_card):
    concern = bring_to(Step.SAFETY_CHECKED, concern, by=dsl)
    client = signed_in(dsl)
    before = page_text(client.get(url("evidence", concern)))
    assert "Not yet recorded as given: “Sharing nudes and semi-nudes”" in before

    response = client.post(url("evidence", concern), advice_given_form(family_card), follow=True)

    assert response.redirect_chain == [(url("evidence", concern), 302)]
    advice = AdviceGiven.objects.get(concern=concern)
    assert (advice.card_id, advice.given_to, advice.recorded_by_id) == (
        family_card.pk,
        "Mrs Sarah Example",
        dsl.pk,
    )
    assert history_rows(advice) == [(dsl.pk, "Advice given: Sharing nudes and semi-nudes")]
    text = page_text(response)
    assert "The advice given has been recorded." in text
    assert "Given by Dana Lead to Mrs Sarah Example" in text
    assert "Not yet recorded as given" not in text


def test_advice_given_without_saying_to_whom_is_refused_and_what_was_typed_is_kept(
    dsl, concern, family_card
):
    concern = bring_to(Step.SAFETY_CHECKED, concern, by=dsl)
    data = advice_given_form(family_card, **{"advice_given-given_to": ""})

    response = signed_in(dsl).post(url("evidence", concern), data)

    assert response.status_code == 200
    text = page_text(response)
    assert text.startswith("Error: Preserve evidence")
    assert "Enter who was given the advice" in text
    assert form_state(response)["advice_given-notes"] == ["Leaflet given."]
    assert not AdviceGiven.objects.exists()


@pytest.fixture
def sextortion(school, staff, dsl):
    boy = PupilFactory(school=school, legal_first_name="Sam", legal_last_name="Boyd")
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=[boy],
        categories=("sextortion",),
        adult_involved="unknown",
        other_children="no",
    )
    return bring_to(Step.SAFETY_CHECKED, concern, by=dsl)


def test_a_sextortion_concern_asks_what_was_paid_and_keeps_it(dsl, sextortion):
    client = signed_in(dsl)
    assert "Has any money, gift card or anything else been paid?" in page_text(
        client.get(url("evidence", sextortion))
    )
    data = advice_form(sextortion, no_evidence_reason="The boy blocked the account.")

    unanswered = client.post(url("evidence", sextortion), data)
    no_details = client.post(url("evidence", sextortion), data | {"payment_made": "yes"})
    saved = client.post(
        url("evidence", sextortion),
        data | {"payment_made": "yes", "payment_details": "£50 by bank transfer to J Smith"},
    )

    assert "Select whether anything has been paid" in page_text(unanswered)
    assert "Say what was paid, how and to whom" in page_text(no_details)
    assert form_state(no_details)["payment_made"] == ["yes"]
    assert form_state(no_details)["no_evidence_reason"] == ["The boy blocked the account."]
    assert saved.status_code == 302
    concern = fresh(sextortion)
    assert (concern.payment_made, concern.payment_details) == (
        "yes",
        "£50 by bank transfer to J Smith",
    )
    assert concern.step == Step.EVIDENCE_PRESERVED
    assert latest_history(concern) == (dsl.pk, "Evidence step completed")
    detail = page_text(client.get(url("detail", concern)))
    assert "Anything paid: Yes. £50 by bank transfer to J Smith" in detail


def test_other_concerns_are_not_asked_what_was_paid(dsl, concern):
    concern = bring_to(Step.SAFETY_CHECKED, concern, by=dsl)

    page = signed_in(dsl).get(url("evidence", concern))

    assert "payment_made" not in page.context["advice_form"].fields
    assert "anything else been paid" not in page_text(page)


# --- Guidance cards ----------------------------------------------------------------------


def card_form(**overrides) -> dict:
    data = {
        "title": "Demoshire contacts",
        "categories": [str(category("sharing-nudes").pk)],
        "report_to": "Demoshire MASH 01632 960 000; out of hours 01632 960 001.",
        "tell_family": "",
        "when_told": "",
        "do_not": "",
        "removal": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def local_card(school, dsl):
    return services.guidance_card_save(
        school=school,
        by=dsl,
        title="Oakfield's local contacts",
        categories=[],
        report_to="Testshire MASH 01632 960 000",
    )


def test_staff_read_the_guidance_but_cannot_change_it(staff, local_card):
    response = signed_in(staff).get(reverse("concerns:guidance"))

    assert response.status_code == 200
    text = page_text(response)
    assert "Oakfield's local contacts For: every concern" in text
    assert "Sharing nudes and semi-nudes" in text
    content = response.content.decode()
    assert reverse("concerns:guidance_new") not in content
    assert reverse("concerns:guidance_edit", args=[local_card.uuid]) not in content


def test_a_governor_reads_no_guidance_page(governor):
    response = signed_in(governor).get(reverse("concerns:guidance"))

    assert response.status_code == 403
    assert "You cannot do this" in page_text(response)


def test_the_dsl_adds_a_local_guidance_card(dsl, school):
    client = signed_in(dsl)
    assert (
        reverse("concerns:guidance_new")
        in client.get(reverse("concerns:guidance")).content.decode()
    )

    response = client.post(reverse("concerns:guidance_new"), card_form(), follow=True)

    assert response.redirect_chain == [(reverse("concerns:guidance"), 302)]
    card = GuidanceCard.objects.get(school=school)
    assert (card.title, card.added_by_id) == ("Demoshire contacts", dsl.pk)
    assert list(card.categories.values_list("slug", flat=True)) == ["sharing-nudes"]
    assert set(history_rows(card)) == {(dsl.pk, "Local card added")}
    text = page_text(response)
    assert "“Demoshire contacts” is saved." in text
    assert "For: Sharing nudes and semi-nudes" in text


def test_adding_a_card_with_categories_leaves_one_history_row(dsl, school):
    signed_in(dsl).post(reverse("concerns:guidance_new"), card_form())

    assert history_rows(GuidanceCard.objects.get(school=school)) == [(dsl.pk, "Local card added")]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Enter a title for the card"),
        ({"report_to": ""}, "Write the guidance: at least one part of the card"),
    ],
)
def test_an_incomplete_card_is_refused_and_what_was_typed_is_kept(dsl, school, overrides, message):
    data = card_form(**overrides)

    response = signed_in(dsl).post(reverse("concerns:guidance_new"), data)

    assert response.status_code == 200
    text = page_text(response)
    assert text.startswith("Error: Add a guidance card")
    assert not text.startswith("Error: Error:")
    assert message in text
    assert form_state(response)["title"] == [data["title"]]
    assert form_state(response)["categories"] == data["categories"]
    assert not GuidanceCard.objects.filter(school=school).exists()


def test_the_dsl_changes_a_local_card_with_a_reason(dsl, deputy, local_card):
    client = signed_in(deputy)
    address = reverse("concerns:guidance_edit", args=[local_card.uuid])
    shown = form_state(client.get(address))
    assert shown["title"] == ["Oakfield's local contacts"]
    data = card_form(title="Oakfield's local contacts", categories=[])

    refused = client.post(address, data)
    saved = client.post(address, data | {"reason": "New MASH number from 1 December"})

    assert "Enter the reason for the change" in page_text(refused)
    assert saved.status_code == 302
    card = GuidanceCard.objects.get(pk=local_card.pk)
    assert card.report_to == "Demoshire MASH 01632 960 000; out of hours 01632 960 001."
    assert history_rows(card) == [
        (dsl.pk, "Local card added"),
        (deputy.pk, "Corrected: New MASH number from 1 December"),
    ]


@pytest.mark.parametrize("role", ["staff", "governor", "school_admin"])
def test_only_the_dsl_team_adds_or_changes_cards(request, role, school, local_card):
    client = signed_in(request.getfixturevalue(role))
    edit = reverse("concerns:guidance_edit", args=[local_card.uuid])

    responses = [
        client.get(reverse("concerns:guidance_new")),
        client.post(reverse("concerns:guidance_new"), card_form()),
        client.get(edit),
        client.post(edit, card_form(reason="Changed")),
    ]

    assert [r.status_code for r in responses] == [403] * 4
    assert list(GuidanceCard.objects.filter(school=school)) == [local_card]
    assert GuidanceCard.objects.get(pk=local_card.pk).title == "Oakfield's local contacts"


def test_another_schools_dsl_finds_no_such_card(other_dsl, local_card, family_card):
    client = signed_in(other_dsl)

    theirs = client.post(
        reverse("concerns:guidance_edit", args=[local_card.uuid]), card_form(reason="Mine now")
    )
    national = client.get(reverse("concerns:guidance_edit", args=[family_card.uuid]))
    listed = page_text(client.get(reverse("concerns:guidance")))

    assert theirs.status_code == national.status_code == 404
    assert GuidanceCard.objects.get(pk=local_card.pk).title == "Oakfield's local contacts"
    assert "Oakfield's local contacts" not in listed


# --- Who may use each new page or form ---------------------------------------------------

# Each write on a concern, as its page posts it: (URL, data) from the concern's fixtures.
WRITES = {
    "criteria": lambda c, **_: (url("referral", c), criteria_form(c)),
    "decision": lambda c, **_: (url("referral", c), not_refer_form(c)),
    "countersign": lambda c, **_: (url("referral", c), countersign_form(c)),
    "describe_unnamed": lambda c, **_: (
        url("safety", c),
        {"add_unnamed": "1", "unnamed-description": "A friend at the sleepover"},
    ),
    "pass_on": lambda c, unnamed, **_: (
        unnamed_url(unnamed),
        {"form": "pass", "pass-passed_to": "Police", "pass-passed_at": minutes_ago(5)},
    ),
    "flag_review": lambda c, flag, **_: (
        flag_url(flag),
        {f"{flag.uuid.hex}-review_notes": "Reviewed."},
    ),
    "advice_given": lambda c, card, **_: (url("evidence", c), advice_given_form(card)),
}


@pytest.fixture
def worked(school, staff, dsl, pupils, family_card):
    """A concern with every kind of row the writes need: decided not to refer (awaiting a
    countersignature), a child not yet identified and a flagged note."""
    concern = record_concern(
        school=school, reporter=staff, pupils=pupils, adult_involved="no", other_children="yes"
    )
    concern = answer_criteria(bring_to(Step.EVIDENCE_PRESERVED, concern, by=dsl), dsl)
    concern = decide_not_to_refer(concern, by=dsl)
    unnamed = services.unnamed_child_add(concern=concern, by=dsl, description="A friend, about 9")
    services.concern_add_note(concern=concern, author=staff, text="I asked the other parents.")
    return {
        "concern": fresh(concern),
        "unnamed": unnamed,
        "flag": PracticeFlag.objects.select_related("concern").get(concern=concern),
        "card": family_card,
    }


def state(worked) -> tuple:
    """Everything the writes above could change."""
    concern = fresh(worked["concern"])
    return (
        concern.version,
        concern.criteria_assessed_at,
        concern.countersigned_by_id,
        UnnamedChild.objects.filter(concern=concern, passed_to="").count(),
        UnnamedChild.objects.filter(concern=concern).count(),
        PracticeFlag.objects.filter(concern=concern, reviewed_at=None).count(),
        AdviceGiven.objects.filter(concern=concern).count(),
    )


def post_write(client, name, worked):
    address, data = WRITES[name](worked["concern"], **worked)
    return client.post(address, data), address


@pytest.mark.parametrize("name", WRITES)
@pytest.mark.parametrize("role", ["staff", "governor"])
def test_the_reporter_and_governors_cannot_use_the_rules_forms(request, role, name, worked):
    before = state(worked)

    response, _ = post_write(signed_in(request.getfixturevalue(role)), name, worked)

    assert response.status_code == 403
    assert "You cannot do this" in page_text(response)
    assert state(worked) == before


@pytest.mark.parametrize("name", WRITES)
def test_another_schools_dsl_finds_no_such_concern(other_dsl, name, worked):
    before = state(worked)

    response, _ = post_write(signed_in(other_dsl), name, worked)

    assert response.status_code == 404
    assert worked["concern"].reference not in page_text(response)
    assert "Amelia" not in page_text(response)
    assert state(worked) == before


@pytest.mark.parametrize("name", WRITES)
def test_anyone_signed_out_is_sent_to_sign_in(client, name, worked):
    before = state(worked)

    response, address = post_write(client, name, worked)

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={address}"
    assert state(worked) == before


@pytest.mark.parametrize(
    "address",
    [
        lambda w: unnamed_url(w["unnamed"]),
        lambda w: reverse("concerns:guidance"),
        lambda w: reverse("concerns:guidance_new"),
        lambda w: reverse("concerns:guidance_edit", args=[w["card"].uuid]),
    ],
    ids=["unnamed_child", "guidance", "guidance_new", "guidance_edit"],
)
def test_anyone_signed_out_is_sent_to_sign_in_from_the_new_pages(client, worked, address):
    target = address(worked)

    response = client.get(target)

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={target}"


def test_the_guidance_list_refuses_a_post(dsl):
    response = signed_in(dsl).post(reverse("concerns:guidance"), card_form())

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert not GuidanceCard.objects.exclude(school=None).exists()


# --- The queue: awaiting countersignature, and to review ---------------------------------


def queue_page(user):
    return signed_in(user).get(reverse("concerns:queue"))


def test_the_queue_lists_decisions_awaiting_countersignature(
    dsl, deputy, school, staff, pupils, not_referred
):
    referred = bring_to(
        Step.REFERRAL_DECIDED,
        record_concern(school=school, reporter=staff, pupils=pupils[:1]),
        by=dsl,
    )

    waiting = queue_page(deputy)

    text = words(section(waiting, "countersign"))
    assert f"{not_referred.reference} : decided by Dana Lead" in text
    assert "(the local threshold for a referral is not met)" in text
    assert f"Review and countersign {not_referred.reference}" in text
    assert referred.reference not in text
    assert "Awaiting countersignature 1" in page_text(waiting)

    services.concern_countersign(
        concern=not_referred, by=deputy, version=not_referred.version, reason="I agree."
    )
    signed = queue_page(deputy)

    assert words(section(signed, "countersign")) == (
        "Awaiting countersignature No decision is waiting for a countersignature."
    )
    assert "Awaiting countersignature 0" in page_text(signed)


def test_the_queue_lists_concerns_to_review_until_they_are_settled(
    dsl, school, staff, pupils, other_school, other_dsl
):
    flagged = record_concern(school=school, reporter=staff, pupils=pupils[:1])
    services.concern_add_note(concern=flagged, author=staff, text="I asked the other parents.")
    described = record_concern(
        school=school,
        reporter=staff,
        pupils=pupils[1:2],
        other_children="yes",
        unnamed_children=["Two friends at the sleepover"],
    )
    plain = record_concern(school=school, reporter=staff, pupils=pupils[2:])
    theirs = record_concern(
        school=other_school,
        reporter=other_dsl,
        pupils=[PupilFactory(school=other_school)],
        other_children="yes",
        unnamed_children=["A friend"],
    )

    part = section(queue_page(dsl), "to-review")

    text = words(part)
    assert f"{flagged.reference} : Flagged entry" in text
    assert f"{described.reference} : Child not yet identified" in text
    assert plain.reference not in text
    # Their references count from 1 too: the concern is told apart by its address.
    assert str(theirs.uuid) not in part
    assert str(flagged.uuid) in part

    services.practice_flag_review(
        flag=PracticeFlag.objects.get(concern=flagged), by=dsl, notes="Advised Tom."
    )
    services.unnamed_child_pass_on(
        unnamed=UnnamedChild.objects.get(concern=described),
        by=dsl,
        passed_to="Demoshire MASH",
        passed_at=timezone.now(),
    )
    settled = words(section(queue_page(dsl), "to-review"))

    assert "Nothing is flagged, and every child is identified or passed on." in settled
