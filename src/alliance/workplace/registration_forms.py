"""Forms of 'Register your business' (public question pages) and of the team's decision on a
registration."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import password_validators_help_texts

from alliance.workplace import registration
from alliance.workplace.form_fields import (
    checked_postcode,
    choice_field,
    postcode_field,
)
from alliance.workplace.models import (
    INTERESTS,
    Opportunity,
)


class RegistrationStep(forms.Form):
    """One question page of 'Register your business'. `website` is a trap: the page hides it
    from people (the `hidden` attribute), so only a robot filling every box fills it in."""

    website = forms.CharField(required=False, max_length=200, label="Leave this empty")

    @property
    def trapped(self) -> bool:
        return bool(self.is_bound and self.data.get("website", "").strip())

    def questions(self) -> list[forms.BoundField]:
        return [bf for bf in self if bf.name != "website"]


class BusinessForm(RegistrationStep):
    business_name = forms.CharField(
        label="Business name",
        max_length=200,
        help_text="The name care leavers and advisers will know you by",
        error_messages={"required": "Enter the name of your business"},
    )
    sector = forms.ChoiceField(
        choices=INTERESTS,
        widget=forms.RadioSelect,
        label="What kind of work does your business do?",
        error_messages={"required": "Select the kind of work your business does"},
    )


class AddressForm(RegistrationStep):
    address = forms.CharField(
        widget=forms.Textarea,
        label="Address",
        max_length=500,
        help_text="Building, street and town",
        error_messages={"required": "Enter your business’s address"},
    )
    postcode = postcode_field("Postcode", "Enter your business’s postcode")
    council = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        label="Which council’s WorkPlace do you want to work with?",
        help_text="Leave this as it is to work with the council for your postcode",
    )

    def __init__(self, *args: Any, business_name: str = "", **kwargs: Any) -> None:

        super().__init__(*args, **kwargs)
        self.business_name = business_name
        self.councils = {c.pk: c for c in registration.workplace_councils()}
        choice_field(self, "council").choices = [("", "The council for my postcode")] + [
            (pk, c.name) for pk, c in self.councils.items()
        ]

    def clean_postcode(self) -> str:
        text, _where = checked_postcode(self.cleaned_data["postcode"])
        return text

    def clean(self) -> dict[str, Any]:

        data = super().clean() or {}
        postcode = data.get("postcode")
        if not postcode:
            return data
        chosen = data.get("council")
        if chosen is None:
            council = registration.council_for_postcode(postcode)
            if council is None or council.pk not in self.councils:
                where = (
                    f"{council.name}, the council for {postcode},"
                    if council
                    else "The council for this postcode"
                )
                self.add_error(
                    "council",
                    f"{where} does not run WorkPlace yet: choose the council whose WorkPlace "
                    "you want to work with",
                )
                return data
            data["council"] = council.pk
        twin = registration.duplicate_business(self.business_name, postcode)
        if twin is not None:
            self.add_error(
                "postcode",
                f"{twin.organisation.name} at {postcode} is already registered with WorkPlace. "
                "Sign in with the email address it was registered with, or contact the "
                "council’s WorkPlace team",
            )
        return data


class ContactForm(RegistrationStep):
    contact_name = forms.CharField(
        label="Your full name",
        max_length=200,
        error_messages={"required": "Enter your full name"},
    )
    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        help_text="You will sign in with this. We will send you a link to choose a password",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )

    def clean_email(self) -> str:
        # Whether the address already has an account is not said here (or anywhere on these
        # public pages): the answer would tell anyone who has an account. The check happens
        # when the registration is sent, and its owner is told by email.
        return str(self.cleaned_data["email"]).strip()


class OffersForm(RegistrationStep):
    offers = forms.MultipleChoiceField(
        choices=Opportunity.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        label="What kinds of opportunity can you offer care leavers?",
        help_text="Select all that apply",
        error_messages={"required": "Select at least one kind of opportunity"},
    )


class RegistrationPledgeForm(RegistrationStep):
    pledge = forms.CharField(
        widget=forms.Textarea,
        max_length=2000,
        label="Your pledge to care leavers",
        help_text="What your business will do for care leavers, for example guarantee an "
        "interview to every care leaver who applies",
        error_messages={"required": "Enter your pledge to care leavers"},
    )


class SubmitRegistrationForm(RegistrationStep):
    """The 'check your answers' page's button: only the trap field."""


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("decline", "Decline")],
        widget=forms.RadioSelect,
        label="Do you approve this business?",
        error_messages={"required": "Select whether you approve this business"},
    )
    reason = forms.CharField(
        widget=forms.Textarea,
        required=False,
        max_length=2000,
        label="Reason or note for the business",
        help_text="Needed when you decline: the business is sent it by email",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "decline" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Enter why the registration is declined: the business is told")
        return data


class ChoosePasswordForm(SetPasswordForm):
    """Django's form to set a password, with its rules as plain text: Django gives them as an
    HTML list, which the page's hint (escaped, as all text is) showed as raw markup."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = " ".join(password_validators_help_texts())
