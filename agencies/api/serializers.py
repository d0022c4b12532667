"""Read-only serializers of the agency directory and the 287(g) imports."""

from rest_framework import serializers

from agencies.models import Agency, Agreement, AgreementImport, AgreementPeriod


class AgreementBriefSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Agreement
        fields = ["id", "model", "status", "signed_on", "ended_on"]


class AgencySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    aliases = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    agreements = AgreementBriefSerializer(many=True, read_only=True)

    class Meta:
        model = Agency
        fields = ["id", "name", "state", "kind", "county", "city", "ori", "aliases", "agreements"]


class AgencyRefSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Agency
        fields = ["id", "name", "state"]


class ListingSerializer(serializers.Serializer):
    """One ICE list row that showed the agreement: the evidence for the period."""

    on = serializers.DateField(read_only=True, help_text="The list's date.")
    file = serializers.CharField(read_only=True)
    row = serializers.IntegerField(read_only=True)
    signed = serializers.DateField(read_only=True, allow_null=True)


class PeriodSerializer(serializers.ModelSerializer):
    listings = ListingSerializer(many=True, read_only=True)

    class Meta:
        model = AgreementPeriod
        fields = ["status", "start", "end", "listed_from", "last_listed", "gone_by",
                  "end_unknown", "signed_on", "listings"]  # fmt: skip


class AgreementSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    agency = AgencyRefSerializer(read_only=True)
    periods = PeriodSerializer(many=True, read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "agency",
            "model",
            "status",
            "signed_on",
            "ended_on",
            "first_seen_on",
            "last_seen_on",
            "moa_url",
            "addendum_url",
            "periods",
        ]


IMPORT_FIELDS = [
    "id",
    "source",
    "list_kind",
    "list_date",
    "status",
    "error",
    "created_count",
    "changed_count",
    "unchanged_count",
    "ended_count",
    "rejected_count",
    "created_at",
    "started_at",
    "finished_at",
]


class ImportSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = AgreementImport
        fields = IMPORT_FIELDS


class ImportDetailSerializer(ImportSerializer):
    """One run, with the rows it rejected and why."""

    rejected_rows = serializers.JSONField(read_only=True)

    class Meta(ImportSerializer.Meta):
        fields = [*IMPORT_FIELDS, "rejected_rows"]
