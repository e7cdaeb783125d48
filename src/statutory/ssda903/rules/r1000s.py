"""SSDA903 rules 1000-1016 and 3001 (every four-digit code): who may have care-leaver (OC3) information, adoption decisions,
missing episodes, reasons for placement change, data for children with no episodes,
care leavers' accommodation around the 17th birthday (3001).

1008 checks URNs against Ofsted's provider information (`statutory.ssda903.providers`); without
that file it does not run, and the validation says so.
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
    bad_code,
    blank,
    code_if_provided,
    codes,
    date,
    date_if_provided,
    first_per_child,
    flagged,
    is_code,
    raw,
    rows_of,
)
from statutory.ssda903.rules.r100s import (
    OC3_ITEMS,
    own_authority,
    with_placements,
)

OC3_FIELDS = ("IN_TOUCH", "ACTIV", "ACCOM")


def _children(frame: pl.DataFrame) -> pl.Series:
    return frame[CHILD].drop_nulls().unique().implode()


@rule("1000", table="OC3", fields=OC3_FIELDS)
def no_leaver_data_after_death(ctx: Context) -> pl.DataFrame:
    """A child with an episode that ended because the child died (REC E2), this year or last,
    must not be in the care-leaver table."""
    eps = ctx.table("Episodes")
    died = [eps.filter(is_code(eps, "REC", ["E2"]))]
    if ctx.previous_supplied("Episodes"):
        prev = ctx.previous("Episodes")
        died.append(prev.filter(is_code(prev, "REC", ["E2"])))
    oc3 = ctx.table("OC3")
    return oc3.filter(pl.col(CHILD).is_in(_children(pl.concat([d.select(CHILD) for d in died]))))


@rule("1001", table="OC3", fields=OC3_FIELDS)
def relevant_or_former_relevant(ctx: Context) -> pl.DataFrame:
    """A care leaver must have been looked after for at least 13 weeks (91 days) since their
    14th birthday, including at least one day after their 16th, and must not have left care
    adopted (final episode REC E11/E12). Episodes of this year and last are combined (an
    episode in both counts once, keeping the ended copy; an open final episode runs to
    31 March); V3/V4 short breaks do not count; children 20 or over on 31 March are not
    credited with any time (two years of returns cannot show their history). Checked only when
    this year's Episodes and Header are there; not run without OC3 or last year's Episodes."""
    if not all(ctx.supplied(t) and not ctx.table(t).is_empty() for t in ("Episodes", "Header")):
        return ctx.table("OC3").clear()
    if ctx.table("OC3").is_empty() or ctx.previous("Episodes").is_empty():
        return ctx.table("OC3").clear()
    end = ctx.reference_date
    cols = [CHILD, "DECOM", "DEC", "LS", "REC"]
    now, prev = ctx.table("Episodes"), ctx.previous("Episodes")
    both = pl.concat(
        [
            now.select(
                CHILD, "DECOM", "DEC", raw(now, "LS").alias("LS"), raw(now, "REC").alias("REC")
            ),
            prev.select(
                CHILD, "DECOM", "DEC", raw(prev, "LS").alias("LS"), raw(prev, "REC").alias("REC")
            ),
        ]
    ).select(cols)
    episodes = (
        both.with_row_index("__order")
        .sort(["DEC", "__order"], nulls_last=True)
        .unique(subset=[CHILD, "DECOM"], keep="first", maintain_order=True)
    )
    # the latest episode (by DECOM) of each child, open, runs to 31 March
    latest = first_per_child(episodes.rename({"__order": ROW_NUMBER}), "DECOM", descending=True)
    episodes = episodes.with_columns(
        pl.when(pl.col("__order").is_in(latest[ROW_NUMBER].implode()) & pl.col("DEC").is_null())
        .then(pl.lit(end))
        .otherwise(pl.col("DEC"))
        .alias("DEC")
    )
    header = ctx.table("Header").filter(
        pl.col("DOB").is_not_null() & (add_years(pl.col("DOB"), 20) > end)
    )
    merged = episodes.join(
        header.select(
            CHILD,
            add_years(pl.col("DOB"), 14).alias("__dob14"),
            add_years(pl.col("DOB"), 16).alias("__dob16"),
        ),
        on=CHILD,
        how="inner",
    ).filter(~pl.col("LS").is_in(["V3", "V4"]).fill_null(False))

    def days_since(birthday: str) -> pl.Expr:
        start = pl.max_horizontal(pl.col("DECOM"), pl.col(birthday))
        return (pl.col("DEC") - start).dt.total_days().clip(lower_bound=0)

    totals = merged.group_by(CHILD).agg(
        days_since("__dob14").sum().alias("__t14"),
        days_since("__dob16").sum().alias("__t16"),
        pl.len().alias("__n"),
    )
    adopted = latest.filter(pl.col("REC").is_in(["E11", "E12"]).fill_null(False))
    oc3 = ctx.table("OC3")
    if merged.is_empty():
        return oc3.clear()
    checked = oc3.join(totals, on=CHILD, how="left", maintain_order="left")
    valid = ((pl.col("__t14") >= 91) & (pl.col("__t16") >= 1)).fill_null(False)
    bad = checked.filter(pl.col(CHILD).is_in(_children(adopted)) | ~valid)
    return rows_of(oc3, bad[ROW_NUMBER])


@rule("1002", table="OC3", fields=OC3_FIELDS)
def leaver_has_been_in_care(ctx: Context) -> pl.DataFrame:
    """A care leaver must have an episode this year or last. Not run without last year's
    episodes."""
    oc3 = ctx.table("OC3")
    known = pl.concat([ctx.table("Episodes").select(CHILD), ctx.previous("Episodes").select(CHILD)])
    return oc3.filter(~pl.col(CHILD).is_in(_children(known)).fill_null(False))


@rule("1003", table="PlacedAdoption", fields=("DATE_PLACED", "DECOM", "RNE"))
def placed_decision_after_care_started(ctx: Context) -> list[Flag]:
    """DATE_PLACED must not be before the start of care: the DECOM of the child's earliest
    episode with RNE S. Flags that episode and the placed-for-adoption row."""
    eps = ctx.table("Episodes")
    pa = ctx.table("PlacedAdoption")
    started = first_per_child(eps.filter(raw(eps, "RNE") == "S"), "DECOM")
    joined = started.select(CHILD, ROW_NUMBER, "DECOM").join(
        pa.select(CHILD, pl.col(ROW_NUMBER).alias("PA_ROW"), pl.col("DATE_PLACED")),
        on=CHILD,
        how="inner",
    )
    bad = joined.filter(pl.col("DATE_PLACED") < pl.col("DECOM"))
    return [
        Flag("Episodes", rows_of(eps, bad[ROW_NUMBER])),
        Flag("PlacedAdoption", rows_of(pa, bad["PA_ROW"])),
    ]


@rule("1004", table="Missing", fields=("MIS_START",))
def missing_start_valid(ctx: Context) -> pl.DataFrame:
    """MIS_START must be a valid date; blank fails (every missing/away episode has a start)."""
    missing = ctx.table("Missing")
    return flagged(missing, date(missing, "MIS_START").is_null())


@rule("1005", table="Missing", fields=("MIS_END",))
def missing_end_valid(ctx: Context) -> pl.DataFrame:
    """If provided, MIS_END must be a valid date."""
    return date_if_provided(ctx, "Missing", "MIS_END")


@rule("1006", table="Missing", fields=("MISSING",))
def missing_type_valid(ctx: Context) -> pl.DataFrame:
    """If provided, MISSING must be M (missing) or A (away without authorisation)."""
    return code_if_provided(ctx, "Missing", "MISSING", ["M", "A"])


def _birthday_in_year(dob: pl.Expr, end: dt.date) -> pl.Expr:
    """The child's last birthday on or before `end`."""
    this_year = dob.dt.offset_by(pl.format("{}y", pl.lit(end.year) - dob.dt.year()))
    return pl.when(this_year > end).then(this_year.dt.offset_by("-1y")).otherwise(this_year)


@rule("1007", table="OC3", fields=OC3_FIELDS)
def no_leaver_data_if_in_care_on_birthday(ctx: Context) -> pl.DataFrame:
    """A care leaver aged 17 or 18 on 31 March who was looked after on their latest birthday
    (an episode started on or before it and ended after it) must not have care-leaver data.
    An episode still open does not count (the DfE check reads the current episode's DEC)."""
    if not ctx.supplied("Episodes"):
        return ctx.table("OC3").clear()
    oc3 = ctx.table("OC3")
    end = ctx.reference_date
    eps = ctx.table("Episodes").select(CHILD, "DECOM", "DEC")
    leavers = oc3.filter(
        any_provided(oc3, OC3_ITEMS)
        & (add_years(date(oc3, "DOB"), 17) <= end)
        & (add_years(date(oc3, "DOB"), 19) > end)
    ).with_columns(_birthday_in_year(date(oc3, "DOB"), end).alias("__bday"))
    joined = leavers.select(CHILD, ROW_NUMBER, "__bday").join(eps, on=CHILD, how="inner")
    bad = joined.filter((pl.col("DECOM") <= pl.col("__bday")) & (pl.col("DEC") > pl.col("__bday")))
    return rows_of(oc3, bad[ROW_NUMBER])


REASON_PLACE_CHANGE_CODES = (
    "CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO", "CHILD", "LAREQ", "PLACE",
    "CUSTOD", "OTHER",
)  # fmt: skip


@rule("1008", table="Episodes", fields=("URN",))
@needs_provider_info
def urn_known_to_ofsted(ctx: Context) -> pl.DataFrame:
    """A URN, when given and not the placeholder XXXXXXX, must be one Ofsted lists (in the
    provider information given with the return; compared as text, any case). Only the exact
    placeholder is excused: `XXXXXX` (six) is an unknown URN."""
    eps = on_each_episode_urn(ctx)
    return rows_of(ctx.table("Episodes"), eps.filter(~pl.col("__LISTED"))[ROW_NUMBER])


@rule("1009", table="Episodes", fields=("REASON_PLACE_CHANGE",))
def reason_place_change_valid(ctx: Context) -> pl.DataFrame:
    """If provided, REASON_PLACE_CHANGE must be a valid code."""
    eps = ctx.table("Episodes")
    valid = codes(ctx, "REASON_PLACE_CHANGE", REASON_PLACE_CHANGE_CODES)
    return flagged(eps, bad_code(eps, "REASON_PLACE_CHANGE", valid))


@rule("1010", table="OC3", fields=OC3_FIELDS)
def open_last_year_needs_episodes(ctx: Context) -> pl.DataFrame:
    """A care leaver whose latest episode last year was still open on 31 March must have
    episodes this year. Not run without last year's episodes."""
    oc3 = ctx.table("OC3")
    last = ctx.previous("Episodes")
    latest = last.filter(pl.col("DECOM").is_not_null()).sort([CHILD, "DECOM"], maintain_order=True)
    latest = latest.filter(pl.col(ROW_NUMBER) == pl.col(ROW_NUMBER).last().over(CHILD)).filter(
        blank(latest, "DEC")
    )
    now = _children(ctx.table("Episodes"))
    return oc3.filter(
        pl.col(CHILD).is_in(_children(latest)).fill_null(False)
        & ~pl.col(CHILD).is_in(now).fill_null(False)
    )


@rule("1011", table="OC3", fields=OC3_FIELDS)
def no_leaver_data_after_transfer(ctx: Context) -> pl.DataFrame:
    """A child whose final episode (latest DECOM) ended with care transferred to another
    authority (REC E3) must not have care-leaver data."""
    eps = ctx.table("Episodes")
    oc3 = ctx.table("OC3")
    final = first_per_child(eps, "DECOM", descending=True)
    transferred = final.filter(raw(final, "REC") == "E3")
    return flagged(oc3, any_provided(oc3, OC3_ITEMS) & pl.col(CHILD).is_in(_children(transferred)))


OTHER_TABLES = ("PlacedAdoption", "Missing", "Reviews", "AD1", "PrevPerm", "OC2")


@rule("1012", table="Episodes", fields=("CHILD",))
def no_other_data_without_episodes(ctx: Context) -> list[Flag]:
    """A child with no episode this year may appear only in the Header, OC3 (and UASC)
    tables: rows of PlacedAdoption, Missing, Reviews, AD1, PrevPerm and OC2 for such a child
    are flagged (each of those tables that was supplied). Checked only when the Episodes table
    was supplied."""
    if not ctx.supplied("Episodes"):
        return []
    with_eps = _children(ctx.table("Episodes"))
    flags = []
    for name in OTHER_TABLES:
        frame = ctx.optional(name)
        flags.append(Flag(name, frame.filter(~pl.col(CHILD).is_in(with_eps).fill_null(True))))
    return flags


@rule("1014", table="OC3", fields=("ACTIV", "ACCOM", "IN_TOUCH", "DUC"))
def no_uasc_data_for_leavers(ctx: Context) -> list[Flag]:
    """A UASC child with episodes, none of them open during the collection year, who has
    care-leaver data: flags the UASC row and the OC3 row (UASC information is not required
    for care leavers)."""
    ctx.table("UASC"), ctx.table("OC3")  # not run without them
    if not ctx.supplied("Episodes"):
        return []
    eps = ctx.table("Episodes")
    start, end = ctx.collection_start, ctx.reference_date
    decom, dec = date(eps, "DECOM"), date(eps, "DEC")
    in_year = (((dec >= start) & (decom <= end)) | ((decom <= end) & dec.is_null())).fill_null(
        False
    )
    none_in_year = (
        eps.with_columns(in_year.alias("__in"))
        .group_by(CHILD)
        .agg(pl.col("__in").any().alias("__any"))
        .filter(~pl.col("__any"))
    )
    uasc = ctx.table("UASC")
    oc3 = ctx.table("OC3")
    leavers = oc3.filter(any_provided(oc3, OC3_ITEMS))
    children = none_in_year.join(uasc.select(CHILD).unique(), on=CHILD).join(
        leavers.select(CHILD).unique(), on=CHILD
    )
    return [
        Flag("UASC", uasc.filter(pl.col(CHILD).is_in(_children(children)))),
        Flag("OC3", leavers.filter(pl.col(CHILD).is_in(_children(children)))),
    ]


@rule("1015", table="Episodes", fields=("PL_LA",))
def own_provision_in_own_area(ctx: Context) -> pl.DataFrame:
    """An episode the council provides itself (PLACE_PROVIDER PR1), other than fostering and
    adoption placements (A3-A6, U1-U6; and K3 from 2025/26) and V3/V4 short breaks, must be
    placed within the council's own area (PL_LA from PL_POST equals the council's code; an
    unknown PL_LA fails). The council is the one the return's home postcodes point to, unless
    the context names it."""
    eps = ctx.table("Episodes")
    if eps.is_empty():
        return eps
    own = own_authority(ctx)
    if own is None:
        return eps.clear()
    family = ["A3", "A4", "A5", "A6", "U1", "U2", "U3", "U4", "U5", "U6"]
    if ctx.year >= 2026:
        family.append("K3")
    checked = eps.filter(
        (raw(eps, "PLACE_PROVIDER") == "PR1").fill_null(False)
        & ~is_code(eps, "PLACE", family)
        & ~is_code(eps, "LS", ["V3", "V4"])
        & raw(eps, "LS").is_not_null()
        & raw(eps, "PLACE").is_not_null()
    )
    bad = with_placements(ctx, checked).filter(pl.col("PL_LA").ne_missing(own))
    return rows_of(eps, bad[ROW_NUMBER])


@rule("1016", table="OC3", fields=OC3_FIELDS)
def no_leaver_data_if_left_after_birthday(ctx: Context) -> pl.DataFrame:
    """A care leaver aged 17 or 18 on 31 March with an episode that ended on or after their
    latest birthday (the 17th for a 17-year-old, the 18th for an 18-year-old) must not have
    care-leaver data: the DfE's "who cease to be looked after, after their birthday". An
    18-year-old who left care between their 17th and 18th birthdays was a care leaver on their
    18th, which is what the information is about (see ssda903-readings.md)."""
    if not ctx.supplied("Episodes"):
        return ctx.table("OC3").clear()
    oc3 = ctx.table("OC3")
    end = ctx.reference_date
    dob = date(oc3, "DOB")
    leavers = oc3.filter(
        any_provided(oc3, OC3_ITEMS) & (add_years(dob, 17) <= end) & (add_years(dob, 19) > end)
    ).select(
        CHILD,
        ROW_NUMBER,
        pl.when(add_years(dob, 18) <= end)
        .then(add_years(dob, 18))
        .otherwise(add_years(dob, 17))
        .alias("__birthday"),
    )
    eps = ctx.table("Episodes").select(CHILD, "DEC")
    bad = leavers.join(eps, on=CHILD, how="inner").filter(pl.col("DEC") >= pl.col("__birthday"))
    return rows_of(oc3, bad[ROW_NUMBER])


@rule("3001", table="OC3", fields=("REC",))
def no_former_foster_carers_at_17(ctx: Context) -> pl.DataFrame:
    """A care leaver whose 17th birthday falls in the collection year must not have ACCOM Z1
    or Z2 (with former foster carers). The birthday comes from the child's Header DOB."""
    oc3 = ctx.table("OC3")
    dob = ctx.table("Header").select(CHILD, pl.col("DOB").alias("__dob")).unique(CHILD)
    joined = oc3.join(dob, on=CHILD, how="left", maintain_order="left")
    bad = joined.filter(
        is_code(joined, "ACCOM", ["Z1", "Z2"])
        & add_years(pl.col("__dob"), 17).is_between(ctx.collection_start, ctx.reference_date)
    )
    return rows_of(oc3, bad[ROW_NUMBER])
