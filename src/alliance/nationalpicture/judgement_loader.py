"""Stores every council's Ofsted judgement history in the database.

The history itself (three published sources, each inspection once, former councils kept with the
day they ended) is read and reconciled by the Django-free `insight.judgements`; this module only
matches its councils to the stored ones and writes the rows that changed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from alliance.nationalpicture.models import Judgement, Source
from alliance.organisations.models import Council
from alliance.organisations.reference import LoadReport, ReferenceFileError
from insight import judgements as history_files

# The history's names for its sources -> the stored Source values.
_SOURCES = {
    history_files.SOURCE_OFFICIAL: Source.OFFICIAL_2025.value,
    history_files.SOURCE_2023: Source.OFSTED_2023.value,
    history_files.SOURCE_SCRAPE: Source.SCRAPE.value,
}
_LINK_LENGTH = 300  # Judgement.link's max_length


def _read(data_dir: Path) -> history_files.History:
    """The history, a file's problem told as the other reference loaders tell it."""
    try:
        return history_files.load_history(data_dir)
    except history_files.InsightDataError as exc:
        raise ReferenceFileError(
            exc.path, exc.message, row=exc.row, column=exc.column or None
        ) from None


def _values(
    judgement: history_files.Judgement,
    council: history_files.Council,
    stored: dict[str, Council],
) -> tuple[tuple[str, str, dt.date], dict[str, Any]]:
    """The stored row's key (area name, framework, publication date) and its other values."""
    current = stored.get(council.code) if council.ended is None else None
    if council.ended is None and current is None:
        raise ReferenceFileError(
            history_files.COUNCILS, f"council {council.code} ({council.name}) is not loaded"
        )
    area_name = current.ofsted_name if current else f"{council.name} (former council)"
    values = {
        "council_id": current.pk if current else None,
        "area_code": council.code,
        "ended": council.ended,
        "inspection_date": judgement.inspected,
        "overall": judgement.overall,
        "leaders": judgement.leaders,
        "help_and_protection": judgement.help_and_protection,
        "children_in_care": judgement.children_in_care,
        "care_leavers": judgement.care_leavers,
        "adoption": judgement.adoption,
        "source": _SOURCES[judgement.source],
        "link": judgement.link[:_LINK_LENGTH],
    }
    return (area_name, judgement.framework, judgement.published), values


def load_judgements(data_dir: Path) -> LoadReport:
    report = LoadReport("Ofsted judgements")
    history = _read(data_dir)
    report.notes.extend(history.notes)
    stored = {c.ons_code: c for c in Council.objects.all()}
    wanted: dict[tuple[str, str, dt.date], dict[str, Any]] = {}
    for judgement in history.judgements:
        key, values = _values(judgement, history.councils[judgement.council], stored)
        wanted[key] = values
    formers = sorted({key[0] for key, values in wanted.items() if values["council_id"] is None})
    report.notes.append(f"former councils kept with their judgements: {', '.join(formers)}")

    existing = {(j.area_name, j.framework, j.published): j for j in Judgement.objects.all()}
    to_create: list[Judgement] = []
    to_update: list[Judgement] = []
    fields = list(next(iter(wanted.values()))) if wanted else []
    for key, values in wanted.items():
        current = existing.pop(key, None)
        if current is None:
            to_create.append(
                Judgement(area_name=key[0], framework=key[1], published=key[2], **values)
            )
            report.loaded += 1
        elif any(getattr(current, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(current, f, v)
            to_update.append(current)
            report.changed += 1
        else:
            report.unchanged += 1
    Judgement.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        Judgement.objects.bulk_update(to_update, fields, batch_size=500)
    if existing:
        Judgement.objects.filter(pk__in=[j.pk for j in existing.values()]).delete()
        report.changed += len(existing)
        report.notes.append(f"{len(existing)} judgements no longer in the sources were removed")
    return report


def load(data_dir: Path) -> list[LoadReport]:
    """The judgements' part of `load-reference`."""
    return [load_judgements(data_dir)]
