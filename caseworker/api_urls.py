"""/api/v1/: each app's API routes plus the OpenAPI schema and docs."""

from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.decorators import api_view, authentication_classes, permission_classes, schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse


@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@permission_classes([AllowAny])
@authentication_classes([])
@schema(None)
def not_found(request, *args, **kwargs):
    """Unknown paths under /api/v1/ (e.g. a malformed id) answer in JSON like any API error."""
    raise exceptions.NotFound()


# What /api/v1/ lists: collections by route name, then the schema, docs and token pages.
ROOT_ENDPOINTS = [
    ("cases", "api-case-list"),
    ("clients", "api-client-list"),
    ("events", "api-event-list"),
    ("saved_searches", "api-saved-search-list"),
    ("agencies", "api-agency-list"),
    ("agreements", "api-agreement-list"),
    ("imports", "api-import-list"),
    ("reports", "api-report-list"),
    ("schema", "api-schema"),
    ("docs", "api-docs"),
    ("token", "api-token"),
]


@api_view(["GET"])
@schema(None)
def api_root(request):
    """The API's entry point: a link to each collection and to the schema and docs."""
    return Response({name: reverse(route, request=request) for name, route in ROOT_ENDPOINTS})


urlpatterns = [
    path("", api_root, name="api-root"),
    path("", include("agencies.api.urls")),
    path("", include("cases.api.urls")),
    path("", include("reports.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up code as a script file: no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Tokens are made and revoked on the account page.
    path("token/", RedirectView.as_view(url="/account/#api-tokens"), name="api-token"),
    re_path(r"^[\s\S]*$", not_found, name="api-not-found"),
]
