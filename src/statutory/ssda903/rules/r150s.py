"""SSDA903 rules 150-199: OC2 (12 months), OC3, AD1 and the rest of the 100s (see r100s.py for
how values are read).
"""

from __future__ import annotations

import polars as pl

from statutory.engine import ROW_NUMBER, Context, Flag, rule
from statutory.ssda903.rules._helpers import (
    CHILD,
    add_years,
    all_provided,
    any_blank,
    any_provided,
    bad_code,
    blank,
    code_if_provided,
    codes,
    date,
    date_if_provided,
    female_code,
    first_per_child,
    flagged,
    header_uasc,
    is_code,
    male_code,
    provided,
    raw,
    rows_of,
    with_cla,
)
from statutory.ssda903.rules.r100s import (
    AD1_ITEMS,
    OC3_ITEMS,
    with_placements,
)


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
    return date_if_provided(ctx, "Header", "MC_DOB")


@rule("174", table="Header", fields=("SEX", "MC_DOB"))
def mc_dob_not_for_boys(ctx: Context) -> pl.DataFrame:
    """A male child (SEX 1, or M from 2024/25) must not have MC_DOB."""
    header = ctx.table("Header")
    return flagged(header, (raw(header, "SEX") == male_code(ctx)) & provided(header, "MC_DOB"))


@rule("175", table="AD1", fields=("NB_ADOPTR",))
def number_of_adopters_valid(ctx: Context) -> pl.DataFrame:
    """If provided, NB_ADOPTR must be 1 or 2."""
    return code_if_provided(ctx, "AD1", "NB_ADOPTR", ["1", "2"])


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


@rule("186", table="OC2", fields=("SDQ_SCORE", "SDQ_REASON"))
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
