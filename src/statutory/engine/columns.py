"""Typing raw text columns the same way for every reader and every test builder.

Text is stripped and upper-cased (codes like `e11` then match the DfE lists; the open-source
validator councils use does the same), empty text is null. Dates, integers and decimals are
parsed vectorised; a value that does not parse becomes null and the original text stays in
`<COLUMN>__raw` so a format rule can tell "missing" from "invalid".
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import polars as pl

TEXT = "text"
DATE = "date"
INT = "int"
FLOAT = "float"
TYPES = (TEXT, DATE, INT, FLOAT)
RAW_SUFFIX = "__raw"
ROW_NUMBER = "ROW_NUMBER"

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?)?(?:Z|[+-]\d{2}:?\d{2})?"
# dd/mm/YYYY, d/m/YYYY, dd-mm-YYYY, dd.mm.YYYY (day first: English councils' exports)
_DMY = rf"^(?P<d>\d{{1,2}})[/\-.](?P<m>\d{{1,2}})[/\-.](?P<y>\d{{4}}){_TIME}$"
# YYYY-mm-dd, YYYY/mm/dd (ISO, as databases export)
_YMD = rf"^(?P<y>\d{{4}})[/\-.](?P<m>\d{{1,2}})[/\-.](?P<d>\d{{1,2}}){_TIME}$"
DATE_FORMATS_DOC = (
    "dd/mm/YYYY, d/m/YYYY, dd-mm-YYYY, dd.mm.YYYY, YYYY-mm-dd, YYYY/mm/dd; "
    "each optionally followed by a time (HH:MM, HH:MM:SS, ISO 'T' and zone)"
)


@dataclass(frozen=True)
class Cleaned:
    """Which columns of a typed frame already hold cleaned text: `upper` are text columns
    stripped, upper-cased and null when empty; `stripped` (the `<COLUMN>__raw` columns) are
    stripped and null when empty, case kept."""

    upper: frozenset[str]
    stripped: frozenset[str]


# id(frame) -> (weak reference to the frame, its cleaned columns). Frames are immutable in use,
# so a check can skip cleaning text again for a table the typing produced (see `cleaned`).
_CLEANED: dict[int, tuple[weakref.ref[pl.DataFrame], Cleaned]] = {}
_CLEANED_LOCK = threading.RLock()


def _forget(key: int) -> None:
    with _CLEANED_LOCK:
        entry = _CLEANED.get(key)
        if entry is not None and entry[0]() is None:
            del _CLEANED[key]


def _mark_cleaned(frame: pl.DataFrame, cleaned: Cleaned) -> pl.DataFrame:
    key = id(frame)

    def gone(_ref: weakref.ref[pl.DataFrame]) -> None:
        _forget(key)

    with _CLEANED_LOCK:
        _CLEANED[key] = (weakref.ref(frame, gone), cleaned)
    return frame


def cleaned(frame: pl.DataFrame) -> Cleaned | None:
    """The cleaned text columns of a frame `type_columns`/`type_many` produced (None for any
    other frame, e.g. one derived from it by a join or `with_columns`)."""
    entry = _CLEANED.get(id(frame))
    if entry is None or entry[0]() is not frame:
        return None
    return entry[1]


def same_cleaned(source: pl.DataFrame, derived: pl.DataFrame) -> pl.DataFrame:
    """Mark `derived` (the same columns and values as `source`, e.g. sorted or filtered) as
    holding the same cleaned text columns as `source`; returns `derived`."""
    done = cleaned(source)
    return _mark_cleaned(derived, done) if done is not None else derived


def _cleaned_of(columns: Mapping[str, str], keep_case: Collection[str]) -> Cleaned:
    return Cleaned(
        upper=frozenset(n for n, k in columns.items() if k == TEXT and n not in keep_case),
        stripped=frozenset(n + RAW_SUFFIX for n, k in columns.items() if k != TEXT),
    )


def clean_text(expr: pl.Expr) -> pl.Expr:
    """Strip; empty -> null."""
    stripped = expr.cast(pl.String).str.strip_chars()
    return pl.when(stripped.str.len_bytes() > 0).then(stripped).otherwise(None)


def _iso(groups: pl.Expr) -> pl.Expr:
    return pl.concat_str(
        groups.struct.field("y"),
        pl.lit("-"),
        groups.struct.field("m").str.zfill(2),
        pl.lit("-"),
        groups.struct.field("d").str.zfill(2),
    )


def parse_dates(expr: pl.Expr) -> pl.Expr:
    """Text -> pl.Date for the formats councils use; anything else (or an impossible date such
    as 30/02/2024) -> null. Whole-column: a coalesce of two regex extractions and one strptime."""
    text = expr.cast(pl.String).str.strip_chars()
    iso = pl.coalesce(_iso(text.str.extract_groups(_DMY)), _iso(text.str.extract_groups(_YMD)))
    return iso.str.strptime(pl.Date, "%Y-%m-%d", strict=False)


def _fast_dates(text: pl.Series) -> pl.Series:
    """The two formats nearly every file uses, by strptime alone (no regex): dd/mm/YYYY (also
    d/m/YYYY) and YYYY-mm-dd, the second tried only when the first leaves values unread.
    Years before 1000 (a two-digit year read literally) are refused."""
    fast = text.str.strptime(pl.Date, "%d/%m/%Y", strict=False)
    if fast.null_count() > text.null_count():
        iso = text.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
        fast = pl.select(pl.coalesce(fast, iso)).to_series()
    return pl.select(pl.when(fast.dt.year() >= 1000).then(fast)).to_series().alias(text.name)


def parse_date_series(text: pl.Series) -> pl.Series:
    """`parse_dates` for one column, fast: strptime for the usual formats, and the regex path
    only for the values that did not parse that way (usually none)."""
    text = text.cast(pl.String).str.strip_chars()
    fast = _fast_dates(text)
    pending = fast.is_null() & text.is_not_null() & (text.str.len_bytes() > 0)
    if not pending.any():
        return fast
    index = pending.arg_true()
    slow = pl.select(parse_dates(pl.lit(text.filter(pending)))).to_series()
    return fast.scatter(index, slow)


def parse_int(expr: pl.Expr) -> pl.Expr:
    """'12', ' 12 ', '12.0' (spreadsheets) -> 12; anything else -> null."""
    text = expr.cast(pl.String).str.strip_chars().str.replace(r"\.0+$", "")
    return text.cast(pl.Int64, strict=False)


def parse_float(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)


def _fast_date_expr(raw: pl.Expr) -> pl.Expr:
    """Lazy form of the fast path: dd/mm/YYYY or YYYY-mm-dd by strptime, year >= 1000."""
    parsed = pl.coalesce(
        raw.str.strptime(pl.Date, "%d/%m/%Y", strict=False),
        raw.str.strptime(pl.Date, "%Y-%m-%d", strict=False),
    )
    return pl.when(parsed.dt.year() >= 1000).then(parsed)


def typed_lazy(
    frame: pl.DataFrame | pl.LazyFrame,
    columns: Mapping[str, str],
    *,
    keep_case: Collection[str] = (),
    extra: bool = False,
) -> tuple[pl.LazyFrame, list[str]]:
    """The typing as a lazy query (so many tables can be typed at once with `pl.collect_all`)
    and the date columns whose unread values `finish_dates` must still try the slow way."""
    lazy = frame.lazy()
    present = set(lazy.collect_schema().names())
    out: list[pl.Expr] = []
    raws: list[pl.Expr] = []
    dates: list[str] = []
    if ROW_NUMBER in present:
        out.append(pl.col(ROW_NUMBER).cast(pl.Int64))
    else:
        out.append(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(ROW_NUMBER))
    for name, kind in columns.items():
        source = pl.col(name) if name in present else pl.lit(None, dtype=pl.String)
        raw = clean_text(source)
        if kind == TEXT:
            value = raw if name in keep_case else raw.str.to_uppercase()
            out.append(value.alias(name))
            continue
        if kind == DATE:
            out.append(_fast_date_expr(raw).alias(name))
            dates.append(name)
        elif kind == INT:
            out.append(parse_int(raw).alias(name))
        elif kind == FLOAT:
            out.append(parse_float(raw).alias(name))
        else:
            raise ValueError(f"unknown column type {kind!r} for {name}")
        raws.append(raw.alias(name + RAW_SUFFIX))
    if extra:
        known = set(columns) | {ROW_NUMBER}
        raws.extend(pl.col(c) for c in present if c not in known)
    return lazy.select(*out, *raws), dates


def finish_dates(typed: pl.DataFrame, dates: list[str]) -> pl.DataFrame:
    """Dates the fast path left unread but whose text is there: try every accepted format
    (regex path) on just those values. Usually there are none and this costs a null count."""
    fixes = []
    for name in dates:
        value, raw = typed.get_column(name), typed.get_column(name + RAW_SUFFIX)
        if value.null_count() == raw.null_count():
            continue
        pending = value.is_null() & raw.is_not_null()
        slow = pl.select(parse_dates(pl.lit(raw.filter(pending)))).to_series()
        fixes.append(value.scatter(pending.arg_true(), slow).alias(name))
    return typed.with_columns(fixes) if fixes else typed


def type_columns(
    frame: pl.DataFrame,
    columns: Mapping[str, str],
    *,
    keep_case: Collection[str] = (),
    extra: bool = False,
) -> pl.DataFrame:
    """Type a frame of text columns by `columns` (name -> text/date/int/float).

    Columns the frame lacks are added as nulls (the reader decides whether that is an error).
    `ROW_NUMBER` is kept if present, else numbered 1..n. Output order: ROW_NUMBER, the schema
    columns, then `<COL>__raw` for every non-text column; `extra=True` keeps unknown columns.
    """
    lazy, dates = typed_lazy(frame, columns, keep_case=keep_case, extra=extra)
    return _mark_cleaned(finish_dates(lazy.collect(), dates), _cleaned_of(columns, keep_case))


def type_many(
    frames: Mapping[str, pl.DataFrame], columns: Mapping[str, Mapping[str, str]]
) -> dict[str, pl.DataFrame]:
    """`type_columns` for several tables at once: one `pl.collect_all`, so Polars types them
    in parallel rather than one after another."""
    names = list(frames)
    plans = [typed_lazy(frames[n], columns[n]) for n in names]
    collected = pl.collect_all([plan for plan, _ in plans])
    return {
        name: _mark_cleaned(finish_dates(frame, dates), _cleaned_of(columns[name], ()))
        for name, frame, (_, dates) in zip(names, collected, plans, strict=True)
    }


def empty_typed(columns: Mapping[str, str]) -> pl.DataFrame:
    """An empty frame with the typed columns (what an unsupplied table looks like)."""
    return type_columns(pl.DataFrame(schema=dict.fromkeys(columns, pl.String)), columns)
