"""The fast way to read a CIN census: plain, schema-shaped XML, read by Polars.

Councils' case-management systems write the census the same way every year: the DfE's
elements and nothing else, no attributes, namespaces, comments or CDATA inside `<Children>`.
For such a file an XML parser does more than the job needs: at 100,000 children libxml2 alone
spends about 1.6 s tokenising, and walking its elements in Python costs seconds more. This
module reads the `<Children>` of a *plain* census with vectorised string operations in Polars
(Rust) instead, in slices of a few megabytes (two at a time on two threads), so memory holds
the tables and a slice or two, never the file.

It is a shortcut, never a second opinion. Each `<Child>` must first match, whole, a regular
grammar of the census (`_grammar`): the DfE's elements where the year's schema puts them (and
the other years' sex element, read with the lxml reader's note and line), text without markup
(only the five predefined entities), whitespace between elements. That grammar is a strict
subset of well-formed XML, so what it accepts means the same to any XML parser, and the tables
taken from it are exactly those `xml_census._XMLReader` makes from the same file
(`tests/statutory/cin/test_plain_xml.py` compares them on generated censuses with awkward
edge cases, and on cut and damaged files). Anything else -- an element the year's schema does
not know, a comment, CDATA, a character reference, attributes, a DOCTYPE, an encoding other
than UTF-8, malformed or truncated XML, a structural error -- makes `read_plain` return None,
and the caller reads the file with lxml, which gives the notes and error messages with their
line numbers.

The header (everything up to `<Children>`) is always read by the lxml reader itself, so every
header check and message is its own.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO

import polars as pl

from statutory.cin.schema import CHILD_ID, TABLES, Schema, load_schema

# Bytes read at a time; each slice ends where a <Child> starts (about 4,700 children). Memory
# for a slice in work is a few tens of times its size, so a few of them at once stay well
# under the tables' own size at scale.
SLICE_BYTES = 4 * 1024**2
# The header must end (at <Children>) within this many bytes, or the file is not plain.
HEAD_BYTES = 1024**2

_WS = "[ \t\n]*"
# XML 1.0 character data without markup: no '<', '&' only in a predefined entity, none of the
# control characters and non-characters XML forbids.
_TEXT = "(?:[^<&\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x{FFFE}\\x{FFFF}]|&(?:amp|lt|gt|quot|apos);)*"
_DECLARATION = re.compile(rb"^(?:\xef\xbb\xbf)?<\?xml\s[^>]*\?>")
_PSEUDO_ATTRIBUTE = re.compile(rb"""(version|encoding)\s*=\s*["']([^"']*)["']""")
_TAIL = re.compile(rb"</Children>[ \t\r\n]*</Message>[ \t\r\n]*\Z")
_SELF_CLOSING = r"<([A-Za-z][A-Za-z0-9]*)/>"
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&"))

# The blocks below <Children>: depth (<Child> is 1), the blocks each holds, and the table whose
# columns (less the keys reading makes, and `drop`) are its data items -- as `_XMLReader` reads
# them. Only <Child>'s own order is fixed: one <ChildIdentifiers> first, at most one
# <ChildCharacteristics>, then <CINdetails>; inside a block, anything in any order.
_KEYS = frozenset({CHILD_ID, "CINdetailsID", "AssessmentID", "CPPID"})


@dataclass(frozen=True)
class _Block:
    depth: int
    holds: tuple[str, ...] = ()
    table: str | None = None
    drop: tuple[str, ...] = ()


_BLOCKS = {
    "Child": _Block(1, ("ChildIdentifiers", "ChildCharacteristics", "CINdetails")),
    "ChildIdentifiers": _Block(2, table="ChildIdentifiers"),
    "ChildCharacteristics": _Block(2, ("Disabilities",), "ChildCharacteristics"),
    "Disabilities": _Block(3, table="Disabilities"),
    "CINdetails": _Block(
        2, ("Assessments", "CINPlanDates", "Section47", "ChildProtectionPlans"), "CINdetails"
    ),
    "Assessments": _Block(
        3, ("FactorsIdentifiedAtAssessment",), "Assessments", drop=("AssessmentFactors",)
    ),
    "FactorsIdentifiedAtAssessment": _Block(4),
    "CINPlanDates": _Block(3, table="CINplanDates"),
    "Section47": _Block(3, table="Section47"),
    "ChildProtectionPlans": _Block(3, ("Reviews",), "ChildProtectionPlans"),
    "Reviews": _Block(4, table="Reviews"),
}
_ITEMS_OF = {"FactorsIdentifiedAtAssessment": ("AssessmentFactors",)}
# The sex element is <GenderCurrent> up to 2023/24 and <Sex> from 2024/25; a changeover-year
# export may carry the other one, which is read into the year's column (see `_other_sex`).
_SEX_ELEMENTS = ("GenderCurrent", "Sex")
# The block counts a data item carries beside its own block's: a disability's child, a
# factor's assessment, a review date's <Reviews>.
_CARRIED = ("Child", "Assessments", "Reviews")


def _items(schema: Schema, block: str) -> tuple[str, ...]:
    """The data items directly inside `block` in the year's schema."""
    spec = _BLOCKS[block]
    if spec.table is None:
        return _ITEMS_OF.get(block, ())
    keys = _KEYS - {CHILD_ID} if block == "ChildIdentifiers" else _KEYS  # an element there
    return tuple(c for c in schema.tables[spec.table] if c not in keys and c not in spec.drop)


def _other_sex(schema: Schema) -> str:
    return next(s for s in _SEX_ELEMENTS if s != schema.sex_column)


def _element(schema: Schema, block: str) -> str:
    """A regex for the whole `<block>` element, as the grammar allows it."""
    names = _items(schema, block)
    if block == "ChildIdentifiers":
        names += (_other_sex(schema),)
    leaves = [f"<{t}>{_TEXT}</{t}>" for t in names]
    parts = leaves + [_element(schema, b) for b in _BLOCKS[block].holds]
    return f"<{block}>(?:{_WS}(?:{'|'.join(parts)}))*{_WS}</{block}>"


def _grammar(schema: Schema) -> str:
    """What follows `<Child>` in a plain census, up to the next `<Child>`."""
    ids, chars, cin = (_element(schema, b) for b in _BLOCKS["Child"].holds)
    return f"^{_WS}{ids}(?:{_WS}{chars})?(?:{_WS}{cin})*{_WS}</Child>{_WS}$"


@dataclass(frozen=True)
class _Plan:
    """What reading a plain census of one year needs: the grammar, a number for every tag,
    and the block each data item belongs to."""

    grammar: str
    codes: dict[str, int]  # blocks, then data items; "/Block" for the end tags read
    items: dict[str, tuple[str, ...]]  # block -> its data items
    owner: dict[int, int]  # data item -> its block, for items only one block holds
    # items more than one block holds (CINdetails' and Section47's DateOfInitialCPC): the
    # blocks, deepest first; the deepest one open holds it (the grammar allows no other way)
    shared: dict[int, tuple[str, ...]]
    ends: tuple[str, ...]  # the blocks whose end tags tell a shared item's block
    first_item: int  # codes from here on are data items
    first_end: int  # codes from here on are end tags
    other_sex: str  # the other years' sex element, read into this year's (in ChildIdentifiers)


def _plan(schema: Schema) -> _Plan:
    return _plan_for(schema.year)


@cache
def _plan_for(year: int) -> _Plan:
    schema = load_schema(year)
    codes = {block: n for n, block in enumerate(_BLOCKS)}
    first_item = len(codes)
    items = {b: _items(schema, b) for b in _BLOCKS if _items(schema, b)}
    holders: dict[int, list[str]] = {
        codes.setdefault(_other_sex(schema), first_item): ["ChildIdentifiers"]
    }
    for block, names in items.items():
        for name in names:
            holders.setdefault(codes.setdefault(name, len(codes)), []).append(block)
    owner = {item: codes[blocks[0]] for item, blocks in holders.items() if len(blocks) == 1}
    shared: dict[int, tuple[str, ...]] = {}
    ends: set[str] = set()
    for item, blocks in holders.items():
        if len(blocks) > 1:
            deepest = sorted(blocks, key=lambda b: -_BLOCKS[b].depth)
            if len({_BLOCKS[b].depth for b in blocks}) < len(blocks):
                raise ValueError(f"two blocks at one depth hold <{item}> in {year}")
            shared[item] = tuple(deepest)
            ends.update(deepest[:-1])
    first_end = len(codes)
    for block in sorted(ends):
        codes["/" + block] = len(codes)
    return _Plan(
        _grammar(schema),
        codes,
        items,
        owner,
        shared,
        tuple(sorted(ends)),
        first_item,
        first_end,
        _other_sex(schema),
    )


class _NotPlain(Exception):
    """The file is not plain: read it with lxml instead."""


def _place(name: str, height: int, index: pl.Series, values: pl.Series) -> pl.Series:
    """A column of `height` rows with `values` at the 0-based `index` rows (ascending); a row
    given twice keeps the later value, as a repeated element does for the lxml reader."""
    if index.len() > 1 and (index.diff() == 0).any():
        kept = pl.DataFrame({"i": index, "v": values}).unique(
            subset="i", keep="last", maintain_order=True
        )
        index, values = kept.get_column("i"), kept.get_column("v")
    column = pl.repeat(None, height, dtype=pl.String, eager=True).alias(name)
    return column.scatter(index, values)


class _Tokens:
    """One slice's tags in file order, each with its depth and every block's running count
    (so a block's n-th start tag has count n, and a data item carries its block's count)."""

    def __init__(self, text: str, plan: _Plan) -> None:
        self.plan = plan
        codes = plan.codes
        # "Tag>text" for a start tag (with a data item's text) and "/Tag>..." for an end tag;
        # only the end tags that tell a shared item's block are needed
        piece = pl.col("t")
        wanted = ~piece.str.starts_with("/")
        for block in plan.ends:
            wanted = wanted | piece.str.starts_with(f"/{block}>")
        end = piece.str.find(">", literal=True)
        frame = (
            pl.DataFrame({"t": pl.Series([text]).str.split("<").explode().slice(1)})
            .filter(wanted)
            .select(
                piece.str.slice(0, end)
                .replace_strict(codes, default=-1, return_dtype=pl.Int32)
                .alias("code"),
                piece.str.slice(end + 1).alias("value"),
            )
        )
        if frame.height and frame.get_column("code").min() == -1:  # not after the grammar
            raise _NotPlain
        code = pl.col("code")
        frame = frame.with_columns(
            [(code == codes[b]).cast(pl.Int32).cum_sum().alias(b) for b in _BLOCKS]
            + [
                ((code == codes[b]).cast(pl.Int32) - (code == codes["/" + b]).cast(pl.Int32))
                .cum_sum()
                .alias("open_" + b)
                for b in plan.ends
            ]
        )
        self.starts = (
            frame.filter(code < plan.first_item)
            .select("code", *_BLOCKS)
            .partition_by("code", as_dict=True, maintain_order=True, include_key=False)
        )
        self.no_starts = frame.clear().select(*_BLOCKS)
        owner = code.replace_strict(plan.owner, default=-1, return_dtype=pl.Int32)
        for item, blocks in plan.shared.items():
            deepest_open = pl.lit(codes[blocks[-1]])
            for holder in reversed(blocks[:-1]):
                deepest_open = (
                    pl.when(pl.col("open_" + holder) > 0)
                    .then(codes[holder])
                    .otherwise(deepest_open)
                )
            owner = pl.when(code == item).then(deepest_open).otherwise(owner)
        count = pl.coalesce(
            [pl.when(pl.col("owner") == codes[b]).then(pl.col(b)) for b in plan.items]
        )
        leaves = (
            frame.filter((code >= plan.first_item) & (code < plan.first_end))
            .with_columns(owner.alias("owner"))
            .select("owner", "code", (count - 1).alias("index"), *_CARRIED, "value")
        )
        self.leaves = leaves.partition_by(
            ["owner", "code"], as_dict=True, maintain_order=True, include_key=False
        )
        self.no_leaves = leaves.clear().drop("owner", "code")

    def blocks(self, block: str) -> pl.DataFrame:
        """One row per `<block>`, with every block's running count at its start tag."""
        return self.starts.get((self.plan.codes[block],), self.no_starts)

    def values(self, block: str, item: str) -> pl.DataFrame:
        """Every `<item>` directly inside a `<block>`, in order."""
        key = (self.plan.codes[block], self.plan.codes[item])
        return self.leaves.get(key, self.no_leaves)

    def items(self, block: str, height: int) -> list[pl.Series]:
        """A column per data item of `block`, one row per `<block>` (null where absent)."""
        columns = []
        for name in self.plan.items[block]:
            these = self.values(block, name)
            columns.append(
                _place(name, height, these.get_column("index"), these.get_column("value"))
            )
        return columns


def _checked(text: str, plan: _Plan, most: int) -> str:
    """The slice as the grammar reads it, or _NotPlain. A `<Child>` longer than `most` bytes as
    written (the lxml reader's record limit, measured the same way) is not plain either: the
    lxml reader then refuses it with its message."""
    if "]]>" in text:  # not allowed in XML character data
        raise _NotPlain
    parts = text.split("<Child>")
    if parts[0].strip(" \t\r\n"):
        raise _NotPlain
    lengths = pl.Series(parts[1:], dtype=pl.String).str.len_bytes()
    if lengths.len() and (lengths.max() or 0) + len("<Child>") > most:  # type: ignore[operator]
        raise _NotPlain
    if "\r" in text or "/>" in text:
        if "\r" in text:  # XML's end-of-line handling
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if "/>" in text:  # <X/> is <X></X>
            text = pl.select(pl.lit(text).str.replace_all(_SELF_CLOSING, "<${1}></${1}>")).item()
        parts = text.split("<Child>")
    children = pl.DataFrame({"x": parts[1:]}, schema={"x": pl.String})
    if not children.select(pl.col("x").str.contains(plan.grammar).all()).item():
        raise _NotPlain
    return text


def _slice_tables(text: str, schema: Schema, most: int) -> dict[str, pl.DataFrame]:
    """The raw tables of one slice: whitespace and whole `<Child>` elements, nothing else, none
    longer than `most` bytes."""
    plan = _plan(schema)
    text = _checked(text, plan, most)
    tk = _Tokens(text, plan)
    tables: dict[str, pl.DataFrame] = {}

    child = tk.blocks("Child")
    ids = tk.blocks("ChildIdentifiers")
    tables["ChildIdentifiers"] = _with_other_sex(
        pl.DataFrame(tk.items("ChildIdentifiers", ids.height)), tk, schema.sex_column
    )
    child_ids = _place(
        CHILD_ID,
        child.height,
        ids.get_column("Child") - 1,
        tables["ChildIdentifiers"].get_column(CHILD_ID),
    )

    def id_of(frame: pl.DataFrame) -> pl.Series:
        return child_ids.gather(frame.get_column("Child") - 1)

    chars = tk.blocks("ChildCharacteristics")
    tables["ChildCharacteristics"] = pl.DataFrame(
        [id_of(chars), *tk.items("ChildCharacteristics", chars.height)]
    )
    disabilities = tk.values("Disabilities", "Disability")
    tables["Disabilities"] = pl.DataFrame(
        [id_of(disabilities), disabilities.get_column("value").alias("Disability")]
    )

    # CINdetailsID: the episode's count less the child's episodes before it (the count at the
    # child's start tag); AssessmentID and CPPID likewise within the episode.
    cin = tk.blocks("CINdetails")
    before = child.get_column("CINdetails").gather(cin.get_column("Child") - 1)
    cin_id = (cin.get_column("CINdetails") - before).cast(pl.String).alias("CINdetailsID")
    tables["CINdetails"] = pl.DataFrame([id_of(cin), cin_id, *tk.items("CINdetails", cin.height)])

    def episode_keys(frame: pl.DataFrame) -> list[pl.Series]:
        return [id_of(frame), cin_id.gather(frame.get_column("CINdetails") - 1)]

    def numbered(frame: pl.DataFrame, block: str, name: str) -> pl.Series:
        before = cin.get_column(block).gather(frame.get_column("CINdetails") - 1)
        return (frame.get_column(block) - before).cast(pl.String).alias(name)

    assessments = tk.blocks("Assessments")
    base = pl.DataFrame(
        [
            *episode_keys(assessments),
            numbered(assessments, "Assessments", "AssessmentID"),
            *tk.items("Assessments", assessments.height),
            assessments.get_column("Assessments").alias("_a"),
        ]
    )
    factors = tk.values("FactorsIdentifiedAtAssessment", "AssessmentFactors").select(
        pl.col("Assessments").alias("_a"), pl.col("value").alias("AssessmentFactors")
    )
    # one row per factor; an assessment without factors is one row without (a left join)
    tables["Assessments"] = base.join(
        factors, on="_a", how="left", maintain_order="left_right"
    ).drop("_a")

    for block in ("CINPlanDates", "Section47"):
        rows = tk.blocks(block)
        table = _BLOCKS[block].table
        assert table is not None
        tables[table] = pl.DataFrame([*episode_keys(rows), *tk.items(block, rows.height)])

    plans = tk.blocks("ChildProtectionPlans")
    plan_id = numbered(plans, "ChildProtectionPlans", "CPPID")
    tables["ChildProtectionPlans"] = pl.DataFrame(
        [*episode_keys(plans), plan_id, *tk.items("ChildProtectionPlans", plans.height)]
    )
    reviews = tk.blocks("Reviews")
    base = pl.DataFrame(
        [
            *episode_keys(reviews),
            plan_id.gather(reviews.get_column("ChildProtectionPlans") - 1),
            reviews.get_column("Reviews").alias("_r"),
        ]
    )
    dates = tk.values("Reviews", "CPPreviewDate").select(
        pl.col("Reviews").alias("_r"), pl.col("value").alias("CPPreviewDate")
    )
    # one row per date; a <Reviews> without one is one row without (a left join)
    tables["Reviews"] = base.join(dates, on="_r", how="left", maintain_order="left_right").drop(
        "_r"
    )
    return _finish(tables, schema, entities="&" in text)


def _with_other_sex(ids: pl.DataFrame, tk: _Tokens, sex: str) -> pl.DataFrame:
    """The year's sex column where it is missing or empty, taken from the other years' sex
    element: the first of them with text, as `xml_census._XMLReader` takes it (an element without
    text is None there, as an empty one is here)."""
    other = tk.values("ChildIdentifiers", tk.plan.other_sex)
    if other.height == 0:
        return ids
    first = other.filter(pl.col("value") != "").unique(
        subset="index", keep="first", maintain_order=True
    )
    fill = _place(sex, ids.height, first.get_column("index"), first.get_column("value"))
    missing = pl.col(sex).is_null() | (pl.col(sex) == "")
    return ids.with_columns(pl.when(missing).then(fill).otherwise(pl.col(sex)).alias(sex))


def _unescape(expr: pl.Expr) -> pl.Expr:
    for entity, char in _ENTITIES:  # &amp; last, so "&amp;lt;" stays "&lt;"
        expr = expr.str.replace_all(entity, char, literal=True)
    return expr


def _finish(
    tables: dict[str, pl.DataFrame], schema: Schema, *, entities: bool
) -> dict[str, pl.DataFrame]:
    """The schema's columns, as text, in its order; predefined entities replaced."""
    out = {}
    for name, frame in tables.items():
        exprs = [
            (pl.col(c) if c in frame.columns else pl.lit(None, dtype=pl.String))
            .cast(pl.String)
            .alias(c)
            for c in schema.tables[name]
        ]
        if entities:
            exprs = [_unescape(e) for e in exprs]
        out[name] = frame.select(exprs)
    return out


def _slices(handle: IO[bytes], first: bytes, most: int) -> Iterator[bytes]:
    """The bytes after `<Children>` up to `</Children>`, cut just before a `<Child>`. A stretch
    longer than `most` with no `<Child>` in it is not a plain census (the lxml reader, which
    checks record lengths, then refuses it): the buffer never holds more than a slice and it."""
    buffer = first
    while more := handle.read(SLICE_BYTES):
        buffer += more
        cut = buffer.rfind(b"<Child>")
        if cut > 0:
            yield buffer[:cut]
            buffer = buffer[cut:]
        if len(buffer) > SLICE_BYTES + most:
            raise _NotPlain
    tail = buffer.rfind(b"</Children>")
    if tail < 0 or not _TAIL.match(buffer, tail):
        raise _NotPlain
    yield buffer[:tail]


def _utf8_head(head: bytes) -> bool:
    """Whether the XML declaration (if any) says version 1.0 and UTF-8 (or no encoding)."""
    declaration = _DECLARATION.match(head)
    if declaration is None:
        return not head.lstrip(b"\xef\xbb\xbf").startswith(b"<?xml")
    said = dict(_PSEUDO_ATTRIBUTE.findall(declaration.group(0)))
    return said.get(b"version") == b"1.0" and said.get(b"encoding", b"utf-8").lower() in (
        b"utf-8",
        b"utf8",
    )


def read_plain(
    path: str | Path,
    schema: Schema,
    read_head: Callable[[bytes], tuple[dict[str, pl.DataFrame], list[str]]],
    note_other_sex: Callable[[str, int], str],
    *,
    threads: int | None = None,
    max_record_bytes: int = 256 * 1024,
) -> tuple[dict[str, pl.DataFrame], list[str]] | None:
    """The raw tables and notes of a plain census, or None when the file is not plain (or
    anything about it is wrong: the caller then reads it with lxml, for the message).

    `read_head(document)` reads a census with a header and an empty `<Children>` (the lxml
    reader's own pass), so the header is read and checked by the same code in every case.
    `note_other_sex(element, line)` words the note for the other years' sex element, given
    the line of the first one (as lxml numbers lines: by "\\n"). `threads` slices are read at once (default: 2 on a machine with 2 cores or more)."""
    threads = threads or min(2, os.cpu_count() or 1)
    _plan(schema)  # built once, before the threads need it
    parts: dict[str, list[pl.DataFrame]] = {t: [] for t in TABLES if t != "Header"}
    try:
        with open(path, "rb") as handle, ThreadPoolExecutor(threads) as pool:
            start = handle.read(HEAD_BYTES)
            at = start.find(b"<Children>")
            if at < 0:
                return None
            end = at + len(b"<Children>")
            head = start[:end]
            if b"<!DOCTYPE" in head or not _utf8_head(head):
                return None
            try:
                frames, notes = read_head(head + b"</Children></Message>")
            except Exception:  # any complaint: lxml reads the whole file and says it
                return None
            pending: list[Future[dict[str, pl.DataFrame]]] = []

            def collect(done: Future[dict[str, pl.DataFrame]]) -> None:
                for name, frame in done.result().items():
                    parts[name].append(frame)

            other = _plan(schema).other_sex.encode()
            lines = head.count(b"\n")  # before the chunk, until the other sex element is met
            for chunk in _slices(handle, start[end:], max_record_bytes):
                if lines >= 0:
                    found = [chunk.find(b"<" + other + tail) for tail in (b">", b"/>")]
                    at = min((f for f in found if f >= 0), default=-1)
                    if at >= 0:
                        notes.append(
                            note_other_sex(other.decode(), lines + 1 + chunk.count(b"\n", 0, at))
                        )
                        lines = -1
                    else:
                        lines += chunk.count(b"\n")
                pending.append(
                    pool.submit(_slice_tables, chunk.decode("utf-8"), schema, max_record_bytes)
                )
                if len(pending) > threads:  # memory: a few slices in work at most
                    collect(pending.pop(0))
            for done in pending:
                collect(done)
    except (_NotPlain, UnicodeDecodeError, OSError):
        return None
    for name, frames_of in parts.items():
        if frames_of:
            frames[name] = pl.concat(frames_of, how="vertical", rechunk=True)
    return frames, notes
