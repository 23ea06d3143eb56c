"""National guidance cards, seeded into the database by a data migration in concerns/migrations.

A guidance card is short, practical national advice for one category of concern, shown to
the member of staff logging it and to the DSL. Fields: when_told (for the member of staff
hearing a disclosure), tell_family (the advice the DSL gives the child and family, then
recorded as given), do_not, report_to (whom, how urgently), removal (getting images removed;
"" when not about images) and source. "categories": [] means every concern. National cards
hold only national numbers: each school adds its MASH, LADO, police and Prevent contacts as
local cards. Keys are stable.

Sources (England): KCSIE 2024/2025 (DfE); Working Together to Safeguard Children 2023; UKCIS
Sharing nudes and semi-nudes (2024 update); NCA sextortion alert (April 2024); CEOP Safety
Centre and Thinkuknow; Report Remove (Childline and IWF); Take It Down (NCMEC); Prevent duty
and Channel duty guidance (Home Office, 2023); Domestic Abuse Act 2021; Operation Encompass;
NHS, Samaritans and Papyrus HOPELINE247; NSPCC and Childline.
"""

_KCSIE = "Keeping Children Safe in Education 2024/2025 (DfE)"
_WT = "Working Together to Safeguard Children 2023"
_UKCIS = (
    "UKCIS, Sharing nudes and semi-nudes: advice for education settings working with "
    "children and young people (2024 update)"
)
_REMOVAL_SOURCES = "Report Remove (Childline and IWF); Take It Down (NCMEC)"

# Shared by every card's "when_told": listen, don't investigate.
_LISTEN = (
    "- Stay calm and listen. Let them speak in their own words; don't interrupt.\n"
    "- Don't ask leading questions. If you must, use open prompts: 'Tell me more.'\n"
    "- Don't promise to keep it secret. Say who you must tell, and why.\n"
    "- Don't ask to see any images or messages, or ask them to show you injuries.\n"
    "- Tell them they were right to tell you, and that it is not their fault.\n"
    "- Write down their exact words as soon as you can, with the date and time.\n"
    "- Tell the DSL at once. Don't investigate or ask anyone else about it.\n"
)

# Shared by the "do_not" of cards about sexual images (UKCIS 2024).
_IMAGES_DO_NOT = (
    "- Don't view, copy, print, forward, screenshot or delete the images, even to 'check'.\n"
    "- Don't ask the child, or anyone else, to delete them.\n"
    "- Don't interview other children, or contact or canvass other parents.\n"
    "- Don't do anything that could alert the alleged offender.\n"
)

# Removal routes for sexual images of under-18s.
_REMOVAL = (
    "- Report Remove (Childline and IWF): under-18s can report nude images to be removed.\n"
    "- Take It Down (NCMEC): makes a digital fingerprint on your own device so participating\n"
    "  platforms can find and remove the image; the image itself is not uploaded.\n"
    "- Report the account and the content to the platform as well."
)

# One dict per card. "categories" lists the seeded category slugs the card applies to.
NATIONAL_CARDS = [
    {
        "key": "listen-dont-investigate",
        "categories": [],
        "title": "Any concern: listen, don't investigate",
        "when_told": _LISTEN + "- Tell them what happens next: who you will tell, and when.",
        "tell_family": (
            "- The DSL, not you, decides whether, when and how the family is told.\n"
            "- Parents are usually told, unless that could put the child or others at risk.\n"
            "- Consent is not needed to refer a child who may be at risk of significant harm.\n"
            "- Record the family's views and wishes, whether they were told, and if not, why not.\n"
            "- NSPCC helpline (0808 800 5000) for adults; Childline (0800 1111) for the child."
        ),
        "do_not": (
            "- Don't investigate: no questioning other children, staff or parents.\n"
            "- Don't confront the alleged abuser, or let them know what was said.\n"
            "- Don't examine the child, or ask them to undress or show injuries.\n"
            "- Don't tell colleagues who don't need to know.\n"
            "- Don't wait for proof, or decide for yourself that it isn't serious.\n"
            "- Don't delete or change anything: notes, messages or records."
        ),
        "report_to": (
            "- Immediate danger: call 999 now, then tell the DSL.\n"
            "- Everything else: the DSL (or a deputy) at once, the same day.\n"
            "- If the DSL can't be reached and you are worried, anyone can refer to children's\n"
            "  social care directly.\n"
            "- About a member of staff or volunteer: the headteacher (the chair of governors if\n"
            "  it is about the headteacher)."
        ),
        "removal": "",
        "source": (
            "Keeping Children Safe in Education 2024 and 2025 (DfE), Parts 1 and 4; "
            "Working Together to Safeguard Children 2023 (HM Government)"
        ),
    },
    {
        "key": "online-grooming-family",
        "categories": ["online-grooming"],
        "title": "Online grooming: an adult targeting a child online",
        "when_told": _LISTEN + "- They may still protect the 'friend'. Don't criticise either.",
        "tell_family": (
            "- Your child is not to blame. The adult is responsible, whatever your child sent.\n"
            "- Don't delete anything: messages, images, usernames, profile links, phone numbers.\n"
            "- Stop contact, but don't confront the person or pretend to be your child.\n"
            "- Keep the device safe; the police may need it.\n"
            "- Don't punish your child; they need to feel able to tell you more.\n"
            "- Thinkuknow has advice for parents; Childline (0800 1111) is there for your child."
        ),
        "do_not": _IMAGES_DO_NOT
        + (
            "- Don't message the suspect from the child's account, or pretend to be the child.\n"
            "- Staff don't look through the child's device or take it home."
        ),
        "report_to": (
            "- The DSL, at once. An adult seeking sexual images or a meeting with a child\n"
            "  is child sexual abuse: the DSL tells the police and children's social care.\n"
            "- A meeting is planned or the child is at immediate risk: 999.\n"
            "- Otherwise report the same day: police (101) or CEOP (CEOP Safety Centre).\n"
            "- Name any other children involved in the referral."
        ),
        "removal": _REMOVAL,
        "source": (
            "CEOP Safety Centre and Thinkuknow (National Crime Agency, CEOP Education); "
            f"{_UKCIS}; {_REMOVAL_SOURCES}; {_KCSIE}"
        ),
    },
    {
        "key": "sharing-nudes-family",
        "categories": ["sharing-nudes"],
        "title": "Sharing nudes and semi-nudes",
        "when_told": _LISTEN + "- Handed a device? Don't look. Turn it off; give it to the DSL.",
        "tell_family": (
            "- Your child is not in trouble for telling; the aim is to protect, not punish.\n"
            "- Don't delete anything until the DSL or the police say so.\n"
            "- Don't contact other children or their parents; leave that to school and police.\n"
            "- If police are involved, they can decide that action against a child is not in\n"
            "  the public interest (Outcome 21).\n"
            "- Childline (0800 1111) for your child; NSPCC helpline (0808 800 5000) for you."
        ),
        "do_not": _IMAGES_DO_NOT
        + (
            "- Staff don't search the child's device; the DSL decides what happens to it.\n"
            "- Don't blame or shame the child.\n"
            "- Don't treat a general e-safety letter to parents as dealing with it."
        ),
        "report_to": (
            "- The DSL, at once. The DSL holds an initial review meeting.\n"
            "- Refer at once to police and/or children's social care (MASH) if any of these hold:\n"
            "  an adult is involved; coercion, blackmail or grooming, or doubts about capacity\n"
            "  to consent; sexual acts unusual for the child's age, or violence; sexual acts\n"
            "  and any child under 13; immediate risk of harm (e.g. self-harm). If unsure, refer.\n"
            "- Immediate danger: 999."
        ),
        "removal": _REMOVAL,
        "source": f"{_UKCIS}; {_KCSIE}; {_REMOVAL_SOURCES}",
    },
    {
        "key": "sextortion-family",
        "categories": ["sextortion"],
        "title": "Sextortion: what the child and family must be told",
        "when_told": _LISTEN + "- They may talk of self-harm. Stay with them; get the DSL now.",
        "tell_family": (
            "- It is not your child's fault. The blackmailer is committing a crime.\n"
            "- Don't pay, or pay any more. Paying often leads to more demands.\n"
            "- Stop contact and block the account. Don't reply or negotiate.\n"
            "- Don't delete anything: messages, images, usernames, phone numbers,\n"
            "  bank or payment details.\n"
            "- Report to the police (999 if anyone is at immediate risk) or to CEOP.\n"
            "- Report the account to the platform; Childline (0800 1111) for your child."
        ),
        "do_not": _IMAGES_DO_NOT
        + (
            "- Family: don't pay, don't reply, don't threaten or confront the blackmailer.\n"
            "- Don't leave a distressed child alone; watch for signs of self-harm."
        ),
        "report_to": (
            "- The DSL, at once. This is blackmail of a child: the DSL refers to the police\n"
            "  and children's social care the same day.\n"
            "- Immediate risk (e.g. the child talks of suicide): 999.\n"
            "- Otherwise police (101) or CEOP (CEOP Safety Centre).\n"
            "- Act fast: offenders, often abroad, can go from contact to blackmail within an hour."
        ),
        "removal": _REMOVAL,
        "source": (
            "National Crime Agency alert on financially motivated sexual extortion, April 2024; "
            f"{_UKCIS}; CEOP Safety Centre; {_REMOVAL_SOURCES}"
        ),
    },
    {
        "key": "sexual-abuse-family",
        "categories": ["sexual-abuse"],
        "title": "Sexual abuse",
        "when_told": _LISTEN + "- Don't press for details or names; specialists will ask later.",
        "tell_family": (
            "- If a family member may be involved, the DSL takes advice from children's\n"
            "  social care or the police before anyone at home is told.\n"
            "- Your child did the right thing in telling, and is not to blame.\n"
            "- Don't question your child about it; police and social workers will do that.\n"
            "- Don't confront the person your child named.\n"
            "- If it was recent, don't wash clothing or bedding; ask the police what to keep.\n"
            "- NSPCC helpline (0808 800 5000); Childline (0800 1111) for your child."
        ),
        "do_not": (
            "- Don't question the child further, or ask them to repeat it to others.\n"
            "- Don't contact, confront or warn the alleged abuser.\n"
            "- Don't tell the parents yourself: that is the DSL's decision.\n"
            "- If images exist, don't view, copy, print, forward, screenshot or delete them.\n"
            "- Don't decide it is untrue, or wait for more proof."
        ),
        "report_to": (
            "- The DSL, at once. Immediate danger (e.g. going home to the abuser): 999.\n"
            "- The DSL refers to children's social care and the police, the same day.\n"
            "- About staff, a volunteer or a contractor: the headteacher (the chair of governors\n"
            "  if about the headteacher), who tells the LADO."
        ),
        "removal": _REMOVAL,
        "source": f"{_KCSIE}, Parts 1 and 4; {_WT}; NSPCC; {_REMOVAL_SOURCES}",
    },
    {
        "key": "child-on-child-family",
        "categories": ["child-on-child"],
        "title": "Child-on-child abuse, including sexual violence and harassment",
        "when_told": _LISTEN + "- Don't dismiss it as banter or 'part of growing up'.",
        "tell_family": (
            "- The DSL normally tells the parents of all the children involved, unless that\n"
            "  would put a child at risk.\n"
            "- The school will keep your child safe and tell you what it is doing.\n"
            "- The school can't share details about the other child.\n"
            "- Don't contact the other child or family, or post about it online.\n"
            "- Keep any messages or posts; don't delete them.\n"
            "- Childline (0800 1111) for your child; NSPCC helpline (0808 800 5000) for you."
        ),
        "do_not": (
            "- Don't dismiss it as banter, 'having a laugh' or 'boys being boys'.\n"
            "- Don't interview other children, or bring the children together to 'sort it out'.\n"
            "- Don't tell the other child what was said.\n"
            "- Don't view images or videos; if there are any, the nudes guidance applies.\n"
            "- Don't make the child who reported change their routine to avoid the other child."
        ),
        "report_to": (
            "- The DSL, at once. The DSL assesses risk and keeps the children apart if needed.\n"
            "- Rape, assault by penetration or sexual assault: report to the police, even if\n"
            "  the alleged perpetrator is under 10.\n"
            "- Children's social care if a child has been harmed or is at risk; both children\n"
            "  may need support.\n"
            "- Immediate danger: 999."
        ),
        "removal": "",
        "source": (
            f"{_KCSIE}, Part 5: child-on-child sexual violence and sexual harassment; {_WT}"
        ),
    },
    {
        "key": "physical-abuse-family",
        "categories": ["physical"],
        "title": "Physical abuse and injuries",
        "when_told": _LISTEN + "- Don't photograph injuries: use words and a body map.",
        "tell_family": (
            "- If a parent or carer may have caused the injury, the DSL speaks to children's\n"
            "  social care before anyone tells the family.\n"
            "- Otherwise the DSL tells parents what was seen and said, and what happens next.\n"
            "- Get medical help for any injury that needs it (NHS 111; 999 in an emergency).\n"
            "- NSPCC helpline (0808 800 5000) for advice and support."
        ),
        "do_not": (
            "- Don't photograph injuries, or ask anyone else to. Use a body map and words.\n"
            "- Don't examine the child, or ask them to undress or roll up clothing.\n"
            "- Don't ask the parents or the child how it happened to 'check' the story.\n"
            "- Don't let the child go home before the DSL has decided it is safe.\n"
            "- Don't contact the alleged abuser yourself."
        ),
        "report_to": (
            "- The DSL, at once, and before the child goes home.\n"
            "- Immediate danger: 999.\n"
            "- The DSL refers to children's social care; police if a crime may have happened.\n"
            "- About a member of staff: the headteacher, who tells the LADO."
        ),
        "removal": "",
        "source": f"{_KCSIE}; {_WT}",
    },
    {
        "key": "emotional-abuse-family",
        "categories": ["emotional"],
        "title": "Emotional abuse",
        "when_told": _LISTEN + "- It is often a pattern: record what you saw and heard.",
        "tell_family": (
            "- If a parent or carer may be responsible, the DSL takes advice before telling them.\n"
            "- Otherwise the DSL shares the worry openly and offers help, such as early help.\n"
            "- NSPCC helpline (0808 800 5000) for adults who want advice.\n"
            "- Childline (0800 1111) is there for the child, any time."
        ),
        "do_not": (
            "- Don't dismiss a single remark or incident: it may be part of a pattern.\n"
            "- Don't challenge the parent or carer about what the child said.\n"
            "- Don't keep notes in your head or a private notebook: record it here."
        ),
        "report_to": (
            "- The DSL, the same day. Immediate danger: 999.\n"
            "- The DSL reviews the child's chronology and decides: early help, or a referral\n"
            "  to children's social care under the local threshold document."
        ),
        "removal": "",
        "source": f"{_WT}; {_KCSIE}",
    },
    {
        "key": "neglect-family",
        "categories": ["neglect"],
        "title": "Neglect",
        "when_told": _LISTEN + "- Note what you see too: hunger, clothing, hygiene, tiredness.",
        "tell_family": (
            "- The DSL normally talks to parents openly and offers support, such as early help.\n"
            "- Early help needs consent; referring a child at risk of significant harm does not.\n"
            "- Point to practical help: food, clothing, housing, the GP or school nurse.\n"
            "- NSPCC helpline (0808 800 5000)."
        ),
        "do_not": (
            "- Don't ignore small signs because the family 'is struggling'.\n"
            "- Don't shame the child in front of others about clothes or hygiene.\n"
            "- Don't make home visits or checks yourself.\n"
            "- Don't wait for one big incident: report each worry."
        ),
        "report_to": (
            "- The DSL, the same day.\n"
            "- A young child left alone, or a child without food, warmth or care: the DSL at\n"
            "  once; 999 if in immediate danger.\n"
            "- The DSL decides: early help, or a referral to children's social care.\n"
            "- Repeated absence or missing education is a warning sign: tell the DSL."
        ),
        "removal": "",
        "source": f"{_WT} (definition of neglect); {_KCSIE}",
    },
    {
        "key": "domestic-abuse-family",
        "categories": ["domestic-abuse"],
        "title": "Domestic abuse at home",
        "when_told": _LISTEN + "- Seeing or hearing domestic abuse makes a child a victim too.",
        "tell_family": (
            "- The DSL speaks to the adult victim only when it is safe: never where the abuser\n"
            "  can hear, see or read it.\n"
            "- The National Domestic Abuse Helpline (Refuge) is free and open 24 hours.\n"
            "- In an emergency call 999. If you can't speak on a mobile, stay on the line and\n"
            "  press 55 when asked (Silent Solution).\n"
            "- Childline (0800 1111) for the child."
        ),
        "do_not": (
            "- Don't share concerns with the parent suspected of abuse.\n"
            "- Don't send letters, texts or emails home that the abuser might read.\n"
            "- Don't confront the alleged abuser, or ask the child to pass on messages.\n"
            "- Don't treat it as a 'private family matter'."
        ),
        "report_to": (
            "- The DSL, at once. Immediate danger: 999.\n"
            "- The DSL refers to children's social care; police if a crime may have happened.\n"
            "- Operation Encompass: police tell the school's key adult before the next school\n"
            "  day after a domestic abuse incident involving a pupil. Record and act on each one.\n"
            "- A pupil aged 16 or over abused by a partner is a domestic abuse victim too."
        ),
        "removal": "",
        "source": f"Domestic Abuse Act 2021; Operation Encompass; {_KCSIE}; {_WT}",
    },
    {
        "key": "self-harm-family",
        "categories": ["self-harm"],
        "title": "Self-harm and suicidal thoughts",
        "when_told": _LISTEN + "- Ask 'Are you thinking of suicide?' It is safe. Stay with them.",
        "tell_family": (
            "- Listen without anger or panic; self-harm is often a way of coping with distress.\n"
            "- Any overdose needs A&E, even if your child seems well. Call 999 in an emergency.\n"
            "- Make home safer: lock away medicines and sharp objects.\n"
            "- See the GP, or call NHS 111 and choose the mental health option for urgent help.\n"
            "- Papyrus HOPELINE247 (0800 068 4141); Samaritans (116 123); Childline (0800 1111)."
        ),
        "do_not": (
            "- Don't leave a child at immediate risk alone, even for a moment.\n"
            "- Don't ask them to promise to stop, or to show you their wounds.\n"
            "- Don't react with shock, anger or blame.\n"
            "- Don't assume it is 'attention seeking' or a phase.\n"
            "- Don't keep it secret because they ask you to."
        ),
        "report_to": (
            "- Immediate danger (overdose, serious injury, a plan to act): 999, then the DSL.\n"
            "- Otherwise the DSL, at once, the same day.\n"
            "- The DSL normally tells parents, unless that would put the child at risk, and\n"
            "  agrees support (GP, mental health services).\n"
            "- If linked to abuse or exploitation, the DSL refers to children's social care."
        ),
        "removal": "",
        "source": (
            "NHS (self-harm; help for suicidal thoughts); Samaritans; Papyrus Prevention of "
            f"Young Suicide (HOPELINE247); {_KCSIE}"
        ),
    },
    {
        "key": "radicalisation-family",
        "categories": ["radicalisation"],
        "title": "Radicalisation and extremism (Prevent)",
        "when_told": _LISTEN + "- Stay calm; don't argue with or mock their views.",
        "tell_family": (
            "- If the family may be involved, the DSL takes advice from the police or the\n"
            "  local Prevent team before telling them.\n"
            "- Prevent is about safeguarding. A referral does not give a child a criminal record.\n"
            "- Channel support is voluntary; for a child, parents are asked for consent.\n"
            "- ACT Early (actearly.uk) has advice for families worried about radicalisation."
        ),
        "do_not": (
            "- Don't confront the child or their contacts, or search belongings or devices.\n"
            "- Don't share or save extremist material; record where it was seen.\n"
            "- Don't dismiss it as a phase, or treat a referral as a punishment.\n"
            "- Don't alert anyone who may be radicalising the child."
        ),
        "report_to": (
            "- The DSL (the school's Prevent lead), the same day.\n"
            "- Immediate risk of harm or an attack: 999. Suspicious activity: Anti-Terrorist\n"
            "  Hotline 0800 789 321.\n"
            "- The DSL decides on a Prevent referral; a Channel panel decides on support.\n"
            "- Online terrorist material can be reported at gov.uk/report-terrorism."
        ),
        "removal": "",
        "source": (
            "Prevent duty guidance: England and Wales (Home Office, 2023); Channel duty "
            f"guidance (Home Office, 2023); {_KCSIE}"
        ),
    },
    {
        "key": "exploitation-family",
        "categories": ["exploitation"],
        "title": "Child sexual or criminal exploitation, including county lines",
        "when_told": _LISTEN + "- They may not see themselves as victims. Don't judge.",
        "tell_family": (
            "- Your child is a victim, even if they have been made to commit crimes.\n"
            "- If your child goes missing, tell the police at once (999 if in danger).\n"
            "- Note names, numbers, car registrations, places and unexplained money or gifts.\n"
            "- Don't delete messages or contacts on your child's phone.\n"
            "- NSPCC helpline (0808 800 5000); Childline (0800 1111) for your child."
        ),
        "do_not": (
            "- Don't confront suspected exploiters, or approach them in the community.\n"
            "- Don't treat the child as an offender, or blame them for their 'choices'.\n"
            "- Don't question the child in depth about crimes; leave that to the police.\n"
            "- If images exist, don't view, copy, print, forward, screenshot or delete them.\n"
            "- Don't ignore repeated absence or going missing."
        ),
        "report_to": (
            "- The DSL, at once. Immediate danger, or the child is missing: 999.\n"
            "- The DSL refers to children's social care and the police, the same day.\n"
            "- Police or children's social care can refer to the National Referral Mechanism\n"
            "  (modern slavery).\n"
            "- Pass on names, cars and places to the police."
        ),
        "removal": _REMOVAL,
        "source": (
            f"{_KCSIE}: child sexual and criminal exploitation, county lines; {_WT}; "
            f"Modern Slavery Act 2015 (National Referral Mechanism); {_REMOVAL_SOURCES}"
        ),
    },
]
