from __future__ import annotations

from typing import Any, cast

from django import forms

from alliance.organisations.managing import ADDED_KINDS
from alliance.organisations.models import AllianceMembership, Council, Organisation


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


class MembershipForm(forms.Form):
    council = forms.ChoiceField(label="Council", error_messages={"required": "Choose a council"})
    kind = forms.ChoiceField(
        label="As",
        choices=AllianceMembership.Kind.choices,
        widget=forms.RadioSelect,
        help_text="A partner is one of the alliance's councils; a supported council is one it helps",
        error_messages={"required": "Choose partner or supported"},
    )
    starts_on = forms.DateField(
        label="From",
        widget=forms.DateInput,
        error_messages={
            "required": "Enter the date it started",
            "invalid": "Enter a real date, like 1 April 2025",
        },
    )

    def __init__(self, alliance: Organisation, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        council = cast(forms.ChoiceField, self.fields["council"])
        council.choices = [("", "Choose a council")] + [
            (str(c.pk), c.name) for c in Council.objects.order_by("name")
        ]

    def chosen_council(self) -> Council:
        return Council.objects.get(pk=self.cleaned_data["council"])


class EndForm(forms.Form):
    ends_on = forms.DateField(
        label="To",
        widget=forms.DateInput,
        error_messages={
            "required": "Enter the date it ended",
            "invalid": "Enter a real date, like 31 March 2026",
        },
    )


class SingleSignOnForm(forms.Form):
    issuer = forms.URLField(
        label="Issuer URL",
        max_length=300,
        assume_scheme="https",
        help_text="From your organisation's sign-in service. For Microsoft Entra ID it is "
        "https://login.microsoftonline.com/ followed by your tenant ID and /v2.0",
        error_messages={
            "required": "Enter the issuer URL",
            "invalid": "Enter the issuer URL in the correct format, like "
            "https://login.microsoftonline.com/your-tenant-id/v2.0",
        },
    )
    client_id = forms.CharField(
        label="Client ID",
        max_length=200,
        help_text="The application (client) ID the service is registered with",
        error_messages={"required": "Enter the client ID"},
    )
    client_secret = forms.CharField(
        label="Client secret",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave blank to keep the secret already saved. It is never shown again",
    )
    email_domains = forms.CharField(
        label="Email domains",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The domains of your organisation's email addresses, one a line, "
        "like northtyneside.gov.uk",
        error_messages={"required": "Enter your organisation's email domains"},
    )
    enabled = forms.BooleanField(
        label="People can sign in with their organisation's account",
        required=False,
        initial=True,
    )
