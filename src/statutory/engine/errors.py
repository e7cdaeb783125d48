"""Errors the library raises on purpose, with what a person needs to fix them."""

from __future__ import annotations

# The longest message a reader gives: a message may quote the input (a header row, a value),
# and hostile input must not make a long or many-line message, or one that drives a terminal.
MESSAGE_LIMIT = 400


def one_line(text: object, most: int = MESSAGE_LIMIT) -> str:
    """`text` as one line of printable characters, at most `most` long (cut with an ellipsis)."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in str(text)).split())
    return flat if len(flat) <= most else flat[: most - 1] + "…"


class InputError(Exception):
    """The input could not be read as a return: names the file, row and column where it can.

    `row` is the 1-based data row (the header line is row 0), `column` the DfE column name.
    The CLI prints `str(error)` on one line and exits non-zero; no traceback. However long or
    odd the input it quotes, `str(error)` is one printable line of at most `MESSAGE_LIMIT`
    characters.
    """

    def __init__(
        self,
        file: str | None,
        row: int | None,
        column: str | None,
        message: str,
    ) -> None:
        self.file = file
        self.row = row
        self.column = column
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.row is not None:
            where.append("header row" if self.row == 0 else f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        prefix = ", ".join(where)
        return one_line(f"{prefix}: {self.message}" if prefix else self.message)


class DuplicateRuleError(Exception):
    """Two different checks were registered under one DfE code."""


class NotRun(Exception):
    """Raised by a check that cannot run on this input (e.g. it needs a list the council did not
    supply); `str()` is the reason. The run records the rule as not run, never as passed."""
