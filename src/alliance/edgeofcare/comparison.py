"""Did the service work: the supported children's and comparison group's frames and the
evaluations run on them (the statistics are in `evaluation.py`)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

import polars as pl
from django.db.models import Count, QuerySet
from django.utils import timezone

from alliance.edgeofcare import evaluation, matching, write_up
from alliance.edgeofcare.errors import EdgeOfCareError, message_of
from alliance.edgeofcare.models import (
    AllocationMethod,
    Arm,
    Child,
    Outcome,
    Referral,
    ServiceAllocation,
    Urgency,
)
from alliance.edgeofcare.outcomes import outcome_coverage, outcome_due_on
from alliance.edgeofcare.returns_data import pseudonym, returns_tables, table_named
from alliance.organisations.models import Organisation


def supported_frame(referrals: QuerySet[Referral], months: int = 12) -> pl.DataFrame:
    """One row per supported child with a known outcome at `months`: baseline and entered_care."""
    rows = []
    outcomes = {
        o.child_id: o.entered_care
        for o in Outcome.objects.filter(
            child__referral__in=referrals, months=months, entered_care__isnull=False
        )
    }
    for child in Child.objects.filter(referral__in=referrals).select_related("referral"):
        if child.pk not in outcomes:
            continue
        rows.append(
            _baseline_row(
                child.age_on(timezone.localdate(child.referral.received_at)),
                child.disabled,
                child.uasc,
                child.prior_referrals,
                child.cp_history,
                child.primary_need,
                1 if child.referral.arm != Arm.USUAL_CARE else 0,
                int(bool(outcomes[child.pk])),
            )
        )
    return _frame(rows)


def _baseline_row(
    age: int,
    disabled: bool,
    uasc: bool,
    prior: int,
    cp: bool,
    need: str,
    treated: int,
    entered: int,
) -> dict[str, int]:
    row = {
        "treated": treated,
        "entered_care": entered,
        "age": age,
        "disabled": int(disabled),
        "uasc": int(uasc),
        "prior_referrals": prior,
        "cp_history": int(cp),
    }
    for code in evaluation.NEED_CODES:
        row[f"need_{code}"] = int(need == code)
    return row


def _frame(rows: list[dict[str, int]]) -> pl.DataFrame:
    extra = sorted(c for c in (rows[0] if rows else {}) if c.startswith(evaluation.URGENCY_PREFIX))
    columns = ["treated", "entered_care", *evaluation.COVARIATES, *extra]
    if not rows:
        return pl.DataFrame({c: [] for c in columns}, schema=dict.fromkeys(columns, pl.Int64))
    return pl.DataFrame(rows).select(columns)


def comparison_frame(
    organisation: Organisation, year: int, supported_ids: set[str], months: int = 12
) -> pl.DataFrame:
    """Children referred to children's social care in `year` (CIN census) who were not supported
    by Edge of Care, with the same baseline and whether they entered care (SSDA903) within
    `months`. Empty when the returns are not uploaded."""
    cin = returns_tables(organisation, "cin")
    details = table_named(cin, "CINdetails")
    idents = table_named(cin, "ChildIdentifiers")
    if details is None or idents is None:
        return _frame([])
    ssda903 = returns_tables(organisation, "ssda903")
    episodes = table_named(ssda903, "Episodes")
    disab = table_named(cin, "Disabilities")
    cpp = table_named(cin, "ChildProtectionPlans")
    uasc_t = table_named(ssda903, "UASC")
    ref = details.filter(pl.col("CINreferralDate").dt.year() == year).sort("CINreferralDate")
    ref = ref.unique(subset=["LAchildID"], keep="first")
    ref = ref.filter(~pl.col("LAchildID").is_in(list(supported_ids)))
    ref = ref.join(
        idents.select("LAchildID", "PersonBirthDate").unique("LAchildID"),
        on="LAchildID",
        how="left",
    )
    disabled = (
        set(disab.filter(pl.col("Disability") != "NONE")["LAchildID"].to_list())
        if disab is not None
        else set()
    )
    with_cp = set(cpp["LAchildID"].to_list()) if cpp is not None else set()
    uasc = (
        set(uasc_t["CHILD"].to_list())
        if uasc_t is not None and "CHILD" in uasc_t.columns
        else set()
    )
    history: dict[str, list[dt.date]] = defaultdict(list)
    for cid, d in details.select("LAchildID", "CINreferralDate").iter_rows():
        if d is not None:
            history[cid].append(d)
    if episodes is None or "CHILD" not in episodes.columns or episodes.height == 0:
        # With no looked-after records every comparison child would read as "never entered care".
        return _frame([])
    linked = set(episodes["CHILD"].to_list()) & set(details["LAchildID"].to_list())
    if not linked:
        # Both returns hold a child under the same pseudonym, and children looked after are
        # children in need too, so real returns always share children. None shared means the
        # census was stored with the old census-only pseudonyms (or is another council's): every
        # comparison child would look as if they never entered care. Refuse rather than mislead.
        raise EdgeOfCareError(
            "The comparison group cannot be built: no child in the council's CIN census "
            "appears in its SSDA903 returns, so a child's children-in-need record cannot be "
            "linked to their looked-after record to see whether they entered care. Upload a CIN "
            "census and SSDA903 returns about the same children: a census uploaded before both "
            "returns shared one pseudonym must be uploaded again, and synthetic returns must be "
            "generated together (alliance generate linked-pair), as separately generated ones "
            "share no child"
        )
    # Absence from SSDA903 means "did not enter care" only up to the end of the latest
    # uploaded collection year: a child whose follow-up runs past it is left out, not read as no.
    covered_from, covered = outcome_coverage(episodes)
    entries: dict[str, list[dt.date]] = defaultdict(list)
    if "DECOM" in episodes.columns:
        for cid, d in episodes.select("CHILD", "DECOM").iter_rows():
            if d is not None:
                entries[cid].append(d)
    rows = []
    for cid, referred, need, dob in ref.select(
        "LAchildID", "CINreferralDate", "PrimaryNeedCode", "PersonBirthDate"
    ).iter_rows():
        if referred is None or dob is None:
            continue
        # Already in care when referred: not a comparable child.
        if any(d <= referred for d in entries.get(cid, [])):
            continue
        until = referred + dt.timedelta(days=round(months * 30.44))
        if referred < covered_from or until > covered:
            continue
        prior = sum(1 for d in history[cid] if referred - dt.timedelta(days=365) <= d < referred)
        age = referred.year - dob.year - ((referred.month, referred.day) < (dob.month, dob.day))
        entered = int(any(referred < d <= until for d in entries.get(cid, [])))
        rows.append(
            _baseline_row(
                age, cid in disabled, cid in uasc, prior, cid in with_cp, need or "", 0, entered
            )
        )
    return _frame(rows)


@dataclass
class EvaluationOutcome:
    result: evaluation.Result | None
    message: str
    lines: list[str]
    methods: list[tuple[str, int]] = field(default_factory=list)
    # The waiting-list comparison, where some of the year's families were given places in
    # waiting-list order (None when none were).
    waiting: EvaluationOutcome | None = None


# The check the waiting-list comparison reads: the first, as waits are weeks, not years.
WAITING_LIST_CHECK_MONTHS = 3


def waiting_list_frame(
    referrals: QuerySet[Referral], months: int = WAITING_LIST_CHECK_MONTHS
) -> tuple[pl.DataFrame, int, float | None]:
    """One row per child of a family given places in waiting-list order, with an outcome at
    `months`: `treated` 1 if the family started a service at triage, 0 if every service it was
    allocated put it on the waiting list. Also: how many children who waited had a place before
    the check, and the median wait in days of the families who got one. Two queries."""
    referrals = referrals.filter(
        allocation_method=AllocationMethod.WAITING_LIST, triaged_at__isnull=False
    ).exclude(arm=Arm.USUAL_CARE)
    waited: dict[int, bool] = {}
    first_start: dict[int, dt.datetime] = {}
    joined: dict[int, dt.datetime] = {}
    for (
        referral_id,
        triaged_at,
        allocated_at,
        waiting_from,
        started_at,
    ) in ServiceAllocation.objects.filter(referral__in=referrals).values_list(
        "referral_id", "referral__triaged_at", "allocated_at", "waiting_from", "started_at"
    ):
        # Started at once: a place was free when the family was triaged (a service added weeks
        # later does not make a family that waited into one that did not).
        at_triage = triaged_at is not None and allocated_at <= triaged_at + dt.timedelta(days=1)
        at_once = at_triage and waiting_from is None and started_at is not None
        waited[referral_id] = waited.get(referral_id, True) and not at_once
        if waiting_from is not None:
            joined[referral_id] = min(joined.get(referral_id, waiting_from), waiting_from)
        if started_at is not None:
            known = first_start.get(referral_id)
            first_start[referral_id] = started_at if known is None else min(known, started_at)
    rows = []
    started_before = 0
    for checked in Outcome.objects.filter(
        child__referral__in=referrals, months=months, entered_care__isnull=False
    ).select_related("child__referral"):
        child = checked.child
        if child.referral_id not in waited:
            continue  # triaged without a service (no allocation): in neither group
        did_wait = waited[child.referral_id]
        start = first_start.get(child.referral_id)
        if did_wait and start is not None:
            started_before += timezone.localdate(start) <= outcome_due_on(child, months)
        rows.append(
            _baseline_row(
                child.age_on(timezone.localdate(child.referral.received_at)),
                child.disabled,
                child.uasc,
                child.prior_referrals,
                child.cp_history,
                child.primary_need,
                0 if did_wait else 1,
                int(bool(checked.entered_care)),
            )
        )
        # how urgent the referral was: families who wait tend to be the less urgent ones
        for level in Urgency.values:
            rows[-1][f"{evaluation.URGENCY_PREFIX}{level}"] = int(child.referral.urgency == level)
    waits = [
        (start - joined[r]).total_seconds() / 86400
        for r, start in first_start.items()
        if r in joined and waited.get(r)
    ]
    median = statistics.median(waits) if waits else None
    return _frame(rows), started_before, median


def evaluate_waiting_list(
    organisation: Organisation, year: int, months: int = WAITING_LIST_CHECK_MONTHS
) -> EvaluationOutcome | None:
    """The waiting-list comparison for families referred in `year`, or None when none of them
    were given places in waiting-list order."""
    referrals = Referral.objects.filter(organisation=organisation, received_at__year=year)
    if not referrals.filter(allocation_method=AllocationMethod.WAITING_LIST).exists():
        return None
    frame, started_before, median = waiting_list_frame(referrals, months)
    follow_up = f"within {months} months of referral"
    try:
        result = evaluation.waiting_list(frame, "entered_care", started_before, median)
    except evaluation.NotEnoughData as exc:
        return EvaluationOutcome(
            None,
            f"Not enough data for a waiting-list comparison of {year} yet: {message_of(exc)} (children "
            f"whose {months}-month outcome has been recorded).",
            [],
        )
    return EvaluationOutcome(result, "", write_up.plain_english(result, follow_up))


def evaluate(organisation: Organisation, year: int, months: int = 12) -> EvaluationOutcome:
    outcome = _evaluate(organisation, year, months)
    outcome.waiting = evaluate_waiting_list(organisation, year)
    names = dict(AllocationMethod.choices)
    outcome.methods = [
        (names.get(r["allocation_method"], r["allocation_method"]), r["n"])
        for r in Referral.objects.filter(organisation=organisation, received_at__year=year)
        .order_by()
        .values("allocation_method")
        .annotate(n=Count("id"))
    ]
    return outcome


def _collection(year: int) -> str:
    return f"April {year - 1} to March {year}"


def _uploaded_years(organisation: Organisation, kind: str, table: str) -> list[int]:
    frame = table_named(returns_tables(organisation, kind), table)
    if frame is None or "YEAR" not in frame.columns:
        return []
    return sorted({int(y) for y in frame["YEAR"].drop_nulls().to_list()})


def no_comparison_group(organisation: Organisation, year: int) -> str:
    """Exactly what to upload for children referred in `year` to be compared: the CIN census
    holding their referrals (April `year` onwards is in the census ending `year + 1`) and
    SSDA903 returns to 31 March after their 12-month follow-up, and what is uploaded now."""
    census = [year + 1]
    ssda903 = [year + 1, year + 2]
    have_cin = _uploaded_years(organisation, "cin", "CINdetails")
    have_903 = _uploaded_years(organisation, "ssda903", "Episodes")
    missing = [f"the CIN census for {_collection(y)}" for y in census if y not in have_cin] + [
        f"the SSDA903 return for {_collection(y)}" for y in ssda903 if y not in have_903
    ]
    uploaded = [f"CIN census {_collection(y)}" for y in have_cin] + [
        f"SSDA903 {_collection(y)}" for y in have_903
    ]
    need = (
        "upload " + ", ".join(missing[:-1]) + (" and " if len(missing) > 1 else "") + missing[-1]
        if missing
        else "the uploaded returns hold no child in need referred that year who can be "
        "followed for 12 months: check the CIN census is about the same children as the "
        "SSDA903 returns"
    )
    return (
        f"No comparison group yet for children referred in {year}. To compare them with similar "
        f"children in need and follow both for 12 months, {need} in Statutory returns. "
        f"Uploaded so far: {', '.join(uploaded) if uploaded else 'no returns'}. Outcomes of the "
        "children Edge of Care supported are then matched from the SSDA903 returns each night."
    )


def _evaluate(organisation: Organisation, year: int, months: int) -> EvaluationOutcome:
    referrals = Referral.objects.filter(organisation=organisation, received_at__year=year)
    supported = supported_frame(referrals, months)
    randomised = referrals.filter(arm=Arm.USUAL_CARE).exists()
    try:
        if randomised:
            result = evaluation.randomised(supported)
        else:
            ids = {
                p
                for p in (
                    pseudonym(organisation, c, "cin")
                    for c in Child.objects.filter(referral__in=referrals)
                    .exclude(la_child_id="")
                    .values_list("la_child_id", flat=True)
                )
                if p
            }
            comparison = comparison_frame(organisation, year, ids, months)
            if comparison.height == 0:
                return EvaluationOutcome(None, no_comparison_group(organisation, year), [])
            result = matching.matched(
                pl.concat([supported.filter(pl.col("treated") == 1), comparison])
            )
    except evaluation.NotEnoughData as exc:
        return EvaluationOutcome(None, f"Not enough data for {year} yet: {message_of(exc)}.", [])
    except EdgeOfCareError as exc:
        return EvaluationOutcome(None, f"{message_of(exc)}.", [])
    return EvaluationOutcome(result, "", write_up.plain_english(result))
