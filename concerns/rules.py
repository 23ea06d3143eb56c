"""What safeguarding guidance allows, as plain functions of a concern: the UKCIS
immediate-referral criteria, the indicators that make a decision not to refer need a second
signature, and the wording that shows a decision resting on a family's wishes or a step that
investigates instead of listening.

Nothing here writes. The services call these before they change anything, the pages call
them to say what is needed and why, and closing a concern calls them all again, so that no
order of steps or corrections reaches "Closed" with a decision guidance does not allow.
"""

import re
from dataclasses import dataclass

from django.db.models import Q

from concerns.models import (
    Agency,
    Concern,
    ConcernChild,
    ReferralDecision,
    YesNoUnknown,
)

# A "not known" answer counts as yes (UKCIS: where unsure, treat the criterion as met).
MET_ANSWERS = (YesNoUnknown.YES, YesNoUnknown.UNKNOWN)
UNDER = 13


@dataclass(frozen=True)
class Criterion:
    """One of the UKCIS questions, answered for a concern."""

    key: str
    question: str
    answer: str  # a YesNoUnknown value, or "" while unanswered
    # Where the app already held the answer, what it came from; "" when the DSL answers it.
    source: str = ""

    @property
    def asked(self) -> bool:
        return not self.source

    @property
    def met(self) -> bool:
        return self.answer in MET_ANSWERS

    @property
    def answer_label(self) -> str:
        return YesNoUnknown(self.answer).label if self.answer else "Not answered"


# The fields of the questions the DSL answers, by criterion key.
ASKED_FIELDS = {
    "coercion": "criterion_coercion",
    "unusual_content": "criterion_unusual_content",
    "sexual_acts": "criterion_sexual_acts",
    "harm_risk": "criterion_harm_risk",
}
QUESTIONS = {
    "adult": "Is an adult involved?",
    "coercion": "Is there reason to believe a child has been coerced, blackmailed or groomed, "
    "or is there concern about their capacity to consent (for example, special educational "
    "needs)?",
    "unusual_content": "Does what is known of the images suggest sexual acts unusual for the "
    "child's developmental stage, or violence?",
    "sexual_acts": "Do the images involve sexual acts, with a child under 13 in them?",
    "harm_risk": "Is there reason to believe a child is at immediate risk of harm because of "
    "the sharing (for example, presenting as suicidal or self-harming)?",
}


def categories_of(concern: Concern) -> list:
    # Read through the prefetch cache when there is one; a correction sets the categories
    # before these rules are asked again, so no stale cache may be kept on the instance.
    return list(concern.categories.all())


def asks_criteria(concern: Concern, categories=None) -> bool:
    categories = categories_of(concern) if categories is None else categories
    return any(c.asks_referral_criteria for c in categories)


def is_extortion(concern: Concern, categories=None) -> bool:
    categories = categories_of(concern) if categories is None else categories
    return any(c.extortion for c in categories)


def images_refused(concern: Concern) -> bool:
    """Images and videos are never stored on a concern about sexual harm of any kind, not
    only one filed as sexual imagery (DOMAIN.md rule 1: storing an indecent image of a child
    is an offence): grooming, sextortion, sexual abuse, exploitation, a school's own
    category of sexual imagery or of an adult seeking contact."""
    return concern.categories.filter(
        Q(involves_sexual_imagery=True) | Q(is_sexual=True) | Q(adult_perpetrator=True)
    ).exists()


def _children(concern: Concern) -> list:
    """The children named, with their pupils: from a prefetch where the caller made one."""
    if "children" in getattr(concern, "_prefetched_objects_cache", {}):
        children = list(concern.children.all())
        if all(ConcernChild.pupil.is_cached(child) for child in children):
            return children
    return list(concern.children.select_related("pupil"))


def children_under_13(concern: Concern, children=None) -> list[str]:
    """The named children who were under 13 when the concern was disclosed."""
    on = concern.disclosed_at.date()
    children = _children(concern) if children is None else children
    return [
        f"{child.pupil.full_name} ({child.pupil.age_on(on)})"
        for child in children
        if child.pupil.age_on(on) < UNDER
    ]


def _names(categories) -> str:
    return ", ".join(f"“{c.name}”" for c in categories)


def adult_by_category(categories) -> list:
    """The categories that mean an adult is believed to have sought images or contact."""
    return [c for c in categories if c.adult_perpetrator]


def criteria(concern: Concern, categories=None) -> list[Criterion]:
    """The five UKCIS questions for this concern, with the answers the app holds filled in.

    The category answers before the record does: a concern filed as online grooming or
    sextortion has an adult believed to be involved, and was coercion, whatever a later
    correction says of the adult; the DSL corrects the category if it was wrong."""
    categories = categories_of(concern) if categories is None else categories
    by_adult = adult_by_category(categories)
    if by_adult:
        adult = Criterion(
            "adult",
            QUESTIONS["adult"],
            YesNoUnknown.YES,
            source=f"From the category {_names(by_adult)}: an adult (or someone much older) "
            "is believed to have sought images or contact",
        )
    else:
        adult = Criterion(
            "adult",
            QUESTIONS["adult"],
            concern.adult_involved,
            source="From the record: adult involved, "
            f"“{YesNoUnknown(concern.adult_involved).label.lower()}”",
        )
    rows = [adult]
    children = _children(concern)
    send = [child.pupil.full_name for child in children if child.pupil.sen_disability]
    coercive = [c for c in categories if c.implies_coercion or c.extortion]
    if is_extortion(concern, categories):
        rows.append(
            Criterion(
                "coercion",
                QUESTIONS["coercion"],
                YesNoUnknown.YES,
                source="Sextortion is blackmail by definition",
            )
        )
    elif coercive:
        rows.append(
            Criterion(
                "coercion",
                QUESTIONS["coercion"],
                YesNoUnknown.YES,
                source=f"From the category {_names(coercive)}: grooming and exploitation are "
                "coercion by definition",
            )
        )
    elif send:
        rows.append(
            Criterion(
                "coercion",
                QUESTIONS["coercion"],
                YesNoUnknown.YES,
                source="From the register: special educational needs or disability ("
                + ", ".join(send)
                + "), so capacity to consent is in doubt",
            )
        )
    else:
        rows.append(Criterion("coercion", QUESTIONS["coercion"], concern.criterion_coercion))
    rows.append(
        Criterion(
            "unusual_content", QUESTIONS["unusual_content"], concern.criterion_unusual_content
        )
    )
    under_13 = children_under_13(concern, children)
    if under_13 or has_unidentified_children(concern):
        rows.append(
            Criterion("sexual_acts", QUESTIONS["sexual_acts"], concern.criterion_sexual_acts)
        )
    else:
        rows.append(
            Criterion(
                "sexual_acts",
                QUESTIONS["sexual_acts"],
                YesNoUnknown.NO,
                source="From the register: no child named is under 13",
            )
        )
    if concern.immediate_danger:
        rows.append(
            Criterion(
                "harm_risk",
                QUESTIONS["harm_risk"],
                YesNoUnknown.YES,
                source="From the record: someone is in immediate danger",
            )
        )
    else:
        rows.append(Criterion("harm_risk", QUESTIONS["harm_risk"], concern.criterion_harm_risk))
    return rows


def has_unidentified_children(concern: Concern) -> bool:
    return concern.unnamed_children.filter(identified_as=None).exists()


def under_13_note(concern: Concern) -> str:
    """What the page says beside the under-13 question about why it is asked: the children
    named who were under 13, and whether some are not yet identified ("" when no child
    named is under 13 and every child is identified, so the question is not asked)."""
    under_13 = children_under_13(concern)
    parts = []
    if under_13:
        parts.append("Under 13 when this was disclosed: " + ", ".join(under_13) + ".")
    if has_unidentified_children(concern):
        parts.append("Some children are not yet identified, so their ages are not known.")
    return " ".join(parts)


def criteria_met(concern: Concern, categories=None) -> list[Criterion]:
    """The criteria met, on a concern that asks them; unanswered ones are not counted here
    (deciding refuses until every question is answered)."""
    categories = categories_of(concern) if categories is None else categories
    if not asks_criteria(concern, categories):
        return []
    return [c for c in criteria(concern, categories) if c.met]


def unanswered_criteria(concern: Concern, categories=None) -> list[Criterion]:
    categories = categories_of(concern) if categories is None else categories
    if not asks_criteria(concern, categories):
        return []
    return [c for c in criteria(concern, categories) if not c.answer]


def indicators(concern: Concern, categories=None) -> list[str]:
    """Why a decision not to refer this concern needs a second member of the DSL team."""
    categories = categories_of(concern) if categories is None else categories
    found = []
    if criteria_met(concern, categories):
        found.append("an immediate-referral criterion is met")
    if concern.immediate_danger:
        found.append("someone was in immediate danger")
    if concern.adult_involved == YesNoUnknown.YES or adult_by_category(categories):
        found.append("an adult is involved")
    elif concern.adult_involved == YesNoUnknown.UNKNOWN:
        found.append("it is not known whether an adult is involved")
    if any(c.is_sexual or c.involves_sexual_imagery or c.adult_perpetrator for c in categories):
        found.append("the concern is about sexual harm")
    if any(c.is_online_safety for c in categories):
        found.append("the concern is about harm online")
    return found


def awaiting_countersignature(concern: Concern, categories=None) -> bool:
    return (
        concern.referral_decision == ReferralDecision.NOT_REFER
        and concern.countersigned_by_id is None
        and bool(indicators(concern, categories))
    )


def decision_problems(concern: Concern, agencies: list[str], categories=None) -> list[str]:
    """What is wrong with the concern's referral decision as it stands (with `agencies` the
    agencies its recorded referrals went to); [] when guidance allows it."""
    categories = categories_of(concern) if categories is None else categories
    problems = []
    rows = criteria(concern, categories) if asks_criteria(concern, categories) else []
    unanswered = [c for c in rows if not c.answer]
    if unanswered:
        problems.append(
            "Answer the immediate-referral questions first: "
            + "; ".join(c.question for c in unanswered)
        )
        return problems
    met = [c for c in rows if c.met]
    if met:
        missing = [
            Agency(agency).label
            for agency in (Agency.SOCIAL_CARE, Agency.POLICE)
            if agency not in agencies
        ]
        if concern.referral_decision != ReferralDecision.REFER or missing:
            problems.append(
                "An immediate-referral criterion is met ("
                + "; ".join(
                    f"{c.question.rstrip('?').lower()}: {c.answer_label.lower()}" for c in met
                )
                + "), so this concern must be referred at once to children's social care and "
                "to the police"
                + (": record the referral to " + " and ".join(missing) + "." if missing else ".")
            )
    if concern.referral_decision == ReferralDecision.NOT_REFER and not concern.not_refer_ground:
        problems.append("Choose the ground on which the concern is not referred.")
    return problems


# --- Wording -----------------------------------------------------------------------------

_FAMILY = (
    r"(?:mother|mum|mom|father|dad|parent|parents|carer|carers|family|families|grandmother|"
    r"grandfather|gran|grandparents?|step-?(?:mother|father|mum|dad)|guardian|aunt|uncle|"
    r"mothers|fathers|mums|dads|she|he|they)"
)
_WISH = (
    r"(?:want|wants|wanted|wish|wishes|wished|ask|asks|asked|request|requests|requested|"
    r"prefer|prefers|preferred|insist|insists|insisted|refuse|refuses|refused|object|objects|"
    r"objected|declines?|declined|would (?:rather|like)|(?:do|does|did) not want|"
    r"(?:don't|doesn't|didn't) want|will (?:handle|deal|manage|sort)|(?:is|are) handling|"
    r"(?:is|are) dealing|handle it|deal with it)"
)
_FAMILY_WORD = re.compile(
    r"\b(?:mother|mum|mom|father|dad|parents?|carers?|family|families|grandmother|grandfather|"
    r"gran|grandparents?|guardian|mothers|fathers|mums|dads)\b",
    re.IGNORECASE,
)
_FAMILY_WISH = re.compile(rf"\b{_FAMILY}\b(?:\W+\w+){{0,4}}?\W+{_WISH}\b", re.IGNORECASE)


# "In line with parental wishes", "at the parents' request", "the family's decision".
_FAMILY_OWNER = (
    r"(?:parental|parents?'?s?|family'?s?|families'?|carers?'?s?|mother'?s|father'?s|mum'?s|"
    r"dad'?s|guardian'?s?|grandparents?'?s?)"
)
_FAMILY_NOUN_WISH = re.compile(
    rf"\b{_FAMILY_OWNER}\s+(?:own\s+)?(?:wish(?:es)?|request(?:s|ed)?|preferences?|decision|"
    r"choice|objections?|refusal|instructions?|insistence|say-so|demands?|supervision|"
    r"monitoring)\b",
    re.IGNORECASE,
)
# Consent is not needed to refer a child at risk: a reason that rests on it being refused
# rests on the family's wishes.
_CONSENT_REFUSED = re.compile(
    r"\b(?:refused|withheld|withdrew|withdrawn|declined|not given|without|no|lack of|did not "
    r"give|didn't give|would not give|won't give)\b[^.;]{0,25}?\bconsent\b"
    r"|\bconsent\b[^.;]{0,30}?\b(?:refused|withheld|withdrawn|not given|declined|not "
    r"obtained|not agreed)\b",
    re.IGNORECASE,
)


# The wish said the other way round, or in other words: "at the request of the mother", "as
# requested by the parents", "kept within the family", "a private family matter", "mum has
# it in hand", "mother opposed to police involvement", "parents unwilling to engage".
_FAMILY_OR_NAMED = (
    r"(?:mother|mum|mom|father|dad|parents?|carers?|family|families|grandmother|grandfather|"
    r"gran|grandparents?|step-?(?:mother|father|mum|dad)|guardian|aunt|uncle|mothers|fathers|"
    r"mums|dads|(?:Mrs|Mr|Ms|Miss|Mx)\.?\s+[A-Z][\w'-]+)"
)
_WISH_OTHER_WORDS = re.compile(
    r"\b(?:at the (?:request|wish|wishes|insistence|instruction) of|as (?:requested|asked|"
    rf"wished|instructed|preferred) by|on the (?:advice|instruction|say-so) of)\s+(?:the\s+|"
    rf"her\s+|his\s+|their\s+)?{_FAMILY_OR_NAMED}\b"
    r"|\bkept (?:with)?in the family\b|\b(?:private |internal )?family matter\b"
    rf"|\b{_FAMILY_OR_NAMED}\s+(?:has|have|had)\s+(?:it|this|things)\s+(?:in hand|under control)"
    rf"|\b{_FAMILY_OR_NAMED}\s+(?:is\s+|are\s+|was\s+|were\s+)?(?:not agreeable|opposed|"
    r"unwilling|reluctant|adamant|against|not willing|not happy|unhappy|does not agree|"
    r"do not agree|did not agree|says no|said no|say no|asked us not|asked that we do not|"
    r"managing it|managing this|are managing|is managing|will manage|dealing with it|"
    r"handling it)\b"
    rf"|\brespect(?:ing|ed)?\s+(?:the\s+)?{_FAMILY_OWNER}\s+(?:confidentiality|privacy|"
    r"wishes|views|decision)",
    re.IGNORECASE,
)


# "Left to the parents", "leave it with the family".
_LEFT_TO_FAMILY = re.compile(
    r"\b(?:left|leave|leaving|passed|handed)\s+(?:it\s+|this\s+)?(?:to|with)\s+(?:the\s+|her\s+|"
    rf"his\s+|their\s+)?{_FAMILY}\b",
    re.IGNORECASE,
)


def cites_family_wishes(text: str) -> bool:
    """True when a reason rests on what a parent, carer or family wants, or leaves it to
    them: never a ground for not referring or not acting (DOMAIN.md rule 3). Pronouns count
    only with a family word somewhere in the text ("the mother ... she does not want")."""
    wordings = (_FAMILY_NOUN_WISH, _CONSENT_REFUSED, _LEFT_TO_FAMILY, _WISH_OTHER_WORDS)
    if any(p.search(text) for p in wordings):
        return True
    for match in _FAMILY_WISH.finditer(text):
        subject = match.group(0).split()[0].lower()
        if subject in {"she", "he", "they"} and not _FAMILY_WORD.search(text):
            continue
        return True
    return False


def names_family(text: str) -> bool:
    """True when `text` names a parent, carer or relative ("Amy's mum", "the mother")."""
    return bool(_FAMILY_WORD.search(text))


FAMILY_WISHES_MESSAGE = (
    "A parent's or carer's wish is not a reason: it is recorded with the concern, but "
    "it does not decide what the school does. Give the safeguarding reason instead."
)

_NO_SUPPORT = re.compile(
    r"^\W*(?:none|nothing|n/?a|no\b)|\bno (?:further |more |other )?(?:support|action|help)\b"
    r"|\bnot (?:needed|required|necessary)\b"
    r"|\bnothing (?:from|by|at|in) (?:the )?school\b"
    r"|\b(?:monitor\w*|supervis\w*|handl\w*|dealt with|deal with|manag\w*|sort\w*)\s+"
    r"(?:\w+\s+){0,2}?at home\b",
    re.IGNORECASE,
)


def declines_support(text: str) -> bool:
    """True when a "support action" says there will be none, or leaves it to the family."""
    return bool(_NO_SUPPORT.search(text)) or cites_family_wishes(text)


NO_SUPPORT_MESSAGE = (
    "Describe the support this child will have from the school (for example pastoral "
    "check-ins, counselling, family liaison). The child did nothing wrong: support is "
    "planned whatever the family has said."
)

# Things written on a concern that read as investigating rather than listening.
_INVESTIGATING = [
    (
        re.compile(
            r"\b(?:interview(?:ed|ing|s)?|question(?:ed|ing)|quizz(?:ed|ing)|interrogat\w*|"
            r"cross-examin\w*|pressed (?:her|him|them)|made (?:her|him|them) (?:say|tell|"
            r"write)|asked (?:her|him|them) (?:to )?(?:name|show|explain why|who))\b",
            re.IGNORECASE,
        ),
        "a child questioned or interviewed",
    ),
    (
        re.compile(
            # Case-insensitive but for a name's capital ("Amy's mum", not "her mum").
            r"\b(?i:ask(?:ed|ing)?|spoke(?:n)? (?:to|with)|speak(?:ing)? (?:to|with)|rang|ring|"
            r"phoned|called|contacted|told|tell|informed|e-?mailed|messaged|texted|met|let|"
            r"canvass\w*|check(?:ed)? with)\b[^.;]{0,40}?\b(?:"
            r"(?:(?i:other|their|friends'|the girls'|the boys'|each|the other \w+'?s?)|"
            r"[A-Z][a-z]+'s)\s+(?i:parents?|families|family|mothers?|fathers?|mums?|dads?|carers?)"
            r"|(?i:(?:parents|families|mothers|fathers|mums|dads|carers) of (?:the )?(?:other|her "
            r"friends|his friends|the friends)))\b",
        ),
        "other parents asked or told",
    ),
    (
        re.compile(
            r"\b(?:went|gone|going|looked|searched|scrolled|read) (?:through |at )?(?:all )?"
            r"(?:the|her|his|their|the child's|the girls'|the boys') (?:messages|phone|chats?|"
            r"texts|tablet|ipad|laptop|device)\b",
            re.IGNORECASE,
        ),
        "a child's device or messages searched",
    ),
    (
        re.compile(
            r"\b(?:deleted|delete|deleting|wiped|erased)\b[^.;]{0,30}?\b(?:images?|photos?|"
            r"pictures?|videos?|messages|chats?|nudes?)\b",
            re.IGNORECASE,
        ),
        "evidence deleted",
    ),
    (re.compile(r"\bcanvass\w*", re.IGNORECASE), "other parents asked or told"),
    (
        re.compile(
            r"\b(?:look(?:ed)? at|view(?:ed)?|saw|seen|opened|checked|went through|"
            r"scroll(?:ed)? through|screenshot(?:ted)?|copied|forwarded|printed)\b[^.;]{0,30}?"
            r"\b(?:images?|photos?|pictures?|videos?|nudes?)\b",
            re.IGNORECASE,
        ),
        "images viewed or copied",
    ),
    (
        re.compile(
            r"\b(?:confront\w*|contact(?:ed)?|messag\w+|replied to|rang|called|warned)\b"
            r"[^.;]{0,30}?\b(?:offender|perpetrator|abuser|the adult|the man|the woman|the "
            r"account|the user|the stranger|special friend)\b",
            re.IGNORECASE,
        ),
        "the alleged offender contacted or alerted",
    ),
]


# What an account says that makes it about sexual harm, whatever category was chosen.
_SEXUAL_CONTENT = re.compile(
    r"\b(?:naked|nudes?|semi-nudes?|nudity|sexual\w*|sexting|private parts|"
    r"genitals?|porn\w*|indecent|topless|masturbat\w*|grooming|groomed|underwear "
    r"(?:pictures|photos|selfies|images))\b",
    re.IGNORECASE,
)


def misfiled_as_not_sexual(account: str, categories) -> bool:
    """The account speaks of sexual images or acts, but no category of sexual harm is
    chosen: the rules for sexual harm (the questions, the police, no images, a second
    signature) would not apply, so the DSL team is asked to look."""
    sexual = any(
        c.is_sexual or c.involves_sexual_imagery or c.adult_perpetrator for c in categories
    )
    return not sexual and bool(_SEXUAL_CONTENT.search(account))


MISFILED = "The account speaks of sexual images or acts, but no category of sexual harm is chosen"


def investigating(text: str) -> list[str]:
    """What in `text` reads as investigating rather than listening (for the DSL to review)."""
    found = []
    for pattern, label in _INVESTIGATING:
        if pattern.search(text) and label not in found:
            found.append(label)
    return found
