"""Edge of Care's refusal: the error a rule raises when it refuses a request."""

from __future__ import annotations


class EdgeOfCareError(ValueError):
    """A request the rules refuse; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
