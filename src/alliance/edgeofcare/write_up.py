"""The Edge of Care evaluation's finding and its limits in plain English, as the evaluation page
and the dashboard write them: the statistics themselves are in `evaluation`."""

from __future__ import annotations

from alliance.common.numbers import signed
from alliance.edgeofcare.evaluation import URGENCY_PREFIX, Result


def plain_english(result: Result, follow_up: str = "within 12 months of referral") -> list[str]:
    """The finding and its limits, in words a councillor or family would follow."""

    def pct(v: float) -> str:
        return f"{abs(v) * 100:.1f}"

    lines = []
    if result.design == "waiting-list":
        lines.append(
            f"Families were given places in waiting-list order: {result.n_treated} children whose "
            f"families started a service straight away are compared with {result.n_comparison} "
            "children whose families had to wait for a place because the services were full."
        )
    elif result.design == "randomised":
        lines.append(
            f"Families were allocated at random: {result.n_treated} children were offered Edge of "
            f"Care services and {result.n_comparison} were not."
        )
    else:
        lines.append(
            f"{result.n_matched} of the {result.n_treated} children supported were each compared "
            "with a similar child from the council's children in need and looked-after records "
            "who was not supported (similar in age, primary need, earlier referrals, child "
            "protection history, disability and unaccompanied status)."
        )
        if result.n_unmatched:
            lines.append(
                f"{result.n_unmatched} supported children had no close enough match and are left "
                "out, so the result describes the children who could be matched."
            )
    lines.append(
        f"{pct(result.rate_treated)}% of supported children entered care {follow_up}, against "
        f"{pct(result.rate_comparison)}% of the comparison children."
    )
    low, high = sorted((result.ci_low, result.ci_high))
    if result.significant:
        direction = "fewer" if result.difference < 0 else "more"
        lines.append(
            f"That is {pct(result.difference)} percentage points {direction}. The 95% "
            f"confidence interval runs from {signed(low * 100)} to {signed(high * 100)} points, "
            "which does not include zero: the difference is unlikely to be chance alone."
        )
    else:
        lines.append(
            f"The difference is {signed(result.difference * 100)} percentage points, with a 95% "
            f"confidence interval from {signed(low * 100)} to {signed(high * 100)} points. The "
            "interval includes zero, so these figures cannot tell a real effect from chance."
        )
    if result.design == "waiting-list":
        wait = (
            f" (the median wait of those who got a place was {result.median_wait_days:.0f} days)"
            if result.median_wait_days is not None
            else ""
        )
        lines.append(
            "Limits: families waited because the services were full when they were referred, not "
            "because of anything about them, so the two groups should be alike; the table shows "
            "how alike they are in what was recorded. Families referred when services are full "
            "may still differ in ways not recorded (the time of year, pressure on other "
            f"services). {result.started_before_check} of the {result.n_comparison} children who "
            f"waited had a place before the check{wait}, and still count as waiting here, so "
            "this comparison understates what the service itself does. It covers only the first "
            "months after referral, while families waited: it says nothing about later outcomes."
        )
        lines.extend(_adjusted_english(result))
    elif result.design == "matched":
        lines.append(
            "Limits: matching balances only what was recorded. If families referred to Edge of "
            "Care differ in ways the records do not show (how motivated they are, how close to "
            "crisis), the comparison is not like for like and the difference may be partly due "
            "to that. "
            + (
                "After matching every recorded characteristic is well balanced (standardised "
                "differences under 0.1)."
                if result.balanced
                else "Some characteristics are still not well balanced after matching (see the "
                "table): treat the result with extra caution."
            )
        )
    else:
        lines.append(
            "Limits: random allocation makes the groups alike on average, in what was recorded "
            "and what was not; with small numbers the interval is wide."
        )
    return lines


def _adjusted_english(result: Result) -> list[str]:
    """What the adjusted estimate says, and what adjusting can and cannot fix."""
    a = result.adjusted
    if a is None:
        return (
            [f"No adjusted estimate could be made: {result.adjustment_note}."]
            if result.adjustment_note
            else []
        )
    low, high = sorted((a.ci_low, a.ci_high))
    verdict = (
        "which does not include zero"
        if a.significant
        else "which includes zero, so it cannot tell a real effect from chance"
    )
    lines = [
        "Adjusted for who was waiting: the children who waited may differ from those who started "
        "at once (for example older, or referred as less urgent). Weighting each child by how "
        "likely a child like them was to start at once, given what was recorded at referral, "
        f"makes the two groups alike in those records. Adjusted, the difference is "
        f"{signed(a.difference * 100)} percentage points (95% interval {signed(low * 100)} to "
        f"{signed(high * 100)}, from {a.bootstrap} bootstrap resamples), {verdict}; unadjusted it "
        f"was {signed(result.difference * 100)}.",
    ]
    if abs(a.difference - result.difference) >= 0.05:
        lines.append(
            "The two figures differ by 5 points or more: the families who waited were not like "
            "those who started at once in what was recorded, so read the adjusted figure, not "
            "the plain one."
        )
    balance = (
        "After weighting every recorded characteristic is well balanced (standardised "
        "differences under 0.1)."
        if a.balanced
        else "Some characteristics are still not well balanced after weighting (see the table): "
        "treat the adjusted figure with extra caution."
    )
    lines.append(
        "What adjusting can fix: differences between the groups in age, primary need, earlier "
        "referrals, child protection history, disability, unaccompanied status"
        + (" and urgency" if any(c.startswith(URGENCY_PREFIX) for c in a.covariates) else "")
        + ", as recorded at referral. What it cannot fix: anything not recorded (how close to "
        "crisis a family was beyond the urgency given, the time of year, pressure on other "
        "services), characteristics recorded wrongly, or children who waited but had a place "
        "before the check (still counted as waiting, so both figures understate what the "
        "service does). " + balance
    )
    if a.effective_comparison < 0.5 * result.n_comparison or (
        a.effective_treated < 0.5 * result.n_treated
    ):
        lines.append(
            f"A few children carry heavy weights: the weighted groups are worth about "
            f"{a.effective_treated:.0f} and {a.effective_comparison:.0f} children, fewer than "
            "were compared, so the adjusted figure leans on them."
        )
    return lines
