"""Cases API: clients, cases, detention events, notes, deadlines and saved searches.

Thin views: querysets come from cases.selectors (visibility), lists from the shared
FilterSets, writes from cases.services. Another office's record is a 404.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from audit.submissions import IdempotentCreateMixin
from cases import selectors, services
from cases.api import serializers as s
from cases.filters import CaseFilterSet, ClientFilterSet, DetentionEventFilterSet
from cases.models import Client, Deadline, Note, SavedSearch
from caseworker.lib.api import KeysetPagination

UUID_RE = "[0-9a-fA-F-]{36}"


class _Base(viewsets.GenericViewSet):
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_RE
    pagination_class = KeysetPagination


class ClientViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Base):
    """Clients with at least one case you may read. Reading one in full is audited."""

    filterset_class = ClientFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]  # POST: reveal only

    def get_queryset(self):
        return Client.objects.visible_to(self.request.user)

    def get_serializer_class(self):
        return s.ClientListSerializer if self.action == "list" else s.ClientSerializer

    def get_object(self):
        client = selectors.client_get_for_user(user=self.request.user, public_id=self.kwargs["id"])
        if self.action == "retrieve":
            services.client_read_record(user=self.request.user, client=client)
        return client

    @extend_schema(request=None, responses={200: s.RevealSerializer})
    @action(detail=True, methods=["post"], url_path="reveal-a-number")
    def reveal_a_number(self, request, id=None):
        """The full A-number. Audited as a reveal, like the button on the client page."""
        client = self.get_object()
        number = services.client_reveal_a_number(user=request.user, client=client)
        return Response({"a_number": number})

    def partial_update(self, request, *args, **kwargs):
        client = self.get_object()
        serializer = s.ClientSerializer(client, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        client = services.client_update(
            actor=request.user, client=client, **serializer.validated_data
        )
        return Response(s.ClientSerializer(client).data)


class CaseViewSet(IdempotentCreateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, _Base):
    """Cases. Filters: see cases.filters (event filters mean one event matching all)."""

    filterset_class = CaseFilterSet
    serializer_class = s.CaseSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return selectors.cases_for_list(user=self.request.user)

    def get_object(self):
        return selectors.case_get_for_user(user=self.request.user, public_id=self.kwargs["id"])

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        services.case_read_record(user=request.user, case=case, what="Case (API)")
        return Response(s.CaseSerializer(case).data)

    @extend_schema(request=s.CaseOpenSerializer, responses={201: s.CaseSerializer})
    def create(self, request, *args, **kwargs):
        serializer = s.CaseOpenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        record = services.intake_record(
            actor=request.user,
            office=data["office"],
            client=data.get("client"),
            client_fields=data.get("new_client") or {},
            intake=dict(data["intake"]),
        )
        return Response(s.CaseSerializer(record.case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.CaseAssignSerializer, responses={200: s.CaseSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path="assign",
        filterset_class=None,
        pagination_class=None,
    )
    def assign(self, request, *args, **kwargs):
        """Set the caseworker and/or attorney (omitted ones stay; null unassigns)."""
        case = self.get_object()
        serializer = s.CaseAssignSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = services.case_assign(
            actor=request.user,
            case=case,
            caseworker=data.get("caseworker", case.caseworker),
            attorney=data.get("attorney", case.attorney),
        )
        return Response(s.CaseSerializer(case).data)

    @extend_schema(request=s.CaseStatusSerializer, responses={200: s.CaseSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path="status",
        filterset_class=None,
        pagination_class=None,
    )
    def set_status(self, request, *args, **kwargs):
        case = self.get_object()
        serializer = s.CaseStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.case_set_status(
            actor=request.user,
            case=case,
            status=serializer.validated_data["status"],
            outcome=serializer.validated_data.get("outcome", ""),
            closed_on=serializer.validated_data.get("closed_on"),
        )
        return Response(s.CaseSerializer(case).data)


class DetentionEventViewSet(
    IdempotentCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    _Base,
):
    """Detention events of visible cases; writes recompute the 287(g) snapshot."""

    filterset_class = DetentionEventFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.events_for_list(user=self.request.user)

    def retrieve(self, request, *args, **kwargs):
        event = self.get_object()
        services.case_read_record(user=request.user, case=event.case, what="Event (API)")
        return Response(self.get_serializer(event).data)

    def get_serializer_class(self):
        if self.action == "partial_update":
            return s.DetentionEventUpdateSerializer
        return s.DetentionEventSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.detention_log(
            actor=self.request.user, case=data.pop("case"), **data
        )

    def partial_update(self, request, *args, **kwargs):
        event = self.get_object()
        serializer = self.get_serializer(event, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        event = services.detention_update(
            actor=request.user, event=event, **serializer.validated_data
        )
        return Response(s.DetentionEventSerializer(event, context={"request": request}).data)


class _CaseChild(_Base):
    """Notes and deadlines under /cases/{case_id}/: the case must be visible (else 404)."""

    filterset_class = None  # no filters: any query parameter but a cursor is a 400

    def get_case(self):
        if not hasattr(self, "_case"):
            self._case = selectors.case_get_for_user(
                user=self.request.user, public_id=self.kwargs["case_id"]
            )
        return self._case


class NoteViewSet(
    IdempotentCreateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, _CaseChild
):
    """A case's notes. Privileged notes exist only for attorneys: others get 404."""

    serializer_class = s.NoteSerializer
    queryset = Note.objects.none()  # for the schema; get_queryset decides
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return selectors.notes_visible(user=self.request.user, case=self.get_case()).order_by(
            "-created_at", "-id"
        )

    def list(self, request, *args, **kwargs):
        services.case_read_record(user=request.user, case=self.get_case(), what="Notes (API)")
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        services.case_read_record(user=request.user, case=self.get_case(), what="Note (API)")
        return super().retrieve(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        case = self.get_case()
        serializer = self.get_serializer(
            data=request.data, context={**self.get_serializer_context(), "case": case}
        )
        serializer.is_valid(raise_exception=True)
        note = services.note_add(actor=request.user, case=case, **serializer.validated_data)
        return Response(self.get_serializer(note).data, status=status.HTTP_201_CREATED)


class DeadlineViewSet(IdempotentCreateMixin, mixins.ListModelMixin, _CaseChild):
    serializer_class = s.DeadlineSerializer
    queryset = Deadline.objects.none()  # for the schema; get_queryset decides
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return self.get_case().deadlines.order_by("due_on", "id")

    def create(self, request, *args, **kwargs):
        case = self.get_case()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        deadline = services.deadline_add(actor=request.user, case=case, **serializer.validated_data)
        return Response(self.get_serializer(deadline).data, status=status.HTTP_201_CREATED)


class SavedSearchViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    _Base,
):
    """Your own saved case-list searches; nobody else's are reachable."""

    serializer_class = s.SavedSearchSerializer
    queryset = SavedSearch.objects.none()  # for the schema; get_queryset decides
    filterset_class = None
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.saved_searches_for(user=self.request.user)

    def get_object(self):
        return selectors.saved_search_get_for_user(
            user=self.request.user, public_id=self.kwargs["id"]
        )

    def perform_create(self, serializer):
        serializer.instance = services.saved_search_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.saved_search_update(
            actor=self.request.user, saved_search=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.saved_search_delete(actor=self.request.user, saved_search=instance)
