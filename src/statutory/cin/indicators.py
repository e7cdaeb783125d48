"""DfE children-in-need indicators computed from a CIN census return.

Definitions (written up in docs/statutory/cin-indicators.md) follow the DfE's "Characteristics
of children in need" statistics. `compute` returns one row per indicator: `code` (stable, see
`indicator_codes`), `indicator` (the label), `published`, `value`,
`numerator` (what a percentage or rate counts; null for plain counts), `denominator` (null when
the value is a count), `unit` (count, percent, rate per 10,000).
"""

from __future__ import annotations

import csv
import datetime as dt

import polars as pl

from statutory.cin.indicator_codes import ASSESSMENT_FACTORS, CIN_BY_NEED, MEASURES
from statutory.cin.workdays import working_days_between
from statutory.engine import Return
from statutory.reference import shared_path

POPULATION = (
    "reference",
    "dfe-csc-outcomes-enablers",
    "ons_mid-year_population_estimates_2012_to_2024.csv",
)
CHILD = "LAchildID"
ASSESSMENT = (CHILD, "CINdetailsID", "AssessmentID")
# Assessment factor code for "no factors identified".
NO_FACTORS = "21"
NEED_NAMES = {
    "N0": "Not stated",
    "N1": "Abuse or neglect",
    "N2": "Child's disability or illness",
    "N3": "Parental illness or disability",
    "N4": "Family in acute stress",
    "N5": "Family dysfunction",
    "N6": "Socially unacceptable behaviour",
    "N7": "Low income",
    "N8": "Absent parenting",
    "N9": "Cases other than children in need",
}


def population(la: str | None, year: int) -> int | None:
    """Children aged 0-17 in the council (DfE 3-digit or ONS code), ONS mid-year estimate for
    the year before the census ends (mid-2024 for 2024/25, as the DfE uses), the latest
    available when the census is newer."""
    if not la:
        return None
    path = shared_path(*POPULATION)
    if not path.exists():
        return None
    best: tuple[int, int] | None = None
    wanted = year - 1
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["geographic_level"] != "Local authority":
                continue
            if la not in (row["old_la_code"], row["new_la_code"]):
                continue
            try:
                period, value = int(row["time_period"]), int(row["population_estimate"])
            except ValueError:
                continue
            if period <= wanted and (best is None or period > best[0]):
                best = (period, value)
    return best[1] if best else None


def _row(
    code: str,
    value: float | None,
    denominator: int | None,
    unit: str,
    numerator: int | None = None,
    *,
    label: str = "",
) -> dict[str, object]:
    """One indicator's row; `label` "" for the measure's own label (`indicator_codes.MEASURES`)."""
    measure = MEASURES.get(code)
    return {
        "code": code,
        "indicator": label or MEASURES[code].label,
        "published": measure.published if measure else "",
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "unit": unit,
    }


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _rate(count: int, pop: int | None) -> float | None:
    return round(10_000.0 * count / pop, 1) if pop else None


def compute(return_: Return, la: str | None = None) -> pl.DataFrame:  # noqa: PLR0915
    """Every indicator for the return's year; `la` (else the header's LEA) for the rates."""
    year = return_.year
    ref = dt.date(year, 3, 31)
    start = dt.date(year - 1, 4, 1)
    t = return_.tables
    header = t["Header"]
    if la is None and header.height and "LEA" in header.columns:
        la = header["LEA"][0]
    pop = population(la, year)
    in_year = lambda c: pl.col(c).is_between(start, ref)  # noqa: E731
    rows: list[dict[str, object]] = []

    cin = t["CINdetails"]
    referrals = cin.filter(in_year("CINreferralDate"))
    referred_children = referrals.get_column(CHILD).n_unique()
    rows.append(_row("referrals", referrals.height, None, "count"))
    rows.append(
        _row(
            "referrals_rate_per_10000",
            _rate(referrals.height, pop),
            pop,
            "rate per 10,000",
            referrals.height,
        )
    )
    rows.append(_row("children_referred", referred_children, None, "count"))
    # A re-referral: a referral within 12 months of a previous referral of the same child (the
    # previous one on or after the date 12 months earlier, and before this one).
    dated = cin.filter(pl.col("CINreferralDate").is_not_null()).select(
        CHILD, "ROW_NUMBER", "CINreferralDate"
    )
    earlier = (
        referrals.select(CHILD, "ROW_NUMBER", "CINreferralDate")
        .join(dated, on=CHILD, suffix="_prev")
        .filter(
            (pl.col("ROW_NUMBER") != pl.col("ROW_NUMBER_prev"))
            & (pl.col("CINreferralDate_prev") < pl.col("CINreferralDate"))
            & (pl.col("CINreferralDate_prev") >= pl.col("CINreferralDate").dt.offset_by("-12mo"))
        )
    )
    rerefs = earlier.get_column("ROW_NUMBER").n_unique()
    rereferred_children = earlier.get_column(CHILD).n_unique()
    rows.append(
        _row(
            "rereferrals",
            _pct(rerefs, referrals.height),
            referrals.height,
            "percent",
            rerefs,
        )
    )
    rows.append(
        _row(
            "children_rereferred",
            _pct(rereferred_children, referred_children),
            referred_children,
            "percent",
            rereferred_children,
        )
    )

    assessments = t["Assessments"].unique(subset=list(ASSESSMENT), keep="first")
    completed = assessments.filter(
        in_year("AssessmentAuthorisationDate") & pl.col("AssessmentActualStartDate").is_not_null()
    )
    days = working_days_between(
        completed.get_column("AssessmentActualStartDate"),
        completed.get_column("AssessmentAuthorisationDate"),
    )
    within = int((days <= 45).sum())
    rows.append(_row("assessments_completed", completed.height, None, "count"))
    rows.append(
        _row(
            "assessments_within_45_days",
            _pct(within, completed.height),
            completed.height,
            "percent",
            within,
        )
    )

    s47 = t["Section47"]
    s47_started = s47.filter(in_year("S47ActualStartDate"))
    rows.append(_row("s47_started", s47_started.height, None, "count"))
    rows.append(
        _row(
            "s47_rate_per_10000",
            _rate(s47_started.height, pop),
            pop,
            "rate per 10,000",
            s47_started.height,
        )
    )
    rows.append(
        _row(
            "children_with_s47",
            s47_started.get_column(CHILD).n_unique(),
            None,
            "count",
        )
    )
    icpcs = s47.filter(in_year("DateOfInitialCPC") & pl.col("S47ActualStartDate").is_not_null())
    icpc_days = working_days_between(
        icpcs.get_column("S47ActualStartDate"), icpcs.get_column("DateOfInitialCPC")
    )
    icpc_within = int((icpc_days <= 15).sum())
    # A conference is recorded on the section 47 or, without one (a transfer-in conference), on
    # the CIN details: never both (rule 2884), so the two are added.
    conferences = pl.concat(
        [
            s47.filter(in_year("DateOfInitialCPC")).select(CHILD),
            cin.filter(in_year("DateOfInitialCPC")).select(CHILD),
        ]
    )
    rows.append(_row("icpcs", conferences.height, None, "count"))
    rows.append(
        _row(
            "children_with_icpc",
            conferences.get_column(CHILD).n_unique(),
            None,
            "count",
        )
    )
    rows.append(
        _row(
            "icpcs_within_15_days",
            _pct(icpc_within, icpcs.height),
            icpcs.height,
            "percent",
            icpc_within,
        )
    )

    cpp = t["ChildProtectionPlans"]
    on_plan = (
        cpp.filter(
            (pl.col("CPPstartDate") <= ref)
            & (pl.col("CPPendDate").is_null() | (pl.col("CPPendDate") > ref))
        )
        .get_column(CHILD)
        .n_unique()
    )
    rows.append(_row("cpp_at_31_march", on_plan, None, "count"))
    rows.append(
        _row(
            "cpp_rate_per_10000",
            _rate(on_plan, pop),
            pop,
            "rate per 10,000",
            on_plan,
        )
    )
    # Second or subsequent: the council records how many plans the child had before
    # (NumberOfPreviousCPP, ever); a plan of the same child that started earlier in the census
    # also makes it one, whether or not the number was filled in.
    dated_plans = cpp.filter(pl.col("CPPstartDate").is_not_null()).with_row_index("_plan")
    started = dated_plans.filter(in_year("CPPstartDate"))
    earlier_plan = (
        started.select(CHILD, "_plan", "CPPstartDate")
        .join(dated_plans.select(CHILD, "_plan", "CPPstartDate"), on=CHILD, suffix="_other")
        .filter(
            (pl.col("_plan") != pl.col("_plan_other"))
            & (pl.col("CPPstartDate_other") < pl.col("CPPstartDate"))
        )
        .get_column("_plan")
        .unique()
    )
    second = started.filter(
        (pl.col("NumberOfPreviousCPP") > 0).fill_null(False)
        | pl.col("_plan").is_in(earlier_plan.implode())
    ).height
    rows.append(_row("cpp_starts", started.height, None, "count"))
    rows.append(
        _row(
            "cpp_starts_repeat",
            _pct(second, started.height),
            started.height,
            "percent",
            second,
        )
    )
    # Two years or more: more than 729 days counting the start day and the day the plan ceased
    # (the DfE's published definition), i.e. the end at least 729 days after the start.
    ended = cpp.filter(in_year("CPPendDate") & pl.col("CPPstartDate").is_not_null())
    long = ended.filter(
        (pl.col("CPPendDate") - pl.col("CPPstartDate")).dt.total_days() + 1 > 729
    ).height
    rows.append(
        _row(
            "cpp_ended_2_years_or_more",
            _pct(long, ended.height),
            ended.height,
            "percent",
            long,
        )
    )

    # Children in need at 31 March: an episode open at the reference date (referred on or
    # before it, not closed by it, not a referral with no further action). Unborn children
    # count, as in the DfE's tables (which show them as an age group).
    nfa = pl.col("ReferralNFA").str.to_lowercase().is_in(("1", "true")).fill_null(False)
    open_ = (
        cin.filter(
            (pl.col("CINreferralDate") <= ref)
            & (pl.col("CINclosureDate").is_null() | (pl.col("CINclosureDate") > ref))
            & ~nfa
        )
        .sort("CINreferralDate")
        .group_by(CHILD, maintain_order=True)
        .last()
    )
    rows.append(_row("cin_at_31_march", open_.height, None, "count"))
    rows.append(
        _row(
            "cin_rate_per_10000",
            _rate(open_.height, pop),
            pop,
            "rate per 10,000",
            open_.height,
        )
    )
    by_need = open_.group_by("PrimaryNeedCode").len()
    counts = {r["PrimaryNeedCode"]: r["len"] for r in by_need.iter_rows(named=True)}
    for code, name in NEED_NAMES.items():
        rows.append(
            _row(
                CIN_BY_NEED.member_code(code),
                counts.get(code, 0),
                open_.height,
                "count",
                counts.get(code, 0),
                label=f"{CIN_BY_NEED.prefix}{code} {name}",
            )
        )
    if counts.get(None):
        rows.append(
            _row(
                CIN_BY_NEED.member_code(None),
                counts[None],
                open_.height,
                "count",
                counts[None],
                label=f"{CIN_BY_NEED.prefix}primary need not recorded",
            )
        )

    # Factors identified at the end of assessment, as the DfE's table C3 counts them: episodes
    # with an assessment completed in the year, each factor once per episode, out of the
    # episodes with a factor recorded ("21", no factors identified, is shown but not counted in
    # that total).
    episode = [CHILD, "CINdetailsID"]
    factors = (
        t["Assessments"]
        .join(completed.select(ASSESSMENT), on=list(ASSESSMENT), how="semi", nulls_equal=True)
        .filter(pl.col("AssessmentFactors").is_not_null())
        .select(*episode, "AssessmentFactors")
        .unique()
    )
    with_factors = (
        factors.filter(pl.col("AssessmentFactors") != NO_FACTORS).select(episode).unique().height
    )
    rows.append(_row("episodes_with_factors", with_factors, None, "count"))
    by_factor = (
        factors.group_by("AssessmentFactors")
        .len()
        .with_columns(
            pl.col("AssessmentFactors")
            .str.extract(r"^(\d+)")
            .cast(pl.Int32, strict=False)
            .alias("_n")
        )
        .sort("_n", "AssessmentFactors", nulls_last=True)
    )
    for r in by_factor.iter_rows(named=True):
        rows.append(
            _row(
                ASSESSMENT_FACTORS.member_code(r["AssessmentFactors"]),
                r["len"],
                with_factors,
                "count",
                r["len"],
                label=f"{ASSESSMENT_FACTORS.prefix}{r['AssessmentFactors']}",
            )
        )

    return pl.DataFrame(
        rows,
        schema={
            "code": pl.String,
            "indicator": pl.String,
            "published": pl.String,
            "value": pl.Float64,
            "numerator": pl.Int64,
            "denominator": pl.Int64,
            "unit": pl.String,
        },
        orient="row",
    )
