"""DfE indicators computed from a council's SSDA903 records (definitions in
docs/statutory/ssda903-indicators.md, which these functions follow line by line).

`compute(return_, la=...)` -> one frame: code, indicator (the label), published, value,
numerator, denominator, unit (codes and labels in `indicator_codes`).
Every function is vectorised over the typed tables; last year's return (when supplied) lets
period-of-care durations reach back further than this year's episodes do.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

import polars as pl

from statutory.engine.context import Context, Return
from statutory.reference import shared_path
from statutory.ssda903.indicator_codes import CEASED_BY_REASON, MEASURES, STARTS_BY_NEED
from statutory.ssda903.rules._helpers import add_years, age_at

CHILD = "CHILD"
# Agreed series of short-term placements (short breaks) are left out of DfE counts.
SHORT_BREAKS = ("V3", "V4")
TEMPORARY_PLACEMENTS = ("T0", "T1", "T2", "T3", "T4")
# RNE codes that mean a new placement with new carers.
NEW_CARER = ("S", "P", "T")
ADOPTION_PLACEMENTS = ("A3", "A4", "A5", "A6")
ADOPTED = ("E11", "E12")
# Legal statuses that give the council court authority to place for adoption (placement order;
# freeing order in older records).
COURT_AUTHORITY = ("E1", "D1")
# Care leavers the DfE leaves out of every care-leaver figure: died, or returned home to parents
# for at least 6 months.
CARE_LEAVERS_EXCLUDED = ("DIED", "RHOM")
# Accommodation whose suitability the DfE does not judge (gone abroad, deported, residence not
# known): left out of the suitable-accommodation denominator.
ACCOM_NOT_JUDGED = ("G", "H", "R")
POPULATION_FILE = (
    "reference",
    "dfe-csc-outcomes-enablers",
    "ons_mid-year_population_estimates_2012_to_2024.csv",
)


@dataclass(frozen=True)
class Indicator:
    code: str
    value: float | None
    numerator: int | None = None
    denominator: int | None = None
    unit: str = "count"
    label: str = ""  # "" for the measure's own label

    @property
    def indicator(self) -> str:
        return self.label or MEASURES[self.code].label

    @property
    def published(self) -> str:
        measure = MEASURES.get(self.code)
        return measure.published if measure else ""


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
        .sort(CHILD, "DECOM", "DEC", nulls_last=True)
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


def _with_temporary_moves(chain: pl.DataFrame) -> pl.DataFrame:
    """Adds `temporary` (a T0-T4 placement: holiday, hospital, carers' holiday, 7 days or less)
    and `back_after_temporary` (the episode straight after one, back with the same carers: same
    placement type, provider URN and postcode as before it) to episodes sorted by child and
    start. Neither is a new placement."""
    temporary = pl.col("PLACE").is_in(TEMPORARY_PLACEMENTS).fill_null(False)
    same_child = (pl.col(CHILD) == pl.col(CHILD).shift(1)).fill_null(False)
    carers = pl.concat_str(
        [pl.col(CHILD), *(pl.col(c).fill_null("") for c in ("PLACE", "URN", "PL_POST"))],
        separator="|",
    )
    marked = chain.with_columns(
        temporary.alias("temporary"),
        carers.alias("_carers"),
        pl.when(~temporary).then(carers).forward_fill().alias("_last_settled"),
    )
    return marked.with_columns(
        (
            pl.col("temporary").shift(1).fill_null(False)
            & same_child
            & (pl.col("_carers") == pl.col("_last_settled").shift(1)).fill_null(False)
        ).alias("back_after_temporary")
    ).drop("_carers", "_last_settled")


def _history(ctx: Context) -> pl.DataFrame:
    return ctx.memo("indicators_history", lambda: _build_history(ctx))


def _build_history(ctx: Context) -> pl.DataFrame:
    """This year's and last year's episodes as one chain per child (this year's copy wins when
    an episode is in both), with the start of each episode's period of care and whether that
    start is known (the period's first episode has RNE = S), the start of its placement with the
    same carers (followed back through L/U/B episodes, temporary placements and the return from
    them), the start of the placement before that one in the same period, and the start of the
    run of placed-for-adoption episodes it is in."""
    columns = (CHILD, "DECOM", "DEC", "RNE", "LS", "PLACE", "REC", "URN", "PL_POST")
    current = ctx.table("Episodes").select(columns)
    previous = ctx.previous("Episodes")
    if ctx.has_previous and previous.height:
        older = previous.select(columns).join(
            current.select(CHILD, "DECOM"), on=[CHILD, "DECOM"], how="anti"
        )
        # an episode open in last year's return but closed this year appears in both
        current = pl.concat([older, current])
    chain = _with_temporary_moves(
        current.filter(pl.col("DECOM").is_not_null()).sort(CHILD, "DECOM", "DEC", nulls_last=True)
    )
    # Sorted by child, so neighbours are one shift away; a running sum numbers the periods
    # and placements (no per-child window functions: those are slow with 50,000 children).
    same_child = (pl.col(CHILD) == pl.col(CHILD).shift(1)).fill_null(False)
    prev_dec = pl.col("DEC").shift(1)
    new_period = (
        ~same_child
        | (pl.col("RNE") == "S").fill_null(False)
        | prev_dec.is_null()
        | (prev_dec != pl.col("DECOM")).fill_null(True)
    )
    new_placement = new_period | (
        pl.col("RNE").is_in(NEW_CARER).fill_null(False)
        & ~pl.col("temporary")
        & ~pl.col("back_after_temporary")
    )
    adoptive = pl.col("PLACE").is_in(ADOPTION_PLACEMENTS).fill_null(False)
    new_adoptive_run = adoptive & (new_period | ~adoptive.shift(1).fill_null(False))
    chain = chain.with_columns(
        new_period.cum_sum().alias("period"),
        new_placement.alias("_new_placement"),
        pl.when(new_period).then(pl.col("DECOM")).forward_fill().alias("period_start"),
        pl.when(new_period)
        .then((pl.col("RNE") == "S").fill_null(False))
        .forward_fill()
        .alias("period_start_known"),
        pl.when(new_placement).then(pl.col("DECOM")).forward_fill().alias("placement_start"),
        # the start of the run of placed-for-adoption episodes each adoptive episode is in
        pl.when(adoptive)
        .then(pl.when(new_adoptive_run).then(pl.col("DECOM")).forward_fill())
        .alias("adoptive_start"),
    )
    # the placement before each placement in the same period
    placements = (
        chain.filter(pl.col("_new_placement"))
        .select(CHILD, "period", "placement_start")
        .with_columns(
            pl.when(pl.col("period") == pl.col("period").shift(1))
            .then(pl.col("placement_start").shift(1))
            .alias("previous_placement_start")
        )
        .drop("period")
    )
    return chain.drop("_new_placement").join(placements, on=[CHILD, "placement_start"], how="left")


def _overlapping_year(ctx: Context, frame: pl.DataFrame, start: str, end: str) -> pl.DataFrame:
    """Rows whose [start, end] (an open end is open) shares a day with the collection year."""
    return frame.filter(
        (pl.col(start) <= ctx.reference_date)
        & (pl.col(end).is_null() | (pl.col(end) >= ctx.collection_start))
    )


def looked_after_during_year(ctx: Context) -> pl.Series:
    """Children looked after at any time in the year (short breaks left out)."""
    return _overlapping_year(ctx, _episodes(ctx), "DECOM", "DEC").get_column(CHILD).unique()


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
    # The DfE counts children, not episodes: a child who started twice in the year is one
    # start, by the first occasion's category of need; a child who ceased twice is one ceasing,
    # by the last occasion's reason.
    first_starts = starts.sort(CHILD, "DECOM").unique(subset=CHILD, keep="first")
    last_ceasings = ceased.sort(CHILD, "DEC").unique(subset=CHILD, keep="last")
    out = [
        Indicator("cla_at_31_march", count, count, None),
        Indicator(
            "cla_rate_per_10000",
            rate,
            count,
            pop,
            "per 10,000",
            label=MEASURES["cla_rate_per_10000"].label
            + (f" (ONS mid-{pop_year})" if pop_year else ""),
        ),
        Indicator("cla_during_year", looked_after_during_year(ctx).len()),
        Indicator("cla_starts", first_starts.height),
        Indicator(
            "cla_starts_rate_per_10000",
            round(first_starts.height / pop * 10_000, 1) if pop else None,
            first_starts.height,
            pop,
            "per 10,000",
        ),
        Indicator("cla_ceased", last_ceasings.height),
        Indicator(
            "cla_ceased_rate_per_10000",
            round(last_ceasings.height / pop * 10_000, 1) if pop else None,
            last_ceasings.height,
            pop,
            "per 10,000",
        ),
    ]
    # LAIT "%_of LAC Adopted": children whose last ceasing in the year was an adoption
    adopted = last_ceasings.filter(pl.col("REC").is_in(ADOPTED)).height
    out.append(
        Indicator(
            "cla_ceased_adopted",
            _pct(adopted, last_ceasings.height),
            adopted,
            last_ceasings.height,
            "%",
        )
    )
    for code, n in first_starts.group_by("CIN").len().sort("CIN", nulls_last=True).iter_rows():
        out.append(
            Indicator(
                STARTS_BY_NEED.member_code(code),
                n,
                label=f"{STARTS_BY_NEED.prefix}{code or 'not recorded'}",
            )
        )
    for code, n in last_ceasings.group_by("REC").len().sort("REC", nulls_last=True).iter_rows():
        out.append(
            Indicator(
                CEASED_BY_REASON.member_code(code), n, label=f"{CEASED_BY_REASON.prefix}{code}"
            )
        )
    return out


def _placements_in_year(ctx: Context, children: pl.Series) -> pl.DataFrame:
    """One row per placement a child had during the year (see the docs for what counts)."""
    episodes = _overlapping_year(
        ctx, _episodes(ctx).filter(pl.col(CHILD).is_in(children.implode())), "DECOM", "DEC"
    ).sort(CHILD, "DECOM", "DEC", nulls_last=True)
    same_child = (pl.col(CHILD) == pl.col(CHILD).shift(1)).fill_null(False)
    marked = _with_temporary_moves(episodes).with_columns((~same_child).alias("first"))
    # "All placements of 24 hours or more ... are counted" (LAIT): one that began and ended on
    # the same day cannot be
    same_day = (pl.col("DEC") == pl.col("DECOM")).fill_null(False)
    return marked.filter(
        ~pl.col("temporary")
        & ~same_day
        & (
            pl.col("first")
            | (pl.col("RNE").is_in(NEW_CARER).fill_null(False) & ~pl.col("back_after_temporary"))
        )
    )


def stability(ctx: Context) -> list[Indicator]:
    children = looked_after_at_end(ctx).get_column(CHILD)
    placements = _placements_in_year(ctx, children).group_by(CHILD).len()
    three_plus = placements.filter(pl.col("len") >= 3).height
    total = children.len()

    history = _history(ctx)
    latest = history.filter(pl.col(CHILD).is_in(children.implode())).group_by(CHILD).last()
    header = ctx.table("Header").select(CHILD, "DOB").unique(subset=CHILD, keep="first")
    long_term = latest.join(header, on=CHILD, how="left").filter(
        (age_at(pl.col("DOB"), ctx.reference_date) < 16)
        & (pl.col("period_start") <= add_years(pl.lit(ctx.reference_date), -2).dt.offset_by("-6mo"))
    )
    # A child placed for adoption counts the adoptive placement together with the placement
    # before it (the DfE's adoption clause), whoever the carers were.
    with_carers_since = long_term.with_columns(
        pl.when(
            pl.col("PLACE").is_in(ADOPTION_PLACEMENTS).fill_null(False)
            & pl.col("previous_placement_start").is_not_null()
        )
        .then(pl.col("previous_placement_start"))
        .otherwise(pl.col("placement_start"))
        .alias("settled_since")
    )
    same_placement = with_carers_since.filter(
        pl.col("settled_since") <= add_years(pl.lit(ctx.reference_date), -2)
    ).height
    return [
        Indicator(
            "placements_3_or_more",
            _pct(three_plus, total),
            three_plus,
            total,
            "%",
        ),
        Indicator(
            "placement_stability_long_term",
            _pct(same_placement, long_term.height),
            same_placement,
            long_term.height,
            "%",
        ),
    ]


def missing(ctx: Context) -> list[Indicator]:
    looked_after = looked_after_during_year(ctx)
    # incidents open at 1 April count as well as those starting in the year (the DfE carries
    # them over); only children looked after in the year other than on short breaks count
    table = _overlapping_year(ctx, ctx.table("Missing"), "MIS_START", "MIS_END").filter(
        pl.col(CHILD).is_in(looked_after.implode())
    )
    went = table.filter(pl.col("MISSING") == "M")
    away = table.filter(pl.col("MISSING") == "A")
    children_missing = went[CHILD].n_unique()
    children_away = away[CHILD].n_unique()
    return [
        Indicator(
            "missing_children",
            _pct(children_missing, looked_after.len()),
            children_missing,
            looked_after.len(),
            "%",
        ),
        Indicator("missing_incidents", went.height),
        Indicator(
            "missing_incidents_per_child",
            round(went.height / children_missing, 1) if children_missing else None,
            went.height,
            children_missing,
            "per child",
        ),
        Indicator("away_children_count", children_away),
        Indicator(
            "away_children",
            _pct(children_away, looked_after.len()),
            children_away,
            looked_after.len(),
            "%",
        ),
        Indicator("away_incidents", away.height),
    ]


def care_leavers(ctx: Context) -> list[Indicator]:
    oc3 = ctx.table("OC3").filter(
        pl.col("IN_TOUCH").is_null() | ~pl.col("IN_TOUCH").is_in(CARE_LEAVERS_EXCLUDED)
    )
    eet = ctx.codes("ACTIV_EET")
    suitable = ctx.codes("ACCOM_SUITABLE")
    aged = oc3.with_columns(age_at(pl.col("DOB"), ctx.reference_date).alias("age"))
    judged = ~pl.col("ACCOM").str.slice(0, 1).is_in(ACCOM_NOT_JUDGED).fill_null(False)
    out: list[Indicator] = []
    for band, low, high in (("17_18", 17, 18), ("19_21", 19, 21)):
        group = aged.filter(pl.col("age").is_between(low, high))
        n = group.height
        counts = (
            group.select(
                pl.col("ACTIV").is_in(eet).fill_null(False).sum().alias("eet"),
                (pl.col("ACCOM").is_in(suitable).fill_null(False) & judged).sum().alias("suitable"),
                judged.sum().alias("judged"),
                (pl.col("IN_TOUCH") == "YES").fill_null(False).sum().alias("touch"),
            ).row(0, named=True)
            if n
            else {"eet": 0, "suitable": 0, "judged": 0, "touch": 0}
        )
        out += [
            Indicator(
                f"care_leavers_{band}_eet",
                _pct(counts["eet"], n),
                counts["eet"],
                n,
                "%",
            ),
            Indicator(
                f"care_leavers_{band}_suitable_accommodation",
                _pct(counts["suitable"], counts["judged"]),
                counts["suitable"],
                counts["judged"],
                "%",
            ),
            Indicator(
                f"care_leavers_{band}_in_touch",
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
    ).with_columns(
        # moving in with the adoptive family: the start of the placed-for-adoption episodes
        # the child was adopted from (the placement itself when it was not coded A3-A6)
        pl.coalesce("adoptive_start", "placement_start").alias("moved_in")
    )
    known = adopted.filter(pl.col("period_start_known"))
    a1 = (
        known.select((pl.col("moved_in") - pl.col("period_start")).dt.total_days().mean()).item()
        if known.height
        else None
    )
    # A10 adjusts A1 for foster-carer adoptions: the clock stops when the child moved in with
    # the carers who adopted them, followed back through same-carer (L/U/B) episodes
    a10 = (
        known.select(
            (pl.col("placement_start") - pl.col("period_start")).dt.total_days().mean()
        ).item()
        if known.height
        else None
    )
    # A2: court authority to place (start of the period's first placement-order episode) to
    # the match (AD1 DATE_MATCH); only when that start is in the returns supplied
    authority = (
        history.group_by(CHILD, "period")
        .agg(
            pl.col("DECOM").filter(pl.col("LS").is_in(COURT_AUTHORITY)).min().alias("authority"),
            pl.col("DECOM").min().alias("first_supplied"),
            pl.col("period_start_known").first().alias("known"),
        )
        .filter(
            pl.col("authority").is_not_null()
            & (pl.col("known") | (pl.col("authority") > pl.col("first_supplied")))
        )
        .select(CHILD, "period", "authority")
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
        Indicator("adopted", adopted[CHILD].n_unique()),
        Indicator(
            "adoption_a1_days",
            None if a1 is None else round(a1, 0),
            known.height,
            adopted.height,
            "days",
        ),
        Indicator(
            "adoption_a10_days",
            None if a10 is None else round(a10, 0),
            known.height,
            adopted.height,
            "days",
        ),
        Indicator(
            "adoption_a2_days",
            None if a2 is None else round(a2, 0),
            matched.height,
            adopted.height,
            "days",
        ),
    ]


def compute(return_: Return, *, la: str | None = None) -> pl.DataFrame:
    """All indicators for the return's year."""
    ctx = Context(return_, absent_as_empty=True)
    rows = [
        *headline(ctx, la),
        *stability(ctx),
        *missing(ctx),
        *care_leavers(ctx),
        *adoption(ctx),
    ]
    return pl.DataFrame(
        {
            "code": [r.code for r in rows],
            "indicator": [r.indicator for r in rows],
            "published": [r.published for r in rows],
            "value": [None if r.value is None else float(r.value) for r in rows],
            "numerator": [r.numerator for r in rows],
            "denominator": [r.denominator for r in rows],
            "unit": [r.unit for r in rows],
        },
        schema={
            "code": pl.String,
            "indicator": pl.String,
            "published": pl.String,
            "value": pl.Float64,
            "numerator": pl.Int64,
            "denominator": pl.Int64,
            "unit": pl.String,
        },
    )
