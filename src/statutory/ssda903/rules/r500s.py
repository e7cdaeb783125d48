"""SSDA903 rules 501-549: episode chains across years, adoption, placement providers
(550-586: `r550s.py`).

Written to flag the same rows as the validator councils use today (data-to-insight's
``csc-validator-be-903``); where the DfE text is ambiguous each docstring says how it is
read. Shared helpers live in :mod:`statutory.ssda903.rules._helpers`.
"""

from __future__ import annotations

import polars as pl

from statutory.engine import Context, Flag, rule
from statutory.ssda903.rules._geography import (
    GEOGRAPHY,
)
from statutory.ssda903.rules._helpers import (
    CHILD,
    continuously_looked_after_in,
    date_lit,
    episodes_by_start,
    first_rows,
    flags,
    is_in,
    known,
    not_in,
    not_supplied,
    previous,
    rows_of,
    supplied,
    text,
    years_after,
)
from statutory.ssda903.rules.r400s import (
    ROW,
    first_with_last_years_last,
)

ADOPTION_PLACEMENTS = ("A3", "A4", "A5", "A6")
AD1_DETAILS = ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")


@rule("501", table="Episodes", fields=("DECOM", "DEC"))
def episode_starts_before_previous_ends(ctx: Context) -> pl.DataFrame:
    """An episode (in the child's DECOM order) starts before the previous one's DEC."""
    episodes = episodes_by_start(ctx)
    return episodes.filter(known(pl.col("DECOM") < previous("DEC")))


@rule("502", table="Episodes", fields=("DECOM",))
def open_episode_start_differs_from_last_year(ctx: Context) -> pl.DataFrame:
    """Last year ended with an open episode (no DEC written); this year's first episode must
    start on that episode's DECOM. Each of the child's open episodes last year is compared."""
    episodes, last_year = ctx.table("Episodes"), ctx.previous("Episodes")
    open_last = last_year.filter(not_supplied(last_year, "DEC")).select(
        CHILD, pl.col("DECOM").alias("DECOM_last")
    )
    first = first_rows(episodes, "DECOM").join(open_last, on=CHILD)
    return rows_of(
        episodes, first.filter((pl.col("DECOM") != pl.col("DECOM_last")).fill_null(True))
    )


def _differs_from_last_year(ctx: Context, column: str) -> pl.DataFrame:
    """First episode this year whose ``column`` differs from the child's latest episode last
    year when that was still open (DEC blank or unreadable). Two blanks are the same."""
    episodes = ctx.table("Episodes")
    geography = column in GEOGRAPHY and column not in episodes.columns
    joined = first_with_last_years_last(ctx, geography=geography).filter(
        pl.col("DEC_last").is_null()
    )
    changed = text(column).ne_missing(text(f"{column}_last"))
    if column == "PLACE" and ctx.year == 2025:
        # 2024/25 only: semi-independent H5 became supported accommodation K3.
        changed = changed & ~known((text("PLACE") == "K3") & (text("PLACE_last") == "H5"))
    if column == "PL_DISTANCE":
        distance = pl.col("PL_DISTANCE").cast(pl.Float64)
        distance_last = pl.col("PL_DISTANCE_last").cast(pl.Float64)
        changed = known((distance - distance_last).abs() >= 0.2) | (
            distance_last.is_null() & distance.is_not_null()
        )
    return rows_of(episodes, joined.filter(changed))


@rule("503A", table="Episodes", fields=("RNE",))
def rne_differs_from_open_episode(ctx: Context) -> pl.DataFrame:
    """First episode's RNE differs from last year's open final episode."""
    return _differs_from_last_year(ctx, "RNE")


@rule("503B", table="Episodes", fields=("LS",))
def ls_differs_from_open_episode(ctx: Context) -> pl.DataFrame:
    """First episode's LS differs from last year's open final episode."""
    return _differs_from_last_year(ctx, "LS")


@rule("503C", table="Episodes", fields=("CIN",))
def cin_differs_from_open_episode(ctx: Context) -> pl.DataFrame:
    """First episode's CIN differs from last year's open final episode."""
    return _differs_from_last_year(ctx, "CIN")


@rule("503D", table="Episodes", fields=("PLACE",))
def place_differs_from_open_episode(ctx: Context) -> pl.DataFrame:
    """First episode's PLACE differs from last year's open final episode. For 2024/25 only,
    last year's H5 followed by K3 is accepted (the DfE replaced H5 with K3 that year)."""
    return _differs_from_last_year(ctx, "PLACE")


@rule("503E", table="Episodes", fields=("PLACE_PROVIDER",))
def provider_differs_from_open_episode(ctx: Context) -> pl.DataFrame:
    """First episode's PLACE_PROVIDER differs from last year's open final episode."""
    return _differs_from_last_year(ctx, "PLACE_PROVIDER")


@rule("503F", table="Episodes", fields=("URN",))
def urn_differs_from_open_episode(ctx: Context) -> pl.DataFrame:
    """First episode's URN differs from last year's open final episode."""
    return _differs_from_last_year(ctx, "URN")


@rule("503G", table="Episodes", fields=("PL_DISTANCE",))
def distance_differs_from_open_episode(ctx: Context) -> pl.DataFrame:
    """First episode's PL_DISTANCE differs by 0.2 miles or more from last year's open final
    episode, or last year had no distance and this year has one."""
    return _differs_from_last_year(ctx, "PL_DISTANCE")


@rule("503H", table="Episodes", fields=("PL_LA",))
def placement_la_differs_from_open_episode(ctx: Context) -> pl.DataFrame:
    """First episode's PL_LA differs from last year's open final episode."""
    return _differs_from_last_year(ctx, "PL_LA")


@rule("503J", table="Episodes", fields=("PL_LOCATION",))
def location_differs_from_open_episode(ctx: Context) -> pl.DataFrame:
    """First episode's PL_LOCATION differs from last year's open final episode."""
    return _differs_from_last_year(ctx, "PL_LOCATION")


@rule("504", table="Episodes", fields=("CIN",))
def cin_changes_within_period(ctx: Context) -> pl.DataFrame:
    """Within a period of care (previous episode REC X1 and ending the day this one
    starts) the category of need must not change; a blank on either side is a change."""
    episodes = episodes_by_start(ctx)
    continues = known((previous("REC") == "X1") & (previous("DEC") == pl.col("DECOM")))
    return episodes.filter(continues & (pl.col("CIN") != previous("CIN")).fill_null(True))


# ---- AD1: adopters ---------------------------------------------------------------------


@rule("511", table="AD1", fields=("NB_ADOPTR", "SEX_ADOPTR"))
def two_adopters_single_sex_code(ctx: Context) -> pl.DataFrame:
    """NB_ADOPTR 2 but SEX_ADOPTR is a single adopter's code (M1 or F1)."""
    ad1 = ctx.table("AD1")
    return ad1.filter(
        (text("NB_ADOPTR") == "2").fill_null(False) & is_in("SEX_ADOPTR", ("M1", "F1"))
    )


def _ls_adopter_needs(ad1: pl.DataFrame, status: str, sexes: tuple[str, ...]) -> pl.DataFrame:
    """LS_ADOPTR ``status`` with SEX_ADOPTR not one of ``sexes`` (a blank SEX_ADOPTR too)."""
    return ad1.filter((text("LS_ADOPTR") == status).fill_null(False) & not_in("SEX_ADOPTR", sexes))


@rule("514", table="AD1", fields=("LS_ADOPTR", "SEX_ADOPTR"))
def single_adopter_coded_as_couple(ctx: Context) -> pl.DataFrame:
    """LS_ADOPTR L0 (single adopter) needs SEX_ADOPTR M1 or F1."""
    return _ls_adopter_needs(ctx.table("AD1"), "L0", ("M1", "F1"))


@rule("516", table="Episodes", fields=("REC", "PLACE"))
def former_foster_carers_not_foster_placement(ctx: Context) -> pl.DataFrame:
    """REC E45/E46 (special guardianship by former foster carers) needs PLACE U1-U6."""
    episodes = ctx.table("Episodes")
    return episodes.filter(
        is_in("REC", ("E45", "E46")) & not_in("PLACE", [f"U{i}" for i in range(1, 7)])
    )


@rule("517", table="AD1", fields=("LS_ADOPTR", "SEX_ADOPTR"))
def l3_needs_mf(ctx: Context) -> pl.DataFrame:
    """LS_ADOPTR L3 needs SEX_ADOPTR MF."""
    return _ls_adopter_needs(ctx.table("AD1"), "L3", ("MF",))


@rule("518", table="AD1", fields=("LS_ADOPTR", "SEX_ADOPTR"))
def l4_needs_same_sex(ctx: Context) -> pl.DataFrame:
    """LS_ADOPTR L4 needs SEX_ADOPTR MM or FF."""
    return _ls_adopter_needs(ctx.table("AD1"), "L4", ("MM", "FF"))


@rule("519", table="AD1", fields=("LS_ADOPTR", "SEX_ADOPTR"))
def civil_partners_not_a_couple(ctx: Context) -> pl.DataFrame:
    """LS_ADOPTR L2 (civil partners) needs a couple's SEX_ADOPTR: MM, FF or MF."""
    return _ls_adopter_needs(ctx.table("AD1"), "L2", ("MM", "FF", "MF"))


@rule("520", table="AD1", fields=("LS_ADOPTR", "SEX_ADOPTR"))
def married_different_sex_not_mf(ctx: Context) -> pl.DataFrame:
    """LS_ADOPTR L11 (different-sex married couple) needs SEX_ADOPTR MF."""
    return _ls_adopter_needs(ctx.table("AD1"), "L11", ("MF",))


@rule("524", table="AD1", fields=("LS_ADOPTR", "SEX_ADOPTR"))
def l12_needs_same_sex(ctx: Context) -> pl.DataFrame:
    """LS_ADOPTR L12 (same-sex married couple) needs SEX_ADOPTR MM or FF."""
    return _ls_adopter_needs(ctx.table("AD1"), "L12", ("MM", "FF"))


@rule("521", table="Episodes", fields=("PLACE", "DECOM", "DATE_INT"))
def best_interest_after_placed(ctx: Context) -> list[Flag]:
    """For each placed-for-adoption episode (PLACE A3-A6), the child's DATE_INT must be on
    or before the episode's DECOM; flags the episode and the AD1 row."""
    episodes, ad1 = ctx.table("Episodes"), ctx.table("AD1")
    merged = episodes.filter(is_in("PLACE", ADOPTION_PLACEMENTS)).join(
        ad1.select(CHILD, "DATE_INT", pl.col(ROW).alias("_ad1")), on=CHILD
    )
    bad = merged.filter(known(pl.col("DATE_INT") > pl.col("DECOM")))
    return flags(
        ("PLACE", "DECOM", "DATE_INT"), Episodes=(episodes, bad), AD1=(ad1, bad.get_column("_ad1"))
    )


@rule("522", table="PlacedAdoption", fields=("DATE_PLACED", "DATE_PLACED_CEASED"))
def placed_ceased_before_decision(ctx: Context) -> pl.DataFrame:
    """DATE_PLACED_CEASED before DATE_PLACED."""
    placed = ctx.table("PlacedAdoption")
    return placed.filter(known(pl.col("DATE_PLACED_CEASED") < pl.col("DATE_PLACED")))


@rule("523", table="PlacedAdoption", fields=("DATE_PLACED", "DATE_INT"))
def decision_dates_differ(ctx: Context) -> list[Flag]:
    """Where both are given, DATE_PLACED (PlacedAdoption) must equal DATE_INT (AD1) for the
    child; every differing pair flags both rows."""
    placed, ad1 = ctx.table("PlacedAdoption"), ctx.table("AD1")
    merged = placed.filter(pl.col("DATE_PLACED").is_not_null()).join(
        ad1.filter(pl.col("DATE_INT").is_not_null()).select(
            CHILD, "DATE_INT", pl.col(ROW).alias("_ad1")
        ),
        on=CHILD,
    )
    bad = merged.filter(pl.col("DATE_INT") != pl.col("DATE_PLACED"))
    return flags(
        ("DATE_PLACED", "DATE_INT"),
        PlacedAdoption=(placed, bad),
        AD1=(ad1, bad.get_column("_ad1")),
    )


@rule(
    "525",
    table="PlacedAdoption",
    fields=("DATE_PLACED_CEASED", *AD1_DETAILS),
)
def reversed_decision_but_adopted(ctx: Context) -> list[Flag]:
    """A decision to place for adoption that was reversed (DATE_PLACED_CEASED written)
    cannot go with adoption details in AD1 for the same child: flags both rows."""
    placed, ad1 = ctx.table("PlacedAdoption"), ctx.table("AD1")
    details = pl.any_horizontal([supplied(ad1, c) for c in AD1_DETAILS])
    adopted = ad1.filter(details).select(CHILD, pl.col(ROW).alias("_ad1"))
    bad = placed.filter(supplied(placed, "DATE_PLACED_CEASED")).join(adopted, on=CHILD)
    return flags(
        ("DATE_PLACED_CEASED", *AD1_DETAILS),
        PlacedAdoption=(placed, bad),
        AD1=(ad1, bad.get_column("_ad1")),
    )


# ---- placement providers ---------------------------------------------------------------


@rule("526", table="Episodes", fields=("PLACE", "PLACE_PROVIDER"))
def provider_missing(ctx: Context) -> pl.DataFrame:
    """PLACE_PROVIDER blank on an episode whose placement needs one: every PLACE except the
    temporary T0-T4 and 'other' (Z1 up to 2024/25; Z11-Z14 from 2025/26)."""
    episodes = ctx.table("Episodes")
    other = ("Z1",) if ctx.year <= 2025 else ("Z11", "Z12", "Z13", "Z14")
    exempt = ("T0", "T1", "T2", "T3", "T4", *other)
    return episodes.filter(not_in("PLACE", exempt) & not_supplied(episodes, "PLACE_PROVIDER"))


def _provider_not_for(
    episodes: pl.DataFrame, provider: str, places: tuple[str, ...]
) -> pl.DataFrame:
    return episodes.filter(
        is_in("PLACE", places) & (text("PLACE_PROVIDER") == provider).fill_null(False)
    )


@rule("527", table="Episodes", fields=("PLACE", "PLACE_PROVIDER"))
def pr1_wrong_placement(ctx: Context) -> pl.DataFrame:
    """PLACE_PROVIDER PR1 with PLACE P1, R2 or R5."""
    return _provider_not_for(ctx.table("Episodes"), "PR1", ("P1", "R2", "R5"))


@rule("528", table="Episodes", fields=("PLACE", "PLACE_PROVIDER"))
def pr2_wrong_placement(ctx: Context) -> pl.DataFrame:
    """PLACE_PROVIDER PR2 with PLACE P1, R2 or R5."""
    return _provider_not_for(ctx.table("Episodes"), "PR2", ("P1", "R2", "R5"))


@rule("529", table="Episodes", fields=("PLACE", "PLACE_PROVIDER"))
def pr3_wrong_placement(ctx: Context) -> pl.DataFrame:
    """PLACE_PROVIDER PR3 with PLACE P1, A3-A6, K1, K2 or U1-U6."""
    places = ("A3", "A4", "A5", "A6", "K1", "K2", "P1", *(f"U{i}" for i in range(1, 7)))
    return _provider_not_for(ctx.table("Episodes"), "PR3", places)


@rule("530", table="Episodes", fields=("PLACE", "PLACE_PROVIDER"))
def pr4_with_p1(ctx: Context) -> pl.DataFrame:
    """PLACE_PROVIDER PR4 with PLACE P1."""
    return _provider_not_for(ctx.table("Episodes"), "PR4", ("P1",))


@rule("531", table="Episodes", fields=("PLACE", "PLACE_PROVIDER"))
def pr5_with_p1(ctx: Context) -> pl.DataFrame:
    """PLACE_PROVIDER PR5 with PLACE P1."""
    return _provider_not_for(ctx.table("Episodes"), "PR5", ("P1",))


# ---- OC2: offending and health ---------------------------------------------------------


def _with_cla(ctx: Context, oc2: pl.DataFrame) -> pl.DataFrame:
    cla = ctx.memo(
        ("r400s", "continuously_looked_after"),
        lambda: continuously_looked_after_in(ctx.table("Episodes"), ctx),
    )
    joined = oc2.join(cla, on=CHILD, how="left", maintain_order="left")
    return joined.with_columns(pl.col("CLA").fill_null(False))


@rule("542", table="OC2", fields=("CONVICTED",))
def convicted_under_ten(ctx: Context) -> pl.DataFrame:
    """A child under 10 at 31 March (DOB + 10 years after it) with CONVICTED written."""
    oc2 = ctx.table("OC2")
    end = date_lit(ctx.reference_date)
    return oc2.filter(known(years_after("DOB", 10) > end) & supplied(oc2, "CONVICTED"))


@rule("543", table="OC2", fields=("DOB", "CONVICTED"))
def convicted_missing(ctx: Context) -> pl.DataFrame:
    """Aged 10 or over at 31 March (read as DOB + 10 years before 31 March, as the
    validator councils use does) and looked after continuously for 12 months, yet
    CONVICTED is blank."""
    oc2 = _with_cla(ctx, ctx.table("OC2"))
    end = date_lit(ctx.reference_date)
    bad = oc2.filter(
        known(end > years_after("DOB", 10)) & pl.col("CLA") & not_supplied(oc2, "CONVICTED")
    )
    return rows_of(ctx.table("OC2"), bad)


HEALTH_DETAILS = ("IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE")


@rule("544", table="OC2", fields=("CONVICTED", *HEALTH_DETAILS))
def convicted_without_health(ctx: Context) -> pl.DataFrame:
    """CONVICTED 1 needs IMMUNISATIONS, TEETH_CHECK, HEALTH_ASSESSMENT and SUBSTANCE_MISUSE."""
    oc2 = ctx.table("OC2")
    missing = pl.any_horizontal([not_supplied(oc2, c) for c in HEALTH_DETAILS])
    return oc2.filter((text("CONVICTED") == "1").fill_null(False) & missing)


@rule("545", table="OC2", fields=("DOB", "HEALTH_CHECK"))
def health_check_missing_under_five(ctx: Context) -> pl.DataFrame:
    """Under 5 at 31 March and looked after continuously for 12 months, yet HEALTH_CHECK
    is blank."""
    oc2 = _with_cla(ctx, ctx.table("OC2"))
    end = date_lit(ctx.reference_date)
    bad = oc2.filter(
        known(end < years_after("DOB", 5)) & pl.col("CLA") & not_supplied(oc2, "HEALTH_CHECK")
    )
    return rows_of(ctx.table("OC2"), bad)


@rule("546", table="OC2", fields=("DOB", "HEALTH_CHECK"))
def health_check_five_or_over(ctx: Context) -> pl.DataFrame:
    """Aged 5 or over at 31 March with HEALTH_CHECK written. As in the validator councils
    use, only children looked after continuously for 12 months are checked (the OC2 cohort)."""
    oc2 = _with_cla(ctx, ctx.table("OC2"))
    end = date_lit(ctx.reference_date)
    bad = oc2.filter(
        known(end >= years_after("DOB", 5)) & pl.col("CLA") & supplied(oc2, "HEALTH_CHECK")
    )
    return rows_of(ctx.table("OC2"), bad)


@rule("547", table="OC2", fields=("HEALTH_CHECK", *HEALTH_DETAILS))
def health_check_without_health(ctx: Context) -> pl.DataFrame:
    """HEALTH_CHECK 1 needs IMMUNISATIONS, TEETH_CHECK, HEALTH_ASSESSMENT and
    SUBSTANCE_MISUSE."""
    oc2 = ctx.table("OC2")
    missing = pl.any_horizontal([not_supplied(oc2, c) for c in HEALTH_DETAILS])
    return oc2.filter((text("HEALTH_CHECK") == "1").fill_null(False) & missing)
