from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Sign-in and second factors"

    def ready(self):
        from accounts import receivers  # noqa: F401
