from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest

from alliance.accounts import services


class SignInForm(forms.Form):
    username = forms.CharField(label="Email address", max_length=254)
    password = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user: Any = None
        self.attempt: Any = None
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        username, password = data.get("username"), data.get("password")
        if not username or not password:
            return data
        self.attempt, locked = services.begin_attempt(self.request, username)
        if locked:
            services.finish_attempt(self.request, self.attempt, succeeded=False, locked=True)
            raise forms.ValidationError(services.locked_message(), code="locked")
        user = authenticate(self.request, username=username, password=password)
        if user is None:
            services.finish_attempt(self.request, self.attempt, succeeded=False)
            raise forms.ValidationError(
                "Enter a correct email address and password", code="invalid"
            )
        self.user = user
        return data


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Security code",
        max_length=6,
        min_length=6,
        help_text="The 6-digit code from your authenticator app",
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip().replace(" ", "")
        if not token.isdigit() or len(token) != 6:
            raise forms.ValidationError("Enter the 6-digit security code")
        return token


CHOOSING_ADVICE = (
    "At least 12 characters, not like your name or email address. Three random words work well"
)


def word_new_password_fields(form: forms.Form, label: str, a_password: str, the: str) -> None:
    """GOV.UK labels, hint and messages for Django's two new-password fields."""
    first, second = form.fields["new_password1"], form.fields["new_password2"]
    first.label, first.help_text = label, CHOOSING_ADVICE
    first.error_messages["required"] = f"Enter {a_password}"
    second.label, second.help_text = f"Confirm {label.lower()}", ""
    second.error_messages["required"] = f"Enter {the} again"


class ChangePasswordForm(PasswordChangeForm):
    """Django's form and its password validators (length, common passwords, likeness to the
    person's name and email address, all numbers), with GOV.UK wording. A wrong current password
    counts as a failed sign-in, so it cannot be guessed from a session left open."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "Your current password is not right. Enter it again",
        "password_mismatch": "The two new passwords do not match. Enter the same password twice",
    }

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        super().__init__(request.user, *args, **kwargs)  # type: ignore[arg-type]  # signed in
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].error_messages["required"] = "Enter your current password"
        word_new_password_fields(self, "New password", "a new password", "the new password")

    def clean_old_password(self) -> str:
        attempt, locked = services.begin_attempt(self.request, self.user.get_username())
        if locked:
            services.finish_attempt(
                self.request, attempt, succeeded=False, user=self.user, locked=True
            )
            raise forms.ValidationError(services.locked_message(), code="locked")
        try:
            password = str(super().clean_old_password())
        except forms.ValidationError:
            services.finish_attempt(self.request, attempt, succeeded=False, user=self.user)
            raise
        # Right: not a sign-in, so neither a failure nor a reset of the count.
        services.set_aside_attempt(attempt)
        return password


class OrganisationSignInForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="The address you use at work",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
        },
    )
