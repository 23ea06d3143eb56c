"""Every URL of the project against every role: who gets the page, who is refused, and how.

The TABLE is the access policy in one place (DOMAIN.md rule 5, need to know). A URL added
to the project without a row here fails `test_every_url_has_an_entry_in_the_table`, so
nobody ships a page without deciding who may open it.

Expected outcomes for a GET: 200; LOGIN (302 to the login page); a `Redirect` by design
(e.g. home sends the DSL team to their queue); 403 (in scope, wrong role); 404 (out of
scope: another school, or another member of staff's concern); 405 (a POST-only URL).
"""

import datetime
from types import SimpleNamespace
from typing import NamedTuple

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from concerns import services
from concerns.models import Concern, FollowUpKind, PracticeFlag, Step
from oversight import periods
from oversight import services as oversight_services
from oversight.models import ChecklistItem, CourseKind, NamedRoleKind, PersonRole, PolicyKind
from oversight.periods import PeriodChoice
from referrals import exports
from retention import services as retention_services
from retention.models import Disposal
from schools import policy as access_policy
from schools import services as schools_services
from schools.invitations import invitation_token as invitation_token_generator
from schools.models import Role
from schools.notifications import Notice
from schools.terms import academic_year_of
from subject_access import services as subject_access_services
from subject_access.models import Relationship
from tests.conftest import work_the_queue
from tests.factories import PupilFactory, pdf_file, record_concern, record_referral
from transfers import services as transfer_services
from transfers.models import IncomingFile, Route

ROLES = (
    "anonymous",
    "reporter",
    "other_staff",
    "dsl",
    "deputy",
    "governor",
    "admin",
    "other_dsl",
)
PERSONA = {  # role in this table → persona fixture in tests/conftest.py
    "reporter": "staff",
    "other_staff": "other_staff",
    "dsl": "dsl",
    "deputy": "deputy",
    "governor": "governor",
    "admin": "school_admin",
    "other_dsl": "other_dsl",
}
LOGIN = "account_login"


class Redirect(NamedTuple):
    """A 302 by design, to the named URL."""

    to: str


# Shorthands for rows that share a policy. Each maps every role in ROLES.
def _row(**by_role):
    return {"anonymous": LOGIN, **by_role}


# A page about one concern that only the DSL team (of its school) may use.
DSL_CONCERN_PAGE = _row(
    reporter=403, other_staff=404, dsl=200, deputy=200, governor=403, admin=404, other_dsl=404
)
# A page about one concern that its reporter may also read.
REPORTER_CONCERN_PAGE = _row(
    reporter=200, other_staff=404, dsl=200, deputy=200, governor=403, admin=404, other_dsl=404
)
# A POST-only URL: any signed-in GET is 405, which says nothing about whether the record exists.
POST_ONLY = _row(
    reporter=405, other_staff=405, dsl=405, deputy=405, governor=405, admin=405, other_dsl=405
)
# The DSL team's own school-wide pages; another school's DSL sees their own school's.
DSL_TEAM_PAGE = _row(
    reporter=403, other_staff=403, dsl=200, deputy=200, governor=403, admin=403, other_dsl=200
)
# Oversight registers: the DSL team and the administrator keep them, governors read them.
OVERSIGHT_READ = _row(
    reporter=403, other_staff=403, dsl=200, deputy=200, governor=200, admin=200, other_dsl=200
)
OVERSIGHT_WRITE = _row(
    reporter=403, other_staff=403, dsl=200, deputy=200, governor=403, admin=200, other_dsl=200
)
# One register row: another school's DSL is out of scope.
OVERSIGHT_ROW_WRITE = {**OVERSIGHT_WRITE, "other_dsl": 404}
# Pages about the signed-in person's own account: everyone signed in, nobody else.
EVERYONE_SIGNED_IN = _row(
    reporter=200, other_staff=200, dsl=200, deputy=200, governor=200, admin=200, other_dsl=200
)
# A password-reset link, once allauth has moved its key into the session.
RESET_FORM = "the reset form"
# The school's people: its administrator only. Another school's DSL administers no school.
SCHOOL_ADMIN_PAGE = _row(
    reporter=403, other_staff=403, dsl=403, deputy=403, governor=403, admin=200, other_dsl=403
)

TABLE = {
    # schools
    "home": _row(
        reporter=200,
        other_staff=200,
        dsl=Redirect("concerns:queue"),
        deputy=Redirect("concerns:queue"),
        governor=Redirect("oversight:dashboard"),
        admin=200,
        other_dsl=Redirect("concerns:queue"),
    ),
    # accounts (django-allauth). Signed-in personas of second-factor roles have an authenticator
    # app (tests.factories.member); staff do not.
    "account_login": {"anonymous": 200, **{role: Redirect("home") for role in PERSONA}},
    # Opening the address asks "Sign out?"; only the POST signs out.
    "account_logout": {**EVERYONE_SIGNED_IN, "anonymous": Redirect("account_login")},
    "account_inactive": {role: 200 for role in ROLES},
    "account_reauthenticate": EVERYONE_SIGNED_IN,
    "account_change_password": EVERYONE_SIGNED_IN,
    "account_reset_password": {role: 200 for role in ROLES},
    "account_reset_password_done": {role: 200 for role in ROLES},
    # Tom's reset link: allauth moves the key out of the address before showing the form
    # (Tom himself, signed in, sees it at once). Whoever holds the link may use it.
    "account_reset_password_from_key": {
        **{role: RESET_FORM for role in ROLES},
        "reporter": 200,
    },
    "account_reset_password_from_key_done": {role: 200 for role in ROLES},
    "mfa_index": EVERYONE_SIGNED_IN,
    # The code step belongs to a sign-in under way; with none, there is nothing to enter.
    "mfa_authenticate": {
        "anonymous": Redirect("account_login"),
        **{role: Redirect("home") for role in PERSONA},
    },
    # Staff have no authenticator app, so they confirm with their password instead.
    "mfa_reauthenticate": {
        **EVERYONE_SIGNED_IN,
        "reporter": Redirect("account_reauthenticate"),
        "other_staff": Redirect("account_reauthenticate"),
    },
    # Someone who already has an app is offered to turn it off instead (which their role
    # may refuse: tests/test_accounts.py); someone without one has nothing to turn off.
    "mfa_activate_totp": {
        **{role: Redirect("mfa_deactivate_totp") for role in ROLES},
        "anonymous": LOGIN,
        "reporter": 200,
        "other_staff": 200,
    },
    "mfa_deactivate_totp": {**EVERYONE_SIGNED_IN, "reporter": 404, "other_staff": 404},
    # The personas have no recovery codes yet.
    "mfa_view_recovery_codes": {**{role: 404 for role in PERSONA}, "anonymous": LOGIN},
    "mfa_download_recovery_codes": {**{role: 404 for role in PERSONA}, "anonymous": LOGIN},
    "mfa_generate_recovery_codes": EVERYONE_SIGNED_IN,
    "socialaccount_login_cancelled": {role: 200 for role in ROLES},
    "socialaccount_login_error": {**{role: 401 for role in PERSONA}, "anonymous": LOGIN},
    # The school picker in the header: a POST naming one of the user's own schools.
    "school_choose": POST_ONLY,
    "school_settings": {**DSL_TEAM_PAGE, "admin": 200},
    "school_terms": {**DSL_TEAM_PAGE, "admin": 200},
    "school_terms_edit": {**DSL_TEAM_PAGE, "admin": 200},
    # schools: the school's people, managed only by its administrator
    "people": SCHOOL_ADMIN_PAGE,
    "person_invite": SCHOOL_ADMIN_PAGE,
    "person_role": SCHOOL_ADMIN_PAGE,
    "person_sign_in": POST_ONLY,
    "person_second_factor_reset": POST_ONLY,
    "person_lockout_lift": POST_ONLY,
    "invitation_resend": POST_ONLY,
    # An e-mail that never went: its school's administrators and DSL team deal with it.
    "failed_notification_close": POST_ONLY,
    # The link in the invitation e-mail is the key: whoever holds it may set the password.
    "invitation_accept": {role: 200 for role in ROLES},
    "pupil_import": {**DSL_TEAM_PAGE, "admin": 200},
    # concerns: school-wide
    "concerns:list": _row(
        reporter=200, other_staff=200, dsl=200, deputy=200, governor=403, admin=200, other_dsl=200
    ),
    "concerns:new": _row(
        reporter=200, other_staff=200, dsl=200, deputy=200, governor=403, admin=200, other_dsl=200
    ),
    "concerns:categories": DSL_TEAM_PAGE,
    "concerns:queue": DSL_TEAM_PAGE,
    # Guidance cards: everyone who records concerns reads them; the DSL team adds its own.
    "concerns:guidance": _row(
        reporter=200, other_staff=200, dsl=200, deputy=200, governor=403, admin=200, other_dsl=200
    ),
    "concerns:guidance_new": DSL_TEAM_PAGE,
    # One of this school's own cards: another school's DSL finds no such card.
    "concerns:guidance_edit": {**DSL_TEAM_PAGE, "other_dsl": 404},
    # concerns: one child's file
    "concerns:chronology": {**DSL_TEAM_PAGE, "other_dsl": 404},
    "concerns:chronology_pdf": POST_ONLY,
    "audit:pupil": {**DSL_TEAM_PAGE, "other_dsl": 404},  # who opened the child's file
    # concerns: one concern
    "concerns:detail": REPORTER_CONCERN_PAGE,
    "concerns:recorded": REPORTER_CONCERN_PAGE,
    "concerns:add_note": POST_ONLY,
    "concerns:acknowledge": POST_ONLY,
    "concerns:assign": POST_ONLY,
    "concerns:correct": DSL_CONCERN_PAGE,
    "concerns:safety": DSL_CONCERN_PAGE,
    "concerns:evidence": DSL_CONCERN_PAGE,
    "concerns:referral": DSL_CONCERN_PAGE,
    "concerns:support": DSL_CONCERN_PAGE,
    "concerns:support_review": POST_ONLY,
    "concerns:close": DSL_CONCERN_PAGE,
    "concerns:follow_up_done": DSL_CONCERN_PAGE,
    "concerns:history": DSL_CONCERN_PAGE,
    "concerns:unnamed_child": DSL_CONCERN_PAGE,
    "concerns:flag_review": POST_ONLY,
    "concerns:attachment": DSL_CONCERN_PAGE,
    # referrals
    "referrals:new": DSL_CONCERN_PAGE,
    "referrals:concern_pdf": POST_ONLY,
    "referrals:export_download": POST_ONLY,
    "referrals:detail": DSL_CONCERN_PAGE,
    "referrals:confirm": POST_ONLY,
    "referrals:feedback": POST_ONLY,
    "referrals:contact": POST_ONLY,
    # oversight
    "oversight:dashboard": OVERSIGHT_READ,
    "oversight:report": POST_ONLY,
    # A report prepared for one reader (here the governor who asked): nobody else finds it.
    "oversight:report_status": _row(
        reporter=404, other_staff=404, dsl=404, deputy=404, governor=200, admin=404, other_dsl=404
    ),
    "oversight:report_file": _row(
        reporter=404, other_staff=404, dsl=404, deputy=404, governor=200, admin=404, other_dsl=404
    ),
    "oversight:registers": OVERSIGHT_READ,
    "oversight:checklist": OVERSIGHT_READ,
    "oversight:training_new": OVERSIGHT_WRITE,
    "oversight:policy_new": OVERSIGHT_WRITE,
    "oversight:role_new": OVERSIGHT_WRITE,
    "oversight:training_edit": OVERSIGHT_ROW_WRITE,
    "oversight:policy_edit": OVERSIGHT_ROW_WRITE,
    "oversight:role_edit": OVERSIGHT_ROW_WRITE,
    "oversight:checklist_item": OVERSIGHT_ROW_WRITE,
    # transfers: files come to the school, for its DSL team only. Another school's DSL (here,
    # the school that sent the file) never finds the receiving school's copy.
    "transfers:incoming_list": DSL_TEAM_PAGE,
    "transfers:incoming_import": DSL_TEAM_PAGE,
    "transfers:incoming": {**DSL_TEAM_PAGE, "other_dsl": 404},
    "transfers:incoming_accept": POST_ONLY,
    "transfers:incoming_decline": POST_ONLY,
    # The package's address and the receipt link, e-mailed to a school outside the
    # deployment: whoever holds them may open them, signed in or not. Neither names the child.
    "transfers:package": {role: 200 for role in ROLES},
    "transfers:receipt": {role: 200 for role in ROLES},
    # transfers: a leaver's child protection file, sent by the DSL team only
    "transfers:leavers": DSL_TEAM_PAGE,
    "transfers:leaving": {**DSL_TEAM_PAGE, "other_dsl": 404},
    "transfers:send": {**DSL_TEAM_PAGE, "other_dsl": 404},
    "transfers:no_school": {**DSL_TEAM_PAGE, "other_dsl": 404},
    "transfers:transfer": {**DSL_TEAM_PAGE, "other_dsl": 404},
    "transfers:resend": {**DSL_TEAM_PAGE, "other_dsl": 404},
    "transfers:transfer_pdf": POST_ONLY,
    "transfers:package_download": POST_ONLY,
    # retention: a child's file kept or held by the DSL team; the school's files held by the
    # DSL team or the administrator (from the school settings)
    "retention:review_list": DSL_TEAM_PAGE,
    "retention:file": {**DSL_TEAM_PAGE, "other_dsl": 404},
    "retention:keep": POST_ONLY,
    "retention:hold": POST_ONLY,
    "retention:lift": {**DSL_TEAM_PAGE, "other_dsl": 404},
    "retention:school_holds": {**DSL_TEAM_PAGE, "admin": 200},
    # A pupil picker's matches: with no search (as here), a signed-in request is told what
    # is missing; who may search where is tested in tests/test_pupil_picker.py.
    "concerns:pupil_search": _row(
        reporter=400, other_staff=400, dsl=400, deputy=400, governor=400, admin=400, other_dsl=400
    ),
    # Disposal: proposed on a child's file, confirmed or withdrawn by the DSL team; the
    # certificates are the DSL team's.
    "retention:dispose": POST_ONLY,
    "retention:certificates": DSL_TEAM_PAGE,
    "retention:disposal": {**DSL_TEAM_PAGE, "other_dsl": 404},
    "retention:disposal_confirm": POST_ONLY,
    "retention:disposal_withdraw": POST_ONLY,
    # subject_access: the register of requests for a child's information, the DSL team's only
    "subject_access:register": DSL_TEAM_PAGE,
    "subject_access:new": DSL_TEAM_PAGE,
    "subject_access:detail": {**DSL_TEAM_PAGE, "other_dsl": 404},
    "subject_access:identity": POST_ONLY,
    "subject_access:extend": POST_ONLY,
    "subject_access:disclose": POST_ONLY,
    "subject_access:refuse": POST_ONLY,
    "subject_access:file": {**DSL_TEAM_PAGE, "other_dsl": 404},
    "subject_access:assemble": POST_ONLY,
    "subject_access:redact": POST_ONLY,
    "subject_access:unredact": POST_ONLY,
    "subject_access:pdf": POST_ONLY,
}

# The objects each URL is reversed with, in argument order (`world` keys or fixture names).
ARGS = {
    "concerns:chronology": ["pupil"],
    "concerns:chronology_pdf": ["pupil"],
    "audit:pupil": ["pupil"],
    "concerns:support_review": ["concern", "support_action"],
    "concerns:follow_up_done": ["concern", "follow_up"],
    "concerns:attachment": ["concern", "attachment"],
    "concerns:unnamed_child": ["concern", "unnamed"],
    "concerns:flag_review": ["concern", "flag"],
    "concerns:guidance_edit": ["card"],
    "referrals:export_download": ["export"],
    "referrals:detail": ["referral"],
    "referrals:confirm": ["referral"],
    "referrals:feedback": ["referral"],
    "referrals:contact": ["referral"],
    "oversight:training_edit": ["training"],
    "oversight:policy_edit": ["policy"],
    "oversight:role_edit": ["named_role"],
    "oversight:checklist_item": ["checklist_item"],
    "oversight:report_status": ["prepared_report"],
    "oversight:report_file": ["prepared_report"],
    "person_role": ["staff"],
    "school_terms_edit": ["term_year"],
    "person_sign_in": ["staff"],
    "person_second_factor_reset": ["dsl"],
    "person_lockout_lift": ["staff"],
    "invitation_resend": ["invitee"],
    "failed_notification_close": ["failed_notification"],
    "invitation_accept": ["invitation_uid", "invitation_token"],
    "account_reset_password_from_key": ["reset_uid", "reset_key"],
    "transfers:incoming": ["incoming"],
    "transfers:incoming_accept": ["incoming"],
    "transfers:incoming_decline": ["incoming"],
    "transfers:package": ["package"],
    "transfers:receipt": ["receipt_token"],
    "transfers:leaving": ["pupil"],
    "transfers:send": ["leaver"],
    "transfers:no_school": ["leaver"],
    "transfers:transfer": ["transfer"],
    "transfers:resend": ["transfer"],
    "transfers:transfer_pdf": ["transfer"],
    "transfers:package_download": ["own_package"],
    "retention:file": ["pupil"],
    "retention:keep": ["pupil"],
    "retention:hold": ["pupil"],
    "retention:lift": ["pupil_hold"],
    "retention:dispose": ["pupil"],
    "retention:disposal": ["disposal"],
    "retention:disposal_confirm": ["disposal"],
    "retention:disposal_withdraw": ["disposal"],
    **{
        f"subject_access:{name}": ["subject_access_request"]
        for name in (
            "detail",
            "identity",
            "extend",
            "disclose",
            "refuse",
            "file",
            "assemble",
            "redact",
            "unredact",
            "pdf",
        )
    },
}

# Roles that may never see the concern's reference or a child's name on any page...
NO_NEED_TO_KNOW = ("anonymous", "other_staff", "governor", "admin", "other_dsl")
# ...except the form to record a concern, which lists the school's pupils to choose from.
PUPIL_PICKERS = {"concerns:new"}

# Django's own URLs the project doesn't serve as pages; none are mounted today.
INTERNAL_NAMESPACES = {"admin", "djdt", "__debug__"}


def _discover(resolver, namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace in INTERNAL_NAMESPACES:
                continue
            yield from _discover(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def discovered_url_names() -> set[str]:
    return set(_discover(get_resolver()))


def test_every_url_has_an_entry_in_the_table():
    discovered = discovered_url_names()

    missing = sorted(discovered - TABLE.keys())
    stale = sorted(TABLE.keys() - discovered)
    assert not missing, f"URLs with no entry in TABLE (decide who may open them): {missing}"
    assert not stale, f"TABLE entries for URLs that no longer exist: {stale}"


def test_every_entry_decides_for_every_role():
    assert {name: set(row) for name, row in TABLE.items() if set(row) != set(ROLES)} == {}


# Each page open to some roles of a school answers to one rule of schools.policy, the module
# the views and access helpers ask. The table is written out by hand above; these check that
# it and the policy agree, so a rule changed in one place and not the other fails here.
PERSONA_ROLE = {
    "reporter": Role.STAFF,
    "other_staff": Role.STAFF,
    "dsl": Role.DSL,
    "deputy": Role.DEPUTY_DSL,
    "governor": Role.GOVERNOR,
    "admin": Role.SCHOOL_ADMIN,
    "other_dsl": Role.DSL,  # at another school
}
# School-wide pages: another school's DSL gets their own school's page, so counts by role.
SCHOOL_PAGE_RULES = {
    "school_settings": access_policy.MANAGE_SCHOOL,
    "school_terms": access_policy.MANAGE_SCHOOL,
    "school_terms_edit": access_policy.MANAGE_SCHOOL,
    "pupil_import": access_policy.MANAGE_SCHOOL,
    "people": access_policy.MANAGE_PEOPLE,
    "person_invite": access_policy.MANAGE_PEOPLE,
    "concerns:list": access_policy.RECORD_CONCERNS,
    "concerns:new": access_policy.RECORD_CONCERNS,
    "concerns:guidance": access_policy.RECORD_CONCERNS,
    "concerns:categories": access_policy.HANDLE_CASES,
    "concerns:queue": access_policy.HANDLE_CASES,
    "concerns:guidance_new": access_policy.HANDLE_CASES,
    "oversight:dashboard": access_policy.READ_OVERSIGHT,
    "oversight:registers": access_policy.READ_OVERSIGHT,
    "oversight:checklist": access_policy.READ_OVERSIGHT,
    "oversight:training_new": access_policy.MANAGE_SCHOOL,
    "oversight:policy_new": access_policy.MANAGE_SCHOOL,
    "oversight:role_new": access_policy.MANAGE_SCHOOL,
    "transfers:incoming_list": access_policy.TRANSFER_FILES,
    "transfers:incoming_import": access_policy.TRANSFER_FILES,
    "transfers:leavers": access_policy.TRANSFER_FILES,
    "retention:review_list": access_policy.HANDLE_CASES,
    "retention:school_holds": access_policy.MANAGE_SCHOOL,
    "retention:certificates": access_policy.HANDLE_CASES,
    "subject_access:register": access_policy.HANDLE_CASES,
    "subject_access:new": access_policy.HANDLE_CASES,
}
# Pages about one record of the school: another school's DSL never finds it (404), so only
# the personas of the record's school count.
RECORD_PAGE_RULES = {
    "person_role": access_policy.MANAGE_PEOPLE,
    "concerns:chronology": access_policy.HANDLE_CASES,
    "audit:pupil": access_policy.HANDLE_CASES,
    "concerns:guidance_edit": access_policy.HANDLE_CASES,
    **{name: access_policy.HANDLE_CASES for name, row in TABLE.items() if row == DSL_CONCERN_PAGE},
    "oversight:training_edit": access_policy.MANAGE_SCHOOL,
    "oversight:policy_edit": access_policy.MANAGE_SCHOOL,
    "oversight:role_edit": access_policy.MANAGE_SCHOOL,
    "oversight:checklist_item": access_policy.MANAGE_SCHOOL,
    "transfers:incoming": access_policy.TRANSFER_FILES,
    "transfers:leaving": access_policy.TRANSFER_FILES,
    "transfers:no_school": access_policy.TRANSFER_FILES,
    "transfers:send": access_policy.TRANSFER_FILES,
    "transfers:transfer": access_policy.TRANSFER_FILES,
    "transfers:resend": access_policy.TRANSFER_FILES,
    "retention:file": access_policy.HANDLE_CASES,
    "retention:lift": access_policy.HANDLE_CASES,
    "retention:disposal": access_policy.HANDLE_CASES,
    "subject_access:detail": access_policy.HANDLE_CASES,
    "subject_access:file": access_policy.HANDLE_CASES,
}


def _admitted(row, personas) -> set[str]:
    return {persona for persona in personas if row[persona] == 200}


@pytest.mark.parametrize("name", sorted(SCHOOL_PAGE_RULES))
def test_school_pages_admit_the_roles_the_policy_names(name):
    rule = SCHOOL_PAGE_RULES[name]
    expected = {persona for persona, role in PERSONA_ROLE.items() if role in rule.roles}
    assert _admitted(TABLE[name], PERSONA_ROLE) == expected, rule.name


@pytest.mark.parametrize("name", sorted(RECORD_PAGE_RULES))
def test_record_pages_admit_the_roles_the_policy_names_at_the_records_school(name):
    rule = RECORD_PAGE_RULES[name]
    here = {persona: role for persona, role in PERSONA_ROLE.items() if persona != "other_dsl"}
    row = TABLE[name]
    expected = {persona for persona, role in here.items() if role in rule.roles}
    assert _admitted(row, here) == expected, rule.name
    # Not found, or refused outright by a role that is theirs nowhere (the people pages).
    assert row["other_dsl"] in (403, 404), "another school's record is never shown"


def test_every_rule_of_the_policy_is_checked_against_the_table():
    used = {*SCHOOL_PAGE_RULES.values(), *RECORD_PAGE_RULES.values()}
    # The second-factor rule and governing decide where people start and how they sign in,
    # not which page opens: tests/test_accounts.py and the home row above check those.
    assert set(access_policy.RULES) - used == {
        access_policy.ALWAYS_SECOND_FACTOR,
        access_policy.GOVERN,
    }


def test_unnamed_url_patterns_do_not_escape_the_table():
    """A pattern without a name could not be listed here; the project names every one."""

    def unnamed(resolver):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace not in INTERNAL_NAMESPACES:
                    yield from unnamed(entry)
            elif not entry.name:
                yield str(entry.pattern)

    assert list(unnamed(get_resolver())) == []


# --- The data every URL is reversed with ---------------------------------------------------


PDF_BYTES = pdf_file()


@pytest.fixture
def world(school, staff, pupils):
    """A concern Tom (staff) raised about Amelia, at the support step. Everything else a URL
    can point at (an attachment, a referral, a register row...) is made only for the URLs
    that need it, by the fixture of the same name, to keep the matrix fast."""
    concern = record_concern(school=school, reporter=staff, pupils=pupils)
    # The step gates are tested elsewhere; here every step's page must be open to the DSL.
    Concern.objects.filter(pk=concern.pk).update(step=Step.SUPPORT_PLANNED)
    return {"concern": Concern.objects.get(pk=concern.pk), "pupil": pupils[0]}


SOON = datetime.timedelta(days=14)
LAST_MONTH = datetime.timedelta(days=30)


@pytest.fixture
def attachment(world, dsl):
    return services.attachment_add(
        concern=world["concern"],
        by=dsl,
        uploaded_file=SimpleUploadedFile("body-map.pdf", PDF_BYTES, content_type="application/pdf"),
        description="Completed body map",
    )


@pytest.fixture
def referral(world, dsl):
    return record_referral(world["concern"], dsl)


@pytest.fixture
def support_action(world, dsl):
    return services.support_action_add(
        concern=world["concern"],
        by=dsl,
        child=world["concern"].children.get(pupil=world["pupil"]),
        action="Weekly check-in",
        owner="Class teacher",
        review_date=timezone.localdate() + SOON,
    )


@pytest.fixture
def follow_up(world, dsl):
    return services.follow_up_add(
        concern=world["concern"],
        by=dsl,
        kind=FollowUpKind.PUPIL_LESSONS,
        description="Extra e-safety lessons",
        owner="Computing lead",
        due_date=timezone.localdate() + SOON,
    )


@pytest.fixture
def unnamed(world, dsl):
    return services.unnamed_child_add(
        concern=world["concern"], by=dsl, description="A friend at the sleepover, about 9"
    )


@pytest.fixture
def flag(world, staff):
    # A note that reads as investigating is flagged for the DSL team to review.
    services.concern_add_note(
        concern=world["concern"], author=staff, text="I asked the other parents about it."
    )
    return PracticeFlag.objects.get(concern=world["concern"])


@pytest.fixture
def card(school, dsl):
    return services.guidance_card_save(
        school=school,
        by=dsl,
        title="Oakfield's local contacts",
        categories=[],
        report_to="Testshire MASH 01632 960 000; LADO 01632 960 002",
    )


@pytest.fixture
def training(school, staff, dsl):
    return oversight_services.training_record_add(
        school=school,
        by=dsl,
        person=staff,
        person_role=PersonRole.STAFF,
        kind=CourseKind.WHOLE_STAFF,
        completed_on=timezone.localdate() - LAST_MONTH,
    )


@pytest.fixture
def policy(school, dsl):
    return oversight_services.policy_add(
        school=school,
        by=dsl,
        kind=PolicyKind.CHILD_PROTECTION,
        title="Child protection",
        last_reviewed_on=timezone.localdate() - LAST_MONTH,
    )


@pytest.fixture
def named_role(school, dsl):
    return oversight_services.named_role_add(
        school=school,
        by=dsl,
        role=NamedRoleKind.DSL,
        person=dsl,
        from_date=timezone.localdate() - LAST_MONTH,
    )


@pytest.fixture
def checklist_item(school):
    oversight_services.checklist_seed(school=school)
    return ChecklistItem.objects.filter(school=school).first()


@pytest.fixture
def prepared_report(school, governor):
    """The governor's report of this term, prepared by the worker."""
    asked = oversight_services.report_ask(
        school=school,
        by=governor,
        period=periods.period_for(
            PeriodChoice.THIS_TERM, today=timezone.localdate(), school=school
        ),
        period_choice={"period": "this_term"},
        exact=False,
    )
    work_the_queue()
    return asked


@pytest.fixture
def export(world, dsl):
    # ~0.5 s to render, so only the URL that needs it asks for it.
    result = exports.referral_pdf_export(concern=world["concern"], by=dsl, password_protected=True)
    return result.export


@pytest.fixture
def term_year():
    """This academic year, in the form the term-dates page's address takes it."""
    return SimpleNamespace(uuid=academic_year_of(timezone.localdate()))


@pytest.fixture
def failed_notification(school):
    return schools_services.failed_notification_record(
        notice=Notice(
            school_id=school.pk, what="Invitation to Ivy Invited", recipients=["ivy@x.example"]
        ),
        reason="SMTPConnectError: (421, 'Service not available')",
        attempts=5,
        task_path="schools.tasks.send_invitation",
        task_args=[1, school.pk, 1],
    )


@pytest.fixture
def invitee(school, school_admin):
    return schools_services.person_invite(
        school=school,
        by=school_admin,
        full_name="Ivy Invited",
        email="ivy@oakfield.example",
        role=Role.STAFF,
    ).membership.user


# The invitation link's two parts, shaped like the records the other URLs are reversed with.
@pytest.fixture
def invitation_uid(invitee):
    return SimpleNamespace(uuid=urlsafe_base64_encode(force_bytes(invitee.uuid.hex)))


@pytest.fixture
def invitation_token(invitee):
    return SimpleNamespace(uuid=invitation_token_generator.make_token(invitee))


TRANSFER_SUMMARY = {
    "why_known": "Known since Year 3.",
    "current_risks": "None now.",
    "plans": "Check-ins.",
    "agencies": "Testshire MASH.",
}


# A file Riverside (another school's DSL) sent to this school, waiting to be accepted.
@pytest.fixture
def incoming(school, other_school, other_dsl):
    pupil = PupilFactory(school=other_school, legal_first_name="Rosa", legal_last_name="Brook")
    record_concern(school=other_school, reporter=other_dsl, pupils=[pupil])
    pupil = transfer_services.pupil_leaving_set(
        pupil=pupil,
        by=other_dsl,
        leaving_date=timezone.localdate(),
        destination_school=None,
        destination="Oakfield Primary School",
    )
    sent = transfer_services.transfer_send(
        pupil=pupil,
        by=other_dsl,
        route=Route.DEPLOYMENT,
        to_school=school,
        summary=TRANSFER_SUMMARY,
    )
    return IncomingFile.objects.get(transfer=sent.transfer)


# Amelia's file, e-mailed as a package to a school outside the deployment: the package's
# address and the receipt link.
@pytest.fixture
def emailed(world, dsl):
    pupil = transfer_services.pupil_leaving_set(
        pupil=world["pupil"],
        by=dsl,
        leaving_date=timezone.localdate(),
        destination_school=None,
        destination="St Elsewhere's School",
    )
    return transfer_services.transfer_send(
        pupil=pupil,
        by=dsl,
        route=Route.PACKAGE,
        to_school_name="St Elsewhere's School",
        summary=TRANSFER_SUMMARY,
        email="dsl@elsewhere.example",
    )


@pytest.fixture
def package(emailed):
    return emailed.package


@pytest.fixture
def receipt_token(emailed):
    return SimpleNamespace(uuid=emailed.receipt_token)


@pytest.fixture
def leaver(world, dsl, other_school):
    """Amelia, named in the concern, leaving for Riverside Academy in two weeks."""
    return transfer_services.pupil_leaving_set(
        pupil=world["pupil"],
        by=dsl,
        leaving_date=timezone.localdate() + SOON,
        destination_school=other_school,
        destination="",
    )


@pytest.fixture
def transfer(leaver, dsl, other_school):
    return transfer_services.transfer_send(
        pupil=leaver,
        by=dsl,
        route=Route.DEPLOYMENT,
        to_school=other_school,
        summary=TRANSFER_SUMMARY,
    ).transfer


@pytest.fixture
def own_package(leaver, dsl):
    """An encrypted package for a school outside, waiting for the DSL who made it to download
    it (not e-mailed)."""
    return transfer_services.transfer_send(
        pupil=leaver,
        by=dsl,
        route=Route.PACKAGE,
        to_school_name="St Elsewhere's School",
        summary=TRANSFER_SUMMARY,
    ).package


# A legal hold on Amelia's file, placed by the DSL.
@pytest.fixture
def pupil_hold(world, school, dsl):
    return retention_services.legal_hold_place(
        school=school, pupil=world["pupil"], by=dsl, reason="A court case may need it."
    )


# A proposal, by the DSL, to dispose of Amelia's file (as a row: her file is not yet due, and
# the pages' access does not depend on it).
@pytest.fixture
def disposal(world, school, dsl):
    return Disposal.objects.create(
        school=school,
        pupil=world["pupil"],
        reason="Reviewed at 25.",
        proposed_by=dsl,
        proposed_at=timezone.now(),
    )


@pytest.fixture
def subject_access_request(world, dsl):
    """Amelia's mother asked for Amelia's information yesterday."""
    return subject_access_services.request_record(
        pupil=world["pupil"],
        by=dsl,
        requester_name="Her mother",
        relationship=Relationship.PARENT,
        received_on=timezone.localdate() - datetime.timedelta(days=1),
    )


# A password-reset link for Tom (staff), in allauth's two parts.
@pytest.fixture
def reset_uid(staff):
    return SimpleNamespace(uuid=user_pk_to_url_str(staff))


@pytest.fixture
def reset_key(staff):
    return SimpleNamespace(uuid=default_token_generator.make_token(staff))


def url_for(name: str, request, world) -> str:
    keys = ARGS.get(name)
    if keys is None and (name.startswith("concerns:") or name.startswith("referrals:")):
        keys = ["concern"] if reverse_needs_args(name) else []
    objects = [world[key] if key in world else request.getfixturevalue(key) for key in keys or []]
    return reverse(name, args=[obj.uuid for obj in objects])


def reverse_needs_args(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return True
    return False


def client_as(role: str, request) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(request.getfixturevalue(PERSONA[role]))
    return client


def _status_of(response) -> object:
    if response.status_code == 302:
        target = response.url
        if target.startswith(reverse("account_login") + "?"):
            return LOGIN
        if target.endswith("-set-password/"):
            return RESET_FORM
        for name in (
            "concerns:queue",
            "oversight:dashboard",
            "home",
            "account_login",
            "account_reauthenticate",
            "mfa_deactivate_totp",
        ):
            if target == reverse(name):
                return Redirect(name)
        return f"302 to {target}"
    return response.status_code


# --- GET by every role ---------------------------------------------------------------------


CASES = [(name, role) for name in sorted(TABLE) for role in ROLES]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_get(request, world, name, role):
    address = url_for(name, request, world)

    response = client_as(role, request).get(address)

    assert _status_of(response) == TABLE[name][role]
    if role in NO_NEED_TO_KNOW:
        text = response.content.decode(errors="replace")
        concern = world["concern"]
        assert concern.reference not in text, f"{role} sees the concern's reference"
        if name not in PUPIL_PICKERS:
            assert "Amelia" not in text and "Hart" not in text, f"{role} sees the child's name"


# --- POST by a role that may not -----------------------------------------------------------

# The POST-only URLs and what each refused role gets. Governors and another school's DSL may
# download their own oversight report, so only staff are refused there; logging out is open
# to everyone and changes no record.
CONCERN_POST_REFUSED = {"anonymous": LOGIN, "other_staff": 404, "governor": 403, "other_dsl": 404}
TRANSFER_POST_REFUSED = {
    "anonymous": LOGIN,
    "reporter": 403,
    "other_staff": 403,
    "governor": 403,
    "admin": 403,
    "other_dsl": 404,
}
SCHOOL_ADMIN_POST_REFUSED = {"anonymous": LOGIN, "dsl": 403, "governor": 403, "other_dsl": 403}
POST_TABLE = {
    "concerns:add_note": CONCERN_POST_REFUSED,
    "concerns:acknowledge": CONCERN_POST_REFUSED,
    "concerns:assign": CONCERN_POST_REFUSED,
    "concerns:support_review": CONCERN_POST_REFUSED,
    "concerns:flag_review": CONCERN_POST_REFUSED,
    "concerns:chronology_pdf": {**CONCERN_POST_REFUSED, "other_staff": 403},
    "referrals:concern_pdf": CONCERN_POST_REFUSED,
    "referrals:confirm": CONCERN_POST_REFUSED,
    "referrals:feedback": CONCERN_POST_REFUSED,
    "referrals:contact": CONCERN_POST_REFUSED,
    # Only the person who made the export may collect it; to anyone else it does not exist.
    "referrals:export_download": {**CONCERN_POST_REFUSED, "governor": 404},
    "oversight:report": {"anonymous": LOGIN, "other_staff": 403},
    "person_sign_in": SCHOOL_ADMIN_POST_REFUSED,
    "person_second_factor_reset": SCHOOL_ADMIN_POST_REFUSED,
    "person_lockout_lift": SCHOOL_ADMIN_POST_REFUSED,
    "invitation_resend": SCHOOL_ADMIN_POST_REFUSED,
    "failed_notification_close": {
        "anonymous": LOGIN,
        "reporter": 403,
        "other_staff": 403,
        "governor": 403,
        "other_dsl": 404,
    },
    # Naming no school of one's own (here, none at all) is refused alike, whatever the role.
    "school_choose": {"anonymous": LOGIN, "reporter": 404, "governor": 404, "other_dsl": 404},
    # The file's receiving school's DSL team only; to the school that sent it, it is not there.
    "transfers:incoming_accept": {
        "anonymous": LOGIN,
        "reporter": 403,
        "other_staff": 403,
        "governor": 403,
        "admin": 403,
        "other_dsl": 404,
    },
    "transfers:incoming_decline": {
        "anonymous": LOGIN,
        "reporter": 403,
        "other_staff": 403,
        "governor": 403,
        "admin": 403,
        "other_dsl": 404,
    },
    # A leaver's file: only its school's DSL team exports it.
    "transfers:transfer_pdf": TRANSFER_POST_REFUSED,
    # The package is for the DSL who made it (who has its password); to anyone else it does
    # not exist.
    "transfers:package_download": {**TRANSFER_POST_REFUSED, "deputy": 404},
    # A child's file: only its school's DSL team keeps it for longer or holds it.
    "retention:keep": TRANSFER_POST_REFUSED,
    "retention:hold": TRANSFER_POST_REFUSED,
    # Disposing of a child's file: only its school's DSL team proposes, confirms or withdraws.
    "retention:dispose": TRANSFER_POST_REFUSED,
    "retention:disposal_confirm": TRANSFER_POST_REFUSED,
    "retention:disposal_withdraw": TRANSFER_POST_REFUSED,
    # A subject access request: only its school's DSL team moves it on.
    **{
        f"subject_access:{name}": TRANSFER_POST_REFUSED
        for name in (
            "identity",
            "extend",
            "disclose",
            "refuse",
            "assemble",
            "redact",
            "unredact",
            "pdf",
        )
    },
}
POST_CASES = [(name, role) for name in sorted(POST_TABLE) for role in POST_TABLE[name]]
# The access log may record a refused attempt by design; every other table must stay as it was.
RECORD_APPS = (
    "concerns",
    "referrals",
    "oversight",
    "schools",
    "audit",
    "transfers",
    "retention",
    "subject_access",
)


def test_every_post_only_url_is_in_the_post_table():
    post_only = {name for name, row in TABLE.items() if row["dsl"] == 405}
    assert post_only == POST_TABLE.keys()


def snapshot(concern) -> dict:
    counts = {
        model._meta.label: model._default_manager.count()
        for app in RECORD_APPS
        for model in apps.get_app_config(app).get_models()
    }
    concern = Concern.objects.get(pk=concern.pk)
    return {**counts, "concern": (concern.step, concern.version, concern.assignee_id)}


@pytest.mark.parametrize(("name", "role"), POST_CASES, ids=[f"{n}-{r}" for n, r in POST_CASES])
def test_post_refused(request, world, name, role):
    address = url_for(name, request, world)
    client = client_as(role, request)  # the persona exists before the snapshot
    before = snapshot(world["concern"])

    response = client.post(address, {"text": "Something else she said."})

    assert _status_of(response) == POST_TABLE[name][role]
    assert b"%PDF" not in response.content
    assert snapshot(world["concern"]) == before
