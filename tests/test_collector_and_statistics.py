"""What keeps pages fast at a trust's scale and is not a page (issue 17): the garbage
collector waits until the response is sent, and the tables that grow fastest keep their
planner statistics fresh."""

import gc

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from safeguard.collector import CollectorOutsideRequestsMiddleware
from tests.test_views_concerns import signed_in


def test_the_collector_is_paused_during_a_request_and_back_once_it_is_answered(staff):
    seen = []

    def view(request):
        seen.append(gc.isenabled())
        return HttpResponse("ok")

    middleware = CollectorOutsideRequestsMiddleware(view)
    middleware(RequestFactory().get("/"))
    assert seen == [False]
    # Through the whole stack: once the response is finished, the collector is on again.
    response = signed_in(staff).get("/")
    assert response.status_code == 200
    assert gc.isenabled()
    # What was alive when the app had loaded is never walked again.
    assert gc.get_freeze_count() > 0


@pytest.mark.parametrize(
    "table",
    [
        "concerns_concern",
        "concerns_concernchild",
        "concerns_historicalconcern",
        "referrals_referral",
        "audit_accessrecord",
        "schools_pupil",
    ],
)
def test_the_fastest_growing_tables_are_analysed_after_one_percent_changes(db, table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [table])
        (options,) = cursor.fetchone()

    assert "autovacuum_analyze_scale_factor=0.01" in options
