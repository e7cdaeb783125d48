"""Read a CIN census: the XML councils' systems export (streamed), or the flattened tables as CSV.

A plain census (what case-management systems write: the DfE's elements only) is read by
`plain_xml.read_plain`, vectorised, in slices. Any other XML is read here with
`lxml.etree.iterparse`, one `<Child>` at a time: each child is flattened into rows and then
cleared, with the siblings already read deleted, so memory holds the tables, not the tree. This
reader writes every note and error message; both give the same tables. The flattened tables (see `schemas/base.toml`) carry DfE element names as
columns plus keys that link the blocks:

- `LAchildID` in every table;
- `CINdetailsID`: the order of the `<CINdetails>` block within its child, from 1 (as the DfE's
  own flattening and the open-source validator number it);
- `CPPID`: the order of the `<ChildProtectionPlans>` block within its CIN details, from 1;
- `AssessmentID`: the order of the `<Assessments>` block within its CIN details, from 1.

`ROW_NUMBER` is the 1-based position of the row in its table, which is the order the element
appears in the file (an assessment gives one row per `<AssessmentFactors>`; a review one row
per `<CPPreviewDate>`), so it matches the row index of the open-source validator plus one.

CSV: a folder or a .zip holding one CSV per table (`ChildIdentifiers.csv`, … — found by file
name, else by header row) with the same column names; `ROW_NUMBER` is the data row in the file.

Structural problems raise `InputError` naming the line and element: XML that is malformed or
truncated, a namespace on the elements (the DfE's CIN XML has none), a root other than
`<Message>`, required blocks missing, header blocks out of order, and a file of another year's
schema (the sex element is `<GenderCurrent>` up to 2023/24 and `<Sex>` from 2024/25; a header
whose year and reference date both name another collection year).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import multiprocessing
import re
import shutil
import zipfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import IO, Any

import polars as pl
from lxml import etree

from statutory.cin.plain_xml import read_plain
from statutory.cin.schema import CHILD_ID, KEEP_CASE, TABLES, Schema, load_schema
from statutory.engine.columns import type_columns
from statutory.engine.context import Return
from statutory.engine.errors import InputError
from statutory.engine.limits import (
    Budget,
    Limits,
    check_cells,
    check_ratio,
    check_rows,
    default_limits,
    human_size,
    read_limited,
    scan_csv,
)

_SEX_ELEMENTS = ("GenderCurrent", "Sex")


def _line(elem: Any) -> int | None:
    line = getattr(elem, "sourceline", None)
    return int(line) if line else None


def _fail(file: str, elem: Any, message: str) -> InputError:
    line = _line(elem)
    tag = getattr(elem, "tag", None)
    where = []
    if line:
        where.append(f"line {line}")
    if isinstance(tag, str):
        where.append(f"element <{tag}>")
    prefix = ", ".join(where)
    return InputError(file, None, None, f"{prefix}: {message}" if prefix else message)


def _other_sex_note(schema: Schema, tag: str, line: int | None) -> str:
    sex = schema.sex_column
    return (
        f"<{tag}> (first at line {line}) read as <{sex}>, the {schema.year} census element; "
        f"its codes are checked as {sex}'s"
    )


class _Columns:
    """Column lists for one table, filled row by row while parsing."""

    __slots__ = ("data", "names", "rows")

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.data = frozenset(names)
        self.rows: list[tuple[str | None, ...]] = []

    def add(self, values: dict[str, Any]) -> None:
        # tuple(map(get, names)) runs in C: the per-row cost that matters at 100,000 children
        self.rows.append(tuple(map(values.get, self.names)))

    def frame(self) -> pl.DataFrame:
        columns = list(zip(*self.rows, strict=True)) if self.rows else [()] * len(self.names)
        return pl.DataFrame(
            [
                pl.Series(n, list(v), dtype=pl.String)
                for n, v in zip(self.names, columns, strict=True)
            ]
        )


def _leaves(block: Any) -> dict[str, str | None]:
    """Child elements of a block that hold text, by tag (comments skipped)."""
    return {el.tag: el.text for el in block}


class _XMLReader:
    def __init__(self, file: str, schema: Schema, line_offset: int = 0) -> None:
        self.file = file
        self.line_offset = line_offset  # lines of the file before a slice (see _read_parallel)
        self.schema = schema
        self.sex = schema.sex_column
        self.other_sex = next(s for s in _SEX_ELEMENTS if s != self.sex)
        self.cols = {t: _Columns(list(schema.tables[t])) for t in TABLES}
        self.header_seen = False
        self.notes: list[str] = []
        self._ignored: set[str] = set()

    def _line(self, elem: Any) -> int | None:
        line = _line(elem)
        return line + self.line_offset if line else None

    def _ignore(self, elem: Any, parent: str) -> None:
        tag = elem.tag
        key = f"{parent}/{tag}"
        if key not in self._ignored:
            self._ignored.add(key)
            self.notes.append(
                f"ignored element <{tag}> in <{parent}> (first at line {self._line(elem)})"
            )

    def _unknown_ids(self, block: Any, ids: dict[str, Any], known: frozenset[str]) -> None:
        """Elements the year's ChildIdentifiers does not have. The other years' sex element
        (`GenderCurrent` up to 2023/24, `Sex` from 2024/25; exports in the changeover year
        carry either) is read into this year's column, with a note, so rules 4180 and 8750
        judge its values by this year's codes; anything else is ignored with a note."""
        for el in block:
            tag = el.tag
            if tag in known:
                continue
            if tag == self.other_sex:
                if ids.get(self.sex) is None:
                    ids[self.sex] = el.text
                if "sex" not in self._ignored:
                    self._ignored.add("sex")
                    self.notes.append(_other_sex_note(self.schema, tag, self._line(el)))
            else:
                self._ignore(el, "ChildIdentifiers")

    # -- header -------------------------------------------------------------------------------
    def header(self, elem: Any) -> None:
        if self.header_seen:
            raise _fail(self.file, elem, "more than one <Header>")
        self.header_seen = True
        blocks = [el for el in elem if isinstance(el.tag, str)]
        tags = [b.tag for b in blocks]
        for required in self.schema.structure["Header"]:
            if required not in tags:
                raise _fail(self.file, elem, f"<Header> has no <{required}>")
        order = [t for t in tags if t in self.schema.structure["order_Header"]]
        if order != self.schema.structure["order_Header"]:
            raise _fail(self.file, elem, "<CollectionDetails> must come before <Source>")
        values: dict[str, Any] = {}
        for block in blocks:
            if block.tag in ("CollectionDetails", "Source"):
                values.update(_leaves(block))
        self.cols["Header"].add(values)
        self.check_year(elem, values)

    def check_year(self, elem: Any, values: dict[str, Any]) -> None:
        year = self.schema.year
        named: set[int] = set()
        raw_year = (values.get("Year") or "").strip()
        if raw_year.isdigit():
            named.add(int(raw_year))
        raw_ref = (values.get("ReferenceDate") or "").strip()[:10]
        ref_year = None
        with contextlib.suppress(ValueError):
            ref_year = dt.date.fromisoformat(raw_ref).year
        if ref_year is not None:
            named.add(ref_year)
        collection = (values.get("Collection") or "").strip().upper()
        if collection and collection != "CIN":
            raise _fail(self.file, elem, f"the header names collection {collection!r}, not CIN")
        # The reference date decides; some systems write <Year> as the year the census starts,
        # so without a reference date either year is accepted.
        wrong = (ref_year is not None and ref_year != year) or (
            ref_year is None and named and not named & {year, year - 1}
        )
        if wrong:
            shown = " / ".join(str(n) for n in sorted(named))
            raise _fail(
                self.file,
                elem,
                f"the header names the {shown} collection, not {year} "
                "(check --year, or the file is another year's census)",
            )

    # -- a child --------------------------------------------------------------------------------
    def child(self, elem: Any) -> None:
        cols = self.cols
        ids: dict[str, Any] | None = None
        cin_blocks: list[Any] = []
        chars: Any = None
        known_ids = cols["ChildIdentifiers"].data
        for block in elem:
            tag = block.tag
            if tag == "ChildIdentifiers":
                ids = {el.tag: el.text for el in block}
                if not known_ids.issuperset(ids):
                    self._unknown_ids(block, ids, known_ids)
            elif tag == "ChildCharacteristics":
                chars = block
            elif tag == "CINdetails":
                cin_blocks.append(block)
            else:
                self._ignore(block, "Child")
        if ids is None:
            raise _fail(self.file, elem, "<Child> has no <ChildIdentifiers>")
        child_id = ids.get(CHILD_ID)
        cols["ChildIdentifiers"].add(ids)
        key = {CHILD_ID: child_id}
        if chars is not None:
            row = dict(key)
            disabilities = cols["Disabilities"].rows
            for el in chars:
                tag = el.tag
                if tag == "Disabilities":
                    disabilities.extend((child_id, dis.text) for dis in el)
                else:
                    row[tag] = el.text
            cols["ChildCharacteristics"].add(row)
        for n, block in enumerate(cin_blocks, start=1):
            self.cin_details(block, child_id, str(n))

    def cin_details(self, block: Any, child_id: Any, cin_id: str) -> None:  # noqa: PLR0912
        cols = self.cols
        row: dict[str, Any] = {CHILD_ID: child_id, "CINdetailsID": cin_id}
        n_assessment = 0
        n_plan = 0
        for el in block:
            tag = el.tag
            if tag == "Assessments":
                n_assessment += 1
                values = {
                    CHILD_ID: child_id,
                    "CINdetailsID": cin_id,
                    "AssessmentID": str(n_assessment),
                }
                factors: list[str | None] = []
                for sub in el:
                    if sub.tag == "FactorsIdentifiedAtAssessment":
                        factors.extend(f.text for f in sub)
                    else:
                        values[sub.tag] = sub.text
                if not factors:
                    factors = [None]
                for factor in factors:
                    values["AssessmentFactors"] = factor
                    cols["Assessments"].add(values)
            elif tag == "CINPlanDates":
                values = {CHILD_ID: child_id, "CINdetailsID": cin_id}
                values.update(_leaves(el))
                cols["CINplanDates"].add(values)
            elif tag == "Section47":
                values = {CHILD_ID: child_id, "CINdetailsID": cin_id}
                values.update(_leaves(el))
                cols["Section47"].add(values)
            elif tag == "ChildProtectionPlans":
                n_plan += 1
                plan_id = str(n_plan)
                values = {CHILD_ID: child_id, "CINdetailsID": cin_id, "CPPID": plan_id}
                for sub in el:
                    if sub.tag == "Reviews":
                        dates = [d.text for d in sub] or [None]
                        cols["Reviews"].rows.extend(
                            (child_id, cin_id, plan_id, date) for date in dates
                        )
                    else:
                        values[sub.tag] = sub.text
                cols["ChildProtectionPlans"].add(values)
            elif tag in cols["CINdetails"].data:
                row[tag] = el.text
            else:
                self._ignore(el, "CINdetails")
        cols["CINdetails"].add(row)


def _events(source: IO[bytes]) -> Iterator[tuple[str, Any]]:
    return etree.iterparse(
        source,
        events=("start", "end"),
        tag=("{*}Message", "{*}Header", "{*}Children", "{*}Child"),
        huge_tree=True,
        remove_comments=True,
        remove_pis=True,
        resolve_entities=False,
        no_network=True,
    )


def _parse(  # noqa: PLR0912 (the structure checks are one linear pass)
    handle: IO[bytes], file: str, schema: Schema, *, fragment: bool = False, line_offset: int = 0
) -> tuple[dict[str, pl.DataFrame], list[str]]:
    """One pass over the XML: the raw (text) tables and the notes. `fragment` is a slice of the
    children of a census (see `_read_parallel`), which has no header of its own."""
    reader = _XMLReader(file, schema, line_offset)
    children_seen = False
    depth_ok = False
    try:
        for event, elem in _events(handle):
            tag = elem.tag
            if tag[0] == "{":
                raise _fail(
                    file,
                    elem,
                    f"namespace {tag[1:].split('}')[0]!r}: the CIN census XML has no namespace",
                )
            if event == "start":
                if tag == "Message":
                    if elem.getparent() is not None:
                        raise _fail(file, elem, "<Message> must be the root element")
                    depth_ok = True
                elif not depth_ok:
                    raise _fail(file, elem, "the root element must be <Message>")
                elif tag == "Children":
                    if not reader.header_seen and not fragment:
                        raise _fail(file, elem, "<Header> must come before <Children>")
                    children_seen = True
                continue
            if tag == "Child":
                parent = elem.getparent()
                if parent is None or parent.tag != "Children":
                    raise _fail(file, elem, "<Child> must be inside <Children>")
                reader.child(elem)
                elem.clear(keep_tail=False)
                while elem.getprevious() is not None:
                    del parent[0]
            elif tag == "Header":
                reader.header(elem)
                elem.clear(keep_tail=False)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        message = str(exc.msg or exc).split(", line ")[0]
        where = f"line {line}: " if line else ""
        raise InputError(
            file, None, None, f"{where}malformed or truncated XML: {message}"
        ) from None
    if not depth_ok:
        raise InputError(file, None, None, "the root element must be <Message>")
    if not reader.header_seen and not fragment:
        raise InputError(file, None, None, "no <Header> block: not a CIN census file")
    if not children_seen:
        raise InputError(file, None, None, "no <Children> block: not a CIN census file")
    return {t: reader.cols[t].frame() for t in TABLES}, reader.notes


# Below this size a second process costs more (interpreter start-up) than it saves.
PARALLEL_MIN_BYTES = 16 * 1024**2


def read_xml(
    path: str | Path,
    year: int,
    *,
    source: IO[bytes] | None = None,
    workers: int = 1,
    fast: bool = True,
    limits: Limits | None = None,
) -> Return:
    """Stream a CIN census XML file into a `Return` for `year` (the year the census ends).

    A plain census (the DfE's elements only, as case-management systems write it) is read by
    `plain_xml.read_plain` in vectorised slices; anything else, or `fast=False`, by lxml
    here, which gives the notes and the error messages. Both give the same tables.

    `workers` > 1 parses a large file that is not plain in that many processes, each taking a
    slice of the `<Child>` elements (see `_read_parallel`); the tables are the same as a single
    pass gives.
    """
    file = str(path)
    schema = load_schema(year)
    limits = limits or default_limits()
    if fast and source is None:
        plain = read_plain(
            path,
            schema,
            lambda head: _parse(io.BytesIO(head), file, schema),
            lambda tag, line: _other_sex_note(schema, tag, line),
            max_record_bytes=limits.max_record_bytes,
        )
        if plain is not None:
            frames, notes = plain
            return _checked_build(frames, schema, file, notes, limits)
    if source is None:
        _check_records(Path(path), limits)
    if workers > 1 and source is None:
        parts = _read_parallel(Path(path), year, workers)
        if parts is not None:
            frames, notes = parts
            return _checked_build(frames, schema, file, notes, limits)
    handle: IO[bytes]
    try:
        handle = source if source is not None else open(path, "rb")  # noqa: SIM115
    except OSError as exc:
        raise InputError(file, None, None, f"cannot open: {exc.strerror or exc}") from None
    try:
        frames, notes = _parse(handle, file, schema)
    finally:
        if source is None:
            handle.close()
    return _checked_build(frames, schema, file, notes, limits)


def _checked_build(
    frames: dict[str, pl.DataFrame], schema: Schema, file: str, notes: list[str], limits: Limits
) -> Return:
    """The census's tables, once each is within the row and value limits."""
    for name, frame in frames.items():
        check_rows(file, name, frame.height, limits)
        check_cells(file, name, frame, limits)
    return _build(frames, schema, set(TABLES), dict.fromkeys(TABLES, file), fmt="xml", notes=notes)


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


def _build(
    frames: dict[str, pl.DataFrame],
    schema: Schema,
    supplied: set[str],
    sources: dict[str, str],
    *,
    fmt: str,
    notes: list[str],
) -> Return:
    tables = {
        name: type_columns(
            frames.get(name, pl.DataFrame(schema=dict.fromkeys(cols, pl.String))),
            cols,
            keep_case=KEEP_CASE,
        )
        for name, cols in schema.tables.items()
    }
    return Return(
        kind="cin",
        year=schema.year,
        tables=tables,
        supplied=frozenset(supplied),
        codes=schema.codes,
        child_id=CHILD_ID,
        sources=sources,
        source_format=fmt,
        notes=notes,
    )


# -- CSV ------------------------------------------------------------------------------------------
def _match_table(name: str, header: list[str], schema: Schema) -> str | None:
    stem = Path(name).stem.lower()
    for table in TABLES:
        if stem == table.lower():
            return table
    cols = set(header)
    best = None
    for table in TABLES:
        wanted = set(schema.tables[table])
        if wanted <= cols and (best is None or len(wanted) > len(schema.tables[best])):
            best = table
    return best


def _read_csv_bytes(file: str, data: bytes) -> pl.DataFrame:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    try:
        return pl.read_csv(io.StringIO(text), infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        raise InputError(
            file, None, None, f"not a readable CSV: {str(exc).splitlines()[0]}"
        ) from None


def _csv_items(root: Path, budget: Budget) -> list[tuple[str, bytes]]:
    """(name, bytes) of each CSV, counted against the budget as read; a zip's declared sizes
    and compression are checked before any member is unpacked."""
    items: list[tuple[str, bytes]] = []
    if root.is_dir():
        files = sorted(root.glob("*.csv"))
        budget.declared(str(root), sum(p.stat().st_size for p in files))
        for p in files:
            with p.open("rb") as handle:
                items.append(
                    (str(p), read_limited(str(p), handle, budget, declared=p.stat().st_size))
                )
    elif zipfile.is_zipfile(root):
        try:
            archive = zipfile.ZipFile(root)
        except zipfile.BadZipFile as exc:
            raise InputError(str(root), None, None, f"not a readable zip file ({exc})") from None
        with archive:
            infos = [i for i in archive.infolist() if i.filename.lower().endswith(".csv")]
            budget.declared(str(root), sum(i.file_size for i in infos))
            for info in sorted(infos, key=lambda i: i.filename):
                name = f"{root}!{info.filename}"
                check_ratio(name, info.file_size, info.compress_size, budget.limits)
                with archive.open(info) as member:
                    items.append(
                        (name, read_limited(name, member, budget, declared=info.file_size))
                    )
    elif root.suffix.lower() == ".csv":
        budget.declared(str(root), root.stat().st_size)
        with root.open("rb") as handle:
            size = root.stat().st_size
            items = [(str(root), read_limited(str(root), handle, budget, declared=size))]
    return items


def read_csv_tables(path: str | Path, year: int, *, limits: Limits | None = None) -> Return:
    """A folder or .zip of CSVs, one per table, with the DfE column names. Each file's size,
    columns, rows and values are checked against `limits` before it is parsed; files that are
    no CIN table are skipped with a note, and if none is, the whole is refused."""
    schema = load_schema(year)
    root = Path(path)
    limits = limits or default_limits()
    items = _csv_items(root, Budget(limits))
    if not items and root.is_file():
        raise InputError(
            str(path),
            None,
            None,
            "not a CIN census: neither XML (it does not begin with '<'), a zip nor a .csv file",
        )
    if not items:
        raise InputError(str(path), None, None, "no CSV files found")
    frames: dict[str, pl.DataFrame] = {}
    sources: dict[str, str] = {}
    notes: list[str] = []
    for file, data in items:
        scan_csv(file, data, limits)
        frame = _read_csv_bytes(file, data)
        table = _match_table(file, frame.columns, schema)
        if table is None:
            notes.append(f"{file}: not recognised as a CIN table; skipped")
            continue
        if CHILD_ID not in frame.columns and table != "Header":
            raise InputError(file, 0, CHILD_ID, f"the {table} table has no {CHILD_ID} column")
        other = "GenderCurrent" if schema.sex_column == "Sex" else "Sex"
        if (
            table == "ChildIdentifiers"
            and other in frame.columns
            and schema.sex_column not in frame.columns
        ):
            # as for XML: the other years' sex column is read as this year's, with a note
            frame = frame.rename({other: schema.sex_column})
            notes.append(
                f"{file}: column {other} read as {schema.sex_column}, the {year} census column; "
                f"its codes are checked as {schema.sex_column}'s"
            )
        frames[table] = frame.drop("ROW_NUMBER", strict=False)
        sources[table] = file
    if not frames:
        shown = ", ".join(TABLES)
        raise InputError(
            str(path),
            None,
            None,
            f"no CIN table found: no file's name or columns match one of {shown}",
        )
    return _build(frames, schema, set(frames), sources, fmt="csv", notes=notes)


def detect_year(path: str | Path) -> int | None:
    """The collection year a CIN XML file's header names (ReferenceDate, else Year)."""
    try:
        with open(path, "rb") as handle:
            # the header is at the top: read no more than its first megabyte
            head = io.BytesIO(handle.read(1024**2))
            for _event, elem in etree.iterparse(
                head, events=("end",), tag=("CollectionDetails",), resolve_entities=False
            ):
                values = _leaves(elem)
                ref = (values.get("ReferenceDate") or "").strip()[:10]
                with contextlib.suppress(ValueError):
                    return dt.date.fromisoformat(ref).year
                raw = (values.get("Year") or "").strip()
                return int(raw) if raw.isdigit() else None
    except (etree.XMLSyntaxError, OSError):
        return None
    return None


# England's largest council returns about 20,000 children a year (about 20 MB of XML); the whole
# country's census is about 400,000. A file far beyond that is not one council's census, and
# reading it would need memory in proportion (about 3 GB per million children with lxml), so the
# limit (`statutory.engine.limits`, 256 MB unless ALLIANCE_MAX_RETURN_MB says otherwise) keeps a
# read under 1 GB.


def read_return(
    path: str | Path,
    year: int,
    *,
    max_bytes: int | None = None,
    workers: int = 1,
    limits: Limits | None = None,
) -> Return:
    """An XML census file, or a folder / zip / CSV of the flattened tables. A file larger than
    `max_bytes` (None: the limits' `max_bytes`) is refused before anything is read; `limits`
    bound what is read (default `statutory.engine.limits.default_limits()`)."""
    limits = (limits or default_limits()).with_bytes(max_bytes)
    max_bytes = limits.max_bytes
    p = Path(path)
    if not p.exists():
        raise InputError(str(path), None, None, "no such file or folder")
    if p.is_file() and p.stat().st_size > max_bytes:
        raise InputError(
            str(path),
            None,
            None,
            f"{human_size(p.stat().st_size)} is larger than a council's census could be (limit "
            f"{human_size(max_bytes)}, ALLIANCE_MAX_RETURN_MB); check the file, or raise the "
            "limit with --max-size",
        )
    if p.is_file() and p.suffix.lower() == ".xml":
        return read_xml(p, year, workers=workers, limits=limits)
    if p.is_file() and not zipfile.is_zipfile(p) and p.suffix.lower() != ".csv":
        with p.open("rb") as handle:
            start = handle.read(64).lstrip()
        if start.startswith(b"<"):
            return read_xml(p, year, workers=workers, limits=limits)
    return read_csv_tables(p, year, limits=limits)


# -- Parquet cache -----------------------------------------------------------------------------
CACHE_VERSION = "1"


def _cache_key(path: Path, year: int) -> str:
    stat = path.stat()
    text = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{year}|{CACHE_VERSION}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def read_cached(
    path: str | Path,
    year: int,
    cache_dir: str | Path,
    *,
    max_bytes: int | None = None,
    workers: int = 1,
) -> Return:
    """`read_return`, parsing the XML once and keeping the typed tables as Parquet in
    `cache_dir` (keyed by the file's path, size, modification time and the year), so later runs
    on the same file skip the XML parse. Opt-in: the cache holds the same record-level data as
    the file, so it belongs in a folder with the same protection as the file."""
    p = Path(path)
    if not p.is_file():
        return read_return(p, year, max_bytes=max_bytes, workers=workers)
    folder = Path(cache_dir) / _cache_key(p, year)
    meta_path = folder / "meta.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        schema = load_schema(year)
        tables = {t: pl.read_parquet(folder / f"{t}.parquet") for t in TABLES}
        return Return(
            kind="cin",
            year=year,
            tables=tables,
            supplied=frozenset(meta["supplied"]),
            codes=schema.codes,
            child_id=CHILD_ID,
            sources=meta["sources"],
            source_format=meta["format"],
            notes=meta["notes"],
        )
    result = read_return(p, year, max_bytes=max_bytes, workers=workers)
    tmp = folder.with_name(folder.name + ".part")
    tmp.mkdir(parents=True, exist_ok=True)
    for name, frame in result.tables.items():
        frame.write_parquet(tmp / f"{name}.parquet", compression="lz4")
    (tmp / "meta.json").write_text(
        json.dumps(
            {
                "supplied": sorted(result.supplied),
                "sources": result.sources,
                "format": result.source_format,
                "notes": result.notes,
            }
        ),
        encoding="utf-8",
    )
    if folder.exists():
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        tmp.rename(folder)
    return result
