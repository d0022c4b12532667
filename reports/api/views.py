"""Reports API: request a report, list and read your own, download its files.

Thin: validation, access and auditing are in reports.services / reports.selectors.
Someone else's report is a 404.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from audit.submissions import IdempotentCreateMixin
from caseworker.lib.api import KeysetPagination
from reports.api.serializers import ReportRequestSerializer, ReportSerializer
from reports.downloads import report_file_response
from reports.selectors import report_get_for_user, reports_for_user
from reports.services import report_request, report_rerun


class ReportViewSet(
    IdempotentCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Your reports, newest first. POST queues a new one; poll its `status`."""

    serializer_class = ReportSerializer
    pagination_class = KeysetPagination
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    filter_backends: list = []

    def get_queryset(self):
        return reports_for_user(user=self.request.user)

    def get_object(self):
        return report_get_for_user(user=self.request.user, public_id=self.kwargs["id"])

    @extend_schema(request=ReportRequestSerializer, responses={201: ReportSerializer})
    def create(self, request):
        body = ReportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = report_request(
            actor=request.user,
            kind=body.validated_data["kind"],
            params=body.validated_data["params"],
        )
        report.refresh_from_db()
        data = ReportSerializer(report, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiResponse(description="The file")}
    )
    @action(detail=True, methods=["get"], url_path=r"download/(?P<fmt>pdf|xlsx|csv)")
    def download(self, request, id=None, fmt=None):
        return report_file_response(request=request, report=self.get_object(), fmt=fmt)

    @extend_schema(request=None, responses={201: ReportSerializer})
    @action(detail=True, methods=["post"])
    def rerun(self, request, id=None):
        """The same report again; a stuck original (queued or running too long) is failed
        first. A report still being produced normally is a 400."""
        report = report_rerun(actor=request.user, report=self.get_object())
        report.refresh_from_db()
        data = ReportSerializer(report, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)
