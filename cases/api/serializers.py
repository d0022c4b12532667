"""Serializers of the cases API. They validate shapes and resolve public ids; every
write is done by cases.services (same validation and audit as the forms).

Related objects in request bodies are resolved only among those the user may use
(visible cases and clients, the user's own offices): anything else reads "does not
exist", so a body cannot reveal another office's records.
"""

from __future__ import annotations

from rest_framework import serializers

from accounts.access import access_for
from accounts.models import Office, User
from agencies.api.serializers import AgencyRefSerializer
from agencies.models import Agency
from cases import selectors
from cases.filters import attorneys_for_request, caseworkers_for_request
from cases.models import (
    Case,
    CaseOutcome,
    CaseStatus,
    Client,
    Deadline,
    DetentionEvent,
    Intake,
    Note,
    SavedSearch,
)
from cases.services import CLIENT_FIELDS, EVENT_FIELDS
from caseworker.lib.anumber import mask_a_number
from caseworker.lib.api import PublicIdRelatedField


def _user_offices(request):
    return Office.objects.filter(id__in=access_for(request.user).office_ids)


def _visible_cases(request):
    return selectors.cases_visible(user=request.user)


def _visible_clients(request):
    return Client.objects.visible_to(request.user)


class PersonSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(source="__str__", read_only=True)


class ClientListSerializer(serializers.ModelSerializer):
    """A list row: the A-number is masked (reading a client in full is audited)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    a_number_masked = serializers.SerializerMethodField()

    class Meta:
        model = Client
        fields = ["id", "given_names", "family_names", "a_number_masked", "date_of_birth"]

    def get_a_number_masked(self, obj) -> str:
        return mask_a_number(obj.a_number or "")


class ClientSerializer(serializers.ModelSerializer):
    """A client in full, except the A-number: write it here, read it masked; the full
    number comes only from the audited `reveal-a-number` action, as on the page."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    a_number = serializers.CharField(
        max_length=20, required=False, allow_blank=True, allow_null=True, write_only=True
    )
    a_number_masked = serializers.SerializerMethodField()

    class Meta:
        model = Client
        fields = ["id", *CLIENT_FIELDS, "a_number_masked", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        # Uniqueness of the A-number is checked by the service (normalised first).
        validators: list = []

    def get_a_number_masked(self, obj) -> str:
        return mask_a_number(obj.a_number or "")


class RevealSerializer(serializers.Serializer):
    a_number = serializers.CharField()


class CaseSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    client = PersonSerializer(read_only=True)
    office = serializers.SlugRelatedField(slug_field="code", read_only=True)
    caseworker = PersonSerializer(read_only=True, allow_null=True)
    attorney = PersonSerializer(read_only=True, allow_null=True)
    outcome = serializers.ChoiceField(choices=CaseOutcome.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "client",
            "office",
            "status",
            "caseworker",
            "attorney",
            "opened_on",
            "closed_on",
            "outcome",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class IntakeSerializer(serializers.ModelSerializer):
    """The intake that opens a case, as on the intake page; the case opens on `received_on`."""

    class Meta:
        model = Intake
        fields = [
            "received_on",
            "channel",
            "caller_name",
            "caller_relation",
            "caller_phone",
            "narrative",
        ]


class CaseOpenSerializer(serializers.Serializer):
    """Record an intake: open a case for an existing client (`client`) or a new one
    (`new_client`), through the same service as the intake page."""

    client = PublicIdRelatedField(
        queryset=Client.objects.all(), queryset_for=_visible_clients, required=False
    )
    new_client = ClientSerializer(required=False)
    office = PublicIdRelatedField(
        queryset=Office.objects.all(), queryset_for=_user_offices, slug_field="code"
    )
    intake = IntakeSerializer()

    def validate(self, attrs):
        if bool(attrs.get("client")) == bool(attrs.get("new_client")):
            raise serializers.ValidationError(
                {"client": "Give either an existing client or new_client, not both."}
            )
        return attrs


class CaseAssignSerializer(serializers.Serializer):
    caseworker = PublicIdRelatedField(
        queryset=User.objects.all(),
        queryset_for=caseworkers_for_request,
        required=False,
        allow_null=True,
    )
    attorney = PublicIdRelatedField(
        queryset=User.objects.all(),
        queryset_for=attorneys_for_request,
        required=False,
        allow_null=True,
    )


class CaseStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    outcome = serializers.ChoiceField(choices=CaseOutcome.choices, required=False)
    closed_on = serializers.DateField(required=False, allow_null=True)


class DetentionEventSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    case = PublicIdRelatedField(queryset=Case.objects.all(), queryset_for=_visible_cases)
    case_number = serializers.CharField(source="case.number", read_only=True)
    arresting_agency = PublicIdRelatedField(
        queryset=Agency.objects.all(), required=False, allow_null=True
    )
    custody_agency = PublicIdRelatedField(
        queryset=Agency.objects.all(), required=False, allow_null=True
    )
    arresting_agency_detail = AgencyRefSerializer(
        source="arresting_agency", read_only=True, allow_null=True
    )
    custody_agency_detail = AgencyRefSerializer(
        source="custody_agency", read_only=True, allow_null=True
    )
    arresting_models = serializers.ListField(child=serializers.CharField(), read_only=True)
    custody_models = serializers.ListField(child=serializers.CharField(), read_only=True)
    scope_flags = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = DetentionEvent
        # The writable fields are exactly what the service accepts (EVENT_FIELDS).
        fields = [
            "id",
            "case",
            "case_number",
            *EVENT_FIELDS,
            "arresting_agency_detail",
            "custody_agency_detail",
            "arresting_models",
            "custody_models",
            "snapshot_at",
            "scope_flags",
            "needs_scope_review",
            "scope_reviewed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "snapshot_at",
            "needs_scope_review",
            "scope_reviewed_at",
            "created_at",
            "updated_at",
        ]


class DetentionEventUpdateSerializer(DetentionEventSerializer):
    """PATCH: an event stays on its case (moving it would bypass the office check)."""

    case = PublicIdRelatedField(read_only=True)


class NoteSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    created_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Note
        fields = ["id", "body", "privileged", "created_by", "created_at"]
        read_only_fields = ["created_at"]

    def validate_privileged(self, value):
        case = self.context.get("case")
        access = access_for(self.context["request"].user)
        if value and not (case and access.reads_privileged_in(case.office_id)):
            raise serializers.ValidationError("Only attorneys may write privileged notes.")
        return value


class DeadlineSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Deadline
        fields = ["id", "kind", "due_on", "due_time", "description", "done_at", "created_at"]
        read_only_fields = ["done_at", "created_at"]


class SavedSearchSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = SavedSearch
        fields = ["id", "name", "query", "url", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {"query": {"allow_blank": True, "required": False, "default": ""}}
        validators: list = []

    def get_url(self, obj) -> str:
        from django.urls import reverse

        path = reverse("cases:list") + ("?" + obj.query if obj.query else "")
        return self.context["request"].build_absolute_uri(path)
