"""Limits on what a reader takes in, checked before the costly parse, so that no input -- a zip
bomb, a header of millions of columns, gigabytes of junk -- can make a reader use more than a
bounded amount of memory or time. Each refusal is one `InputError` line naming the file and the
limit (and the setting that raises it).

The limits are far above any council's real return (see docs/statutory/ssda903.md, "Limits"):

- `max_bytes`: the most one year's return may hold once unpacked (all its files, zip members
  counted as they come out, not as the zip says). A 50,000-child SSDA903 return is about 17 MB
  a year, a 50,000-child CIN census about 41 MB; England's largest council returns far fewer.
- `max_columns`: the most columns in a header row (the widest DfE table has under 30).
- `max_rows`: the most rows in one table (lines, for CSV; a 50,000-child return's largest
  table has about 150,000).
- `max_cell_bytes`: the longest value (DfE items are codes, dates, postcodes and ids: under 40
  characters).
- `max_ratio`: how many times a zip member may expand (a CSV compresses 5 to 20 times).

Derived from those: a CSV line (or an XML child record) may be at most `max_record_bytes`
(`max_columns` × `max_cell_bytes`). Every limit is a parameter (`Limits(...)`, or the readers'
`limits=`), so tests set them low; the defaults come from the environment variables below.
"""

from __future__ import annotations

import csv
import io
import mmap
import os
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import IO

import polars as pl

from statutory.engine.errors import InputError

MB = 1024 * 1024
CHUNK = 4 * MB

ENV_BYTES = "ALLIANCE_MAX_RETURN_MB"
ENV_COLUMNS = "ALLIANCE_MAX_COLUMNS"
ENV_ROWS = "ALLIANCE_MAX_ROWS"
ENV_CELL = "ALLIANCE_MAX_CELL_BYTES"


def _env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else default


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 256 * MB
    max_columns: int = 200
    max_rows: int = 1_000_000
    max_cell_bytes: int = 1024
    max_ratio: int = 200

    @classmethod
    def from_env(cls) -> Limits:
        base = cls()
        return cls(
            max_bytes=_env(ENV_BYTES, base.max_bytes // MB) * MB,
            max_columns=_env(ENV_COLUMNS, base.max_columns),
            max_rows=_env(ENV_ROWS, base.max_rows),
            max_cell_bytes=_env(ENV_CELL, base.max_cell_bytes),
        )

    @property
    def max_record_bytes(self) -> int:
        return self.max_columns * self.max_cell_bytes

    def with_bytes(self, max_bytes: int | None) -> Limits:
        return self if max_bytes is None else replace(self, max_bytes=max_bytes)


def default_limits() -> Limits:
    """The limits from the environment (read at each call, so a setting takes effect at once)."""
    return Limits.from_env()


def human_size(n: int) -> str:
    if n >= MB:
        return f"{n / MB:,.0f} MB"
    if n >= 1024:
        return f"{n / 1024:,.0f} KB"
    return f"{n:,} bytes"


def too_big(name: str | None, size: int, limits: Limits, what: str = "the return is") -> InputError:
    return InputError(
        name,
        None,
        None,
        f"{what} {human_size(size)} or more, over the limit of {human_size(limits.max_bytes)} "
        f"({ENV_BYTES}); is it the right file?",
    )


class Budget:
    """The bytes a return may still take, shared by its files (and the threads reading them)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.used = 0
        self._lock = threading.Lock()

    def take(self, name: str, n: int) -> None:
        with self._lock:
            self.used += n
            if self.used > self.limits.max_bytes:
                raise too_big(name, self.used, self.limits, "the return (all its files) is")

    def declared(self, name: str, sizes: int, *, of_many: bool = False) -> None:
        """Refuse at once when the sizes the files (or zip) declare already pass the limit.
        `of_many`: `name` is the largest of a folder's files, which together pass it."""
        if sizes > self.limits.max_bytes:
            what = "with this file, the largest, the return's files come to" if of_many else None
            raise too_big(name, sizes, self.limits, what or "the return is")


def check_ratio(name: str, file_size: int, compress_size: int, limits: Limits) -> None:
    """A zip member that says it expands more than `max_ratio` times is not a return."""
    if compress_size and file_size / compress_size > limits.max_ratio:
        raise InputError(
            name,
            None,
            None,
            f"this zip member expands {file_size // compress_size:,} times, over the limit of "
            f"{limits.max_ratio} (it looks like a zip bomb)",
        )


class Counted:
    """A binary stream whose bytes are counted against the budget as they are read."""

    def __init__(self, name: str, stream: IO[bytes], budget: Budget) -> None:
        self.name = name
        self.stream = stream
        self.budget = budget

    def read(self, size: int = -1) -> bytes:
        with _damaged_zip(self.name):
            block = self.stream.read(CHUNK if size is None or size < 0 else size)
        self.budget.take(self.name, len(block))
        return block


@contextmanager
def _damaged_zip(name: str) -> Iterator[None]:
    """A zip member whose data does not match what the zip says of it (its size or checksum:
    a doctored zip, or a damaged one) is refused in one line."""
    try:
        yield
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise InputError(
            name,
            None,
            None,
            f"the zip is damaged, or its member is not what the zip says it is ({exc})",
        ) from None


def read_limited(
    name: str, stream: IO[bytes], budget: Budget, *, declared: int | None = None
) -> bytes:
    """All of a stream, counted against the budget as it comes (a zip member that expands
    to more than it declared stops at the limit, not at the end)."""
    if declared is not None and isinstance(stream, io.BufferedReader):
        # a file on disk: take its size from the budget, then read it in one allocation
        budget.take(name, declared)
        data = stream.read(declared)
        if stream.read(1):
            raise InputError(name, None, None, "the file grew while it was read")
        return data
    buffer = bytearray()
    while block := Counted(name, stream, budget).read(CHUNK):
        buffer += block
        if declared is not None and len(buffer) > declared + CHUNK:
            raise InputError(name, None, None, "the zip member is larger than the zip says")
    return bytes(buffer)


@dataclass(frozen=True)
class CsvShape:
    header: bytes  # the header line, as in the file (no line end)
    rows: int  # data lines after the header


def _columns_message(limits: Limits) -> str:
    return f"the limit is {limits.max_columns:,} columns ({ENV_COLUMNS})"


def _check_header_text(name: str, header: bytes) -> None:
    """A DfE table's header row is column names in plain ASCII: a first line that is mostly
    anything else (binary data, random bytes) is not a CSV table, and is said so, rather than
    quoted back."""
    if header.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # UTF-16: left to the reader's decoding
    sample = header.removeprefix(b"\xef\xbb\xbf")[:4096]
    odd = sum(1 for b in sample if (b < 32 and b != 9) or b > 126)
    if sample and odd * 10 > len(sample):
        raise InputError(
            name,
            0,
            None,
            "this is not a CSV table: its first line is not a row of column names (is it the "
            "right file?)",
        )


def _check_line(name: str, line: bytes, number: int, limits: Limits) -> None:
    """A line longer than a cell may be: refuse it when over the record limit or when one of
    its values is over the cell limit (lines this long are rare, so parsing them is cheap)."""
    if number == 0:
        _check_header_text(name, line)
        columns = line.count(b",") + 1
        if columns > limits.max_columns:
            raise InputError(
                name, 0, None, f"the header row has {columns:,} columns; {_columns_message(limits)}"
            )
    if len(line) > limits.max_record_bytes:
        raise _long_line(name, number, limits)
    text = line.decode("utf-8", errors="replace").replace("\x00", "")
    try:
        values = [v for cells in csv.reader(io.StringIO(text, newline="")) for v in cells]
    except csv.Error:  # not CSV at all: its commas are as near as it has to values
        values = text.split(",")
    for value in values:
        if len(value.encode("utf-8")) > limits.max_cell_bytes:
            raise InputError(
                name,
                number,
                None,
                f"a value is {len(value.encode('utf-8')):,} bytes long; the limit is "
                f"{limits.max_cell_bytes:,} bytes ({ENV_CELL})",
            )


def _long_line(name: str, number: int, limits: Limits) -> InputError:
    if number == 0:
        return InputError(
            name,
            0,
            None,
            f"the header row is longer than {human_size(limits.max_record_bytes)}, more than "
            f"{limits.max_columns:,} columns could be; {_columns_message(limits)}",
        )
    return InputError(
        name,
        number,
        None,
        f"the row is longer than {human_size(limits.max_record_bytes)} ({limits.max_columns:,} "
        f"columns of {limits.max_cell_bytes:,} bytes, the limits {ENV_COLUMNS} and {ENV_CELL})",
    )


def scan_csv(
    name: str,
    data: bytes | mmap.mmap,
    limits: Limits,
    on_header: Callable[[bytes], None] | None = None,
) -> CsvShape:
    """Check a CSV's shape against the limits without parsing it: the header's columns, the
    number of rows, the length of each line and of each value on a long line. Vectorised (numpy
    over the bytes, a few megabytes at a time), so it costs milliseconds per megabyte.
    `on_header(header)` is called as soon as the header row is found and checked (a reader
    matches it to a table there, so a file that is no table is refused before its rows)."""
    import numpy as np  # noqa: PLC0415  NumPy stays off `alliance --help`

    cell = limits.max_cell_bytes
    header: bytes | None = None
    lines = 0  # complete lines seen (the header is line 0)
    line_start = 0  # where the line being read begins
    view = np.frombuffer(data, dtype=np.uint8)
    for start in range(0, len(data), CHUNK):
        ends = np.flatnonzero(view[start : start + CHUNK] == 10) + start
        if ends.size == 0:
            if start + CHUNK - line_start > limits.max_record_bytes:
                raise _long_line(name, lines, limits)
            continue
        begins = np.empty_like(ends)
        begins[0] = line_start
        begins[1:] = ends[:-1] + 1
        lengths = ends - begins
        if header is None:
            header = data[: int(ends[0])].rstrip(b"\r")
            _check_line(name, header, 0, limits)
            if on_header is not None:
                on_header(header)
            lengths[0] = 0
        for i in np.flatnonzero(lengths > cell):
            _check_line(name, data[int(begins[i]) : int(ends[i])], lines + int(i), limits)
        lines += int(ends.size)
        line_start = int(ends[-1]) + 1
        if lines - 1 > limits.max_rows:
            raise _too_many_rows(name, lines - 1, limits)
    tail = data[line_start:]
    if header is None:
        header = tail.rstrip(b"\r")
        _check_line(name, header, 0, limits)
        if on_header is not None:
            on_header(header)
        return CsvShape(header, 0)
    if tail.strip():
        if len(tail) > cell:
            _check_line(name, tail, lines, limits)
        lines += 1
    rows = lines - 1
    if rows > limits.max_rows:
        raise _too_many_rows(name, rows, limits)
    return CsvShape(header, rows)


def _too_many_rows(name: str, rows: int, limits: Limits) -> InputError:
    return InputError(
        name,
        None,
        None,
        f"the file has {rows:,} rows or more; the limit is {limits.max_rows:,} rows in one "
        f"table ({ENV_ROWS})",
    )


def check_rows(name: str | None, table: str, rows: int, limits: Limits) -> None:
    """For tables read from XML: refuse a table over the row limit."""
    if rows > limits.max_rows:
        raise InputError(
            name,
            None,
            None,
            f"the {table} table has {rows:,} rows; the limit is {limits.max_rows:,} rows in one "
            f"table ({ENV_ROWS})",
        )


def check_cells(name: str | None, table: str, frame: pl.DataFrame, limits: Limits) -> None:
    """For tables read from XML (their text columns, before typing): refuse a value over the
    cell limit, naming the table and column."""
    if frame.height == 0 or frame.width == 0:
        return
    longest = frame.select(pl.all().str.len_bytes().max()).row(0, named=True)
    for column, length in longest.items():
        if length is not None and length > limits.max_cell_bytes:
            raise InputError(
                name,
                None,
                column,
                f"a value in the {table} table is {length:,} bytes long; the limit is "
                f"{limits.max_cell_bytes:,} bytes ({ENV_CELL})",
            )
