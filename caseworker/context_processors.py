from django.conf import settings
from django.urls import NoReverseMatch, reverse

from accounts.access import access_for

# (label, url name, Access attribute that must be true). Entries whose URL is not
# installed are skipped, so an app can be left out without breaking the layout.
NAV = [
    ("Home", "home", None),
    ("Intake", "cases:intake", "can_open_cases"),
    ("Cases", "cases:list", "can_read_cases"),
    ("Deadlines", "cases:deadlines", "can_read_cases"),
    ("Agencies", "agencies:list", "can_read_directory"),
    ("Imports", "agencies:imports", "can_read_directory"),
    ("Reports", "reports:list", "can_request_quarterly"),
    ("API", "api-docs", "can_read_cases"),
    ("Admin", "admin:index", "can_manage_users"),
]


def org(request):
    context = {"ORG_NAME": settings.ORG_NAME, "TWO_FACTOR_REQUIRED": settings.TWO_FACTOR_REQUIRED}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    access = access_for(user)
    links = []
    for label, name, needs in NAV:
        if needs and not getattr(access, needs):
            continue
        try:
            links.append((label, reverse(name)))
        except NoReverseMatch:
            continue
    context["nav_links"] = links
    # The header's search box (client name, A-number, case number) goes to the case list.
    if access.can_read_cases:
        context["header_search_url"] = reverse("cases:list")
    context["unread_notifications"] = user.notifications.filter(read_at__isnull=True).count()
    return context
