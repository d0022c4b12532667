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

import uuid

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from accounts.access import access_for
from accounts.models import Office, Role, User
from agencies.models import Agency, Model287g
from cases.models import Case, CaseStatus, Client, DetentionEvent, DetentionOutcome, Encounter
from caseworker.lib.anumber import a_number_lookup, looks_like_a_number
from caseworker.lib.filtering import StrictFilterSet, YesNoFilter, yes_no
from caseworker.lib.states import STATE_CHOICES
from caseworker.lib.text import county_variants, fold

MODEL_CHOICES = [*Model287g.choices, ("none", "No 287(g) agreement")]

EVENT_PARAMS = (
    "arresting_agency",
    "custody_agency",
    "agency",
    "state",
    "county",
    "arresting_model",
    "custody_model",
    "encounter",
    "date_after",
    "date_before",
    "detainer",
    "warrant",
    "transferred",
    "no_prior",
    "outcome",
    "scope_flag",
)
CASE_PARAMS = (
    "case_status",
    "office",
    "caseworker",
    "attorney",
    "opened_after",
    "opened_before",
    "closed_after",
    "closed_before",
    "q",
)
FILTER_PARAMS = (*EVENT_PARAMS, *CASE_PARAMS)


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


@extend_schema_field(OpenApiTypes.UUID)
class PublicIdFilter(django_filters.ModelMultipleChoiceFilter):
    """Objects by public UUID; a UUID that is not a valid choice is an error."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "public_id")
        super().__init__(*args, **kwargs)


def _ids(objects) -> list[int]:
    return [o.pk for o in objects]


# Conditions --------------------------------------------------------------------------


def _any_of(parts: list[Q]) -> Q:
    combined = Q()
    for part in parts:
        combined |= part
    return combined


def _model_q(role: str, values, p: str) -> Q:
    parts = []
    for value in values:
        if value == "none":
            parts.append(Q(**{f"{p}{role}_{m.lower()}": False for m in Model287g.values}))
        else:
            parts.append(Q(**{f"{p}{role}_{value.lower()}": True}))
    return _any_of(parts)


def event_conditions(data: dict, prefix: str = "") -> Q | None:
    """The event parameters of cleaned filter data as one Q on DetentionEvent."""
    p = prefix
    q = Q()
    if data.get("arresting_agency"):
        q &= Q(**{f"{p}arresting_agency_id__in": _ids(data["arresting_agency"])})
    if data.get("custody_agency"):
        q &= Q(**{f"{p}custody_agency_id__in": _ids(data["custody_agency"])})
    if data.get("agency"):
        ids = _ids(data["agency"])
        q &= Q(**{f"{p}arresting_agency_id__in": ids}) | Q(**{f"{p}custody_agency_id__in": ids})
    if data.get("state"):
        q &= Q(**{f"{p}state__in": data["state"]})
    if data.get("county"):
        spellings = Q()
        for spelling in county_variants(data["county"]):
            spellings |= Q(**{f"{p}county__iexact": spelling})
        q &= spellings
    recorded = yes_no(data.get("county_recorded"))
    if recorded is not None:  # "no": the events a report counts as "(county not recorded)"
        blank = Q(**{f"{p}county": ""})
        q &= ~blank if recorded else blank
    if data.get("arresting_model"):
        q &= _model_q("arresting", data["arresting_model"], p)
    if data.get("custody_model"):
        q &= _model_q("custody", data["custody_model"], p)
    if data.get("encounter"):
        q &= Q(**{f"{p}encounter__in": data["encounter"]})
    if data.get("date_after"):
        q &= Q(**{f"{p}event_date__gte": data["date_after"]})
    if data.get("date_before"):
        q &= Q(**{f"{p}event_date__lte": data["date_before"]})
    for param, field in (
        ("detainer", "detainer_lodged"),
        ("warrant", "warrant_served"),
        ("transferred", "transferred_to_ice"),
        ("no_prior", "no_prior_record"),
        ("scope_flag", "needs_scope_review"),
    ):
        flag = yes_no(data.get(param))
        if flag is not None:
            q &= Q(**{f"{p}{field}": flag})
    if data.get("outcome"):
        q &= Q(**{f"{p}outcome__in": data["outcome"]})
    return q if q else None


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


def case_conditions(data: dict, prefix: str = "") -> Q | None:
    """The case parameters of cleaned filter data as one Q on Case (or via `prefix`)."""
    p = prefix
    q = Q()
    if data.get("case_status"):
        q &= Q(**{f"{p}status__in": data["case_status"]})
    if data.get("office"):
        q &= Q(**{f"{p}office_id__in": _ids(data["office"])})
    if data.get("caseworker"):
        q &= Q(**{f"{p}caseworker_id__in": _ids(data["caseworker"])})
    if data.get("attorney"):
        q &= Q(**{f"{p}attorney_id__in": _ids(data["attorney"])})
    for param, lookup in (
        ("opened_after", "opened_on__gte"),
        ("opened_before", "opened_on__lte"),
        ("closed_after", "closed_on__gte"),
        ("closed_before", "closed_on__lte"),
        ("intake_after", "intake__received_on__gte"),
        ("intake_before", "intake__received_on__lte"),
    ):
        if data.get(param):
            q &= Q(**{f"{p}{lookup}": data[param]})
    if data.get("q"):
        q &= search_q(data["q"], p)
    return q if q else None


# FilterSets --------------------------------------------------------------------------


class _ListFilterSet(StrictFilterSet):
    """Every case/event filter, declared once; subclasses decide how they apply."""

    arresting_agency = PublicIdFilter(
        queryset=Agency.objects.all(), label="Arresting agency", help_text="Agency public id"
    )
    custody_agency = PublicIdFilter(queryset=Agency.objects.all(), label="Custody (booking) agency")
    agency = PublicIdFilter(queryset=Agency.objects.all(), label="Either agency")
    state = django_filters.MultipleChoiceFilter(choices=STATE_CHOICES, label="State")
    county = django_filters.CharFilter(max_length=100, label="County")
    county_recorded = YesNoFilter(label="County recorded")
    arresting_model = django_filters.MultipleChoiceFilter(
        choices=MODEL_CHOICES, label="287(g) model of the arresting agency that day"
    )
    custody_model = django_filters.MultipleChoiceFilter(
        choices=MODEL_CHOICES, label="287(g) model of the custody agency that day"
    )
    encounter = django_filters.MultipleChoiceFilter(choices=Encounter.choices, label="Encounter")
    date_after = django_filters.DateFilter(label="Event on or after")
    date_before = django_filters.DateFilter(label="Event on or before")
    detainer = YesNoFilter(label="ICE detainer lodged")
    warrant = YesNoFilter(label="ICE warrant served")
    transferred = YesNoFilter(label="Transferred to ICE")
    no_prior = YesNoFilter(label="No prior criminal record")
    outcome = django_filters.MultipleChoiceFilter(
        choices=DetentionOutcome.choices, label="Event outcome"
    )
    scope_flag = YesNoFilter(label="Flagged for scope review")
    case_status = django_filters.MultipleChoiceFilter(
        choices=CaseStatus.choices, label="Case status"
    )
    office = OfficeFilter(
        queryset=offices_for_request, label="Office", help_text="Public id or code"
    )
    caseworker = PublicIdFilter(queryset=caseworkers_for_request, label="Caseworker")
    attorney = PublicIdFilter(queryset=attorneys_for_request, label="Attorney")
    opened_after = django_filters.DateFilter(label="Opened on or after")
    opened_before = django_filters.DateFilter(label="Opened on or before")
    closed_after = django_filters.DateFilter(label="Closed on or after")
    closed_before = django_filters.DateFilter(label="Closed on or before")
    intake_after = django_filters.DateFilter(label="Intake received on or after")
    intake_before = django_filters.DateFilter(label="Intake received on or before")
    q = django_filters.CharFilter(
        max_length=200, label="Search", help_text="Client name, A-number or case number"
    )

    # name: (label, ordering keys). The primary key ends every ordering (keyset pages).
    ORDERINGS: dict[str, tuple[str, tuple[str, ...]]] = {}
    DEFAULT_ORDERING = ""

    def filter_queryset(self, queryset):
        if self.errors:
            # A caller that forgot is_valid() gets nothing rather than a wrong answer.
            return queryset.none()
        data = self.form.cleaned_data
        queryset = self.apply(queryset, data)
        name = data.get("ordering") or self.DEFAULT_ORDERING
        keys = self.ORDERINGS[name.lstrip("-")][1]
        if name.startswith("-"):
            keys = tuple(k[1:] if k.startswith("-") else "-" + k for k in keys)
        return queryset.order_by(*keys)

    def apply(self, queryset, data):
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

    def apply(self, queryset, data):
        case_q = case_conditions(data)
        if case_q is not None:
            queryset = queryset.filter(case_q)
        event_q = event_conditions(data)
        if event_q is not None:
            queryset = queryset.filter(
                Exists(DetentionEvent.objects.filter(event_q, case_id=OuterRef("pk")))
            )
        return queryset


class DetentionEventFilterSet(_ListFilterSet):
    """The detention-event list: event parameters on the event, case ones on its case."""

    ORDERINGS = EVENT_ORDERINGS
    DEFAULT_ORDERING = "-date"
    ordering = _ordering_filter(EVENT_ORDERINGS)

    class Meta(StrictFilterSet.Meta):
        model = DetentionEvent
        fields: list[str] = []

    def apply(self, queryset, data):
        event_q = event_conditions(data)
        if event_q is not None:
            queryset = queryset.filter(event_q)
        case_q = case_conditions(data, prefix="case__")
        if case_q is not None:
            queryset = queryset.filter(case_q)
        return queryset


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
