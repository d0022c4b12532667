"""Session lifetime (an idle timeout and an absolute lifetime, whatever the cookie says)
and the second sign-in step."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

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


class TwoFactorMiddleware:
    """A session signed in with a password alone reaches only the second-factor page and
    log out: every other page, the admin site, token creation and the API included.

    The session holds django-otp's device key once a code was accepted (and the session
    key was cycled). Devices are only removed by an admin reset, which also ends the
    user's sessions, so trusting the key costs no query per request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.TWO_FACTOR_REQUIRED
            and request.user.is_authenticated
            and not two_factor_passed(request)
            and request.path not in {reverse("two-factor"), reverse("logout")}
            and not request.path.startswith(settings.STATIC_URL)
        ):
            return two_factor_needed(request)
        return self.get_response(request)


def two_factor_passed(request) -> bool:
    return DEVICE_ID_SESSION_KEY in request.session


def two_factor_needed(request):
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": "Complete the second sign-in step, or use an API token."}, status=401
        )
        response["WWW-Authenticate"] = "Token"
        return response
    target = f"{reverse('two-factor')}?{urlencode({'next': request.get_full_path()})}"
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return HttpResponseRedirect(target)
