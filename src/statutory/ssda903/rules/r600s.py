"""SSDA903 rules 601-635: adoption details, motherhood, previous permanence.

Written to flag the same rows as the validator councils use today (data-to-insight's
``csc-validator-be-903``); where the DfE text is ambiguous each docstring says how it is
read. Shared helpers live in :mod:`statutory.ssda903.rules.r400s`.
"""

from __future__ import annotations

import polars as pl

from statutory.engine import Context, Flag, rule
from statutory.ssda903.rules._helpers import (
    CHILD,
    date_lit,
    first_rows,
    flags,
    is_in,
    known,
    not_in,
    not_supplied,
    rows_of,
    supplied,
    text,
    years_after,
)
from statutory.ssda903.rules.r400s import (
    ROW,
)

AD1_DETAILS = ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")


def _adopted_in_year(ctx: Context) -> pl.DataFrame:
    episodes = ctx.table("Episodes")
    in_year = known(
        (pl.col("DEC") >= date_lit(ctx.collection_start))
        & (pl.col("DEC") <= date_lit(ctx.reference_date))
    )
    return episodes.filter(in_year & is_in("REC", ("E11", "E12")))


@rule("601", table="AD1", fields=("REC", *AD1_DETAILS))
def adopted_without_ad1_details(ctx: Context) -> list[Flag]:
    """A child adopted in the year (REC E11/E12 with DEC in the year) who has an AD1 row
    with any of DATE_INT, DATE_MATCH, FOSTER_CARE, NB_ADOPTR, SEX_ADOPTR, LS_ADOPTR blank:
    flags the AD1 row and the adoption episode. A child with no AD1 row is not flagged."""
    episodes, ad1 = ctx.table("Episodes"), ctx.table("AD1")
    incomplete = ad1.filter(pl.any_horizontal([not_supplied(ad1, c) for c in AD1_DETAILS]))
    bad = _adopted_in_year(ctx).join(incomplete.select(CHILD, pl.col(ROW).alias("_ad1")), on=CHILD)
    return flags(("REC", *AD1_DETAILS), AD1=(ad1, bad.get_column("_ad1")), Episodes=(episodes, bad))


@rule("602", table="AD1", fields=("CHILD",))
def ad1_without_adoption(ctx: Context) -> pl.DataFrame:
    """AD1 details given (any of the six fields) for a child with no episode ending in
    adoption (REC E11/E12) during the year."""
    ad1 = ctx.table("AD1")
    adopted = _adopted_in_year(ctx).get_column(CHILD)
    details = pl.any_horizontal([supplied(ad1, c) for c in AD1_DETAILS])
    return ad1.filter(details & ~pl.col(CHILD).is_in(adopted.implode()))


def _female(ctx: Context) -> str:
    """The SEX code for a girl: 2 until 2023/24, F from 2024/25 (codes M, F, U)."""
    return "F" if ctx.year >= 2025 else "2"


@rule("607", table="Episodes", fields=("DEC", "REC", "MOTHER", "LS", "SEX"))
def ceased_care_mother_missing(ctx: Context) -> list[Flag]:
    """A girl who ceased to be looked after in the year (DEC in the year, REC written and
    not X1, LS not V3/V4) must have MOTHER completed: flags the episode and Header row."""
    episodes, header = ctx.table("Episodes"), ctx.table("Header")
    ceased = episodes.filter(
        supplied(episodes, "REC")
        & text("REC").ne_missing("X1")
        & not_in("LS", ("V3", "V4"))
        & known(
            (pl.col("DEC") >= date_lit(ctx.collection_start))
            & (pl.col("DEC") <= date_lit(ctx.reference_date))
        )
    )
    girls = header.filter(
        (text("SEX") == _female(ctx)).fill_null(False) & not_supplied(header, "MOTHER")
    )
    bad = ceased.join(girls.select(CHILD, pl.col(ROW).alias("_h")), on=CHILD)
    return flags(
        ("DEC", "REC", "MOTHER", "LS", "SEX"),
        Episodes=(episodes, bad),
        Header=(header, bad.get_column("_h")),
    )


@rule("611", table="Header", fields=("MOTHER", "MC_DOB"))
def mother_without_child_dob(ctx: Context) -> pl.DataFrame:
    """MOTHER 1 but MC_DOB blank."""
    header = ctx.table("Header")
    return header.filter((text("MOTHER") == "1").fill_null(False) & not_supplied(header, "MC_DOB"))


@rule("612", table="Header", fields=("SEX", "MOTHER", "MC_DOB"))
def child_dob_but_not_mother(ctx: Context) -> pl.DataFrame:
    """A girl with MC_DOB written but MOTHER 0 or blank."""
    header = ctx.table("Header")
    return header.filter(
        text("MOTHER").eq_missing("0").or_(pl.col("MOTHER").is_null())
        & (text("SEX") == _female(ctx)).fill_null(False)
        & supplied(header, "MC_DOB")
    )


@rule("620", table="Header", fields=("DOB", "MOTHER"))
def mother_under_eleven(ctx: Context) -> pl.DataFrame:
    """MOTHER 1 but the child was under 11 on 1 April (DOB + 11 years after it)."""
    header = ctx.table("Header")
    return header.filter(
        (text("MOTHER") == "1").fill_null(False)
        & known(years_after("DOB", 11) > date_lit(ctx.collection_start))
    )


@rule("621", table="Header", fields=("DOB", "MC_DOB"))
def mother_younger_than_child(ctx: Context) -> pl.DataFrame:
    """MC_DOB on or before the mother's own DOB (with DOB unreadable, MC_DOB cannot be
    shown to be later and is flagged, as in the validator councils use)."""
    header = ctx.table("Header")
    return header.filter(pl.col("MC_DOB").is_not_null() & ~known(pl.col("MC_DOB") > pl.col("DOB")))


@rule("624", table="Header", fields=("MC_DOB",))
def child_dob_contradicts_last_year(ctx: Context) -> pl.DataFrame:
    """Last year's Header gave an MC_DOB and this year's differs (or is blank)."""
    header = ctx.table("Header")
    last = ctx.previous("Header")
    last_dob = last.filter(supplied(last, "MC_DOB")).select(
        CHILD,
        pl.col("MC_DOB").alias("_mc_last"),
        pl.col("MC_DOB__raw").alias("_mc_last_raw")
        if "MC_DOB__raw" in last.columns
        else pl.lit(None, pl.String).alias("_mc_last_raw"),
    )
    merged = header.join(last_dob, on=CHILD)
    both_dates = pl.col("MC_DOB").is_not_null() & pl.col("_mc_last").is_not_null()
    differs = (
        pl.when(both_dates)
        .then(pl.col("MC_DOB") != pl.col("_mc_last"))
        .otherwise(
            text("MC_DOB__raw").ne_missing(pl.col("_mc_last_raw"))
            if "MC_DOB__raw" in header.columns
            else pl.col("MC_DOB").ne_missing(pl.col("_mc_last"))
        )
    )
    return rows_of(header, merged.filter(differs))


@rule("625", table="Header", fields=("MC_DOB", "DEC"))
def child_dob_after_year_or_ceasing(ctx: Context) -> list[Flag]:
    """MC_DOB after 31 March or after the DEC of the mother's latest ended episode: flags
    the Header row and that episode. Children whose episodes are all open are not checked."""
    episodes, header = ctx.table("Episodes"), ctx.table("Header")
    ended = episodes.filter(pl.col("DEC").is_not_null())
    latest = ended.sort([CHILD, "DEC", ROW], descending=[False, True, False]).unique(
        subset=CHILD, keep="first"
    )
    merged = latest.join(header.select(CHILD, "MC_DOB", pl.col(ROW).alias("_h")), on=CHILD)
    bad = merged.filter(
        known(pl.col("MC_DOB") > date_lit(ctx.reference_date))
        | known(pl.col("MC_DOB") > pl.col("DEC"))
    )
    return flags(("MC_DOB", "DEC"), Header=(header, bad.get_column("_h")), Episodes=(episodes, bad))


@rule("626", table="Header", fields=("MOTHER", "MC_DOB"))
def mother_now_with_old_child(ctx: Context) -> pl.DataFrame:
    """MOTHER 1 with MC_DOB before 1 April, but last year's return said MOTHER 0."""
    header = ctx.table("Header")
    last = ctx.previous("Header").select(CHILD, text("MOTHER").alias("_mother_last"))
    merged = header.filter(pl.col("MC_DOB").is_not_null()).join(last, on=CHILD)
    bad = merged.filter(
        (text("MOTHER") == "1").fill_null(False)
        & (pl.col("_mother_last") == "0").fill_null(False)
        & known(pl.col("MC_DOB") < date_lit(ctx.collection_start))
    )
    return rows_of(header, bad)


@rule("628", table="Header", fields=("MOTHER",))
def mother_for_care_leaver_not_looked_after(ctx: Context) -> pl.DataFrame:
    """A care leaver with OC3 information (IN_TOUCH, ACTIV or ACCOM) and no episode this
    year should have MOTHER blank."""
    header, episodes, oc3 = ctx.table("Header"), ctx.table("Episodes"), ctx.table("OC3")
    leavers = oc3.filter(
        pl.any_horizontal([supplied(oc3, c) for c in ("IN_TOUCH", "ACTIV", "ACCOM")])
    ).get_column(CHILD)
    return header.filter(
        ~pl.col(CHILD).is_in(episodes.get_column(CHILD).implode())
        & pl.col(CHILD).is_in(leavers.implode())
        & supplied(header, "MOTHER")
    )


@rule("630", table="Episodes", fields=("RNE",))
def previous_permanence_missing(ctx: Context) -> pl.DataFrame:
    """An episode starting a period of care this year (RNE S, DECOM on or after 1 April)
    needs PrevPerm for the child: no row, a blank PREV_PERM, or a PREV_PERM other than Z1
    with LA_PERM or DATE_PERM blank, is flagged."""
    episodes, prev_perm = ctx.table("Episodes"), ctx.table("PrevPerm")
    starts = episodes.filter(
        (text("RNE") == "S").fill_null(False)
        & known(pl.col("DECOM") >= date_lit(ctx.collection_start))
    )
    answers = prev_perm.select(
        CHILD,
        pl.lit(True).alias("_has"),
        not_supplied(prev_perm, "PREV_PERM").alias("_no_perm"),
        (
            text("PREV_PERM").ne_missing("Z1")
            & (not_supplied(prev_perm, "LA_PERM") | not_supplied(prev_perm, "DATE_PERM"))
        ).alias("_incomplete"),
    )
    merged = starts.join(answers, on=CHILD, how="left")
    bad = merged.filter(
        pl.col("_has").is_null()
        | pl.col("_no_perm").fill_null(False)
        | pl.col("_incomplete").fill_null(False)
    )
    return rows_of(episodes, bad)


@rule("631", table="PrevPerm", fields=("PREV_PERM",))
def previous_permanence_invalid(ctx: Context) -> pl.DataFrame:
    """PREV_PERM written but not one of P1-P4 or Z1."""
    prev_perm = ctx.table("PrevPerm")
    return prev_perm.filter(
        supplied(prev_perm, "PREV_PERM") & not_in("PREV_PERM", ("P1", "P2", "P3", "P4", "Z1"))
    )


def _partial_date(raw: pl.Expr) -> pl.Expr:
    """A DATE_PERM written dd/mm/YYYY where the day and/or month may be ZZ (not known) and
    the year ZZZZ: unknown parts are read as the latest date they allow (ZZ day -> end of
    that month, ZZ month -> end of that year), as the validator councils use does; ZZZZ
    year reads as 2000. Anything else that is not a date is null."""
    parts = raw.str.strip_chars().str.split("/")
    day, month, year = (
        parts.list.get(0, null_on_oob=True),
        parts.list.get(1, null_on_oob=True),
        parts.list.get(2, null_on_oob=True),
    )
    ok = parts.list.len() == 3
    day_zz, month_zz = day == "ZZ", month == "ZZ"
    year_text = pl.when(year == "ZZZZ").then(pl.lit("2000")).otherwise(year)
    base_text = pl.concat_str(
        [
            pl.when(day_zz).then(pl.lit("01")).otherwise(day),
            pl.when(month_zz).then(pl.lit("01")).otherwise(month),
            year_text,
        ],
        separator="/",
    )
    base = base_text.str.to_date("%d/%m/%Y", strict=False)
    adjusted = (
        pl.when(month_zz)
        .then(base.dt.offset_by("1y").dt.offset_by("-1d"))
        .when(day_zz)
        .then(base.dt.offset_by("1mo").dt.offset_by("-1d"))
        .otherwise(base)
    )
    return pl.when(ok).then(adjusted).otherwise(None)


@rule("632", table="PrevPerm", fields=("DATE_PERM", "DECOM"))
def previous_permanence_date_invalid(ctx: Context) -> list[Flag]:
    """DATE_PERM, when written, must be a date (dd/mm/YYYY, unknown parts as ZZ) before the
    DECOM of the child's first episode this year; flags the PrevPerm row and that episode.
    Only children with an episode this year are checked."""
    episodes, prev_perm = ctx.table("Episodes"), ctx.table("PrevPerm")
    raw = "DATE_PERM__raw" if "DATE_PERM__raw" in prev_perm.columns else "DATE_PERM"
    read = prev_perm.select(
        CHILD,
        pl.col(ROW).alias("_pp"),
        supplied(prev_perm, "DATE_PERM").alias("_written"),
        pl.coalesce(pl.col("DATE_PERM"), _partial_date(text(raw))).alias("_date"),
    )
    first = first_rows(episodes, "DECOM")
    merged = first.join(read, on=CHILD)
    bad = merged.filter(
        known(pl.col("_date") >= pl.col("DECOM")) | (pl.col("_written") & pl.col("_date").is_null())
    )
    return flags(
        ("DATE_PERM", "DECOM"),
        Episodes=(episodes, bad),
        PrevPerm=(prev_perm, bad.get_column("_pp")),
    )


# The DfE's three-digit English council codes (as published in the 903 guidance's LA list,
# and as the validator councils use lists them), plus the out-of-England codes.
_COUNCIL_CODES = (
    "800,889,822,301,304,303,330,825,837,302,846,370,350,890,867,380,305,801,351,873,823,895,"
    "896,381,909,202,908,331,306,841,830,831,878,371,835,332,840,307,308,811,881,845,390,916,"
    "203,876,850,311,204,884,312,205,313,805,919,310,309,420,921,206,207,886,810,382,314,340,"
    "888,208,856,383,855,209,925,341,201,821,352,806,887,826,315,929,812,391,926,892,813,802,"
    "928,891,392,316,815,353,931,879,836,851,874,807,354,317,870,318,372,857,333,935,343,803,"
    "373,342,893,356,355,871,394,334,933,882,936,861,852,319,860,808,393,866,210,357,894,883,"
    "880,358,211,937,869,320,359,865,384,335,336,212,868,872,885,344,877,213,938,816,999"
)
LA_PERM_CODES = (*_COUNCIL_CODES.split(","), "WAL", "SCO", "NUK", "NIR")


@rule("633", table="PrevPerm", fields=("LA_PERM",))
def previous_permanence_la_invalid(ctx: Context) -> pl.DataFrame:
    """LA_PERM written but not a council code (or WAL, SCO, NUK, NIR)."""
    prev_perm = ctx.table("PrevPerm")
    return prev_perm.filter(supplied(prev_perm, "LA_PERM") & not_in("LA_PERM", LA_PERM_CODES))


@rule("634", table="PrevPerm", fields=("LA_PERM", "PREV_PERM", "DATE_PERM", "DECOM"))
def previous_permanence_for_old_period(ctx: Context) -> list[Flag]:
    """PrevPerm entries for a child none of whose episodes started on or after 1 April of
    the collection year (the latest DECOM is before it): the DfE asks only for children who
    started to be looked after this year. Flags the PrevPerm row and the child's episodes."""
    episodes, prev_perm = ctx.table("Episodes"), ctx.table("PrevPerm")
    latest = episodes.with_columns(pl.col("DECOM").max().over(CHILD).alias("_latest"))
    written = pl.any_horizontal(
        [supplied(prev_perm, c) for c in ("PREV_PERM", "DATE_PERM", "LA_PERM")]
    )
    answers = prev_perm.filter(written).select(CHILD, pl.col(ROW).alias("_pp"))
    bad = answers.join(latest, on=CHILD).filter(
        known(pl.col("_latest") < date_lit(ctx.collection_start))
    )
    return flags(
        ("LA_PERM", "PREV_PERM", "DATE_PERM", "DECOM"),
        Episodes=(episodes, bad),
        PrevPerm=(prev_perm, bad.get_column("_pp")),
    )


@rule("635", table="PrevPerm", fields=("LA_PERM", "DATE_PERM", "PREV_PERM"))
def previous_permanence_details_without_code(ctx: Context) -> pl.DataFrame:
    """LA_PERM or DATE_PERM written but PREV_PERM blank (the DfE text names Z1; as in the
    validator councils use, the check is on a blank PREV_PERM)."""
    prev_perm = ctx.table("PrevPerm")
    return prev_perm.filter(
        (supplied(prev_perm, "LA_PERM") | supplied(prev_perm, "DATE_PERM"))
        & not_supplied(prev_perm, "PREV_PERM")
    )
