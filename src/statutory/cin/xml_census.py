"""Reading a census XML file with lxml, element by element: the structure checks, the notes and
the messages naming the line."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import IO, Any

import polars as pl
from lxml import etree

from statutory.cin.schema import CHILD_ID, TABLES, Schema
from statutory.engine.errors import InputError

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
