"""The termly report to governors: the dashboard for a period as a tagged PDF, with the
registers and the checklist, under the same small-number rules as the page."""

import io
import re
from datetime import date, timedelta

import pikepdf
import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from oversight import report as report_module
from oversight import services as register_services
from oversight.models import (
    REPORT_KEPT,
    REPORT_STALLED_AFTER,
    ChecklistItem,
    ChecklistQuestion,
    ChecklistStatus,
    CourseKind,
    NamedRoleKind,
    PersonRole,
    PolicyKind,
    PreparedReport,
    ReportStatus,
)
from oversight.report import render_report
from schools.models import Membership, Role
from tests import test_oversight_dashboard as dashboard_tests
from tests.conftest import work_the_queue
from tests.factories import PupilFactory, member, record_concern
from tests.test_oversight_dashboard import NOW, SPRING_2026, identities
from tests.test_pdf import pdf_text
from tests.test_views_concerns import page_text, signed_in

REPORT = reverse("oversight:report")

# The hand-built school, the frozen clock and the demo school of the dashboard's tests.
spring_2026 = dashboard_tests.spring_2026
exceptions_school = dashboard_tests.exceptions_school
frozen = dashboard_tests.frozen
demo = dashboard_tests.demo


def ask(user, **data):
    """Ask for the report as the dashboard's button does: the answer is its page."""
    return signed_in(user).post(REPORT, data or {"period": "this_term"})


def download(user, **data):
    """Ask for the report, let the worker prepare it, and download it from its page, as the
    reader does (a refusal, or the page with errors, is returned as it comes)."""
    client = signed_in(user)
    asked = client.post(REPORT, data or {"period": "this_term"})
    if asked.status_code != 302:
        return asked
    assert work_the_queue() == 1
    status = client.get(asked["Location"])
    assert "Your report is ready" in page_text(status)
    return client.get(asked["Location"] + "pdf/")


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


# --- Prepared in the background -------------------------------------------------------------


def report_page(response) -> str:
    assert response.status_code == 302
    return response["Location"]


def test_asking_for_the_report_queues_it_and_renders_nothing_in_the_request(
    spring_2026, governor, frozen
):
    client = signed_in(governor)
    status_url = report_page(client.post(REPORT, {"period": "this_term"}))

    page = client.get(status_url)
    text = page_text(page)
    assert "Your report is being prepared" in text
    assert "Check whether it is ready" in text
    assert page["Cache-Control"] == "private, no-store"
    asked = PreparedReport.objects.get()
    assert (asked.status, asked.content, asked.period_name) == (
        ReportStatus.PREPARING,
        None,
        "Spring term 2026",
    )
    # Until it is ready, its file is its page.
    assert client.get(status_url + "pdf/")["Location"] == status_url

    assert work_the_queue() == 1
    asked.refresh_from_db()
    assert asked.status == ReportStatus.READY
    assert asked.render_ms is not None and asked.finished_at is not None
    assert "Your report is ready" in page_text(client.get(status_url))
    pdf = client.get(status_url + "pdf/")
    assert "Safeguarding report: Spring term 2026" in text_of(pdf)


def test_the_dashboard_lists_the_readers_reports_and_only_theirs(
    spring_2026, school, governor, frozen
):
    client = signed_in(governor)
    report_page(client.post(REPORT, {"period": "this_term"}))
    dashboard = reverse("oversight:dashboard")

    assert "The report for Spring term 2026 : being prepared" in page_text(client.get(dashboard))
    work_the_queue()
    ready = page_text(client.get(dashboard))
    assert "Download the report for Spring term 2026" in ready

    another_governor = member(school, Role.GOVERNOR, email="second.governor@example.org")
    assert "Reports you asked for" not in page_text(signed_in(another_governor).get(dashboard))


def test_pressing_twice_while_it_is_prepared_asks_once(spring_2026, dsl, frozen):
    client = signed_in(dsl)
    first = report_page(client.post(REPORT, {"period": "this_term"}))
    second = report_page(client.post(REPORT, {"period": "this_term"}))

    assert first == second
    assert work_the_queue() == 1
    # Once it is ready, asking again prepares a new one (the figures may have changed).
    assert report_page(client.post(REPORT, {"period": "this_term"})) != first


def test_only_its_reader_may_see_or_download_a_report(
    spring_2026, school, governor, dsl, other_dsl, frozen
):
    status_url = report_page(signed_in(governor).post(REPORT, {"period": "this_term"}))
    work_the_queue()
    another_governor = member(school, Role.GOVERNOR, email="second.governor@example.org")

    for user in (dsl, another_governor, other_dsl):
        client = signed_in(user)
        assert client.get(status_url).status_code == 404
        assert client.get(status_url + "pdf/").status_code == 404
    assert Client().get(status_url + "pdf/")["Location"].startswith("/accounts/login/")


def test_an_exact_copy_is_refused_once_its_reader_only_governs(spring_2026, school, dsl, frozen):
    status_url = report_page(signed_in(dsl).post(REPORT, {"period": "this_term"}))
    work_the_queue()
    Membership.objects.filter(user=dsl, school=school).update(role=Role.GOVERNOR)

    refused = signed_in(dsl).get(status_url + "pdf/")

    assert refused.status_code == 403
    assert "You cannot do this" in page_text(refused)


def _font_missing(*args, **kwargs):
    raise RuntimeError("WeasyPrint is missing a font")


def _query_fails(*args, **kwargs):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 / 0")


@pytest.mark.parametrize("broken", [_font_missing, _query_fails])
def test_a_report_that_cannot_be_prepared_says_so_and_can_be_asked_for_again(
    spring_2026, governor, frozen, monkeypatch, broken
):

    monkeypatch.setattr(report_module, "render_report", broken)
    client = signed_in(governor)
    status_url = report_page(client.post(REPORT, {"period": "this_term"}))
    work_the_queue()

    text = page_text(client.get(status_url))
    assert "Your report could not be prepared" in text
    assert "Ask for it again" in text
    assert client.get(status_url + "pdf/")["Location"] == status_url
    assert report_page(client.post(REPORT, {"period": "this_term"})) != status_url


def test_the_pages_script_gets_only_the_status(spring_2026, governor, frozen):
    client = signed_in(governor)
    status_url = report_page(client.post(REPORT, {"period": "this_term"}))

    waiting = client.get(status_url, {"fragment": "status"}).content.decode()
    work_the_queue()
    ready = client.get(status_url, {"fragment": "status"}).content.decode()

    assert "<html" not in waiting and "being prepared" in waiting
    assert "data-sg-finished" not in waiting
    assert "<html" not in ready and "data-sg-finished" in ready
    assert "Download the report (PDF)" in ready


def test_asking_costs_the_same_whatever_the_school_holds(
    spring_2026, school, staff, governor, frozen, django_assert_num_queries
):
    """The request only saves the report and its task: how many concerns the school holds
    makes no difference to it (the worker does the rest)."""
    client = signed_in(governor)
    # Session, user, the reader's memberships (twice: for the two-factor check, and for the
    # school whose figures they read), the school's term dates; in a transaction (two more
    # statements): a report already being prepared?, files kept too long cleared (UPDATE),
    # the report, the task.
    with django_assert_num_queries(11):
        report_page(client.post(REPORT, {"period": "this_term"}))
    work_the_queue()
    for _ in range(10):
        record_concern(school=school, reporter=staff, pupils=[PupilFactory(school=school)])
    with django_assert_num_queries(11):
        report_page(client.post(REPORT, {"period": "last_term"}))


def test_a_report_whose_worker_stopped_is_shown_as_not_prepared_and_asked_afresh(
    spring_2026, governor, frozen
):
    client = signed_in(governor)
    stuck = report_page(client.post(REPORT, {"period": "this_term"}))

    with time_machine.travel(NOW + REPORT_STALLED_AFTER + timedelta(minutes=1), tick=False):
        text = page_text(client.get(stuck))
        assert "Your report could not be prepared" in text
        assert "whatever was preparing it has stopped" in text
        dashboard = page_text(client.get(reverse("oversight:dashboard")))
        assert "The report for Spring term 2026 : could not be prepared" in dashboard
        # Asking again prepares another; the stuck one is not handed back.
        assert report_page(client.post(REPORT, {"period": "this_term"})) != stuck


def test_a_prepared_file_is_kept_a_week_then_cleared(spring_2026, dsl, frozen):
    client = signed_in(dsl)
    first = report_page(client.post(REPORT, {"period": "this_term"}))
    work_the_queue()

    with time_machine.travel(NOW + REPORT_KEPT + timedelta(days=1), tick=False):
        client = signed_in(dsl)  # a week on, in a new session
        assert client.get(first + "pdf/")["Location"] == first
        assert "Your report is no longer kept" in page_text(client.get(first))
        # The next report asked for, by anyone, clears the files kept too long.
        report_page(client.post(REPORT, {"period": "this_term"}))
    cleared = PreparedReport.objects.order_by("asked_at").first()
    assert cleared.content is None and cleared.status == ReportStatus.READY
