"""Typical mistakes planted in a synthetic return, and the list of where they were planted."""

# numpy's stubs cannot type object arrays holding None (np.where(mask, None, values)):
# mypy: disable-error-code="call-overload,arg-type"
from __future__ import annotations

import numpy as np
import polars as pl

# Day and month swapped, as a spreadsheet set to US dates does to a date it can read both ways
# (01/06/2024 becomes 06/01/2024); a date whose day is over 12 is left as it was, as the
# spreadsheet leaves it. The date is still a real date, so a council's file with this mistake
# reads (the open-source validator's rules do not meet a child whose every start date is
# unreadable, on which 17 of them crash).
US_DATE = "day and month swapped"

# A typical mistake per (table, column): the value written, or US_DATE. Each is one a council's
# file has: a code mistyped or from an older list (XXXX, Q9, N9, E99, PR9, PN9, Z9 are not in
# any list; SEX 9 is the ISO 5218 "not applicable" some systems export), an item left blank, a
# UPN cut short, a score out of range, dates swapped by a spreadsheet, a date in US order with
# dashes.
_MISTAKES: list[tuple[str, str, str]] = [
    ("Header", "ETHNIC", "XXXX"),
    ("Header", "DOB", US_DATE),
    ("Header", "SEX", "9"),
    ("Header", "UPN", "A12345"),
    ("Episodes", "PLACE", "Q9"),
    ("Episodes", "LS", ""),
    ("Episodes", "DECOM", US_DATE),
    ("Episodes", "CIN", "N9"),
    ("Episodes", "REC", "E99"),
    ("Episodes", "PLACE_PROVIDER", "PR9"),
    ("Reviews", "REVIEW_CODE", "PN9"),
    ("Reviews", "REVIEW", US_DATE),
    ("OC3", "ACTIV", "Z9"),
    ("OC2", "SDQ_SCORE", "55"),
    ("Missing", "MISSING", "X"),
    ("Missing", "MIS_START", "01-13-2024"),
]


def _planted_value(frame: pl.DataFrame, column: str, value: str) -> pl.Series:
    """What the mistake writes in every row (the caller keeps it only in the rows hit)."""
    if value != US_DATE:
        return pl.Series(column, [value or None] * frame.height, dtype=pl.String)
    text = frame[column].cast(pl.String)
    parts = text.str.extract_groups(r"^(\d{2})/(\d{2})/(\d{4})$")
    day, month, year = (parts.struct.field(f) for f in ("1", "2", "3"))
    swapped = pl.select(
        pl.when(day.cast(pl.Int32, strict=False) <= 12)
        .then(pl.concat_str([month, day, year], separator="/"))
        .otherwise(text)
        .fill_null(text)
    ).to_series()
    return swapped.alias(column)


_PLANTED_COLUMNS = ["year", "table", "row_number", "child_id", "column", "value"]


def _no_planted() -> pl.DataFrame:
    return pl.DataFrame(
        {c: [] for c in _PLANTED_COLUMNS},
        schema={
            c: pl.Int64 if c in ("year", "row_number") else pl.String for c in _PLANTED_COLUMNS
        },
    )


def plant_errors(
    rng: np.random.Generator, tables: dict[str, pl.DataFrame], rate: float
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """Overwrite a share `rate` of each table's rows with one typical mistake each, and copy
    a few episode rows exactly; -> (the tables, one row per planted mistake: `table`,
    `row_number` (1-based, in the file as written), `child_id`, `column`, `value`)."""
    out = dict(tables)
    by_table: dict[str, list[tuple[str, str]]] = {}
    for table, column, value in _MISTAKES:
        by_table.setdefault(table, []).append((column, value))
    records: list[pl.DataFrame] = []
    for table, mistakes in by_table.items():
        frame = out.get(table)
        if frame is None or frame.height == 0:
            continue
        hit = rng.random(frame.height) < rate
        # the table's kinds of mistake in turn over the hit rows (shuffled), so that every kind
        # is planted once there are as many hits as kinds (a random draw per row can miss one)
        hits = np.flatnonzero(hit)
        which = np.full(frame.height, -1, dtype=np.int64)
        which[hits] = rng.permutation(np.arange(hits.size) % len(mistakes))
        exprs = []
        for i, (column, value) in enumerate(mistakes):
            written = _planted_value(frame, column, value)
            before = frame[column].cast(pl.String)
            # a row the mistake leaves as it was (a day over 12) is not listed as planted
            changed = ~(written.eq_missing(before)).to_numpy()
            mask = hit & (which == i) & changed
            exprs.append(
                pl.when(pl.Series(mask)).then(written).otherwise(pl.col(column)).alias(column)
            )
            rows = np.flatnonzero(mask)
            records.append(
                pl.DataFrame(
                    {
                        "table": table,
                        "row_number": rows + 1,
                        "child_id": frame["CHILD"].gather(rows),
                        "column": column,
                        "value": written.gather(rows).fill_null(""),
                    }
                )
            )
        out[table] = frame.with_columns(exprs)
    # a few exact duplicate episode rows, written at the end of the file
    episodes = out["Episodes"]
    dup_rows = np.flatnonzero(rng.random(episodes.height) < rate / 10)
    out["Episodes"] = pl.concat([episodes, episodes[dup_rows]])
    records.append(
        pl.DataFrame(
            {
                "table": "Episodes",
                "row_number": episodes.height + 1 + np.arange(dup_rows.size),
                "child_id": episodes["CHILD"].gather(dup_rows),
                "column": "*",
                "value": "duplicate",
            }
        )
    )
    manifest = pl.concat(
        [r.with_columns(pl.col("row_number").cast(pl.Int64)) for r in records if r.height]
        or [_no_planted().drop("year")]
    )
    return out, manifest
