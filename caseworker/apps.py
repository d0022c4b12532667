from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class CaseworkerAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.CaseworkerAdminSite"


class CaseworkerConfig(AppConfig):
    """The project package as an app, so commands that compose every app (seed_demo)
    live above the apps rather than inside one of them."""

    name = "caseworker"
