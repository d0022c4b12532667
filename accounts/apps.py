from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Staff and offices"

    def ready(self):
        from accounts import signals  # noqa: F401  (connects the sign-in audit receivers)
