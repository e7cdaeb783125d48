"""What other apps may read from the returns app: the one module they import (an import-linter
contract enforces it).

For the council's own work (Edge of Care matching its own children, WorkPlace showing its own
council's figures): `latest_tables`, `pseudonymise_id` and `own_indicator_history`, exact, since
the council's own staff may see them.

For everyone else, figures already safe to show:

A council's own return indicators are shown outside the returns app (the programme's need page,
which DfE analysts and administrators reach for every council). Shown exactly, they would undo
the small-number suppression of the aggregates: a category count the aggregates hide, or the
total or a share that fixes it, could be read off or subtracted. So other apps get the figures
through `suppressed_indicators`, which hides, for a council the viewer is not entitled to:

- every count the aggregates hide in that council's row, primary (`<5`) or secondary (`[c]`),
  worked out with the same `suppression.suppress` over the same table a DfE analyst sees (every
  council's latest accepted return of that year);
- any other count from 1 to 4, and any share or rate whose numerator, or denominator minus
  numerator, is from 1 to 4 (`<5`);
- the totals, rates and shares built from a breakdown (`LINKED`) when any count in that
  council's row of the breakdown is hidden (`[c]`), since they would fix the hidden count.

Indicators are matched by their stable `code` (statutory.<return>.indicator_codes), never by
their English label, so rewording a label changes nothing here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl
from django.http import HttpRequest

from alliance.access.policy import Action, Area, get_visible_or_404
from alliance.organisations.models import Organisation
from alliance.returns import storage
from alliance.returns.models import Upload
from alliance.returns.services import (
    aggregate_figures,
    findings,
    findings_workbook,
    pooled_figures,
    sharing,
    stored_returns,
    uploading,
)
from statutory import suppression
from statutory.cin import indicator_codes as cin_codes
from statutory.measures import Breakdown
from statutory.ssda903 import indicator_codes as ssda903_codes
from statutory.suppression import PRIMARY, SECONDARY, THRESHOLD

# The breakdowns the aggregates show, by return: (caption, breakdown).
BREAKDOWNS = aggregate_figures.BREAKDOWNS

# Indicators (by code) whose figure is a total, rate or share of a breakdown's counts (by the
# breakdown's code): hidden when any count in the council's row of that breakdown is hidden.
LINKED: dict[str, tuple[str, ...]] = {
    ssda903_codes.STARTS_BY_NEED.code: ("cla_starts", "cla_starts_rate_per_10000"),
    ssda903_codes.CEASED_BY_REASON.code: (
        "cla_ceased",
        "cla_ceased_rate_per_10000",
        "cla_ceased_adopted",
        "adopted",
    ),
    cin_codes.CIN_BY_NEED.code: ("cin_at_31_march", "cin_rate_per_10000"),
    cin_codes.ASSESSMENT_FACTORS.code: ("episodes_with_factors",),
}


def _small(number: Any) -> bool:
    return number is not None and 0 < number < THRESHOLD


def _hidden_in_aggregates(organisation_id: int, kind: str, year: int) -> dict[str, str]:
    """Code → PRIMARY or SECONDARY for the council's counts the DfE's aggregates hide (a
    breakdown's total under the breakdown's own code)."""
    uploads = stored_returns.latest_uploads_for(None, kind, year)
    hidden: dict[str, str] = {}
    for _caption, breakdown in BREAKDOWNS[kind]:
        categories, _headings, rows = pooled_figures.breakdown_counts(uploads, breakdown)
        if not categories:
            continue
        grid = suppression.suppress(suppression.with_totals([c for _, c in rows]), THRESHOLD)
        codes = [*(breakdown.member_code(c) for c in categories), breakdown.code]
        for upload, cells in zip(uploads, grid, strict=False):
            if upload.organisation_id != organisation_id:
                continue
            for code, cell in zip(codes, cells, strict=True):
                if cell.value is None:
                    hidden[code] = cell.shown
    return hidden


def suppressed_indicators(
    organisation: Organisation | int, kind: str, *, exact: bool = False
) -> list[dict[str, Any]]:
    """The council's return indicators for its latest accepted year of `kind`, as
    `stored_returns.indicator_history` rows plus `shown` (the text to show) and `suppressed` ("",
    PRIMARY or SECONDARY). Hidden rows have `value`, `numerator` and `denominator` set to None.
    `exact` is for a person entitled to the council's own figures: nothing is hidden."""
    history = stored_returns.indicator_history(organisation, kind)
    if not history:
        return []
    year = max(r["year"] for r in history)
    rows = [r for r in history if r["year"] == year]
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    hidden = {} if exact else _hidden_in_aggregates(organisation_id, kind, year)
    breakdowns = [breakdown for _caption, breakdown in BREAKDOWNS[kind]]
    # breakdowns with a hidden count (or total) in this council's row
    broken = {
        b.code
        for b in breakdowns
        if any(code == b.code or b.category(code) is not None for code in hidden)
    }
    result = []
    for row in rows:
        mark = "" if exact else _mark(row, hidden, breakdowns, broken)
        if mark:
            result.append(
                {
                    **row,
                    "value": None,
                    "numerator": None,
                    "denominator": None,
                    "shown": mark,
                    "suppressed": "primary" if mark == PRIMARY else "secondary",
                }
            )
        else:
            result.append({**row, "shown": _number(row["value"], row["unit"]), "suppressed": ""})
    return result


def _mark(
    row: dict[str, Any], hidden: dict[str, str], breakdowns: list[Breakdown], broken: set[str]
) -> str:
    code = row["code"]
    if any(b.category(code) is not None for b in breakdowns):  # a breakdown's count: as the
        return hidden.get(code, "")  # aggregates show it
    if any(code in LINKED.get(b, ()) for b in broken):
        return SECONDARY
    numerator, denominator = row["numerator"], row["denominator"]
    if numerator is not None and denominator is not None:
        return PRIMARY if _small(numerator) or _small(denominator - numerator) else ""
    if row["unit"] in ("", "count") and _small(row["value"]):
        return PRIMARY
    return ""


def _number(value: Any, unit: str) -> str:
    if value is None:
        return ""
    text = f"{value:,.1f}".rstrip("0").rstrip(".")
    return f"{text}%" if unit == "%" else text


def latest_tables(
    organisation: Organisation | int, kind: str, year: int | None = None
) -> dict[str, pl.DataFrame]:
    """The council's latest accepted, pseudonymised tables of `kind` ("ssda903" or "cin"), every
    year stacked (or one `year`); {} when nothing is uploaded. For the council's own services."""
    return stored_returns.latest_tables(organisation, kind, year)


def tables_by_year(
    organisation: Organisation | int, kind: str
) -> dict[int, dict[str, pl.DataFrame]]:
    """The council's latest accepted, pseudonymised tables of `kind` for every collection year it
    has, {year: {table name: frame}}, oldest first; {} when nothing is accepted. For the
    council's own forecast (the council's own staff)."""
    return stored_returns.tables_by_year(organisation, kind)


def accepted_versions(organisation: Organisation | int, kind: str) -> dict[int, int]:
    """{collection year: id of the upload `tables_by_year` reads for it}: a figure computed from
    the council's tables stays right until this changes."""
    return stored_returns.accepted_versions(organisation, kind)


def sharing_councils(alliance: Organisation | int, kind: str) -> list[Organisation]:
    """The alliance's member councils with an agreement covering `kind` in force today, by
    name: whose returns the alliance's pooled figures (and pooled forecast) may use."""
    alliance_id = alliance if isinstance(alliance, int) else alliance.pk
    return sharing.sharing_councils(alliance_id, kind)


def pseudonymise_id(organisation: Organisation | int, child_id: str, kind: str = "ssda903") -> str:
    """The council's keyed pseudonym of one of its children's ids, as its stored tables hold it."""
    return stored_returns.pseudonymise_id(organisation, child_id, kind)


def own_indicator_history(organisation: Organisation | int, kind: str) -> list[dict[str, Any]]:
    """The council's own return indicators by year ({year, indicator, label, value, numerator,
    denominator, unit}), exact: for pages only the council's own staff reach."""
    return stored_returns.indicator_history(organisation, kind)


# For the API (alliance.api): the services the pages use, so an upload through the API is checked,
# stored, refused and audited exactly as one through the pages.

UploadProblem = storage.UploadProblem
KINDS = stored_returns.KINDS


def start_upload(
    *,
    organisation: Organisation,
    user: Any,
    kind: str,
    year: int,
    current: Sequence[storage.Chunked],
    previous: Sequence[storage.Chunked] = (),
    providers: Sequence[storage.Chunked] = (),
) -> Upload:
    """Store a council's return and queue its check (see `uploading.start_upload`); `providers`
    are Ofsted's provider lists (SSDA903 only)."""
    return uploading.start_upload(
        organisation=organisation,
        user=user,
        kind=kind,
        year=year,
        current=current,
        previous=previous,
        providers=providers,
    )


def collection_years(kind: str) -> list[int]:
    """The collection years (the year of 31 March) the service can check for `kind`."""
    return uploading.collection_years(kind)


def visible_upload(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> Upload:
    """The upload with this id if the person reaches it, else Http404 (an attempt on another
    organisation's upload is audited by the access policy)."""
    return get_visible_or_404(
        request, Upload.objects.select_related("organisation"), Area.RETURNS, action, pk=pk
    )


def progress(upload: Upload) -> dict[str, Any]:
    """Where the upload's check has got to, as the upload page shows it."""
    return {
        "id": upload.pk,
        "kind": upload.kind,
        "year": upload.year,
        "status": upload.status,
        "status_label": upload.get_status_display(),
        "stage": upload.stage,
        "percent": upload.percent_done,
        "finished": upload.status in Upload.FINISHED,
        "uploaded_at": upload.uploaded_at,
        "files": list(upload.file_names),
        "rules": [
            {
                "rule": c["rule_code"],
                "severity": c["severity"],
                "message": c.get("message", ""),
                "findings": c.get("findings", 0),
                "children": c.get("children", 0),
            }
            for c in upload.summary.get("counts", [])
        ]
        if upload.status == Upload.Status.ACCEPTED
        else [],
        "indicators": upload.indicators if upload.status == Upload.Status.ACCEPTED else [],
        "problem": upload.problem,
    }


def own_findings(upload: Upload) -> pl.DataFrame:
    """The upload's findings with the council's own child ids put back (the council's own report)."""
    return findings.findings_frame(upload, identified=True)


def findings_workbook_path(upload: Upload) -> Path | None:
    """The findings workbook when it is ready; else None, and it is being prepared."""
    path = findings_workbook.excel_report_path(upload)
    if path.exists():
        return path
    findings_workbook.request_excel_report(upload)
    return None


# Aggregates for the API: the same cells, for the same person, as the aggregates page and its CSV.


def aggregate_tables(user: Any, kind: str, year: int) -> tuple[list[dict[str, Any]], list[Upload]]:
    """The aggregates tables `user` may see (small numbers suppressed), and their uploads."""
    return aggregate_figures.aggregate_tables(user, kind, year)


def aggregate_cells(tables: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tables one shown cell a line: {table, council, category, count, suppressed}."""
    return aggregate_figures.aggregate_cells(tables)
