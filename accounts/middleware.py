"""Session lifetime: an idle timeout and an absolute lifetime, whatever the cookie says."""

import time

from django.conf import settings
from django.contrib.auth import logout

SESSION_STARTED = "auth_started"
SESSION_SEEN = "auth_seen"
# Refresh the last-seen time at most this often, so a page view rarely writes the session.
SEEN_GRANULARITY = 60


class SessionLifetimeMiddleware:
    """Logs out a session idle longer than SESSION_IDLE_SECONDS or older than
    SESSION_MAX_SECONDS (both counted from the sign-in that created it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.get(SESSION_STARTED, 0)
            seen = request.session.get(SESSION_SEEN, 0)
            if (
                now - started > settings.SESSION_MAX_SECONDS
                or now - seen > settings.SESSION_IDLE_SECONDS
            ):
                logout(request)
            elif now - seen > SEEN_GRANULARITY:
                request.session[SESSION_SEEN] = now
        return self.get_response(request)
