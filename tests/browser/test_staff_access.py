"""WCAG 2.2 AA for the people who use Safeguard: a member of staff can record a concern
with the keyboard alone, on a 320-pixel screen or at 200% zoom, with a screen reader's
landmarks, headings and names, and with JavaScript turned off; so can the DSL take the
first step on it.

Keyboard tests press keys only (no click, fill or check), and at every stop they read the
focused element's computed style for GOV.UK's focus indicator.
"""

import datetime
import re
from collections.abc import Callable
from itertools import pairwise

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Locator, Page, expect

from concerns.models import ChildRole, Concern, YesNoUnknown
from concerns.pupil_picker import pupil_label
from tests.browser.conftest import check_accessible
from tests.browser.test_domain_case import (
    ACCOUNT,
    CATEGORIES,
    DATETIME_LOCAL,
    MOTHER,
    OTHER_CHILDREN,
    WISHES,
    an_hour_ago,
    check_every_child_is_safe,
    expect_record_form_kept,
    fill_record_form,
    group,
)
from tests.factories import PASSWORD, record_concern

# What a member of staff knows of the two friends at the sleepover, whom the mother did not name.
FRIENDS = "Two friends who were at the sleepover"

# GOV.UK's focus colour, #ffdd00, as getComputedStyle gives it.
FOCUS_YELLOW = "rgb(255, 221, 0)"

# How the focused element shows focus. GOV.UK draws every focus indicator in its focus
# colour: a yellow outline (inputs, selects, the error summary), a yellow background
# (links, buttons) or, for radios and checkboxes, whose input is invisible, a yellow ring
# (box-shadow) on the label's ::before.
FOCUS_STYLE_JS = """() => {
    const el = document.activeElement;
    const drawnByLabel = el.matches(".govuk-radios__input, .govuk-checkboxes__input");
    const style = drawnByLabel
        ? getComputedStyle(el.labels[0], "::before")
        : getComputedStyle(el);
    const yellow = (value) => value.includes(FOCUS_YELLOW);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
        && yellow(style.outlineColor);
    const name = el.labels?.[0]?.innerText || el.getAttribute("aria-label")
        || el.innerText || el.id;
    return {
        element: `${el.tagName.toLowerCase()} "${(name || "").trim().slice(0, 60)}"`,
        visible: outline || yellow(style.boxShadow) || yellow(style.backgroundColor),
    };
}""".replace("FOCUS_YELLOW", repr(FOCUS_YELLOW))


def press(page: Page, key: str) -> None:
    """Press a key that moves focus, and check the newly focused control shows it."""
    page.keyboard.press(key)
    focus = page.evaluate(FOCUS_STYLE_JS)
    assert focus["visible"], f"After {key}, {focus['element']} has no visible focus indicator"


def is_focused(locator: Locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def tab_to(page: Page, target: Locator, *, limit: int = 30) -> None:
    """Tab forward, stop by stop, until `target` has focus."""
    for _ in range(limit):
        press(page, "Tab")
        if is_focused(target):
            return
    raise AssertionError(f"{target} was not reached within {limit} presses of Tab")


def tab_through_page(page: Page, *, limit: int = 40) -> list[str]:
    """Tab from the top of the page to its end, checking focus shows at every stop."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body"):
            return stops  # past the last stop, out to the browser's own controls
        focus = page.evaluate(FOCUS_STYLE_JS)
        assert focus["visible"], f"{focus['element']} has no visible focus indicator"
        stops.append(focus["element"])
    raise AssertionError(f"Tab did not reach the end of the page: {stops}")


def arrow_to(page: Page, radio: Locator, *, limit: int = 6) -> None:
    """Move through a radio group with the down arrow, which also selects, until `radio`."""
    for _ in range(limit):
        if is_focused(radio):
            return
        press(page, "ArrowDown")
    raise AssertionError(f"{radio} was not reached with the arrow keys")


def type_into(page: Page, field: Locator, text: str) -> None:
    tab_to(page, field)
    page.keyboard.type(text)


def date_time_parts(page: Page, field: Locator) -> list[str]:
    """The parts of a datetime-local input, in the order a screen reader announces them.

    The browser's own language decides the order, not the page's locale: Debian's chromium
    here shows "mm/dd/yyyy, --:-- --" although the context asks for en-GB.
    """
    field_id = field.get_attribute("id")
    cdp = page.context.new_cdp_session(page)
    handle = cdp.send("Runtime.evaluate", {"expression": f"document.getElementById('{field_id}')"})
    parts = cdp.send(
        "Accessibility.queryAXTree",
        {"objectId": handle["result"]["objectId"], "role": "spinbutton"},
    )["nodes"]
    cdp.detach()
    return [part["name"]["value"].split()[0] for part in parts]


def type_date_and_time(page: Page, field: Locator, when: datetime.datetime) -> None:
    """Type a date and time part by part. Each part moves on to the next once complete,
    except the year, which could have more digits: the right arrow moves on from it."""
    parts = date_time_parts(page, field)
    keys = {
        "Day": when.strftime("%d"),
        "Month": when.strftime("%m"),
        "Year": when.strftime("%Y"),
        "Hours": when.strftime("%I" if "AM/PM" in parts else "%H"),
        "Minutes": when.strftime("%M"),
        "AM/PM": when.strftime("%p")[0],
    }
    tab_to(page, field)
    for part in parts:
        page.keyboard.type(keys[part])
        if part == "Year":
            page.keyboard.press("ArrowRight")


def test_staff_record_a_concern_with_the_keyboard_alone(
    page: Page, live_server, assert_accessible, staff, pupils
):
    girl = pupils[0]
    disclosed_at = an_hour_ago()
    # Signing in is part of the journey by keyboard, so not the `sign_in` fixture's clicks.
    page.goto(f"{live_server.url}/accounts/login/")
    type_into(page, page.get_by_label("Email address"), staff.email)
    type_into(page, page.get_by_label("Password"), PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    # On the home page, the skip link is the first stop and takes focus past the header.
    page.goto(f"{live_server.url}/")
    press(page, "Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    # The skip link shows itself when focused: check it as it is seen.
    assert_accessible("home, skip link focused")
    expect(skip_link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    press(page, "Tab")
    start = page.get_by_role("button", name="Record a concern")
    expect(start).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Record a concern", level=1)).to_be_visible()

    who = group(page, "Who told you, or what did you see?")
    tab_to(page, who.get_by_label("A parent or carer"))
    page.keyboard.press("Space")
    expect(who.get_by_label("A parent or carer")).to_be_checked()
    type_into(page, page.get_by_label("Their name"), MOTHER)
    type_into(page, page.get_by_label("Their relationship to the child"), "Mother")
    disclosed = page.get_by_label("When was it disclosed or seen?")
    type_date_and_time(page, disclosed, disclosed_at)
    expect(disclosed).to_have_value(disclosed_at.strftime(DATETIME_LOCAL))
    type_into(page, page.get_by_label("Where?", exact=True), "The head's office")
    # The account is left out, to be asked for.

    first_child = group(page, "The child the concern is about")
    child = first_child.get_by_label("Child", exact=True)
    tab_to(page, child)
    # Typing part of her name finds her; Tab passes "Find" to the match, Space chooses it.
    page.keyboard.type(girl.legal_last_name)
    girls = first_child.get_by_role("radio", name=pupil_label(girl))
    expect(girls).to_be_visible()
    press(page, "Tab")
    press(page, "Tab")
    expect(girls).to_be_focused()
    page.keyboard.press("Space")
    expect(girls).to_be_checked()
    press(page, "Tab")
    expect(first_child.get_by_label("Their role in the concern")).to_be_focused()
    expect(first_child.get_by_label("Their role in the concern")).to_have_value(ChildRole.SUBJECT)
    # Her two friends are involved too; nobody has named them, so they are described.
    others = group(page, OTHER_CHILDREN)
    # With no answer chosen yet, Tab stops on the first radio; Space chooses it.
    tab_to(page, others.get_by_label("Yes", exact=True))
    page.keyboard.press("Space")
    expect(others.get_by_label("Yes", exact=True)).to_be_checked()
    type_into(page, page.get_by_label("Children you cannot name yet"), FRIENDS)

    kinds = group(page, "What kind of concern is it?")
    grooming, nudes = (kinds.get_by_label(name) for name in ("Online grooming", CATEGORIES[0]))
    tab_to(page, nudes)
    page.keyboard.press("Space")
    # Shift+Tab goes back to the box passed over.
    press(page, "Shift+Tab")
    expect(grooming).to_be_focused()
    page.keyboard.press("Space")
    expect(grooming).to_be_checked()
    expect(nudes).to_be_checked()

    adult = group(page, "Is an adult believed to be involved in seeking images or contact?")
    # Tab lands on the radio already chosen ("Not known"); the arrows move and choose.
    tab_to(page, adult.get_by_label("Not known"))
    arrow_to(page, adult.get_by_label("Yes", exact=True))
    expect(adult.get_by_label("Yes", exact=True)).to_be_checked()
    type_into(page, page.get_by_label("What do the parents or carers want to happen?"), WISHES)
    danger = group(page, "Is anyone in immediate danger now?")
    tab_to(page, danger.get_by_label("Yes", exact=True))
    arrow_to(page, danger.get_by_label("No", exact=True))
    expect(danger.get_by_label("No", exact=True)).to_be_checked()
    submit = page.get_by_role("button", name="Submit the concern")
    tab_to(page, submit)
    page.keyboard.press("Enter")

    # The error summary takes focus; its link takes focus to the question.
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    assert page.evaluate(FOCUS_STYLE_JS)["visible"], "The error summary shows no focus"
    assert_accessible("record a concern, with errors, summary focused")
    expect(summary).to_be_focused()
    error_link = page.get_by_role(
        "link", name="Write down what was said, in the speaker's own words"
    )
    tab_to(page, error_link)
    page.keyboard.press("Enter")
    account = page.get_by_label("What was said, in the speaker's own words")
    expect(account).to_be_focused()
    page.keyboard.type(ACCOUNT)
    tab_to(page, submit, limit=60)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Concern recorded")).to_be_visible()
    # Every stop on the page, header and footer included, shows where focus is.
    assert len(tab_through_page(page)) >= 6
    reference = page.get_by_text(re.compile(r"^SG-\d{4}-\d{4}$")).inner_text()
    concern = Concern.objects.get(reference=reference)
    assert concern.reporter_id == staff.pk
    assert concern.account == ACCOUNT
    assert (concern.discloser_name, concern.discloser_relationship) == (MOTHER, "Mother")
    assert concern.disclosed_at == disclosed_at
    assert concern.location == "The head's office"
    assert concern.adult_involved == "yes"
    assert concern.parent_wishes == WISHES
    assert concern.immediate_danger is False
    assert set(concern.categories.values_list("name", flat=True)) == set(CATEGORIES)
    assert list(concern.children.values_list("pupil_id", "role")) == [(girl.pk, ChildRole.SUBJECT)]
    assert concern.other_children == YesNoUnknown.YES
    assert list(concern.unnamed_children.values_list("description", flat=True)) == [FRIENDS]


# WCAG 1.4.10 (reflow): content fits 320 CSS pixels wide without scrolling sideways, which is
# also a 1280-pixel window at 400%. 1.4.4 (resize text): a 1280-pixel window at 200%, that
# is 640 CSS pixels at two device pixels each, as the browser's own zoom lays the page out.
NARROW_SCREENS = [
    pytest.param(
        320,
        marks=pytest.mark.browser_context_args(viewport={"width": 320, "height": 640}),
        id="320px",
    ),
    pytest.param(
        640,
        marks=pytest.mark.browser_context_args(
            viewport={"width": 640, "height": 400}, device_scale_factor=2
        ),
        id="200%-zoom",
    ),
]


def expect_fits(page: Page, width: int) -> None:
    """Nothing scrolls sideways, and the page's one h1 is shown, whole, across the screen."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_be_visible()
    box = heading.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box


@pytest.mark.parametrize("width", NARROW_SCREENS)
def test_every_step_of_recording_fits_a_narrow_or_zoomed_screen(
    page: Page, live_server, sign_in, assert_accessible, screenshot, staff, pupils, width
):
    assert page.evaluate("window.innerWidth") == width
    screen = f"{width} CSS px"
    page.goto(f"{live_server.url}/accounts/login/")
    expect_fits(page, width)
    assert_accessible(f"sign in, {screen}")

    sign_in(staff)
    expect_fits(page, width)
    assert_accessible(f"staff home, {screen}")

    page.get_by_role("button", name="Record a concern").click()
    expect_fits(page, width)
    assert_accessible(f"record a concern, {screen}")

    fill_record_form(page, pupils=pupils, disclosed_at=an_hour_ago(), immediate_danger="No")
    page.get_by_role("button", name="Submit the concern").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect_fits(page, width)
    assert_accessible(f"record a concern, with errors, {screen}")
    screenshot(f"record-form-error-{width}")

    page.get_by_role("link", name="Write down what was said, in the speaker's own words").click()
    page.get_by_label("What was said, in the speaker's own words").fill(ACCOUNT)
    page.get_by_role("button", name="Submit the concern").click()
    expect(page.get_by_role("heading", name="Concern recorded")).to_be_visible()
    expect_fits(page, width)
    assert_accessible(f"concern recorded, {screen}")
    assert Concern.objects.get().account == ACCOUNT


def heading_levels(page: Page) -> list[int]:
    return page.get_by_role("heading").evaluate_all(
        "headings => headings.map((h) => Number(h.getAttribute('aria-level') || h.tagName[1]))"
    )


def expect_one_landmark_of_each_kind(page: Page) -> None:
    for landmark in ("banner", "navigation", "main", "contentinfo"):
        expect(page.get_by_role(landmark)).to_have_count(1)


def expect_every_field_named(page: Page) -> None:
    fields = page.locator("input:not([type=hidden]), select, textarea")
    assert fields.count() > 0
    for field in fields.all():
        expect(field).to_have_accessible_name(re.compile(r"\S"))
    for fieldset in page.locator("fieldset").all():
        expect(fieldset).to_have_accessible_name(re.compile(r"\S"))


def test_record_form_has_one_h1_ordered_headings_landmarks_and_named_fields(
    page: Page, live_server, sign_in, assert_accessible, staff, pupils
):
    sign_in(staff)
    page.get_by_role("button", name="Record a concern").click()

    for state in ("as first shown", "with errors"):
        levels = heading_levels(page)
        assert levels.count(1) == 1, levels
        # No heading is more than one level deeper than the one before it. (The error
        # summary's h2 comes before the h1, where GOV.UK puts it.)
        skips = [(a, b) for a, b in pairwise([1, *levels]) if b > a + 1]
        assert skips == [], f"Headings skip a level: {levels}"
        expect_one_landmark_of_each_kind(page)
        expect_every_field_named(page)
        assert_accessible(f"record a concern, {state}")
        page.get_by_role("button", name="Submit the concern").click()

    # A field in error says so when it is reached, and still gives its hint.
    account = page.get_by_label("What was said, in the speaker's own words")
    expect(account).to_have_accessible_description(
        re.compile(r"^Write exactly what was said.*Error:\s+Write down what was said")
    )
    child = group(page, "The child the concern is about").get_by_label("Child", exact=True)
    expect(child).to_have_accessible_description(
        re.compile(r"^Type part of their name.*Error:\s+Choose the child the concern is about$")
    )
    expect(group(page, "Is anyone in immediate danger now?")).to_have_accessible_description(
        re.compile(r"^If yes, call 999 now.*Error:\s+Select whether anyone is in immediate danger")
    )


# Without JavaScript: nothing of GOV.UK Frontend's scripts runs, and every form still works.
without_javascript = pytest.mark.browser_context_args(java_script_enabled=False)


@pytest.fixture
def assert_accessible_without_javascript(page: Page, browser: Browser) -> Callable:
    """Like `assert_accessible`, for a page whose scripts are off.

    axe-core waits on timers, and no timer fires where scripts are off. So axe checks a
    copy in a page of its own: the HTML this page received, its scripts taken out (they
    never ran here), with the same stylesheets.
    """
    context = browser.new_context()
    copy = context.new_page()

    def check(name: str) -> None:
        html = re.sub(r"<script\b.*?</script>", "", page.content(), flags=re.DOTALL)

        def serve_the_copy(route):
            if route.request.resource_type == "document":
                route.fulfill(body=html, content_type="text/html")
            else:
                route.continue_()

        copy.route("**/*", serve_the_copy)
        copy.goto(page.url)
        copy.unroute_all()
        # The copy has the stylesheets: the skip link is hidden until it is focused.
        expect(copy.get_by_role("link", name="Skip to main content")).not_to_be_in_viewport()
        expect(copy.locator("body")).not_to_have_class(re.compile("js-enabled"))
        check_accessible(copy, name)

    yield check
    context.close()


@without_javascript
def test_without_javascript_staff_record_a_concern_after_a_mistake(
    page: Page, live_server, sign_in, assert_accessible_without_javascript, staff, pupils
):
    disclosed_at = an_hour_ago()
    sign_in(staff)
    assert page.evaluate("document.body.classList.contains('js-enabled')") is False
    page.get_by_role("button", name="Record a concern").click()
    assert_accessible_without_javascript("record a concern, no JavaScript")
    fill_record_form(page, pupils=pupils, disclosed_at=disclosed_at, immediate_danger="No")
    page.get_by_role("button", name="Submit the concern").click()

    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    # No script moved focus to the summary: it is read first, being first in the content.
    expect(page.locator(".govuk-error-summary")).not_to_be_focused()
    expect_record_form_kept(page, pupils=pupils, disclosed_at=disclosed_at)
    assert_accessible_without_javascript("record a concern, with errors, no JavaScript")
    # The summary's link is a plain link to the field: the browser moves focus there itself.
    page.get_by_role("link", name="Write down what was said, in the speaker's own words").click()
    account = page.get_by_label("What was said, in the speaker's own words")
    expect(account).to_be_focused()
    account.fill(ACCOUNT)
    page.get_by_role("button", name="Submit the concern").click()

    expect(page.get_by_role("heading", name="Concern recorded")).to_be_visible()
    expect(page.get_by_text("call 999")).to_have_count(0)
    assert_accessible_without_javascript("concern recorded, no JavaScript")
    concern = Concern.objects.get()
    assert (concern.reporter_id, concern.account, concern.disclosed_at) == (
        staff.pk,
        ACCOUNT,
        disclosed_at,
    )
    assert sorted(concern.children.values_list("pupil_id", flat=True)) == sorted(
        pupil.pk for pupil in pupils
    )


@without_javascript
def test_without_javascript_immediate_danger_tells_staff_to_call_999(
    page: Page, live_server, sign_in, staff, pupils
):
    sign_in(staff)
    page.get_by_role("button", name="Record a concern").click()
    fill_record_form(page, pupils=pupils, disclosed_at=an_hour_ago(), immediate_danger="Yes")
    page.get_by_label("What was said, in the speaker's own words").fill(ACCOUNT)
    page.get_by_role("button", name="Submit the concern").click()

    expect(page.get_by_role("heading", name="Concern recorded")).to_be_visible()
    expect(page.get_by_text("If you have not already, call 999 now.")).to_be_visible()
    assert Concern.objects.get().immediate_danger is True


@without_javascript
def test_without_javascript_the_dsl_checks_every_child_is_safe(
    page: Page, sign_in, assert_accessible_without_javascript, school, staff, dsl, pupils
):
    concern = record_concern(
        school=school, reporter=staff, pupils=pupils, other_children=YesNoUnknown.YES
    )
    names = [pupil.full_name for pupil in pupils]

    sign_in(dsl)
    assert_accessible_without_javascript("DSL triage queue, no JavaScript")
    page.get_by_role("link", name=concern.reference).first.click()
    expect(page.get_by_role("heading", name=f"Concern {concern.reference}")).to_be_visible()
    assert_accessible_without_javascript("concern page, no JavaScript")

    page.get_by_role("link", name="Check every child is safe").click()
    assert_accessible_without_javascript("safety check, no JavaScript")
    check_every_child_is_safe(page, names)

    concern.refresh_from_db()
    assert [child.safe_now for child in concern.children.all()] == [True, True, True]


def test_a_pupil_is_found_by_searching_the_register_not_from_a_list_of_them_all(
    page: Page, live_server, sign_in, assert_accessible, staff, pupils
):
    amelia, _, chloe = pupils
    sign_in(staff)
    page.get_by_role("button", name="Record a concern").click()
    first_child = group(page, "The child the concern is about")
    search = first_child.get_by_label("Child", exact=True)
    # A search box for each child, with its hint; the register is not in the page.
    expect(page.get_by_label("Child", exact=True)).to_have_count(4)
    expect(search).to_have_accessible_description(re.compile(r"^Type part of their name"))
    expect(page.get_by_text(pupil_label(amelia))).to_have_count(0)
    assert_accessible("record a concern, pupil pickers")

    search.focus()
    page.keyboard.type("hart")
    matches = first_child.get_by_role("group", name=re.compile("^1 pupil matching “hart”"))
    expect(matches).to_be_visible()
    expect(first_child.get_by_role("radio")).to_have_count(1)
    # The other children's rows are untouched.
    expect(group(page, "Another child 2 (optional)").get_by_role("radio")).to_have_count(0)
    assert_accessible("record a concern, a pupil found")

    # By keyboard: from the box, Tab to "Find", Tab to the match, Space chooses it.
    press(page, "Tab")
    expect(first_child.get_by_role("button", name="Find the child")).to_be_focused()
    press(page, "Tab")
    amelias = first_child.get_by_role("radio", name=pupil_label(amelia))
    expect(amelias).to_be_focused()
    page.keyboard.press("Space")
    expect(amelias).to_be_checked()

    # By class too; Enter in the box searches rather than submitting the form.
    another = group(page, "Another child 2 (optional)")
    another.get_by_label("Child", exact=True).fill("4B")
    page.keyboard.press("Enter")
    expect(another.get_by_role("radio")).to_have_count(3)
    expect(page.get_by_role("heading", name="There is a problem")).to_have_count(0)
    another.get_by_role("radio", name=pupil_label(chloe)).check()
    # Nothing is sent until the form is; a choice goes with it as the pupil's register id.
    assert Concern.objects.count() == 0
    assert amelias.get_attribute("value") == str(amelia.uuid)


@without_javascript
def test_without_javascript_find_brings_back_the_form_with_the_matches_and_what_was_typed(
    page: Page, live_server, sign_in, assert_accessible_without_javascript, staff, pupils
):
    amelia = pupils[0]
    sign_in(staff)
    page.get_by_role("button", name="Record a concern").click()
    page.get_by_label("Their name").fill(MOTHER)
    first_child = group(page, "The child the concern is about")
    first_child.get_by_label("Child", exact=True).fill("amel")
    first_child.get_by_role("button", name="Find the child").click()

    expect(first_child.get_by_role("radio", name=pupil_label(amelia))).to_be_visible()
    expect(page.get_by_label("Their name")).to_have_value(MOTHER)
    expect(page.get_by_role("heading", name="There is a problem")).to_have_count(0)
    assert_accessible_without_javascript("record a concern, pupils found, no JavaScript")
    first_child.get_by_role("radio", name=pupil_label(amelia)).check()
    # Another row's search keeps the first choice, shown with a button to change it.
    another = group(page, "Another child 2 (optional)")
    another.get_by_label("Child", exact=True).fill("nobody")
    another.get_by_role("button", name="Find the child").click()
    expect(another.get_by_text("No pupil on the register matches “nobody”")).to_be_visible()
    expect(first_child.get_by_text(pupil_label(amelia), exact=True)).to_be_visible()
    first_child.get_by_role("button", name=re.compile("^Change the child")).click()
    expect(first_child.get_by_label("Child", exact=True)).to_be_visible()
    expect(page.get_by_label("Their name")).to_have_value(MOTHER)
    assert Concern.objects.count() == 0


def test_a_search_after_the_session_ended_sends_the_form_to_sign_in_again(
    page: Page, live_server, sign_in, staff, pupils
):
    sign_in(staff)
    page.get_by_role("button", name="Record a concern").click()
    page.get_by_label("Their name").fill(MOTHER)
    # The session ends (its cookie gone); the form's CSRF cookie stays, as it does.
    page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
    first_child = group(page, "The child the concern is about")
    first_child.get_by_label("Child", exact=True).fill("hart")

    first_child.get_by_role("button", name="Find the child").click()

    # Not the sign-in page put where the matches go: the form goes to sign in, and what was
    # typed is kept for after it.
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_label("Password")).to_be_visible()
    expect(first_child.get_by_role("radio")).to_have_count(0)
