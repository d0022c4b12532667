"""Agencies, agreements and imports: read-only for every staff role (DESIGN.md)."""

from django.db.models import Prefetch
from rest_framework import permissions, viewsets

from accounts.access import access_for
from agencies.api import serializers as s
from agencies.filters import AgencyFilterSet, AgreementFilterSet
from agencies.models import Agency, Agreement, AgreementImport
from caseworker.lib.api import KeysetPagination


class ReadsDirectory(permissions.BasePermission):
    def has_permission(self, request, view):
        return access_for(request.user).can_read_directory


class _ReadOnly(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated, ReadsDirectory]
    pagination_class = KeysetPagination
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"


class AgencyViewSet(_ReadOnly):
    """The agency directory with each agency's aliases and agreements."""

    serializer_class = s.AgencySerializer
    filterset_class = AgencyFilterSet
    queryset = Agency.objects.prefetch_related(
        "aliases", Prefetch("agreements", queryset=Agreement.objects.order_by("model", "id"))
    )


class AgreementViewSet(_ReadOnly):
    """287(g) agreements with their pending/active periods."""

    serializer_class = s.AgreementSerializer
    filterset_class = AgreementFilterSet
    queryset = Agreement.objects.select_related("agency").prefetch_related("periods")


class ImportViewSet(_ReadOnly):
    """Runs of the 287(g) import, newest first."""

    filterset_class = None
    queryset = AgreementImport.objects.order_by("-created_at", "-id")

    def get_serializer_class(self):
        return s.ImportDetailSerializer if self.action == "retrieve" else s.ImportSerializer
