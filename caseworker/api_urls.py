"""/api/v1/: each app's API routes plus the OpenAPI schema and docs."""

from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import exceptions
from rest_framework.decorators import api_view, authentication_classes, permission_classes, schema
from rest_framework.permissions import AllowAny


@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@permission_classes([AllowAny])
@authentication_classes([])
@schema(None)
def not_found(request, *args, **kwargs):
    """Unknown paths under /api/v1/ (e.g. a malformed id) answer in JSON like any API error."""
    raise exceptions.NotFound()


urlpatterns = [
    path("", include("agencies.api.urls")),
    path("", include("cases.api.urls")),
    path("", include("reports.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Tokens are made and revoked on the account page.
    path("token/", RedirectView.as_view(url="/account/#api-tokens"), name="api-token"),
    re_path(r"^[\s\S]*$", not_found, name="api-not-found"),
]
