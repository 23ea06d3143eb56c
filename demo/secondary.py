"""Larkmoor High School's demo concerns: a secondary with a sixth form, whose safeguarding
looks different from a primary's (sextortion, exploitation, radicalisation, self-harm,
teenagers with nowhere to sleep).

Each story records one concern through the services and takes it as far as its step, as
`demo.school` does for Hollybrook, so that the school has a concern at every step and one
of each thing the rules ask for: a sextortion case with its payment and the advice given, a
decision not to refer on the threshold ground countersigned by the deputy, a decision
waiting for its countersignature, a child not yet identified, and an entry flagged for the
team to review. Accounts are written as staff would write them: the speaker's own words, no
acronyms, and no names, so that a story's account identifies it whatever the register holds.
Every name, place, account and number is fictional.
"""

from collections.abc import Callable
from datetime import time

from django.utils import timezone

from concerns.models import (
    Agency,
    ChildRole,
    DiscloserType,
    FollowUpKind,
    NotReferGround,
    YesNoUnknown,
)
from demo.school import (
    L_DEPUTY,
    L_DSL,
    L_STAFF,
    LARKMOOR,
    _days,
    _Demo,
    _hours,
    _minutes,
    _NotReferring,
    _safe,
)
from referrals.models import Method
from schools.models import Gender

GIRL, BOY = Gender.FEMALE, Gender.MALE


def _sofa_surfing(demo: _Demo) -> None:
    # Recorded this morning, not yet seen by the team: new in the queue.
    demo.record(
        school=LARKMOOR,
        days_ago=0,
        at=time(11, 10),
        reporter=L_STAFF,
        children=[(demo.pupil(LARKMOOR, "Year 13", GIRL), ChildRole.SUBJECT)],
        categories=["other", "emotional"],
        location="English classroom, after the lesson",
        disclosed_before=_minutes(10),
        adult_involved=YesNoUnknown.NO,
        account=(
            "She stayed behind after the lesson and said: \"Since my mum's new partner moved in "
            "he told me to get out and not come back. I've been sleeping on friends' sofas for "
            "two weeks, and last night I couldn't find anywhere, so I sat in the bus station "
            "until it was light. I don't know where I'm going tonight.\"\n"
            "She looked exhausted and had her belongings in two bags. I told her she had done "
            "the right thing and that I would pass it on straight away to the people who can "
            "help her find somewhere safe to stay tonight."
        ),
    )


def _the_boy_at_the_bus_stop(demo: _Demo) -> None:
    # A child not yet identified: the open item stays on the concern until he is named
    # from the register or his description is passed to the police.
    story = demo.record(
        school=LARKMOOR,
        days_ago=2,
        at=time(8, 50),
        reporter=L_STAFF,
        children=[(demo.pupil(LARKMOOR, "Year 8", BOY), ChildRole.SUBJECT)],
        categories=["child-on-child", "physical"],
        location="Form room, morning registration",
        disclosed_before=_minutes(15),
        adult_involved=YesNoUnknown.NO,
        unnamed_children=(
            "A Year 9 boy from the bus stop on Quarry Lane, name not known: tall, black puffer "
            "jacket, gets off the number 12 bus",
        ),
        account=(
            'At registration he asked to speak to me outside and said: "A boy in Year 9 at '
            "the bus stop on Quarry Lane took my phone yesterday and punched me in the stomach. "
            "He said if I told anyone he'd get me after school. He's done it to me before. I "
            "don't know his name.\" He was holding his stomach and said it still hurt. I "
            "told him he was right to tell me and that I would pass it on."
        ),
    )
    if story:
        story.check_safety(
            _minutes(50),
            L_DEPUTY,
            [
                _safe(
                    "Seen by the first aider, who found no injury that needs treatment. His "
                    "mother is collecting him from reception after school this week, and a "
                    "member of staff is at the Quarry Lane stop at home time.",
                    spoken_to=(
                        "His form tutor, who listened at registration and told him what would "
                        "happen next. He has not been asked for more."
                    ),
                )
            ],
        )


def _picture_in_the_year_group_chat(demo: _Demo) -> None:
    # The form tutor's note about other parents reads as investigating: flagged, and left
    # for the team to review.
    girl = demo.pupil(LARKMOOR, "Year 8", GIRL, mother=True)
    story = demo.record(
        school=LARKMOOR,
        days_ago=5,
        at=time(12, 40),
        reporter=L_STAFF,
        children=[
            (girl, ChildRole.SUBJECT),
            (demo.pupil(LARKMOOR, "Year 8", BOY, 1), ChildRole.ALLEGED_HARMER),
        ],
        categories=["sharing-nudes"],
        location="Outside the library, at lunchtime",
        disclosed_before=_minutes(15),
        adult_involved=YesNoUnknown.NO,
        account=(
            'She was crying outside the library and said: "I sent a picture of me in my bra to '
            "a boy in my year because he kept asking and said he'd stop talking to me if I "
            "didn't. Last night he put it in the year group chat and now everyone's seen it. I "
            'want to die." She did not show me her phone and I did not ask to see it. I told '
            "her she was not in trouble and that I would get help for her straight away."
        ),
    )
    if not story:
        return
    story.check_safety(
        _minutes(20),
        L_DSL,
        [
            _safe(
                "Stayed with me in the pastoral office until her mother came at 2 pm. She said "
                "she had no plan to hurt herself; her mother will stay with her tonight and "
                "call 999 if that changes.",
                spoken_to=(
                    "Her form tutor, who listened at lunchtime, and me, to check she is safe "
                    "now. Nothing about the picture has been asked of her."
                ),
            ),
            _safe(
                "In lessons. His phone was handed in, switched off, and is locked in the "
                "safeguarding office until the police say what they need.",
                spoken_to=(
                    "His head of year, only to tell him his phone must be handed in switched "
                    "off and that his parents were being told."
                ),
            ),
        ],
    )
    story.evidence(
        _hours(1),
        L_DSL,
        description=(
            "The picture she sent, as she describes it, and the year group chat it was posted "
            "in; not looked at, copied or forwarded by staff"
        ),
        platform="Snapchat, then a year group chat",
        usernames="The chat is named after the year group",
        location="Her phone, at home with her mother; his phone, switched off",
        held_by="Her mother (her phone) and the DSL (his phone, in the safeguarding office)",
        device_custody="His phone switched off, sealed in an envelope and locked away",
    )
    story.advice(
        _hours(1.2),
        L_DSL,
        "sharing-nudes-family",
        given_to="Her mother, at school",
        given_after=_hours(1.4),
        notes="Report Remove explained to her and her mother, for getting the picture taken down.",
    )
    story.preserve_evidence(_hours(1.3), L_DSL, advice_to="Her mother", advice_after=_hours(1.4))
    story.note(
        _days(1),
        L_STAFF,
        "I asked the other parents whether their children were in the year group chat, so "
        "that we would know how far it had gone.",
    )


def _pictures_between_sixth_formers(demo: _Demo) -> None:
    # None of the immediate-referral criteria is met, so guidance lets the school handle it
    # on the MASH's advice; it is about sexual images, so the decision not to refer waits for
    # a second member of the team to countersign it.
    girl = demo.pupil(LARKMOOR, "Year 12", GIRL, mother=True)
    story = demo.record(
        school=LARKMOOR,
        days_ago=7,
        at=time(13, 20),
        reporter=L_DEPUTY,
        children=[
            (girl, ChildRole.SUBJECT),
            (demo.pupil(LARKMOOR, "Year 12", BOY, 1), ChildRole.AFFECTED),
        ],
        categories=["sharing-nudes"],
        location="Sixth form office, lunchtime",
        disclosed_before=_minutes(10),
        adult_involved=YesNoUnknown.NO,
        account=(
            'She came to the sixth form office and said: "My boyfriend and I sent each other '
            "pictures over the summer, with nothing on. We've split up now and I keep worrying "
            "he still has mine. He says he's deleted them and he's never shown anyone, and I "
            "believe him really, but I can't stop thinking about it.\" She said they are both "
            "sixteen and it was never something either of them was pushed into."
        ),
    )
    if not story:
        return
    spoken_to = (
        "The head of sixth form, who listened when she came to the office; the boy has only "
        "been told by the safeguarding lead what was reported and that he is not in trouble."
    )
    story.check_safety(
        _hours(1),
        L_DSL,
        [
            _safe("In lessons, calm; she knows she can come back at any time.", spoken_to),
            _safe("In lessons; his parents know it was reported.", spoken_to),
        ],
    )
    story.evidence(
        _hours(1.5),
        L_DSL,
        description="Pictures the two sent each other, as she describes them; not looked at by "
        "staff",
        platform="Snapchat",
        location="Their phones, as far as either knows",
        held_by="Each of them",
    )
    story.advice(
        _hours(1.6),
        L_DSL,
        "sharing-nudes-family",
        given_to="Her and her mother, at school",
        given_after=_hours(3),
        notes="Report Remove explained to her, if a picture is ever shared.",
    )
    story.preserve_evidence(
        _hours(1.6), L_DSL, advice_to="Her and her mother", advice_after=_hours(3)
    )
    story.assess_criteria(
        _days(1),
        L_DSL,
        notes="Both are sixteen, sharing within a relationship, not passed on, no pressure "
        "either way and no sign of harm to either of them.",
    )
    story.do_not_refer(
        _days(1) + _hours(1),
        L_DSL,
        rationale=(
            "Both are sixteen, the pictures were shared within a relationship with no pressure "
            "and have not been passed on, and none of the immediate-referral criteria is met. "
            "The MASH consultation line advised that the school handle it under the guidance on "
            "sharing nudes, with both young people. We will refer at once if a picture has "
            "been passed on or anything new comes to light."
        ),
        ground=_NotReferring(
            NotReferGround.ADVICE,
            contact="Duty social worker, Demoshire MASH consultation line",
            contact_after=_days(1) - _hours(1),
            advice=(
                "No referral needed: manage in school under the UKCIS guidance, with support "
                "for both young people, and refer if the pictures have been shared further."
            ),
        ),
    )


def _videos_he_watches_every_night(demo: _Demo) -> None:
    # Not referred, on the advice of the police's Prevent team.
    story = demo.record(
        school=LARKMOOR,
        days_ago=9,
        at=time(14, 30),
        reporter=L_STAFF,
        children=[(demo.pupil(LARKMOOR, "Year 11", BOY, 1), ChildRole.SUBJECT)],
        categories=["radicalisation"],
        location="Year 11 history lesson",
        disclosed_before=_minutes(40),
        discloser_type=DiscloserType.STAFF_OBSERVATION,
        account=(
            'In a lesson on the Second World War he said to the class: "The channel I watch '
            "every night says people like them are taking over and violence is the only thing "
            'that works. Someone should do something about it, and one day I will." When I '
            'said we do not talk about people like that in this room, he said: "You\'ll see." '
            "He did not show anyone anything on his phone."
        ),
    )
    if not story:
        return
    story.check_safety(
        _hours(1),
        L_DSL,
        [
            _safe(
                "In school for the rest of the day. No sign of a plan to hurt anyone; he has "
                "no access to weapons that his parents know of. His father was told after "
                "school.",
                spoken_to=(
                    "His history teacher, who told him she would pass on what he said, and me, "
                    "to tell him why it was passed on and what happens next."
                ),
            )
        ],
    )
    story.advice(
        _hours(1.5),
        L_DSL,
        "radicalisation-family",
        given_to="His father, by telephone",
        given_after=_hours(2),
    )
    story.preserve_evidence(
        _hours(2),
        L_DSL,
        advice_to="His father",
        advice_after=_hours(2),
        no_evidence_reason=(
            "What he said is recorded here in his teacher's words; he showed no material to "
            "anyone, and the channel's name is passed to the Prevent team."
        ),
    )
    story.do_not_refer(
        _days(1),
        L_DSL,
        rationale=(
            "Discussed with the police Prevent team the next morning. There is no sign of a "
            "plan or of contact with anyone behind the channel, and he has no history of "
            "concern; they advised support in school rather than a Channel referral for now. "
            "We will contact them again at once if anything changes."
        ),
        ground=_NotReferring(
            NotReferGround.ADVICE,
            contact="Prevent officer, Demoshire Police Prevent team",
            contact_after=_days(1) - _hours(2),
            advice=(
                "Not a Channel referral at this stage. The school to work with him on the "
                "views he has repeated, through his mentor and the citizenship curriculum, and "
                "to call the Prevent team again if he talks of acting or names a target."
            ),
        ),
    )
    # Whether an adult is behind the channel is not known, so a second person signs.
    story.countersign(
        _days(1) + _hours(2),
        L_DEPUTY,
        "I have read the Prevent officer's advice and the record: support in school with a "
        "call back to Prevent at any change is right for now. I agree.",
    )


def _paid_once_then_blackmailed(demo: _Demo) -> None:
    # Sextortion (National Crime Agency alert, April 2024): blackmail by definition, so the
    # immediate-referral criteria are met; the payment is kept as evidence for the police.
    disclosed = timezone.localdate(demo.school_day(20, time(8, 45)))
    boy = demo.choose(
        LARKMOOR,
        BOY,
        where=lambda p: p.year_group in ("Year 10", "Year 11") and p.age_on(disclosed) == 15,
        prefer=lambda p: p.year_group != "Year 11",
    )
    story = demo.record(
        school=LARKMOOR,
        days_ago=20,
        at=time(8, 45),
        reporter=L_STAFF,
        children=[(boy, ChildRole.SUBJECT)],
        categories=["sextortion"],
        location="Form room, before registration",
        disclosed_before=_minutes(10),
        account=(
            'He came in before registration, shaking, and said: "On Tuesday I started talking '
            "to a girl on Instagram who said she was sixteen and went to another school. She "
            "sent me pictures and got me to send one of me naked. Straight away the account "
            "said they'd send it to everyone I follow unless I paid sixty pounds, so I paid "
            "it from my bank account. Now they want two hundred more by tonight or they'll "
            "post it. I haven't told my mum and dad. I feel like my life is over.\"\n"
            "I told him it is not his fault, that he is not in trouble, and that I was going "
            "to get the safeguarding lead straight away. I stayed with him until she came."
        ),
    )
    if not story:
        return
    story.check_safety(
        _minutes(30),
        L_DSL,
        [
            _safe(
                "Stayed with me in the pastoral office. His mother came in at 10.30; she "
                "knows not to leave him on his own tonight and to ring 999 if he talks of "
                "harming himself. The deadline of tonight was passed to the police.",
                spoken_to=(
                    "His form tutor, who listened when he came to her before registration, and "
                    "me, to tell him what happens next. Nothing more has been asked of him."
                ),
            )
        ],
    )
    story.evidence(
        _hours(1.5),
        L_DSL,
        description=(
            "Messages from the account, with the threat and the demands for money; not looked "
            "at by staff"
        ),
        platform="Instagram direct messages",
        usernames="The account's name as he remembers it (it has changed it since)",
        location="His phone",
        held_by="His mother",
        device_custody="His phone stays with his parents, switched on and nothing deleted, "
        "until the police say what they need",
    )
    story.evidence(
        _hours(1.5),
        L_DSL,
        description="The record of the payment of sixty pounds, with the payee's bank details",
        platform="His bank's app",
        location="His phone",
        held_by="His mother",
    )
    story.advice(
        _hours(1.8),
        L_DSL,
        "sextortion-family",
        given_to="Him and his mother, together",
        given_after=_hours(1.75),
        notes="Don't pay any more; stop contact and block the account; don't delete anything. "
        "Report Remove shown to him for the picture.",
    )
    story.preserve_evidence(
        _hours(1.9),
        L_DSL,
        advice_to="Him and his mother",
        advice_after=_hours(1.75),
        payment_made=YesNoUnknown.YES,
        payment_details=(
            "Sixty pounds on Tuesday evening, by bank transfer from his own current account "
            "to a payee called 'QuickPay Services 7'; the sort code and account number are in "
            "his banking app, kept as they are. A further two hundred pounds was demanded by "
            "tonight: nothing more has been paid."
        ),
    )
    story.assess_criteria(
        _hours(2),
        L_DSL,
        harm_risk=YesNoUnknown.YES,
        notes="He said he feels his life is over: treated as a risk of harm because of the "
        "sharing.",
    )
    story.refer(
        _hours(2.2),
        L_DSL,
        agencies=[Agency.SOCIAL_CARE, Agency.POLICE],
        methods={Agency.POLICE: Method.PHONE_101},
        rationale=(
            "Sextortion is blackmail of a child, a crime, and he spoke of his life being over. "
            "Referred at once to children's social care and the police, who took the account "
            "and payment details."
        ),
    )
    support = [
        ("Daily check-in with his head of year for the next four weeks", "Head of Year 11"),
        ("Weekly sessions with the school counsellor", L_DSL.full_name),
    ]
    for action, owner in support:
        story.support(_days(2), L_DSL, 0, action, owner, _days(28))
    story.follow_up(
        _days(2),
        L_DSL,
        FollowUpKind.PUPIL_LESSONS,
        "Assembly and tutor-time lessons for Years 9 to 13 on sextortion: it is blackmail and "
        "never the young person's fault; don't pay, stop contact, don't delete, tell someone",
        L_DSL.full_name,
        _days(14),
    )
    story.follow_up(
        _days(2),
        L_DSL,
        FollowUpKind.PARENT_SESSION,
        "Letter and online session for parents on sextortion, from the National Crime "
        "Agency's alert",
        L_DSL.full_name,
        _days(28),
    )
    story.plan_support(_days(2), L_DSL)


def _hungry_in_year_7(demo: _Demo) -> None:
    # Not referred on the threshold ground (early help instead, with a review date), and
    # countersigned by the deputy: the family's adults are involved.
    story = demo.record(
        school=LARKMOOR,
        days_ago=26,
        at=time(10, 50),
        reporter=L_STAFF,
        children=[(demo.pupil(LARKMOOR, "Year 7", BOY), ChildRole.SUBJECT)],
        categories=["neglect"],
        location="Canteen, break time",
        discloser_type=DiscloserType.STAFF_OBSERVATION,
        adult_involved=YesNoUnknown.YES,
        account=(
            "For two weeks he has come to the canteen at break asking for leftover toast. "
            "Today he said: \"There's nothing in at home till Mum gets paid. She works nights "
            'so I get myself up and come in." His blazer is too small and his shoes are split '
            "across the toe. He has been late eleven times this half term."
        ),
    )
    if not story:
        return
    story.check_safety(
        _hours(1),
        L_DSL,
        [
            _safe(
                "In school. A free breakfast from tomorrow and a food bank voucher today. I "
                "spoke to his mother by telephone when she woke: she was upset and accepted "
                "help with uniform and an early help assessment.",
                spoken_to=(
                    "The canteen assistant, who listened at break, and his head of year, to "
                    "tell him about breakfast club."
                ),
            )
        ],
    )
    story.preserve_evidence(
        _hours(2),
        L_DSL,
        advice_to="His mother",
        advice_after=_hours(5),
        no_evidence_reason=(
            "What was seen and said is recorded here; his attendance record is in the school's "
            "information system."
        ),
    )
    story.do_not_refer(
        _days(1),
        L_DSL,
        rationale=(
            "Neglect from money worries and a parent working nights, not a risk of significant "
            "harm: he is safe, fed in school from today and his mother accepted help at once. "
            "It meets level 2 of the threshold document, so early help rather than a referral. "
            "We will refer if the assessment stalls or there are new concerns."
        ),
        ground=_NotReferring(
            NotReferGround.THRESHOLD,
            threshold_level="Level 2 (additional needs, early help) of the Demoshire threshold "
            "document",
            advice=(
                "An early help assessment with the family, led by the school's family support "
                "worker, with a team around the family meeting within four weeks; breakfast "
                "club and uniform from school in the meantime."
            ),
            review_in=_days(42),
        ),
    )
    story.countersign(
        _days(1) + _hours(3),
        L_DEPUTY,
        "I have read the record and spoken to the family support worker: level 2 is right, "
        "early help is in place and the review is booked. I agree.",
    )
    story.support(
        _days(2),
        L_DSL,
        0,
        "Free breakfast club every morning and a check-in with his form tutor at registration",
        "His form tutor",
        _days(21),
    )
    story.support(
        _days(2),
        L_DSL,
        0,
        "Early help assessment and team around the family meetings",
        "Family support worker",
        _days(28),
    )
    story.plan_support(
        _days(2),
        L_DSL,
        no_follow_up_reason="A need in one household: nothing school-wide to change.",
    )


def _parcels_for_an_older_lad(demo: _Demo) -> None:
    # Criminal exploitation: the immediate-referral questions are asked, an adult is
    # involved, so social care and the police.
    boy = demo.pupil(LARKMOOR, "Year 10", BOY, mother=True)
    mother = boy.contacts.all()[0]
    story = demo.record(
        school=LARKMOOR,
        days_ago=14,
        at=time(9, 30),
        reporter=L_DSL,
        children=[(boy, ChildRole.SUBJECT)],
        categories=["exploitation"],
        location="Telephone call to the safeguarding lead",
        disclosed_before=_minutes(5),
        discloser_type=DiscloserType.PARENT_CARER,
        discloser_name=mother.name,
        discloser_relationship=mother.relationship,
        adult_involved=YesNoUnknown.YES,
        account=(
            "His mother rang and said: \"He didn't come home on Saturday night. He turned up "
            "on Sunday afternoon with three hundred pounds and a second phone that keeps "
            "ringing. He says an older lad with a car gives him money to drop parcels off in "
            "Larkmoor and over in the next town. He's fifteen. I'm frightened for him.\" She "
            "had reported him missing on Saturday night and told the police he was home."
        ),
    )
    if not story:
        return
    story.check_safety(
        _hours(1),
        L_DSL,
        [
            _safe(
                "In school today. His mother will collect him and knows to report him missing "
                "to the police at once if he does not come home.",
                spoken_to=(
                    "His head of year, who told him he is not in trouble and that he can come "
                    "to her; nothing was asked about the parcels."
                ),
            )
        ],
    )
    story.evidence(
        _hours(1.5),
        L_DSL,
        description="The second phone he was given, with its contacts and messages",
        location="At home",
        held_by="His mother",
        device_custody="Switched off and kept by his mother, for the police",
    )
    story.advice(
        _hours(1.5),
        L_DSL,
        "exploitation-family",
        given_to="His mother, by telephone",
        given_after=_hours(1.5),
    )
    story.preserve_evidence(_hours(1.6), L_DSL, advice_to="His mother", advice_after=_hours(1.5))
    story.assess_criteria(
        _hours(2),
        L_DSL,
        coercion=YesNoUnknown.YES,
        notes="Money and a phone from an older man to carry parcels: grooming for criminal "
        "exploitation. No images are known of.",
    )
    story.refer(
        _hours(2.5),
        L_DSL,
        agencies=[Agency.SOCIAL_CARE, Agency.POLICE],
        methods={Agency.POLICE: Method.PHONE_101},
        rationale=(
            "Missing overnight, cash, a second phone and an older man with a car: criminal "
            "exploitation (county lines). Referred to children's social care and the police "
            "the same morning."
        ),
    )


def _cuts_since_the_summer(demo: _Demo) -> None:
    # Closed: referred to the mental health service, support reviewed, outcome recorded.
    story = demo.record(
        school=LARKMOOR,
        days_ago=60,
        at=time(15, 40),
        reporter=L_STAFF,
        children=[(demo.pupil(LARKMOOR, "Year 11", GIRL, 1), ChildRole.SUBJECT)],
        categories=["self-harm"],
        location="English classroom, after school",
        adult_involved=YesNoUnknown.NO,
        account=(
            "She waited until the others had gone and said: \"I've been cutting my legs since "
            "the summer, with a blade from a pencil sharpener. Last night it was worse and I "
            "thought about not being here any more. I haven't told anyone.\" She said the cuts "
            "were covered. I did not ask to see them. I told her I was glad she had told me and "
            "that I would stay with her while I got help."
        ),
    )
    if not story:
        return
    story.check_safety(
        _minutes(20),
        L_DSL,
        [
            _safe(
                "Seen by the school nurse, who checked the cuts were clean and covered. Her "
                "father collected her and took her to their doctor the same evening; a safety "
                "plan was agreed with her and him.",
                spoken_to=(
                    "Her English teacher, who listened and stayed with her, and the school "
                    "nurse, for first aid and the safety plan."
                ),
            )
        ],
    )
    story.advice(
        _minutes(40),
        L_DSL,
        "self-harm-family",
        given_to="Her father, at school",
        given_after=_minutes(50),
    )
    story.preserve_evidence(
        _minutes(45),
        L_DSL,
        advice_to="Her father",
        advice_after=_minutes(50),
        no_evidence_reason="The concern is what she told her teacher, recorded here.",
    )
    story.refer(
        _days(1),
        L_DSL,
        agencies=[Agency.OTHER],
        agency_names={Agency.OTHER: "Demoshire children's mental health service"},
        rationale=(
            "Self-harm for months and thoughts of not being here: referred to the children's "
            "mental health service, with her doctor's referral, for assessment."
        ),
    )
    story.support(
        _days(1),
        L_DSL,
        0,
        "Weekly sessions with the school counsellor until the mental health service sees her",
        "School counsellor",
        _days(21),
    )
    story.support(
        _days(1),
        L_DSL,
        0,
        "A time-out card for lessons and a named adult to go to (her head of year)",
        "Head of Year 11",
        _days(21),
    )
    story.follow_up(
        _days(1),
        L_DSL,
        FollowUpKind.STAFF_TRAINING,
        "Self-harm awareness briefing for all form tutors: listening, first aid, passing it on",
        L_DSL.full_name,
        _days(30),
    )
    story.plan_support(_days(1), L_DSL)
    story.close(
        _days(55),
        L_DSL,
        "Assessed by the children's mental health service and in weekly therapy. No self-harm "
        "for five weeks, she says; the safety plan is working and she uses her time-out card "
        "less. Counselling continues in school.",
    )


def _police_at_the_house_on_saturday(demo: _Demo) -> None:
    # Closed, after his younger sister (at another school) was passed to social care, who
    # know which school she attends.
    story = demo.record(
        school=LARKMOOR,
        days_ago=45,
        at=time(9, 15),
        reporter=L_DEPUTY,
        children=[(demo.pupil(LARKMOOR, "Year 12", BOY), ChildRole.SUBJECT)],
        categories=["domestic-abuse"],
        location="Sixth form office",
        disclosed_before=_minutes(20),
        adult_involved=YesNoUnknown.YES,
        unnamed_children=("His younger sister, about eight, at a primary school",),
        account=(
            'He came to the sixth form office and said: "The police came to our house on '
            "Saturday night. Dad pushed Mum down the stairs and she hit her head. My little "
            "sister saw it. We're at my gran's now but Dad keeps texting Mum saying he's "
            "sorry and he's coming to get us.\""
        ),
    )
    if not story:
        return
    story.check_safety(
        _hours(1),
        L_DEPUTY,
        [
            _safe(
                "His mother confirmed by telephone that the police arrested his father, who is "
                "on bail not to contact her or go to the house; the family are at his "
                "grandmother's and she has a police reference for any breach.",
                spoken_to=(
                    "Only me: I listened in the sixth form office and told him what happens next."
                ),
            )
        ],
    )
    story.preserve_evidence(
        _hours(1.5),
        L_DEPUTY,
        advice_to="His mother",
        advice_after=_hours(1),
        no_evidence_reason=(
            "The police hold the evidence of Saturday night and the father's texts to the "
            "mother; nothing else to record here."
        ),
    )
    story.refer(
        _hours(3),
        L_DSL,
        agencies=[Agency.SOCIAL_CARE],
        methods={Agency.SOCIAL_CARE: Method.PORTAL},
        rationale=(
            "Serious domestic abuse witnessed by two children, with the father trying to "
            "contact the family against his bail conditions: referred to children's social "
            "care, naming his sister."
        ),
    )
    story.pass_on(
        _hours(3.2),
        L_DSL,
        passed_to="Demoshire MASH, in the referral, with her name as he gave it",
    )
    story.support(
        _days(1),
        L_DEPUTY,
        0,
        "Weekly check-in with the head of sixth form, and study leave if he needs it",
        L_DEPUTY.full_name,
        _days(21),
    )
    story.plan_support(
        _days(1),
        L_DEPUTY,
        no_follow_up_reason="A concern about one household: nothing school-wide to change.",
    )
    story.close(
        _days(40),
        L_DSL,
        "Children's social care assessed the family; his father is not living at home and the "
        "family have support from the domestic abuse service. He is back in his lessons and "
        "says things are calmer.",
    )


STORIES: tuple[Callable[[_Demo], None], ...] = (
    _cuts_since_the_summer,
    _police_at_the_house_on_saturday,
    _hungry_in_year_7,
    _paid_once_then_blackmailed,
    _parcels_for_an_older_lad,
    _videos_he_watches_every_night,
    _pictures_between_sixth_formers,
    _picture_in_the_year_group_chat,
    _the_boy_at_the_bus_stop,
    _sofa_surfing,
)
