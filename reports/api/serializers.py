"""Report API serializers: a request (kind + params) and a report's state and links."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from reports.models import Report, ReportKind


class ReportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    params = serializers.DictField(
        help_text="quarterly: year, quarter, fiscal, office (code, optional). "
        "agency_pattern: agencies (public ids), date_after, date_before, include_names. "
        "case_chronology: case (public id)."
    )


class ReportSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    files = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "kind",
            "title",
            "params",
            "status",
            "error",
            "page_count",
            "checksum",
            "created_at",
            "started_at",
            "finished_at",
            "files",
        ]
        read_only_fields = fields

    def get_files(self, report) -> dict[str, str]:
        if report.status != "done":
            return {}
        request = self.context["request"]
        return {
            fmt: request.build_absolute_uri(
                reverse("api-report-download", kwargs={"id": report.public_id, "fmt": fmt})
            )
            for fmt in ("pdf", "xlsx", "csv")
        }
