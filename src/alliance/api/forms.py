"""The form an administrator issues a token with. Whether the organisation can hold the role and
whether this person may issue for it are checked by `tokens.issue`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from alliance.accounts.people import rules
from alliance.api.models import TOKEN_ROLES, Scope
from alliance.common.form_fields import DateField


class IssueForm(forms.Form):
    organisation = forms.ChoiceField(
        label="Organisation", error_messages={"required": "Choose an organisation"}
    )
    name = forms.CharField(
        label="What will use it",
        max_length=100,
        help_text="For example, 'Mosaic nightly export' or 'Performance team scripts'",
        error_messages={"required": "Enter what will use the token"},
    )
    role = forms.ChoiceField(
        label="It acts as",
        choices=[("", "Choose a role")] + [(r.value, r.label) for r in TOKEN_ROLES],
        error_messages={"required": "Choose the role the token acts as"},
    )
    scopes = forms.MultipleChoiceField(
        label="It may",
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose what the token may be used for"},
    )
    expires_on = DateField(label="Expiry date", help_text="At most a year from today")

    def __init__(self, actor: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"expires_on": timezone.localdate() + dt.timedelta(days=90)})
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", "Choose an organisation")] + [  # type: ignore[attr-defined]
            (str(o.pk), f"{o.name} ({o.get_kind_display()})")
            for o in rules.organisations_managed_by(actor)
        ]
