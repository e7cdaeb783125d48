"""Ofsted's provider information (the DfE's "URN lookup"), for rules 219, 221, 224, 227, 228,
229 and 1008.

Those rules compare an episode's Ofsted URN with what Ofsted publishes about the provider:
the placement types (placement codes) and provider codes it is registered for, the date its
registration ended, its postcode and its council. The DfE's collection system holds that list;
a council checking its own return gives it as one file or several: `alliance 903 validate ...
--providers FILE [--providers FILE2]`, or `read_return(..., providers=FILE or [FILES])`, or
`attach_providers(return_, read_providers(FILES))` from the library.

The files are Ofsted's lists as Ofsted publishes them (.xlsx: every sheet with the headings is
read; the Children's Homes list's "Address Details" sheet supplies postcodes by URN; the
combined list's second sheet, with no placement code, is supported accommodation, H5/K3) or
saved as CSV, with the headings the DfE's open-source validator
(data-to-insight/csc-validator-be-903) accepts, so councils use the same files there and here
(any case, any column order, extra columns ignored):

| what | Ofsted's combined list / Social Care Providers list | Children's Homes list | or |
|---|---|---|---|
| URN | `URN` | `URN` | |
| placement codes | `Placement code` | `Provider Code` | `PLACE_CODES` |
| provider codes | `Placement provider code` | `Provider Placement Code` | `PROVIDER_CODES` |
| registration ended | `Deregistration date` | `Closed Date` | `REG_END` |
| postcode | `Setting address postcode`, `Setting postcode` | `Setting Postcode` | `POSTCODE` |
| council (optional) | `Local authority`, `Provider local authority` | `Local Authority` | `LA_NAME_FROM_FILE`, `LA_CODE` |

Codes may be listed several to a cell (`PR1/PR2`, `H5, K3`). A URN listed more than once (a
provider on two lists) has the union of its codes; its registration has ended only if every
row says so (the latest date); its postcode and council are the first given.

Without the file the rules cannot run. They say so rather than pass: each raises the engine's
`NotRun`, so every run lists them in `Findings.not_run` ("not run: needs Ofsted provider
information") and every report, the terminal summary and the service's report page say so.
"""

from __future__ import annotations

import functools
import os
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from statutory.engine.columns import parse_date_series
from statutory.engine.errors import InputError, NotRun
from statutory.engine.limits import (
    Budget,
    Limits,
    check_ratio,
    default_limits,
    read_limited,
    scan_csv,
)
from statutory.ssda903.encoding import to_utf8
from statutory.ssda903.rules._helpers import raw

if TYPE_CHECKING:
    from statutory.engine import Context, Return
    from statutory.engine.rule import Check

# The frame rides with the return under this name (the DfE rule list's name for it). It is not
# one of the return's tables (`supplied` never names it), so nothing stores or pseudonymises it.
PROVIDER_TABLE = "Provider Info"
NEEDS = "Ofsted provider information"
NOT_RUN = f"not run: needs {NEEDS}"
# The DfE's placeholder for "URN not known yet".
URN_PLACEHOLDER = "XXXXXXX"

# canonical column -> accepted headings, normalised (lower case, single spaces), in order
HEADINGS: dict[str, tuple[str, ...]] = {
    "URN": ("urn",),
    "PLACE_CODES": ("placement code", "provider code", "place_codes", "place codes"),
    "PROVIDER_CODES": (
        "placement provider code",
        "provider placement code",
        "provider_codes",
        "provider codes",
    ),
    "REG_END": ("deregistration date", "closed date", "reg_end"),
    "POSTCODE": ("setting address postcode", "setting postcode", "postcode"),
    "LA_NAME": (
        "local authority",
        "provider local authority",
        "la_name_from_file",
        "la_name",
    ),
    "LA_CODE": ("la_code", "local authority code", "la code"),
}
REQUIRED = ("URN", "PLACE_CODES", "PROVIDER_CODES", "REG_END", "POSTCODE")
SCHEMA: dict[str, pl.DataType] = {
    "URN": pl.String(),
    "PLACE_CODES": pl.List(pl.String),
    "PROVIDER_CODES": pl.List(pl.String),
    "REG_END": pl.Date(),
    "POSTCODE": pl.String(),
    "LA_NAME": pl.String(),
    "LA_CODE": pl.String(),
}


def _heading(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\ufeff", "")).strip().lower()


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMA)


PathLike = str | os.PathLike[str]
# Ofsted's combined list puts registered supported accommodation on a second sheet with no
# placement code column; the DfE's validator reads those providers as H5/K3 (supported
# accommodation), and so does this.
SUPPORTED_ACCOMMODATION = "H5/K3"


def read_providers(
    paths: PathLike | Sequence[PathLike], *, limits: Limits | None = None
) -> pl.DataFrame:
    """Ofsted's provider information -> one row per URN (see the module docstring).

    `paths` is one file or several (e.g. the Children's Homes list and the Social Care
    Providers list): CSVs, or Ofsted's .xlsx workbooks (every sheet with the headings is read).
    Raises `InputError` naming the file (and sheet, row and column) when one cannot be used.
    The lists are held to the same `limits` as a return (`statutory.engine.limits`): a CSV's
    size, columns, rows and values are checked before it is parsed, and a workbook's unpacked
    size and compression before the Excel reader opens it."""
    limits = limits or default_limits()
    files = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    if not files:
        raise InputError(None, None, None, "no provider information file given")
    budget = Budget(limits)
    return _per_urn(pl.concat([_read_file(Path(f), budget) for f in files], how="vertical"))


def _check_workbook(name: str, source: Path, budget: Budget) -> None:
    """A workbook is a zip the Excel reader unpacks in memory: refuse one that would unpack
    to more than the limit or that expands like a zip bomb, before it is opened."""
    try:
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        raise InputError(
            name, None, None, "could not be read as a workbook: damaged or incomplete"
        ) from None
    budget.declared(name, sum(i.file_size for i in infos))
    for info in infos:
        check_ratio(f"{name}!{info.filename}", info.file_size, info.compress_size, budget.limits)


def _read_file(source: Path, budget: Budget) -> pl.DataFrame:
    name = str(source)
    if not source.is_file():
        raise InputError(name, None, None, "no such file (give Ofsted's provider list)")
    with source.open("rb") as handle:
        data = read_limited(name, handle, budget, declared=source.stat().st_size)
    if not data.strip():
        raise InputError(name, None, None, "the file is empty")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            name, None, None, "an old-style .xls workbook: save it as .xlsx or CSV and give that"
        )
    if data.startswith(b"PK\x03\x04"):
        del data
        _check_workbook(name, source, budget)
        return _read_workbook(source)
    scan_csv(name, data, budget.limits)
    utf8, _ = to_utf8(name, data)
    try:
        raw = pl.read_csv(utf8, infer_schema=False, has_header=True, truncate_ragged_lines=False)
    except pl.exceptions.PolarsError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(name, None, None, f"could not be read as CSV: {first}") from None
    return _rows(raw, _found_columns(raw, name), name)


def _read_workbook(source: Path) -> pl.DataFrame:
    """Every sheet of an Ofsted workbook that lists providers by URN. A sheet lacking only the
    postcode takes it from a sheet of postcodes by URN (the Children's Homes list's "Address
    Details"); the combined list's second sheet, with no placement code, is supported
    accommodation (H5/K3)."""
    name = str(source)
    try:
        sheets = pl.read_excel(source, sheet_id=0, infer_schema_length=0)
    except Exception as exc:  # the Excel reader's own errors are not one type
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(name, None, None, f"could not be read as a workbook: {first}") from None
    with_urn = {
        sheet: (frame, _columns_of(frame))
        for sheet, frame in sheets.items()
        if "URN" in _columns_of(frame)
    }
    postcodes = [
        frame.select(
            pl.col(found["URN"]).cast(pl.String).alias("__urn"),
            pl.col(found["POSTCODE"]).cast(pl.String).alias("__postcode"),
        )
        for frame, found in with_urn.values()
        if "POSTCODE" in found and not all(c in found for c in REQUIRED)
    ]
    used: list[pl.DataFrame] = []
    problems: list[str] = []
    for position, (sheet, (sheet_frame, sheet_found)) in enumerate(with_urn.items()):
        frame, found = sheet_frame, sheet_found
        where = f"{name} (sheet {sheet})"
        missing = [c for c in REQUIRED if c not in found]
        if missing == ["POSTCODE"] and postcodes:
            frame = frame.join(
                pl.concat(postcodes).unique("__urn"),
                left_on=pl.col(found["URN"]).cast(pl.String),
                right_on="__urn",
                how="left",
                maintain_order="left",
            )
            found = {**found, "POSTCODE": "__postcode"}
        elif missing == ["PLACE_CODES"] and position == 1 and len(with_urn) == 2:
            frame = frame.with_columns(pl.lit(SUPPORTED_ACCOMMODATION).alias("__place"))
            found = {**found, "PLACE_CODES": "__place"}
        elif missing:
            # (a sheet of postcodes only was used above, for the other sheets)
            problems.append(f"sheet {sheet} has no column for {', '.join(missing)}")
            continue
        used.append(_rows(frame, found, where))
    if not used:
        detail = "; ".join(problems) or "no sheet has a URN column"
        raise InputError(name, None, None, f"not Ofsted provider information: {detail}")
    return pl.concat(used, how="vertical")


def _columns_of(raw: pl.DataFrame) -> dict[str, str]:
    """Canonical column -> the frame's own heading, for the headings it has."""
    by_heading = {_heading(c): c for c in raw.columns}
    found: dict[str, str] = {}
    for column, accepted in HEADINGS.items():
        for heading in accepted:
            if heading in by_heading:
                found[column] = by_heading[heading]
                break
    return found


def _found_columns(raw: pl.DataFrame, name: str) -> dict[str, str]:
    found = _columns_of(raw)
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        wanted = "; ".join(f"{c}: {' or '.join(repr(h) for h in HEADINGS[c])}" for c in missing)
        raise InputError(
            name,
            0,
            None,
            f"not Ofsted provider information: no column for {', '.join(missing)} ({wanted})",
        )
    return found


def providers_from_frame(raw: pl.DataFrame, *, name: str = "provider information") -> pl.DataFrame:
    """A text frame with Ofsted's (or the canonical) headings -> one typed row per URN."""
    return _per_urn(_rows(raw, _found_columns(raw, name), name))


def _rows(raw: pl.DataFrame, found: dict[str, str], name: str) -> pl.DataFrame:
    """One typed row per row of the file (several rows may share a URN)."""

    def text(column: str) -> pl.Expr:
        if column not in found:
            return pl.lit(None, dtype=pl.String)
        value = pl.col(found[column]).cast(pl.String).str.strip_chars()
        return pl.when(value.str.len_chars() > 0).then(value)

    def code_list(column: str) -> pl.Expr:
        # "PR1/PR2", "H5, K3", "K1,K2" -> a list of codes
        return text(column).str.to_uppercase().str.extract_all(r"[A-Z0-9]+")

    frame = raw.with_row_index("__row", offset=1).select(
        "__row",
        # a URN from a spreadsheet may have become "1234567.0"
        text("URN").str.to_uppercase().str.replace(r"^(\d+)\.0+$", "${1}").alias("URN"),
        code_list("PLACE_CODES").alias("PLACE_CODES"),
        code_list("PROVIDER_CODES").alias("PROVIDER_CODES"),
        text("REG_END").alias("__reg_end"),
        text("POSTCODE").str.to_uppercase().str.replace_all(r"\s+", "").alias("POSTCODE"),
        text("LA_NAME").alias("LA_NAME"),
        text("LA_CODE").str.to_uppercase().alias("LA_CODE"),
    )
    reg_end = parse_date_series(frame["__reg_end"])
    unreadable = frame["__reg_end"].is_not_null() & reg_end.is_null()
    if unreadable.any():
        row = int(frame.filter(unreadable)["__row"][0])
        value = frame.filter(unreadable)["__reg_end"][0]
        raise InputError(name, row, found["REG_END"], f"{value!r} is not a date (use dd/mm/YYYY)")
    return (
        frame.with_columns(reg_end.alias("REG_END"))
        .filter(pl.col("URN").is_not_null())
        .select("URN", "PLACE_CODES", "PROVIDER_CODES", "REG_END", "POSTCODE", "LA_NAME", "LA_CODE")
    )


def _per_urn(frame: pl.DataFrame) -> pl.DataFrame:
    return (
        frame.group_by("URN", maintain_order=True)
        .agg(
            pl.col("PLACE_CODES")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .unique(maintain_order=True),
            pl.col("PROVIDER_CODES")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .unique(maintain_order=True),
            # still registered if any row says so (no end date); else the latest end
            pl.when(pl.col("REG_END").null_count() == 0).then(pl.col("REG_END").max()),
            pl.col("POSTCODE").drop_nulls().first(),
            pl.col("LA_NAME").drop_nulls().first(),
            pl.col("LA_CODE").drop_nulls().first(),
        )
        .select(list(SCHEMA))
        .cast(pl.Schema(SCHEMA))
    )


def attach_providers(return_: Return, providers: pl.DataFrame) -> Return:
    """Give a read return Ofsted's provider information (from `read_providers`)."""
    return_.tables[PROVIDER_TABLE] = providers.select(list(SCHEMA)).cast(pl.Schema(SCHEMA))
    return return_


def provider_info(ctx: Context) -> pl.DataFrame | None:
    """The provider information given with the return, or None."""
    return ctx.return_.tables.get(PROVIDER_TABLE)


def needs_provider_info(check: Check) -> Check:
    """Mark a check as needing Ofsted's provider information. Without it the check raises
    `NotRun`: the run lists it as not run (with `NOT_RUN` as the reason), never as passed."""

    @functools.wraps(check)
    def guarded(ctx: Context) -> object:
        if provider_info(ctx) is None:
            raise NotRun(NOT_RUN)
        return check(ctx)

    return guarded  # type: ignore[return-value]


def on_each_episode_urn(ctx: Context) -> pl.DataFrame:
    """Episodes with a real URN (provided, not the placeholder) joined to the provider row of
    that URN (left join: provider columns null when Ofsted does not list the URN), plus
    `__URN` (the URN as compared) and `__LISTED`. Memoised per run."""

    def build() -> pl.DataFrame:
        eps = ctx.table("Episodes")
        providers = provider_info(ctx)
        assert providers is not None
        urn = raw(eps, "URN")
        with_urn = eps.with_columns(urn.alias("__URN")).filter(
            pl.col("__URN").is_not_null() & (pl.col("__URN") != URN_PLACEHOLDER)
        )
        lookup = providers.with_columns(pl.lit(True).alias("__LISTED")).rename(
            {c: f"OFSTED_{c}" for c in SCHEMA if c != "URN"}
        )
        return with_urn.join(
            lookup, left_on="__URN", right_on="URN", how="left", maintain_order="left"
        ).with_columns(pl.col("__LISTED").fill_null(False))

    return ctx.memo(("ssda903.providers", "episodes"), build)
