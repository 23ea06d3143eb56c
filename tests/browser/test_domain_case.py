"""The DOMAIN.md case, end to end in a real browser: a member of staff records what the
mother said about her daughter and two friends, and the DSL takes the concern from
recorded to closed, one step at a time ("Option 3").

Fields are found by their labels and buttons by their names, so these tests also pin
down that every label, legend and hint is wired to its input.
"""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from concerns.models import ChildRole, Concern, Step, YesNoUnknown
from concerns.pupil_picker import pupil_label
from tests.factories import record_concern

MOTHER = "Mrs Sarah Example"
ACCOUNT = (
    "She said: 'Over the weekend I found pornographic sites in her browser history. "
    "She told me about a special friend she met in a children's game, then in a chat "
    "room. She sent him naked pictures and a video. She called it a grown-up game. "
    "Her two friends did the same at a sleepover.'"
)
WISHES = "She does not want anyone else involved and insists the other parents are not told."
CATEGORIES = ("Sharing nudes and semi-nudes", "Online grooming")
EVIDENCE = "Pictures and a video sent to 'special friend' via the game's chat"
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
RISK = (
    "An adult met online has obtained naked images and a video from three nine-year-old "
    "girls: significant harm, and a crime."
)


def an_hour_ago() -> datetime.datetime:
    return timezone.localtime().replace(second=0, microsecond=0) - datetime.timedelta(hours=1)


def group(within, legend: str):
    """A fieldset (radios, checkboxes, a child's row), found by its legend."""
    return within.get_by_role("group", name=legend, exact=True)


def choose_pupil(within, pupil, *, label: str = "Child") -> None:
    """Find `pupil` with a pupil picker inside `within`, as a user does: type part of their
    name, press "Find" (with JavaScript the matches come as one types; without it, the form
    comes back with them), and choose them from the matches."""
    within.get_by_label(label, exact=True).fill(pupil.legal_last_name)
    within.get_by_role("button", name=re.compile(f"^Find the {label.lower()}")).click()
    within.get_by_role("radio", name=pupil_label(pupil), exact=True).check()


def expect_chosen(within, pupil) -> None:
    """A pupil picker inside `within` shows `pupil` chosen, with a button to change it."""
    expect(within.get_by_text(pupil_label(pupil), exact=True)).to_be_visible()
    expect(within.get_by_role("button", name=re.compile("^Change the child"))).to_be_visible()


OTHER_CHILDREN = "Are other children involved, or may they be at risk?"


def fill_record_form(
    page: Page, *, pupils, disclosed_at, immediate_danger: str, unnamed: str = ""
) -> None:
    """Everything on the record form except the account itself. Other children are involved:
    the friends named after the first child, and any described in `unnamed`."""
    group(page, "Who told you, or what did you see?").get_by_label("A parent or carer").check()
    page.get_by_label("Their name").fill(MOTHER)
    page.get_by_label("Their relationship to the child").fill("Mother")
    page.get_by_label("When was it disclosed or seen?").fill(disclosed_at.strftime(DATETIME_LOCAL))
    page.get_by_label("Where?", exact=True).fill("The head's office")

    girl, *friends = pupils
    # Each child's fields sit in a fieldset whose legend says which child it is.
    first = group(page, "The child the concern is about")
    choose_pupil(first, girl)
    first.get_by_label("Their role in the concern").select_option(
        label="The child the concern is about"
    )
    for row, friend in enumerate(friends, start=2):
        another_child = group(page, f"Another child {row} (optional)")
        choose_pupil(another_child, friend)
        another_child.get_by_label("Their role in the concern").select_option(
            label="Another child affected"
        )
    group(page, OTHER_CHILDREN).get_by_label("Yes", exact=True).check()
    if unnamed:
        page.get_by_label("Children you cannot name yet").fill(unnamed)

    for name in CATEGORIES:
        group(page, "What kind of concern is it?").get_by_label(name).check()
    adult = "Is an adult believed to be involved in seeking images or contact?"
    group(page, adult).get_by_label("Yes", exact=True).check()
    page.get_by_label("What do the parents or carers want to happen?").fill(WISHES)
    danger = group(page, "Is anyone in immediate danger now?")
    danger.get_by_label(immediate_danger, exact=True).check()


def fill_referral_form(
    page: Page, *, agency, team, made_at, method, reference, risk_view=None
) -> None:
    """A referral about every child named (they start ticked), with the mother's refusal."""
    group(page, "Which agency was the referral made to?").get_by_label(agency, exact=True).check()
    page.get_by_label("Team or service").fill(team)
    page.get_by_label("When was the referral made?").fill(made_at)
    group(page, "How was it made?").get_by_label(method, exact=True).check()
    page.get_by_label("Person spoken to").fill("The duty officer")
    page.get_by_label("Their reference").fill(reference)
    aware = group(page, "Are the parents or carers aware of the referral?")
    aware.get_by_label("Yes", exact=True).check()
    consent = group(page, "Did the parents or carers consent to the referral?")
    consent.get_by_label("Refused", exact=True).check()
    page.get_by_label("If consent was not given, why not?").fill(WISHES)
    page.get_by_label("Your view of the risk, with your reasons").fill(
        RISK if risk_view is None else risk_view
    )


def expect_record_form_kept(page: Page, *, pupils, disclosed_at) -> None:
    """After a refused submission, everything typed is still on the page."""
    who = group(page, "Who told you, or what did you see?")
    expect(who.get_by_label("A parent or carer")).to_be_checked()
    expect(page.get_by_label("Their name")).to_have_value(MOTHER)
    expect(page.get_by_label("Their relationship to the child")).to_have_value("Mother")
    expect(page.get_by_label("When was it disclosed or seen?")).to_have_value(
        disclosed_at.strftime(DATETIME_LOCAL)
    )
    expect(page.get_by_label("Where?", exact=True)).to_have_value("The head's office")
    first = group(page, "The child the concern is about")
    expect_chosen(first, pupils[0])
    expect(first.get_by_label("Their role in the concern")).to_have_value(ChildRole.SUBJECT)
    for row, friend in enumerate(pupils[1:], start=2):
        another_child = group(page, f"Another child {row} (optional)")
        expect_chosen(another_child, friend)
        expect(another_child.get_by_label("Their role in the concern")).to_have_value(
            ChildRole.AFFECTED
        )
    expect(group(page, OTHER_CHILDREN).get_by_label("Yes", exact=True)).to_be_checked()
    for name in CATEGORIES:
        expect(group(page, "What kind of concern is it?").get_by_label(name)).to_be_checked()
    adult = group(page, "Is an adult believed to be involved in seeking images or contact?")
    expect(adult.get_by_label("Yes", exact=True)).to_be_checked()
    expect(page.get_by_label("What do the parents or carers want to happen?")).to_have_value(WISHES)
    danger = group(page, "Is anyone in immediate danger now?")
    expect(danger.get_by_label("No", exact=True)).to_be_checked()


SPOKEN_TO = "No one: her mother told us. Nobody has asked her about it."


# The UKCIS immediate-referral questions the DSL answers (concerns.rules.QUESTIONS), with
# the answers a DSL gives on DOMAIN.md's case: "not known" where unsure, which counts as yes.
QUESTIONS = {
    "coercion": re.compile(r"^Is there reason to believe a child has been coerced"),
    "unusual_content": re.compile(r"^Does what is known of the images suggest sexual acts"),
    "sexual_acts": "Do the images involve sexual acts, with a child under 13 in them?",
    "harm_risk": re.compile(r"^Is there reason to believe a child is at immediate risk"),
}
# (Whether a child was coerced is answered by the category: online grooming is coercion.)
CRITERIA_ANSWERS = {
    "unusual_content": "Not known",
    "sexual_acts": "Not known",
    "harm_risk": "No",
}


def answer_referral_questions(page: Page, answers: dict[str, str], *, notes: str = "") -> None:
    """On the referral page: answer the immediate-referral questions, and save them."""
    for key, answer in answers.items():
        question = page.get_by_role("group", name=QUESTIONS[key])
        question.get_by_label(answer, exact=True).check()
    if notes:
        page.get_by_label("What the answers rest on").fill(notes)
    page.get_by_role("button", name="Save the answers").click()
    expect(
        page.get_by_text("The answers to the immediate-referral questions are saved.")
    ).to_be_visible()


def must_refer_warning(page: Page):
    """The referral page's warning that a referral is not optional, and why."""
    return page.get_by_text(re.compile(r"^Warning\s*A referral is not optional"))


def check_every_child_is_safe(page: Page, names: list[str]) -> None:
    """On the safety check page: every child safe, each with who has spoken to them (no one:
    the school listens, it does not interview) and how the DSL knows."""
    for name in names:
        child = page.get_by_role("group", name=re.compile(rf"^{name}\b"))
        group(child, f"Is {name} safe now?").get_by_label("Yes", exact=True).check()
        child.get_by_label(f"Who has spoken to {name} about this, and why?").fill(SPOKEN_TO)
        child.get_by_label("How do you know?").fill(f"{name} seen in class at 9:15 by Dana Lead")
    page.get_by_role("button", name="Record the safety check").click()
    expect(page.get_by_text("The safety check has been recorded.")).to_be_visible()
    for name in names:
        row = page.get_by_role("row", name=name)
        expect(row).to_contain_text("seen in class at 9:15")
        expect(row).to_contain_text(f"Spoken to: {SPOKEN_TO}")


def test_staff_records_the_domain_case_with_three_children(
    page: Page, live_server, sign_in, screenshot, assert_accessible, staff, pupils
):
    disclosed_at = an_hour_ago()
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible("sign in")
    sign_in(staff)
    assert_accessible("staff home")
    page.get_by_role("button", name="Record a concern").click()
    expect(page.get_by_role("heading", name="Record a concern", level=1)).to_be_visible()

    assert_accessible("record a concern")
    fill_record_form(page, pupils=pupils, disclosed_at=disclosed_at, immediate_danger="No")
    screenshot("record-form")
    page.get_by_role("button", name="Submit the concern").click()

    expect(page).to_have_title(re.compile(r"^Error: Record a concern"))
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    # GOV.UK Frontend's script (allowed by the CSP nonce) moves focus to the summary.
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    error_link = page.get_by_role(
        "link", name="Write down what was said, in the speaker's own words"
    )
    expect(error_link).to_be_visible()
    expect_record_form_kept(page, pupils=pupils, disclosed_at=disclosed_at)
    assert_accessible("record a concern, with errors")
    screenshot("record-form-error")
    # The summary's link takes the user to the question that needs an answer.
    error_link.click()
    account = page.get_by_label("What was said, in the speaker's own words")
    expect(account).to_be_focused()
    expect(account).to_have_value("")

    account.fill(ACCOUNT)
    page.get_by_role("button", name="Submit the concern").click()

    expect(page.get_by_role("heading", name="Concern recorded")).to_be_visible()
    reference = page.get_by_text(re.compile(r"^SG-\d{4}-\d{4}$"))
    expect(reference).to_be_visible()
    expect(page.get_by_text("call 999")).to_have_count(0)
    assert_accessible("concern recorded")

    concern = Concern.objects.get(reference=reference.inner_text())
    assert concern.reporter_id == staff.pk
    assert concern.step == Step.RECORDED
    assert concern.account == ACCOUNT
    assert (concern.discloser_name, concern.discloser_relationship) == (MOTHER, "Mother")
    assert concern.disclosed_at == disclosed_at
    assert concern.adult_involved == "yes"
    assert concern.parent_wishes == WISHES
    assert concern.immediate_danger is False
    assert concern.other_children == YesNoUnknown.YES
    assert set(concern.categories.values_list("name", flat=True)) == set(CATEGORIES)
    assert sorted(concern.children.values_list("pupil_id", "role")) == sorted(
        [
            (pupils[0].pk, ChildRole.SUBJECT),
            (pupils[1].pk, ChildRole.AFFECTED),
            (pupils[2].pk, ChildRole.AFFECTED),
        ]
    )


def test_dsl_takes_the_case_from_recorded_to_closed(
    page: Page, live_server, sign_in, screenshot, assert_accessible, school, staff, dsl, pupils
):
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=pupils,
        categories=("sharing-nudes", "online-grooming"),
        adult_involved="yes",
        parent_wishes=WISHES,
        other_children=YesNoUnknown.YES,
    )
    an_hour_ago_typed = an_hour_ago().strftime(DATETIME_LOCAL)
    in_a_fortnight = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    names = [pupil.full_name for pupil in pupils]

    sign_in(dsl)
    assert_accessible("DSL triage queue")
    # 1. Triage, on the queue the DSL lands on: acknowledge the new concern, take it on.
    page.get_by_role("button", name=f"Acknowledge {concern.reference}").first.click()
    expect(page.get_by_role("button", name=f"Acknowledge {concern.reference}")).to_have_count(0)
    page.get_by_label(f"Assign to ({concern.reference})").first.select_option(label=dsl.full_name)
    page.get_by_role("button", name=f"Assign {concern.reference}").first.click()
    expect(page.get_by_label(f"Assign to ({concern.reference})").first).to_have_value(str(dsl.uuid))
    assert_accessible("DSL triage queue, after acknowledging")
    page.get_by_role("link", name=concern.reference).first.click()
    expect(page.get_by_role("heading", name=f"Concern {concern.reference}")).to_be_visible()
    assert_accessible("concern page, recorded")

    # 2. Safety check: all three children, each with how the DSL knows.
    page.get_by_role("link", name="Check every child is safe").click()
    assert_accessible("safety check")
    check_every_child_is_safe(page, names)

    # 3. Preserve evidence: describe it (never upload it) and record the advice given.
    page.get_by_role("link", name="Preserve evidence").click()
    page.get_by_text("Describe a piece of evidence", exact=True).click()
    assert_accessible("preserve evidence")
    page.get_by_label("What is the evidence?").fill(EVIDENCE)
    page.get_by_label("App or platform").fill("A children's online game")
    page.get_by_label("Usernames, numbers or accounts involved").fill("specialfriend_2009")
    page.get_by_label("Where is it?").fill("Mother's phone")
    page.get_by_label("Who holds it?").fill("Mother")
    page.get_by_role("button", name="Add the description").click()
    expect(page.get_by_text("The evidence has been described.")).to_be_visible()
    expect(page.get_by_text(EVIDENCE)).to_be_visible()

    page.get_by_label("Who told them not to delete anything?").fill(dsl.full_name)
    page.get_by_label("Who was told?").fill(f"{MOTHER}, the mother")
    page.get_by_label("When was the advice given?").fill(an_hour_ago_typed)
    page.get_by_role("button", name="Complete the evidence step").click()
    expect(page.get_by_text("The evidence step is complete.")).to_be_visible()
    expect(
        page.get_by_text(f"{dsl.full_name} told {MOTHER}, the mother not to delete anything")
    ).to_be_visible()

    # 4. Refer, whatever the mother wants: her wishes are shown beside the referral and the
    # decision. Social care about all three girls, and the police (an adult sought images).
    page.get_by_role("link", name="Decide on referral").click()
    expect(page.get_by_role("heading", name="The parents' or carers' wishes")).to_be_visible()
    expect(page.get_by_text(WISHES)).to_be_visible()
    expect(
        page.get_by_text("Their wishes are recorded but do not override the duty to refer.")
    ).to_be_visible()
    expect(
        page.get_by_text("refer to the police as well as children's social care")
    ).to_be_visible()
    # The UKCIS questions the app cannot answer itself; an adult is involved, from the
    # category (online grooming) as well as the record.
    answer_referral_questions(page, CRITERIA_ANSWERS)
    expect(must_refer_warning(page)).to_contain_text(
        "is an adult involved (yes: from the category “online grooming”"
    )
    expect(page.get_by_label("Do not refer")).to_have_count(0)

    page.get_by_role("button", name="Record a referral").click()
    expect(page.get_by_role("heading", name="Record a referral", level=1)).to_be_visible()
    expect(page.get_by_text(WISHES)).to_be_visible()
    assert_accessible("record a referral")
    fill_referral_form(
        page,
        agency="Children's social care (MASH)",
        team="Demoshire MASH",
        made_at=an_hour_ago_typed,
        method="Phone",
        reference="MASH-2026-0042",
    )
    covered = group(page, "Which children does the referral cover?")
    for name in names:
        expect(covered.get_by_label(re.compile(rf"^{name} "))).to_be_checked()
    page.get_by_label("This was an urgent phone referral, to be confirmed in writing").check()
    page.get_by_role("button", name="Record the referral").click()
    expect(page.get_by_text("The referral to Demoshire MASH has been recorded.")).to_be_visible()

    page.get_by_role("button", name="Record a referral").click()
    fill_referral_form(
        page,
        agency="Police",
        team="",
        made_at=an_hour_ago_typed,
        method="101 call",
        reference="CAD 0417",
        risk_view="",
    )
    page.get_by_role("button", name="Record the referral").click()
    # A refusal names what is missing and keeps everything typed.
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    error_link = page.get_by_role("link", name="Give your view of the risk, with your reasons")
    expect(error_link).to_be_visible()
    assert_accessible("record a referral, with errors")
    expect(group(page, "How was it made?").get_by_label("101 call")).to_be_checked()
    expect(page.get_by_label("Their reference")).to_have_value("CAD 0417")
    error_link.click()
    page.get_by_label("Your view of the risk, with your reasons").fill(RISK)
    page.get_by_role("button", name="Record the referral").click()
    expect(page.get_by_text("The referral to Police has been recorded.")).to_be_visible()
    expect(page.get_by_text("refer to the police as well as children's social care")).to_have_count(
        0
    )
    referrals = page.get_by_role("table", name="Referrals made about this concern")
    expect(referrals.get_by_role("row")).to_have_count(3)
    expect(referrals.get_by_role("row", name=re.compile("^Police"))).to_contain_text("101 call")
    assert_accessible("referral decision")
    screenshot("referral-step")

    # Social care's feedback, on the referral's own page.
    page.get_by_role("link", name=re.compile(r"^View the referral to Demoshire MASH")).click()
    expect(page.get_by_role("heading", name="Referral to Demoshire MASH")).to_be_visible()
    assert_accessible("one referral")
    page.get_by_label("When did the feedback arrive?").fill(an_hour_ago_typed)
    group(page, "What did they decide?").get_by_label("Strategy meeting").check()
    page.get_by_label("What did they say?").fill("Strategy meeting tomorrow at 10:00.")
    page.get_by_role("button", name="Record the feedback").click()
    expect(page.get_by_text("The agency's feedback has been recorded.")).to_be_visible()
    screenshot("referral-detail")
    page.get_by_role("link", name=f"Back to {concern.reference}").click()

    group(page, "Will the concern be referred?").get_by_label(
        "Refer: the referrals recorded above"
    ).check()
    page.get_by_label("Reasons for the decision").fill(
        "An adult obtained sexual images from three children: child sexual abuse. "
        "Consent is not needed to refer."
    )
    told = group(page, "Have the parents or carers been told about this decision?")
    told.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("The referral decision has been recorded.")).to_be_visible()
    referred_to = page.get_by_role("definition").filter(has_text="Police")
    expect(referred_to).to_contain_text("Children's social care (MASH)")

    # The referral PDF for social care, naming all three children.
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the referral PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    text = "\n".join(pdf_page.extract_text() for pdf_page in PdfReader(download.path()).pages)
    for name in names:
        assert name.split()[-1] in text
    assert "OFFICIAL-SENSITIVE" in text

    # Each girl's chronology, across every concern about her, from the concern's page.
    page.goto(f"{live_server.url}/concerns/{concern.uuid}/")
    page.get_by_role("link", name=re.compile(rf"^{names[0]}\s*: chronology$")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(names[0])
    expect(page.get_by_text(concern.reference).first).to_be_visible()
    assert_accessible("a child's chronology")
    page.goto(f"{live_server.url}/concerns/{concern.uuid}/")

    # 5. Support for each child, and 6. a school-wide follow-up.
    page.get_by_role("link", name="Plan support and school-wide follow-up").click()
    assert_accessible("support and follow-up")
    support_form = page.locator("form").filter(
        has=page.get_by_role("button", name="Add the support")
    )
    roles = ["the child the concern is about"] + ["another child affected"] * 2
    for name, role in zip(names, roles, strict=True):
        if not support_form.is_visible():
            page.get_by_text("Plan support for a child", exact=True).click()
        support_form.get_by_label("Child", exact=True).select_option(label=f"{name} ({role})")
        support_form.get_by_label("Support", exact=True).fill(
            f"Weekly check-in for {name} with the pastoral lead; praised for telling"
        )
        support_form.get_by_label("Who is responsible?").fill("Pastoral lead")
        support_form.get_by_label("Review date").fill(in_a_fortnight)
        page.get_by_role("button", name="Add the support").click()
        expect(page.get_by_text("The support action has been added.")).to_be_visible()
        expect(page.get_by_role("row", name=name)).to_contain_text("Weekly check-in")

    page.get_by_text("Plan school-wide follow-up", exact=True).click()
    follow_up_form = page.locator("form").filter(
        has=page.get_by_role("button", name="Add the follow-up")
    )
    group(follow_up_form, "Kind of follow-up").get_by_label(
        "Extra e-safety lessons for pupils"
    ).check()
    follow_up_form.get_by_label("What will happen?").fill(
        "Extra e-safety lessons for Years 3 to 6: online friends, secrets, telling an adult"
    )
    follow_up_form.get_by_label("Who is responsible?").fill("Computing lead")
    follow_up_form.get_by_label("Due date").fill(in_a_fortnight)
    page.get_by_role("button", name="Add the follow-up").click()
    expect(page.get_by_text("The school-wide follow-up has been added.")).to_be_visible()
    page.get_by_role("button", name="Complete the support step").click()
    expect(page.get_by_text("The support step is complete.")).to_be_visible()

    # Close, with the outcome.
    page.get_by_role("link", name="Close the concern").click()
    assert_accessible("close the concern")
    page.get_by_label("Outcome").fill(
        "Referred to children's social care and the police; strategy meeting held. "
        "Support in place for all three children."
    )
    page.get_by_role("button", name="Close the concern").click()
    expect(page.get_by_text(f"Concern {concern.reference} is closed.")).to_be_visible()
    title = page.get_by_role("heading", name=f"Concern {concern.reference}", level=1)
    expect(title).to_contain_text("Closed")
    assert_accessible("concern page, closed")
    screenshot("concern-closed")

    concern.refresh_from_db()
    assert concern.step == Step.CLOSED
    assert set(concern.referral_agencies) == {"social_care", "police"}
    assert concern.evidence_advice_given_by == dsl.full_name

    # The history says who did each step, and why.
    page.get_by_role("link", name="History of this concern").click()
    expect(page.get_by_role("heading", name="History", level=1)).to_be_visible()
    entries = page.get_by_role("listitem").filter(has=page.get_by_role("heading", level=2))
    for subject, reason in [
        ("The concern: added", "Concern recorded"),
        (f"Child: {names[0]}: changed", "Safety check recorded"),
        ("The concern: changed", "Safety check recorded"),
        ("Evidence: added", "Evidence described"),
        ("The concern: changed", "Evidence step completed"),
        ("The concern: changed", "Immediate-referral questions answered"),
        ("The concern: changed", "Referral decision recorded"),
        (f"Support for {names[2]}: added", "Support action planned"),
        ("School-wide follow-up: added", "School-wide follow-up planned"),
        ("The concern: changed", "Support planned"),
        ("The concern: changed", "Concern closed"),
    ]:
        who = staff.full_name if reason == "Concern recorded" else dsl.full_name
        entry = entries.filter(has=page.get_by_role("heading", name=subject, exact=True)).filter(
            has_text=f"by {who}. Reason: {reason}"
        )
        expect(entry).not_to_have_count(0)
    assert_accessible("concern history")
    screenshot("history")


def test_immediate_danger_tells_staff_to_call_999(page: Page, live_server, sign_in, staff, pupils):
    sign_in(staff)
    page.get_by_role("button", name="Record a concern").click()
    fill_record_form(page, pupils=pupils, disclosed_at=an_hour_ago(), immediate_danger="Yes")
    page.get_by_label("What was said, in the speaker's own words").fill(ACCOUNT)
    page.get_by_role("button", name="Submit the concern").click()

    expect(page.get_by_role("heading", name="Concern recorded")).to_be_visible()
    expect(page.get_by_text("If you have not already, call 999 now.")).to_be_visible()
    assert Concern.objects.get().immediate_danger is True


def test_works_on_a_phone_sized_screen(page: Page, live_server, sign_in, screenshot, staff, pupils):
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(staff)
    page.get_by_role("button", name="Record a concern").click()
    expect(page.get_by_role("heading", name="Record a concern", level=1)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # With an error summary and error messages shown too.
    page.get_by_role("button", name="Submit the concern").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot("record-form-phone")
