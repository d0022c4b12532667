"""Strict FilterSets: an unknown query parameter is an error, never silently ignored.

A typo such as `?detainr=true` would otherwise return every case, and an attorney
would believe the filter worked. The same check means no parameter can reach a field
the FilterSet does not declare (privileged notes, other offices' data).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict
from drf_spectacular.utils import extend_schema_field

# Parameters every list accepts besides its filters: pagination only.
PAGINATION_PARAMS = frozenset({"page", "cursor", "page_size"})

YES_NO = (("true", "Yes"), ("false", "No"))


def unknown_params(data, known) -> list[str]:
    return sorted(set(data or ()) - set(known) - PAGINATION_PARAMS)


def unknown_params_message(names: list[str]) -> str:
    shown = ", ".join(name[:40] for name in names[:5])
    return f"Unknown filter parameter(s): {shown}. Remove them or check their spelling."


class StrictFilterForm(forms.Form):
    """The form behind every strict FilterSet: rejects parameters it has no field for."""

    def clean(self):
        cleaned = super().clean()
        unknown = unknown_params(self.data, self.fields)
        if unknown:
            raise ValidationError(unknown_params_message(unknown), code="unknown_parameter")
        return cleaned


def as_multi(data):
    """Query parameters as a MultiValueDict: a plain dict may hold a value or a list."""
    if data is None or isinstance(data, MultiValueDict):
        return data
    return MultiValueDict(
        {k: [str(x) for x in v] if isinstance(v, list | tuple) else [v] for k, v in data.items()}
    )


class StrictFilterSet(django_filters.FilterSet):
    """Base FilterSet: strict parameters; params may be a QueryDict, a plain dict or None."""

    class Meta:
        form = StrictFilterForm

    def __init__(self, data=None, *args, **kwargs):
        # None means "no filter" but still filtered and ordered by filter_queryset.
        data = as_multi({} if data is None else data).copy()
        for name, filter_ in self.base_filters.items():
            # A form's blank "Any" option means no value, not an invalid one.
            if isinstance(filter_, django_filters.MultipleChoiceFilter) and name in data:
                data.setlist(name, [v for v in data.getlist(name) if v != ""])
        super().__init__(data, *args, **kwargs)


class YesNoFilter(django_filters.ChoiceFilter):
    """`true`/`false` only: anything else is an error (BooleanFilter ignores typos)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", YES_NO)
        kwargs.setdefault("empty_label", "Any")
        super().__init__(*args, **kwargs)
        # The API schema documents the parameter as parsed (a "true"/"false" string), not as
        # the boolean model field it filters, whose type drf-spectacular would otherwise take.
        choices = "\n".join(f"* `{value}` - {label}" for value, label in YES_NO)
        schema = {"type": "string", "enum": [value for value, _label in YES_NO]}
        extend_schema_field({**schema, "description": f"{self.label}\n\n{choices}"})(self)

    def filter(self, qs, value):
        return super().filter(qs, yes_no(value))


def yes_no(value) -> bool | None:
    return {"true": True, "false": False}.get(value)
