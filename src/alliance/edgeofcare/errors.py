"""Edge of Care's refusal: the error a rule raises when it refuses a request.

A Django `ValidationError`, so a page shows it in the GOV.UK error summary like any form error;
`field` names the form field the message belongs to (None: the whole form)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class EdgeOfCareError(ValidationError):
    """A request the rules refuse; `field` names the form field the message belongs to."""

    def __init__(
        self,
        message: str,
        field: str | None = None,
        *,
        code: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, code=code, params=params)
        self.field = field


def message_of(error: ValidationError) -> str:
    """The refusal as one sentence for a page (a `ValidationError`'s `str` is a list's repr)."""
    return " ".join(error.messages)
