from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core.management.base import BaseCommand

from demo import school as demo


class Command(BaseCommand):
    help = (
        "Print the code the demo authenticator app shows now (it changes every 30 seconds), "
        "for signing in as a demo DSL, deputy, governor or administrator. Changes nothing. "
        f"The demo key, {demo.DEMO_TOTP_SECRET}, can also be added to any authenticator app."
    )

    def handle(self, *args, **options):
        # The current period's code (the middle of those accepted), not the oldest still
        # accepted, which may stop working within seconds of being printed.
        counters = list(yield_hotp_counters_from_time())
        counter = counters[len(counters) // 2]
        self.stdout.write(format_hotp_value(hotp_value(demo.DEMO_TOTP_SECRET, counter)))
