"""Reading a return sent as one XML file (the layout is in `statutory.ssda903.reader`'s docstring)."""

from __future__ import annotations

from typing import Any

import polars as pl
from lxml import etree

from statutory.engine.columns import ROW_NUMBER
from statutory.engine.errors import InputError
from statutory.engine.limits import (
    Limits,
    check_cells,
    check_rows,
)
from statutory.ssda903.schemas import YearSchema
from statutory.ssda903.tables import RawTable, _Collected

# --------------------------------------------------------------------------------------------
# XML

_XML_RENAMES = {"CHILDID": "CHILD", "PL": "PLACE"}
_XML_HEADER_CHILDREN = {
    "AREVIEW": "Reviews",
    "AMISSING": "Missing",
    "OC2": "OC2",
    "PERMANENCE": "PrevPerm",
    "AD_PLACED": "PlacedAdoption",
}
_XML_CHILD_TABLES = {"EPISODE": "Episodes", "SWEPISODE": "SWEpisodes", "SW_EPISODE": "SWEpisodes"}


def _leaves(element: object) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for node in element.iter():  # type: ignore[attr-defined]
        if len(node) == 0 and isinstance(node.tag, str):
            tag = _XML_RENAMES.get(node.tag.upper(), node.tag.upper())
            out[tag] = node.text
    return out


def _child_rows(child: Any, rows: dict[str, list[dict[str, str | None]]]) -> None:  # noqa: PLR0912
    """One child element -> its rows in every table (layout in the module docstring)."""
    top: dict[str, str | None] = {}
    for node in child:
        if not isinstance(node.tag, str):
            continue
        if len(node) == 0:
            tag = node.tag.upper()
            top[_XML_RENAMES.get(tag, tag)] = node.text
    base = {k: top.get(k) for k in ("CHILD", "SEX", "DOB")}
    rows["Header"].append(top)
    if top.get("DUC") or top.get("UASC") == "1":
        rows["UASC"].append({**base, "DUC": top.get("DUC")})
    if top.get("IN_TOUCH") is not None:
        rows["OC3"].append(top)
    if top.get("DATE_INT") is not None:
        rows["AD1"].append(top)
    for node in child:
        if not isinstance(node.tag, str) or len(node) == 0:
            continue
        tag = node.tag.upper()
        if tag in _XML_CHILD_TABLES and _XML_CHILD_TABLES[tag] in rows:
            rows[_XML_CHILD_TABLES[tag]].append({**base, **_leaves(node)})
        elif tag == "HEADER":
            for sub in node:
                if not isinstance(sub.tag, str):
                    continue
                table = _XML_HEADER_CHILDREN.get(sub.tag.upper())
                if table:
                    rows[table].append({**base, **_leaves(sub)})


def _read_xml(name: str, stream: Any, schema: YearSchema, into: _Collected, limits: Limits) -> None:
    """Stream the export (iterparse): each child element is turned into rows and freed, so
    memory grows with the rows kept, not with the XML tree. A child record may hold at most
    `max_columns` × 50 elements (a real one holds tens), so no one element can fill memory."""
    rows: dict[str, list[dict[str, str | None]]] = {t: [] for t in schema.tables}
    depth = 0
    children = 0
    elements = 0  # in the child record being read
    most = limits.max_columns * 50
    try:
        for event, element in etree.iterparse(
            stream, events=("start", "end"), resolve_entities=False, no_network=True
        ):
            if event == "start":
                depth += 1
                elements += 1
                if elements > most and depth > 1:
                    raise InputError(
                        name,
                        children + 1,
                        None,
                        f"this child record holds more than {most:,} elements; the limit is "
                        f"{limits.max_columns:,} columns × 50 (ALLIANCE_MAX_COLUMNS)",
                    )
                continue
            depth -= 1
            if depth == 1 and isinstance(element.tag, str):
                _child_rows(element, rows)
                children += 1
                elements = 0
                if children > limits.max_rows:
                    check_rows(name, "child", children, limits)
                element.clear()
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(name, line, None, f"not well-formed XML: {exc.msg}") from None
    if not children:
        raise InputError(name, None, None, "the XML holds no child records")
    into.source_format = "xml"
    for table, records in rows.items():
        if not records and table != "Header":
            continue
        check_rows(name, table, len(records), limits)
        columns = list(schema.tables[table].all_columns)
        frame = pl.DataFrame(
            {c: [r.get(c) for r in records] for c in columns},
            schema=dict.fromkeys(columns, pl.String),
        )
        check_cells(name, table, frame, limits)
        frame = frame.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(ROW_NUMBER))
        into.tables[table] = RawTable(table, frame, name)
