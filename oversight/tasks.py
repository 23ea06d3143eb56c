"""The termly report, rendered by the task worker (django-tasks-db, `manage.py run_worker`)
rather than in the request that asks for it: WeasyPrint takes hundreds of milliseconds, and a
reader should not wait on a page for it, nor hold a web worker while it runs.

The reader is told on the report's own page (which looks again by itself every few seconds
with JavaScript, or when they press a button without) and on the dashboard. Nothing is
e-mailed: the report never leaves the app but as the download its reader asks for.
"""

import logging
import time

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from oversight import report
from oversight.models import PreparedReport, ReportStatus
from oversight.periods import PeriodForm

logger = logging.getLogger(__name__)


@task
def prepare_report(report_id: int) -> str:
    """Render the report asked for, with the figures as they stood when it was asked for;
    returns its status. One that cannot be rendered is marked so (its reader may ask again),
    and the error logged without the report's contents."""
    with transaction.atomic():
        asked = (
            PreparedReport.objects.select_for_update()
            .select_related("school", "asked_by")
            .get(pk=report_id)
        )
        if asked.status != ReportStatus.PREPARING:
            return asked.status
        started = time.perf_counter()
        try:
            # In a savepoint: a query that fails leaves the report's own row to be marked.
            with transaction.atomic():
                period = PeriodForm(asked.period_choice).chosen(
                    today=timezone.localdate(asked.asked_at), school=asked.school
                )
                if period is None:
                    raise ValueError(f"the period asked for is not valid: {asked.period_choice}")
                asked.content = report.render_report(
                    asked.school, period, exact=asked.exact, by=asked.asked_by, now=asked.asked_at
                )
            asked.status = ReportStatus.READY
        except Exception:
            logger.exception("The report %s could not be prepared", asked.uuid)
            asked.status = ReportStatus.FAILED
        asked.render_ms = round((time.perf_counter() - started) * 1000)
        asked.finished_at = timezone.now()
        asked.save(update_fields=["content", "status", "render_ms", "finished_at"])
        return asked.status
