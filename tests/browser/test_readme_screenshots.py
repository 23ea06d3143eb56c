"""The README's pictures, taken from the demo school as its people see it.

Each page is also checked with axe-core. The pictures go to SHOTS_DIR (by default a
temporary folder); `make screenshots` sends them to docs/screenshots/, where the README
shows them.
"""

import io
import os

import pypdfium2
import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from demo import school as demo
from schools.models import Pupil, User
from tests.conftest import as_owner

# The concern the demo leaves at the referral step, and the girl it is about.
CONCERN_CHILD = ("Leo", "Ward")
# The demo school's people share one password and one authenticator app.
DEMO_CREDENTIALS = {
    "password": os.environ.get("DEMO_PASSWORD", demo.DEFAULT_PASSWORD),
    "totp_secret": demo.DEMO_TOTP_SECRET,
}


@pytest.fixture
def demo_school(transactional_db):
    # load_demo connects as the tables' owner (it backdates the demo's history).
    with as_owner():
        call_command("load_demo", stdout=io.StringIO())


def test_the_readme_pictures(
    page: Page, live_server, demo_school, sign_in, screenshot, assert_accessible
):
    page.set_viewport_size({"width": 1100, "height": 900})
    child = Pupil.objects.get(legal_first_name=CONCERN_CHILD[0], legal_last_name=CONCERN_CHILD[1])

    # A member of staff starts recording a concern.
    sign_in(User.objects.get(email="staff@demo.example"), **DEMO_CREDENTIALS)
    page.get_by_role("button", name="Record a concern").click()
    expect(page.get_by_role("heading", name="Record a concern", level=1)).to_be_visible()
    assert_accessible("record a concern (demo school)")
    screenshot("staff-record-form")

    # The DSL's triage queue, a concern in the workflow, and a child's chronology.
    sign_in(User.objects.get(email="dsl@demo.example"), **DEMO_CREDENTIALS)
    expect(page.get_by_role("heading", level=1)).to_contain_text("queue")
    assert_accessible("triage queue (demo school)")
    screenshot("dsl-queue")
    page.goto(f"{live_server.url}/concerns/pupils/{child.uuid}/chronology/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(child.full_name)
    assert_accessible("chronology (demo school)")
    screenshot("chronology")
    page.get_by_role("link", name="SG-").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Concern SG-")
    assert_accessible("concern page at the referral step (demo school)")
    screenshot("concern-workflow")

    # The referral PDF's first page, as social care receives it.
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the referral PDF").click()
    pdf = pypdfium2.PdfDocument(download_info.value.path())
    image = pdf[0].render(scale=1.5).to_pil()
    image.save(screenshot.folder / "referral-pdf-page-1.png")

    # The governor's anonymised dashboard.
    sign_in(User.objects.get(email="governor@demo.example"), **DEMO_CREDENTIALS)
    expect(page.get_by_role("heading", level=1)).to_contain_text("oversight")
    assert_accessible("governor dashboard (demo school)")
    screenshot("governor-dashboard")
