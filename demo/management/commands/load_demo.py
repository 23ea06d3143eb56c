import os
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from demo import school as demo
from demo.leavers import load_leavers
from demo.oversight import load_registers
from demo.retention import load_retention
from demo.subject_access import load_subject_access
from demo.terms import load_terms


class Command(BaseCommand):
    help = (
        "Load the fictional demo data, adding only what is missing: running it again changes "
        "nothing. Creates three schools in the made-up local authority Demoshire: "
        f"'{demo.HOLLYBROOK.name}' (URN {demo.HOLLYBROOK.urn}), a primary with about 300 "
        f"pupils from Reception to Year 6; '{demo.LARKMOOR.name}' (URN {demo.LARKMOOR.urn}), a "
        "secondary with a sixth form, with a sample register of about 90 pupils from Year 7 "
        f"to Year 13; and '{demo.OTHER.name}' (URN {demo.OTHER.urn}) with about 20. Each "
        "pupil has one or two household contacts; names are drawn from built-in lists with a "
        "fixed seed, so every run draws the same registers, and every pupil and contact gets a "
        f"creation history row. Creates {len(demo.ACCOUNTS)} logins (staff@, dsl@, deputy@, "
        "governor@ and admin@ at demo.example for Hollybrook and at larkmoor.example for "
        "Larkmoor, dsl@other.example for the other school) with the password in the "
        f"DEMO_PASSWORD environment variable, by default '{demo.DEFAULT_PASSWORD}', and gives "
        "all but the staff@ logins an authenticator app with the demo key (see demo_code); if "
        "one of those logins exists, its password, active status and demo role are put back. "
        f"Records {len(demo.stories())} concerns through the concern services, back-dated "
        "over the last three months and left at every step from Recorded to Closed at both "
        "Hollybrook and Larkmoor (with the immediate-referral questions answered, referrals, "
        "decisions not to refer with their ground and countersignature, advice given, "
        "children not yet identified and a flagged entry), adds Hollybrook's own guidance "
        "card with its local contacts, and sends no alert e-mail. Schools, pupils, contacts, "
        "logins, concerns and cards are found by URN, UPN, contact priority, e-mail address, "
        "account text and card title; existing ones are otherwise never changed, and nothing "
        "is deleted. Then adds Hollybrook's safeguarding registers (training records, "
        "policies, named roles) and answers to its oversight checklist, finding each by person "
        "and course, policy title, role and holder, or question; an answered question is left "
        "alone. Last, enters each school's term dates for last year, this year and next year, "
        "worked out from the usual English pattern (demo.terms), for any year that has none. "
        "Then, where no leaving date is recorded, gives Hollybrook's Year 6 the last day of the "
        "summer term as their leaving date, for Larkmoor High School, and one Hollybrook child "
        "with a concern a leaving date seven school days ago, for a school outside the demo "
        "(demo.leavers), recorded by Hollybrook's DSL with a history row each. Last, adds a former "
        "Larkmoor pupil, now 27, found by her UPN, with a concern from when she was 15, referred "
        "and closed, back-dated, so that her file is due for review (demo.retention); and, if "
        "Larkmoor has none, a subject access request from the parent of a Larkmoor pupil named "
        "in a concern, received 24 days ago, with their identity checked (demo.subject_access)."
    )

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD") or demo.DEFAULT_PASSWORD
        started = time.monotonic()
        result = demo.load_demo(password=password)
        registers = load_registers()
        terms = load_terms()
        leavers = load_leavers()
        retention = load_retention()
        subject_access = load_subject_access()
        elapsed = time.monotonic() - started

        for label, tally in {
            **result.tallies(),
            **registers,
            **terms,
            **leavers,
            **retention,
            **subject_access,
        }.items():
            self.stdout.write(
                f"{label + ':':<20} created {tally.created:>4}, already present {tally.present:>4}"
            )
        if result.accounts_reset:
            self.stdout.write(
                "Password, role or access put back for: " + ", ".join(result.accounts_reset)
            )
        self.stdout.write(f"Done in {elapsed:.1f} s.")

        today = timezone.localdate()
        walkthrough = [
            f"{p.full_name} ({p.class_name}, aged {p.age_on(today)}, "
            f"{p.get_boarding_display().lower()})"
            for p in result.walkthrough
        ]
        self.stdout.write("")
        self.stdout.write(
            f"Pupils for the walkthrough, at {demo.HOLLYBROOK.name}: {', '.join(walkthrough)}"
        )

        self.stdout.write("")
        self.stdout.write("Demo logins")
        width = max(len(account.email) for account in demo.ACCOUNTS)
        for school in (demo.HOLLYBROOK, demo.LARKMOOR, demo.OTHER):
            accounts = [account for account in demo.ACCOUNTS if account.school == school]
            self.stdout.write(f"  {school.name} ({school.phase})")
            for account in accounts:
                self.stdout.write(f"    {account.email:<{width}}  {account.role.label}")
        self.stdout.write(f"Password for all of them: {password}")
        self.stdout.write(
            "All but the staff@ logins then ask for a code from an authenticator app: run "
            "`make code` (or `manage.py demo_code`) for the current one, or add the demo key "
            f"{demo.DEMO_TOTP_SECRET} to an authenticator app."
        )
