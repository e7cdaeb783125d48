"""DfE indicators computed from a council's SSDA903 records (definitions in
docs/statutory/ssda903-indicators.md, which these functions follow line by line).

`compute(return_, la=...)` -> one frame: indicator, value, numerator, denominator, unit.
Every function is vectorised over the typed tables; last year's return (when supplied) lets
period-of-care durations reach back further than this year's episodes do.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

import polars as pl

from statutory.engine.context import Context, Return
from statutory.reference import shared_path
from statutory.ssda903.rules._helpers import add_years, age_at

CHILD = "CHILD"
# Agreed series of short-term placements (short breaks) are left out of DfE counts.
SHORT_BREAKS = ("V3", "V4")
TEMPORARY_PLACEMENTS = ("T0", "T1", "T2", "T3", "T4")
# RNE codes that mean a new placement with new carers.
NEW_CARER = ("S", "P", "T")
ADOPTION_PLACEMENTS = ("A3", "A4", "A5", "A6")
ADOPTED = ("E11", "E12")
POPULATION_FILE = (
    "reference",
    "dfe-csc-outcomes-enablers",
    "ons_mid-year_population_estimates_2012_to_2024.csv",
)


@dataclass(frozen=True)
class Indicator:
    indicator: str
    value: float | None
    numerator: int | None = None
    denominator: int | None = None
    unit: str = "count"


def _pct(numerator: int, denominator: int) -> float | None:
    return round(100 * numerator / denominator, 1) if denominator else None


def _episodes(ctx: Context) -> pl.DataFrame:
    """This year's episodes, short breaks left out."""
    return ctx.table("Episodes").filter(pl.col("LS").is_null() | ~pl.col("LS").is_in(SHORT_BREAKS))


def looked_after_at_end(ctx: Context) -> pl.DataFrame:
    """Children with an open episode (no end date) at 31 March: one row per child (its
    latest episode)."""
    return (
        _episodes(ctx)
        .filter(pl.col("DEC").is_null() & (pl.col("DECOM") <= ctx.reference_date))
        .sort(CHILD, "DECOM")
        .unique(subset=CHILD, keep="last", maintain_order=True)
    )


def population(la: str | None, year: int) -> tuple[int | None, int | None]:
    """(children aged 0-17, estimate year) for a council: ONS mid-year estimate for the year
    before the collection ends (as the DfE uses), else the latest there is."""
    if not la:
        return None, None
    path = shared_path(*POPULATION_FILE)
    if not path.exists():
        return None, None
    wanted = la.strip().upper()
    best: dict[int, int] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["geographic_level"] != "Local authority":
                continue
            if wanted not in (row["old_la_code"].strip(), row["new_la_code"].strip().upper()):
                continue
            try:
                best[int(row["time_period"])] = int(row["population_estimate"])
            except ValueError:
                continue
    if not best:
        raise ValueError(f"no population for council {la!r} (give the DfE 3-digit or ONS code)")
    estimate_year = year - 1 if year - 1 in best else max(best)
    return best[estimate_year], estimate_year


def _history(ctx: Context) -> pl.DataFrame:
    return ctx.memo("indicators_history", lambda: _build_history(ctx))


def _build_history(ctx: Context) -> pl.DataFrame:
    """This year's and last year's episodes as one chain per child (this year's copy wins when
    an episode is in both), with the start of each episode's period of care and whether that
    start is known (the period's first episode has RNE = S)."""
    current = ctx.table("Episodes").select(CHILD, "DECOM", "DEC", "RNE", "LS", "PLACE", "REC")
    previous = ctx.previous("Episodes")
    if ctx.has_previous and previous.height:
        older = previous.select(CHILD, "DECOM", "DEC", "RNE", "LS", "PLACE", "REC").join(
            current.select(CHILD, "DECOM"), on=[CHILD, "DECOM"], how="anti"
        )
        # an episode open in last year's return but closed this year appears in both
        current = pl.concat([older, current])
    chain = current.filter(pl.col("DECOM").is_not_null()).sort(CHILD, "DECOM")
    # Sorted by child, so neighbours are one shift away; a running sum numbers the periods
    # and placements (no per-child window functions: those are slow with 50,000 children).
    same_child = pl.col(CHILD) == pl.col(CHILD).shift(1)
    prev_dec = pl.col("DEC").shift(1)
    new_period = (
        ~same_child.fill_null(False)
        | (pl.col("RNE") == "S").fill_null(False)
        | prev_dec.is_null()
        | (prev_dec != pl.col("DECOM")).fill_null(True)
    )
    new_placement = new_period | pl.col("RNE").is_in(NEW_CARER).fill_null(False)
    return chain.with_columns(
        new_period.cum_sum().alias("period"),
        pl.when(new_period).then(pl.col("DECOM")).forward_fill().alias("period_start"),
        pl.when(new_period)
        .then((pl.col("RNE") == "S").fill_null(False))
        .forward_fill()
        .alias("period_start_known"),
        pl.when(new_placement).then(pl.col("DECOM")).forward_fill().alias("placement_start"),
    )


def headline(ctx: Context, la: str | None) -> list[Indicator]:
    at_end = looked_after_at_end(ctx)
    count = at_end.height
    pop, pop_year = population(la, ctx.year)
    rate = round(count / pop * 10_000, 1) if pop else None
    episodes = _episodes(ctx)
    starts = episodes.filter(
        (pl.col("RNE") == "S")
        & (pl.col("DECOM") >= ctx.collection_start)
        & (pl.col("DECOM") <= ctx.reference_date)
    )
    ceased = episodes.filter(
        pl.col("DEC").is_not_null()
        & (pl.col("REC") != "X1")
        & pl.col("REC").is_not_null()
        & (pl.col("DEC") >= ctx.collection_start)
        & (pl.col("DEC") <= ctx.reference_date)
    )
    out = [
        Indicator("Children looked after at 31 March", count, count, None),
        Indicator(
            "Rate per 10,000 children aged 0-17" + (f" (ONS mid-{pop_year})" if pop_year else ""),
            rate,
            count,
            pop,
            "per 10,000",
        ),
        Indicator("Children starting to be looked after", starts[CHILD].n_unique()),
        Indicator("Children ceasing to be looked after", ceased[CHILD].n_unique()),
    ]
    for code, n in starts.group_by("CIN").len().sort("CIN", nulls_last=True).iter_rows():
        out.append(Indicator(f"Starts by category of need: {code or 'not recorded'}", n))
    for code, n in ceased.group_by("REC").len().sort("REC", nulls_last=True).iter_rows():
        out.append(Indicator(f"Ceased by reason: {code}", n))
    return out


def stability(ctx: Context) -> list[Indicator]:
    children = looked_after_at_end(ctx).get_column(CHILD)
    episodes = _episodes(ctx).filter(pl.col(CHILD).is_in(children.implode()))
    in_year = episodes.filter(
        (pl.col("DECOM") <= ctx.reference_date)
        & (pl.col("DEC").is_null() | (pl.col("DEC") >= ctx.collection_start))
    ).sort(CHILD, "DECOM")
    # the first episode in the year is a placement; after it, only new carers count
    placements = (
        in_year.with_columns(
            (pl.col(CHILD) != pl.col(CHILD).shift(1)).fill_null(True).alias("first")
        )
        .filter(
            ~pl.col("PLACE").is_in(TEMPORARY_PLACEMENTS).fill_null(False)
            & (pl.col("first") | pl.col("RNE").is_in(NEW_CARER).fill_null(False))
        )
        .group_by(CHILD)
        .len()
    )
    three_plus = placements.filter(pl.col("len") >= 3).height
    total = children.len()

    history = _history(ctx)
    latest = history.filter(pl.col(CHILD).is_in(children.implode())).group_by(CHILD).last()
    header = ctx.table("Header").select(CHILD, "DOB").unique(subset=CHILD, keep="first")
    long_term = latest.join(header, on=CHILD, how="left").filter(
        (age_at(pl.col("DOB"), ctx.reference_date) < 16)
        & (pl.col("period_start") <= add_years(pl.lit(ctx.reference_date), -2).dt.offset_by("-6mo"))
    )
    same_placement = long_term.filter(
        pl.col("placement_start") <= add_years(pl.lit(ctx.reference_date), -2)
    ).height
    return [
        Indicator(
            "Looked after at 31 March with 3 or more placements in the year (%)",
            _pct(three_plus, total),
            three_plus,
            total,
            "%",
        ),
        Indicator(
            "Long-term stability: under 16, looked after 2.5+ years, same placement 2+ years (%)",
            _pct(same_placement, long_term.height),
            same_placement,
            long_term.height,
            "%",
        ),
    ]


def missing(ctx: Context) -> list[Indicator]:
    table = ctx.table("Missing").filter(
        (pl.col("MIS_START") >= ctx.collection_start) & (pl.col("MIS_START") <= ctx.reference_date)
    )
    went = table.filter(pl.col("MISSING") == "M")
    away = table.filter(pl.col("MISSING") == "A")
    looked_after = _episodes(ctx).get_column(CHILD).n_unique()
    children_missing = went[CHILD].n_unique()
    return [
        Indicator(
            "Children looked after in the year who went missing (%)",
            _pct(children_missing, looked_after),
            children_missing,
            looked_after,
            "%",
        ),
        Indicator("Missing incidents", went.height),
        Indicator(
            "Average missing incidents per child who went missing",
            round(went.height / children_missing, 1) if children_missing else None,
            went.height,
            children_missing,
            "per child",
        ),
        Indicator("Children away from placement without authorisation", away[CHILD].n_unique()),
        Indicator("Away-from-placement incidents", away.height),
    ]


def care_leavers(ctx: Context) -> list[Indicator]:
    oc3 = ctx.table("OC3").filter(pl.col("IN_TOUCH").is_null() | (pl.col("IN_TOUCH") != "DIED"))
    eet = ctx.codes("ACTIV_EET")
    suitable = ctx.codes("ACCOM_SUITABLE")
    aged = oc3.with_columns(age_at(pl.col("DOB"), ctx.reference_date).alias("age"))
    out: list[Indicator] = []
    for label, low, high in (("17-18", 17, 18), ("19-21", 19, 21)):
        group = aged.filter(pl.col("age").is_between(low, high))
        n = group.height
        counts = (
            group.select(
                pl.col("ACTIV").is_in(eet).fill_null(False).sum().alias("eet"),
                pl.col("ACCOM").is_in(suitable).fill_null(False).sum().alias("suitable"),
                (pl.col("IN_TOUCH") == "YES").fill_null(False).sum().alias("touch"),
            ).row(0, named=True)
            if n
            else {"eet": 0, "suitable": 0, "touch": 0}
        )
        out += [
            Indicator(
                f"Care leavers {label} in education, employment or training (%)",
                _pct(counts["eet"], n),
                counts["eet"],
                n,
                "%",
            ),
            Indicator(
                f"Care leavers {label} in suitable accommodation (%)",
                _pct(counts["suitable"], n),
                counts["suitable"],
                n,
                "%",
            ),
            Indicator(
                f"Care leavers {label} in touch with the council (%)",
                _pct(counts["touch"], n),
                counts["touch"],
                n,
                "%",
            ),
        ]
    return out


def adoption(ctx: Context) -> list[Indicator]:
    history = _history(ctx)
    adopted = history.filter(
        pl.col("REC").is_in(ADOPTED).fill_null(False)
        & (pl.col("DEC") >= ctx.collection_start)
        & (pl.col("DEC") <= ctx.reference_date)
    )
    known = adopted.filter(pl.col("period_start_known"))
    days_to_move_in = (pl.col("placement_start") - pl.col("period_start")).dt.total_days()
    a1 = known.select(days_to_move_in.mean()).item() if known.height else None
    # A2: court authority to place (start of the period's first placement-order episode, LS E1)
    # to the match (AD1 DATE_MATCH)
    authority = (
        history.filter(pl.col("LS") == "E1")
        .group_by(CHILD, "period")
        .agg(pl.col("DECOM").min().alias("authority"))
    )
    matched = (
        adopted.join(authority, on=[CHILD, "period"], how="inner")
        .join(ctx.table("AD1").select(CHILD, "DATE_MATCH").unique(CHILD, keep="first"), on=CHILD)
        .filter(pl.col("DATE_MATCH").is_not_null())
    )
    a2 = (
        matched.select((pl.col("DATE_MATCH") - pl.col("authority")).dt.total_days().mean()).item()
        if matched.height
        else None
    )
    return [
        Indicator("Children adopted in the year", adopted[CHILD].n_unique()),
        Indicator(
            "A1: average days from entering care to moving in with the adoptive family",
            None if a1 is None else round(a1, 0),
            known.height,
            adopted.height,
            "days",
        ),
        Indicator(
            "A2: average days from court authority to place to matching",
            None if a2 is None else round(a2, 0),
            matched.height,
            adopted.height,
            "days",
        ),
    ]


def compute(return_: Return, *, la: str | None = None) -> pl.DataFrame:
    """All indicators for the return's year."""
    ctx = Context(return_)
    rows = [
        *headline(ctx, la),
        *stability(ctx),
        *missing(ctx),
        *care_leavers(ctx),
        *adoption(ctx),
    ]
    return pl.DataFrame(
        {
            "indicator": [r.indicator for r in rows],
            "value": [None if r.value is None else float(r.value) for r in rows],
            "numerator": [r.numerator for r in rows],
            "denominator": [r.denominator for r in rows],
            "unit": [r.unit for r in rows],
        },
        schema={
            "indicator": pl.String,
            "value": pl.Float64,
            "numerator": pl.Int64,
            "denominator": pl.Int64,
            "unit": pl.String,
        },
    )
