"""The audit page: directors and admins filter the trail and export it (the export is audited)."""

import csv
import uuid

import django_filters
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import access_for
from audit.models import AuditAction, AuditEntry
from audit.services import audit_export

PAGE_ROWS = 200
EXPORT_ROWS = 50_000


class AuditEntryFilter(django_filters.FilterSet):
    user = django_filters.CharFilter(field_name="actor__username", label="User")
    action = django_filters.ChoiceFilter(choices=AuditAction.choices)
    case = django_filters.CharFilter(method="filter_case", label="Case number")
    record = django_filters.CharFilter(method="filter_record", label="Record id (e.g. client)")
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label="From")
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label="To")

    class Meta:
        model = AuditEntry
        fields = []

    def filter_record(self, queryset, name, value):
        """Entries about the record, and lists that showed it: for a client, lists that
        showed any of their cases or detention events too ("who saw this client")."""
        # By the app registry, as in filter_case: the trail sits below cases.
        Case = apps.get_model("cases", "Case")  # noqa: N806
        DetentionEvent = apps.get_model("cases", "DetentionEvent")  # noqa: N806
        value = value.strip()
        shown = {value}
        cases = Case.objects.filter(client__public_id=value) if _is_uuid(value) else []
        if cases:
            shown |= {str(i) for i in cases.values_list("public_id", flat=True)}
            events = DetentionEvent.objects.filter(case__in=cases)
            shown |= {str(i) for i in events.values_list("public_id", flat=True)}
        listed = Q()
        for public_id in shown:
            listed |= Q(target_id="list", changes__ids__icontains=public_id)
        return queryset.filter(Q(target_id=value) | listed)

    def filter_case(self, queryset, name, value):
        # The trail sits below cases in the dependency order (case_id is not a foreign key
        # either), so the case model is named through the app registry, not imported.
        # An unknown number matches nothing rather than every entry without a case.
        cases = apps.get_model("cases", "Case").objects.filter(number=value.strip())
        return queryset.filter(case_id__in=cases.values("id"))


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@require_GET
def audit_list(request):
    if not request.user.is_authenticated or not access_for(request.user).can_review_audit:
        raise PermissionDenied
    entries = AuditEntryFilter(
        request.GET, queryset=AuditEntry.objects.select_related("actor").order_by("-id")
    )
    if request.GET.get("format") == "csv":
        rows = list(entries.qs[:EXPORT_ROWS])
        audit_export(
            actor=request.user,
            model=AuditEntry,
            fmt="csv",
            query=request.GET.urlencode(),
            rows=len(rows),
            ip=request.META.get("REMOTE_ADDR"),
        )
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="audit.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [
                "id",
                "at",
                "user",
                "action",
                "record type",
                "record id",
                "case id",
                "summary",
                "address",
                "hash",
            ]
        )
        for e in rows:
            writer.writerow(
                [
                    e.pk,
                    e.at.isoformat(),
                    e.actor.username if e.actor else "",
                    e.action,
                    e.target_type,
                    e.target_id,
                    e.case_id or "",
                    e.summary,
                    e.ip or "",
                    e.hash,
                ]
            )
        return response
    return render(
        request,
        "audit/list.html",
        {"filter": entries, "entries": entries.qs[:PAGE_ROWS], "query": request.GET.urlencode()},
    )
