"""The termly report to governors: the dashboard for a period as a tagged PDF, with the
registers and the checklist, under the same small-number rules as the page."""

import io
import re
from datetime import date

import pikepdf
import pytest
import time_machine
from django.urls import reverse

from oversight import services as register_services
from oversight.models import (
    ChecklistItem,
    ChecklistQuestion,
    ChecklistStatus,
    CourseKind,
    NamedRoleKind,
    PersonRole,
    PolicyKind,
)
from oversight.report import render_report
from tests import test_oversight_dashboard as dashboard_tests
from tests.test_oversight_dashboard import NOW, SPRING_2026, identities
from tests.test_pdf import pdf_text
from tests.test_views_concerns import page_text, signed_in

REPORT = reverse("oversight:report")

# The hand-built school, the frozen clock and the demo school of the dashboard's tests.
spring_2026 = dashboard_tests.spring_2026
exceptions_school = dashboard_tests.exceptions_school
frozen = dashboard_tests.frozen
demo = dashboard_tests.demo


def download(user, **data):
    return signed_in(user).post(REPORT, data or {"period": "this_term"})


def text_of(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    return " ".join(pdf_text(response.content))


@pytest.mark.parametrize("persona", ["governor", "dsl", "deputy", "school_admin"])
def test_governors_the_dsl_team_and_the_administrator_download_the_report(
    persona, request, spring_2026, frozen
):
    response = download(request.getfixturevalue(persona))

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="safeguarding-report-oakfield-primary-school-spring-term-2026.pdf"'
    )
    assert response["Cache-Control"] == "private, no-store"
    assert "Safeguarding report: Spring term 2026" in text_of(response)


def test_staff_may_not_download_the_report(staff):
    assert download(staff).status_code == 403


def test_the_report_needs_signing_in(client):
    response = client.post(REPORT, {"period": "this_term"})

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={REPORT}"


def test_the_report_is_only_made_by_post(dsl):
    assert signed_in(dsl).get(REPORT, {"period": "this_term"}).status_code == 405


def test_a_report_for_wrong_dates_shows_the_errors_instead(dsl, frozen):
    response = download(dsl, period="custom", start="2026-03-01")

    assert response.status_code == 400
    assert "Enter the last day of the period" in page_text(response)
    assert "<title>Error: " in response.content.decode()


def test_the_governors_copy_withholds_small_numbers_and_the_dsls_is_exact(
    spring_2026, governor, dsl, frozen
):
    governor_copy = text_of(download(governor))
    dsl_copy = text_of(download(dsl))

    assert "Online-safety concerns fewer than 5, compared with fewer than 5" in governor_copy
    assert "Urgent referrals confirmed in writing on time too few to show" in governor_copy
    assert "Social care feedback received on time 80% of 5" in governor_copy
    assert "75% (3 of 4)" not in governor_copy

    assert "Online-safety concerns 4, up from 1 in Autumn term 2025" in dsl_copy
    assert "Urgent referrals confirmed in writing on time 75% (3 of 4)" in dsl_copy
    assert "Median time from recording to the safety check 2 hours 30 minutes" in dsl_copy
    assert "Its figures are exact" in dsl_copy


def test_the_report_holds_the_dashboards_charts_and_tables(spring_2026, dsl, frozen):
    text = text_of(download(dsl))

    for title in [
        "Time from recording a concern",
        "Concerns recorded by month",
        "Concerns by category",
        "Referrals by agency",
        "Referrals by outcome",
        "Open concerns now, by step",
        "Open concerns now, by time since recording",
        "Actions overdue now",
        "School-wide follow-up",
    ]:
        assert title in text, title
    # The time table: median, 90th percentile, how many, the term before.
    assert "To the safety check 2 hours 30 minutes 7 hours 6 6 hours" in text
    assert "To the first referral 3 hours 6 hours 48 minutes 5 4 hours" in text
    # The month table, and the charts' own words (drawn as SVG text).
    assert "Jan 2026 2 2 Feb 2026 2 1 Mar 2026 3 1 Apr 2026 0 0" in text
    assert "Extra e-safety lessons for pupils 1 1 0 0 0" in text
    assert "Staff training 1 0 0 0 0" in text


def test_every_page_is_official_sensitive_numbered_and_tagged(spring_2026, governor, frozen):
    response = download(governor)
    pages = pdf_text(response.content)

    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert text.count("OFFICIAL-SENSITIVE") == 2
        assert f"Page {number} of {len(pages)}" in text
        assert re.search(r"Generated \d+ \w{3} \d{4}, \d\d:\d\d by Gill Governor", text)
    with pikepdf.open(io.BytesIO(response.content)) as document:
        assert document.Root.MarkInfo.Marked is True
        assert "/StructTreeRoot" in document.Root
        metadata = document.open_metadata()
        assert metadata["pdfuaid:part"] == "1"
        assert metadata["dc:title"] == "Safeguarding report to governors – Spring term 2026"
        for page in document.pages:
            assert list(page.get_images()) == []


def test_the_report_shows_the_registers_and_the_checklist(school, dsl, governor, frozen):
    register_services.training_record_add(
        school=school,
        by=dsl,
        person=None,
        person_name="Grace Late",
        person_role=PersonRole.GOVERNOR,
        kind=CourseKind.GOVERNOR_REFRESHER,
        completed_on=date(2022, 1, 10),
    )
    register_services.policy_add(
        school=school,
        by=dsl,
        kind=PolicyKind.ONLINE_SAFETY,
        title="Online safety policy 2025",
        last_reviewed_on=date(2025, 1, 15),
    )
    register_services.named_role_add(
        school=school,
        by=dsl,
        role=NamedRoleKind.DSL,
        person=dsl,
        from_date=date(2024, 9, 1),
    )
    register_services.checklist_seed(school=school)
    register_services.checklist_assess(
        item=ChecklistItem.objects.get(school=school, question=ChecklistQuestion.CEOP_TRAINED),
        by=dsl,
        status=ChecklistStatus.NOT_MET,
        evidence="Nobody has done the CEOP course yet.",
        assessed_on=date(2026, 3, 2),
    )

    text = text_of(download(governor))

    assert "Registers, on 20 Mar 2026" in text
    assert "Grace Late Governor Governor safeguarding refresher expired on 10 January 2025" in text
    assert "Online safety policy 2025 15 Jan 2025 15 Jan 2026 Overdue" in text
    assert "Designated safeguarding lead Dana Lead 1 Sep 2024" in text
    assert (
        "There are CEOP-trained staff Not met 2 Mar 2026 Nobody has done the CEOP course yet."
        in (text)
    )
    # A question not yet assessed still appears.
    assert "Guidance to parents on online safety is sufficient Not started" in text


def test_the_report_only_reads_the_checklist(school, governor, frozen):
    assert "Safeguarding report" in text_of(download(governor))

    # The checklist page adds a school's questions; a report does not write anything.
    assert not ChecklistItem.objects.filter(school=school).exists()


def test_the_report_names_no_child_and_quotes_no_concern(demo):
    hollybrook, governor = demo

    for choice in ("this_term", "this_year"):
        text = text_of(download(governor, period=choice))
        assert "Concerns recorded" in text
        leaks = [found for found in identities(hollybrook) if found in text]
        assert leaks == []


def test_the_report_renders_the_same_figures_as_the_dashboard(spring_2026, dsl):
    with time_machine.travel(NOW, tick=False):
        # The DSL's page is exact, so the PDF is asked for exact figures too.
        pdf = " ".join(
            pdf_text(render_report(spring_2026, SPRING_2026, exact=True, by=dsl, now=NOW))
        )
        page = page_text(signed_in(dsl).get(reverse("oversight:dashboard")))

    headlines = "Concerns recorded 7, up from 3 in Autumn term 2025 Online-safety concerns 4"
    assert headlines in pdf
    assert headlines in page.replace(" ,", ",")


def test_the_report_carries_the_exceptions_with_why_each_matters(
    exceptions_school, governor, dsl, frozen
):
    governor_copy = text_of(download(governor))
    dsl_copy = text_of(download(dsl))

    assert "Exceptions to look at" in governor_copy
    for title in [
        "Decisions not to refer, by ground",
        "Decisions not to refer, countersigned or not",
        "Concerns where an immediate-referral criterion was met",
        "Children not yet identified",
        "Family advice not recorded as given",
        "Entries flagged as investigating",
    ]:
        assert title in governor_copy, title
    assert governor_copy.count("Why this matters:") == 6
    # The governor's copy withholds every figure from 1 to 4; the DSL team's is exact.
    assert "Waiting for a countersignature fewer than 5 0" in governor_copy
    assert "Not yet identified fewer than 5 0" in governor_copy
    assert "The local threshold for a referral was not met fewer than 5 fewer than 5" in (
        governor_copy
    )
    assert "Waiting for a countersignature 1 0" in dsl_copy
    assert "Not yet identified 2 0" in dsl_copy
    assert "Decided without referring to both 1 0" in dsl_copy
    assert "Past the evidence step, advice not recorded 1 1" in dsl_copy


def test_the_exceptions_in_the_report_name_no_child_and_quote_no_concern(
    exceptions_school, governor, dsl, frozen
):
    for user in (governor, dsl):
        text = " ".join(text_of(download(user)).split())
        assert "Exceptions to look at" in text
        leaks = [found for found in identities(exceptions_school) if found in text]
        assert leaks == []
