"""FilterSets of the agency directory, shared by the pages and the API.

`model` and `status` on agencies apply to the *same* agreement ("agencies with an active
JEM agreement"), not to any two agreements of the agency.
"""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from agencies.importer.normalize import agency_match_key
from agencies.models import (
    Agency,
    AgencyAlias,
    AgencyKind,
    Agreement,
    AgreementChange,
    AgreementPeriod,
    AgreementStatus,
    ChangeKind,
    Model287g,
)
from caseworker.lib.filtering import StrictFilterSet
from caseworker.lib.states import STATE_CHOICES  # by name, as on the case pages

ANY = "Any"
DATE_INPUT = forms.DateInput(attrs={"type": "date"})
_COUNTY_SUFFIX = re.compile(r"\s+(county|parish|borough)$", re.IGNORECASE)


def name_matches(prefix: str, q: str) -> Q:
    """Name or any alias contains `q`, also when spelled differently ("Sheriffs" for
    "Sheriff's", "Miami Dade" for "Miami-Dade")."""
    q = q.strip()
    if not q:
        return Q()
    aliases = AgencyAlias.objects.filter(
        Q(name__icontains=q) | Q(match_key__icontains=agency_match_key(q)),
        agency=OuterRef(f"{prefix}pk"),
    )
    condition = Q(**{f"{prefix}name__icontains": q}) | Exists(aliases)
    key = agency_match_key(q)
    if key:
        condition |= Q(**{f"{prefix}match_key__icontains": key})
    return condition


def county_matches(field: str, value: str) -> Q:
    """ "Lee", "Lee County" and "lee county" all find ICE's "Lee County"."""
    base = _COUNTY_SUFFIX.sub("", value.strip())
    if not base:
        return Q()
    return (
        Q(**{f"{field}__iexact": base})
        | Q(**{f"{field}__iexact": f"{base} County"})
        | Q(**{f"{field}__iexact": f"{base} Parish"})
        | Q(**{f"{field}__iexact": f"{base} Borough"})
    )


class AgencyFilterSet(StrictFilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Name or alias")
    state = django_filters.ChoiceFilter(empty_label=ANY, choices=STATE_CHOICES, label="State")
    county = django_filters.CharFilter(method="filter_county", label="County")
    kind = django_filters.ChoiceFilter(empty_label=ANY, choices=AgencyKind.choices, label="Kind")
    model = django_filters.ChoiceFilter(
        empty_label=ANY, choices=Model287g.choices, method="filter_agreement", label="287(g) model"
    )
    status = django_filters.ChoiceFilter(
        empty_label=ANY,
        choices=AgreementStatus.choices,
        method="filter_agreement",
        label="Agreement status",
    )

    class Meta(StrictFilterSet.Meta):
        model = Agency
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(name_matches("", value))

    def filter_county(self, queryset, name, value):
        return queryset.filter(county_matches("county", value))

    def filter_agreement(self, queryset, name, value):
        return queryset  # applied together in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        condition = Q()
        if data.get("model"):
            condition &= Q(model=data["model"])
        if data.get("status"):
            condition &= Q(status=data["status"])
        if condition:
            queryset = queryset.filter(
                Exists(Agreement.objects.filter(condition, agency=OuterRef("pk")))
            )
        return queryset.order_by("state", "name", "id")


class AgreementFilterSet(StrictFilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Agency name or alias")
    state = django_filters.ChoiceFilter(
        empty_label=ANY, field_name="agency__state", choices=STATE_CHOICES, label="State"
    )
    county = django_filters.CharFilter(method="filter_county", label="County")
    kind = django_filters.ChoiceFilter(
        empty_label=ANY, field_name="agency__kind", choices=AgencyKind.choices, label="Agency kind"
    )
    model = django_filters.ChoiceFilter(
        empty_label=ANY, choices=Model287g.choices, label="287(g) model"
    )
    status = django_filters.ChoiceFilter(
        empty_label=ANY, choices=AgreementStatus.choices, label="Status"
    )
    in_force_on = django_filters.DateFilter(
        method="filter_in_force_on", label="In force on (YYYY-MM-DD)", widget=DATE_INPUT
    )

    class Meta(StrictFilterSet.Meta):
        model = Agreement
        fields: list[str] = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(name_matches("agency__", value))

    def filter_county(self, queryset, name, value):
        return queryset.filter(county_matches("agency__county", value))

    def filter_in_force_on(self, queryset, name, value):
        periods = AgreementPeriod.objects.filter(
            Q(end__isnull=True) | Q(end__gt=value),
            agreement=OuterRef("pk"),
            status=AgreementStatus.ACTIVE,
            start__lte=value,
        )
        return queryset.filter(Exists(periods))

    def filter_queryset(self, queryset):
        return (
            super()
            .filter_queryset(queryset)
            .order_by("agency__state", "agency__name", "model", "id")
        )


class AgreementChangeFilterSet(StrictFilterSet):
    """The imports page's "what changed" list."""

    since = django_filters.DateFilter(
        field_name="effective_on", lookup_expr="gte", label="Lists dated from", widget=DATE_INPUT
    )
    until = django_filters.DateFilter(
        field_name="effective_on", lookup_expr="lte", label="to", widget=DATE_INPUT
    )
    kind = django_filters.ChoiceFilter(empty_label=ANY, choices=ChangeKind.choices, label="Change")
    state = django_filters.ChoiceFilter(
        empty_label=ANY, field_name="agreement__agency__state", choices=STATE_CHOICES, label="State"
    )
    model = django_filters.ChoiceFilter(
        empty_label=ANY,
        field_name="agreement__model",
        choices=Model287g.choices,
        label="287(g) model",
    )

    class Meta(StrictFilterSet.Meta):
        model = AgreementChange
        fields: list[str] = []

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).order_by("-effective_on", "-id")
