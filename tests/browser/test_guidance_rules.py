"""The wrong courses of DOMAIN.md's case, walked in a real browser by a DSL, each ending
where guidance says it must: a referral that is not optional, investigating flagged for
review, a sextortion concern with the National Crime Agency's advice given and recorded,
and a decision not to refer countersigned by a second member of the safeguarding team.

The steps a journey does not need the pages for are taken through the services, as
tests/test_rules.py takes them; every page a journey reaches for the first time with a new
rule on it is checked with axe-core.
"""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from concerns import rules, services
from concerns.models import (
    AdviceGiven,
    Agency,
    ChildRole,
    Concern,
    DiscloserType,
    FollowUpKind,
    NotReferGround,
    PracticeFlag,
    ReferralDecision,
    Step,
    SupportAction,
    YesNoUnknown,
)
from schools.models import Gender
from tests.browser.test_domain_case import (
    DATETIME_LOCAL,
    an_hour_ago,
    answer_referral_questions,
    choose_pupil,
    expect_chosen,
    group,
    must_refer_warning,
)
from tests.factories import (
    PupilFactory,
    answer_criteria,
    record_concern,
    record_referral,
)

HOUR = datetime.timedelta(hours=1)
MOTHERS_WISH = "The mother asked us not to involve anyone."
DECISION = "Will the concern be referred?"
TOLD = "Have the parents or carers been told about this decision?"


# Steps taken through the services, as the pages would take them.


def check_safety(concern: Concern, *, by, spoken_to="No one: her mother told us.") -> Concern:
    concern.refresh_from_db()
    checks = [
        services.SafetyCheckInput(
            child=child, safe_now=True, notes="Seen in class by the DSL", spoken_to=spoken_to
        )
        for child in concern.children.all()
    ]
    return services.concern_check_safety(
        concern=concern, by=by, version=concern.version, checks=checks
    )


def preserve_evidence(concern: Concern, *, by, **extra) -> Concern:
    services.evidence_item_add(
        concern=concern,
        by=by,
        description="Messages asking for pictures, in a children's game's chat",
        location="The mother's phone",
        held_by="The mother",
    )
    concern.refresh_from_db()
    return services.concern_preserve_evidence(
        concern=concern,
        by=by,
        version=concern.version,
        advice_given_by=by.full_name,
        advice_given_to="The mother",
        advice_given_at=timezone.now() - HOUR,
        **extra,
    )


def refer_to_social_care_and_police(concern: Concern, *, by) -> Concern:
    concern.refresh_from_db()
    concern = answer_criteria(concern, by)
    record_referral(concern, by, agency=Agency.SOCIAL_CARE)
    record_referral(concern, by, agency=Agency.POLICE)
    concern.refresh_from_db()
    return services.concern_decide_referral(
        concern=concern,
        by=by,
        version=concern.version,
        decision=ReferralDecision.REFER,
        rationale="An immediate-referral criterion is met.",
        police_not_told_reason="",
        parents_informed=True,
        parents_not_informed_reason="",
    )


def plan_support(concern: Concern, *, by) -> Concern:
    concern.refresh_from_db()
    for child in concern.children.all():
        services.support_action_add(
            concern=concern,
            by=by,
            child=child,
            action="Weekly check-in with the pastoral lead; praised for telling",
            owner="Pastoral lead",
            review_date=timezone.localdate() + datetime.timedelta(days=14),
        )
    services.follow_up_add(
        concern=concern,
        by=by,
        kind=FollowUpKind.PUPIL_LESSONS,
        description="E-safety lessons for the year group",
        owner="Computing lead",
        due_date=timezone.localdate() + datetime.timedelta(days=30),
    )
    concern.refresh_from_db()
    return services.concern_plan_support(concern=concern, by=by, version=concern.version)


def seed_case(*, school, staff, pupils, **extra) -> Concern:
    """DOMAIN.md: a 9-year-old's mother tells the head; two friends did the same at a
    sleepover; nobody knows who the "special friend" is; the mother wants no one involved."""
    fields = {
        "categories": ("sharing-nudes", "online-grooming"),
        "adult_involved": YesNoUnknown.UNKNOWN,
        "other_children": YesNoUnknown.YES,
        "parent_wishes": "Does not want anyone else involved, or the other parents told.",
    }
    fields.update(extra)
    return record_concern(school=school, reporter=staff, pupils=pupils, **fields)


def open_concern(page: Page, concern: Concern) -> None:
    """From the DSL's queue, where signing in lands them, to the concern's page."""
    page.get_by_role("link", name=concern.reference).first.click()
    expect(page.get_by_role("heading", name=f"Concern {concern.reference}")).to_be_visible()


def error_summary(page: Page):
    return page.locator(".govuk-error-summary")


def fifteen_and_a_half() -> datetime.date:
    """A date of birth that makes a pupil 15 today, whatever today is."""
    return timezone.localdate() - datetime.timedelta(days=round(15.5 * 365.25))


def in_a_month() -> str:
    return (timezone.localdate() + datetime.timedelta(days=28)).isoformat()


# Option 1: do what the mother asks.


def test_option_1_the_mother_asks_for_no_referral_and_the_page_offers_none(
    page: Page, live_server, sign_in, assert_accessible, school, staff, dsl, pupils
):
    concern = seed_case(school=school, staff=staff, pupils=pupils)
    preserve_evidence(check_safety(concern, by=dsl), by=dsl)

    sign_in(dsl)
    open_concern(page, concern)
    page.get_by_role("link", name="Decide on referral").click()
    expect(page.get_by_role("heading", name="When a referral is not optional")).to_be_visible()
    # Before any question is answered, the category already meets two: online grooming
    # means an adult sought images or contact, and grooming is coercion.
    warning = must_refer_warning(page)
    expect(warning).to_contain_text(
        "is an adult involved (yes: from the category “online grooming”: an adult"
    )
    expect(warning).to_contain_text("(yes: from the category “online grooming”: grooming")
    expect(warning).to_contain_text("“Do not refer” is not offered")
    # The girls are 9: the under-13 question is the DSL's to answer, with their ages beside it.
    expect(page.get_by_text("Under 13 when this was disclosed: Amelia Hart (9)")).to_be_visible()
    answer_referral_questions(
        page,
        {
            "unusual_content": "No",
            "sexual_acts": "Not known",
            "harm_risk": "No",
        },
        notes="What the mother said of the messages and the video. " + MOTHERS_WISH,
    )
    expect(must_refer_warning(page)).to_contain_text(
        "do the images involve sexual acts, with a child under 13 in them (not known)"
    )
    criteria = page.locator(".sg-criteria")
    expect(criteria.get_by_text("Not known: met")).to_have_count(1)
    expect(criteria.get_by_text("Yes: met")).to_have_count(2)
    assert_accessible("referral page, immediate-referral criteria met")

    # "Do not refer" is not there to choose: the only decision offered is to refer.
    decision = group(page, DECISION)
    expect(decision.get_by_role("radio")).to_have_count(1)
    expect(decision.get_by_label("Refer: the referrals recorded above")).to_be_visible()
    expect(page.get_by_label("Do not refer")).to_have_count(0)
    expect(page.get_by_label("If not referring, on what ground?")).to_have_count(0)

    # The DSL writes the mother's wish as the reason, and chooses nothing.
    page.get_by_label("Reasons for the decision").fill(MOTHERS_WISH)
    group(page, TOLD).get_by_label("No", exact=True).check()
    page.get_by_label("If not, why not?").fill(MOTHERS_WISH)
    page.get_by_role("button", name="Record the decision").click()
    expect(page).to_have_title(re.compile(r"^Error: Referral"))
    expect(error_summary(page)).to_contain_text("Select whether the concern will be referred")
    expect(page.get_by_label("Reasons for the decision")).to_have_value(MOTHERS_WISH)
    expect(group(page, TOLD).get_by_label("No", exact=True)).to_be_checked()
    expect(page.get_by_label("If not, why not?")).to_have_value(MOTHERS_WISH)

    # "Refer" with no referral made: refused too, and still nothing typed is lost.
    group(page, DECISION).get_by_label("Refer: the referrals recorded above").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(error_summary(page)).to_contain_text(
        "Record the referral to each agency before completing this step"
    )
    expect(page.get_by_label("Reasons for the decision")).to_have_value(MOTHERS_WISH)
    expect(page.get_by_label("If not, why not?")).to_have_value(MOTHERS_WISH)
    assert_accessible("referral page, a decision refused")

    # Closing is out of reach: the steps after the referral cannot start.
    page.get_by_role("link", name=f"Back to {concern.reference}").click()
    expect(page.get_by_role("heading", name=f"Concern {concern.reference}")).to_contain_text(
        "Evidence preserved"
    )
    expect(page.get_by_role("link", name="Close the concern")).to_have_count(0)
    page.goto(f"{live_server.url}/concerns/{concern.uuid}/close/")
    expect(page.get_by_text("Complete “Referral decided” first.")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Concern {concern.reference}")).to_be_visible()

    concern.refresh_from_db()
    assert (concern.step, concern.referral_decision) == (Step.EVIDENCE_PRESERVED, "")
    assert [c.key for c in rules.criteria_met(concern)] == ["adult", "coercion", "sexual_acts"]


def test_option_1_no_support_left_to_the_mother_is_refused(
    page: Page, live_server, sign_in, assert_accessible, school, staff, dsl, pupils
):
    concern = seed_case(school=school, staff=staff, pupils=pupils)
    concern = preserve_evidence(check_safety(concern, by=dsl), by=dsl)
    refer_to_social_care_and_police(concern, by=dsl)
    girl = pupils[0]
    no_support = "No further support: the mother will handle it at home"

    sign_in(dsl)
    open_concern(page, concern)
    page.get_by_role("link", name="Plan support and school-wide follow-up").click()
    # With no support planned yet, its form is open.
    support_form = page.locator("form").filter(
        has=page.get_by_role("button", name="Add the support")
    )
    child_label = f"{girl.full_name} (the child the concern is about)"
    support_form.get_by_label("Child", exact=True).select_option(label=child_label)
    support_form.get_by_label("Support", exact=True).fill(no_support)
    support_form.get_by_label("Who is responsible?").fill("Her mother")
    support_form.get_by_label("Review date").fill(in_a_month())
    page.get_by_role("button", name="Add the support").click()

    expect(page).to_have_title(re.compile(r"^Error: Support"))
    expect(error_summary(page)).to_contain_text(rules.NO_SUPPORT_MESSAGE)
    expect(support_form.get_by_label("Child", exact=True)).to_have_value(
        concern.children.get(pupil=girl).uuid.hex
    )
    expect(support_form.get_by_label("Support", exact=True)).to_have_value(no_support)
    expect(support_form.get_by_label("Who is responsible?")).to_have_value("Her mother")
    expect(support_form.get_by_label("Review date")).to_have_value(in_a_month())
    assert_accessible("support, a support action refused")

    # Without support for each child, the step (and so closing) cannot be completed.
    page.get_by_label("If no school-wide follow-up is planned, why not?").fill(
        "The mother will handle it at home."
    )
    page.get_by_role("button", name="Complete the support step").click()
    expect(error_summary(page)).to_contain_text(f"Plan support for {girl.full_name}")
    expect(page.get_by_label("If no school-wide follow-up is planned, why not?")).to_have_value(
        "The mother will handle it at home."
    )

    assert not SupportAction.objects.filter(child__concern=concern).exists()
    concern.refresh_from_db()
    assert concern.step == Step.REFERRAL_DECIDED


# Option 2: investigate, ask the other parents, then wait.


def test_option_2_interviewing_the_child_and_asking_the_parents_holds_the_concern_open(
    page: Page, live_server, sign_in, assert_accessible, school, staff, dsl, pupils
):
    amelia, bella, _ = pupils
    concern = seed_case(
        school=school,
        staff=staff,
        pupils=[amelia],
        unnamed_children=["A friend at the sleepover", "Another friend at the sleepover"],
    )
    interviewed = "I interviewed Amelia about the chat room to find out who else was involved."
    asked_parents = "I asked the other parents which girls were at the sleepover."
    phoned = "I phoned the other parents to ask what they want; they want nothing done."

    sign_in(dsl)
    to_review = page.get_by_role("listitem").filter(has_text=concern.reference)
    expect(to_review).to_contain_text("Child not yet identified")
    open_concern(page, concern)

    # The safety check: who has spoken to Amelia? The DSL, who interviewed her. A first try
    # leaves out whether she is safe now, and keeps what was typed.
    page.get_by_role("link", name="Check every child is safe").click()
    spoken_to = page.get_by_label(f"Who has spoken to {amelia.full_name} about this, and why?")
    spoken_to.fill(interviewed)
    page.get_by_label("How do you know?").fill("In class with her teacher")
    page.get_by_role("button", name="Record the safety check").click()
    expect(error_summary(page)).to_contain_text(f"Select whether {amelia.full_name} is safe now")
    expect(spoken_to).to_have_value(interviewed)
    expect(page.get_by_label("How do you know?")).to_have_value("In class with her teacher")
    group(page, f"Is {amelia.full_name} safe now?").get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Record the safety check").click()
    expect(page.get_by_text("The safety check has been recorded.")).to_be_visible()

    # One friend named from the register, after asking the other parents.
    page.get_by_role(
        "link", name=re.compile(r"^Identify or pass on\s*: A friend at the sleepover$")
    ).click()
    expect(page.get_by_role("heading", name="A child not yet identified")).to_be_visible()
    identify = page.locator("form").filter(has=page.get_by_role("button", name="Name the child"))
    choose_pupil(identify, bella)
    identify.get_by_label("Their role").select_option(label="Another child affected")
    identify.get_by_label("Who has spoken to this child about this, and why?").fill(asked_parents)
    page.get_by_role("button", name="Name the child").click()
    expect(page).to_have_title(re.compile(r"^Error: A child not yet identified"))
    expect(error_summary(page)).to_contain_text("Select whether this child is safe now")
    expect_chosen(identify, bella)
    expect(
        identify.get_by_label("Who has spoken to this child about this, and why?")
    ).to_have_value(asked_parents)
    assert_accessible("a child not yet identified, with errors")
    group(identify, "Is this child safe now?").get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Name the child").click()
    expect(page.get_by_text(f"{bella.full_name} has been named in the concern.")).to_be_visible()

    # A note of the parents' wishes, found by canvassing them.
    page.get_by_role("link", name=f"Back to {concern.reference}").click()
    page.get_by_label("Add information").fill(phoned)
    page.get_by_role("button", name="Add to the record").click()
    expect(page.get_by_text("Your information has been added to the record.")).to_be_visible()

    # The referral page shows the criterion met, whatever was found out.
    preserve_evidence(concern, by=dsl)
    page.reload()
    page.get_by_role("link", name="Decide on referral").click()
    expect(must_refer_warning(page)).to_contain_text("is an adult involved (yes: from the category")
    expect(page.get_by_label("Do not refer")).to_have_count(0)

    # Referred in the end, with support planned: still, the concern cannot close until the
    # investigating is reviewed and the other friend is named or passed on.
    plan_support(refer_to_social_care_and_police(concern, by=dsl), by=dsl)
    page.goto(f"{live_server.url}/concerns/{concern.uuid}/")
    settle = page.get_by_role("region", name="Still to settle")
    expect(settle).to_contain_text("Children not yet identified: “Another friend at the sleepover”")
    expect(settle).to_contain_text("3 flagged entries need review by the safeguarding team")
    flagged = page.locator(".govuk-summary-card").filter(has_text="To review")
    expect(flagged).to_have_count(3)
    for title, excerpt in [
        (f"A child questioned or interviewed (Safety check: {amelia.full_name})", interviewed),
        (f"Other parents asked or told (Safety check: {bella.full_name})", asked_parents),
        ("Other parents asked or told (Note)", phoned),
    ]:
        card = flagged.filter(has=page.get_by_role("heading", name=title, exact=True))
        expect(card).to_contain_text(excerpt)
        # The DSL wrote these, so a second member of the team reviews them.
        expect(card.get_by_role("button", name="Record the review")).to_have_count(0)
        expect(card).to_contain_text("You wrote this, so another member of the DSL team")
    assert_accessible("concern page, flagged entries and still to settle")

    page.get_by_role("link", name="Close the concern").click()
    expect(page.get_by_text("This concern cannot close yet:")).to_be_visible()
    outcome = "Referred. Waiting to hear from the other parents before anything else."
    page.get_by_label("Outcome").fill(outcome)
    page.get_by_role("button", name="Close the concern").click()
    expect(page).to_have_title(re.compile(r"^Error: Close concern"))
    expect(error_summary(page)).to_contain_text(
        "Children not yet identified: “Another friend at the sleepover”"
    )
    reasons = page.get_by_role("list").filter(has_text="flagged entries need review")
    expect(reasons).to_contain_text("Another friend at the sleepover")
    expect(page.get_by_label("Outcome")).to_have_value(outcome)
    assert_accessible("close the concern, refused")

    concern.refresh_from_db()
    assert concern.step == Step.SUPPORT_PLANNED
    assert PracticeFlag.objects.filter(concern=concern, reviewed_at=None).count() == 3


# Sextortion: the National Crime Agency's advice, given and recorded.


def test_sextortion_the_evidence_page_gives_the_nca_advice_and_records_what_was_paid(
    page: Page, live_server, sign_in, assert_accessible, school, staff, dsl
):
    boy = PupilFactory(
        school=school,
        legal_first_name="Noah",
        legal_last_name="Price",
        gender=Gender.MALE,
        date_of_birth=fifteen_and_a_half(),
        year_group="Year 10",
        class_name="10R",
    )
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=[boy],
        categories=("sextortion",),
        discloser_type=DiscloserType.CHILD,
        discloser_name=boy.full_name,
        discloser_relationship="The child",
        account="He said: 'They said they would send my pictures to everyone unless I "
        "paid. I paid £50 once and now they want more.'",
        adult_involved=YesNoUnknown.UNKNOWN,
        other_children=YesNoUnknown.NO,
        parent_wishes="",
    )
    check_safety(concern, by=dsl, spoken_to="His tutor, who listened when he came to her.")
    card_title = "Sextortion: what the child and family must be told"
    paid = "£50 by bank transfer on Saturday to an account in the name of J Smith"

    sign_in(dsl)
    open_concern(page, concern)
    page.get_by_role("link", name="Preserve evidence").click()
    expect(page.get_by_text("This is a sextortion concern: ask whether anything")).to_be_visible()
    expect(page.get_by_text(f"Not yet recorded as given: “{card_title}”")).to_be_visible()
    cards = page.get_by_role("region", name="The advice for this concern")
    advice = cards.locator("details").filter(has_text=card_title)
    advice.get_by_text(card_title, exact=True).click()
    expect(advice.get_by_text("Don't pay, or pay any more")).to_be_visible()
    for words in [
        "Stop contact and block the account",
        "Don't delete anything: messages, images, usernames, phone numbers",
        "Report to the police (999 if anyone is at immediate risk) or to CEOP",
        "Report Remove (Childline and IWF)",
        "Take It Down (NCMEC)",
        "National Crime Agency alert",
    ]:
        expect(advice).to_contain_text(words)
    assert_accessible("preserve evidence, the advice for a sextortion concern")

    page.get_by_text("Describe a piece of evidence", exact=True).click()
    page.get_by_label("What is the evidence?").fill(
        "Messages threatening to send his pictures to his followers unless he paid"
    )
    page.get_by_label("App or platform").fill("Instagram")
    page.get_by_label("Where is it?").fill("His phone")
    page.get_by_label("Who holds it?").fill("His father")
    page.get_by_role("button", name="Add the description").click()
    expect(page.get_by_text("The evidence has been described.")).to_be_visible()

    page.get_by_text("Record advice given", exact=True).click()
    group(page, "Which advice?").get_by_label(card_title).check()
    page.get_by_label("Who gave it?").fill(dsl.full_name)
    page.get_by_label("To whom?", exact=True).fill("Noah and his father, Mr Price")
    page.get_by_label("When?", exact=True).fill(an_hour_ago().strftime(DATETIME_LOCAL))
    page.get_by_role("button", name="Record the advice").click()
    expect(page.get_by_text("The advice given has been recorded.")).to_be_visible()
    expect(page.get_by_text("Not yet recorded as given")).to_have_count(0)

    # What was paid: "yes" alone is refused, and what was typed is kept.
    page.get_by_label("Who told them not to delete anything?").fill(dsl.full_name)
    page.get_by_label("Who was told?").fill("Noah and his father, Mr Price")
    page.get_by_label("When was the advice given?").fill(an_hour_ago().strftime(DATETIME_LOCAL))
    payment = group(page, "Has any money, gift card or anything else been paid?")
    payment.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Complete the evidence step").click()
    expect(error_summary(page)).to_contain_text("Say what was paid, how and to whom")
    expect(page.get_by_label("Who was told?")).to_have_value("Noah and his father, Mr Price")
    expect(payment.get_by_label("Yes", exact=True)).to_be_checked()
    page.get_by_label("If so, what was paid, how and to whom?").fill(paid)
    page.get_by_role("button", name="Complete the evidence step").click()
    expect(page.get_by_text("The evidence step is complete.")).to_be_visible()

    # The concern's page shows both.
    expect(page.get_by_text(f"Anything paid: Yes. {paid}")).to_be_visible()
    given = page.get_by_role("heading", name="Advice given to the child and family")
    expect(given).to_be_visible()
    expect(page.get_by_role("term").filter(has_text=card_title)).to_be_visible()
    expect(page.get_by_text(f"Given by {dsl.full_name} to Noah and his father")).to_be_visible()

    # The same advice, with every other card, on the guidance page.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Guidance").click()
    expect(page.get_by_role("heading", name="Guidance for each kind of concern")).to_be_visible()
    expect(page.get_by_text(card_title, exact=True)).to_be_visible()
    assert_accessible("guidance cards")

    concern.refresh_from_db()
    assert (concern.payment_made, concern.payment_details) == (YesNoUnknown.YES, paid)
    advice_given = AdviceGiven.objects.select_related("card").get(concern=concern)
    assert (advice_given.card.key, advice_given.given_by) == ("sextortion-family", dsl.full_name)


# A decision not to refer, countersigned.


def test_not_referring_two_15_year_olds_waits_for_the_deputy_to_countersign(
    page: Page, live_server, sign_in, assert_accessible, school, staff, dsl, deputy
):
    teenagers = [
        PupilFactory(
            school=school, date_of_birth=fifteen_and_a_half(), gender=gender, year_group="Year 10"
        )
        for gender in (Gender.FEMALE, Gender.MALE)
    ]
    concern = record_concern(
        school=school,
        reporter=staff,
        pupils=teenagers,
        roles=[ChildRole.SUBJECT, ChildRole.AFFECTED],
        adult_involved=YesNoUnknown.NO,
        other_children=YesNoUnknown.YES,
        parent_wishes="",
    )
    concern = preserve_evidence(check_safety(concern, by=dsl, spoken_to="No one"), by=dsl)
    answer_criteria(concern, dsl)
    rationale = (
        "Images shared by consent between two 15-year-olds; no adult, no coercion, nothing "
        "unusual for their age. Managed in school under the UKCIS advice."
    )
    instead = "Education on consent and image sharing; weekly check-ins with the head of year."
    agreed = "Agree: same age, no coercion, managed in school with education (UKCIS)."

    sign_in(dsl)
    open_concern(page, concern)
    page.get_by_role("link", name="Decide on referral").click()
    expect(must_refer_warning(page)).to_have_count(0)
    expect(
        page.get_by_text("another member of the safeguarding team must countersign")
    ).to_contain_text("the concern is about sexual harm")
    group(page, DECISION).get_by_label("Do not refer").check()
    grounds = group(page, "If not referring, on what ground?")
    grounds.get_by_label("The local threshold for a referral is not met").check()
    page.get_by_label("Reasons for the decision").fill(rationale)
    group(page, TOLD).get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Record the decision").click()
    # The threshold ground needs its details: refused, with the rest kept.
    expect(error_summary(page)).to_contain_text("Enter the level of the threshold document")
    expect(error_summary(page)).to_contain_text("Enter the date of the review")
    expect(grounds.get_by_label("The local threshold for a referral is not met")).to_be_checked()
    expect(page.get_by_label("Reasons for the decision")).to_have_value(rationale)
    page.get_by_label("Which level of the local threshold document applies?").fill(
        "Level 2: early help"
    )
    page.get_by_label("What did they advise, or what will happen instead?").fill(instead)
    page.get_by_label("When will the decision be reviewed?").fill(in_a_month())
    page.get_by_role("button", name="Record the decision").click()
    expect(
        page.get_by_text("Another member of the safeguarding team must now countersign it")
    ).to_be_visible()
    expect(page.get_by_role("region", name="Still to settle")).to_contain_text(
        "awaiting a countersignature"
    )

    # In the queue, and the deciding DSL cannot sign it.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Queue").click()
    waiting = page.get_by_role("listitem").filter(has_text=f"{concern.reference}: decided by")
    expect(waiting).to_contain_text(f"decided by {dsl.full_name}")
    expect(waiting).to_contain_text("(the local threshold for a referral is not met)")
    assert_accessible("queue, a decision awaiting countersignature")
    waiting.get_by_role("link", name=f"Review and countersign {concern.reference}").click()
    expect(page.get_by_role("heading", name="Countersignature")).to_be_visible()
    expect(
        page.get_by_text("You made this decision, so someone else must countersign it")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Countersign the decision")).to_have_count(0)

    # The deputy reads the decision and signs it, with a reason of their own.
    page.get_by_role("button", name="Sign out").click()
    sign_in(deputy)
    waiting.get_by_role("link", name=f"Review and countersign {concern.reference}").click()
    expect(page.get_by_text(f"{dsl.full_name} decided not to refer")).to_be_visible()
    reason = page.get_by_label("Your reason for agreeing")
    reason.fill("The parents want it kept in school.")
    page.get_by_role("button", name="Countersign the decision").click()
    expect(error_summary(page)).to_contain_text(rules.FAMILY_WISHES_MESSAGE)
    expect(reason).to_have_value("The parents want it kept in school.")
    assert_accessible("referral page, a countersignature refused")
    reason.fill(agreed)
    page.get_by_role("button", name="Countersign the decision").click()
    expect(page.get_by_text("You have countersigned the decision not to refer.")).to_be_visible()
    countersigned = page.get_by_role("definition").filter(has_text=f"By {deputy.full_name}")
    expect(countersigned).to_contain_text(agreed)
    expect(page.get_by_role("region", name="Still to settle")).to_have_count(0)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Queue").click()
    expect(page.get_by_text("No decision is waiting for a countersignature.")).to_be_visible()
    concern.refresh_from_db()
    assert concern.not_refer_ground == NotReferGround.THRESHOLD
    assert (concern.decided_by_id, concern.countersigned_by_id) == (dsl.pk, deputy.pk)
    assert concern.countersign_reason == agreed
