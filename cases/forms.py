"""HTML forms of the caseworker pages.

Forms only parse what was typed (dates, numbers, choices) and carry labels and help
text. The rules (dates not in the future, A-number format and uniqueness, bond amount,
release after arrest...) live in cases.services, so the API and imports apply the same
ones; views copy a service's ValidationError back onto the form (`add_service_errors`).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from agencies.importer.normalize import agency_match_key
from agencies.models import Agency
from cases.models import (
    CaseOutcome,
    CaseStatus,
    DatePrecision,
    DeadlineKind,
    DetentionOutcome,
    Encounter,
    IntakeChannel,
)
from cases.services import EVENT_FIELDS
from cases.uploads import ACCEPT_ATTRIBUTE, ACCEPTED_LABEL
from caseworker.lib.states import STATE_CHOICES


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


def _text(label, *, max_length=200, required=False, help_text="", **attrs):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs=attrs),
    )


def _area(label, *, rows=3, required=False, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _date(label, *, required=False, help_text=""):
    return forms.DateField(label=label, required=required, help_text=help_text, widget=DateInput())


def add_service_errors(exc: ValidationError, forms_by_prefix: dict[str, forms.Form]) -> None:
    """Put a service's errors on the matching form fields.

    Keys like "event:bond_amount" go to the form registered under "event"; plain keys to
    the form that has that field (else the first form's non-field errors).
    """
    default = next(iter(forms_by_prefix.values()))
    if not hasattr(exc, "error_dict"):
        default.add_error(None, exc)
        return
    for key, errors in exc.error_dict.items():
        prefix, _, name = key.rpartition(":")
        candidates = [forms_by_prefix[prefix]] if prefix in forms_by_prefix else []
        candidates += list(forms_by_prefix.values())
        target = next((f for f in candidates if name in f.fields), None)
        if target is None:
            target = forms_by_prefix.get(prefix, default)
            target.add_error(None, errors)
        else:
            target.add_error(name, errors)


# Clients and intake ---------------------------------------------------------------------


class ClientForm(forms.Form):
    given_names = _text("Given name(s)", max_length=120, required=True, autocomplete="off")
    family_names = _text(
        "Family name(s)",
        max_length=120,
        required=True,
        autocomplete="off",
        help_text="All surnames, as the client writes them (e.g. García López).",
    )
    other_names = _area(
        "Other names", rows=2, help_text="Aliases and other spellings, one per line."
    )
    a_number = _text(
        "A-number",
        max_length=20,
        help_text="A followed by 8 or 9 digits, any format (A123-456-789). Leave empty if unknown.",
        autocomplete="off",
        inputmode="text",
        spellcheck="false",
    )
    date_of_birth = _date("Date of birth")
    country_of_birth = _text("Country of birth", max_length=80)
    languages = _text("Languages", help_text="e.g. Spanish, K'iche'")
    phone = _text("Client phone", max_length=40, type="tel")
    contacts = _area("Family and other contacts", rows=2)
    safe_contact_notes = _area(
        "Safe-contact notes", rows=2, help_text="When and how it is safe to reach the client."
    )


class IntakeForm(forms.Form):
    received_on = _date("Date of the call / visit", required=True)
    channel = forms.ChoiceField(label="Channel", choices=IntakeChannel.choices)
    caller_name = _text("Caller's name")
    caller_relation = _text("Relation to the client", max_length=100, help_text="e.g. wife")
    caller_phone = _text("Caller's phone", max_length=40, type="tel")
    narrative = forms.CharField(
        label="Narrative",
        widget=forms.Textarea(attrs={"rows": 10, "class": "narrative"}),
        help_text="In the caller's words: where, when, who arrested, where they are held now.",
    )
    office = forms.ModelChoiceField(label="Office", queryset=None, empty_label=None)
    log_event = forms.BooleanField(
        label="Log the detention now", required=False, widget=forms.CheckboxInput()
    )

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["office"]
        field.queryset = offices
        field.to_field_name = "public_id"
        loaded = list(offices)
        # Choices from the loaded list, so rendering does not query again.
        field.choices = [(office.public_id, office.name) for office in loaded]
        self.only_office = loaded[0] if len(loaded) == 1 else None
        if self.only_office:
            field.widget = forms.HiddenInput()
            field.initial = self.only_office.public_id
            field.required = False
        if not self.is_bound:
            self.fields["received_on"].initial = timezone.localdate()

    def clean_office(self):
        return self.cleaned_data.get("office") or self.only_office


# Detention events -----------------------------------------------------------------------

AGENCY_ROLES = ("arresting", "custody")


class DetentionEventForm(forms.Form):
    event_date = _date("Date of arrest / detention", required=True)
    date_precision = forms.ChoiceField(
        label="How exact is the date",
        choices=DatePrecision.choices,
        initial=DatePrecision.EXACT,
        required=False,
    )
    event_time = forms.TimeField(label="Time (if known)", required=False, widget=TimeInput())
    state = forms.ChoiceField(label="State", choices=[("", "— choose —"), *STATE_CHOICES])
    county = _text("County", max_length=100)
    city = _text("City", max_length=100)
    encounter = forms.ChoiceField(
        label="Where / how it started", choices=[("", "— choose —"), *Encounter.choices]
    )
    arresting_agency = forms.ModelChoiceField(
        queryset=Agency.objects.all(),
        to_field_name="public_id",
        required=False,
        widget=forms.HiddenInput(),
    )
    arresting_agency_name = _text("Arresting agency", autocomplete="off")
    arresting_unlisted = forms.BooleanField(
        label="Not in the directory: keep the name as typed", required=False
    )
    custody_agency = forms.ModelChoiceField(
        queryset=Agency.objects.all(),
        to_field_name="public_id",
        required=False,
        widget=forms.HiddenInput(),
    )
    custody_agency_name = _text("Custody (booking) agency", autocomplete="off")
    custody_unlisted = forms.BooleanField(
        label="Not in the directory: keep the name as typed", required=False
    )
    charges = _area("Charges", rows=2)
    no_prior_record = forms.BooleanField(label="No prior criminal record", required=False)
    questioned_about_status = forms.BooleanField(
        label="Questioned about immigration status", required=False
    )
    detainer_lodged = forms.BooleanField(label="ICE detainer lodged", required=False)
    detainer_date = _date("Detainer date")
    warrant_served = forms.BooleanField(label="ICE warrant served (I-200 / I-205)", required=False)
    transferred_to_ice = forms.BooleanField(label="Transferred to ICE custody", required=False)
    transfer_date = _date("Transfer date")
    transfer_facility = _text("ICE facility")
    outcome = forms.ChoiceField(
        label="Outcome so far",
        choices=DetentionOutcome.choices,
        initial=DetentionOutcome.STILL_DETAINED,
        required=False,
    )
    outcome_date = _date("Outcome date", help_text="Release, bond, removal or transfer date.")
    bond_amount = forms.DecimalField(
        label="Bond amount (US$)",
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )

    def clean_date_precision(self):
        return self.cleaned_data.get("date_precision") or DatePrecision.EXACT

    def clean_outcome(self):
        return self.cleaned_data.get("outcome") or DetentionOutcome.STILL_DETAINED

    def clean(self):
        data = super().clean()
        for role in AGENCY_ROLES:
            agency = data.get(f"{role}_agency")
            name = (data.get(f"{role}_agency_name") or "").strip()
            if agency is not None or not name or data.get(f"{role}_unlisted"):
                continue
            # Typed without picking (no JavaScript, or too fast): accept an exact match.
            match = _exact_agency(name, data.get("state", ""))
            if match is not None:
                data[f"{role}_agency"] = match
            else:
                self.add_error(
                    f"{role}_agency_name",
                    "Pick the agency from the list, or tick “Not in the directory” to keep "
                    "the name as typed (it can be linked later).",
                )
        return data

    def service_fields(self) -> dict:
        """The cleaned data as the keyword arguments of detention_log/update."""
        data = {k: v for k, v in self.cleaned_data.items() if not k.endswith("_unlisted")}
        for role in AGENCY_ROLES:
            if data.get(f"{role}_agency") is not None:
                data[f"{role}_agency_name"] = ""
        return data


def _exact_agency(name: str, state: str) -> Agency | None:
    if not state:
        return None
    key = agency_match_key(name)
    found = list(
        Agency.objects.filter(state=state)
        .filter(
            Q(match_key=key)
            | Q(aliases__match_key=key)
            | Q(name__iexact=name)
            | Q(aliases__name__iexact=name)
        )
        .distinct()[:2]
    )
    return found[0] if len(found) == 1 else None


def event_initial(event) -> dict:
    """Form initial data from a saved event (agencies by their public id)."""
    initial = {name: getattr(event, name) for name in EVENT_FIELDS}
    for role in AGENCY_ROLES:
        agency = getattr(event, f"{role}_agency")
        initial[f"{role}_agency"] = agency.public_id if agency else None
        typed = getattr(event, f"{role}_agency_name")
        initial[f"{role}_agency_name"] = agency.name if agency else typed
        initial[f"{role}_unlisted"] = agency is None and bool(typed)
    return initial


class AgencyLinkForm(forms.Form):
    """Link an event's typed agency name (arresting or custody) to a directory agency."""

    def __init__(self, *args, role: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[f"{role}_agency"] = forms.ModelChoiceField(
            queryset=Agency.objects.all(),
            to_field_name="public_id",
            widget=forms.HiddenInput(),
            error_messages={"required": "Pick an agency from the list."},
        )
        self.fields[f"{role}_agency_name"] = _text("Agency in the directory", autocomplete="off")

    def clean(self):
        data = super().clean()
        for name, error in list(self.errors.items()):
            if name.endswith("_agency") and not name.endswith("_name"):
                # The hidden field has no visible place: show its error on the text box.
                del self.errors[name]
                self.add_error(f"{name}_name", error)
        return data


# Case page forms ------------------------------------------------------------------------


class NoteForm(forms.Form):
    body = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 4}))
    privileged = forms.BooleanField(
        label="Privileged (attorney work product: only attorneys will see it)", required=False
    )

    def __init__(self, *args, can_privilege: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_privilege:
            del self.fields["privileged"]


class DeadlineForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=DeadlineKind.choices)
    due_on = _date("Due on", required=True)
    due_time = forms.TimeField(label="Time", required=False, widget=TimeInput())
    description = _text("Description", max_length=300, help_text="e.g. court, judge, room")


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text=f"{ACCEPTED_LABEL}.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )
    description = _text("Description", max_length=300)

    def __init__(self, *args, **kwargs):
        # Its own ids: the deadline form on the same page also has a "description".
        kwargs.setdefault("auto_id", "id_attachment_%s")
        super().__init__(*args, **kwargs)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=CaseStatus.choices)
    outcome = forms.ChoiceField(
        label="Outcome (to close)",
        choices=[("", "—"), *CaseOutcome.choices],
        required=False,
    )
    closed_on = _date("Closed on", help_text="Defaults to today when closing.")


class HoldForm(forms.Form):
    hold_reason = forms.CharField(
        label="Reason for the litigation hold",
        max_length=300,
        help_text="The matter or request that requires keeping this record.",
    )


class AssignForm(forms.Form):
    caseworker = forms.ModelChoiceField(
        label="Caseworker", queryset=None, required=False, empty_label="— unassigned —"
    )
    attorney = forms.ModelChoiceField(
        label="Attorney", queryset=None, required=False, empty_label="— unassigned —"
    )

    def __init__(self, *args, staff: dict, **kwargs):
        from accounts.models import User

        super().__init__(*args, **kwargs)
        for role in ("caseworker", "attorney"):
            field = self.fields[role]
            field.queryset = User.objects.filter(pk__in=[u.pk for u in staff[role]])
            field.to_field_name = "public_id"
            # Choices from the already-loaded staff list: no query when rendering.
            field.choices = [("", "— unassigned —")] + [(u.public_id, str(u)) for u in staff[role]]
