"""SSDA903 rules 202-219: agreement with last year's return, UASC status over two years, UPN
defaults, placement provider and URN, reasons for placement change (220-234: `r220s.py`).

Rules that compare with last year's return run only when last year's table was supplied.
Rules 219, 221, 224, 227, 228 and 229 compare the episode's URN with Ofsted's provider
information (`statutory.ssda903.providers`); without that file they do not run, and the
validation says so.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from statutory.engine import ROW_NUMBER, Context, Flag, rule
from statutory.ssda903.providers import needs_provider_info, on_each_episode_urn
from statutory.ssda903.rules._helpers import (
    CHILD,
    add_years,
    any_provided,
    blank,
    date,
    flagged,
    header_uasc,
    is_code,
    provided,
    raw,
    rows_of,
)
from statutory.ssda903.rules.r100s import (
    with_placements,
)


def _with_last(ctx: Context, table: str, columns: list[str]) -> pl.DataFrame | None:
    """This year's rows joined to last year's row for the same child (`<COL>_last`); not run
    (`NotRun`) when last year's table was not supplied. Children not in last year's table are
    dropped."""
    now = ctx.table(table)
    last = ctx.previous(table)
    last_cols = last.select(
        CHILD, *[raw(last, c).alias(f"{c}_last") for c in columns if c != "DOB"]
    )
    if "DOB" in columns:
        last_cols = last_cols.with_columns(last["DOB"].alias("DOB_last"))
    return now.join(last_cols, on=CHILD, how="inner", maintain_order="left")


# Last year's SEX in this year's codes, where the code set changed (2023/24 -> 2024/25).
SEX_1_2_TO_MF = {"1": "M", "2": "F"}


@rule("202", table="Header", fields=("SEX",))
def sex_agrees_with_last_year(ctx: Context) -> pl.DataFrame:
    """A child in last year's header must have the same SEX this year (blank equals blank).
    For 2024/25, last year's 1/2 are read as M/F, the codes the item changed to."""
    joined = _with_last(ctx, "Header", ["SEX"])
    if joined is None:
        return ctx.table("Header").clear()
    last = pl.col("SEX_last")
    if ctx.year == 2025:
        last = last.replace(SEX_1_2_TO_MF)
    bad = joined.filter(raw(joined, "SEX").ne_missing(last))
    return rows_of(ctx.table("Header"), bad[ROW_NUMBER])


@rule("203", table="Header", fields=("DOB",))
def dob_agrees_with_last_year(ctx: Context) -> pl.DataFrame:
    """A child in last year's header must have the same date of birth (an invalid or blank
    date equals another invalid or blank one)."""
    joined = _with_last(ctx, "Header", ["DOB"])
    if joined is None:
        return ctx.table("Header").clear()
    bad = joined.filter(pl.col("DOB").ne_missing(pl.col("DOB_last")))
    return rows_of(ctx.table("Header"), bad[ROW_NUMBER])


@rule("204", table="Header", fields=("ETHNIC",))
def ethnicity_agrees_with_last_year(ctx: Context) -> pl.DataFrame:
    """A child in last year's header must have the same ETHNIC code."""
    joined = _with_last(ctx, "Header", ["ETHNIC"])
    if joined is None:
        return ctx.table("Header").clear()
    bad = joined.filter(raw(joined, "ETHNIC").ne_missing(pl.col("ETHNIC_last")))
    return rows_of(ctx.table("Header"), bad[ROW_NUMBER])


# ---------------------------------------------------------------------------------------------
# 205A-D: UASC status this year and last
# ---------------------------------------------------------------------------------------------


def _uasc_years(ctx: Context) -> pl.DataFrame | None:
    """One row per this year's UASC row: CHILD, its ROW_NUMBER (`UASC_ROW`), the Header row
    (`HEADER_ROW`), DOB, DUC (typed and as supplied), UASC status now and last year, and last
    year's DUC. None unless both years' UASC tables were supplied and both years carry a
    status (XML header item, or - for CSV - membership of the UASC table)."""
    ctx.table("UASC"), ctx.previous("UASC")  # NotRun unless both years' tables were supplied
    status_now = header_uasc(ctx)
    status_last = header_uasc(ctx, previous=True)
    if status_now is None or status_last is None:
        return None
    uasc = ctx.table("UASC")
    last = ctx.previous("UASC")
    current = uasc.select(
        CHILD,
        pl.col(ROW_NUMBER).alias("UASC_ROW"),
        date(uasc, "DOB").alias("DOB"),
        date(uasc, "DUC").alias("DUC"),
        raw(uasc, "DUC").alias("DUC_raw"),
    ).join(
        status_now.select(CHILD, pl.col(ROW_NUMBER).alias("HEADER_ROW"), "UASC"),
        on=CHILD,
        how="left",
    )
    previous = (
        last.select(CHILD, date(last, "DUC").alias("DUC_last"), date(last, "DOB").alias("DOB_last"))
        .join(
            status_last.select(CHILD, pl.col("UASC").alias("UASC_last")),
            on=CHILD,
            how="left",
        )
        .unique(subset=CHILD, keep="first")
    )
    return current.join(previous, on=CHILD, how="left", maintain_order="left")


def _uasc_flags(ctx: Context, bad: pl.DataFrame) -> list[Flag]:
    flags = [Flag("UASC", rows_of(ctx.table("UASC"), bad["UASC_ROW"]))]
    if ctx.supplied("Header"):
        flags.append(Flag("Header", rows_of(ctx.table("Header"), bad["HEADER_ROW"])))
    return flags


@rule("205A", table="UASC", fields=("CHILD", "UASC"))
def uasc_ceased_last_year(ctx: Context) -> list[Flag]:
    """UASC last year but not this year: last year's DUC must fall in last year's collection
    year and this year's DUC must be blank."""
    years = _uasc_years(ctx)
    if years is None:
        return []
    start_last = dt.date(ctx.year - 2, 4, 1)
    end_last = dt.date(ctx.year - 1, 3, 31)
    in_last_year = pl.col("DUC_last").is_between(start_last, end_last).fill_null(False)
    bad = years.filter(
        pl.col("UASC").ne_missing("1")
        & (pl.col("UASC_last") == "1").fill_null(False)
        & (pl.col("DUC_raw").is_not_null() | ~in_last_year)
    )
    return _uasc_flags(ctx, bad)


@rule("205B", table="UASC", fields=("DUC", "UASC"))
def uasc_both_years(ctx: Context) -> list[Flag]:
    """UASC both years: last year's DUC must be the child's 18th birthday, and this year's DUC
    must fall in this collection year or equal last year's."""
    years = _uasc_years(ctx)
    if years is None:
        return []
    dob18 = add_years(pl.coalesce(pl.col("DOB_last"), pl.col("DOB")), 18)
    this_year = pl.col("DUC").is_between(ctx.collection_start, ctx.reference_date).fill_null(False)
    same = (pl.col("DUC") == pl.col("DUC_last")).fill_null(False)
    prev_is_18th = (pl.col("DUC_last") == dob18).fill_null(False)
    bad = years.filter(
        (pl.col("UASC") == "1").fill_null(False)
        & (pl.col("UASC_last") == "1").fill_null(False)
        & ((~this_year & ~same) | ~prev_is_18th)
    )
    return _uasc_flags(ctx, bad)


@rule("205C", table="UASC", fields=("DUC", "UASC"))
def duc_without_uasc(ctx: Context) -> list[Flag]:
    """Not UASC this year nor last (status 0 or blank in both) but a DUC is given in either
    year."""
    years = _uasc_years(ctx)
    if years is None:
        return []
    never = (pl.col("UASC").is_null() | (pl.col("UASC") == "0")) & (
        pl.col("UASC_last").is_null() | (pl.col("UASC_last") == "0")
    )
    bad = years.filter(never & (pl.col("DUC").is_not_null() | pl.col("DUC_last").is_not_null()))
    return _uasc_flags(ctx, bad)


@rule("205D", table="Header", fields=("UASC", "CHILD"))
def uasc_now_but_not_last_year(ctx: Context) -> list[Flag]:
    """A child in last year's header who is UASC this year must have been UASC last year.
    Flags the child's Header row (or, with no Header table, the UASC row). Without a status in
    the header (CSV), not run unless both years' UASC tables were supplied."""
    now = header_uasc(ctx)
    if now is None:
        ctx.table("UASC")  # NotRun when the status could have come only from it
    last = header_uasc(ctx, previous=True)
    if last is None:
        ctx.previous("UASC")
    if now is None or last is None:
        return []
    last_status = last.select(CHILD, pl.col("UASC").alias("UASC_last"))
    if ctx.supplied("Header"):
        joined = now.join(last_status, on=CHILD, how="inner")
        table, frame = "Header", ctx.table("Header")
    else:
        uasc = ctx.table("UASC")
        items = [c for c in ("SEX", "DUC") if c in uasc.columns]
        status = pl.when(any_provided(uasc, items)).then(pl.lit("1")).otherwise(pl.lit("0"))
        joined = uasc.select(CHILD, ROW_NUMBER, status.alias("UASC")).join(
            last_status, on=CHILD, how="inner"
        )
        table, frame = "UASC", uasc
    bad = joined.filter((pl.col("UASC") == "1") & pl.col("UASC_last").ne_missing("1"))
    return [Flag(table, rows_of(frame, bad[ROW_NUMBER]))]


# ---------------------------------------------------------------------------------------------
# 207-210: mother, UPN
# ---------------------------------------------------------------------------------------------


@rule("207", table="Header", fields=("MOTHER",))
def mother_agrees_with_last_year(ctx: Context) -> pl.DataFrame:
    """A child recorded as a mother last year (MOTHER 1) who has episodes this year must still
    be recorded as a mother."""
    joined = _with_last(ctx, "Header", ["MOTHER"])
    if joined is None or not ctx.supplied("Episodes"):
        return ctx.table("Header").clear()
    with_eps = ctx.table("Episodes")[CHILD].drop_nulls().unique().implode()
    bad = joined.filter(
        pl.col(CHILD).is_in(with_eps)
        & (pl.col("MOTHER_last") == "1").fill_null(False)
        & raw(joined, "MOTHER").ne_missing("1")
    )
    return rows_of(ctx.table("Header"), bad[ROW_NUMBER])


UN_CODES = ("UN1", "UN2", "UN3", "UN4", "UN5")


@rule("208", table="Header", fields=("UPN",))
def upn_agrees_with_last_year(ctx: Context) -> pl.DataFrame:
    """A child's UPN must match last year's, except: unknown both years (blank), a change from
    UN1 or blank to UN2-UN5, and a change from unknown (UN code or blank) to a real UPN."""
    joined = _with_last(ctx, "Header", ["UPN"])
    if joined is None:
        return ctx.table("Header").clear()
    now = raw(joined, "UPN")
    last = pl.col("UPN_last")
    null_now, null_before = now.is_null(), last.is_null()
    differs = now.ne_missing(last) & ~(null_now & null_before)
    valid_unknown_change = ((last == "UN1").fill_null(False) | null_before) & now.is_in(
        UN_CODES[1:]
    ).fill_null(False)
    unknown_to_known = (last.is_in(UN_CODES).fill_null(False) | null_before) & ~(
        now.is_in(UN_CODES).fill_null(False) | null_now
    )
    bad = joined.filter(differs & ~valid_unknown_change & ~unknown_to_known)
    return rows_of(ctx.table("Header"), bad[ROW_NUMBER])


@rule("209", table="Header", fields=("UPN", "DOB"))
def school_age_not_un1(ctx: Context) -> pl.DataFrame:
    """A child of school age - 4 or over on 31 August before the collection year started -
    must not have UPN UN1."""
    header = ctx.table("Header")
    cutoff = dt.date(ctx.year - 2, 8, 31)
    return flagged(
        header, (add_years(date(header, "DOB"), 4) <= cutoff) & (raw(header, "UPN") == "UN1")
    )


@rule("210", table="Header", fields=("UPN", "DECOM"))
def un4_only_for_new_arrivals(ctx: Context) -> list[Flag]:
    """UN4 ("UPN not yet obtained", for children who arrived in the last week) must not be
    used for a child with an episode starting on or after 24 March (read as the validator
    councils use reads the DfE check: <UPN> = UN4 then no episode <DECOM> >= 24/03/YYYY).
    Flags those episodes and the child's header."""
    header = ctx.table("Header")
    eps = ctx.table("Episodes")
    un4 = header.filter(raw(header, "UPN") == "UN4").select(CHILD, pl.col(ROW_NUMBER).alias("H"))
    cutoff = dt.date(ctx.year, 3, 24)
    bad = eps.filter(date(eps, "DECOM") >= cutoff).join(un4, on=CHILD, how="inner")
    return [
        Flag("Episodes", rows_of(eps, bad[ROW_NUMBER])),
        Flag("Header", rows_of(header, bad["H"])),
    ]


# ---------------------------------------------------------------------------------------------
# 213-234: placements, URN, reasons for change
# ---------------------------------------------------------------------------------------------


def _temporary_places(ctx: Context) -> list[str]:
    base = ["T0", "T1", "T2", "T3", "T4"]
    return [*base, "Z11", "Z12", "Z13", "Z14"] if ctx.year >= 2026 else base


@rule("213", table="Episodes", fields=("PLACE_PROVIDER",))
def no_provider_for_temporary(ctx: Context) -> pl.DataFrame:
    """PLACE_PROVIDER must be blank for temporary placements (T0-T4; and Z11-Z14 from
    2025/26)."""
    eps = ctx.table("Episodes")
    return flagged(
        eps, is_code(eps, "PLACE", _temporary_places(ctx)) & provided(eps, "PLACE_PROVIDER")
    )


@rule("214", table="Episodes", fields=("PL_POST", "URN"))
def no_location_for_short_breaks(ctx: Context) -> pl.DataFrame:
    """PL_POST and URN must be blank for V3/V4 short-break episodes."""
    eps = ctx.table("Episodes")
    return flagged(
        eps, is_code(eps, "LS", ["V3", "V4"]) & (provided(eps, "PL_POST") | provided(eps, "URN"))
    )


OC2_ITEMS = (
    "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT",
    "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED",
)  # fmt: skip
OC3_ITEMS = ("IN_TOUCH", "ACTIV", "ACCOM")


@rule("215", table="OC3", fields=(*OC3_ITEMS, *OC2_ITEMS))
def leaver_not_oc2(ctx: Context) -> list[Flag]:
    """A child with any care-leaver item must have no 12-months (OC2) item. Flags both rows."""
    oc3 = ctx.table("OC3")
    oc2 = ctx.table("OC2")
    leavers = oc3.filter(pl.any_horizontal([provided(oc3, c) for c in OC3_ITEMS]))
    with_items = oc2.filter(pl.any_horizontal([provided(oc2, c) for c in OC2_ITEMS]))
    pairs = leavers.select(CHILD, ROW_NUMBER).join(
        with_items.select(CHILD, pl.col(ROW_NUMBER).alias("OC2_ROW")), on=CHILD, how="inner"
    )
    return [
        Flag("OC3", rows_of(oc3, pairs[ROW_NUMBER])),
        Flag("OC2", rows_of(oc2, pairs["OC2_ROW"])),
    ]


@rule("217", table="Episodes", fields=("PLACE", "DECOM", "RNE"))
def adoption_with_foster_carers_rne(ctx: Context) -> pl.DataFrame:
    """Episodes from 1 April 2015 placed for adoption with current foster carers (A3/A5) must
    have RNE S, T or U."""
    eps = ctx.table("Episodes")
    return flagged(
        eps,
        is_code(eps, "PLACE", ["A3", "A5"])
        & (date(eps, "DECOM") >= dt.date(2015, 4, 1))
        & ~is_code(eps, "RNE", ["S", "T", "U"]),
    )


NO_URN_COMMON = ["P1", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4"]


def _urn_not_required(ctx: Context) -> list[str]:
    """Placement types rule 218 does not ask a URN for, by year (H5 needs one from 2023/24;
    P2 is exempt only up to 2022/23; Z1 becomes Z11-Z14 in 2025/26)."""
    if ctx.year <= 2023:
        return ["H5", "P2", *NO_URN_COMMON, "Z1"]
    if ctx.year <= 2025:
        return [*NO_URN_COMMON, "Z1"]
    return [*NO_URN_COMMON, "Z11", "Z12", "Z13", "Z14"]


def _outside_england(ctx: Context, eps: pl.DataFrame) -> pl.Expr:
    """Placed outside England, by PL_LA derived from PL_POST. Up to 2024/25 an unknown PL_LA
    counts as outside England (the DfE check reads PL_LA codes starting N, W, S or C, and the
    validator councils use applies that to the text of a missing code too); from 2025/26 the
    DfE lists the codes (CON, NIR, SCO, WAL, NUK)."""
    pl_la = pl.col("PL_LA")
    if ctx.year >= 2026:
        return pl_la.is_in(["CON", "NIR", "SCO", "WAL", "NUK"]).fill_null(False)
    return pl_la.is_null() | pl_la.str.slice(0, 1).is_in(["N", "W", "S", "C"]).fill_null(False)


@rule("218", table="Episodes", fields=("URN",))
def urn_required(ctx: Context) -> pl.DataFrame:
    """Episodes open on or after 1 April in England, in placement types that Ofsted registers,
    must have a URN."""
    eps = ctx.table("Episodes")
    if eps.is_empty():
        return eps
    placed = with_placements(ctx, eps)
    open_in_year = (date(placed, "DEC") >= ctx.collection_start).fill_null(False) | blank(
        placed, "DEC"
    )
    bad = placed.filter(
        open_in_year
        & blank(placed, "URN")
        & ~is_code(placed, "PLACE", _urn_not_required(ctx))
        & ~_outside_england(ctx, placed)
    )
    return rows_of(eps, bad[ROW_NUMBER])


@rule("217t", table="Episodes", fields=("PLACE", "DECOM"))
def no_p2_after_october_2023(ctx: Context) -> pl.DataFrame:
    """Placement type P2 must not be used for an episode open after 28 October 2023 (ended
    after that date, or not ended)."""
    eps = ctx.table("Episodes")
    dec = date(eps, "DEC")
    return flagged(
        eps,
        is_code(eps, "PLACE", ["P2"])
        & ((dec > dt.date(2023, 10, 28)).fill_null(False) | dec.is_null()),
    )


# ---------------------------------------------------------------------------------------------
# Rules against Ofsted's provider information (the DfE's "URN lookup")
#
# Every one of them looks only at episodes whose URN is provided and is not the placeholder
# XXXXXXX. A URN Ofsted does not list is rule 1008's finding; the "does not match" rules
# (219, 221, 224, 229 for PR1) flag it too, because there is nothing for the episode to match,
# which is how the DfE states them ("must = any URN lookup <...> of matching URN") and what the
# DfE's validator does. 227 and 228 need an end of registration, so they pass unlisted URNs.
# ---------------------------------------------------------------------------------------------


@rule("219", table="Episodes", fields=("URN", "PLACE"))
@needs_provider_info
def urn_matches_placement_type(ctx: Context) -> pl.DataFrame:
    """If a URN is given (not XXXXXXX), PLACE must be one of the placement codes Ofsted lists
    for that URN. A blank PLACE, or a URN with no placement codes, does not match."""
    eps = on_each_episode_urn(ctx)
    matches = pl.col("OFSTED_PLACE_CODES").list.contains(raw(eps, "PLACE")).fill_null(False)
    return rows_of(ctx.table("Episodes"), eps.filter(~matches)[ROW_NUMBER])
