"""Issue 16's journey, in a real browser: a former pupil's file past its review date is listed;
a hold stops its disposal; once lifted, the DSL proposes disposal, a reason missing first;
a deputy confirms it, and the certificate says what was destroyed. Another file is kept for a
further period with a reason. Every page checked with axe."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from retention.models import Disposal, DisposalStatus, RetentionReview
from schools.models import Pupil
from tests.factories import PupilFactory, record_concern
from tests.test_retention_views import aged, tess_ward


def test_a_file_past_review_is_held_kept_or_disposed_of_by_two_people(
    page: Page, live_server, sign_in, assert_accessible, school, staff, dsl, deputy
):
    tess = tess_ward(school, staff, dsl)
    uma = PupilFactory(
        school=school,
        legal_first_name="Uma",
        legal_last_name="Reed",
        date_of_birth=aged(26),
        is_on_roll=False,
    )
    record_concern(
        school=school,
        reporter=staff,
        pupils=[uma],
        disclosed_at=timezone.now() - datetime.timedelta(days=3000),
    )

    sign_in(dsl)
    page.goto(f"{live_server.url}/retention/")
    expect(page.get_by_role("heading", name="Files due for review")).to_be_visible()
    assert_accessible("files due for review")

    # Uma's file is kept for a further period, with a reason.
    page.get_by_role("link", name="Review Uma Reed's file").click()
    page.get_by_label("Why is the file kept for longer?").fill("Her brother's case is open.")
    next_review = timezone.localdate() + datetime.timedelta(days=365)
    page.get_by_label("Next review date").fill(next_review.isoformat())
    page.get_by_role("button", name="Keep the file").click()
    expect(page.get_by_role("alert")).to_contain_text("Uma Reed's file is kept")
    assert RetentionReview.objects.filter(pupil=uma).exists()

    # Tess's file is held: it says why it cannot be disposed of, and offers no button.
    page.get_by_role("link", name="Review Tess Ward's file").click()
    page.get_by_label("Why is the file held?").fill("The inquiry asked us to keep it.")
    page.get_by_role("button", name="Hold the file").click()
    expect(page.get_by_text(re.compile("It cannot be disposed of today"))).to_be_visible()
    expect(page.get_by_text("Tess Ward's file is held: it is kept until")).to_be_visible()
    expect(page.get_by_role("button", name="Propose disposal")).to_have_count(0)
    assert_accessible("a held file, refusing disposal")

    # The hold is lifted; disposal is proposed, first without a reason.
    page.get_by_role("link", name=re.compile("^Lift")).click()
    page.get_by_label("Why is the hold lifted?").fill("The inquiry has reported.")
    page.get_by_role("button", name="Lift the hold").click()
    expect(page.get_by_role("button", name="Propose disposal")).to_be_visible()
    assert_accessible("a file due, with disposal offered")
    page.get_by_role("button", name="Propose disposal").click()
    expect(page.get_by_role("link", name="Say why the file is disposed of")).to_be_visible()
    assert_accessible("proposing disposal, with an error")
    page.get_by_label("Why is the file disposed of?").fill("Reviewed at 27: nothing needs it.")
    page.get_by_role("button", name="Propose disposal").click()
    expect(page.get_by_text("You proposed this disposal")).to_be_visible()
    expect(page.get_by_role("button", name="Confirm and destroy the file")).to_have_count(0)
    assert_accessible("a disposal waiting, seen by who proposed it")

    # The deputy confirms it from the queue, after forgetting to tick once.
    sign_in(deputy)
    page.goto(f"{live_server.url}/concerns/queue/")
    expect(page.get_by_role("heading", name="Disposals to confirm")).to_be_visible()
    page.get_by_role("link", name="Tess Ward's file").click()
    assert_accessible("a disposal waiting for confirmation")
    page.get_by_role("button", name="Confirm and destroy the file").click()
    expect(
        page.get_by_role("link", name="Tick to confirm that you have checked what is destroyed")
    ).to_be_visible()
    assert Pupil.objects.filter(pk=tess.pk).exists()
    page.get_by_label(re.compile("I have checked what is destroyed")).check()
    page.get_by_role("button", name="Confirm and destroy the file").click()

    expect(page.get_by_role("heading", name="Disposal certificate")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Tess Ward, born"))).to_be_visible()
    expect(page.get_by_text("1 child on the register")).to_be_visible()
    assert_accessible("a disposal certificate")
    assert not Pupil.objects.filter(pk=tess.pk).exists()
    assert Disposal.objects.get().status == DisposalStatus.DISPOSED
    page.get_by_role("link", name="Back to the disposal certificates").click()
    expect(page.get_by_role("link", name=re.compile("^Certificate"))).to_have_count(1)
    assert_accessible("disposal certificates")
