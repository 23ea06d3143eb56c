from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = "Schools, people and pupils"

    def ready(self):
        from safeguard.db import grant_runtime_role
        from schools import receivers  # noqa: F401  (connects the sign-in receiver)

        # Once per migrate (sender: this app), after every app's migrations have run.
        post_migrate.connect(grant_runtime_role, sender=self, dispatch_uid="grant_runtime_role")
