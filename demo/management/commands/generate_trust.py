import os

from django.core.management.base import BaseCommand, CommandError

from demo import school as demo
from demo import trust as trust_generator
from demo.trust import EMAIL_DOMAIN, STAFF_PER_SCHOOL, TRUST_NAME


class Command(BaseCommand):
    help = (
        f"Create '{TRUST_NAME}', a synthetic multi-academy trust for performance work, without "
        "going through the services (bulk COPY, a transaction per 10,000 concerns). Creates "
        "--schools schools (URNs 970001 upwards; every fourth a secondary with a sixth form) "
        "in the made-up local authority Demoshire; --pupils pupils spread across them (year "
        "groups on roll now, and those who have left since the first concern), each with one "
        "or two household contacts; per school a DSL, a deputy DSL, a governor, a school "
        f"administrator and {STAFF_PER_SCHOOL} members of staff (dsl@, deputy@, governor@, "
        f"admin@, staff01@... at <school>.{EMAIL_DOMAIN}) with the password in DEMO_PASSWORD, "
        f"by default '{demo.DEFAULT_PASSWORD}', and the demo authenticator app for every role "
        "that needs a second factor (see demo_code); --concerns concerns over the last --years "
        "years, each with one to three children, left at every workflow step (older ones "
        "mostly closed), with acknowledgements, assignments, safety checks (who has spoken to "
        "each child), evidence (and, for sextortion, whether anything was paid), the "
        "immediate-referral questions answered where they are asked, referrals (to children's "
        "social care and the police wherever a criterion is met; written confirmation, "
        "feedback, chasing), decisions not to refer with their ground and, where there is an "
        "indicator of risk, a second signature, support actions and reviews, school-wide "
        "follow-ups and notes, and the history rows the services would have left for each, so "
        "that every decision is one the referral rules allow. Sets the reference counters "
        "so that new concerns carry on from the last reference. The same --seed always "
        "gives the same trust. Refuses to run, changing nothing, if any of the trust's "
        "schools already exists; deletes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, default=10)
        parser.add_argument("--pupils", type=int, default=15_000)
        parser.add_argument("--concerns", type=int, default=100_000)
        parser.add_argument("--years", type=int, default=5)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="If the trust is already there, say so and use it (for make bench).",
        )

    def handle(self, *args, **options):
        for name in ("schools", "pupils", "years"):
            if options[name] < 1:
                raise CommandError(f"--{name} must be at least 1.")
        if options["concerns"] < 0:
            raise CommandError("--concerns cannot be negative.")
        password = os.environ.get("DEMO_PASSWORD") or demo.DEFAULT_PASSWORD
        present = trust_generator.existing_trust_schools(options["schools"])
        if present and options["if_missing"]:
            self.stdout.write(f"The trust is already generated ({len(present)} schools).")
            return
        if present:
            raise CommandError(
                f"The trust's schools already exist ({', '.join(present)}): nothing was "
                "created. Use a fresh database to generate the trust again."
            )
        result = trust_generator.generate_trust(
            schools=options["schools"],
            pupils=options["pupils"],
            concerns=options["concerns"],
            years=options["years"],
            seed=options["seed"],
            password=password,
            report=self.stdout.write,
        )

        self.stdout.write("")
        self.stdout.write("Rows written")
        width = max(len(label) for label in result.counts)
        for label, count in sorted(result.counts.items()):
            self.stdout.write(f"  {label:<{width}}  {count:>10,}")
        self.stdout.write(f"  {'history rows in total':<{width}}  {result.history_rows:>10,}")
        self.stdout.write(f"Done in {result.elapsed:.1f} s.")

        self.stdout.write("")
        self.stdout.write("Example logins (password for all of them: " + password + ")")
        for role, email in result.logins.items():
            self.stdout.write(f"  {role:<40} {email}")
        self.stdout.write(
            f"All but staff ask for a code: run `manage.py demo_code` or add the demo key "
            f"{demo.DEMO_TOTP_SECRET} to an authenticator app."
        )
        self.stdout.write("")
        if result.rich_concern:
            uuid, reference, rows, dsl = result.rich_concern
            self.stdout.write(
                f"Concern with a rich history: {uuid} ({reference}, {rows} history rows; "
                f"its DSL: {dsl})"
            )
        if result.busiest_pupil:
            uuid, name, count, dsl = result.busiest_pupil
            self.stdout.write(
                f"Pupil with the most concerns: {uuid} ({name}, {count} concerns; their DSL: {dsl})"
            )
        self.stdout.write(f"A school: {result.school_uuid} ({result.schools[0].name})")
