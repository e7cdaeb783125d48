"""Reading a large census XML file in parallel: cut at `<Child>` boundaries, each slice parsed in
its own process, the tables joined in order."""

from __future__ import annotations

import multiprocessing
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import polars as pl

from statutory.cin.schema import TABLES, load_schema
from statutory.cin.xml_census import _parse
from statutory.engine.errors import InputError
from statutory.engine.limits import (
    Limits,
    human_size,
)

PARALLEL_MIN_BYTES = 16 * 1024**2


_RECORD_START = re.compile(rb"<Child[\s>/]")


def _check_records(path: Path, limits: Limits) -> None:
    """Before lxml reads a census that is not plain: no stretch of the file between the starts
    of two `<Child>` elements (or before the first, or after the last) may be longer than
    `limits.max_record_bytes`. lxml holds one child's tree at a time, so this bounds its memory
    whatever the file holds (a real child record is a few kilobytes)."""
    most = limits.max_record_bytes
    last = 0  # where the current record began
    position = 0
    overlap = b""
    with path.open("rb") as handle:
        start = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
        if start and not start.startswith(b"<"):
            raise InputError(str(path), None, None, "not XML: it does not begin with '<'")
        handle.seek(0)
        while block := handle.read(4 * 1024**2):
            data = overlap + block
            base = position - len(overlap)
            for match in _RECORD_START.finditer(data):
                at = base + match.start()
                if at > last:
                    if at - last > most:
                        raise _record_too_long(path, limits)
                    last = at
            position += len(block)
            if position - last > most:
                raise _record_too_long(path, limits)
            overlap = data[-8:]


def _record_too_long(path: Path, limits: Limits) -> InputError:
    return InputError(
        str(path),
        None,
        None,
        f"a <Child> (or the header) is longer than {human_size(limits.max_record_bytes)}, the "
        f"limit for one record ({limits.max_columns:,} values of {limits.max_cell_bytes:,} "
        "bytes: ALLIANCE_MAX_COLUMNS, ALLIANCE_MAX_CELL_BYTES)",
    )


# -- parsing in parallel ----------------------------------------------------------------------
_CHILD_START = re.compile(rb"<Child[\s>]")
_CHILDREN_START = re.compile(rb"<Children[\s>]")
_OPEN = b"<Message><Children>"
_CLOSE = b"</Children></Message>"


class _Slice:
    """Bytes `start`..`end` of a file, with text before and after: a file-like for lxml."""

    def __init__(self, path: Path, start: int, end: int | None, prefix: bytes, suffix: bytes):
        self._handle = path.open("rb")
        self._handle.seek(start)
        self._left = None if end is None else end - start
        self._prefix = prefix
        self._suffix = suffix

    def read(self, size: int = -1) -> bytes:
        if self._prefix:
            out, self._prefix = self._prefix, b""
            return out
        want = 1 << 20 if size is None or size < 0 else size
        if self._left is not None:
            want = min(want, self._left)
        chunk = self._handle.read(want) if want else b""
        if self._left is not None:
            self._left -= len(chunk)
        if chunk:
            return chunk
        out, self._suffix = self._suffix, b""
        return out

    def close(self) -> None:
        self._handle.close()


def _parse_slice(
    path: str, year: int, start: int, end: int | None, first: bool, line_offset: int
) -> tuple[dict[str, pl.DataFrame], list[str]] | str:
    """A worker: parse one slice; any failure comes back as text (the caller then reads the
    whole file in one pass, which gives the authoritative error with the right line)."""
    try:
        prefix = b"" if first else _OPEN
        suffix = _CLOSE if end is not None else b""
        source = _Slice(Path(path), start, end, prefix, suffix)
        try:
            return _parse(
                source,  # type: ignore[arg-type]
                path,
                load_schema(year),
                fragment=not first,
                line_offset=line_offset,
            )
        finally:
            source.close()
    except Exception as exc:  # any failure: the caller falls back to one pass
        return f"{type(exc).__name__}: {exc}"


def _cut_points(path: Path, parts: int) -> list[int] | None:
    """Byte offsets where a `<Child>` starts, splitting the file into about equal parts."""
    size = path.stat().st_size
    cuts: list[int] = []
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
        found = _CHILDREN_START.search(head)
        if found is None:
            return None
        floor = found.end()
        for k in range(1, parts):
            handle.seek(max(floor, size * k // parts))
            window = handle.read(4 << 20)
            match = _CHILD_START.search(window)
            if match is None:
                return None
            cut = handle.tell() - len(window) + match.start()
            if cut <= floor or (cuts and cut <= cuts[-1]):
                return None
            cuts.append(cut)
    return cuts


def _lines_before(path: Path, offsets: list[int]) -> list[int]:
    """How many lines of the file end before each byte offset (ascending), as lxml counts
    lines (by newline), so a slice's line numbers can be given as the file's."""
    counts: list[int] = []
    seen = position = 0
    with path.open("rb") as handle:
        for offset in offsets:
            while position < offset:
                chunk = handle.read(min(1 << 22, offset - position))
                if not chunk:
                    break
                seen += chunk.count(b"\n")
                position += len(chunk)
            counts.append(seen)
    return counts


_FIRST_AT = re.compile(r"\(first at line \d+\)")


def _read_parallel(
    path: Path, year: int, workers: int
) -> tuple[dict[str, pl.DataFrame], list[str]] | None:
    """Parse the slices of a large census in `workers` processes and join their tables in
    file order; None (read it in one pass instead) when the file is small, cannot be cut
    cleanly, or any slice fails."""
    try:
        if path.stat().st_size < PARALLEL_MIN_BYTES:
            return None
        cuts = _cut_points(path, workers)
        if not cuts:
            return None
        offsets = [0, *_lines_before(path, cuts)]
    except OSError:
        return None
    bounds = list(zip([0, *cuts], [*cuts, None], strict=True))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=len(bounds), mp_context=context) as pool:
        futures = [
            pool.submit(_parse_slice, str(path), year, start, end, i == 0, offsets[i])
            for i, (start, end) in enumerate(bounds)
        ]
        results = [f.result() for f in futures]
    if any(isinstance(r, str) for r in results):
        return None
    parts = [r for r in results if not isinstance(r, str)]
    frames = {t: pl.concat([p[0][t] for p in parts], how="vertical") for t in TABLES}
    # a note names the first element of its kind in the file: the earliest slice's
    notes: dict[str, str] = {}
    for part in parts:
        for note in part[1]:
            notes.setdefault(_FIRST_AT.sub("", note), note)
    return frames, list(notes.values())
