from django.core.management.base import BaseCommand, CommandError

from safeguard.errors import WorkflowError
from schools import services
from schools.invitations import invitation_days, invitation_link


class Command(BaseCommand):
    help = (
        "Add a school to this deployment with its first administrator, and print the link "
        "with which that administrator chooses their password (pass it on securely; it works "
        "once and expires). Creates one school and, unless the e-mail address already has an "
        "account, one user; the administrator then invites everyone else from the People "
        "page. Refuses a URN already here. Changes nothing else."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="The school's name")
        parser.add_argument("--urn", required=True, help="Its unique reference number")
        parser.add_argument("--admin-name", required=True, help="The administrator's full name")
        parser.add_argument("--admin-email", required=True, help="Their e-mail address")

    def handle(self, *args, **options):
        try:
            membership = services.school_add(
                name=options["name"],
                urn=options["urn"],
                admin_full_name=options["admin_name"],
                admin_email=options["admin_email"],
            )
        except WorkflowError as error:
            raise CommandError(str(error)) from None
        user = membership.user
        self.stdout.write(f"Added {membership.school.name} (URN {membership.school.urn}).")
        if user.has_usable_password():
            self.stdout.write(f"{user.email} already signs in; they are its administrator now.")
            return
        self.stdout.write(
            f"{user.full_name} is its administrator. Send them this link to choose their "
            f"password (it expires in {invitation_days()} days):"
        )
        self.stdout.write(invitation_link(user))
