"""Forms for the people pages, with GOV.UK wording."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import SetPasswordForm

from alliance.accounts.forms import word_new_password_fields
from alliance.accounts.models import Role
from alliance.accounts.people import rules
from alliance.organisations.models import Organisation


def _organisation_choices(actor: Any) -> list[tuple[str, str]]:
    return [("", "Choose an organisation")] + [
        (str(o.pk), f"{o.name} ({o.get_kind_display()})")
        for o in rules.organisations_managed_by(actor)
    ]


def _role_choices(actor: Any) -> list[tuple[str, str]]:
    given = {
        role
        for organisation in rules.organisations_managed_by(actor)
        for role in rules.roles_given_by(actor, organisation)
    }
    return [("", "Choose a role")] + [(r.value, r.label) for r in Role if r in given]


class RoleForm(forms.Form):
    """An organisation and a role in it. Whether the organisation can hold the role, and whether
    this person may give it, is checked by the service (rules.check_role)."""

    organisation = forms.ChoiceField(
        label="Organisation", error_messages={"required": "Choose an organisation"}
    )
    role = forms.ChoiceField(label="Role", error_messages={"required": "Choose a role"})

    def __init__(self, actor: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = cast(forms.ChoiceField, self.fields["organisation"])
        role = cast(forms.ChoiceField, self.fields["role"])
        organisation.choices = _organisation_choices(actor)
        role.choices = _role_choices(actor)

    def chosen_organisation(self) -> Organisation:
        return Organisation.objects.get(pk=self.cleaned_data["organisation"])


class InviteForm(RoleForm):
    full_name = forms.CharField(
        label="Full name", max_length=200, error_messages={"required": "Enter the person's name"}
    )
    email = forms.EmailField(
        label="Email address",
        help_text="The invitation is sent here. They will sign in with it",
        error_messages={
            "required": "Enter the person's email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    field_order = ["full_name", "email", "organisation", "role"]


class ForgottenPasswordForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="The email address you sign in with",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )


class ChoosePasswordForm(SetPasswordForm):
    """Django's form and its password validators, with GOV.UK wording."""

    error_messages = {
        **SetPasswordForm.error_messages,
        "password_mismatch": "The two passwords do not match. Enter the same password twice",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        word_new_password_fields(self, "Password", "a password", "the password")
