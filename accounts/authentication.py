"""REST API authentication with personal tokens (`Authorization: Token <key>`).

A module of its own: REST_FRAMEWORK's DEFAULT_AUTHENTICATION_CLASSES is imported while
rest_framework.views loads, so this must not import anything that imports DRF views.
"""

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.tokens import token_authenticate


class ApiTokenAuthentication(TokenAuthentication):
    """DRF's `Token` header scheme (so the schema documents it as tokenAuth) over
    accounts.ApiToken: the key is looked up by its hash; expired tokens, tokens of
    deactivated users and unknown keys all get the same 401."""

    def authenticate(self, request):
        self.ip = request.META.get("REMOTE_ADDR")
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        token = token_authenticate(key, ip=self.ip)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or expired token.")
        return token.user, token
