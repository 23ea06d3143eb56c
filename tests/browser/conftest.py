"""Browser tests: Debian's chromium, driven by Playwright, against pytest-django's live server.

Every test in this folder is marked `browser` (run them alone with `-m browser`, skip them
with `-m "not browser"`) and uses a transactional database, since the live server's thread
must see the rows the test writes.
"""

import os
import re
from collections.abc import Callable
from pathlib import Path

import environ
import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from playwright.sync_api import Page, expect

from schools.models import User
from tests.conftest import use_role
from tests.factories import PASSWORD, TOTP_SECRET, totp_code

HERE = Path(__file__).parent
SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots"))

# axe-core (pinned in package.json, copied here by `make frontend`), with the rules of WCAG
# 2.0, 2.1 and 2.2 at levels A and AA.
AXE_JS = (HERE / "axe" / "axe.min.js").read_text()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
# What the accessibility checks covered in this run, for the summary at the end.
AXE_PAGES: set[str] = set()
AXE_RULES: set[str] = set()

# Playwright's sync API runs an event loop in the test's thread, so Django takes every ORM
# call made by the test (and the test-database set-up) for a call from async code.
# `make test` sets this for the whole run; setting it here lets `pytest tests/browser` run.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture(autouse=True)
def _served_as_runtime_role(_seeded_after_flush):
    """The live server (and the test's own set-up) connect as the role the app runs as in
    production, which owns nothing: every journey proves its grants suffice. The flush
    after the test runs as the owner again (this teardown comes first)."""
    if not settings.DATABASE_OWNER:
        yield
        return
    use_role(environ.Env().db("DATABASE_URL"))
    yield
    use_role(settings.DATABASE_OWNER)


@pytest.fixture(scope="session")
def browser_type_launch_args(pytestconfig):
    """Debian's chromium (Playwright's own browser download is unreachable here), with the
    flags that keep it from reaching for the network at start-up."""
    return {
        "headless": not pytestconfig.getoption("--headed"),
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            # Dates in the date pickers as an English school reads them: dd/mm/yyyy.
            "--lang=en-GB",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A school in England: the date pickers show dd/mm/yyyy, as staff would see them.
    return {**browser_context_args, "locale": "en-GB", "timezone_id": "Europe/London"}


@pytest.fixture
def sign_in(page: Page, live_server) -> Callable:
    """Sign in through the sign-in form, as a person would: `sign_in(dsl)`. Someone with an
    authenticator app (tests.factories.member gives one to the roles that need it) is then
    asked for its code, and types it; someone without is not asked.

    The one way browser tests sign in. Only the tests about signing in itself (by keyboard
    alone, a first sign-in that sets up the app) fill the form in their own way.

    Each call starts from a browser with no session, so a test can sign in as one person
    after another. The demo school's people pass its `password` and `totp_secret`.
    """

    def sign_in_as(user: User, *, password: str = PASSWORD, totp_secret: str = TOTP_SECRET):
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email address").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
        if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            expect(page.get_by_role("heading", name=re.compile("Enter the code"))).to_be_visible()
            page.get_by_label("Code").fill(totp_code(totp_secret))
            page.get_by_role("button", name="Sign in").click()
        expect(page).not_to_have_url(re.compile(r"/accounts/(login|2fa)/"))
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    return sign_in_as


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core's WCAG 2.2 A and AA rules on the page as it is now.

    Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
    govern, so the policy stays exactly as users get it.
    """
    page.evaluate(AXE_JS)
    result = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            const ran = [...results.passes, ...results.violations, ...results.incomplete,
                         ...results.inapplicable].map((rule) => rule.id);
            return {ran, violations: results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => n.target.join(" ") + ": " + n.failureSummary),
            }))};
        }""",
        WCAG_TAGS,
    )
    AXE_RULES.update(result["ran"])
    return result["violations"]


@pytest.fixture
def assert_accessible(page: Page) -> Callable:
    """`assert_accessible("the record form")`: no WCAG 2.2 A or AA violation on the page."""

    def check(name: str) -> None:
        check_accessible(page, name)

    return check


def check_accessible(page: Page, name: str) -> None:
    """Fail on any WCAG violation axe-core finds in `page` (of any browser context)."""
    violations = axe_violations(page)
    assert violations == [], f"{name} ({page.url}) fails WCAG rules: {violations}"
    AXE_PAGES.add(name)  # only once it passed: the summary lists pages with none


def pytest_terminal_summary(terminalreporter):
    if AXE_PAGES:
        terminalreporter.write_line(
            f"axe-core: {len(AXE_PAGES)} pages checked against {len(AXE_RULES)} WCAG 2.2 "
            "A/AA rules, no violations: " + "; ".join(sorted(AXE_PAGES))
        )


@pytest.fixture
def screenshot(page: Page) -> Callable:
    """Save a full-page screenshot as SHOTS/<name>.png, for a person to look at."""

    def take(name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    take.folder = SHOTS
    SHOTS.mkdir(parents=True, exist_ok=True)
    return take
