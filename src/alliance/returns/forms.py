"""Forms for uploading a return and recording a data-sharing agreement."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from alliance.organisations.models import Organisation
from alliance.returns.models import DataSharingAgreement, ReturnKind
from alliance.returns.services.uploading import MAX_PROVIDER_LISTS, collection_years


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _year_label(year: int) -> str:
    return f"April {year - 1} to March {year}"


KIND_NAMES: dict[str, str] = {ReturnKind.SSDA903: "SSDA903", ReturnKind.CIN: "CIN census"}


def _years_in_words(years: list[int]) -> str:
    """'April 2025 to March 2026 or April 2026 to March 2027', oldest first."""
    labels = [_year_label(y) for y in sorted(years)]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


def checkable_years() -> str:
    """Which years the service can check, return by return, in words for the form's hint and
    its refusals: 'SSDA903: April 2025 to March 2026 or …. CIN census: …'."""
    return " ".join(
        f"{KIND_NAMES[kind]}: {_years_in_words(collection_years(kind))}."
        for kind in (ReturnKind.SSDA903, ReturnKind.CIN)
        if collection_years(kind)
    )


def _only_for(year: int, by_kind: dict[str, list[int]]) -> str:
    kinds = [kind for kind, found in by_kind.items() if year in found]
    return f" ({KIND_NAMES[kinds[0]]} only)" if len(kinds) == 1 else ""


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="Which return is it?", choices=ReturnKind.choices, widget=forms.RadioSelect
    )
    year = forms.TypedChoiceField(
        label="Which collection year?", coerce=int, choices=(), widget=forms.RadioSelect
    )
    current = MultipleFileField(
        label="The return's files",
        help_text="SSDA903: the CSV files, or one zip of them. CIN census: the XML file.",
        required=False,
    )
    previous = MultipleFileField(
        label="Last year's return (SSDA903 only, optional)",
        help_text="Some DfE rules compare with last year's return. You can also put a previous "
        "folder inside the zip.",
        required=False,
    )
    providers = MultipleFileField(
        label="Ofsted provider lists (SSDA903 only, optional)",
        help_text="Seven DfE rules (219, 221, 224, 227, 228, 229 and 1008) check placements' "
        "Ofsted URNs against Ofsted's lists of providers. Upload Ofsted's Children's Homes list "
        "and Social Care Providers list, or its combined list: up to 2 files, the .xlsx "
        "workbooks as Ofsted publishes them or CSV saved from them. Without them those rules "
        "are not run.",
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        by_kind = {kind: collection_years(kind) for kind in KIND_NAMES}
        years = sorted({y for found in by_kind.values() for y in found}, reverse=True)
        year_field: Any = self.fields["year"]
        # a year only one return can be checked for says so beside it (issue #16: the form
        # offered 2024/25 to everyone and then refused it for SSDA903 without saying why)
        year_field.choices = [(y, _year_label(y) + _only_for(y, by_kind)) for y in years]
        year_field.help_text = f"The years the service can check. {checkable_years()}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("current"):
            self.add_error("current", "Choose the return's files to upload")
        kind, year = data.get("kind"), data.get("year")
        if kind and year and year not in collection_years(kind):
            self.add_error(
                "year",
                f"The service cannot check the {_year_label(year)} {KIND_NAMES[kind]} return. It "
                f"can check the {KIND_NAMES[kind]} for {_years_in_words(collection_years(kind))}",
            )
        if kind == ReturnKind.CIN and data.get("previous"):
            self.add_error(
                "previous", "The CIN census is checked on its own: leave last year's files out"
            )
        if kind == ReturnKind.CIN and data.get("providers"):
            self.add_error(
                "providers",
                "Ofsted's provider lists are for the SSDA903 return only: leave them out",
            )
        if len(data.get("providers") or []) > MAX_PROVIDER_LISTS:
            self.add_error(
                "providers",
                f"Choose at most {MAX_PROVIDER_LISTS} Ofsted provider lists (for example the "
                "Children's Homes list and the Social Care Providers list)",
            )
        return data


class AgreementForm(forms.ModelForm):
    alliance = forms.ModelChoiceField(
        label="Which alliance does your council share with?",
        queryset=Organisation.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = DataSharingAgreement
        fields = ["alliance", "scope", "starts_on", "ends_on", "purpose", "signed_by"]
        labels = {
            "scope": "What does the agreement cover?",
            "starts_on": "Start date",
            "ends_on": "End date",
            "purpose": "What may the alliance use the records for?",
            "signed_by": "Who signed for your council?",
        }
        widgets = {
            "scope": forms.RadioSelect,
            "starts_on": forms.DateInput(),
            "ends_on": forms.DateInput(),
            "purpose": forms.Textarea,
        }
        help_texts = {
            "signed_by": "Their name and role, for example Jo Smith, Director of Children's Services"
        }

    def __init__(self, *args: Any, alliances: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if alliances is not None:
            alliance_field: Any = self.fields["alliance"]
            alliance_field.queryset = alliances
        scope_field: Any = self.fields["scope"]
        scope_field.choices = DataSharingAgreement.Scope.choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The end date must be the same as or after the start date")
        if ends and ends < dt.date.today():
            self.add_error("ends_on", "The end date must be today or in the future")
        return data
