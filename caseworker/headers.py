"""Response headers that apply to every dynamic response."""

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """`Cache-Control: no-store` (and private, max-age=0) on every page, API response and
    download: almost all of them carry client data, and a shared or back-button cache must
    never keep a copy. Static files are answered by WhiteNoise before this runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
