"""Outcomes: when a child's outcome is due, recording it, and matching outcomes against the
council's returns."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from alliance.audit import services as audit
from alliance.edgeofcare.errors import EdgeOfCareError
from alliance.edgeofcare.figures import outcomes_changed
from alliance.edgeofcare.models import OUTCOME_MONTHS, Child, Outcome
from alliance.edgeofcare.returns_data import pseudonym, returns_tables, table_named
from alliance.edgeofcare.targets import council_settings
from alliance.organisations.models import Organisation


def outcome_due_on(child: Child, months: int) -> dt.date:
    """The day a child's outcome is due, `months` after the referral was received (from the
    29th-31st into a shorter month, its last day: 31 August and 6 months is 28 February)."""
    received: dt.date = timezone.localdate(child.referral.received_at)
    return received + relativedelta(months=months)


def record_outcome(
    child: Child, months: int, values: dict[str, Any], *, user: Any = None
) -> Outcome:
    """Record (or correct) a child's outcome `months` after referral; audited as a change to the
    family's referral, made by `user` (None: the service itself)."""
    if months not in OUTCOME_MONTHS:
        raise EdgeOfCareError("Choose 3, 6, 12 or 21 months", "months")
    checked = values.get("checked_on")
    received = timezone.localdate(child.referral.received_at)
    if checked is None:
        raise EdgeOfCareError("Enter the date the outcome was checked", "checked_on")
    if checked < received:
        raise EdgeOfCareError(
            f"The date checked must be on or after the referral date ({received:%d %B %Y})",
            "checked_on",
        )
    if checked > timezone.localdate():
        raise EdgeOfCareError("The date checked cannot be in the future", "checked_on")
    with transaction.atomic():
        outcome, _ = Outcome.objects.get_or_create(
            child=child, months=months, defaults={"checked_on": checked}
        )
        outcome.checked_on = checked
        for key in ("living_at_home", "same_school", "notes"):
            if key in values:
                setattr(outcome, key, values[key])
        # What the returns said stays: a practitioner's answer fills only what they could not.
        for key in ("entered_care", "re_referred"):
            if key in values and getattr(outcome, f"{key}_source") != Outcome.Source.RETURNS:
                setattr(outcome, key, values[key])
                setattr(
                    outcome,
                    f"{key}_source",
                    Outcome.Source.PRACTITIONER if values[key] is not None else "",
                )
        outcome.save()
        audit.record(
            None, audit.Action.CHANGE, child.referral, user=user, detail={"outcome": child.pk}
        )
        council_settings(child.referral.organisation)
        outcomes_changed(child.referral.organisation_id)
    return outcome


def outcome_coverage(frame: pl.DataFrame | None) -> tuple[dt.date, dt.date]:
    """The days the uploaded collection years of a return span: from 1 April before the earliest
    to 31 March of the latest (a collection year runs April to March). Outside it, a child's
    absence from the return says nothing. (date.max, date.min) when nothing is uploaded."""
    if frame is None or "YEAR" not in frame.columns or frame.height == 0:
        return dt.date.max, dt.date.min
    first, last = int(frame["YEAR"].min()), int(frame["YEAR"].max())  # type: ignore[arg-type]
    return dt.date(first - 1, 4, 1), dt.date(last, 3, 31)


def match_outcomes(organisation: Organisation, today: dt.date | None = None) -> int:
    """Fill `entered_care` (SSDA903: an episode starting after the referral and before the
    outcome point) and `re_referred` (CIN census: a referral after this one's first 30 days and
    before the point) for every child with a council child id whose outcome point has passed.
    Returns how many outcome answers were filled from the returns."""
    today = today or timezone.localdate()
    episodes = table_named(returns_tables(organisation, "ssda903"), "Episodes")
    cin = table_named(returns_tables(organisation, "cin"), "CINdetails")
    if episodes is None and cin is None:
        return 0
    # A child absent from the returns is "no" only for points the uploads cover: a collection
    # year ends on 31 March of its YEAR.
    ssda903_from, ssda903_covers = outcome_coverage(episodes)
    cin_from, cin_covers = outcome_coverage(cin)
    filled = 0
    children = Child.objects.filter(referral__organisation=organisation).exclude(la_child_id="")
    with transaction.atomic():
        for child in children.select_related("referral"):
            key = pseudonym(organisation, child.la_child_id, "ssda903")
            cin_key = pseudonym(organisation, child.la_child_id, "cin")
            if key is None:
                continue
            start = timezone.localdate(child.referral.received_at)
            for months in OUTCOME_MONTHS:
                point = outcome_due_on(child, months)
                if point > today:
                    continue
                found: dict[str, bool] = {}
                if episodes is not None and {"CHILD", "DECOM"} <= set(episodes.columns):
                    hits = episodes.filter(
                        (pl.col("CHILD") == key)
                        & (pl.col("DECOM") >= start)
                        & (pl.col("DECOM") <= point)
                    )
                    if hits.height or (ssda903_from <= start and point <= ssda903_covers):
                        found["entered_care"] = hits.height > 0
                if cin is not None and {"LAchildID", "CINreferralDate"} <= set(cin.columns):
                    hits = cin.filter(
                        (pl.col("LAchildID") == cin_key)
                        & (pl.col("CINreferralDate") > start + dt.timedelta(days=30))
                        & (pl.col("CINreferralDate") <= point)
                    )
                    if hits.height or (cin_from <= start and point <= cin_covers):
                        found["re_referred"] = hits.height > 0
                if not found:
                    continue
                outcome, _ = Outcome.objects.get_or_create(
                    child=child, months=months, defaults={"checked_on": today}
                )
                for name, value in found.items():
                    # Not being in the returns never overrules what a practitioner recorded.
                    if (
                        not value
                        and getattr(outcome, f"{name}_source") == Outcome.Source.PRACTITIONER
                    ):
                        continue
                    setattr(outcome, name, value)
                    setattr(outcome, f"{name}_source", Outcome.Source.RETURNS)
                    filled += 1
                outcome.save()
        council_settings(organisation)
        outcomes_changed(organisation.pk)
    return filled
