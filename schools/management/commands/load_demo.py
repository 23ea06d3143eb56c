import os
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from oversight.demo import load_registers
from schools import demo


class Command(BaseCommand):
    help = (
        "Load the fictional demo data, adding only what is missing: running it again changes "
        "nothing. Creates two schools in the made-up local authority Demoshire, "
        f"'{demo.HOLLYBROOK.name}' (URN {demo.HOLLYBROOK.urn}) with about 300 pupils from "
        f"Reception to Year 6 and '{demo.OTHER.name}' (URN {demo.OTHER.urn}) with about 20, "
        "each pupil with one or two household contacts; names are drawn from built-in lists "
        "with a fixed seed, so every run draws the same register, and every pupil and contact "
        "gets a creation history row. Creates six logins (staff@, dsl@, deputy@, governor@ and "
        "admin@demo.example at Hollybrook, dsl@other.example at the other school) with the "
        "password in the DEMO_PASSWORD environment variable, by default "
        f"'{demo.DEFAULT_PASSWORD}', and gives all but staff@ an authenticator app with the "
        "demo key (see demo_code); if one of those six exists, its password, active status "
        f"and demo role are put back. Records {len(demo.STORIES)} concerns through the concern "
        "services, back-dated over the last three months and left at every step from Recorded "
        "to Closed, and sends no alert e-mail for them. Schools, pupils, contacts, logins and "
        "concerns are found by URN, UPN, contact priority, e-mail address and account text; "
        "existing ones are otherwise never changed, and nothing is deleted. Then adds "
        "Hollybrook's safeguarding registers (training records, policies, named roles) and "
        "answers to its oversight checklist, finding each by person and course, policy title, "
        "role and holder, or question; an answered question is left alone."
    )

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD") or demo.DEFAULT_PASSWORD
        started = time.monotonic()
        result = demo.load_demo(password=password)
        registers = load_registers()
        elapsed = time.monotonic() - started

        for label, tally in {**result.tallies(), **registers}.items():
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
        self.stdout.write(f"  {'E-mail':<{width}}  Role")
        for account in demo.ACCOUNTS:
            self.stdout.write(
                f"  {account.email:<{width}}  {account.role.label}, {account.school.name}"
            )
        self.stdout.write(f"Password for all of them: {password}")
        self.stdout.write(
            "All but staff@ then ask for a code from an authenticator app: run "
            "`make code` (or `manage.py demo_code`) for the current one, or add the demo key "
            f"{demo.DEMO_TOTP_SECRET} to an authenticator app."
        )
