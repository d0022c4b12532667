"""REST API plumbing shared by every app's api/ package.

- `exception_handler`: Django's ValidationError, PermissionDenied and Http404 become
  JSON 4xx with field messages (services raise Django's exceptions, not DRF's).
- `StrictFilterBackend`: unknown query parameters are a 400 for any FilterSet.
- `KeysetPagination`: cursor pages of a capped size over an ordering ending in the
  primary key (see caseworker.lib.keyset); the 100th page costs what the first does.
- `PerUserThrottle` / `AnonThrottle`: request rates per user (so per token) and per address.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, serializers
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from caseworker.lib.filtering import unknown_params, unknown_params_message
from caseworker.lib.keyset import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, keyset_paginate, page_size_from


def _detail(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if key == "__all__" else key): messages
            for key, messages in exc.message_dict.items()
        }
    return {"non_field_errors": exc.messages}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_detail(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend, refusing parameters the FilterSet does not declare."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            unknown = unknown_params(request.query_params, ())
        else:
            unknown = unknown_params(request.query_params, filterset.base_filters)
        if unknown:
            raise exceptions.ValidationError(
                {"non_field_errors": [unknown_params_message(unknown)]}
            )
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            errors = {
                ("non_field_errors" if key == "__all__" else key): value
                for key, value in filterset.errors.items()
            }
            raise exceptions.ValidationError(errors)
        return filterset.qs


class KeysetPagination(BasePagination):
    """`?cursor=` pages, `?page_size=` up to MAX_PAGE_SIZE; no COUNT on every page."""

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        try:
            size = page_size_from(request.query_params.get(self.page_size_query_param))
            self.page = keyset_paginate(
                queryset,
                cursor=request.query_params.get(self.cursor_query_param),
                page_size=size,
            )
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(_detail(exc)) from None
        self.request = request
        return self.page.items

    def _link(self, cursor):
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_paginated_response(self, data):
        return Response(
            {
                "next": self._link(self.page.next_cursor),
                "previous": self._link(self.page.previous_cursor),
                "results": data,
            }
        )

    def first_page_link(self):
        return remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque page position from a `next` or `previous` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page (default {DEFAULT_PAGE_SIZE}, "
                f"at most {MAX_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]


class PublicIdRelatedField(serializers.SlugRelatedField):
    """A related object by its public UUID, chosen from a queryset restricted per request.

    A UUID outside that queryset reads "does not exist", whether it is missing or
    belongs to another office, so a body never reveals another office's objects.
    """

    def __init__(self, queryset_for=None, **kwargs):
        self.queryset_for = queryset_for
        kwargs.setdefault("slug_field", "public_id")
        super().__init__(**kwargs)

    def get_queryset(self):
        if self.queryset_for is not None:
            return self.queryset_for(self.context["request"])
        return super().get_queryset()

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except DjangoValidationError:
            self.fail("invalid")


ERROR_COMPONENTS = {
    "ErrorDetail": {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationErrors": {
        "type": "object",
        "description": "Field name (or non_field_errors) to a list of messages.",
        "additionalProperties": {},
    },
}
ERROR_RESPONSES = {
    "400": ("Invalid parameters or body; messages per field.", "ValidationErrors"),
    "401": ("Not authenticated.", "ErrorDetail"),
    "403": ("Authenticated, but this role may not do this.", "ErrorDetail"),
    "404": ("No such object, or not one you may see.", "ErrorDetail"),
}


def error_responses_hook(result, generator, request, public):
    """drf-spectacular postprocessing hook: document the JSON 4xx every operation may give."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_COMPONENTS)
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and parameter["name"] != "cursor":
                    # An empty filter (an HTML form's blank field) means "no filter".
                    parameter["allowEmptyValue"] = True
            responses = operation.setdefault("responses", {})
            for code, (description, component) in ERROR_RESPONSES.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{component}"}
                            }
                        },
                    },
                )
    return result


class PerUserThrottle(UserRateThrottle):
    """Requests per authenticated user, whichever token or session they come with; the
    rate is read from settings per request (`API_THROTTLE_USER`), not frozen at import."""

    def get_rate(self):
        return settings.API_THROTTLE_USER


class AnonThrottle(AnonRateThrottle):
    """Unauthenticated requests per client address (`API_THROTTLE_ANON`)."""

    def get_rate(self):
        return settings.API_THROTTLE_ANON
