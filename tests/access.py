"""The shared access check for pages: who gets what, for the whole cast at once.

`statuses(client, request, url)` asks `url` as anonymous and as each member of the cast
(tests/conftest.py): the caseworker and attorney of the record's office (alice, bob), the
same roles of another office (carol, dave), a director (erin) and an admin (frank). A test
compares the answer with the expected row, so a view that forgets a rule fails for the
person it lets in, by name.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import resolve_url

CAST = ("alice", "bob", "carol", "dave", "erin", "frank")
WHO = ("anonymous", *CAST)


LOGIN = "login"  # a redirect to the login page, coming back to the same address


def statuses(client, request, url: str, *, method: str = "get", data=None) -> dict:
    """The status code each of WHO gets (redirects not followed; LOGIN for a redirect to the
    login page). Bodies sent to write endpoints should be invalid, so an allowed user
    changes nothing (400 with the form's errors)."""
    send = getattr(client, method)
    result: dict = {}
    for who in WHO:
        client.logout()
        if who != "anonymous":
            client.force_login(request.getfixturevalue(who))
        response = send(url, data or {})
        result[who] = response.status_code
        if response.status_code == 302 and response["Location"].startswith(
            f"{resolve_url(settings.LOGIN_URL)}?next="
        ):
            result[who] = LOGIN
    client.logout()
    return result


def expect(anonymous, alice, bob, carol, dave, erin, frank) -> dict:
    """One row of the matrix, in WHO order."""
    return dict(zip(WHO, (anonymous, alice, bob, carol, dave, erin, frank), strict=True))


# Rows most pages share.
OWN_OFFICE_RECORD = expect(LOGIN, 200, 200, 404, 404, 200, 404)  # a north case's pages
OWN_OFFICE_WRITE = expect(LOGIN, 400, 400, 404, 404, 403, 404)  # an invalid write to it
CASE_READERS = expect(LOGIN, 200, 200, 200, 200, 200, 403)  # lists of visible cases
