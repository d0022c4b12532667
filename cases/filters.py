"""The case, detention-event and client FilterSets: one per list, shared by the pages,
the API, the exports and the report figures.

Usage: `CaseFilterSet(params, queryset=cases_visible(user=u), request=request_or_None)`.
Both case and event lists accept exactly the same parameters, so any figure links to
`reverse("cases:list") + "?" + urlencode(params, doseq=True)`.

Semantics an attorney can rely on:
- Values of one multi-valued parameter are alternatives (`encounter=home&encounter=street`
  is home OR street); different parameters must all hold.
- On the case list, the event parameters ask for one detention event matching all of
  them together (a single EXISTS), not several events each matching a part.
- Unknown parameters are an error (see caseworker.lib.filtering).
"""

from __future__ import annotations

import copy
import uuid

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from accounts.access import access_for
from accounts.models import Office, Role, User
from agencies.models import Agency, Model287g
from cases.models import (
    Case,
    CaseOutcome,
    CaseStatus,
    Client,
    DetentionEvent,
    DetentionOutcome,
    Encounter,
)
from caseworker.lib.anumber import a_number_lookup, looks_like_a_number
from caseworker.lib.filtering import StrictFilterSet, YesNoFilter, yes_no
from caseworker.lib.states import STATE_CHOICES
from caseworker.lib.text import county_variants, fold

MODEL_CHOICES = [*Model287g.choices, ("none", "No 287(g) agreement")]


# Choices that depend on who asks ------------------------------------------------------


def offices_for_request(request):
    if request is None:
        return Office.objects.all()
    ids = access_for(request.user).case_office_ids
    return Office.objects.all() if ids is None else Office.objects.filter(id__in=ids)


def _staff_for_request(request, role: Role):
    """Staff of `role` a user may filter by: members of the offices whose cases they read."""
    users = User.objects.filter(role_grants__role=role.value)
    if request is None or access_for(request.user).case_office_ids is None:
        return users.distinct()
    return users.filter(offices__id__in=access_for(request.user).case_office_ids).distinct()


def caseworkers_for_request(request):
    return _staff_for_request(request, Role.CASEWORKER)


def attorneys_for_request(request):
    return _staff_for_request(request, Role.ATTORNEY)


class OfficeChoiceField(django_filters.fields.ModelMultipleChoiceField):
    """Offices by public id or by code (`office=north`), only those the user may read."""

    def _check_values(self, value):
        keys = {}
        for raw in value:
            text = str(raw).strip()
            try:
                keys[text] = str(uuid.UUID(text))
            except ValueError:
                keys[text] = text.lower()
        found = list(
            self.queryset.filter(
                Q(public_id__in=[k for k in keys.values() if "-" in k and len(k) == 36])
                | Q(code__in=list(keys.values()))
            )
        )
        known = {str(o.public_id) for o in found} | {o.code for o in found}
        for text, key in keys.items():
            if key not in known:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": text},
                )
        return found


@extend_schema_field(OpenApiTypes.STR)
class OfficeFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = OfficeChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.UUID)
class PublicIdFilter(django_filters.ModelMultipleChoiceFilter):
    """Objects by public UUID; a UUID that is not a valid choice is an error."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "public_id")
        kwargs.setdefault("distinct", False)  # a foreign key: no duplicate rows to remove
        super().__init__(*args, **kwargs)

    def get_filter_predicate(self, v):
        return {self.field_name: v}  # the object itself, not its public id


# Filters -----------------------------------------------------------------------------
#
# Each filter is one declaration: its parameter, how the value is parsed, and the field it
# filters (`field_name`, with `lookup_expr`, or a `method` given that field's path). Event
# filters are declared on DetentionEvent's fields, case filters on Case's; the two lists
# below combine them (see CaseFilterSet and DetentionEventFilterSet).


def _any_of(parts: list[Q]) -> Q:
    combined = Q()
    for part in parts:
        combined |= part
    return combined


def search_q(text: str, prefix: str = "") -> Q:
    """`q`: client names (all words, accent-folded, other names too), A-number in any
    format, or case number."""
    p = prefix
    text = text.strip()
    words = fold(text).split()
    by_name = Q()
    for word in words:
        by_name &= Q(**{f"{p}client__search_name__contains": word})
    match = Q(**{f"{p}number__icontains": text})
    if words:
        match |= by_name
    if looks_like_a_number(text):
        match |= a_number_lookup(text, f"{p}client__a_number")
    return match


class EventFilters(StrictFilterSet):
    """The detention-event filters, on DetentionEvent's fields."""

    arresting_agency = PublicIdFilter(
        field_name="arresting_agency",
        queryset=Agency.objects.all(),
        label="Arresting agency",
        help_text="Agency public id",
    )
    custody_agency = PublicIdFilter(
        field_name="custody_agency",
        queryset=Agency.objects.all(),
        label="Custody (booking) agency",
    )
    agency = PublicIdFilter(
        field_name="arresting_agency",
        method="filter_either_agency",
        queryset=Agency.objects.all(),
        label="Either agency",
    )
    state = django_filters.MultipleChoiceFilter(
        field_name="state", choices=STATE_CHOICES, distinct=False, label="State"
    )
    county = django_filters.CharFilter(
        field_name="county", method="filter_county", max_length=100, label="County"
    )
    # "no": the events a report counts as "(county not recorded)"
    county_recorded = YesNoFilter(
        field_name="county", method="filter_county_recorded", label="County recorded"
    )
    # field_name is the role: the snapshot fields are `<role>_<model>` (arresting_tfm, ...)
    arresting_model = django_filters.MultipleChoiceFilter(
        field_name="arresting",
        method="filter_model",
        choices=MODEL_CHOICES,
        label="287(g) model of the arresting agency that day",
    )
    custody_model = django_filters.MultipleChoiceFilter(
        field_name="custody",
        method="filter_model",
        choices=MODEL_CHOICES,
        label="287(g) model of the custody agency that day",
    )
    encounter = django_filters.MultipleChoiceFilter(
        field_name="encounter", choices=Encounter.choices, distinct=False, label="Encounter"
    )
    date_after = django_filters.DateFilter(
        field_name="event_date", lookup_expr="gte", label="Event on or after"
    )
    date_before = django_filters.DateFilter(
        field_name="event_date", lookup_expr="lte", label="Event on or before"
    )
    detainer = YesNoFilter(field_name="detainer_lodged", label="ICE detainer lodged")
    warrant = YesNoFilter(field_name="warrant_served", label="ICE warrant served")
    transferred = YesNoFilter(field_name="transferred_to_ice", label="Transferred to ICE")
    no_prior = YesNoFilter(field_name="no_prior_record", label="No prior criminal record")
    questioned = YesNoFilter(
        field_name="questioned_about_status", label="Questioned about immigration status"
    )
    outcome = django_filters.MultipleChoiceFilter(
        field_name="outcome",
        choices=DetentionOutcome.choices,
        distinct=False,
        label="Event outcome",
    )
    scope_flag = YesNoFilter(field_name="needs_scope_review", label="Flagged for scope review")

    class Meta(StrictFilterSet.Meta):
        model = DetentionEvent
        fields: list[str] = []

    def filter_either_agency(self, queryset, name, value):
        if not value:  # no agency arrives as an empty queryset, which django-filter passes on
            return queryset
        return queryset.filter(Q(arresting_agency__in=value) | Q(custody_agency__in=value))

    def filter_county(self, queryset, name, value):
        return queryset.filter(
            _any_of([Q(**{f"{name}__iexact": spelling}) for spelling in county_variants(value)])
        )

    def filter_county_recorded(self, queryset, name, value):
        recorded = yes_no(value)
        if recorded is None:
            return queryset
        blank = Q(**{name: ""})
        return queryset.filter(~blank if recorded else blank)

    def filter_model(self, queryset, name, value):
        parts = []
        for model in value:
            if model == "none":
                parts.append(Q(**{f"{name}_{m.lower()}": False for m in Model287g.values}))
            else:
                parts.append(Q(**{f"{name}_{model.lower()}": True}))
        return queryset.filter(_any_of(parts))


class CaseFilters(StrictFilterSet):
    """The case filters, on Case's fields."""

    case_status = django_filters.MultipleChoiceFilter(
        field_name="status", choices=CaseStatus.choices, distinct=False, label="Case status"
    )
    case_outcome = django_filters.MultipleChoiceFilter(
        field_name="outcome", choices=CaseOutcome.choices, distinct=False, label="Case outcome"
    )
    office = OfficeFilter(
        field_name="office",
        queryset=offices_for_request,
        label="Office",
        help_text="Public id or code",
    )
    caseworker = PublicIdFilter(
        field_name="caseworker", queryset=caseworkers_for_request, label="Caseworker"
    )
    attorney = PublicIdFilter(
        field_name="attorney", queryset=attorneys_for_request, label="Attorney"
    )
    opened_after = django_filters.DateFilter(
        field_name="opened_on", lookup_expr="gte", label="Opened on or after"
    )
    opened_before = django_filters.DateFilter(
        field_name="opened_on", lookup_expr="lte", label="Opened on or before"
    )
    closed_after = django_filters.DateFilter(
        field_name="closed_on", lookup_expr="gte", label="Closed on or after"
    )
    closed_before = django_filters.DateFilter(
        field_name="closed_on", lookup_expr="lte", label="Closed on or before"
    )
    intake_after = django_filters.DateFilter(
        field_name="intake__received_on", lookup_expr="gte", label="Intake received on or after"
    )
    intake_before = django_filters.DateFilter(
        field_name="intake__received_on", lookup_expr="lte", label="Intake received on or before"
    )
    q = django_filters.CharFilter(
        field_name="number",
        method="filter_search",
        max_length=200,
        label="Search",
        help_text="Client name, A-number or case number",
    )

    class Meta(StrictFilterSet.Meta):
        model = Case
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        # `name` is the path to the case number ("number", or "case__number" on the event
        # list); the client's fields are reached from the same place.
        return queryset.filter(search_q(value, prefix=name.removesuffix("number")))


EVENT_FILTERS = tuple(EventFilters.base_filters)
CASE_FILTERS = tuple(CaseFilters.base_filters)


class _ListFilterSet(EventFilters, CaseFilters):
    """Every case and event filter; both lists accept the same parameters."""

    # name: (label, ordering keys). The primary key ends every ordering (keyset pages).
    ORDERINGS: dict[str, tuple[str, tuple[str, ...]]] = {}
    DEFAULT_ORDERING = ""

    def filter_queryset(self, queryset):
        if self.errors:
            # A caller that forgot is_valid() gets nothing rather than a wrong answer.
            return queryset.none()
        queryset = self.apply(queryset)
        name = self.form.cleaned_data.get("ordering") or self.DEFAULT_ORDERING
        keys = self.ORDERINGS[name.lstrip("-")][1]
        if name.startswith("-"):
            keys = tuple(k[1:] if k.startswith("-") else "-" + k for k in keys)
        return queryset.order_by(*keys)

    def _apply_filters(self, queryset, names):
        for name in names:
            queryset = self.filters[name].filter(queryset, self.form.cleaned_data.get(name))
        return queryset

    def apply(self, queryset):
        raise NotImplementedError


def _ordering_filter(orderings: dict) -> django_filters.ChoiceFilter:
    choices = []
    for name, (label, _keys) in orderings.items():
        choices += [(name, f"{label} (ascending)"), (f"-{name}", f"{label} (descending)")]
    return django_filters.ChoiceFilter(choices=choices, label="Sort by", empty_label="Default")


CASE_ORDERINGS = {
    "opened": ("Opened", ("opened_on", "id")),
    "number": ("Case number", ("number", "id")),
    "client": ("Client", ("client__family_names", "client__given_names", "id")),
    "status": ("Status", ("status", "id")),
    "office": ("Office", ("office__name", "id")),
}
EVENT_ORDERINGS = {
    "date": ("Event date", ("event_date", "id")),
    "state": ("State", ("state", "county", "event_date", "id")),
    "encounter": ("Encounter", ("encounter", "event_date", "id")),
    "case": ("Case number", ("case__number", "event_date", "id")),
}


class CaseFilterSet(_ListFilterSet):
    """The case list. Event parameters: the case has ONE event matching all of them."""

    ORDERINGS = CASE_ORDERINGS
    DEFAULT_ORDERING = "-opened"
    ordering = _ordering_filter(CASE_ORDERINGS)

    class Meta(StrictFilterSet.Meta):
        model = Case
        fields: list[str] = []

    def filtered_events(self) -> QuerySet[DetentionEvent] | None:
        """The events passing every event filter given, or None when none is given.
        The list shows these events on each case row."""
        data = self.form.cleaned_data
        given = [name for name in EVENT_FILTERS if data.get(name)]
        if not given:
            return None
        return self._apply_filters(DetentionEvent.objects.all(), given)

    def apply(self, queryset):
        queryset = self._apply_filters(queryset, CASE_FILTERS)
        events = self.filtered_events()
        if events is not None:
            queryset = queryset.filter(Exists(events.filter(case_id=OuterRef("pk"))))
        return queryset


class DetentionEventFilterSet(_ListFilterSet):
    """The detention-event list: event parameters on the event, case ones on its case."""

    ORDERINGS = EVENT_ORDERINGS
    DEFAULT_ORDERING = "-date"
    ordering = _ordering_filter(EVENT_ORDERINGS)

    class Meta(StrictFilterSet.Meta):
        model = DetentionEvent
        fields: list[str] = []

    @classmethod
    def get_filters(cls):
        """The case filters, reached through the event's case (`case__<field>`)."""
        filters = super().get_filters()
        for name in CASE_FILTERS:
            through_case = copy.deepcopy(filters[name])
            through_case.field_name = f"case__{through_case.field_name}"
            filters[name] = through_case
        return filters

    def apply(self, queryset):
        return self._apply_filters(queryset, EVENT_FILTERS + CASE_FILTERS)


class ClientFilterSet(StrictFilterSet):
    """The client list: search by name (accent-folded, other names too) or A-number."""

    q = django_filters.CharFilter(
        max_length=200, label="Search", help_text="Name or A-number", method="search"
    )
    ordering = django_filters.ChoiceFilter(
        choices=[("name", "Name"), ("-name", "Name (descending)")],
        empty_label="Default",
        method="order",
    )

    class Meta(StrictFilterSet.Meta):
        model = Client
        fields: list[str] = []

    def search(self, queryset, name, value):
        words = fold(value).split()
        match = Q()
        for word in words:
            match &= Q(search_name__contains=word)
        if looks_like_a_number(value):
            match |= a_number_lookup(value)
        return queryset.filter(match)

    def order(self, queryset, name, value):
        return queryset  # applied in filter_queryset so that the default also applies

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        keys = ("family_names", "given_names", "id")
        if self.form.cleaned_data.get("ordering") == "-name":
            keys = ("-family_names", "-given_names", "-id")
        return queryset.order_by(*keys)
