"""PDFs made from HTML templates with WeasyPrint (`render_pdf`, also used for a child's
chronology in casework.pdf and the governors' termly report), and the referral to children's
social care.

Every PDF is tagged PDF/UA-1 (language, title, real headings and tables, so a screen reader
can follow it) and says OFFICIAL-SENSITIVE at the top and bottom of every page, with page
numbers and who generated it when. Rendering never touches the network: the only files
WeasyPrint may load are the project's own static files. Attachments and images are never
put into a PDF (DOMAIN.md rule 1).
"""

import mimetypes
import threading
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import unquote, urlsplit

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from concerns import rules
from concerns.models import (
    AdviceGiven,
    Agency,
    Concern,
    ConcernChild,
    DiscloserType,
    EvidenceItem,
    NotReferGround,
    ReferralDecision,
    SupportAction,
    UnnamedChild,
)
from referrals.models import PHONE_METHODS, AgencyContact, Referral
from schools.models import HouseholdContact, Membership, Pupil

# Relative and /static/ URLs in the templates resolve against this origin. The .invalid
# top-level domain never resolves (RFC 2606), and the fetcher below serves it from disk.
BASE_URL = "https://pdf.invalid/"
PDF_VARIANT = "pdf/ua-1"


class StaticFilesOnly(URLFetcher):
    """Serves the project's static files to WeasyPrint and refuses every other URL (remote
    addresses, file: paths, data: URIs), so a PDF can only ever contain what we put in it."""

    def fetch(self, url, headers=None):
        path = static_path(url)
        if path is None:
            raise ValueError(f"PDFs may only load the project's static files, not {url[:80]}")
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        with open(path, "rb") as handle:
            body = handle.read()
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


def static_path(url: str) -> str | None:
    """The file on disk for a static URL under BASE_URL, or None for anything else."""
    parts = urlsplit(url)
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    if f"{parts.scheme}://{parts.netloc}/" != BASE_URL or not parts.path.startswith(prefix):
        return None
    relative = unquote(parts.path.removeprefix(prefix))
    if not relative or ".." in relative.split("/"):
        return None
    return finders.find(relative)


# A FontConfiguration holds fontconfig's state and the parsed stylesheet depends on it; both
# cost more to build than a small document costs to lay out, so each thread keeps its own
# (WeasyPrint makes no promise that one may be shared between threads).
_cache = threading.local()


def _fonts_and_stylesheet() -> tuple[FontConfiguration, weasyprint.CSS]:
    if not hasattr(_cache, "stylesheet"):
        fonts = FontConfiguration()
        _cache.stylesheet = weasyprint.CSS(
            string=render_to_string("referrals/pdf/pdf.css"),
            base_url=BASE_URL,
            url_fetcher=StaticFilesOnly(),
            font_config=fonts,
        )
        _cache.fonts = fonts
    return _cache.fonts, _cache.stylesheet


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a template under templates/referrals/pdf/ to a tagged PDF/UA-1 document."""
    fonts, stylesheet = _fonts_and_stylesheet()
    html = weasyprint.HTML(
        string=render_to_string(template_name, context),
        base_url=BASE_URL,
        url_fetcher=StaticFilesOnly(),
    )
    return html.write_pdf(stylesheets=[stylesheet], font_config=fonts, pdf_variant=PDF_VARIANT)


# What goes into each document. Each is read in a fixed number of queries.


@dataclass
class ChildSection:
    """One child named in the concern, with everything the referral form asks about them."""

    link: ConcernChild
    age: int
    household: list[HouseholdContact]
    other_children: list[ConcernChild]
    support: list[SupportAction]
    referred_to: list[str]
    # The children involved who are not yet identified (the same for every child).
    unnamed_others: list[UnnamedChild] = field(default_factory=list)
    # How the child was described before they were identified, if they were.
    described_as: UnnamedChild | None = None

    @property
    def pupil(self) -> Pupil:
        return self.link.pupil


@dataclass
class ReferralDocument:
    concern: Concern
    generated_at: datetime
    generated_by: object
    referrer: object
    referrer_role: str
    children: list[ChildSection]
    categories: list[str]
    evidence: list[EvidenceItem]
    referrals: list[Referral]
    contacts: list[AgencyContact]
    usernames: list[str] = field(default_factory=list)
    # Children involved or at risk who are not yet identified (open, or passed on).
    unnamed: list[UnnamedChild] = field(default_factory=list)
    advice: list[AdviceGiven] = field(default_factory=list)
    # The UKCIS immediate-referral questions with their answers; [] where they are not asked.
    criteria: list[rules.Criterion] = field(default_factory=list)
    extortion: bool = False
    # Why a decision not to refer needs a second signature; [] when it needs none.
    countersign_indicators: list[str] = field(default_factory=list)

    @property
    def school(self):
        return self.concern.school

    @property
    def main_referral(self) -> Referral | None:
        """The referral to children's social care if there is one, else the first made."""
        social_care = [r for r in self.referrals if r.agency == Agency.SOCIAL_CARE]
        return (social_care or self.referrals or [None])[0]

    @property
    def phone_referrals(self) -> list[Referral]:
        return [r for r in self.referrals if r.method in PHONE_METHODS]

    @property
    def unsafe_children(self) -> list[ChildSection]:
        return [section for section in self.children if section.link.safe_now is False]

    @property
    def all_checked(self) -> bool:
        return all(section.link.safety_checked for section in self.children)

    @property
    def immediate_risk(self) -> bool:
        return self.concern.immediate_danger or bool(self.unsafe_children)

    @property
    def agency_references(self) -> list[Referral]:
        return [r for r in self.referrals if r.agency_reference]

    @property
    def child_told(self) -> bool:
        return self.concern.discloser_type == DiscloserType.CHILD

    @property
    def criteria_met(self) -> list[rules.Criterion]:
        return [c for c in self.criteria if c.met]

    @property
    def criteria_unanswered(self) -> list[rules.Criterion]:
        return [c for c in self.criteria if not c.answer]

    @property
    def referred(self) -> bool:
        return self.concern.referral_decision == ReferralDecision.REFER

    @property
    def not_referred(self) -> bool:
        return self.concern.referral_decision == ReferralDecision.NOT_REFER

    @property
    def referred_agencies(self) -> list[Referral]:
        """The referrals behind a decision to refer, one line per agency it names."""
        agencies = self.concern.referral_agencies or []
        return [r for r in self.referrals if r.agency in agencies]

    @property
    def ground(self) -> str:
        ground = self.concern.not_refer_ground
        return NotReferGround(ground).label if ground else ""

    @property
    def ground_is_advice(self) -> bool:
        return self.concern.not_refer_ground == NotReferGround.ADVICE

    @property
    def ground_is_threshold(self) -> bool:
        return self.concern.not_refer_ground == NotReferGround.THRESHOLD

    @property
    def ground_is_known(self) -> bool:
        return self.concern.not_refer_ground == NotReferGround.KNOWN

    @property
    def awaiting_countersignature(self) -> bool:
        return (
            self.not_referred
            and self.concern.countersigned_by_id is None
            and bool(self.countersign_indicators)
        )

    @property
    def children_count_text(self) -> str:
        """For example "3 children" or "2 named children and 1 not yet identified"."""
        named, unnamed = len(self.children), len(self.unnamed)
        text = f"{named} {'named ' if unnamed else ''}child{'' if named == 1 else 'ren'}"
        if unnamed:
            text += f" and {unnamed} not yet identified"
        return text


def referral_document(concern: Concern, *, by, now: datetime) -> ReferralDocument:
    concern = Concern.objects.select_related(
        "school", "reporter", "decided_by", "countersigned_by", "criteria_assessed_by"
    ).get(pk=concern.pk)
    links = list(
        concern.children.select_related("pupil", "safety_checked_by").order_by("added_at", "pk")
    )
    described = list(
        concern.unnamed_children.select_related("added_by", "resolved_by").order_by(
            "added_at", "pk"
        )
    )
    described_as = {u.identified_as_id: u for u in described if u.identified_as_id is not None}
    unnamed = [u for u in described if u.identified_as_id is None]
    categories = list(concern.categories.all())
    asks = rules.asks_criteria(concern, categories)
    household: dict[int, list[HouseholdContact]] = {}
    for contact in HouseholdContact.objects.filter(
        pupil_id__in=[link.pupil_id for link in links]
    ).order_by("pupil_id", "priority"):
        household.setdefault(contact.pupil_id, []).append(contact)
    referrals = list(concern.referrals.select_related("made_by").order_by("made_at", "pk"))
    covered: dict[int, list[str]] = {}
    labels = {r.pk: r.agency_label for r in referrals}
    for referral_id, child_id in Referral.children.through.objects.filter(
        referral__concern=concern
    ).values_list("referral_id", "concernchild_id"):
        covered.setdefault(child_id, []).append(labels[referral_id])
    support: dict[int, list[SupportAction]] = {}
    for action in SupportAction.objects.filter(child__concern=concern):
        support.setdefault(action.child_id, []).append(action)
    evidence = list(concern.evidence_items.all())
    referrer = referrals[0].made_by if referrals else by
    main = next((r for r in referrals if r.agency == Agency.SOCIAL_CARE), None)
    if main is not None:
        referrer = main.made_by
    membership = Membership.objects.filter(user=referrer, school=concern.school).first()
    today = timezone.localdate(now)
    return ReferralDocument(
        concern=concern,
        generated_at=now,
        generated_by=by,
        referrer=referrer,
        # Their role in Safeguard, unless their job title already says it.
        referrer_role=""
        if membership is None
        or membership.get_role_display().lower() == (referrer.job_title or "").lower()
        else membership.get_role_display(),
        children=[
            ChildSection(
                link=link,
                age=link.pupil.age_on(today),
                household=household.get(link.pupil_id, []),
                other_children=[other for other in links if other is not link],
                support=support.get(link.pk, []),
                referred_to=covered.get(link.pk, []),
                unnamed_others=unnamed,
                described_as=described_as.get(link.pk),
            )
            for link in links
        ],
        categories=[category.name for category in categories],
        evidence=evidence,
        referrals=referrals,
        contacts=list(
            AgencyContact.objects.filter(referral__concern=concern).select_related(
                "referral", "recorded_by"
            )
        ),
        usernames=list(dict.fromkeys(item.usernames for item in evidence if item.usernames)),
        unnamed=unnamed,
        advice=list(concern.advice_given.select_related("card").order_by("given_at", "pk")),
        criteria=rules.criteria(concern, categories) if asks else [],
        extortion=rules.is_extortion(concern, categories),
        # Asked only of a decision not to refer still unsigned: the only time it is shown.
        countersign_indicators=rules.indicators(concern, categories)
        if concern.referral_decision == ReferralDecision.NOT_REFER
        and concern.countersigned_by_id is None
        else [],
    )


def render_referral(concern: Concern, *, by, now: datetime | None = None) -> bytes:
    document = referral_document(concern, by=by, now=now or timezone.now())
    return render_pdf("referrals/pdf/referral.html", {"doc": document})
