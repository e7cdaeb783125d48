"""SSDA903 rules 220-234: placement provider and URN against Ofsted's provider information,
agreement with last year's return.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

from statutory.engine import ROW_NUMBER, Context, Flag, rule
from statutory.reference import councils
from statutory.ssda903.providers import needs_provider_info, on_each_episode_urn
from statutory.ssda903.rules._helpers import (
    CHILD,
    add_years,
    blank,
    date,
    episodes_in_order,
    flagged,
    header_uasc,
    is_code,
    provided,
    raw,
    rows_of,
)
from statutory.ssda903.rules.r100s import (
    _authority,
    _utla_lookup,
    own_authority,
    with_placements,
)
from statutory.ssda903.rules.r200s import (
    NO_URN_COMMON,
)


def _urn_not_allowed(ctx: Context) -> list[str]:
    """Placement types rule 222 forbids a URN for, by year."""
    if ctx.year <= 2023:
        return ["H5", "P2", *NO_URN_COMMON, "Z1"]
    if ctx.year == 2024:
        return ["P2", *NO_URN_COMMON, "Z1"]
    if ctx.year == 2025:
        return [*NO_URN_COMMON, "Z1"]
    return [*NO_URN_COMMON, "Z11", "Z12", "Z13", "Z14"]


@rule("222", table="Episodes", fields=("URN",))
def no_urn_for_placement_type(ctx: Context) -> pl.DataFrame:
    """A URN (other than the placeholder XXXXXXX) must not be given for placement types that
    Ofsted does not register."""
    eps = ctx.table("Episodes")
    urn = raw(eps, "URN")
    return flagged(
        eps, is_code(eps, "PLACE", _urn_not_allowed(ctx)) & urn.is_not_null() & (urn != "XXXXXXX")
    )


@rule("225", table="Episodes", fields=("REASON_PLACE_CHANGE",))
def reason_for_change_required(ctx: Context) -> pl.DataFrame:
    """When an episode ends with X1 (same period of care continues) and the next episode is a
    change of placement (RNE P, B, T or U), and neither placement is temporary (T0-T4), the
    ending episode must have a REASON_PLACE_CHANGE."""
    eps = ctx.table("Episodes")
    temporary = ["T0", "T1", "T2", "T3", "T4"]
    ordered = episodes_in_order(ctx).with_columns(
        raw(eps, "RNE").shift(-1).alias("__rne_next"),
        raw(eps, "PLACE").shift(-1).alias("__place_next"),
        (pl.col(CHILD).shift(-1) == pl.col(CHILD)).fill_null(False).alias("__has_next"),
    )
    bad = ordered.filter(
        pl.col("__has_next")
        & (raw(ordered, "REC") == "X1").fill_null(False)
        & blank(ordered, "REASON_PLACE_CHANGE")
        & ~is_code(ordered, "PLACE", temporary)
        & pl.col("__rne_next").is_in(["P", "B", "T", "U"]).fill_null(False)
        & ~pl.col("__place_next").is_in(temporary).fill_null(False)
    )
    return rows_of(eps, bad[ROW_NUMBER])


@rule("226", table="Episodes", fields=("REASON_PLACE_CHANGE", "PLACE"))
def no_reason_for_temporary(ctx: Context) -> pl.DataFrame:
    """For a temporary placement (T0-T4) REASON_PLACE_CHANGE must be blank on the episode and
    on the child's episode before it (by DECOM)."""
    eps = ctx.table("Episodes")
    ordered = episodes_in_order(ctx).with_columns(
        (
            provided(eps, "REASON_PLACE_CHANGE").shift(1)
            & (pl.col(CHILD).shift(1) == pl.col(CHILD))
        ).alias("__prev_reason")
    )
    bad = ordered.filter(
        is_code(ordered, "PLACE", ["T0", "T1", "T2", "T3", "T4"])
        & (provided(ordered, "REASON_PLACE_CHANGE") | pl.col("__prev_reason").fill_null(False))
    )
    return rows_of(eps, bad[ROW_NUMBER])


@rule("230", table="Episodes", fields=("PLACE", "DEC", "URN"))
def urn_for_h5_from_october_2023(ctx: Context) -> pl.DataFrame:
    """An H5 placement in England open on or after 29 October 2023 must have a real URN (not
    blank, not XXXXXXX)."""
    eps = ctx.table("Episodes")
    if eps.is_empty():
        return eps
    placed = with_placements(ctx, eps)
    dec = date(placed, "DEC")
    urn = raw(placed, "URN")
    pl_la = pl.col("PL_LA")
    outside = pl_la.is_null() | pl_la.str.slice(0, 1).is_in(["N", "W", "S"]).fill_null(False)
    bad = placed.filter(
        is_code(placed, "PLACE", ["H5"])
        & ((dec >= dt.date(2023, 10, 29)).fill_null(False) | dec.is_null())
        & (urn.is_null() | (urn == "XXXXXXX"))
        & ~outside
    )
    return rows_of(eps, bad[ROW_NUMBER])


@rule("231", table="Header", fields=("DOB", "UASC_STATUS"))
def uasc_generally_older(ctx: Context) -> pl.DataFrame:
    """A UASC child should be over 11 on 31 March (date of birth more than 11 years before).
    UASC status is the header item in XML returns, or a row in the UASC table in CSV ones."""
    status = header_uasc(ctx)
    header = ctx.table("Header")
    if status is None:
        return header.clear()
    young = header.join(status.select(ROW_NUMBER, pl.col("UASC").alias("__uasc")), on=ROW_NUMBER)
    cutoff = add_years(pl.lit(ctx.reference_date), -11)
    bad = young.filter((pl.col("__uasc") == "1") & (date(young, "DOB") > cutoff))
    return rows_of(header, bad[ROW_NUMBER])


@rule("232", table="Header", fields=("SEX",))
def sex_unknown(ctx: Context) -> pl.DataFrame:
    """Query: SEX recorded as U (not known)."""
    header = ctx.table("Header")
    return flagged(header, raw(header, "SEX") == "U")


@rule("233", table="Episodes", fields=("REASON_PLACE_CHANGE", "REASON_PLACE_CHANGE"))
def no_reason_while_open(ctx: Context) -> pl.DataFrame:
    """REASON_PLACE_CHANGE must be blank while the episode has not ceased (DEC blank)."""
    eps = ctx.table("Episodes")
    return flagged(eps, blank(eps, "DEC") & provided(eps, "REASON_PLACE_CHANGE"))


@rule("234", table="Episodes", fields=("REASON_PLACE_CHANGE", "DOB"))
def no_custody_under_10(ctx: Context) -> list[Flag]:
    """A child under 10 at the start of the episode (DECOM before the 10th birthday) cannot
    have changed placement because of custody (REASON_PLACE_CHANGE CUSTOD). The DfE lists the
    rule against Episodes and Header (REASON_PLACE_CHANGE, DOB), so, as 210 does, it flags the
    episode and the child's Header row (the row whose DOB makes the child under 10)."""
    eps = ctx.table("Episodes")
    header = ctx.table("Header").select(
        CHILD, pl.col("DOB").alias("__dob"), pl.col(ROW_NUMBER).alias("H")
    )
    joined = eps.join(
        header.unique(CHILD, keep="first"), on=CHILD, how="left", maintain_order="left"
    )
    bad = joined.filter(
        (add_years(pl.col("__dob"), 10) > date(joined, "DECOM"))
        & (raw(joined, "REASON_PLACE_CHANGE") == "CUSTOD")
    )
    return [
        Flag("Episodes", rows_of(eps, bad[ROW_NUMBER])),
        Flag("Header", rows_of(ctx.table("Header"), bad["H"])),
    ]


def _postcode_checked_places(year: int) -> list[str]:
    """Placement types rule 221 compares postcodes for: up to 2022/23 K1, K2, R3, S1; in
    2023/24 supported accommodation (H5) joins; from 2024/25 H5 leaves and K3 joins (the
    DfE's rule sets for those years, as the DfE's validator carries them)."""
    if year <= 2023:
        return ["K1", "K2", "R3", "S1"]
    if year == 2024:
        return ["H5", "K1", "K2", "R3", "S1"]
    return ["K1", "K2", "K3", "R3", "S1"]


@rule("221", table="Episodes", fields=("PL_POST",))
@needs_provider_info
def urn_matches_placement_postcode(ctx: Context) -> pl.DataFrame:
    """If a URN is given (not XXXXXXX), LS is not V3/V4, PLACE is one of the year's
    registered-setting types (see `_postcode_checked_places`) and PL_POST is provided,
    PL_POST must be Ofsted's postcode for that URN (compared without spaces, any case). A URN
    Ofsted lists without a postcode, or does not list, does not match."""
    eps = on_each_episode_urn(ctx)
    pl_post = raw(eps, "PL_POST").str.replace_all(r"\s+", "")
    checked = (
        ~is_code(eps, "LS", ["V3", "V4"])
        & is_code(eps, "PLACE", _postcode_checked_places(ctx.year))
        & pl_post.is_not_null()
    )
    bad = eps.filter(checked & pl_post.ne_missing(pl.col("OFSTED_POSTCODE")))
    return rows_of(ctx.table("Episodes"), bad[ROW_NUMBER])


@rule("224", table="Episodes", fields=("PLACE_PROVIDER",))
@needs_provider_info
def urn_matches_placement_provider(ctx: Context) -> pl.DataFrame:
    """If a URN is given (not XXXXXXX), PLACE_PROVIDER must be one of the provider codes
    Ofsted lists for that URN. A blank PLACE_PROVIDER does not match."""
    eps = on_each_episode_urn(ctx)
    matches = (
        pl.col("OFSTED_PROVIDER_CODES").list.contains(raw(eps, "PLACE_PROVIDER")).fill_null(False)
    )
    return rows_of(ctx.table("Episodes"), eps.filter(~matches)[ROW_NUMBER])


@rule("227", table="Episodes", fields=("URN", "DECOM"))
@needs_provider_info
def urn_valid_at_episode_start(ctx: Context) -> pl.DataFrame:
    """If a URN is given (not XXXXXXX) and Ofsted records an end to its registration, DECOM
    must be before that date: an episode starting on the day registration ended is flagged.
    (The DfE states only the end of registration; a placement starting before the provider
    registered is not this rule's finding.)"""
    eps = on_each_episode_urn(ctx)
    bad = eps.filter((date(eps, "DECOM") >= pl.col("OFSTED_REG_END")).fill_null(False))
    return rows_of(ctx.table("Episodes"), bad[ROW_NUMBER])


@rule("228", table="Episodes", fields=("URN", "DEC"))
@needs_provider_info
def urn_valid_at_episode_end(ctx: Context) -> pl.DataFrame:
    """If a URN is given (not XXXXXXX) and Ofsted records an end to its registration, DEC must
    be on or before that date; an episode still open (no valid DEC) must have a provider still
    registered on 31 March of the collection year (an end on 31 March passes)."""
    eps = on_each_episode_urn(ctx)
    reg_end = pl.col("OFSTED_REG_END")
    dec = date(eps, "DEC")
    bad = eps.filter(
        reg_end.is_not_null()
        & pl.when(dec.is_not_null())
        .then(dec > reg_end)
        .otherwise(pl.lit(ctx.reference_date) > reg_end)
    )
    return rows_of(ctx.table("Episodes"), bad[ROW_NUMBER])


def _council_by_name() -> dict[str, str]:
    return {re.sub(r"[^a-z]", "", c.name.lower()): c.ons_code for c in set(councils().values())}


def _provider_authority(ctx: Context, eps: pl.DataFrame) -> pl.Expr:
    """The provider's council (ONS code) for each joined episode row: the upper-tier
    authority of Ofsted's postcode for the URN (the DfE's validator works it out the same
    way), else the council the file names (`LA_CODE`, or `Local authority` matched by name)."""
    located = ctx.postcodes.lookup(
        eps.select("__URN", "OFSTED_POSTCODE").unique(), "OFSTED_POSTCODE", "__prov_"
    ).join(_utla_lookup(), left_on="__prov_lad_code", right_on="__lad", how="left")
    by_postcode = dict(
        located.select("__URN", _authority(pl.col("__prov_lad_code"), pl.col("__utla")).alias("LA"))
        .drop_nulls()
        .iter_rows()
    )

    known = councils()
    named = pl.col("OFSTED_LA_CODE").replace_strict(
        {k: v.ons_code for k, v in known.items()}, default=None, return_dtype=pl.String
    )
    by_name = (
        pl.col("OFSTED_LA_NAME")
        .str.to_lowercase()
        .str.replace_all(r"[^a-z]", "")
        .replace_strict(_council_by_name(), default=None, return_dtype=pl.String)
    )
    return pl.coalesce(
        pl.col("__URN").replace_strict(by_postcode, default=None, return_dtype=pl.String),
        named,
        by_name,
    )


def _no_provider_la_places(year: int) -> list[str]:
    """From 2025/26 the DfE excludes placement types with no registered provider from 229."""
    if year <= 2025:
        return []
    return [*NO_URN_COMMON, "K3", "Z11", "Z12", "Z13", "Z14"]


@rule("229", table="Episodes", fields=("URN", "PLACE_PROVIDER"))
@needs_provider_info
def provider_council_matches(ctx: Context) -> pl.DataFrame:
    """If a URN is given (not XXXXXXX): with PLACE_PROVIDER PR1 (the council's own provision)
    the provider's council must be the submitting council; with PR2 (another council's
    provision) it must not be. The provider's council comes from Ofsted's postcode for the
    URN (else the council the file names); the submitting council is `--la` (else the one
    most home postcodes fall in). A PR1 episode whose provider's council cannot be worked out
    does not match (the DfE's wording and its validator); a PR2 one passes. From 2025/26
    placement types with no registered provider (P1, P3, R1, R2, R5, T0-T4, K3, Z11-Z14) are
    not checked."""
    own = own_authority(ctx)
    eps = on_each_episode_urn(ctx)
    if own is None or eps.is_empty():
        return ctx.table("Episodes").clear()
    eps = eps.filter(~is_code(eps, "PLACE", _no_provider_la_places(ctx.year)))
    provider_la = _provider_authority(ctx, eps)
    provider = raw(eps, "PLACE_PROVIDER")
    bad = eps.filter(
        ((provider == "PR1") & provider_la.ne_missing(pl.lit(own)))
        | ((provider == "PR2") & (provider_la == own)).fill_null(False)
    )
    return rows_of(ctx.table("Episodes"), bad[ROW_NUMBER])
