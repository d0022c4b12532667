"""/api/v1/: each app's API routes plus the OpenAPI schema and docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.decorators import api_view, authentication_classes, permission_classes, schema
from rest_framework.permissions import AllowAny

from caseworker.api_token import api_token


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
    # The split view serves Swagger UI's start-up code as a script file: no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("token/", api_token, name="api-token"),
    re_path(r"^[\s\S]*$", not_found, name="api-not-found"),
]
