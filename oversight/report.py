"""The termly report to governors: the dashboard for a period, as a PDF, with the registers'
status and the oversight checklist.

Rendered by `referrals.pdf.render_pdf`, so it is tagged PDF/UA-1 and says OFFICIAL-SENSITIVE
with "Page X of Y" on every page. It holds the same anonymised figures as the dashboard (the
exceptions among them, each with why it matters), with the same small-number rules for the
same reader: a governor's copy withholds small numbers.
The registers name staff and governors (their training and roles), never a child.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.text import slugify

from oversight.charts import Section, sections
from oversight.periods import Period
from oversight.selectors import Registers, checklist_items, register_signals, registers_for
from oversight.statistics import Dashboard, dashboard_for
from referrals.pdf import render_pdf
from schools.models import School


@dataclass(frozen=True)
class ChecklistRow:
    question: str
    status: str
    assessed_on: date | None
    evidence: str
    # What the registers say about the question, if they say anything.
    signal: str


@dataclass
class ReportDocument:
    school: School
    generated_at: datetime
    generated_by: object
    dashboard: Dashboard
    sections: list[Section]
    registers: Registers
    checklist: list[ChecklistRow]
    today: date


def _checklist(school: School, registers: Registers) -> list[ChecklistRow]:
    """Every question, in order; one not yet assessed reads "Not started"."""
    signals = register_signals(registers)
    return [
        ChecklistRow(
            question=item.get_question_display(),
            status=item.get_status_display(),
            assessed_on=item.assessed_on,
            evidence=item.evidence,
            signal=signals.get(item.question, ""),
        )
        for item in checklist_items(school)
    ]


def report_document(
    school: School, period: Period, *, exact: bool, by, now: datetime
) -> ReportDocument:
    """The report's contents. Nine queries for the figures (the exceptions among them), four
    for the registers, one for the checklist."""
    dashboard = dashboard_for(school, period, exact=exact, now=now)
    today = timezone.localdate(now)
    registers = registers_for(school, today=today)
    return ReportDocument(
        school=school,
        generated_at=now,
        generated_by=by,
        dashboard=dashboard,
        sections=sections(dashboard, pdf=True),
        registers=registers,
        checklist=_checklist(school, registers),
        today=today,
    )


def render_report(
    school: School, period: Period, *, exact: bool, by, now: datetime | None = None
) -> bytes:
    document = report_document(school, period, exact=exact, by=by, now=now or timezone.now())
    return render_pdf("oversight/pdf/report.html", {"doc": document})


def filename(school: School, period: Period) -> str:
    return f"safeguarding-report-{slugify(school.name)}-{slugify(period.name)}.pdf"
