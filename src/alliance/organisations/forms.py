from __future__ import annotations

from typing import Any, cast

from django import forms

from alliance.organisations.managing import ADDED_KINDS
from alliance.organisations.models import AllianceMember, Council, Organisation


class OrganisationForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of organisation is it?",
        choices=[(k.value, k.label) for k in ADDED_KINDS],
        widget=forms.RadioSelect,
        help_text="Councils are already here, from the DfE's list of local authorities",
        error_messages={"required": "Choose what kind of organisation it is"},
    )
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the organisation's name"}
    )


class MemberForm(forms.Form):
    council = forms.ChoiceField(label="Council", error_messages={"required": "Choose a council"})

    def __init__(self, alliance: Organisation, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = AllianceMember.objects.filter(alliance=alliance).values_list(
            "council_id", flat=True
        )
        council = cast(forms.ChoiceField, self.fields["council"])
        council.choices = [("", "Choose a council")] + [
            (str(c.pk), c.name) for c in Council.objects.exclude(pk__in=members).order_by("name")
        ]

    def chosen_council(self) -> Council:
        return Council.objects.get(pk=self.cleaned_data["council"])
