"""Signing in: the second factor each role needs, recovery codes, throttling of failed
attempts, and confirming who you are again before a sensitive action."""

import datetime
import io
import re
import time

import pytest
import time_machine
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, validate_totp_code
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.adapter import AccountAdapter, SocialAccountAdapter
from audit.http import ip_of
from referrals.models import Export
from schools.models import Role
from tests.factories import PASSWORD, TOTP_SECRET, member, record_concern, totp_code
from tests.test_views_concerns import form_state, page_text

HOME = reverse("home")
LOGIN = reverse("account_login")
CODE_STEP = reverse("mfa_authenticate")
SET_UP = reverse("mfa_activate_totp")


def confirm_first(address: str) -> str:
    return f"{reverse('account_reauthenticate')}?{urlencode({'next': address})}"


def sign_in(client: Client, user, password: str = PASSWORD):
    return client.post(LOGIN, {"login": user.email, "password": password})


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def wrong_code() -> str:
    return "000000" if totp_code() != "000000" else "111111"


# --- The second factor at sign-in ----------------------------------------------------------


def test_a_dsl_enters_a_code_from_their_app_after_their_password(client, dsl):
    after_password = sign_in(client, dsl)

    assert after_password.url == CODE_STEP
    assert signed_in_user_id(client) is None
    assert client.get(HOME).url == f"{LOGIN}?next=/"
    code_page = client.get(CODE_STEP)
    assert "Enter the code from your authenticator app" in page_text(code_page)

    response = client.post(CODE_STEP, {"code": totp_code()})

    assert response.url == HOME
    assert signed_in_user_id(client) == str(dsl.pk)


def test_a_wrong_code_is_refused_and_says_what_to_do(client, dsl):
    sign_in(client, dsl)

    response = client.post(CODE_STEP, {"code": wrong_code()})

    text = page_text(response)
    assert text.startswith("Error: Enter your code")
    assert "The code is not right" in text
    assert signed_in_user_id(client) is None


@pytest.mark.parametrize("persona", ["dsl", "deputy", "governor", "school_admin"])
def test_every_role_that_needs_a_second_factor_is_asked_for_it(client, persona, request):
    assert sign_in(client, request.getfixturevalue(persona)).url == CODE_STEP


def test_staff_sign_in_with_a_password_alone_unless_the_school_says_otherwise(client, staff):
    response = sign_in(client, staff)

    assert response.url == HOME
    assert "Record a concern" in page_text(client.get(HOME))


def test_a_recovery_code_signs_in_once(dsl):
    codes = RecoveryCodes.activate(dsl).get_unused_codes()
    first = Client()
    sign_in(first, dsl)

    assert first.post(CODE_STEP, {"code": codes[0]}).url == HOME

    again = Client()
    sign_in(again, dsl)
    refused = again.post(CODE_STEP, {"code": codes[0]})
    assert "The code is not right" in page_text(refused)
    assert signed_in_user_id(again) is None
    assert again.post(CODE_STEP, {"code": codes[1]}).url == HOME


def test_the_secret_behind_the_codes_is_encrypted_in_the_database(dsl):
    stored = Authenticator.objects.get(user=dsl, type=Authenticator.Type.TOTP).data["secret"]

    assert TOTP_SECRET not in stored
    assert get_mfa_adapter().decrypt(stored) == TOTP_SECRET


# --- Setting up a second factor ------------------------------------------------------------


def set_up_app(client: Client):
    """Scan the QR code (read the secret the page offers) and type the code the app shows."""
    page = client.get(SET_UP)
    secret = client.session[SECRET_SESSION_KEY]
    assert secret in page_text(page)  # the key to type in when the code can't be scanned
    return client.post(SET_UP, {"code": totp_code(secret)})


def test_a_governor_without_a_second_factor_must_set_one_up_before_anything_else(client, school):
    governor = member(school, Role.GOVERNOR, second_factor=False, email="new.gov@oakfield.example")

    assert sign_in(client, governor).url == HOME
    for address in (HOME, reverse("oversight:dashboard"), reverse("oversight:registers")):
        assert client.get(address).url == SET_UP, address
    prompt = client.get(SET_UP)
    # Said once, however many pages were refused first.
    assert page_text(prompt).count("Your role needs a second factor") == 1
    assert "Set up your authenticator app" in page_text(prompt)

    activated = set_up_app(client)

    assert activated.url == reverse("mfa_view_recovery_codes")
    codes_page = page_text(client.get(activated.url))
    assert "Your recovery codes" in codes_page and "10 of 10 codes are unused" in codes_page
    assert client.get(reverse("oversight:dashboard")).status_code == 200
    # From now on, signing in asks for the code.
    assert sign_in(Client(), governor).url == CODE_STEP


def test_a_wrong_code_while_setting_up_keeps_the_same_key(client, school):
    admin = member(
        school, Role.SCHOOL_ADMIN, second_factor=False, email="new.admin@oakfield.example"
    )
    sign_in(client, admin)
    client.get(SET_UP)
    secret = client.session[SECRET_SESSION_KEY]

    response = client.post(SET_UP, {"code": wrong_code()})

    assert "There is a problem" in page_text(response)
    assert client.session[SECRET_SESSION_KEY] == secret
    assert not Authenticator.objects.filter(user=admin).exists()


def test_staff_must_set_one_up_once_their_school_requires_it(client, school, staff):
    sign_in(client, staff)
    assert client.get(HOME).status_code == 200

    school.staff_mfa_required = True
    school.save()

    # Checked on every request, so it applies at once, not at the next sign-in.
    assert client.get(HOME).url == SET_UP
    set_up_app(client)
    assert client.get(HOME).status_code == 200


def test_staff_may_choose_a_second_factor_for_themselves(client, staff):
    sign_in(client, staff)
    assert "Off" in page_text(client.get(reverse("mfa_index")))

    set_up_app(client)

    assert "Authenticator app On" in page_text(client.get(reverse("mfa_index")))
    assert sign_in(Client(), staff).url == CODE_STEP


def test_a_dsl_cannot_turn_off_their_second_factor(client, dsl):
    client.force_login(dsl)

    response = client.post(reverse("mfa_deactivate_totp"))

    assert "Your role needs a second factor" in page_text(response)
    assert Authenticator.objects.filter(user=dsl, type=Authenticator.Type.TOTP).exists()


def test_staff_who_chose_a_second_factor_may_turn_it_off(client, school):
    teacher = member(school, Role.STAFF, second_factor=True, email="keen@oakfield.example")
    client.force_login(teacher)

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=teacher, type=Authenticator.Type.TOTP).exists()


# --- Throttling ----------------------------------------------------------------------------


def test_repeated_failed_sign_ins_to_one_account_are_paused(client, staff, other_staff):
    for _ in range(5):
        refused = sign_in(client, staff, password="not-the-password")
        assert "Enter a correct email address and password" in page_text(refused)

    paused = sign_in(client, staff)

    assert "Too many failed attempts to sign in" in page_text(paused)
    assert form_state(paused)["login"] == [staff.email]
    assert signed_in_user_id(client) is None
    # Someone else at the same school signs in as usual.
    assert sign_in(Client(), other_staff).url == HOME


def test_the_pause_ends_after_five_minutes(client, staff):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            sign_in(client, staff, password="not-the-password")
        assert "Too many failed attempts" in page_text(sign_in(client, staff))
    with time_machine.travel(start + datetime.timedelta(minutes=5, seconds=1), tick=False):
        assert sign_in(client, staff).url == HOME


def test_guessing_codes_is_paused_too(client, dsl):
    sign_in(client, dsl)
    for _ in range(5):
        client.post(CODE_STEP, {"code": wrong_code()})

    response = client.post(CODE_STEP, {"code": totp_code()})

    assert signed_in_user_id(client) is None
    assert "Too many" in page_text(response)


# --- Behind the reverse proxy --------------------------------------------------------------
# Every request reaches gunicorn from the proxy (127.0.0.1); the proxy writes the address it
# saw into X-Forwarded-For (README, "Deploying").

PROXY = "127.0.0.1"
OUTSIDER = "203.0.113.66"
SCHOOL_NETWORK = "198.51.100.9"


@pytest.fixture
def behind_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def from_address(address: str, *, claimed: str | None = None) -> Client:
    """A browser at `address`, through the proxy. `claimed` is an X-Forwarded-For the browser
    sent itself, which a proxy that appends (rather than overwrites) keeps on the left."""
    forwarded = f"{claimed}, {address}" if claimed else address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def test_behind_the_proxy_the_client_is_the_address_the_proxy_saw(rf, behind_proxy):
    def seen(**meta):
        request = rf.get("/", REMOTE_ADDR=PROXY, **meta)
        # The sign-in limits and the access log ask the same question, and get one answer.
        assert AccountAdapter(request).get_client_ip(request) == ip_of(request)
        return ip_of(request)

    assert seen(HTTP_X_FORWARDED_FOR=OUTSIDER) == OUTSIDER
    # What the client wrote to the left of the proxy's entry is ignored.
    assert seen(HTTP_X_FORWARDED_FOR=f"{SCHOOL_NETWORK}, {OUTSIDER}") == OUTSIDER
    assert seen(HTTP_X_FORWARDED_FOR=f"10.0.0.1,{SCHOOL_NETWORK} , {OUTSIDER}") == OUTSIDER
    # Not through the proxy, or nothing usable from it: the connection's own address.
    assert seen() == PROXY
    assert seen(HTTP_X_FORWARDED_FOR="unknown") == PROXY


def test_a_header_the_proxy_sets_can_name_the_client_instead(rf, settings):
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    request = rf.get(
        "/", REMOTE_ADDR=PROXY, HTTP_X_REAL_IP=OUTSIDER, HTTP_X_FORWARDED_FOR=SCHOOL_NETWORK
    )

    assert ip_of(request) == OUTSIDER
    assert AccountAdapter(request).get_client_ip(request) == OUTSIDER


def test_without_a_trusted_proxy_forwarded_addresses_are_ignored(rf):
    request = rf.get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=OUTSIDER)

    assert ip_of(request) == "192.0.2.10"


def test_behind_the_proxy_guessing_from_one_address_pauses_that_address_only(behind_proxy, staff):
    outsider = from_address(OUTSIDER)
    for n in range(20):
        outsider.post(LOGIN, {"login": f"guess{n}@oakfield.example", "password": "guess"})

    # Claiming to be elsewhere changes nothing: only the proxy's entry counts.
    spoofing = from_address(OUTSIDER, claimed=SCHOOL_NETWORK)
    assert "Too many failed attempts" in page_text(sign_in(spoofing, staff))
    assert signed_in_user_id(spoofing) is None
    # The school, at its own address, signs in as usual.
    assert sign_in(from_address(SCHOOL_NETWORK), staff).url == HOME


def test_ten_failed_sign_ins_from_one_address_lock_that_account_out_there_only(
    behind_proxy, dsl, staff
):
    outsider = from_address(OUTSIDER)
    for _ in range(10):
        sign_in(outsider, dsl, password="not-the-password")
    assert "Too many failed attempts" in page_text(sign_in(outsider, dsl))

    # The DSL, at school, is not locked out by someone who knows their e-mail address...
    assert sign_in(from_address(SCHOOL_NETWORK), dsl).url == CODE_STEP
    # ...and nobody else is, from the outsider's address either.
    assert sign_in(from_address(OUTSIDER), staff).url == HOME


def test_guessing_one_account_from_many_addresses_is_stopped_until_the_admin_lifts_it(
    behind_proxy, staff, school_admin
):
    # 5 wrong passwords at each of 20 addresses: 100 in a day.
    for n in range(100):
        sign_in(from_address(f"203.0.113.{n // 5 + 1}"), staff, password=f"guess-{n}")

    elsewhere = from_address(SCHOOL_NETWORK)
    assert "Too many failed attempts" in page_text(sign_in(elsewhere, staff))
    # Other accounts are not affected.
    assert sign_in(from_address(SCHOOL_NETWORK), school_admin).url == CODE_STEP

    admin = Client()
    admin.force_login(school_admin)
    assert admin.post(reverse("person_lockout_lift", args=[staff.uuid])).status_code == 302

    assert sign_in(elsewhere, staff).url == HOME
    assert sign_in(from_address("203.0.113.1"), staff).url == HOME


def test_a_password_reset_lifts_the_lockout_at_every_address(
    behind_proxy, staff, mailoutbox, django_capture_on_commit_callbacks
):
    for address in (OUTSIDER, SCHOOL_NETWORK):
        for _ in range(5):
            sign_in(from_address(address), staff, password="not-the-password")
    assert "Too many failed attempts" in page_text(sign_in(from_address(OUTSIDER), staff))

    client = from_address(SCHOOL_NETWORK)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": staff.email})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mailoutbox[0].body)
    form = client.get(link.group(1), follow=True)
    client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link.group(1),
        {"password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"},
    )

    new = "a-new-long-passphrase"
    assert sign_in(from_address(OUTSIDER), staff, password=new).url == HOME
    assert sign_in(from_address(SCHOOL_NETWORK), staff, password=new).url == HOME


# --- Confirming again before a sensitive action --------------------------------------------


@pytest.fixture
def concern(school, staff, pupils):
    return record_concern(school=school, reporter=staff, pupils=pupils[:1])


def test_an_export_within_five_minutes_of_signing_in_goes_straight_through(client, dsl, concern):
    sign_in(client, dsl)
    client.post(CODE_STEP, {"code": totp_code()})

    response = client.post(
        reverse("referrals:concern_pdf", args=[concern.uuid]), {"protected": "no"}
    )

    assert response["Content-Type"] == "application/pdf"


def test_an_export_later_asks_for_the_password_and_then_carries_on(client, dsl, concern):
    address = reverse("referrals:concern_pdf", args=[concern.uuid])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(dsl)
    with time_machine.travel(start + datetime.timedelta(minutes=6), tick=False):
        asked = client.post(address, {"protected": "no"})

        assert asked.url == confirm_first(address)
        assert not Export.objects.exists()
        page = client.get(asked.url)
        assert "Confirm it is you" in page_text(page)
        wrong = client.post(asked.url, {"password": "not-it"})
        assert "There is a problem" in page_text(wrong)
        assert not Export.objects.exists()

        response = client.post(asked.url, {"password": PASSWORD})

        # The export the DSL asked for, without asking again.
        assert response["Content-Type"] == "application/pdf"
        assert Export.objects.count() == 1
        # And the check counts for the next five minutes.
        again = client.post(address, {"protected": "no"})
        assert again["Content-Type"] == "application/pdf"


def test_a_code_from_the_app_confirms_as_well_as_the_password(client, dsl, concern):
    address = reverse("referrals:concern_pdf", args=[concern.uuid])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(dsl)
    with time_machine.travel(start + datetime.timedelta(minutes=6), tick=False):
        client.post(address, {"protected": "no"})
        by_code = f"{reverse('mfa_reauthenticate')}?{urlencode({'next': address})}"
        assert "Use a code from your authenticator app" in page_text(
            client.get(confirm_first(address))
        )

        response = client.post(by_code, {"code": totp_code()})

    assert response["Content-Type"] == "application/pdf"


def test_changing_a_role_later_asks_first(client, school_admin, staff):
    address = reverse("person_role", args=[staff.uuid])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(school_admin)
        assert client.get(address).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=6), tick=False):
        response = client.get(address)

    assert response.url == confirm_first(address)


def test_importing_pupils_later_asks_first(client, school_admin):
    address = reverse("pupil_import")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(school_admin)
    with time_machine.travel(start + datetime.timedelta(minutes=6), tick=False):
        response = client.get(address)

    assert response.url == confirm_first(address)


def test_nobody_outside_the_concern_is_asked_to_confirm_first(client, other_dsl, concern):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(other_dsl)
    with time_machine.travel(start + datetime.timedelta(minutes=6), tick=False):
        response = client.post(
            reverse("referrals:concern_pdf", args=[concern.uuid]), {"protected": "no"}
        )

    assert response.status_code == 404
    assert b"Confirm it is you" not in response.content
    assert not Export.objects.exists()


# --- No way in without an invitation -------------------------------------------------------


def test_nobody_signs_themselves_up_with_a_password_or_a_school_account(rf):
    request = rf.get("/")

    assert AccountAdapter(request).is_open_for_signup(request) is False
    assert SocialAccountAdapter(request).is_open_for_signup(request, sociallogin=None) is False


# --- A lost phone ----------------------------------------------------------------------------


def reset_second_factor(client: Client, person, reason: str = "Lost her phone; seen in person"):
    return client.post(
        reverse("person_second_factor_reset", args=[person.uuid]),
        {"second_factor-reason": reason},
    )


def test_the_admin_resets_a_lost_second_factor_and_the_person_sets_up_a_new_one(
    client, school_admin, dsl
):
    client.force_login(school_admin)
    person_page = page_text(client.get(reverse("person_role", args=[dsl.uuid])))
    assert "Authenticator app set up" in person_page

    response = reset_second_factor(client, dsl)

    assert response.url == reverse("people")
    assert not Authenticator.objects.filter(user=dsl).exists()
    history = dsl.memberships.get().history.latest("history_date")
    assert (history.history_user_id, history.history_change_reason) == (
        school_admin.pk,
        "Second factor reset: Lost her phone; seen in person",
    )
    # Their password alone lets them in only as far as setting up a new app.
    phone_less = Client()
    assert sign_in(phone_less, dsl).url == HOME
    assert phone_less.get(reverse("concerns:queue")).url == SET_UP


def test_a_reset_needs_a_reason_and_not_yourself(client, school_admin, dsl):
    client.force_login(school_admin)

    no_reason = reset_second_factor(client, dsl, reason="")
    yourself = reset_second_factor(client, school_admin)

    assert "Give the reason" in page_text(no_reason)
    assert "You cannot reset your own second factor" in page_text(yourself)
    assert Authenticator.objects.filter(user__in=[dsl, school_admin]).count() == 2


# --- A forgotten password ------------------------------------------------------------------

RESET = reverse("account_reset_password")


def test_a_password_reset_answers_the_same_for_an_address_with_no_account(
    client, staff, mailoutbox
):
    known = client.post(RESET, {"email": staff.email}, follow=True)
    unknown = client.post(RESET, {"email": "nobody@oakfield.example"}, follow=True)

    assert [r.status_code for r in (known, unknown)] == [200, 200]
    assert known.redirect_chain == unknown.redirect_chain
    assert page_text(known) == page_text(unknown)
    assert "Check your email" in page_text(unknown)
    (email,) = mailoutbox
    assert email.to == [staff.email]
    assert "/accounts/password/reset/key/" in email.body


# --- A code used twice ---------------------------------------------------------------------


def test_a_code_just_used_is_refused_with_its_own_message(dsl):
    code = totp_code()
    first = Client()
    sign_in(first, dsl)
    assert first.post(CODE_STEP, {"code": code}).url == HOME

    again = Client()
    sign_in(again, dsl)
    refused = again.post(CODE_STEP, {"code": code})

    text = page_text(refused)
    assert "This code has just been used: wait for the next one" in text
    assert "The code is not right" not in text
    assert signed_in_user_id(again) is None


def test_a_used_code_stays_refused_for_as_long_as_it_would_be_accepted(dsl):
    """A code is accepted for a period either side of its own (MFA_TOTP_TOLERANCE), so for
    up to 90 seconds; someone who saw it used must not be able to use it 34 seconds later."""
    period_start = int(time.time()) // 30 * 30
    with time_machine.travel(period_start + 1, tick=False):
        code = totp_code()
        first = Client()
        sign_in(first, dsl)
        assert first.post(CODE_STEP, {"code": code}).url == HOME

    with time_machine.travel(period_start + 35, tick=False):
        assert validate_totp_code(TOTP_SECRET, code)  # the next period: still accepted
        again = Client()
        sign_in(again, dsl)
        refused = again.post(CODE_STEP, {"code": code})

    assert "This code has just been used: wait for the next one" in page_text(refused)
    assert signed_in_user_id(again) is None


def test_a_code_just_used_to_sign_in_cannot_confirm_a_sensitive_action_either(client, dsl):
    code = totp_code()
    sign_in(client, dsl)
    client.post(CODE_STEP, {"code": code})

    refused = client.post(reverse("mfa_reauthenticate"), {"code": code})

    assert "This code has just been used: wait for the next one" in page_text(refused)


# --- A new SECRET_KEY ----------------------------------------------------------------------


def test_after_a_new_secret_key_the_old_one_in_the_fallbacks_keeps_codes_working(
    client, dsl, settings
):
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-brand-new-secret-key-for-this-test"

    sign_in(client, dsl)
    response = client.post(CODE_STEP, {"code": totp_code()})

    assert response.url == HOME
    assert signed_in_user_id(client) == str(dsl.pk)


def test_reencrypting_with_the_new_key_lets_the_old_one_be_dropped(client, dsl, settings):
    RecoveryCodes.activate(dsl)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-brand-new-secret-key-for-this-test"
    out = io.StringIO()

    call_command("reencrypt_second_factors", stdout=out)

    assert out.getvalue().startswith("2 second-factor secrets re-encrypted with the current")
    settings.SECRET_KEY_FALLBACKS = []
    sign_in(client, dsl)
    assert client.post(CODE_STEP, {"code": totp_code()}).url == HOME
    recovery_codes = Authenticator.objects.get(user=dsl, type=Authenticator.Type.RECOVERY_CODES)
    assert len(RecoveryCodes(recovery_codes).get_unused_codes()) == 10


def test_reencrypting_leaves_a_secret_no_key_can_read_and_says_so(dsl, settings):
    stored = Authenticator.objects.get(user=dsl).data
    settings.SECRET_KEY = "a-brand-new-secret-key-without-the-old-one"
    out, err = io.StringIO(), io.StringIO()

    call_command("reencrypt_second_factors", stdout=out, stderr=err)

    assert out.getvalue().startswith("0 second-factor secrets re-encrypted")
    assert err.getvalue().startswith("1 could not be read")
    assert Authenticator.objects.get(user=dsl).data == stored


def test_a_secret_no_key_can_read_gets_a_clear_page_not_an_error(client, dsl, settings):
    settings.SECRET_KEY = "a-brand-new-secret-key-without-the-old-one"
    sign_in(client, dsl)

    response = client.post(CODE_STEP, {"code": totp_code()})

    assert response.status_code == 403
    assert (
        "Your authenticator app can no longer be checked: ask your school administrator to "
        "reset your second factor" in page_text(response)
    )
    assert signed_in_user_id(client) is None
