"""Form pieces WorkPlace's forms share: SSDA903 code choices, postcodes checked against the
ONS directory, typed access to a form's choice fields."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms

from alliance.organisations.postcodes import valid_postcode
from alliance.workplace import codes, wording
from alliance.workplace.postcodes import NORTH_EAST


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def record_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def checked_postcode(value: str) -> tuple[str, tuple[int, int]]:
    text = valid_postcode(value, "Enter a real postcode, like NE33 2RL")
    where = NORTH_EAST.grid_reference(text)
    if where is None:
        raise forms.ValidationError(
            "Enter a postcode in the North East, like NE33 2RL: WorkPlace works out travel "
            "distances from the North East postcodes in the ONS Postcode Directory"
        )
    return text, where


class CodeField(forms.ChoiceField):
    """A choice of SSDA903 codes read from the statutory library's schema, with a clear message
    for a code the DfE does not use."""

    def __init__(self, *, code_list: str, what: str, **kwargs: Any) -> None:
        self.code_list, self.what = code_list, what
        super().__init__(choices=[], **kwargs)
        self.error_messages["invalid_choice"] = (
            f"“%(value)s” is not a {what} code the DfE uses in the SSDA903 return: choose one "
            "from the list"
        )
        self.error_messages["required"] = f"Select the young person’s {what}"

    def _set_choices(self) -> None:
        label = {
            "ACTIV": codes.activity_label,
            "ACCOM": codes.accommodation_label,
            "IN_TOUCH": codes.in_touch_label,
        }[self.code_list]
        self.choices = [("", "Choose")] + [(c, label(c)) for c in codes.code_list(self.code_list)]


def postcode_field(label: str, required_message: str, help_text: str = "") -> forms.CharField:
    # Longer than a postcode, so a mistyped one gets the postcode message, not a length error.
    return forms.CharField(
        label=label,
        max_length=20,
        help_text=help_text,
        error_messages={"required": required_message},
    )


class ClockTimeField(forms.CharField):
    """A time of day typed the way people write it: "2:30pm", "2.30pm", "2pm", "14:30"."""

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if text is None or text in self.empty_values:
            return None
        try:
            return wording.parse_time(text)
        except wording.TimeNotUnderstood as error:
            raise forms.ValidationError(error.messages[0]) from error

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.time):
            return wording.clock_time(value)
        return value
