"""SSDA903 social worker episode rules (the SWEpisodes table, from 2023/24): SW01-SW17.

Every check reads the DfE rule for the collection year and is written to flag the same rows as
the validator councils use today (data-to-insight's ``csc-validator-be-903``) on the same data;
where that validator and the DfE's text part company, the check's docstring says which it
follows and why. The DfE changed several of these rules from one year to the next; checks
branch on ``ctx.year`` (the year the collection ends: 2025 is 2024/25).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from statutory.engine import Context, rule
from statutory.ssda903.rules._helpers import CHILD

ROW = "ROW_NUMBER"
SWE = "SWEpisodes"
RESPITE = ["V3", "V4"]

# 1 April 2023: the first day of the first social-worker reporting period (DfE 2024/25 spec,
# rules SW01a/SW01b: episodes starting before it need not give a reason for change).
SW_REPORTING_START = dt.date(2023, 4, 1)


def _year_before(day: dt.date) -> dt.date:
    """The first date not before ``day`` less one year of 365.2425 days: the "year" the
    open-source validator subtracts (numpy's year), which differs from the calendar year
    by a day when a 29 February falls in between (1 April 2024 -> 2 April 2023)."""
    moment = dt.datetime.combine(day, dt.time()) - dt.timedelta(days=365.2425)
    return moment.date() + dt.timedelta(days=1 if moment.time() != dt.time() else 0)


def _known(expr: pl.Expr) -> pl.Expr:
    return expr.fill_null(False)


def _blank(column: str) -> pl.Expr:
    """Nothing written in ``column`` (a date written but not valid is not blank)."""
    raw = pl.col(f"{column}__raw") if column in ("SW_DECOM", "SW_DEC") else None
    return pl.col(column).is_null() & (raw.is_null() if raw is not None else pl.lit(True))


def _same_child(n: int) -> pl.Expr:
    """Whether the row ``n`` rows back (``n`` < 0: ahead) is the same child's, in a frame
    sorted by child."""
    return pl.col(CHILD).shift(n).eq_missing(pl.col(CHILD))


def _swe_in_order(ctx: Context) -> pl.DataFrame:
    """Social worker episodes in child, start-date order (blank starts last, as pandas sorts),
    with whether each is the child's first (``__first``) or last (``__last``) and the previous
    episode's SW_DEC. Plain shifts over the sorted frame (faster than windows per child)."""
    return ctx.memo(
        ("social_work", "in_order"),
        lambda: (
            ctx.table(SWE)
            .sort([CHILD, "SW_DECOM", ROW], nulls_last=True)
            .with_columns(
                ~_same_child(1).alias("__first"),
                ~_same_child(-1).alias("__last"),
                pl.when(_same_child(1)).then(pl.col("SW_DEC").shift(1)).alias("__prev_dec"),
            )
        ),
    )


def _rows(frame: pl.DataFrame, keep: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col(ROW).is_in(keep[ROW].implode()))


def _looked_after_at_31_march(ctx: Context) -> pl.DataFrame:
    """Open episodes (no DEC) not under respite (LS not V3/V4): the DfE's CLA_AT_31_MARCH."""
    eps = ctx.table("Episodes")
    return eps.filter(pl.col("DEC").is_null() & ~pl.col("LS").is_in(RESPITE).fill_null(False))


# --------------------------------------------------------------------------------------
# completeness and formats
# --------------------------------------------------------------------------------------


@rule("SW01STG1", table="Episodes", fields=("DEC",))
def looked_after_without_social_worker(ctx: Context) -> pl.DataFrame:
    """A child looked after on 31 March (an open episode not under LS V3/V4) must have social
    worker episode information: at least one SWEpisodes row, and every one of the child's rows
    with SW_ID and SW_DECOM (and, in 2023/24, SW_REASON). The open episode is flagged (the
    open-source validator reports that episode's row number under the SWEpisodes table)."""
    la = _looked_after_at_31_march(ctx)
    swe = ctx.table(SWE)
    incomplete = _blank("SW_ID") | _blank("SW_DECOM")
    if ctx.year <= 2024:
        incomplete = incomplete | _blank("SW_REASON")
    bad_children = swe.filter(incomplete).select(CHILD).unique()
    no_swe = la.join(swe.select(CHILD).unique(), on=CHILD, how="anti")
    incomplete_swe = la.join(bad_children, on=CHILD, how="semi")
    return _rows(la, pl.concat([no_swe.select(ROW), incomplete_swe.select(ROW)]))


@rule("SW01aSTG1", table=SWE, fields=("SW_DECOM", "SW_ID"))
def complete_before_april_2023(ctx: Context) -> pl.DataFrame:
    """Every episode needs a valid SW_DECOM; one starting before 1 April 2023 also needs SW_ID
    (its SW_REASON may be missing)."""
    swe = ctx.table(SWE)
    before = _known(pl.col("SW_DECOM") < pl.lit(SW_REPORTING_START))
    return swe.filter(pl.col("SW_DECOM").is_null() | (before & pl.col("SW_ID").is_null()))


@rule("SW01bSTG1", table=SWE, fields=("SW_DECOM", "SW_ID", "SW_REASON"))
def complete_from_april_2023(ctx: Context) -> pl.DataFrame:
    """Every episode needs a valid SW_DECOM; one starting on or after 1 April 2023 also needs
    SW_ID and SW_REASON."""
    swe = ctx.table(SWE)
    after = _known(pl.col("SW_DECOM") >= pl.lit(SW_REPORTING_START))
    missing = pl.col("SW_ID").is_null() | pl.col("SW_REASON").is_null()
    return swe.filter(pl.col("SW_DECOM").is_null() | (after & missing))


@rule("SW02STG1", table=SWE, fields=("SW_ID",))
def social_worker_id_prefix(ctx: Context) -> pl.DataFrame:
    """SW_ID must begin with 'SW' or 'XX' (a blank does not); from 2025/26 it must also be at
    least four characters (a prefix and an identifier), as the open-source validator checks."""
    swe = ctx.table(SWE)
    bad = ~_known(pl.col("SW_ID").str.slice(0, 2).is_in(["SW", "XX"]))
    if ctx.year >= 2026:
        bad = bad | _known(pl.col("SW_ID").str.len_chars() < 4)
    return swe.filter(bad)


@rule("SW03STG1", table=SWE, fields=("SW_ID", "SW_DECOM", "SW_REASON"))
def episode_information_complete(ctx: Context) -> pl.DataFrame:
    """SW_ID, SW_DECOM and SW_REASON must all be given."""
    swe = ctx.table(SWE)
    return swe.filter(_blank("SW_ID") | _blank("SW_DECOM") | _blank("SW_REASON"))


@rule("SW04STG1", table=SWE, fields=("SW_DECOM",))
def start_date_valid(ctx: Context) -> pl.DataFrame:
    """SW_DECOM must be a valid date (a blank is not one)."""
    return ctx.table(SWE).filter(pl.col("SW_DECOM").is_null())


@rule("SW05STG1", table=SWE, fields=("SW_DEC",))
def end_date_valid(ctx: Context) -> pl.DataFrame:
    """SW_DEC, where given, must be a valid date. A blank SW_DEC is an open episode, which the
    DfE requires at 31 March (SW17), so it is not flagged (the open-source validator's 2025/26
    version flags blanks as well)."""
    swe = ctx.table(SWE)
    return swe.filter(pl.col("SW_DEC").is_null() & pl.col("SW_DEC__raw").is_not_null())


@rule("SW13STG1", table=SWE, fields=("SW_REASON",))
def reason_valid(ctx: Context) -> pl.DataFrame:
    """SW_REASON must be one of the DfE's reasons for a change of social worker.

    2023/24: a reason given that is not on the list (a blank is SW03's concern). From 2024/25
    (the rule changed): a blank is flagged too, except on the child's first episode of the
    reporting year (the episode open at 1 April, or else the first to start in the year),
    which has no change of social worker to give a reason for.
    """
    swe = ctx.table(SWE)
    reasons = ctx.codes("SW_REASON")
    invalid = pl.col("SW_REASON").is_not_null() & ~pl.col("SW_REASON").is_in(reasons)
    if ctx.year <= 2024:
        return swe.filter(invalid)
    start = pl.lit(ctx.collection_start)
    ordered = ctx.table(SWE).sort([CHILD, "SW_DECOM", ROW], nulls_last=True)
    open_at_start = (
        ordered.filter(_known(pl.col("SW_DECOM") < start))
        .group_by(CHILD, maintain_order=True)
        .last()
        .filter(pl.col("SW_DEC").is_null() | _known(pl.col("SW_DEC") >= start))
    )
    first_in_year = (
        ordered.filter(_known(pl.col("SW_DECOM") >= start))
        .group_by(CHILD, maintain_order=True)
        .first()
    )
    first = (
        pl.concat([open_at_start, first_in_year])
        .sort([CHILD, "SW_DECOM", ROW])
        .group_by(CHILD, maintain_order=True)
        .first()
        .select(ROW)
    )
    blank_allowed = pl.col(ROW).is_in(first[ROW].implode())
    return swe.filter(invalid | (pl.col("SW_REASON").is_null() & ~blank_allowed))


@rule("SW15STG2", table=SWE, fields=("SW_REASON",))
def reason_missing(ctx: Context) -> pl.DataFrame:
    """SW_REASON blank on an episode that did not start more than a year (365.2425 days, as
    the open-source validator counts it) before the collection year; an episode with no valid
    start date is flagged too."""
    swe = ctx.table(SWE)
    cutoff = pl.lit(_year_before(ctx.collection_start))
    return swe.filter(pl.col("SW_REASON").is_null() & ~_known(pl.col("SW_DECOM") < cutoff))


# --------------------------------------------------------------------------------------
# dates
# --------------------------------------------------------------------------------------


@rule("SW06STG2", table=SWE, fields=("SW_DECOM",))
def start_within_reporting_year(ctx: Context) -> pl.DataFrame:
    """SW_DECOM after 31 March of the collection year."""
    return ctx.table(SWE).filter(_known(pl.col("SW_DECOM") > pl.lit(ctx.reference_date)))


@rule("SW07STG2", table=SWE, fields=("SW_DEC",))
def end_within_reporting_period(ctx: Context) -> pl.DataFrame:
    """SW_DEC, where given, must fall in the social worker reporting period: from 1 April of
    the collection year (2023/24) or from a year (365.2425 days) before it (2024/25 on, when the
    period became two years), to 31 March."""
    start = ctx.collection_start
    lower = pl.lit(_year_before(start) if ctx.year >= 2025 else start)
    dec = pl.col("SW_DEC")
    return ctx.table(SWE).filter(_known((dec < lower) | (dec > pl.lit(ctx.reference_date))))


@rule("SW08STG2", table=SWE, fields=("SW_DEC",))
def previous_episode_not_ended(ctx: Context) -> pl.DataFrame:
    """Any episode but the child's latest (by SW_DECOM) must have ended: a blank SW_DEC on an
    earlier episode is flagged (episodes with no valid start are not checked)."""
    swe = _swe_in_order(ctx)
    bad = swe.filter(
        ~pl.col("__last")
        & pl.col("SW_DEC").is_null()
        & pl.col("SW_DECOM").is_not_null()
        & pl.col(CHILD).is_not_null()
    )
    return _rows(ctx.table(SWE), bad)


@rule("SW09STG2", table=SWE, fields=("SW_DECOM", "SW_DEC"))
def episode_under_24_hours(ctx: Context) -> pl.DataFrame:
    """An episode that ended the day it started (SW_DEC written the same as SW_DECOM, as the
    open-source validator compares them). From 2025/26 the
    open-source validator flags an episode of fewer than three days (SW_DEC before SW_DECOM
    plus 3 days); that reading is followed for 2025/26 on."""
    swe = ctx.table(SWE)
    if ctx.year >= 2026:
        short = pl.col("SW_DEC") < pl.col("SW_DECOM") + pl.duration(days=3)
        return swe.filter(_known(short))
    return swe.filter(_known(pl.col("SW_DEC__raw") == pl.col("SW_DECOM__raw")))


@rule("SW10STG2", table=SWE, fields=("SW_DECOM",))
def started_before_previous_ended(ctx: Context) -> pl.DataFrame:
    """Each episode after the child's first (in SW_DECOM, SW_DEC order) must start within 7
    days either side of the previous episode's SW_DEC; a previous episode still open (no
    SW_DEC) means this one started before it ended. From 2024/25 (the rule changed), an
    episode whose reason is FCONTA (first contact) is exempt."""
    swe = (
        ctx.table(SWE)
        .sort([CHILD, "SW_DECOM", "SW_DEC", ROW], nulls_last=True)
        .with_columns(
            pl.when(_same_child(1)).then(pl.col("SW_DEC").shift(1)).alias("__prev_dec"),
            ~_same_child(1).alias("__first"),
        )
    )
    week = pl.duration(days=7)
    within = _known(pl.col("SW_DECOM") >= pl.col("__prev_dec") - week) & _known(
        pl.col("SW_DECOM") <= pl.col("__prev_dec") + week
    )
    bad = ~pl.col("__first") & ~within
    if ctx.year >= 2025:
        bad = bad & pl.col("SW_REASON").ne_missing(pl.lit("FCONTA"))
    return _rows(ctx.table(SWE), swe.filter(bad))


@rule("SW11aSTG2", table=SWE, fields=("SW_DEC",))
def ended_early_no_next_episode(ctx: Context) -> pl.DataFrame:
    """An episode that ended at least 5 days before 31 March must be followed by one starting
    within 5 days of that end. The following episode is flagged when its SW_DECOM is blank or
    not within 5 days (as the open-source validator does; a child whose last episode simply
    ended is not flagged here)."""
    swe = _swe_in_order(ctx)
    five = pl.duration(days=5)
    ended_early = _known(pl.col("__prev_dec") <= pl.lit(ctx.reference_date) - five)
    within = _known(
        (pl.col("SW_DECOM") >= pl.col("__prev_dec") - five)
        & (pl.col("SW_DECOM") <= pl.col("__prev_dec") + five)
    )
    bad = swe.filter(~pl.col("__first") & ended_early & ~within)
    return _rows(ctx.table(SWE), bad)


@rule("SW11bSTG2", table=SWE, fields=("SW_DEC",))
def ended_late_no_next_episode(ctx: Context) -> pl.DataFrame:
    """An episode that ended in the last 5 days before 31 March must be followed by another
    episode: the following episode is flagged when it has no SW_DECOM, and the ended episode is
    flagged when the child has no later episode at all."""
    swe = _swe_in_order(ctx)
    five = pl.duration(days=5)
    late = lambda c: _known(pl.col(c) >= pl.lit(ctx.reference_date) - five)  # noqa: E731
    following = ~pl.col("__first") & late("__prev_dec") & pl.col("SW_DECOM").is_null()
    last_ended = (
        pl.col("__last") & late("SW_DEC") & _known(pl.col("SW_DEC") <= pl.lit(ctx.reference_date))
    )
    return _rows(ctx.table(SWE), swe.filter(following | last_ended))


@rule("SW12STG2", table="Episodes", fields=("DECOM", "DEC"))
def social_worker_for_care_episodes(ctx: Context) -> pl.DataFrame:
    """Episodes that start or end care since the start of the previous collection year (or
    are still open), not under respite, must have matching social worker episodes.

    Read as the open-source validator reads the 2024/25 specification, so that the same
    episodes are flagged: the episodes checked are those with RNE = S or a REC other than X1
    (an open episode has no REC, so it is checked); each is paired with every social worker
    episode of the child (or none), and a pair is accepted when the social worker episode
    started on or before a care-ending episode's DEC (REC not X1), or on or after a
    care-starting episode's DECOM (RNE = S). An episode with any pair not accepted is flagged:
    a child with no social worker episodes, a social worker episode before a care-starting
    episode, and an open episode not starting care (it has no DEC to compare with).
    """
    eps = ctx.table("Episodes")
    since = pl.lit(_year_before(ctx.collection_start))
    relevant = eps.filter(
        (
            (_known(pl.col("DEC") >= since) & _known(pl.col("DEC") <= pl.lit(ctx.reference_date)))
            | pl.col("DEC").is_null()
        )
        & ~pl.col("LS").is_in(RESPITE).fill_null(False)
        & (_known(pl.col("RNE") == "S") | pl.col("REC").ne_missing(pl.lit("X1")))
    )
    pairs = relevant.select(ROW, CHILD, "DECOM", "DEC", "RNE", "REC").join(
        ctx.table(SWE).select(CHILD, "SW_DECOM"), on=CHILD, how="left"
    )
    before_end = _known(pl.col("SW_DECOM") <= pl.col("DEC")) & pl.col("REC").ne_missing(
        pl.lit("X1")
    )
    after_start = _known(pl.col("SW_DECOM") >= pl.col("DECOM")) & _known(pl.col("RNE") == "S")
    return _rows(eps, pairs.filter(~before_end & ~after_start))


@rule("SW14STG2", table=SWE, fields=("SW_DEC",))
def end_date_blank(ctx: Context) -> pl.DataFrame:
    """SW_DEC blank on any episode but the child's latest (by SW_DECOM)."""
    swe = _swe_in_order(ctx)
    bad = swe.filter(pl.col("SW_DEC").is_null() & ~pl.col("__last"))
    return _rows(ctx.table(SWE), bad)


@rule("SW17STG2", table=SWE, fields=("SW_DEC", "SW_DECOM"))
def no_episode_open_at_31_march(ctx: Context) -> pl.DataFrame:
    """The child's latest episode (by SW_DECOM) must be open (SW_DEC blank) at 31 March.

    The DfE names "the episode with the latest <SW_DECOM>": an episode whose start date is
    blank or not a date has no place in that order (SW04 reports it), so the latest is the
    latest dated episode, as the open-source validator picks it. A child whose episodes are
    all undated is not checked here."""
    swe = ctx.table(SWE)
    latest = (
        swe.filter(pl.col("SW_DECOM").is_not_null())
        .sort([CHILD, "SW_DECOM", ROW])
        .unique(subset=CHILD, keep="last", maintain_order=True)
    )
    return _rows(swe, latest.filter(~_blank("SW_DEC")))


# --------------------------------------------------------------------------------------
# against last year's return
# --------------------------------------------------------------------------------------


def _first_differs_from_open_last_year(ctx: Context, column: str) -> pl.DataFrame:
    """The child's first episode this year whose ``column`` differs from the episode left open
    (no SW_DEC) at the end of last year's return (two blanks count as the same)."""
    swe = ctx.table(SWE)
    last_open = (
        ctx.previous(SWE)
        .sort([CHILD, "SW_DECOM", ROW], nulls_last=False)
        .group_by(CHILD, maintain_order=True)
        .last()
        .filter(_blank("SW_DEC"))
        .select(CHILD, pl.col(column).alias("__last"))
    )
    first = (
        swe.sort([CHILD, "SW_DECOM", ROW], nulls_last=True)
        .group_by(CHILD, maintain_order=True)
        .first()
        .select(ROW, CHILD, column)
    )
    bad = first.join(last_open, on=CHILD).filter(pl.col(column).ne_missing(pl.col("__last")))
    return _rows(swe, bad)


@rule("SW16aSTG2", table=SWE, fields=("SW_ID",))
def social_worker_differs_from_last_year(ctx: Context) -> pl.DataFrame:
    """The first episode this year must carry on the episode open at the end of last year:
    same SW_ID."""
    return _first_differs_from_open_last_year(ctx, "SW_ID")


@rule("SW16bSTG2", table=SWE, fields=("SW_DECOM",))
def start_differs_from_last_year(ctx: Context) -> pl.DataFrame:
    """The first episode this year must carry on the episode open at the end of last year:
    same SW_DECOM."""
    return _first_differs_from_open_last_year(ctx, "SW_DECOM")


@rule("SW16cSTG2", table=SWE, fields=("SW_REASON",))
def reason_differs_from_last_year(ctx: Context) -> pl.DataFrame:
    """The first episode this year must carry on the episode open at the end of last year:
    same SW_REASON."""
    return _first_differs_from_open_last_year(ctx, "SW_REASON")
