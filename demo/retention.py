"""A file past its review date, so that the DSL team's review list has something to show: a
former Larkmoor High School pupil, now 27, whose concern from when she was 15 was referred to
children's social care and closed. The concern is recorded through the services by
Larkmoor's DSL team and back-dated, as demo.school does for the schools' other concerns."""

from datetime import date, time, timedelta

from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from concerns.models import Agency, ChildRole, YesNoUnknown
from demo.school import (
    _NO_TASKS,
    CHANGE_REASON,
    L_DEPUTY,
    L_DSL,
    LA_NUMBER,
    LARKMOOR,
    DemoResult,
    Tally,
    _days,
    _Demo,
    _hours,
    _safe,
)
from referrals import services as referral_services
from referrals.models import Method, Outcome, Referral
from retention.selectors import birthday
from safeguard.db import stamp_history
from schools.models import Gender, Pupil, School, User
from schools.pupil_import import upn_check_letter

# A made-up UPN from an entry year long before the sample register's.
UPN_BODY = f"{LA_NUMBER}{LARKMOOR.establishment}09901"
FORMER_UPN = upn_check_letter(UPN_BODY) + UPN_BODY
# How old she is at the load: past the review at 25 whatever the settings' default.
AGE = 27
# How long ago the concern was recorded: when she was 15, in Year 10.
CONCERN_YEARS_AGO = 12


def load_retention() -> dict[str, Tally]:
    """Add the former pupil and her concern, if missing. Call it outside any transaction: the
    alert the concern's recording queues is dropped only if the load commits first."""
    with override_settings(TASKS=_NO_TASKS):
        return _load()


@transaction.atomic
def _load() -> dict[str, Tally]:
    tally = Tally()
    larkmoor = School.objects.filter(urn=LARKMOOR.urn).first()
    users = {
        account: User.objects.filter(email=account.email).first() for account in (L_DSL, L_DEPUTY)
    }
    if larkmoor is None or None in users.values():
        return {"Files to review": tally}
    if Pupil.objects.filter(school=larkmoor, upn=FORMER_UPN).exists():
        tally.present += 1
        return {"Files to review": tally}

    now = timezone.now()
    today = timezone.localdate(now)
    # Born in early spring, AGE years and some weeks ago (never on 29 February).
    born = birthday(today, -AGE) - timedelta(days=40)
    born = born if (born.month, born.day) != (2, 29) else date(born.year, 2, 28)
    pupil = Pupil(
        school=larkmoor,
        upn=FORMER_UPN,
        legal_first_name="Rhiannon",
        legal_last_name="Ashdown",
        date_of_birth=born,
        gender=Gender.FEMALE,
        year_group="Year 13",
        is_on_roll=False,
    )
    stamp_history(pupil, by=None, reason=CHANGE_REASON)
    pupil.save()

    demo = _Demo(
        now=now,
        schools={LARKMOOR.urn: larkmoor},
        users=users,
        pupils={LARKMOOR.urn: [pupil]},
        result=DemoResult(),
    )
    story = demo.record(
        school=LARKMOOR,
        days_ago=CONCERN_YEARS_AGO * 365,
        at=time(11, 20),
        reporter=L_DEPUTY,
        children=[(pupil, ChildRole.SUBJECT)],
        categories=["neglect"],
        location="Year 10 form room, break time",
        adult_involved=YesNoUnknown.YES,
        account=(
            "She stayed behind at break and said: \"Mum hasn't been home since Thursday. "
            "There's no food in and the electric's run out. I've been looking after my little "
            "brother and taking him to school before I come in. I didn't want to tell anyone in "
            'case they take us away."'
        ),
    )
    story.check_safety(
        _hours(1),
        L_DSL,
        [
            _safe(
                "Her aunt came to school at lunchtime and is taking her and her brother home "
                "with her tonight; she has food and a key to the aunt's house.",
                spoken_to="Only me, at break, to tell her what happens next.",
            )
        ],
    )
    story.preserve_evidence(
        _hours(1.5),
        L_DSL,
        advice_to="Her aunt",
        advice_after=_hours(2),
        no_evidence_reason="What she said is recorded here; there is nothing else to keep.",
    )
    story.refer(
        _hours(2),
        L_DSL,
        agencies=[Agency.SOCIAL_CARE],
        methods={Agency.SOCIAL_CARE: Method.PORTAL},
        rationale=(
            "Two children left alone for four days with no food or power: neglect, referred "
            "to children's social care."
        ),
    )
    # Social care's answer came back within the week: nothing of hers is waiting on anyone.
    feedback_at = story._at(_days(4))
    story._run(
        _days(4),
        referral_services.referral_record_feedback,
        referral=Referral.objects.get(concern_id=story.concern_id),
        by=users[L_DSL],
        received_at=feedback_at,
        outcome=Outcome.ASSESSMENT,
        details="A child and family assessment; both children are to live with their aunt.",
    )
    story.support(
        _days(1),
        L_DSL,
        0,
        "Breakfast club and a weekly check-in with her head of year",
        "Head of Year 10",
        _days(21),
    )
    story.plan_support(_days(1), L_DSL, no_follow_up_reason="A concern about one household only.")
    story.close(
        _days(60),
        L_DSL,
        "Social care placed both children with their aunt under a child arrangements order. "
        "She is settled, attending every day and doing well.",
    )
    demo.timeline.backdate()
    tally.created += 1
    return {"Files to review": tally}
