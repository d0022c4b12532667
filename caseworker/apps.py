from django.contrib.admin.apps import AdminConfig


class CaseworkerAdminConfig(AdminConfig):
    default_site = "caseworker.admin_site.CaseworkerAdminSite"
