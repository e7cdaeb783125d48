"""The aggregate figures a person may see: each breakdown's counts council by council, with
totals, small numbers suppressed. The aggregates page, its CSV and the API's aggregates all come
from here, so they show exactly the same cells to the same person."""

from __future__ import annotations

from typing import Any

from alliance.access.policy import Area, scope
from alliance.organisations.models import Organisation
from alliance.returns.models import Upload
from alliance.returns.services import pooled_figures, sharing, stored_returns
from statutory.cin import indicator_codes as cin_codes
from statutory.measures import Breakdown
from statutory.ssda903 import indicator_codes as ssda903_codes

# The breakdowns the aggregates show, by return: (caption, breakdown).
BREAKDOWNS: dict[str, list[tuple[str, Breakdown]]] = {
    "ssda903": [
        ("Children starting to be looked after, by category of need", ssda903_codes.STARTS_BY_NEED),
        ("Children who stopped being looked after, by reason", ssda903_codes.CEASED_BY_REASON),
    ],
    "cin": [
        ("Children in need at 31 March, by primary need", cin_codes.CIN_BY_NEED),
        ("Assessment factors recorded", cin_codes.ASSESSMENT_FACTORS),
    ],
}


def councils_in_reach(user: Any, kind: str) -> set[int] | None:
    """The councils whose counts the person may see in the aggregates (None: every council).

    Suppression has to hold across everything a person can reach, not only inside one table:
    an alliance lead who sees a council's suppressed row beside column totals, and the other
    councils' exact figures on the pooled page, can subtract. So an alliance's reach is only
    the councils sharing `kind` with it under an agreement in force (whose records the lead
    sees anyway); a council whose agreement has ended does not appear at all. A council's own
    people see their own council."""
    reach = scope(user, Area.AGGREGATES)
    if reach.everything:
        return None
    reachable = Organisation.objects.filter(pk__in=reach.organisation_ids)
    own = set(
        reachable.filter(
            kind=Organisation.Kind.COUNCIL, memberships__user_id=user.pk or 0
        ).values_list("pk", flat=True)
    )
    for alliance in reachable.filter(kind=Organisation.Kind.ALLIANCE):
        own |= {c.pk for c in sharing.sharing_councils(alliance.pk, kind)}
    return own


def aggregate_tables(user: Any, kind: str, year: int) -> tuple[list[dict[str, Any]], list[Upload]]:
    """The breakdown tables the person may see, each suppressed with its totals, and the
    uploads they come from."""
    uploads = stored_returns.latest_uploads_for(councils_in_reach(user, kind), kind, year)
    return pooled_figures.breakdown_tables(uploads, BREAKDOWNS[kind]), uploads


def aggregate_cells(tables: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tables one cell a line, as shown: {table, council, category, count, suppressed}.
    `count` is the shown text (`<5` and `[c]` for hidden counts), never the count behind it."""
    return [
        {
            "table": table["caption"],
            "council": name,
            "category": column,
            "count": cell.shown,
            "suppressed": cell.suppressed,
        }
        for table in tables
        for name, cells in table["rows"]
        for column, cell in zip(table["columns"], cells, strict=True)
    ]
