"""Test data. Concerns are made through the real services, so they carry real history."""

import datetime

import factory
from django.utils import timezone

from concerns import services
from concerns.models import Agency, Category, ChildRole, DiscloserType
from referrals.models import Consent, Method
from referrals.services import referral_record
from schools.models import Boarding, Gender, Membership, Pupil, School, User

PASSWORD = "a-long-test-password"


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


def member(school, role, **user_fields) -> User:
    user = UserFactory(**user_fields)
    Membership.objects.create(user=user, school=school, role=role)
    return user


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
