"""Form fields more than one app uses, with messages in GOV.UK style."""

from __future__ import annotations

from typing import Any

from django import forms

DATE_FORMATS = ["%Y-%m-%d", "%d %m %Y", "%d/%m/%Y", "%d %B %Y", "%d %b %Y"]


class DateField(forms.DateField):
    """A date typed in one box the ways people write it ("27 3 2019", "27/03/2019",
    "27 March 2019" or "2019-03-27"), refused with "Enter …" when empty and "… must be a real
    date" when it is not one. The label names the date in both messages."""

    widget = forms.DateInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "For example, 27 3 2019")
        kwargs.setdefault(
            "error_messages",
            {
                "required": f"Enter {str(kwargs.get('label', 'a date')).lower()}",
                "invalid": f"{kwargs.get('label', 'Date')} must be a real date",
            },
        )
        kwargs.setdefault("input_formats", DATE_FORMATS)
        super().__init__(*args, **kwargs)
