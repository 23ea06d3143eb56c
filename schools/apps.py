from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = "Schools, people and pupils"

    def ready(self):
        from schools import receivers  # noqa: F401  (connects the sign-in receiver)
