"""Web helpers shared by every app's pages: sign-in (htmx-aware), caching, client address,
and showing a service's rules on a form. Nothing here knows about an app's models."""

from __future__ import annotations

from functools import wraps
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import resolve_url


def login_required(view):
    """login_required that also copes with htmx requests after the session expired.

    A plain redirect would swap the login page into a fragment of the page; instead the
    browser is sent to the login page with `next` set to the page the user was on, and
    the page's draft (kept in the browser) is restored when they come back.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if getattr(request, "htmx", False):
            back = request.htmx.current_url_abs_path or "/"
            response = HttpResponse(status=200)
            response["HX-Redirect"] = f"{resolve_url(settings.LOGIN_URL)}?next={quote(back)}"
            return response
        return redirect_to_login(request.get_full_path())

    return wrapper


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def private(response):
    """Pages with client data must not be kept by shared caches or the back/forward cache."""
    response["Cache-Control"] = "private, no-store"
    return response


def form_and_rules_valid(form, validate, fields_of) -> bool:
    """Parse the form and apply the service's rules (`validate(fields=...)`) to whatever
    parsed, so every problem on the page is shown in one round trip. The service applies
    the same rules again when saving; this only explains them earlier."""
    valid = form.is_valid()
    try:
        validate(fields=fields_of(form))
    except ValidationError as exc:
        by_field = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
        for key, errors in by_field.items():
            name = key if key in form.fields else None
            if name is None and not valid:
                continue  # e.g. "field required" again, after the form's own message
            if name is not None and form.has_error(name):
                continue
            form.add_error(name, errors)
        valid = False
    return valid
