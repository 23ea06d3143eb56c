"""Test data. Concerns are made through the real services, so they carry real history."""

import datetime
import io

import factory
import pikepdf
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.utils import timezone

from concerns import services
from concerns.models import STEP_REACHED_AT, Agency, Category, ChildRole, Concern, DiscloserType
from referrals.models import Consent, Method
from referrals.services import referral_record
from schools.models import Boarding, Gender, Membership, Pupil, School, User
from schools.policy import ALWAYS_SECOND_FACTOR

PASSWORD = "a-long-test-password"
# Every persona whose role needs a second factor has an authenticator app with this secret;
# totp_code() gives the code the app would show now.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"Test School {n}")
    address = "1 School Lane, Testington"
    phone = "01632 960000"
    local_authority = "Testshire"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@school.example")
    full_name = factory.Faker("name", locale="en_GB")
    job_title = "Teacher"

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


def member(school, role, *, second_factor: bool | None = None, **user_fields) -> User:
    """A user with a role at `school`. Roles that must use a second factor get an authenticator
    app (TOTP_SECRET) unless second_factor=False; staff get one only if second_factor=True."""
    user = UserFactory(**user_fields)
    Membership.objects.create(user=user, school=school, role=role)
    if second_factor if second_factor is not None else role in ALWAYS_SECOND_FACTOR.roles:
        TOTP.activate(user, TOTP_SECRET)
    return user


def totp_code(secret: str = TOTP_SECRET) -> str:
    # The current code, in the middle of those accepted (MFA_TOTP_TOLERANCE): it stays valid
    # for the rest of this 30-second period and all of the next, however a test is timed.
    counters = list(yield_hotp_counters_from_time())
    counter = counters[len(counters) // 2]
    return format_hotp_value(hotp_value(secret, counter))


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pupil

    school = factory.SubFactory(SchoolFactory)
    upn = factory.Sequence(lambda n: f"T{n:012d}")
    legal_first_name = factory.Faker("first_name", locale="en_GB")
    legal_last_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = datetime.date(2017, 3, 14)
    gender = Gender.FEMALE
    year_group = "Year 4"
    class_name = "4B"
    boarding = Boarding.WEEKLY


def category(slug: str) -> Category:
    return Category.objects.get(school=None, slug=slug)


def record_concern(*, school, reporter, pupils, roles=None, categories=("sharing-nudes",), **extra):
    """Record a concern through the service, the way the form would."""
    roles = roles or [ChildRole.SUBJECT] + [ChildRole.AFFECTED] * (len(pupils) - 1)
    fields = {
        "discloser_type": DiscloserType.PARENT_CARER,
        "discloser_name": "Mrs Sarah Example",
        "discloser_relationship": "Mother",
        "disclosed_at": timezone.now() - datetime.timedelta(hours=1),
        "location": "Head's office",
        "account": "She said: 'I found the sites on her tablet on Saturday.'",
        "parent_wishes": "Does not want anyone else told.",
    }
    fields.update(extra)
    return services.concern_record(
        school=school,
        reporter=reporter,
        categories=[category(slug) for slug in categories],
        children=[services.ChildInput(pupil=p, role=r) for p, r in zip(pupils, roles, strict=True)],
        **fields,
    )


def record_referral(concern, by, agency=Agency.SOCIAL_CARE, children=None, **overrides):
    """Record a referral through the service: by phone ten minutes ago, about every child
    named in the concern unless `children` says otherwise, with the parents' consent."""
    fields = {
        "made_at": timezone.now() - datetime.timedelta(minutes=10),
        "method": Method.PHONE,
        "contact_name": "Duty social worker",
        "parents_aware": True,
        "consent": Consent.GIVEN,
        "risk_view": "An adult has obtained sexual images of three children: significant harm.",
    }
    fields.update(overrides)
    return referral_record(
        concern=concern,
        by=by,
        agency=agency,
        children=list(concern.children.all()) if children is None else children,
        **fields,
    )


def step_dates_from_history(concerns) -> dict[int, dict[str, object]]:
    """For each concern, when its history first shows it at or past each step: what the
    concern's own step dates must say (and what migration 0009 filled them in from)."""
    dates: dict[int, dict[str, object]] = {}
    for concern_id, step, when in (
        Concern.history.filter(id__in=concerns)
        .order_by("history_date", "history_id")
        .values_list("id", "step", "history_date")
    ):
        reached = dates.setdefault(concern_id, dict.fromkeys(STEP_REACHED_AT.values()))
        for done, name in STEP_REACHED_AT.items():
            if step >= done and reached[name] is None:
                reached[name] = when
    return dates


def step_dates_of(concerns) -> dict[int, dict[str, object]]:
    names = list(STEP_REACHED_AT.values())
    return {
        row["id"]: {name: row[name] for name in names}
        for row in Concern.objects.filter(pk__in=concerns).values("id", *names)
    }


def answer_criteria(concern, by, **answers):
    """Answer the UKCIS immediate-referral questions the DSL is asked (each "no" unless
    given), as the referral page does; a concern that asks none is returned as it is."""
    from concerns import rules

    if not rules.asks_criteria(concern):
        return concern
    asked = {c.key: answers.get(c.key, "no") for c in rules.criteria(concern) if c.asked}
    return services.concern_assess_criteria(
        concern=concern,
        by=by,
        version=concern.version,
        answers=asked,
        reason="" if concern.criteria_assessed_at is None else "Answers corrected",
    )


def pdf_file(text: str = "Completed body map", *, change=None, **save) -> bytes:
    """A one-page PDF of text, as any word processor saves a letter. `change(pdf, page)` adds
    to it before it is saved (a picture, an action); `save` goes to pikepdf's save."""
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(595, 842))
    font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
    )
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = pdf.make_stream(f"BT /F1 12 Tf 72 770 Td ({text}) Tj ET".encode())
    if change:
        change(pdf, page)
    buffer = io.BytesIO()
    # Same bytes on every run, unless encrypted, which needs a random ID.
    pdf.save(buffer, deterministic_id="encryption" not in save, **save)
    return buffer.getvalue()
