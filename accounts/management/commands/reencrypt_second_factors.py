from django.core.management.base import BaseCommand

from accounts.services import second_factors_reencrypt


class Command(BaseCommand):
    help = (
        "After SECRET_KEY has been changed (the old key kept in SECRET_KEY_FALLBACKS), encrypt "
        "every authenticator app's secret and recovery codes with the new SECRET_KEY, so that "
        "the old key can then be dropped. Changes only those encrypted values; secrets already "
        "on the new key, and any that no key can read, are left as they are. Reports counts."
    )

    def handle(self, *args, **options):
        counts = second_factors_reencrypt()
        self.stdout.write(
            f"{counts['reencrypted']} second-factor secrets re-encrypted with the current "
            f"SECRET_KEY; {counts['current']} already used it."
        )
        if counts["unreadable"]:
            self.stderr.write(
                f"{counts['unreadable']} could not be read with SECRET_KEY or any key in "
                "SECRET_KEY_FALLBACKS and were left as they are: their owners cannot use their "
                "authenticator app or recovery codes until their school administrator resets "
                "their second factor (People, then their name)."
            )
