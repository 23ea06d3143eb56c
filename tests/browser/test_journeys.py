"""Two journeys through the parts of Safeguard around the concerns, in a real browser.

A governor reads the oversight dashboard for this term and others, downloads the termly
report and finds no child named in it, reads the registers and the checklist, and is turned
away from a concern. A school's administrator imports pupils from a CSV with bad rows and
invites a deputy DSL, who accepts on another computer and sets up an authenticator app the
first time they sign in.

Fields are found by their labels and buttons by their names, as a person would find them.
"""

import datetime
import re

import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from oversight import periods
from oversight.periods import PeriodChoice
from schools.models import Pupil, User
from schools.pupil_import import upn_check_letter
from tests.browser.conftest import check_accessible
from tests.conftest import work_the_queue
from tests.factories import PASSWORD, PupilFactory, record_concern, totp_code

# The children the governor's figures are about, none of whom may be named in the report.
CHILDREN = [
    ("Amelia", "Hartwell"),
    ("Bella", "Coleridge"),
    ("Chloe", "Dunmore"),
    ("Daisy", "Ellwood"),
    ("Evie", "Fairbairn"),
    ("Finley", "Gatling"),
    ("Georgia", "Hollins"),
    ("Harvey", "Ingleby"),
    ("Isla", "Jennings"),
    ("Jacob", "Kershaw"),
    ("Kian", "Lindqvist"),
    ("Lola", "Marchetti"),
    ("Mason", "Nyberg"),
]
INVITATION_LINK = re.compile(r"https?://[^/\s]+(/invitation/[^/\s]+/[^/\s]+/)")


def headline(page: Page, label: str):
    """The value of one of the dashboard's headline figures."""
    row = page.locator(".govuk-summary-list__row").filter(
        has=page.get_by_role("term").filter(has_text=re.compile(rf"^{re.escape(label)}$"))
    )
    return row.get_by_role("definition")


def figures_table(page: Page, title: str):
    """A chart's figures, opened from the "Show the figures as a table" beneath it."""
    page.get_by_text(f"Show the figures as a table: {title.lower()}").click()
    return page.get_by_role("table", name=title)


def choose_period(page: Page, label: str, *, start: str = "", end: str = "") -> None:
    page.get_by_role("group", name="Period").get_by_label(label, exact=True).check()
    page.get_by_label("From").fill(start)
    page.get_by_label("To", exact=True).fill(end)
    page.get_by_role("button", name="Show the figures").click()


def record_at(when: datetime.datetime, *, school, reporter, pupil, category: str):
    with time_machine.travel(when, tick=False):
        return record_concern(
            school=school, reporter=reporter, pupils=[pupil], categories=(category,)
        )


def test_a_governor_reads_the_figures_and_downloads_the_termly_report(
    page: Page, live_server, sign_in, screenshot, assert_accessible, school, staff, governor
):
    today = timezone.localdate()
    this_term = periods.period_for(PeriodChoice.THIS_TERM, today=today)
    last_term = this_term.previous()
    last_year = periods.period_for(PeriodChoice.LAST_YEAR, today=today)
    children = [
        PupilFactory(school=school, legal_first_name=first, legal_last_name=last)
        for first, last in CHILDREN
    ]
    # This term, recorded now: six concerns, five of them about online grooming.
    concerns = [
        record_concern(school=school, reporter=staff, pupils=[pupil], categories=(category,))
        for pupil, category in zip(children[:6], ["online-grooming"] * 5 + ["neglect"], strict=True)
    ]
    # Last term: two. And five in the first fortnight of the last academic year, which is
    # never part of last term (a term starts in September at the earliest).
    for days, pupil, category in [
        (7, children[6], "online-grooming"),
        (14, children[7], "neglect"),
    ]:
        when = last_term.starts_at + datetime.timedelta(days=days, hours=9)
        record_at(when, school=school, reporter=staff, pupil=pupil, category=category)
    first_weeks = periods.custom(last_year.start, last_year.start + datetime.timedelta(days=27))
    for pupil in children[8:]:
        when = last_year.starts_at + datetime.timedelta(days=10, hours=9)
        record_at(when, school=school, reporter=staff, pupil=pupil, category="child-on-child")

    sign_in(governor)
    # Governors start on the oversight dashboard, showing this term.
    expect(page.get_by_role("heading", name="Safeguarding oversight", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name=this_term.name, level=2)).to_be_visible()
    expect(page.get_by_text(f"Compared with {last_term.name}")).to_be_visible()
    expect(headline(page, "Concerns recorded")).to_have_text(
        f"6, compared with fewer than 5 in {last_term.name}"
    )
    expect(headline(page, "Online-safety concerns")).to_have_text(
        f"5, compared with fewer than 5 in {last_term.name}"
    )
    expect(page.get_by_text("counts from 1 to 4 are shown as “fewer than 5”")).to_be_visible()
    categories = figures_table(page, "Concerns by category")
    expect(categories.get_by_role("columnheader")).to_have_text(
        ["Category", "This period", last_term.name]
    )
    expect(categories.get_by_role("row", name="Online grooming").get_by_role("cell")).to_have_text(
        ["5", "fewer than 5"]
    )
    expect(categories.get_by_role("row", name="Neglect").get_by_role("cell")).to_have_text(
        ["fewer than 5", "fewer than 5"]
    )
    assert_accessible("oversight dashboard, this term")
    screenshot("oversight-dashboard")

    # The termly report: prepared by the worker while its page waits, and says when it is
    # ready by itself; the same figures, and no child's name anywhere in it.
    page.get_by_role("button", name=re.compile(r"^Prepare the report as a PDF")).click()
    expect(page.get_by_text("Your report is being prepared")).to_be_visible()
    assert_accessible("report being prepared")
    work_the_queue()  # the notifications of the concerns recorded, and the report
    expect(page.get_by_role("heading", name="Your report is ready")).to_be_visible(timeout=10_000)
    expect(page).to_have_title("Your report is ready – Safeguard")
    assert_accessible("report ready")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the report (PDF)").click()
    download = download_info.value
    term_slug = this_term.name.lower().replace(" ", "-")
    assert download.suggested_filename == (
        f"safeguarding-report-oakfield-primary-school-{term_slug}.pdf"
    )
    text = "\n".join(pdf_page.extract_text() for pdf_page in PdfReader(download.path()).pages)
    assert f"Safeguarding report: {this_term.name}" in text
    assert "fewer than 5" in text
    assert concerns[0].reference not in text
    for pupil in children:
        for name in (pupil.legal_first_name, pupil.legal_last_name, pupil.upn):
            assert name not in text, name
    # Back on the dashboard, the report waits under "Reports you asked for".
    page.locator(".govuk-back-link").click()
    expect(
        page.get_by_role("link", name=f"Download the report for {this_term.name}")
    ).to_be_visible()

    # Dates of their choice: a refusal first, which keeps what was typed.
    choose_period(
        page,
        "Dates of your choice",
        start=first_weeks.end.isoformat(),
        end=first_weeks.start.isoformat(),
    )
    expect(page).to_have_title(re.compile(r"^Error: Safeguarding oversight"))
    error_link = page.get_by_role(
        "link", name="The last day must be the same as or after the first"
    )
    expect(error_link).to_be_visible()
    expect(page.get_by_label("From")).to_have_value(first_weeks.end.isoformat())
    assert_accessible("oversight dashboard, with errors")
    error_link.click()
    expect(page.get_by_label("To", exact=True)).to_be_focused()

    choose_period(
        page,
        "Dates of your choice",
        start=first_weeks.start.isoformat(),
        end=first_weeks.end.isoformat(),
    )
    expect(page.get_by_role("heading", name=first_weeks.name, level=2)).to_be_visible()
    expect(headline(page, "Concerns recorded")).to_have_text("5, up from 0 in the previous 28 days")
    assert_accessible("oversight dashboard, dates of your choice")

    choose_period(page, "Last academic year")
    expect(
        page.get_by_role("group", name="Period").get_by_label("Last academic year")
    ).to_be_checked()
    expect(page.get_by_role("heading", name=last_year.name.capitalize(), level=2)).to_be_visible()
    in_last_year = 5 + (2 if last_year.start <= last_term.start <= last_year.end else 0)
    expect(headline(page, "Concerns recorded")).to_have_text(re.compile(rf"^\s*{in_last_year}, "))
    months = figures_table(page, "Concerns recorded by month")
    september = months.get_by_role("row", name=f"{last_year.start:%b %Y}")
    expect(september.get_by_role("cell")).to_have_text(["5", "0"])
    assert_accessible("oversight dashboard, last academic year")

    # The registers and the checklist, which governors read but do not keep.
    page.get_by_role("link", name="training, policy and roles registers").click()
    expect(page.get_by_role("heading", name="Safeguarding registers", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Training", level=2)).to_be_visible()
    expect(page.get_by_role("button", name="Record training")).to_have_count(0)
    assert_accessible("safeguarding registers, read by a governor")
    page.get_by_role("link", name="Oversight checklist").click()
    expect(page.get_by_role("heading", name="Oversight checklist", level=1)).to_be_visible()
    expect(page.get_by_role("heading", level=2)).not_to_have_count(0)
    assert_accessible("oversight checklist, read by a governor")
    screenshot("oversight-checklist")

    # A link to a concern, say from a forwarded e-mail, shows a governor nothing of it.
    response = page.goto(f"{live_server.url}/concerns/{concerns[0].uuid}/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="You cannot do this", level=1)).to_be_visible()
    expect(page.get_by_text(concerns[0].reference)).to_have_count(0)
    assert_accessible("403: a governor opens a concern")


def upn(serial: int) -> str:
    body = f"80120001{serial:04d}"
    return upn_check_letter(body) + body


def wrong_check_letter(number: str) -> str:
    return ("B" if number[0] == "A" else "A") + number[1:]


def test_an_administrator_imports_pupils_and_invites_a_deputy_who_sets_up_a_second_factor(
    page: Page,
    browser: Browser,
    live_server,
    sign_in,
    screenshot,
    assert_accessible,
    school,
    school_admin,
    run_queued_tasks,
):
    born = (timezone.localdate() - datetime.timedelta(days=9 * 365)).isoformat()
    ruby, oscar, bad = upn(101), upn(102), upn(103)
    lines = [
        "upn,legal_first_name,legal_last_name,date_of_birth,gender,year_group",
        f"{ruby},Ruby,Stone,{born},F,Year 4",
        f"{wrong_check_letter(bad)},Sam,Reed,{born},M,Year 4",
        f"{oscar},Oscar,Vale,{born},M,Year 4",
        f"{upn(104)},Tia,Wood,31/02/2017,F,Year 4",
        f"{ruby},Ruby,Stone,{born},F,Year 4",
    ]
    csv = ("\n".join(lines) + "\n").encode()

    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible("sign in")
    sign_in(school_admin)
    assert_accessible("school administrator's home")

    # Pupils, from the MIS export.
    page.get_by_role("link", name="Import pupils").click()
    expect(page.get_by_role("heading", name="Import pupils", level=1)).to_be_visible()
    assert_accessible("import pupils")
    page.get_by_label("CSV file from your MIS").set_input_files(
        files=[{"name": "pupils.csv", "mimeType": "text/csv", "buffer": csv}]
    )
    page.get_by_role("button", name="Import the pupils").click()
    expect(page.get_by_role("heading", name="Pupils imported")).to_be_visible()
    for term, count in [("Created", 2), ("Updated", 0), ("Unchanged", 0), ("Rejected", 3)]:
        expect(headline(page, term)).to_have_text(str(count))
    expect(page.get_by_text("3 rows were not imported")).to_be_visible()
    rejected = page.get_by_role("table", name="Rows not imported")
    expect(rejected.get_by_role("row")).to_have_count(4)
    expect(rejected.get_by_role("row", name="Line 3")).to_contain_text(
        f"UPN '{wrong_check_letter(bad)}' fails the DfE check-letter test"
    )
    expect(rejected.get_by_role("row", name="Line 5")).to_contain_text(
        "Date of birth '31/02/2017' is not a real date"
    )
    expect(rejected.get_by_role("row", name="Line 6")).to_contain_text(
        f"UPN {ruby} is already on line 2"
    )
    assert_accessible("import pupils, with the report")
    screenshot("pupil-import-report")
    assert sorted(
        Pupil.objects.filter(school=school).values_list("legal_first_name", "legal_last_name")
    ) == [("Oscar", "Vale"), ("Ruby", "Stone")]

    # A new deputy DSL, invited from the people page.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="People").click()
    expect(page.get_by_role("heading", name="People", level=1)).to_be_visible()
    assert_accessible("people")
    page.get_by_role("button", name="Invite someone").click()
    expect(page.get_by_role("heading", name="Invite someone", level=1)).to_be_visible()
    assert_accessible("invite someone")
    page.get_by_label("Full name").fill("Priya Patel")
    page.get_by_label("Email address").fill("priya.patel")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page).to_have_title(re.compile(r"^Error: Invite someone"))
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_label("Full name")).to_have_value("Priya Patel")
    assert_accessible("invite someone, with errors")
    page.get_by_label("Email address").fill("priya.patel@oakfield.example")
    page.get_by_label("Job title (optional)").fill("Assistant head")
    page.get_by_role("group", name="Role").get_by_label(
        "Deputy designated safeguarding lead"
    ).check()
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("Priya Patel has been invited to")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("^Priya Patel"))).to_contain_text(
        "Not accepted yet"
    )

    # The worker sends the invitation; run in this process, it puts it in this test's outbox.
    run_queued_tasks()
    (invitation,) = [email for email in mail.outbox if email.to == ["priya.patel@oakfield.example"]]
    link = INVITATION_LINK.search(invitation.body)
    assert link, invitation.body

    # Priya, on her own computer.
    priya = browser.new_context(locale="en-GB", timezone_id="Europe/London").new_page()
    priya.goto(f"{live_server.url}{link.group(1)}")
    expect(priya.get_by_role("heading", name="Accept your invitation", level=1)).to_be_visible()
    expect(priya.get_by_text("priya.patel@oakfield.example")).to_be_visible()
    check_accessible(priya, "accept an invitation")
    priya.get_by_label("Create a password").fill("too short")
    priya.get_by_label("Confirm your password").fill("too short")
    priya.get_by_role("button", name="Set my password").click()
    expect(priya).to_have_title(re.compile(r"^Error: Accept your invitation"))
    error_link = priya.get_by_role("link", name=re.compile("too short"))
    expect(error_link).to_be_visible()
    # GOV.UK forms never show a password again: both boxes are empty to type afresh.
    expect(priya.get_by_label("Create a password")).to_have_value("")
    check_accessible(priya, "accept an invitation, with errors")
    error_link.click()
    expect(priya.get_by_label("Create a password")).to_be_focused()
    priya.get_by_label("Create a password").fill(PASSWORD)
    priya.get_by_label("Confirm your password").fill(PASSWORD)
    priya.get_by_role("button", name="Set my password").click()
    expect(
        priya.get_by_text("Your password has been set. Sign in with your email address")
    ).to_be_visible()

    # Her first sign-in: a deputy DSL must set up an authenticator app before anything else.
    priya.get_by_label("Email address").fill("priya.patel@oakfield.example")
    priya.get_by_label("Password").fill(PASSWORD)
    priya.get_by_role("button", name="Sign in").click()
    expect(
        priya.get_by_role("heading", name="Set up your authenticator app", level=1)
    ).to_be_visible()
    expect(priya.get_by_text("Your role needs a second factor.")).to_be_visible()
    check_accessible(priya, "set up an authenticator app")
    secret = priya.locator("#setup-key").inner_text().replace(" ", "")
    priya.get_by_label("Code").fill(totp_code(secret))
    priya.get_by_role("button", name="Turn on").click()
    expect(priya.get_by_role("heading", name="Your recovery codes", level=1)).to_be_visible()
    expect(
        priya.get_by_role("list", name="Unused recovery codes").get_by_role("listitem")
    ).to_have_count(10)
    check_accessible(priya, "recovery codes")
    priya.get_by_role("button", name="I have kept my codes safe: continue").click()
    expect(priya.get_by_role("heading", name="Safeguarding queue", level=1)).to_be_visible()
    check_accessible(priya, "DSL queue, for a new deputy")

    # From now on she is asked for the code each time she signs in.
    priya.get_by_role("button", name="Sign out").click()
    priya.goto(f"{live_server.url}/accounts/login/")
    priya.get_by_label("Email address").fill("priya.patel@oakfield.example")
    priya.get_by_label("Password").fill(PASSWORD)
    priya.get_by_role("button", name="Sign in").click()
    expect(
        priya.get_by_role("heading", name="Enter the code from your authenticator app")
    ).to_be_visible()
    check_accessible(priya, "enter the authenticator code")
    priya.get_by_label("Code").fill(totp_code(secret))
    priya.get_by_role("button", name="Sign in").click()
    expect(priya.get_by_role("heading", name="Safeguarding queue", level=1)).to_be_visible()
    priya.context.close()

    user = User.objects.get(email="priya.patel@oakfield.example")
    assert user.has_usable_password()
