"""Request forms for the reports page. They only shape input into `params`; the rules
live in reports.params, whose errors are put back next to the fields."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.access import access_for
from accounts.models import Office
from agencies.models import Agency
from cases.selectors import cases_visible
from reports.models import ReportKind


class QuarterlyForm(forms.Form):
    kind = ReportKind.QUARTERLY
    prefix = "quarterly"

    year = forms.IntegerField(min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(choices=[(n, f"Q{n}") for n in range(1, 5)], coerce=int)
    fiscal = forms.TypedChoiceField(
        label="Quarters",
        choices=[("false", "Calendar (Q1 = Jan–Mar)"), ("true", "Federal fiscal (Q1 = Oct–Dec)")],
        coerce=lambda v: v == "true",
        initial="false",
    )
    office = forms.ModelChoiceField(
        queryset=Office.objects.none(), to_field_name="code", required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        ids = access_for(user).case_office_ids
        offices = Office.objects.all() if ids is None else Office.objects.filter(id__in=ids)
        self.fields["office"].queryset = offices.order_by("name")
        self.fields["office"].empty_label = "All offices" if ids is None else "All my offices"
        # The last complete calendar quarter: what a board report usually covers.
        today = timezone.localdate()
        current = (today.month - 1) // 3 + 1
        year, number = (today.year, current - 1) if current > 1 else (today.year - 1, 4)
        self.fields["year"].initial = year
        self.fields["quarter"].initial = number

    def params(self) -> dict:
        data = self.cleaned_data
        office = data.get("office")
        return {
            "year": data["year"],
            "quarter": data["quarter"],
            "fiscal": data["fiscal"],
            "office": office.code if office else None,
        }


class AgencyPatternForm(forms.Form):
    kind = ReportKind.AGENCY_PATTERN
    prefix = "agency"

    agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.order_by("state", "name"),
        to_field_name="public_id",
        help_text="Up to ten. Hold Ctrl (⌘ on a Mac) to choose several.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    date_after = forms.DateField(
        label="Events from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_before = forms.DateField(label="Events to", widget=forms.DateInput(attrs={"type": "date"}))
    include_names = forms.BooleanField(
        label="Include client names", required=False, help_text="Off by default."
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].label_from_instance = lambda a: f"{a.state} — {a.name}"

    def params(self) -> dict:
        data = self.cleaned_data
        return {
            "agencies": [str(a.public_id) for a in data["agencies"]],
            "date_after": data["date_after"].isoformat(),
            "date_before": data["date_before"].isoformat(),
            "include_names": data["include_names"],
        }


class CaseChronologyForm(forms.Form):
    kind = ReportKind.CASE_CHRONOLOGY
    prefix = "chronology"

    case = forms.CharField(label="Case number", max_length=12, help_text="For example 2025-000123")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_case(self):
        number = self.cleaned_data["case"].strip()
        case = cases_visible(user=self.user).filter(number=number).only("public_id").first()
        if case is None:
            raise ValidationError("No case with this number in your offices.")
        return case

    def params(self) -> dict:
        return {"case": str(self.cleaned_data["case"].public_id)}


FORMS = {form.kind: form for form in (QuarterlyForm, AgencyPatternForm, CaseChronologyForm)}


def put_errors(form: forms.Form, error: ValidationError) -> None:
    """Attach reports.params errors to the matching fields (others to the form)."""
    for field, messages in getattr(error, "message_dict", {"__all__": error.messages}).items():
        form.add_error(field if field in form.fields else None, messages)
