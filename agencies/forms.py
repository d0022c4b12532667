"""Forms of the agency directory pages."""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.conf import settings

from agencies.models import ListKind

MAX_FILES = 10
SUFFIXES = (".xlsx", ".csv")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file input that accepts several files; cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(SUFFIXES)}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class ImportUploadForm(forms.Form):
    files = MultipleFileField(
        label="ICE list files",
        help_text="The participating and/or pending agencies workbook (.xlsx) or a CSV export "
        "of it. Several files of the same day are applied participating list first.",
    )
    list_date = forms.DateField(
        required=False,
        label="List date",
        help_text="The day ICE published the lists. Leave empty to read it from each file "
        "name (ICE names carry it, e.g. participatingAgencies06062025am.xlsx).",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    list_kind = forms.ChoiceField(
        required=False,
        label="Which list",
        choices=[("", "Detect from the file"), *ListKind.choices],
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(f"Upload at most {MAX_FILES} files at a time.")
        limit = settings.ICE_287G_MAX_BYTES
        for upload in files:
            if PurePath(upload.name).suffix.lower() not in SUFFIXES:
                raise forms.ValidationError(f"{upload.name}: only .xlsx and .csv files.")
            if upload.size > limit:
                raise forms.ValidationError(
                    f"{upload.name} is larger than the {limit // (1024 * 1024)} MB limit."
                )
        return files
