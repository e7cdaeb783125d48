"""Errors the library raises on purpose, with what a person needs to fix them."""

from __future__ import annotations


class InputError(Exception):
    """The input could not be read as a return: names the file, row and column where it can.

    `row` is the 1-based data row (the header line is row 0), `column` the DfE column name.
    The CLI prints `str(error)` on one line and exits non-zero; no traceback.
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
        return f"{prefix}: {self.message}" if prefix else self.message


class DuplicateRuleError(Exception):
    """Two different checks were registered under one DfE code."""
