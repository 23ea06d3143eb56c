"""The demo schools: a made-up register, demo logins, and concerns at every step.

Three schools: Hollybrook, a primary (Reception to Year 6) with the pupils of the DOMAIN.md
walkthrough; Larkmoor, a secondary with a sixth form (Years 7 to 13), whose concerns are in
`demo.secondary`; and a small "other" school, to show that one school sees nothing of
another's. Every concern goes through the services and so meets the rules they hold it to
(concerns/rules.py): the immediate-referral questions answered before deciding, social care
and the police where one is met, a ground and a countersignature for not referring.

`load_demo` builds them the way real use would (concerns through `concerns.services`, so
each carries its real history, then moved back in time) and is safe to run again: it finds
the demo schools by URN, pupils by UPN, accounts by e-mail, concerns by their account and
the school's own guidance card by its title, and adds only what is missing. Nothing here is
real: names are drawn at random from lists of common names, phone numbers are in Ofcom's
drama ranges (01632 960xxx, 07700 900xxx), e-mail addresses are at reserved example
domains, postcodes are in the unused DM area and the local authority number (999) belongs
to no authority.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Case, DateTimeField, F, Q, Value, When
from django.test.utils import override_settings
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from concerns import rules, services
from concerns.models import (
    STEP_REACHED_AT,
    AdviceGiven,
    Agency,
    Category,
    ChildRole,
    Concern,
    ConcernChild,
    DiscloserType,
    EvidenceItem,
    FollowUpAction,
    FollowUpKind,
    GuidanceCard,
    Note,
    NotReferGround,
    PracticeFlag,
    ReferralDecision,
    SupportAction,
    UnnamedChild,
    YesNoUnknown,
)
from referrals import services as referral_services
from referrals.models import PHONE_METHODS, Consent, Method, Referral
from safeguard.db import append_only_lifted, is_append_only
from schools.models import Boarding, Gender, HouseholdContact, Membership, Pupil, Role, School, User
from schools.policy import ALWAYS_SECOND_FACTOR, has_second_factor
from schools.pupil_import import upn_check_letter, upn_problem

DEFAULT_PASSWORD = "correct-horse-battery-staple"
# Demo logins whose role needs a second factor have an authenticator app with this published
# key (fictional data only): add it to any authenticator app, or run `manage.py demo_code`.
DEMO_TOTP_SECRET = "KRUGS4ZANFZSAYJAMRSW23ZAONQWMZLH"
# Year groups and dates of birth are those of the academic year starting in this September.
ACADEMIC_YEAR = 2026
SEED = 2026
# The register "arrived from the MIS" this long before the load, before any demo concern.
REGISTER_DAYS_AGO = 100
CHANGE_REASON = "Demo data loaded by manage.py load_demo"


# --- Schools -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolSpec:
    name: str
    urn: str
    address: str
    phone: str
    email: str
    establishment: str  # the 4 digits after the LA number in each pupil's UPN
    class_letters: tuple[str, ...]
    class_size: tuple[int, int]  # smallest and largest class
    town: str
    postcode_district: str
    streets: tuple[str, ...]
    # National curriculum years on roll (0 is Reception).
    years: tuple[int, ...] = tuple(range(7))
    # A sixth form's tutor groups and their sizes (Years 12 and 13), if it has one.
    sixth_form_letters: tuple[str, ...] = ()
    sixth_form_size: tuple[int, int] = (0, 0)
    # Some pupils from Year 3 up are weekly boarders (the DOMAIN.md girl is one).
    weekly_boarders: bool = True

    @property
    def phase(self) -> str:
        first, last = self.years[0], self.years[-1]
        if first >= 7:
            sixth = ", with a sixth form" if last >= 12 else ""
            return f"secondary, {year_group_name(first)} to {year_group_name(last)}{sixth}"
        return f"primary, {year_group_name(first)} to {year_group_name(last)}"

    def classes(self, nc_year: int) -> tuple[tuple[str, ...], tuple[int, int]]:
        """The classes (or tutor groups) of a year group, and how big each is."""
        if nc_year >= 12 and self.sixth_form_letters:
            return self.sixth_form_letters, self.sixth_form_size
        return self.class_letters, self.class_size


LOCAL_AUTHORITY = "Demoshire"
LA_NUMBER = "999"

HOLLYBROOK = SchoolSpec(
    name="Hollybrook Primary School",
    urn="990101",
    address="Holly Lane\nHollybrook\nDemoshire\nDM4 1HB",
    phone="01632 960100",
    email="office@hollybrook.example",
    establishment="2101",
    class_letters=("B", "W"),
    class_size=(20, 23),
    town="Hollybrook",
    postcode_district="DM4",
    streets=(
        "Holly Lane",
        "Beech Road",
        "Orchard Close",
        "Millbrook Way",
        "Station Road",
        "Church Street",
        "Willow Crescent",
        "Kingfisher Drive",
        "Meadow View",
        "Priory Gardens",
        "Elm Grove",
        "Chapel Row",
        "Brookside",
        "Foxglove Way",
        "The Paddocks",
    ),
)
OTHER = SchoolSpec(
    name="Other Demo Academy",
    urn="990102",
    address="1 Mill Road\nOtterford\nDemoshire\nDM7 2RD",
    phone="01632 960200",
    email="office@otherdemo.example",
    establishment="4102",
    class_letters=("A",),
    class_size=(3, 3),
    town="Otterford",
    postcode_district="DM7",
    streets=("Mill Road", "Riverside Walk", "Heron Close", "Market Street", "Otter Lane"),
)
# A sample of a secondary's register (a real one has over a thousand pupils): enough to show
# every year group, the sixth form and the concerns of teenagers.
LARKMOOR = SchoolSpec(
    name="Larkmoor High School",
    urn="990103",
    address="Moor Lane\nLarkmoor\nDemoshire\nDM5 3LH",
    phone="01632 960300",
    email="office@larkmoor.example",
    establishment="4105",
    class_letters=("L", "M"),
    class_size=(6, 9),
    town="Larkmoor",
    postcode_district="DM5",
    streets=(
        "Moor Lane",
        "Skylark Road",
        "Heathfield Avenue",
        "Quarry Lane",
        "Bracken Close",
        "Tor View",
        "Old Mill Road",
        "Curlew Way",
        "Granite Terrace",
        "Peat Lane",
        "Lowfield Road",
        "Whinberry Close",
    ),
    years=tuple(range(7, 14)),
    sixth_form_letters=("S",),
    sixth_form_size=(7, 10),
    weekly_boarders=False,
)
# The secondary is drawn last, so that adding it changed no name in the other two registers.
SCHOOLS = (HOLLYBROOK, OTHER, LARKMOOR)


# --- Accounts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    job_title: str
    role: Role
    school: SchoolSpec
    phone: str


STAFF, DSL, DEPUTY, GOVERNOR, ADMIN, OTHER_DSL = PRIMARY_ACCOUNTS = (
    DemoAccount(
        "staff@demo.example", "Sam Staff", "Class teacher", Role.STAFF, HOLLYBROOK, "01632 960111"
    ),
    DemoAccount(
        "dsl@demo.example",
        "Dee Lead",
        "Designated safeguarding lead",
        Role.DSL,
        HOLLYBROOK,
        "01632 960112",
    ),
    DemoAccount(
        "deputy@demo.example",
        "Dev Deputy",
        "Deputy designated safeguarding lead",
        Role.DEPUTY_DSL,
        HOLLYBROOK,
        "01632 960113",
    ),
    DemoAccount(
        "governor@demo.example",
        "Gita Governor",
        "Safeguarding governor",
        Role.GOVERNOR,
        HOLLYBROOK,
        "",
    ),
    DemoAccount(
        "admin@demo.example",
        "Ash Admin",
        "School office manager",
        Role.SCHOOL_ADMIN,
        HOLLYBROOK,
        "01632 960110",
    ),
    DemoAccount(
        "dsl@other.example",
        "Olu Other",
        "Designated safeguarding lead",
        Role.DSL,
        OTHER,
        "01632 960212",
    ),
)
L_STAFF, L_DSL, L_DEPUTY, L_GOVERNOR, L_ADMIN = SECONDARY_ACCOUNTS = (
    DemoAccount(
        "staff@larkmoor.example",
        "Toni Tutor",
        "Form tutor (Year 11) and teacher of English",
        Role.STAFF,
        LARKMOOR,
        "01632 960311",
    ),
    DemoAccount(
        "dsl@larkmoor.example",
        "Lena Lead",
        "Assistant headteacher and designated safeguarding lead",
        Role.DSL,
        LARKMOOR,
        "01632 960312",
    ),
    DemoAccount(
        "deputy@larkmoor.example",
        "Dara Deputy",
        "Head of sixth form and deputy designated safeguarding lead",
        Role.DEPUTY_DSL,
        LARKMOOR,
        "01632 960313",
    ),
    DemoAccount(
        "governor@larkmoor.example",
        "Gus Governor",
        "Safeguarding governor",
        Role.GOVERNOR,
        LARKMOOR,
        "",
    ),
    DemoAccount(
        "admin@larkmoor.example",
        "Adi Admin",
        "School business manager",
        Role.SCHOOL_ADMIN,
        LARKMOOR,
        "01632 960310",
    ),
)
ACCOUNTS = (*PRIMARY_ACCOUNTS, *SECONDARY_ACCOUNTS)


# --- The register --------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


GIRLS = _words(
    "Olivia Amelia Isla Ava Ivy Freya Lily Florence Mia Willow Rosie Sophia Isabella Grace "
    "Daisy Sienna Poppy Elsie Emily Ella Evelyn Phoebe Evie Charlotte Harper Millie Matilda "
    "Ruby Maya Alice Layla Esme Ellie Lucy Erin Jessica Holly Megan Niamh Orla"
)
BOYS = _words(
    "Oliver George Noah Arthur Leo Oscar Harry Archie Jack Henry Charlie Freddie Theodore "
    "Thomas Alfie Jacob Finley Teddy Isaac Arlo William Joshua James Max Lucas Alexander Tommy "
    "Edward Harrison Ethan Reggie Jude Samuel Joseph Rory Dylan Callum Owen Rhys Ewan"
)
WOMEN = _words(
    "Sarah Emma Laura Claire Rebecca Gemma Hannah Rachel Kelly Nicola Amy Victoria Lauren "
    "Jennifer Katie Natalie Louise Stacey Joanne Michelle"
)
MEN = _words(
    "James David Daniel Mark Paul Christopher Matthew Andrew Richard Lee Craig Steven Michael "
    "Jonathan Ben Tom Gareth Liam Carl Adam"
)
# The walkthrough pupils' surnames are left out, so their names stay unique in the register.
SURNAMES = _words(
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
    "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Jackson Wood "
    "Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen "
    "James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook "
    "Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Marshall Anderson "
    "Simpson Ellis Adams Wilkinson Foster Chapman Powell Webb Rogers Gray Mason Hunt Campbell "
    "Matthews Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell Barker Fisher Stevens "
    "Jenkins Murray Dixon Harvey"
)
KNOWN_AS = {
    "Alexander": "Alex",
    "Thomas": "Tom",
    "Samuel": "Sam",
    "Joshua": "Josh",
    "Matilda": "Tilly",
    "Florence": "Flo",
    "Isabella": "Izzy",
    "Theodore": "Theo",
    "Frederick": "Freddie",
    "Jakub": "Kuba",
    "Muhammad": "Mo",
    "Tobiloba": "Tobi",
}


@dataclass(frozen=True)
class Background:
    """Names, ethnicity (school census wording) and first languages that go together."""

    weight: int
    ethnicity: str
    languages: tuple[str, ...]  # drawn with equal chances, so repeat a language to favour it
    surnames: tuple[str, ...] = SURNAMES
    girls: tuple[str, ...] = GIRLS
    boys: tuple[str, ...] = BOYS
    women: tuple[str, ...] = WOMEN
    men: tuple[str, ...] = MEN


BACKGROUNDS = (
    Background(60, "White - British", ("English",)),
    Background(3, "Mixed - White and Black Caribbean", ("English",)),
    Background(2, "Mixed - White and Asian", ("English",)),
    Background(1, "Information not yet obtained", ("English",)),
    Background(
        6,
        "White - Any other White background",
        ("Polish", "Polish", "English"),
        _words("Nowak Mazur Kaczmarek Wojcik Krawczyk Zajac Pawlak"),
        _words("Zofia Maja Lena Hanna Julia Zuzanna Alicja"),
        _words("Jakub Jan Filip Antoni Szymon Kacper Franciszek"),
        _words("Agnieszka Katarzyna Magdalena Anna Joanna Monika"),
        _words("Tomasz Piotr Marcin Pawel Krzysztof Michal"),
    ),
    Background(
        3,
        "White - Any other White background",
        ("Romanian", "Romanian", "English"),
        _words("Popescu Ionescu Popa Dumitru Stan Constantin"),
        _words("Maria Ioana Ana Elena Sofia Daria"),
        _words("Andrei Luca Matei David Stefan Rares"),
        _words("Mihaela Andreea Cristina Elena"),
        _words("Ion Alexandru Florin Mihai"),
    ),
    Background(
        7,
        "Asian or Asian British - Pakistani",
        ("Urdu", "Punjabi", "English", "English"),
        _words("Khan Hussain Ahmed Ali Iqbal Akhtar Mahmood Butt"),
        _words("Aisha Maryam Zainab Hafsa Fatima Khadija Inaya Hania"),
        _words("Muhammad Ibrahim Yusuf Zayn Musa Hamza Ayaan Rayyan"),
        _words("Saima Nadia Shazia Amina Rubina Sana"),
        _words("Imran Asif Tariq Kamran Adnan Bilal"),
    ),
    Background(
        5,
        "Asian or Asian British - Indian",
        ("Gujarati", "Punjabi", "English", "English"),
        _words("Patel Singh Sharma Shah Mistry Gill Sandhu"),
        _words("Priya Anaya Diya Saanvi Aarya Simran Navya"),
        _words("Arjun Rohan Aarav Dev Veer Krish Jai"),
        _words("Pooja Sunita Neha Kiran Anjali"),
        _words("Rajesh Sanjay Vikram Amit Harpreet"),
    ),
    Background(
        3,
        "Asian or Asian British - Bangladeshi",
        ("Bengali", "English"),
        _words("Rahman Miah Uddin Islam Hoque Chowdhury"),
        _words("Tasnim Ayesha Safa Nusrat Raisa"),
        _words("Raihan Zayan Ayan Tahmid Imran"),
        _words("Shirin Rokeya Nasima Farhana"),
        _words("Abdul Shahid Jamal Rashid"),
    ),
    Background(
        3,
        "Black or Black British - African",
        ("Yoruba", "Twi", "English", "English"),
        _words("Okafor Mensah Adeyemi Osei Boateng Adebayo"),
        _words("Amara Zara Grace Esther Abena Favour"),
        _words("Kofi David Daniel Samuel Tobiloba Kwame Emmanuel"),
        _words("Blessing Funmi Ama Comfort Ngozi"),
        _words("Kwame Tunde Yaw Chinedu Emeka"),
    ),
    Background(
        2,
        "Black or Black British - African",
        ("Somali", "Somali", "English"),
        _words("Mohamed Abdi Hassan Farah Warsame"),
        _words("Hodan Sagal Idil Ayaan"),
        _words("Abdirahman Mustafa Yusuf Hamza"),
        _words("Hodan Faadumo Sahra"),
        _words("Abdi Ahmed Omar"),
    ),
    Background(
        2,
        "Black or Black British - Caribbean",
        ("English",),
        _words("Campbell Francis Grant Reid Brown Williams Thomas"),
    ),
    Background(
        1,
        "Chinese",
        ("Cantonese", "Mandarin", "English"),
        _words("Chen Wong Li Zhang Liu Lam"),
        _words("Mia Emily Hannah Jasmine"),
        _words("Ethan Ryan Jayden Kai Lucas"),
        _words("Mei Ling Jenny Helen"),
        _words("Wei Jason Kevin Tony"),
    ),
)
SEN_NEEDS = (
    "Speech, language and communication needs",
    "Specific learning difficulty (dyslexia)",
    "Autism",
    "Social, emotional and mental health needs",
    "Moderate learning difficulty",
    "Hearing impairment",
    "Physical disability",
    "Attention deficit hyperactivity disorder",
)
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # letters used in the inward part of a postcode


@dataclass(frozen=True)
class WalkthroughPupil:
    first: str
    last: str
    date_of_birth: date
    boarding: str


# The DOMAIN.md case is recorded by the newcomer, in the browser; these are its children:
# a nine-year-old weekly boarder in Year 4 and two friends from her class.
WALKTHROUGH_CLASS = "4B"
WALKTHROUGH = (
    WalkthroughPupil("Amelia", "Hart", date(ACADEMIC_YEAR - 9, 9, 14), Boarding.WEEKLY),
    WalkthroughPupil("Bella", "Cole", date(ACADEMIC_YEAR - 9, 10, 30), Boarding.DAY),
    WalkthroughPupil("Chloe", "Dunn", date(ACADEMIC_YEAR - 8, 2, 3), Boarding.WEEKLY),
)
WALKTHROUGH_NAMES = {(w.first, w.last) for w in WALKTHROUGH}


def year_group_name(nc_year: int) -> str:
    return "Reception" if nc_year == 0 else f"Year {nc_year}"


def birth_range(nc_year: int) -> tuple[date, date]:
    """Dates of birth of a year group in ACADEMIC_YEAR (Reception: 4 on 1 September)."""
    return date(ACADEMIC_YEAR - 5 - nc_year, 9, 1), date(ACADEMIC_YEAR - 4 - nc_year, 8, 31)


@dataclass
class _Generator:
    """Draws the register. One per load, so both schools come from one seeded sequence."""

    rng: random.Random
    phones: list[int] = field(default_factory=list)
    emails: set[str] = field(default_factory=set)

    def __post_init__(self):
        # Every household contact gets its own number from the 1,000 in the drama range.
        self.phones = self.rng.sample(range(1000), 1000)

    def phone(self) -> str:
        return f"07700 900{self.phones.pop():03d}"

    def email(self, first: str, last: str) -> str:
        base = "".join(c for c in f"{first}.{last}".lower() if c.isalnum() or c == ".")
        email, n = f"{base}@example.com", 1
        while email in self.emails:
            n += 1
            email = f"{base}{n}@example.com"
        self.emails.add(email)
        return email

    def address(self, spec: SchoolSpec) -> str:
        rng = self.rng
        inward = f"{rng.randint(1, 9)}{rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}"
        return (
            f"{rng.randint(1, 120)} {rng.choice(spec.streets)}\n{spec.town}\n{LOCAL_AUTHORITY}\n"
            f"{spec.postcode_district} {inward}"
        )

    def register(self, spec: SchoolSpec) -> list[tuple[Pupil, list[HouseholdContact]]]:
        """Every pupil of the school with their contacts, unsaved, in UPN order."""
        register = []
        names: set[tuple[str, str]] = set(WALKTHROUGH_NAMES)
        for nc_year in spec.years:
            serial = 0
            letters, size = spec.classes(nc_year)
            for letter in letters:
                class_name = f"{'R' if nc_year == 0 else nc_year}{letter}"
                fixed = (
                    list(WALKTHROUGH)
                    if spec is HOLLYBROOK and class_name == WALKTHROUGH_CLASS
                    else []
                )
                for place in range(self.rng.randint(*size)):
                    serial += 1
                    entry_year = (ACADEMIC_YEAR - nc_year) % 100  # issued on entering Reception
                    upn_body = f"{LA_NUMBER}{spec.establishment}{entry_year:02d}{serial:03d}"
                    upn = upn_check_letter(upn_body) + upn_body
                    assert upn_problem(upn) is None, upn
                    walkthrough = fixed[place] if place < len(fixed) else None
                    register.append(self.pupil(spec, nc_year, class_name, upn, names, walkthrough))
        return register

    def pupil(
        self,
        spec: SchoolSpec,
        nc_year: int,
        class_name: str,
        upn: str,
        names: set[tuple[str, str]],
        walkthrough: WalkthroughPupil | None,
    ) -> tuple[Pupil, list[HouseholdContact]]:
        rng = self.rng
        background = rng.choices(BACKGROUNDS, weights=[b.weight for b in BACKGROUNDS])[0]
        roll = rng.random()
        gender = Gender.FEMALE if roll < 0.49 else Gender.MALE if roll < 0.985 else Gender.OTHER
        first_names = {
            Gender.FEMALE: background.girls,
            Gender.MALE: background.boys,
            Gender.OTHER: [*background.girls, *background.boys],
        }[gender]
        while True:
            first, last = rng.choice(first_names), rng.choice(background.surnames)
            if (first, last) not in names:
                break
        earliest, latest = birth_range(nc_year)
        born = earliest + timedelta(days=rng.randrange((latest - earliest).days + 1))
        weekly = spec.weekly_boarders and nc_year >= 3 and rng.random() < 0.12
        boarding = Boarding.WEEKLY if weekly else Boarding.DAY
        sen = rng.random() < 0.13
        known_as = KNOWN_AS[first] if first in KNOWN_AS and rng.random() < 0.4 else ""
        # A few children are known by a step-parent's surname.
        known_by = rng.choice(background.surnames) if rng.random() < 0.02 else ""
        if walkthrough:
            background, gender = BACKGROUNDS[0], Gender.FEMALE
            first, last, known_as, known_by = walkthrough.first, walkthrough.last, "", ""
            born, boarding, sen = walkthrough.date_of_birth, walkthrough.boarding, False
        names.add((first, last))
        address = self.address(spec)
        pupil = Pupil(
            upn=upn,
            legal_first_name=first,
            legal_last_name=last,
            preferred_first_name=known_as,
            preferred_last_name=known_by,
            date_of_birth=born,
            gender=gender,
            year_group=year_group_name(nc_year),
            class_name=class_name,
            boarding=boarding,
            first_language=rng.choice(background.languages),
            ethnicity=background.ethnicity,
            sen_disability=sen,
            sen_details=rng.choice(SEN_NEEDS) if sen else "",
            address=address,
        )
        return pupil, self.household(spec, background, last, address, walkthrough is not None)

    def household(
        self,
        spec: SchoolSpec,
        background: Background,
        surname: str,
        address: str,
        two_parents: bool,
    ) -> list[HouseholdContact]:
        rng = self.rng

        def adult(relationship, names, *, responsibility=True, lives_with=True, elsewhere=False):
            first = rng.choice(names)
            last = surname if rng.random() < 0.8 else rng.choice(background.surnames)
            return HouseholdContact(
                name=f"{first} {last}",
                relationship=relationship,
                phone=self.phone(),
                email=self.email(first, last),
                address=self.address(spec) if elsewhere else address,
                parental_responsibility=responsibility,
                lives_with_child=lives_with,
            )

        roll = 0.0 if two_parents else rng.random()
        mother = ("Mother", background.women)
        father = ("Father", background.men)
        if roll < 0.6:  # both parents at home; either may be the first contact
            first, second = (mother, father) if rng.random() < 0.75 else (father, mother)
            contacts = [adult(*first), adult(*second)]
        elif roll < 0.82:  # one parent
            contacts = [adult(*mother) if rng.random() < 0.85 else adult(*father)]
        elif roll < 0.94:  # separated, both with parental responsibility
            contacts = [adult(*mother), adult(*father, lives_with=False, elsewhere=True)]
        else:  # kinship carers
            contacts = [adult("Grandmother", background.women, responsibility=False)]
            if rng.random() < 0.5:
                contacts.append(adult("Grandfather", background.men, responsibility=False))
        for priority, contact in enumerate(contacts, start=1):
            contact.priority = priority
        return contacts


# --- Loading -------------------------------------------------------------------------------


@dataclass
class Tally:
    created: int = 0
    present: int = 0


@dataclass
class DemoResult:
    schools: Tally = field(default_factory=Tally)
    pupils: Tally = field(default_factory=Tally)
    contacts: Tally = field(default_factory=Tally)
    accounts: Tally = field(default_factory=Tally)
    memberships: Tally = field(default_factory=Tally)
    concerns: Tally = field(default_factory=Tally)
    guidance_cards: Tally = field(default_factory=Tally)
    # Accounts whose password, active flag or demo role had to be put back.
    accounts_reset: list[str] = field(default_factory=list)
    walkthrough: list[Pupil] = field(default_factory=list)

    def tallies(self) -> dict[str, Tally]:
        return {
            "Schools": self.schools,
            "Pupils": self.pupils,
            "Household contacts": self.contacts,
            "Accounts": self.accounts,
            "School memberships": self.memberships,
            "Concerns": self.concerns,
            "Guidance cards": self.guidance_cards,
        }


# Demo concerns are back-dated and fictional: their "new concern" alerts must e-mail no one.
# The dummy backend keeps queued tasks in memory and never runs them.
_NO_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def load_demo(*, password: str = DEFAULT_PASSWORD) -> DemoResult:
    """Create whatever is missing of the demo schools, logins and concerns.

    Call it outside any transaction: the alerts the services queue when a concern is
    recorded are dropped only if the load commits before this function returns.
    """
    with override_settings(TASKS=_NO_TASKS):
        return _load(password=password)


@transaction.atomic
def _load(*, password: str) -> DemoResult:
    now = timezone.now()
    register_at = now - timedelta(days=REGISTER_DAYS_AGO)
    result = DemoResult()
    generator = _Generator(random.Random(SEED))
    schools = {}
    for spec in SCHOOLS:
        school = _school(spec, result, register_at=register_at)
        # Drawn every time, even when present, so the sequence (and every name) never shifts.
        _load_register(school, generator.register(spec), result, register_at=register_at)
        schools[spec.urn] = school
    users = _accounts(schools, password, result, register_at=register_at)

    pupils = {
        urn: list(Pupil.objects.filter(school=school).prefetch_related("contacts").order_by("upn"))
        for urn, school in schools.items()
    }
    result.walkthrough = [
        next(
            p
            for p in pupils[HOLLYBROOK.urn]
            if (p.legal_first_name, p.legal_last_name) == (w.first, w.last)
        )
        for w in WALKTHROUGH
    ]
    demo = _Demo(now=now, schools=schools, users=users, pupils=pupils, result=result)
    # The school's own guidance card comes first: it shows on every concern after it.
    _local_contacts_card(demo)
    for story in stories():
        story(demo)
    demo.timeline.backdate()
    return result


def _school(spec: SchoolSpec, result: DemoResult, *, register_at: datetime) -> School:
    school = School.objects.filter(urn=spec.urn).first()
    if school is not None:
        result.schools.present += 1
        return school
    school = School(
        name=spec.name,
        urn=spec.urn,
        address=spec.address,
        phone=spec.phone,
        email=spec.email,
        local_authority=LOCAL_AUTHORITY,
    )
    bulk_create_with_history(
        [school], School, default_change_reason=CHANGE_REASON, default_date=register_at
    )
    result.schools.created += 1
    return school


def _load_register(
    school: School,
    register: list[tuple[Pupil, list[HouseholdContact]]],
    result: DemoResult,
    *,
    register_at: datetime,
) -> None:
    """Add the pupils and contacts that are missing, each with a creation history row."""
    existing = dict(Pupil.objects.filter(school=school).values_list("upn", "pk"))
    new = [pupil for pupil, _ in register if pupil.upn not in existing]
    for pupil in new:
        pupil.school = school
    bulk_create_with_history(
        new, Pupil, default_change_reason=CHANGE_REASON, default_date=register_at
    )
    result.pupils.created += len(new)
    result.pupils.present += len(register) - len(new)

    pupil_ids = existing | {pupil.upn: pupil.pk for pupil in new}
    have = set(
        HouseholdContact.objects.filter(pupil__school=school).values_list("pupil_id", "priority")
    )
    contacts = []
    for pupil, household in register:
        for contact in household:
            contact.pupil_id = pupil_ids[pupil.upn]
            if (contact.pupil_id, contact.priority) in have:
                result.contacts.present += 1
            else:
                contacts.append(contact)
    bulk_create_with_history(
        contacts, HouseholdContact, default_change_reason=CHANGE_REASON, default_date=register_at
    )
    result.contacts.created += len(contacts)


class _SharedPassword:
    """The demo password, hashed once for all the demo accounts.

    Hashing is slow on purpose (about half a second), and `make run` loads the demo on every
    start; one salt for six accounts whose password is printed anyway costs nothing.
    """

    def __init__(self, raw: str):
        self.raw = raw
        self._hash = ""
        self._verified: set[str] = set()

    def hash(self) -> str:
        if not self._hash:
            self._hash = make_password(self.raw)
            self._verified.add(self._hash)
        return self._hash

    def works_for(self, user: User) -> bool:
        if user.password in self._verified:
            return True
        if user.check_password(self.raw):
            self._verified.add(user.password)
            return True
        return False


def _accounts(
    schools: dict[str, School], password: str, result: DemoResult, *, register_at: datetime
) -> dict[DemoAccount, User]:
    """Create the demo logins, or put back the password, access and role of existing ones."""
    shared = _SharedPassword(password)
    users = {}
    for account in ACCOUNTS:
        user, put_back = _account(account, shared, result, register_at=register_at)
        school = schools[account.school.urn]
        put_back |= _membership(user, school, account.role, result, register_at=register_at)
        _second_factor(user, account.role)
        if put_back:
            result.accounts_reset.append(account.email)
        users[account] = user
    return users


def _account(
    account: DemoAccount, shared: _SharedPassword, result: DemoResult, *, register_at: datetime
) -> tuple[User, bool]:
    """The account's user, and whether anything of an existing one had to be put back."""
    user = User.objects.filter(email__iexact=account.email).first()
    if user is None:
        user = User.objects.create_user(
            account.email,
            None,  # set below, to the shared hash
            full_name=account.full_name,
            job_title=account.job_title,
            phone=account.phone,
            date_joined=register_at,
        )
        user.password = shared.hash()
        user.save(update_fields=["password"])
        result.accounts.created += 1
        return user, False
    result.accounts.present += 1
    # Checked before anything is written, so that a second run changes nothing.
    changed = []
    if not shared.works_for(user):
        user.password = shared.hash()
        changed.append("password")
    if not user.is_active:
        user.is_active = True
        changed.append("is_active")
    if changed:
        user.save(update_fields=changed)
    return user, bool(changed)


def _second_factor(user: User, role: Role) -> None:
    """Give a demo login whose role needs one the demo authenticator app, unless it has one."""
    if role not in ALWAYS_SECOND_FACTOR.roles or has_second_factor(user):
        return
    TOTP.activate(user, DEMO_TOTP_SECRET)


def _membership(
    user: User, school: School, role: Role, result: DemoResult, *, register_at: datetime
) -> bool:
    """Give the user their demo role at the school; True if an existing role was put back."""
    membership = Membership.objects.filter(user=user, school=school).first()
    if membership is None:
        bulk_create_with_history(
            [Membership(user=user, school=school, role=role)],
            Membership,
            default_change_reason=CHANGE_REASON,
            default_date=register_at,
        )
        result.memberships.created += 1
        return False
    result.memberships.present += 1
    if membership.role == role:
        return False
    membership.role = role
    membership._change_reason = "Demo role put back by manage.py load_demo"
    membership.save(update_fields=["role"])
    return True


# --- Concerns ------------------------------------------------------------------------------

# What the services stamp with the current time, per model, and the path to its concern.
# (A concern's step dates are not in its history rows: only the columns each table has are
# moved.)
_STAMPED = (
    (
        Concern,
        "id",
        (
            "recorded_at",
            "closed_at",
            "acknowledged_at",
            "criteria_assessed_at",
            "countersigned_at",
            *STEP_REACHED_AT.values(),
        ),
    ),
    (ConcernChild, "concern", ("added_at", "safety_checked_at")),
    (UnnamedChild, "concern", ("added_at", "resolved_at")),
    (EvidenceItem, "concern", ("added_at",)),
    (AdviceGiven, "concern", ("recorded_at",)),
    (PracticeFlag, "concern", ("raised_at", "reviewed_at")),
    (SupportAction, "child__concern", ("added_at",)),
    (FollowUpAction, "concern", ("added_at",)),
    (Note, "concern", ("added_at",)),
    (Referral, "concern", ("recorded_at",)),
)


def _columns_of(model) -> set[str]:
    return {f.attname for f in model._meta.concrete_fields}


@dataclass
class _Timeline:
    """When each service call really ran, and when the demo says it happened.

    The services take no "now": they stamp the moment they run, as real use needs. The load
    makes its calls one after another, so a time stamped at or after the start of call i, and
    before the start of the next, was stamped by call i; `backdate` moves it to call i's
    demo time, in the rows and in their history, with one UPDATE per table.
    """

    calls: list[tuple[datetime, datetime]] = field(default_factory=list)  # (ran, happened)
    concern_ids: list[int] = field(default_factory=list)
    # The schools' own guidance cards, whose only time is that of their history rows.
    card_ids: list[int] = field(default_factory=list)

    def run(self, when: datetime, service: Callable, **kwargs):
        self.calls.append((timezone.now(), when))
        return service(**kwargs)

    def backdate(self) -> None:
        if not self.calls:
            return
        first_call = self.calls[0][0]

        def moved(column: str) -> Case:
            return Case(
                *(
                    When(**{f"{column}__gte": ran}, then=Value(when, DateTimeField()))
                    for ran, when in reversed(self.calls)
                ),
                default=F(column),
            )

        targets = [
            (model, Q(**{f"{to_concern}__in": self.concern_ids}), stamps)
            for model, to_concern, stamps in _STAMPED
        ]
        targets.append((GuidanceCard, Q(id__in=self.card_ids), ()))
        # History and notes are append-only; the demo's made-up past is the one rewrite
        # allowed, by the tables' owner (load_demo connects as it: settings.OWNER_COMMANDS).
        rewritten = {model.history.model for model, _, _ in targets} | {
            model for model, _, _ in targets if is_append_only(model)
        }
        with append_only_lifted(*sorted(rewritten, key=lambda model: model._meta.db_table)):
            self._move(targets, first_call, moved)

    def _move(self, targets, first_call: datetime, moved: Callable) -> None:
        for model, which, stamps in targets:
            history = _columns_of(model.history.model)
            for rows, columns in (
                (model.objects, stamps),
                (model.history, (*(c for c in stamps if c in history), "history_date")),
            ):
                if not columns:
                    continue
                stamped = Q()
                for column in columns:
                    stamped |= Q(**{f"{column}__gte": first_call})
                rows.filter(stamped, which).update(**{column: moved(column) for column in columns})


def _days(n: float) -> timedelta:
    return timedelta(days=n)


def _hours(n: float) -> timedelta:
    return timedelta(hours=n)


def _minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def _next_weekday(moment: datetime) -> datetime:
    while moment.weekday() >= 5:
        moment += _days(1)
    return moment


@dataclass
class _Demo:
    now: datetime
    schools: dict[str, School]
    users: dict[DemoAccount, User]
    pupils: dict[str, list[Pupil]]
    result: DemoResult
    timeline: _Timeline = field(default_factory=_Timeline)
    # Who acknowledges (the first) and who is given new concerns, by school URN.
    dsl_team_by_school: dict[str, list[DemoAccount]] = field(
        default_factory=lambda: {
            HOLLYBROOK.urn: [DSL, DEPUTY],
            OTHER.urn: [OTHER_DSL],
            LARKMOOR.urn: [L_DSL, L_DEPUTY],
        }
    )

    def pupil(
        self,
        school: SchoolSpec,
        class_name: str,
        gender: str,
        nth: int = 0,
        *,
        mother: bool = False,
        other_than: Pupil | None = None,
        where: Callable[[Pupil], bool] | None = None,
    ) -> Pupil:
        """The nth pupil (in UPN order) of that class and gender, never a walkthrough pupil.

        `class_name`: a class ("4B") or a whole year group ("Year 10"). `mother`: only a pupil
        whose first contact is their mother. `where`: only a pupil it is true of.
        """
        return [
            p
            for p in self.pupils[school.urn]
            if class_name in (p.class_name, p.year_group)
            and p.gender == gender
            and (p.legal_first_name, p.legal_last_name) not in WALKTHROUGH_NAMES
            and (not mother or p.contacts.all()[0].relationship == "Mother")
            and p != other_than
            and (where is None or where(p))
        ][nth]

    def choose(
        self,
        school: SchoolSpec,
        gender: str,
        *,
        where: Callable[[Pupil], bool],
        prefer: Callable[[Pupil], object] = lambda pupil: 0,
    ) -> Pupil:
        """The pupil of that gender `where` is true of, the lowest by `prefer` first, then in
        UPN order; never a walkthrough pupil. For a child of a given age on a day that moves
        with the date of the load, where a fixed place in a class would not always do."""
        found = [
            p
            for p in self.pupils[school.urn]
            if p.gender == gender
            and (p.legal_first_name, p.legal_last_name) not in WALKTHROUGH_NAMES
            and where(p)
        ]
        return min(found, key=prefer)

    def school_day(self, days_ago: int, at: time) -> datetime:
        """`at` on the school day `days_ago` days back (or the one before), safely in the past."""
        day = timezone.localdate(self.now) - _days(days_ago)
        while True:
            if day.weekday() < 5:
                moment = timezone.make_aware(datetime.combine(day, at))
                if moment <= self.now - _minutes(15):
                    return moment
            day -= _days(1)

    def record(
        self,
        *,
        school: SchoolSpec,
        days_ago: int,
        at: time,
        reporter: DemoAccount,
        children: list[tuple[Pupil, str]],
        categories: list[str],
        account: str,
        location: str,
        disclosed_before: timedelta = timedelta(minutes=20),
        discloser_type: str = DiscloserType.CHILD,
        discloser_name: str = "",
        discloser_relationship: str = "",
        adult_involved: str = YesNoUnknown.UNKNOWN,
        parent_wishes: str = "",
        immediate_danger: bool = False,
        other_children: str = "",
        unnamed_children: tuple[str, ...] = (),
    ) -> "_Story | None":
        """Record the concern as if at that time; None if the demo already has it.

        `other_children` is "yes" when other children are named or described, otherwise
        "no", unless given (say "unknown" while nobody knows yet).
        """
        found = self.schools[school.urn]
        if Concern.objects.filter(school=found, account=account).exists():
            self.result.concerns.present += 1
            return None
        if not other_children:
            others = len(children) > 1 or unnamed_children
            other_children = YesNoUnknown.YES if others else YesNoUnknown.NO
        start = self.school_day(days_ago, at)
        concern = self.timeline.run(
            start,
            services.concern_record,
            school=found,
            reporter=self.users[reporter],
            discloser_type=discloser_type,
            discloser_name=discloser_name,
            discloser_relationship=discloser_relationship,
            disclosed_at=start - disclosed_before,
            location=location,
            account=account,
            categories=list(Category.objects.filter(school=None, slug__in=categories)),
            children=[services.ChildInput(pupil=pupil, role=role) for pupil, role in children],
            adult_involved=adult_involved,
            parent_wishes=parent_wishes,
            immediate_danger=immediate_danger,
            other_children=other_children,
            unnamed_children=list(unnamed_children),
        )
        self.timeline.concern_ids.append(concern.pk)
        self.result.concerns.created += 1
        story = _Story(self, concern.pk, start)
        # The DSL team picks up each concern within the hour; the last two days' concerns are
        # left waiting, so the triage queue has something new to show.
        if days_ago >= 2 and school.urn in self.dsl_team_by_school:
            team = self.dsl_team_by_school[school.urn]
            assignee = team[len(self.timeline.concern_ids) % len(team)]
            story._run(
                _minutes(35),
                services.concern_assign,
                concern=story._concern(),
                by=self.users[team[0]],
                assignee=self.users[assignee],
            )
        return story

    def guidance_card(self, *, school: SchoolSpec, by: DemoAccount, days_ago: int, **card) -> None:
        """One of the school's own guidance cards (found by its title), as if added then."""
        found = self.schools[school.urn]
        if GuidanceCard.objects.filter(school=found, title=card["title"]).exists():
            self.result.guidance_cards.present += 1
            return
        saved = self.timeline.run(
            self.school_day(days_ago, time(16, 0)),
            services.guidance_card_save,
            school=found,
            by=self.users[by],
            **card,
        )
        self.timeline.card_ids.append(saved.pk)
        self.result.guidance_cards.created += 1


def _safe(notes: str, spoken_to: str) -> dict:
    """A child safe now: who has spoken to them about it and why, and what was checked."""
    return {"safe_now": True, "notes": notes, "spoken_to": spoken_to}


@dataclass
class _Story:
    """One demo concern taken through its steps, each as if done `after` it was recorded."""

    demo: _Demo
    concern_id: int
    start: datetime
    last: datetime = field(init=False)  # the time of the latest step so far

    def __post_init__(self):
        self.last = self.start

    def _at(self, after: timedelta) -> datetime:
        """When a step done `after` the recording happened: a weekday, in order, in the past."""
        when = min(_next_weekday(self.start + after), self.demo.now - _minutes(5))
        return max(when, self.last)

    def _run(self, after: timedelta, service: Callable, **kwargs):
        self.last = when = self._at(after)
        return self.demo.timeline.run(when, service, **kwargs)

    def _concern(self) -> Concern:
        return Concern.objects.get(pk=self.concern_id)

    def _children(self) -> list[ConcernChild]:
        return list(
            ConcernChild.objects.filter(concern_id=self.concern_id).order_by("added_at", "pk")
        )

    def check_safety(self, after: timedelta, by: DemoAccount, checks: list[dict]) -> None:
        concern = self._concern()
        inputs = [
            services.SafetyCheckInput(child=child, **check)
            for child, check in zip(self._children(), checks, strict=True)
        ]
        self._run(
            after,
            services.concern_check_safety,
            concern=concern,
            by=self.demo.users[by],
            version=concern.version,
            checks=inputs,
        )

    def add_child(
        self, after: timedelta, by: DemoAccount, pupil: Pupil, role: str, check: dict
    ) -> None:
        self._run(
            after,
            services.concern_add_child,
            concern=self._concern(),
            by=self.demo.users[by],
            pupil=pupil,
            role=role,
            safety=services.SafetyCheckInput(**check),
        )

    def identify(
        self, after: timedelta, by: DemoAccount, pupil: Pupil, role: str, check: dict
    ) -> None:
        """The first child described but not yet identified is named from the register."""
        unnamed = UnnamedChild.objects.filter(
            concern_id=self.concern_id, identified_as=None, passed_to=""
        ).first()
        self._run(
            after,
            services.unnamed_child_identify,
            unnamed=unnamed,
            by=self.demo.users[by],
            pupil=pupil,
            role=role,
            safety=services.SafetyCheckInput(**check),
        )

    def pass_on(self, after: timedelta, by: DemoAccount, *, passed_to: str) -> None:
        """What is known of the first child not yet identified is passed to social care or
        the police, whose job it is to establish who they are."""
        unnamed = UnnamedChild.objects.filter(
            concern_id=self.concern_id, identified_as=None, passed_to=""
        ).first()
        self._run(
            after,
            services.unnamed_child_pass_on,
            unnamed=unnamed,
            by=self.demo.users[by],
            passed_to=passed_to,
            passed_at=self._at(after),
        )

    def note(self, after: timedelta, by: DemoAccount, text: str) -> None:
        self._run(
            after,
            services.concern_add_note,
            concern=self._concern(),
            author=self.demo.users[by],
            text=text,
        )

    def review_flags(self, after: timedelta, by: DemoAccount, notes: str) -> None:
        for flag in PracticeFlag.objects.filter(concern_id=self.concern_id, reviewed_at=None):
            self._run(
                after, services.practice_flag_review, flag=flag, by=self.demo.users[by], notes=notes
            )

    def evidence(self, after: timedelta, by: DemoAccount, **item) -> None:
        self._run(
            after,
            services.evidence_item_add,
            concern=self._concern(),
            by=self.demo.users[by],
            **item,
        )

    def advice(
        self,
        after: timedelta,
        by: DemoAccount,
        card: str,
        *,
        given_to: str,
        given_after: timedelta,
        notes: str = "",
    ) -> None:
        """Record that a national guidance card's advice was given (by `by`, in person)."""
        self._run(
            after,
            services.advice_record,
            concern=self._concern(),
            by=self.demo.users[by],
            card=GuidanceCard.objects.get(school=None, key=card),
            given_by=by.full_name,
            given_to=given_to,
            given_at=self.start + given_after,
            notes=notes,
        )

    def preserve_evidence(
        self,
        after: timedelta,
        by: DemoAccount,
        *,
        advice_to: str,
        advice_after: timedelta,
        no_evidence_reason: str = "",
        payment_made: str = "",
        payment_details: str = "",
    ) -> None:
        concern = self._concern()
        self._run(
            after,
            services.concern_preserve_evidence,
            concern=concern,
            by=self.demo.users[by],
            version=concern.version,
            advice_given_by=by.full_name,
            advice_given_to=advice_to,
            advice_given_at=self.start + advice_after,
            no_evidence_reason=no_evidence_reason,
            payment_made=payment_made,
            payment_details=payment_details,
        )

    def assess_criteria(
        self, after: timedelta, by: DemoAccount, *, notes: str = "", **answers: str
    ) -> None:
        """Answer the immediate-referral questions the app asks of this concern (each one not
        given is answered "no"); the app answers the others from what it holds."""
        concern = self._concern()
        asked = {c.key: answers.get(c.key, YesNoUnknown.NO) for c in rules.criteria(concern)}
        self._run(
            after,
            services.concern_assess_criteria,
            concern=concern,
            by=self.demo.users[by],
            version=concern.version,
            answers={key: answer for key, answer in asked.items() if key in rules.ASKED_FIELDS},
            notes=notes,
        )

    def refer(
        self,
        after: timedelta,
        by: DemoAccount,
        *,
        agencies: list[str],
        rationale: str,
        consent: str = Consent.GIVEN,
        consent_reason: str = "",
        methods: dict[str, str] | None = None,
        agency_names: dict[str, str] | None = None,
    ) -> None:
        # One referral per agency, minutes apart, then the decision that completes the step.
        methods, agency_names = methods or {}, agency_names or {}
        for minutes, agency in enumerate(agencies):
            default = Method.PORTAL if agency in (Agency.EARLY_HELP, Agency.OTHER) else Method.PHONE
            method = methods.get(agency, default)
            self._run(
                after + _minutes(minutes * 20),
                referral_services.referral_record,
                concern=self._concern(),
                by=self.demo.users[by],
                agency=agency,
                made_at=self._at(after + _minutes(minutes * 20)),
                method=method,
                agency_name=agency_names.get(agency, ""),
                contact_name="Duty officer",
                agency_reference=f"DEMO-{agency.upper()[:3]}-{self._concern().pk:04d}",
                children=self._children(),
                parents_aware=True,
                consent=consent,
                consent_reason=consent_reason,
                risk_view=rationale,
                urgent=agency == Agency.SOCIAL_CARE and method in PHONE_METHODS,
            )
        self._decide(
            after + _minutes(len(agencies) * 20),
            by,
            decision=ReferralDecision.REFER,
            rationale=rationale,
        )

    def do_not_refer(
        self, after: timedelta, by: DemoAccount, *, rationale: str, ground: "_NotReferring"
    ) -> None:
        self._decide(
            after,
            by,
            decision=ReferralDecision.NOT_REFER,
            rationale=rationale,
            not_referring=ground.grounds(self, decided=self._at(after)),
        )

    def _decide(self, after, by, *, decision, rationale, not_referring=None) -> None:
        concern = self._concern()
        self._run(
            after,
            services.concern_decide_referral,
            concern=concern,
            by=self.demo.users[by],
            version=concern.version,
            decision=decision,
            rationale=rationale,
            police_not_told_reason="",
            parents_informed=True,
            parents_not_informed_reason="",
            not_referring=not_referring,
        )

    def countersign(self, after: timedelta, by: DemoAccount, reason: str) -> None:
        concern = self._concern()
        self._run(
            after,
            services.concern_countersign,
            concern=concern,
            by=self.demo.users[by],
            version=concern.version,
            reason=reason,
        )

    def support(
        self,
        after: timedelta,
        by: DemoAccount,
        child: int,
        action: str,
        owner: str,
        review_in: timedelta,
    ) -> None:
        self._run(
            after,
            services.support_action_add,
            concern=self._concern(),
            by=self.demo.users[by],
            child=self._children()[child],
            action=action,
            owner=owner,
            review_date=timezone.localdate(self.start + after + review_in),
        )

    def follow_up(
        self,
        after: timedelta,
        by: DemoAccount,
        kind: str,
        description: str,
        owner: str,
        due_in: timedelta,
    ) -> None:
        self._run(
            after,
            services.follow_up_add,
            concern=self._concern(),
            by=self.demo.users[by],
            kind=kind,
            description=description,
            owner=owner,
            due_date=timezone.localdate(self.start + after + due_in),
        )

    def plan_support(
        self, after: timedelta, by: DemoAccount, no_follow_up_reason: str = ""
    ) -> None:
        concern = self._concern()
        self._run(
            after,
            services.concern_plan_support,
            concern=concern,
            by=self.demo.users[by],
            version=concern.version,
            no_follow_up_reason=no_follow_up_reason,
        )

    def close(self, after: timedelta, by: DemoAccount, outcome: str) -> None:
        concern = self._concern()
        self._run(
            after,
            services.concern_close,
            concern=concern,
            by=self.demo.users[by],
            version=concern.version,
            outcome_summary=outcome,
        )


@dataclass(frozen=True)
class _NotReferring:
    """A ground for not referring, with times counted from the concern's recording.

    ADVICE: `contact` gave `advice` `contact_after` the recording. THRESHOLD: the
    `threshold_level` is not met, `advice` says what happens instead, and the decision is
    reviewed `review_in` after the decision, or a week from the load if that would be past
    (the services accept only a review date to come). KNOWN: the child's social worker,
    `contact`, was told `contact_after` the recording.
    """

    ground: str
    contact: str = ""
    contact_after: timedelta | None = None
    advice: str = ""
    threshold_level: str = ""
    review_in: timedelta | None = None

    def grounds(self, story: _Story, *, decided: datetime) -> services.NotReferring:
        review_date = None
        if self.review_in is not None:
            review_date = max(
                timezone.localdate(decided + self.review_in),
                timezone.localdate(story.demo.now) + _days(7),
            )
        return services.NotReferring(
            ground=self.ground,
            contact=self.contact,
            contact_at=None if self.contact_after is None else story.start + self.contact_after,
            advice=self.advice,
            threshold_level=self.threshold_level,
            review_date=review_date,
        )


# Each story records one concern and takes it as far as its step. Accounts are written as
# staff would write them: the speaker's own words, no acronyms, and no names, so that a
# story's account identifies it whatever the register holds.

GIRL, BOY = Gender.FEMALE, Gender.MALE


def _immediate_danger(demo: _Demo) -> None:
    # Recorded, with immediate danger: top of the DSL's queue.
    demo.record(
        school=HOLLYBROOK,
        days_ago=0,
        at=time(13, 35),
        reporter=STAFF,
        children=[(demo.pupil(HOLLYBROOK, "5W", BOY), ChildRole.SUBJECT)],
        categories=["physical"],
        location="Playground, at the end of lunchtime (I was on duty)",
        disclosed_before=_minutes(15),
        adult_involved=YesNoUnknown.YES,
        immediate_danger=True,
        # Whether other children live with the boyfriend is not yet known.
        other_children=YesNoUnknown.UNKNOWN,
        account=(
            "At the end of lunchtime he came up to me on the playground and would not look at "
            "me. He said: \"My mum's boyfriend hit me with his belt last night because I spilled "
            "my drink on the sofa. He said if I tell anyone he'll do it again and worse. I don't "
            "want to go home tonight. He's picking me up today because Mum is on a late shift.\"\n"
            "I could see a red mark on the back of his neck, above his collar. I did not ask him "
            "to show me anything else and I did not ask him any more questions. I told him he had "
            "done the right thing by telling me and that I would have to pass it on to the people "
            "whose job it is to keep him safe."
        ),
    )


def _harsh_words_at_the_gate(demo: _Demo) -> None:
    demo.record(
        school=HOLLYBROOK,
        days_ago=1,
        at=time(9, 5),
        reporter=ADMIN,
        children=[(demo.pupil(HOLLYBROOK, "2B", GIRL), ChildRole.SUBJECT)],
        categories=["emotional"],
        location="School gate, morning drop-off",
        disclosed_before=_minutes(25),
        discloser_type=DiscloserType.STAFF_OBSERVATION,
        adult_involved=YesNoUnknown.YES,
        account=(
            'At drop-off this morning I heard her father shout at her at the gate: "You are '
            'useless. You are a waste of space. I wish you had never been born." She was crying. '
            "When he had gone she said to me: \"Daddy always says that when I'm too slow putting "
            "my shoes on. Mummy says don't make him cross.\"\n"
            "This is the third morning since half term that I have heard him speak to her like "
            "this at the gate."
        ),
    )


def _hungry_at_breakfast_club(demo: _Demo) -> None:
    story = demo.record(
        school=HOLLYBROOK,
        days_ago=4,
        at=time(9, 10),
        reporter=STAFF,
        children=[(demo.pupil(HOLLYBROOK, "1B", BOY), ChildRole.SUBJECT)],
        categories=["neglect"],
        location="Breakfast club, school hall",
        disclosed_before=_minutes(45),
        discloser_type=DiscloserType.STAFF_OBSERVATION,
        adult_involved=YesNoUnknown.YES,
        unnamed_children=(
            "His little sister, who he says is at home with their mother in the day; not a "
            "pupil here, age not known",
        ),
        account=(
            "He has come to school in the same clothes every day this week and they smell "
            "strongly of damp. At breakfast club this morning he ate three pieces of toast and "
            "asked if he could take one home \"for my little sister, because there's no food in "
            'the cupboard". There is a hole in the sole of his left shoe and his sock was wet '
            "through. When I asked him about home he said: \"Mummy's in bed a lot. I made my "
            "sister's cereal with water because the milk was all gone.\""
        ),
    )
    if story:
        story.check_safety(
            _hours(1.5),
            DSL,
            [
                _safe(
                    "In school all day. I spoke to his mother at home time: she said she has "
                    "been unwell and was tearful. She agreed to a free breakfast club place for "
                    "him from tomorrow and took a food bank voucher.",
                    spoken_to=(
                        "Only the breakfast club assistant, who listened when he asked to take "
                        "toast home and told him he had done nothing wrong."
                    ),
                )
            ],
        )
        story.note(
            _days(1),
            STAFF,
            "He came in today in clean clothes with a packed lunch. He told me his nan has "
            "come to stay with them for a while.",
        )


def _scratches_on_her_arm(demo: _Demo) -> None:
    story = demo.record(
        school=HOLLYBROOK,
        days_ago=8,
        at=time(11, 40),
        reporter=STAFF,
        children=[(demo.pupil(HOLLYBROOK, "6W", GIRL), ChildRole.SUBJECT)],
        categories=["self-harm"],
        location="Changing area by the hall, after a games lesson",
        adult_involved=YesNoUnknown.NO,
        account=(
            "When I asked the class to take their jumpers off for games she pulled her sleeves "
            "down and stayed at the back. Afterwards she waited until the others had gone and "
            'said: "I scratch my arms with the point of my compass when my head gets too loud. '
            "It makes me feel better for a bit. Please don't tell my mum, she's got enough going "
            'on with the baby."\n'
            "I saw thin red lines on her left forearm; they did not look infected. I told her I "
            "could not keep it a secret, but that I would only tell the people who need to know "
            "so that they can help her."
        ),
    )
    if story:
        story.check_safety(
            _hours(1),
            DEPUTY,
            [
                _safe(
                    "Seen by the school first aider, who cleaned the scratches. She agreed to "
                    "hand in her compass and to come to the pastoral room at lunchtime if she "
                    "feels the urge. I telephoned her mother, who is collecting her today and "
                    "will make an appointment with their doctor.",
                    spoken_to=(
                        "Her class teacher, who listened when she came to her after games. I "
                        "then saw her with the first aider, to make sure she was safe and to "
                        "agree a plan for today."
                    ),
                )
            ],
        )


def _dinner_money_in_the_toilets(demo: _Demo) -> None:
    story = demo.record(
        school=HOLLYBROOK,
        days_ago=12,
        at=time(15, 30),
        reporter=STAFF,
        children=[
            (demo.pupil(HOLLYBROOK, "5B", BOY, 0), ChildRole.SUBJECT),
            (demo.pupil(HOLLYBROOK, "5B", BOY, 1), ChildRole.ALLEGED_HARMER),
            (demo.pupil(HOLLYBROOK, "5B", GIRL, 0), ChildRole.WITNESS),
        ],
        categories=["child-on-child"],
        location="Year 5 classroom, at home time",
        adult_involved=YesNoUnknown.NO,
        account=(
            'At home time he asked to speak to me and said: "He keeps taking my dinner money in '
            "the boys' toilets and says he'll get his big brother to beat me up if I tell. "
            'Yesterday he pushed me into the sinks and I hurt my back." He showed me where it '
            "hurt, on his lower back; I did not see a mark. He said a girl in our class saw it "
            "happen yesterday."
        ),
    )
    if story:
        story.check_safety(
            _hours(2),
            DSL,
            [
                _safe(
                    "His mother collected him and I told her what he had said. Until this is "
                    "sorted out he can stay in at break with a friend of his choice.",
                    spoken_to="His class teacher, who listened at home time when he asked to "
                    "talk to her.",
                ),
                _safe(
                    "I told his parents by telephone. He will be kept apart from the boy at "
                    "break and lunchtime; the lunchtime staff have been told.",
                    spoken_to="The headteacher, to tell him and his parents how he will be "
                    "kept apart from the other boy, under the behaviour policy.",
                ),
                _safe(
                    "Spoke to her briefly with her class teacher: she described what she saw "
                    "and was not upset.",
                    spoken_to="Her class teacher and I, briefly, because she saw it happen; "
                    "she was not upset.",
                ),
            ],
        )


def _unkind_group_chat(demo: _Demo) -> None:
    girl = demo.pupil(HOLLYBROOK, "6B", GIRL, 0, mother=True)
    mother = girl.contacts.all()[0]
    story = demo.record(
        school=HOLLYBROOK,
        days_ago=45,
        at=time(10, 20),
        reporter=DEPUTY,
        children=[(girl, ChildRole.SUBJECT)],
        categories=["child-on-child", "emotional"],
        location="Telephone call to the school office",
        disclosed_before=_minutes(10),
        discloser_type=DiscloserType.PARENT_CARER,
        discloser_name=mother.name,
        discloser_relationship=mother.relationship,
        adult_involved=YesNoUnknown.NO,
        parent_wishes=(
            "Does not want the other girls' parents contacted, in case it makes things worse "
            "for her daughter."
        ),
        account=(
            "Her mother rang and asked to speak to someone about bullying. She said: \"There's a "
            "group chat on her tablet with about ten girls from her class. They've been calling "
            "her fat and ugly for weeks, and on Sunday one of them wrote that she should kill "
            "herself and that nobody would miss her. She hasn't slept properly since. I've kept "
            "the messages, but I don't want a big fuss, it'll only make things worse for her.\""
        ),
    )
    if not story:
        return
    story.check_safety(
        _minutes(40),
        DEPUTY,
        [
            _safe(
                "In school today. She said she feels safe in school and has no thoughts of "
                "hurting herself. She knows she can come to me at any time.",
                spoken_to=(
                    "Her class teacher and I, at break, to check she is safe now and has no "
                    "thoughts of hurting herself; nothing else was asked."
                ),
            )
        ],
    )
    story.add_child(
        _days(1),
        DEPUTY,
        demo.pupil(HOLLYBROOK, "6B", GIRL, other_than=girl),
        ChildRole.ALLEGED_HARMER,
        _safe(
            "Named by the mother as the girl who wrote the message. She is safe, and was upset "
            "when she understood how serious it was.",
            spoken_to=(
                "Her class teacher and I, under the anti-bullying policy, to tell her what had "
                "been reported and that it must stop."
            ),
        ),
    )
    story.evidence(
        _days(1),
        DEPUTY,
        description=(
            "Messages in a class group chat calling her names, including one telling her to "
            "kill herself"
        ),
        platform="WhatsApp group chat",
        usernames="The group is named after their class",
        location="Her tablet; her mother has also kept screenshots of the messages on her phone",
        held_by="Her mother",
    )
    story.preserve_evidence(_days(1), DEPUTY, advice_to="Her mother", advice_after=_minutes(5))
    story.do_not_refer(
        _days(2),
        DSL,
        rationale=(
            "Bullying between pupils, dealt with under the school's anti-bullying policy. She has "
            "told us she has no thoughts of harming herself and her mother is supportive. "
            "Discussed with the local authority's consultation line, who agreed it does not meet "
            "the threshold for children's social care. We will refer at once if anything changes."
        ),
        ground=_NotReferring(
            NotReferGround.ADVICE,
            contact="Duty social worker, Demoshire children's services consultation line",
            contact_after=_days(2) - _hours(1),
            advice=(
                "Not a referral to children's social care: bullying between pupils, to be dealt "
                "with by the school under its anti-bullying policy, with support for her. Ring "
                "again at once if she talks of harming herself or the messages go on."
            ),
        ),
    )
    support = [
        (
            0,
            "Check-in with her class teacher at the start and end of each day",
            "Her class teacher",
            _days(28),
        ),
        (
            0,
            "Sessions with the school counsellor on Thursday afternoons",
            DEPUTY.full_name,
            _days(42),
        ),
        (
            1,
            "A restorative meeting, if both girls agree, and a session on behaving kindly online",
            DEPUTY.full_name,
            _days(21),
        ),
    ]
    for child, action, owner, review_in in support:
        story.support(_days(3), DEPUTY, child, action, owner, review_in)
    story.follow_up(
        _days(3),
        DEPUTY,
        FollowUpKind.PUPIL_LESSONS,
        "Extra lessons for Years 5 and 6 on kindness in group chats and how to report unkind "
        "messages",
        "Computing lead",
        _days(21),
    )
    story.follow_up(
        _days(3),
        DSL,
        FollowUpKind.PARENT_SESSION,
        "An evening session for parents on group chats, age limits and parental controls",
        DSL.full_name,
        _days(35),
    )
    story.plan_support(_days(3), DEPUTY)


def _man_in_the_football_game(demo: _Demo) -> None:
    story = demo.record(
        school=HOLLYBROOK,
        days_ago=30,
        at=time(14, 50),
        reporter=STAFF,
        children=[(demo.pupil(HOLLYBROOK, "6W", BOY), ChildRole.SUBJECT)],
        categories=["online-grooming"],
        location="Computing room, after the lesson",
        adult_involved=YesNoUnknown.YES,
        account=(
            "After computing he stayed behind and said: \"There's a man on the football game I "
            "play who keeps giving me coins for player packs. He says he's nineteen. Last night "
            "he asked me to turn my camera on and go somewhere my mum can't hear, and he said not "
            "to tell anyone or we'd both get in trouble. He asked which school I go to.\"\n"
            "He did not show me anything on a screen and I did not ask to see anything. I told "
            "him he was right to tell me and that he is not in trouble."
        ),
    )
    if not story:
        return
    story.check_safety(
        _minutes(30),
        DSL,
        [
            _safe(
                "In school with his class. I telephoned his father, who is collecting him at "
                "3.15 pm and has agreed the games console stays switched off.",
                spoken_to=(
                    "His class teacher, who listened after the computing lesson and told him he "
                    "is not in trouble. No one else has talked to him about it: the police will "
                    "decide who speaks to him next."
                ),
            )
        ],
    )
    story.evidence(
        _minutes(50),
        DSL,
        description=(
            "Chat messages from an adult offering game coins and asking for a private video "
            "call and the name of his school"
        ),
        platform="In-game chat of an online football game, on the family's games console",
        usernames="Striker_19 (as he remembers it)",
        location="The games console in the family's living room",
        held_by="His father",
        device_custody="Unplugged and kept by his father until the police say what they need",
    )
    story.advice(
        _minutes(55),
        DSL,
        "online-grooming-family",
        given_to="His father, by telephone",
        given_after=_minutes(30),
        notes="Keep the console as it is, do not reply to or block the account yet, and do not "
        "question him about it: the police will advise.",
    )
    story.preserve_evidence(_minutes(55), DSL, advice_to="His father", advice_after=_minutes(30))
    story.assess_criteria(
        _hours(1.5),
        DSL,
        coercion=YesNoUnknown.YES,
        notes="Gifts of game coins, a request for a private video call and an instruction to "
        "keep it secret: grooming. No images were sent, as far as he has said.",
    )
    story.refer(
        _hours(2),
        DSL,
        agencies=[Agency.SOCIAL_CARE, Agency.POLICE],
        rationale=(
            "An adult has been giving him gifts, asked him for a private video call and told him "
            "to keep it secret: this is grooming, and a crime. Telephoned children's social care "
            "and the police; the written referral was sent the same afternoon."
        ),
    )


def _plate_thrown_at_home(demo: _Demo) -> None:
    story = demo.record(
        school=HOLLYBROOK,
        days_ago=19,
        at=time(10, 0),
        reporter=STAFF,
        children=[(demo.pupil(HOLLYBROOK, "3B", GIRL), ChildRole.SUBJECT)],
        categories=["domestic-abuse"],
        location="Year 3 classroom, at carpet time (I was covering the class)",
        adult_involved=YesNoUnknown.YES,
        unnamed_children=("Her little brother, who hid with her; not a pupil here",),
        account=(
            'She was very quiet all morning. At carpet time she put her hand up and said: "The '
            "police came to our house last night. Daddy threw a plate at Mummy and her head was "
            "bleeding. I hid under my bed with my little brother. Daddy has gone to stay at "
            'Grandma\'s." Later, when we were lining up for lunch, she asked me: "Will Daddy '
            'come back tonight?"'
        ),
    )
    if not story:
        return
    story.check_safety(
        _hours(1),
        DSL,
        [
            _safe(
                "Her mother confirmed on the telephone that the father has left the home, the "
                "police are involved and he has been told not to come back. She and both "
                "children are staying with her sister for now. Her mother collected her today.",
                spoken_to=(
                    "Only the teacher covering her class, who listened at carpet time and "
                    "answered her question at lunch as gently as she could."
                ),
            )
        ],
    )
    story.evidence(
        _hours(1),
        DSL,
        description="Text messages the father has sent the mother since he left the house",
        platform="Text messages",
        location="The mother's phone",
        held_by="Her mother",
    )
    story.preserve_evidence(_hours(1.2), DSL, advice_to="Her mother", advice_after=_hours(1))


def _toothache(demo: _Demo) -> None:
    story = demo.record(
        school=HOLLYBROOK,
        days_ago=65,
        at=time(12, 50),
        reporter=STAFF,
        children=[(demo.pupil(HOLLYBROOK, "2W", BOY), ChildRole.SUBJECT)],
        categories=["neglect"],
        location="Dining hall, lunchtime",
        adult_involved=YesNoUnknown.YES,
        account=(
            "He has been crying at lunchtime for about three weeks and holds his cheek when he "
            'eats. Today he pushed his dinner away and said: "My tooth really hurts, it keeps me '
            "awake. Mum says we can't go to the dentist because we haven't got one.\" I could see "
            "that one of his back teeth is black."
        ),
    )
    if not story:
        return
    story.check_safety(
        _hours(1),
        DSL,
        [
            _safe(
                "Given pain relief by the first aider, with his mother's consent by telephone. "
                "His mother is collecting him at the end of the day.",
                spoken_to="The lunchtime supervisor, who listened when he pushed his dinner "
                "away, and the first aider, about the pain.",
            )
        ],
    )
    story.preserve_evidence(
        _hours(2),
        DSL,
        advice_to="His mother",
        advice_after=_hours(1),
        no_evidence_reason=(
            "The concern is about his dental health: there is nothing to preserve beyond this "
            "record."
        ),
    )
    story.do_not_refer(
        _days(1),
        DSL,
        rationale=(
            "His mother was worried and acted at once: the family has registered with a dentist "
            "and treatment is booked for next week. There are no other concerns on his file. "
            "Offered early help, which she accepted. We will refer to children's social care if "
            "appointments are missed or he is still in pain."
        ),
        ground=_NotReferring(
            NotReferGround.ADVICE,
            contact="Duty social worker, Demoshire children's services consultation line",
            contact_after=_hours(20),
            advice=(
                "Early help rather than a referral, as long as the dental treatment goes ahead: "
                "refer if appointments are missed or there are other signs of neglect."
            ),
        ),
    )
    # His care at home is in question (an adult is involved), so a second member of the team
    # signs the decision not to refer.
    story.countersign(
        _days(1) + _hours(2),
        DEPUTY,
        "I have read the record: a single, explained health need, treatment booked, early help "
        "accepted and a clear point at which we refer. I agree.",
    )
    story.support(
        _days(1),
        DSL,
        0,
        "Ask him each Monday how his tooth is, and check with his mother that appointments "
        "were kept",
        "His class teacher",
        _days(28),
    )
    story.follow_up(
        _days(1),
        DSL,
        FollowUpKind.OTHER,
        "Remind families in the newsletter how to register with a dentist and that dental care "
        "is free for children",
        ADMIN.full_name,
        _days(14),
    )
    story.plan_support(_days(1), DSL)
    story.close(
        _days(35),
        DSL,
        "Treatment completed over two appointments; he is eating well and no longer in pain. "
        "Early help closed with the family's agreement.",
    )


def _fingertip_bruises(demo: _Demo) -> None:
    story = demo.record(
        school=HOLLYBROOK,
        days_ago=80,
        at=time(13, 30),
        reporter=STAFF,
        children=[(demo.pupil(HOLLYBROOK, "4W", BOY), ChildRole.SUBJECT)],
        categories=["physical"],
        location="Classroom, changing for a games lesson",
        disclosed_before=_minutes(30),
        discloser_type=DiscloserType.STAFF_OBSERVATION,
        adult_involved=YesNoUnknown.NO,
        account=(
            "While he was changing for games I saw a bruise on his upper left arm: four small "
            'round marks in a row, like fingertips. When I asked him how he got it he said: "My '
            "big brother grabbed me because I wouldn't get off the computer. He does it a lot "
            "when Mum's at work.\" He said his brother is fifteen."
        ),
    )
    if not story:
        return
    story.check_safety(
        _hours(2),
        DSL,
        [
            _safe(
                "I telephoned his mother the same afternoon. She was shocked: she works late "
                "shifts and his older brother looks after him after school. She has arranged for "
                "him to go to his aunt's after school this week.",
                spoken_to=(
                    "His class teacher, who saw the bruise and asked only how he got it, as our "
                    "policy says; nothing more was asked."
                ),
            )
        ],
    )
    story.preserve_evidence(
        _hours(2.2),
        DSL,
        advice_to="His mother",
        advice_after=_hours(2),
        no_evidence_reason=(
            "The bruise was seen and described by his class teacher; in line with our policy no "
            "photographs were taken."
        ),
    )
    story.refer(
        _days(1),
        DSL,
        agencies=[Agency.EARLY_HELP],
        rationale=(
            "Harm by an older brother while the children are unsupervised. His mother is "
            "cooperative and made safe arrangements straight away. After discussion with the "
            "local authority's consultation line, referred to early help for a family assessment "
            "and after-school care, rather than to children's social care."
        ),
    )
    story.support(
        _days(2), DSL, 0, "Check-in with him every Friday afternoon", STAFF.full_name, _days(42)
    )
    story.follow_up(
        _days(2),
        DSL,
        FollowUpKind.STAFF_TRAINING,
        "Remind all staff how to record marks and bruises in words and on a body map, without "
        "taking photographs",
        DSL.full_name,
        _days(21),
    )
    story.plan_support(_days(2), DSL)
    story.close(
        _days(49),
        DSL,
        "Early help family assessment completed. He now goes to the after-school club until his "
        "mother finishes work, so he is no longer left in his brother's care. No further marks "
        "seen; he says things are better at home.",
    )


def _late_and_alone(demo: _Demo) -> None:
    demo.record(
        school=OTHER,
        days_ago=3,
        at=time(9, 55),
        reporter=OTHER_DSL,
        children=[(demo.pupil(OTHER, "3A", GIRL), ChildRole.SUBJECT)],
        categories=["neglect"],
        location="Classroom, morning registration",
        disclosed_before=_minutes(15),
        discloser_type=DiscloserType.STAFF_OBSERVATION,
        adult_involved=YesNoUnknown.YES,
        account=(
            "She arrived at 9.40 this morning without a coat again, in a short-sleeved top, and "
            'her hands were blue with cold. She said: "Nobody woke me up. I got myself ready and '
            'walked here by myself." This is the fourth time this month she has arrived late '
            "and on her own."
        ),
    )


def _scared_on_fridays(demo: _Demo) -> None:
    story = demo.record(
        school=OTHER,
        days_ago=10,
        at=time(14, 10),
        reporter=OTHER_DSL,
        children=[(demo.pupil(OTHER, "6A", BOY), ChildRole.SUBJECT)],
        categories=["emotional", "domestic-abuse"],
        location="Library, during a reading session",
        adult_involved=YesNoUnknown.YES,
        account=(
            "During reading he told me: \"I'm scared to go home on Fridays when my stepdad has "
            "been drinking. He shouts and says he'll throw me out on the street. I sleep with my "
            "shoes on in case I have to run to my nan's.\" He said nobody has hit him."
        ),
    )
    if story:
        story.check_safety(
            _hours(1),
            OTHER_DSL,
            [
                _safe(
                    "Spoke to his mother at pickup. Her partner will not be at home this weekend "
                    "and he will stay at his grandmother's on Friday. He knows he can ring the "
                    "school or his grandmother.",
                    spoken_to="I listened during reading and told him what would happen next; "
                    "no one else has spoken to him about it.",
                )
            ],
        )


def _local_contacts_card(demo: _Demo) -> None:
    # Hollybrook's own card: the local numbers, shown beside the national advice on every
    # concern (no category).
    demo.guidance_card(
        school=HOLLYBROOK,
        by=DSL,
        days_ago=REGISTER_DAYS_AGO - 10,
        title="Demoshire contacts: MASH, LADO and police",
        categories=[],
        report_to=(
            "- Immediate danger: 999.\n"
            "- Demoshire MASH (children's social care front door), 8.30 am to 5 pm: "
            "01632 960500. Confirm a phone referral on the MASH portal within 24 hours.\n"
            "- Out of hours: Demoshire emergency duty team, 01632 960501.\n"
            "- Consultation line (advice before deciding, not a referral): 01632 960502.\n"
            "- Demoshire Police, child abuse investigation team: 01632 960510; otherwise 101.\n"
            "- LADO (a concern about an adult who works with children): 01632 960520.\n"
            "- Early help hub: 01632 960530."
        ),
        do_not=(
            "- Don't wait for a parent's agreement before ringing the MASH where a child may "
            "be at risk of significant harm."
        ),
    )


def _the_sleepover(demo: _Demo) -> None:
    # The DOMAIN.md case, worked through to the end ("Option 3"): a nine-year-old weekly
    # boarder and two friends from her class. The walkthrough pupils in 4B are left for the
    # newcomer to record it about in the browser.
    disclosed = timezone.localdate(demo.school_day(40, time(9, 20)))
    girl = demo.choose(
        HOLLYBROOK,
        GIRL,
        where=lambda p: (
            p.year_group in ("Year 4", "Year 5")
            and p.age_on(disclosed) == 9
            and p.contacts.all()[0].relationship == "Mother"
        ),
        prefer=lambda p: (p.boarding != Boarding.WEEKLY, p.class_name != "5W"),
    )
    friend = demo.pupil(HOLLYBROOK, girl.class_name, GIRL, other_than=girl)
    mother = girl.contacts.all()[0]
    story = demo.record(
        school=HOLLYBROOK,
        days_ago=40,
        at=time(9, 20),
        reporter=DSL,
        children=[(girl, ChildRole.SUBJECT), (friend, ChildRole.AFFECTED)],
        categories=["sharing-nudes", "online-grooming"],
        location="The headteacher's office, Monday morning",
        disclosed_before=_minutes(40),
        discloser_type=DiscloserType.PARENT_CARER,
        discloser_name=mother.name,
        discloser_relationship=mother.relationship,
        adult_involved=YesNoUnknown.YES,
        parent_wishes=(
            "Embarrassed; does not want anyone else involved, and insists the other parents are "
            "not told."
        ),
        unnamed_children=(
            "The other girl at the sleepover, in the same class; her mother knows only her "
            "first name",
        ),
        account=(
            "Her mother asked to see the headteacher first thing, and I joined them. She said: "
            '"Over the weekend I found pornographic sites in her browser history. When I asked '
            "her about it she told me about a special friend she met in a children's game, "
            "then in a chat room. She's sent him naked pictures and a video. She called it a "
            "grown-up game. She said her two friends from school did it too, at the sleepover "
            "at our house. I don't want anyone else involved and I don't want the other parents "
            'told."\n'
            "I thanked her for telling us, told her not to delete anything, and said the school "
            "has to pass this on whatever she would prefer."
        ),
    )
    if not story:
        return
    spoken_to = (
        "No one at school has spoken to her about it: her mother told us what she said at "
        "home. Her class teacher only checked at registration that she was all right."
    )
    story.check_safety(
        _hours(1),
        DSL,
        [
            _safe(
                "In school, settled in class. The tablet is switched off at home. Her mother "
                "knows to call 999 if the man tries to meet her.",
                spoken_to=spoken_to,
            ),
            _safe("In school today and settled in class.", spoken_to=spoken_to),
        ],
    )
    third = demo.pupil(HOLLYBROOK, girl.class_name, GIRL, 1, other_than=girl)
    story.identify(
        _hours(1.5),
        DSL,
        third,
        ChildRole.AFFECTED,
        _safe(
            "Her first name and class matched one girl in the register. In school today and "
            "settled in class.",
            spoken_to=spoken_to,
        ),
    )
    story.evidence(
        _hours(1.5),
        DSL,
        description=(
            "Pictures and a video she sent to a 'special friend', and his messages, in the "
            "game's chat and then a chat room; not looked at by anyone at school"
        ),
        platform="The chat of a children's online game, then a chat room",
        usernames="The name he used in the game, as she told her mother",
        location="The family's tablet, at home, switched off",
        held_by="Her mother",
        device_custody="Switched off and kept by her mother until the police collect it",
    )
    for card in ("sharing-nudes-family", "online-grooming-family"):
        story.advice(
            _hours(1.6),
            DSL,
            card,
            given_to="Her mother, in the headteacher's office",
            given_after=_minutes(10),
            notes="Also given to her in writing to take home.",
        )
    story.preserve_evidence(_hours(1.7), DSL, advice_to="Her mother", advice_after=_minutes(10))
    story.assess_criteria(
        _hours(1.8),
        DSL,
        coercion=YesNoUnknown.YES,
        unusual_content=YesNoUnknown.UNKNOWN,
        sexual_acts=YesNoUnknown.UNKNOWN,
        notes="No one at school has seen the images, or will: what they show is not known, so "
        "those questions count as met.",
    )
    story.refer(
        _hours(2),
        DSL,
        agencies=[Agency.SOCIAL_CARE, Agency.POLICE],
        consent=Consent.REFUSED,
        consent_reason=(
            "She does not want anyone else involved. Consent is not needed where children may "
            "be at risk of significant harm; she was told the school is referring."
        ),
        rationale=(
            "An adult met online has obtained naked images and a video from three nine-year-old "
            "girls: child sexual abuse, and a crime. All three girls are named in the referral "
            "to children's social care and the police."
        ),
    )
    support = [
        (0, "Weekly time with the school counsellor, praised for telling", DEPUTY.full_name),
        (1, "Weekly pastoral check-in with her class teacher", "Her class teacher"),
        (2, "Weekly pastoral check-in with her class teacher", "Her class teacher"),
        (0, "Family liaison with the boarding house parents, weekly", DSL.full_name),
    ]
    for child, action, owner in support:
        story.support(_days(2), DSL, child, action, owner, _days(28))
    follow_ups = [
        (
            FollowUpKind.PUPIL_LESSONS,
            "Extra online safety lessons for Years 4 to 6: special friends online, secrets, "
            "and telling a trusted adult",
            "Computing lead",
            _days(21),
        ),
        (
            FollowUpKind.PARENT_SESSION,
            "Online safety evening for parents: games, chat and parental controls",
            DSL.full_name,
            _days(30),
        ),
        (
            FollowUpKind.POLICY_REVIEW,
            "Review the online safety policy against this case",
            DSL.full_name,
            _days(45),
        ),
    ]
    for kind, description, owner, due_in in follow_ups:
        story.follow_up(_days(2), DSL, kind, description, owner, due_in)
    story.plan_support(_days(2), DSL)
    story.close(
        _days(33),
        DSL,
        "The police are investigating (officer in the case appointed) and children's social "
        "care has assessed all three girls. Each has support in school and their families "
        "are supported. The online safety lessons have started, the parents' evening is "
        "booked and the policy review is under way.",
    )


STORIES: tuple[Callable[[_Demo], None], ...] = (
    _fingertip_bruises,
    _toothache,
    _unkind_group_chat,
    _the_sleepover,
    _man_in_the_football_game,
    _plate_thrown_at_home,
    _dinner_money_in_the_toilets,
    _scratches_on_her_arm,
    _hungry_at_breakfast_club,
    _harsh_words_at_the_gate,
    _immediate_danger,
    _scared_on_fridays,
    _late_and_alone,
)


def stories() -> tuple[Callable[[_Demo], None], ...]:
    """Every demo story: Hollybrook's and the other school's, here, then Larkmoor's."""
    # Larkmoor's stories are written with this module's helpers, so they are imported here
    # rather than at the top, where the import would go round in a circle.
    from demo import secondary as demo_secondary

    return (*STORIES, *demo_secondary.STORIES)
