"""Data-sharing agreements and the pooled records of the councils that share them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import polars as pl
from django.db.models import Q
from django.utils import timezone

from alliance.organisations.models import AllianceMember, Organisation
from alliance.returns.models import DataSharingAgreement
from alliance.returns.services.stored_returns import latest_tables, previous_year_tables


def agreements_in_force(
    alliance_id: int, kind: str, on: dt.date | None = None
) -> list[DataSharingAgreement]:
    """The agreements with the alliance covering `kind` in force on the day (today): an
    agreement ended early is not in force from the day it was ended, so "End sharing today"
    stops the pooling at once."""
    day = on or timezone.localdate()
    found = (
        DataSharingAgreement.objects.filter(
            alliance_id=alliance_id, starts_on__lte=day, ends_on__gte=day
        )
        .filter(Q(ended_early_on__isnull=True) | Q(ended_early_on__gt=day))
        .filter(scope__in=[DataSharingAgreement.Scope.ALL, kind])
        .select_related("organisation")
        .order_by("organisation__name")
    )
    return list(found)


def sharing_councils(alliance_id: int, kind: str, on: dt.date | None = None) -> list[Organisation]:
    """The member councils of the alliance with an agreement covering `kind` in force on the
    day, each once however many agreements cover it (renewing before an old agreement ends is
    normal), by name."""
    members = set(
        AllianceMember.objects.filter(alliance_id=alliance_id).values_list(
            "council__organisation_id", flat=True
        )
    )
    councils: dict[int, Organisation] = {}
    for agreement in agreements_in_force(alliance_id, kind, on):
        if agreement.organisation_id in members:
            councils.setdefault(agreement.organisation_id, agreement.organisation)
    return sorted(councils.values(), key=lambda o: (o.name, o.pk))


def pooled_tables(
    alliance_id: int, kind: str, year: int
) -> tuple[dict[str, pl.DataFrame], list[Organisation]]:
    """The latest accepted pseudonymised tables of every council with an agreement in force with
    the alliance, stacked with a `COUNCIL` column (each council's records once); and the
    councils included."""
    included: list[Organisation] = []
    stacked: dict[str, list[pl.DataFrame]] = {}
    for council in sharing_councils(alliance_id, kind):
        tables = latest_tables(council, kind, year)
        if not tables:
            continue
        included.append(council)
        _stack(stacked, tables, council)
    return {n: pl.concat(f, how="diagonal_relaxed") for n, f in stacked.items()}, included


def pooled_previous(
    councils: Iterable[Organisation], kind: str, year: int
) -> dict[str, pl.DataFrame]:
    """Last year's pseudonymised tables of the pooled councils (`previous_year_tables`), stacked
    with a `COUNCIL` column: for the pooled figures only, never offered as a download."""
    stacked: dict[str, list[pl.DataFrame]] = {}
    for council in councils:
        _stack(stacked, previous_year_tables(council, kind, year), council)
    return {n: pl.concat(f, how="diagonal_relaxed") for n, f in stacked.items()}


def _stack(
    stacked: dict[str, list[pl.DataFrame]], tables: dict[str, pl.DataFrame], council: Organisation
) -> None:
    for name, frame in tables.items():
        stacked.setdefault(name, []).append(
            frame.with_columns(pl.lit(council.name).alias("COUNCIL"))
        )


# Direct identifiers: never in anything that leaves a council's own view (issue #12). The
# stored tables hold keyed pseudonyms of UPNs; the pooled files leave even those out, as no
# pooled figure needs them.
POOLED_LEFT_OUT = frozenset({"UPN", "FormerUPN", "ROW_NUMBER"})


def pooled_download_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """A pooled table as the alliance lead downloads it: `COUNCIL` first, then the table's
    pseudonymised columns, without UPN pseudonyms, row numbers or unparsed text."""
    return frame.select(
        "COUNCIL",
        *[
            c
            for c in frame.columns
            if c != "COUNCIL" and c not in POOLED_LEFT_OUT and not c.endswith("__raw")
        ],
    )
