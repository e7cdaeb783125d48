"""Loads England's councils with children's-services duties, their regions, their DfE statistical
neighbours and the centre of each council's area, from ../shared/data/reference/.

Files (see reference/SOURCES.md):
- derived/la_reference_153_2024.csv: the canonical 153 councils, codes, names, regions, children 0–17.
- ofsted-ilacs-scrape-tool/Provider_data_lookup.csv: Ofsted URNs (its 3 legacy councils are skipped).
- dfe-csc-outcomes-enablers/sn_model_2025_wide.csv: the DfE 2025 statistical neighbour model
  (closeness labels have trailing spaces upstream: stripped).
- onspd/onspd_postcodes.csv.gz with LTLA-UTLA_Apr23 lookup: the mean grid reference of each
  council's postcodes, for distances between councils.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from django.utils.text import slugify

from alliance.organisations.models import (
    Council,
    CouncilType,
    Organisation,
    Region,
    StatisticalNeighbour,
)
from alliance.organisations.reference import (
    LoadReport,
    ReferenceFileError,
    read_csv_rows,
    require,
    upsert,
)

COUNCILS = "reference/derived/la_reference_153_2024.csv"
PROVIDERS = "reference/ofsted-ilacs-scrape-tool/Provider_data_lookup.csv"
NEIGHBOURS_2025 = "reference/dfe-csc-outcomes-enablers/sn_model_2025_wide.csv"
POSTCODES = "reference/onspd/onspd_postcodes.csv.gz"
LTLA_UTLA = "reference/dfe-csc-outcomes-enablers/LTLA-UTLA_Apr23_Lookup_England-Wales.csv"
# An official table keyed by both DfE and ONS codes over many years: it tells which ONS codes each
# council has had (Barnsley and Sheffield were recoded in 2024, after the 2023 LTLA lookup).
CODE_HISTORY = "reference/dfe-csc-outcomes-enablers/csww_indicators_2017_to_2025.csv"

_TYPES = {
    "London borough": CouncilType.LONDON_BOROUGH,
    "Metropolitan district": CouncilType.METROPOLITAN_DISTRICT,
    "Unitary authority": CouncilType.UNITARY_AUTHORITY,
    "County": CouncilType.COUNTY,
    "County council": CouncilType.COUNTY,
}


def load(data_dir: Path) -> list[LoadReport]:
    return [load_councils(data_dir), load_neighbours(data_dir), load_centres(data_dir)]


def load_councils(data_dir: Path) -> LoadReport:
    path = data_dir / COUNCILS
    report = LoadReport("Councils")
    urns = _ofsted_urns(data_dir / PROVIDERS)
    seen: set[str] = set()
    for row_number, row in read_csv_rows(
        path,
        [
            "old_la_code",
            "new_la_code",
            "la_name",
            "ons_code_type",
            "region_code",
            "region_name",
            "ofsted_region",
            "ofsted_la_name",
            "children_0_17_mid2024",
        ],
    ):
        dfe_code = require(path, row_number, row, "old_la_code", r"\d{3}")
        ons_code = require(path, row_number, row, "new_la_code", r"E(06|08|09|10)\d{6}")
        if dfe_code in seen:
            raise ReferenceFileError(
                path, f"council {dfe_code} appears twice", row=row_number, column="old_la_code"
            )
        seen.add(dfe_code)
        kind = require(path, row_number, row, "ons_code_type")
        if kind not in _TYPES:
            raise ReferenceFileError(
                path, f"unknown council type {kind!r}", row=row_number, column="ons_code_type"
            )
        children = row["children_0_17_mid2024"]
        if children and not children.isdigit():
            raise ReferenceFileError(
                path,
                f"{children!r} is not a whole number",
                row=row_number,
                column="children_0_17_mid2024",
            )
        region = Region.objects.filter(
            code=require(path, row_number, row, "region_code", r"E1[23]\d{6}")
        ).first()
        if region is None:
            region = Region.objects.create(
                code=row["region_code"], name=require(path, row_number, row, "region_name")
            )
        name = require(path, row_number, row, "la_name")
        organisation = Organisation.objects.filter(council__dfe_code=dfe_code).first()
        if organisation is None:
            organisation = Organisation.objects.create(
                kind=Organisation.Kind.COUNCIL, name=name, slug=slugify(name)[:100]
            )
        elif organisation.name != name:
            organisation.name = name
            organisation.save(update_fields=["name"])
        upsert(
            Council,
            {"dfe_code": dfe_code},
            {
                "organisation": organisation,
                "ons_code": ons_code,
                "name": name,
                "ofsted_name": row["ofsted_la_name"] or name,
                "council_type": _TYPES[kind],
                "region": region,
                "ofsted_region": row["ofsted_region"],
                "ofsted_urn": urns.get(dfe_code, ""),
                "children_0_17": int(children) if children else None,
                "population_year": 2024 if children else None,
            },
            report,
        )
    if len(seen) != 153:
        report.notes.append(f"expected 153 councils, found {len(seen)}")
    return report


def _ofsted_urns(path: Path) -> dict[str, str]:
    urns: dict[str, str] = {}
    for row_number, row in read_csv_rows(path, ["urn", "la_code"]):
        code = row["la_code"]
        if row["urn"] and not row["urn"].isdigit():
            raise ReferenceFileError(
                path, f"{row['urn']!r} is not an Ofsted URN", row=row_number, column="urn"
            )
        if code:
            urns[code] = row["urn"]
    return urns


def load_neighbours(data_dir: Path) -> LoadReport:
    path = data_dir / NEIGHBOURS_2025
    report = LoadReport("Statistical neighbours (DfE 2025 model)")
    councils = {c.dfe_code: c for c in Council.objects.all()}
    wanted: dict[tuple[int, int], tuple[int, str]] = {}
    columns = ["old_la_code", *[f"SN_{i}" for i in range(1, 11)]]
    for row_number, row in read_csv_rows(path, columns):
        council = councils.get(row["old_la_code"])
        if council is None:
            raise ReferenceFileError(
                path,
                f"unknown council code {row['old_la_code']!r}",
                row=row_number,
                column="old_la_code",
            )
        for rank in range(1, 11):
            code = row[f"SN_{rank}"]
            neighbour = councils.get(code)
            if neighbour is None:
                raise ReferenceFileError(
                    path, f"unknown council code {code!r}", row=row_number, column=f"SN_{rank}"
                )
            wanted[(council.pk, rank)] = (neighbour.pk, row.get(f"SN_{rank}P", "").strip())
    existing = {
        (n.council_id, n.rank): n for n in StatisticalNeighbour.objects.filter(model="2025")
    }
    for key, (neighbour_id, closeness) in wanted.items():
        link = existing.pop(key, None)
        if link is not None and (link.neighbour_id, link.closeness) == (neighbour_id, closeness):
            report.unchanged += 1
            continue
        if link is None:
            report.loaded += 1
        else:
            # Ranks can swap within a council: clear the old row first so the unique constraint holds.
            link.delete()
            report.changed += 1
        StatisticalNeighbour.objects.create(
            council_id=key[0],
            rank=key[1],
            neighbour_id=neighbour_id,
            closeness=closeness,
            model="2025",
        )
    for stale in existing.values():
        stale.delete()
        report.changed += 1
    return report


def load_centres(data_dir: Path) -> LoadReport:
    """The mean grid reference of each council's postcodes: good enough for 'how far apart are
    these two councils' (distances are straight lines in metres on the OS grid)."""
    report = LoadReport("Council area centres (ONS postcode directory)")
    postcodes = data_dir / POSTCODES
    lookup = data_dir / LTLA_UTLA
    for path in (postcodes, lookup):
        if not path.exists():
            raise ReferenceFileError(path, "file not found")
    try:
        ltla = pl.read_csv(lookup, columns=["LTLA23CD", "UTLA23CD"], encoding="utf8-lossy")
        centres = (
            pl.scan_csv(postcodes, schema_overrides={"easting": pl.Int64, "northing": pl.Int64})
            .filter(pl.col("lad_code").str.starts_with("E") & pl.col("easting").is_not_null())
            .join(ltla.lazy(), left_on="lad_code", right_on="LTLA23CD", how="left")
            .with_columns(pl.coalesce("UTLA23CD", "lad_code").alias("council_code"))
            .group_by("council_code")
            .agg(
                pl.col("easting").mean().round(0).cast(pl.Int64),
                pl.col("northing").mean().round(0).cast(pl.Int64),
            )
            .collect()
        )
    except pl.exceptions.PolarsError as exc:
        raise ReferenceFileError(postcodes, f"could not read: {exc}") from None
    by_code = {
        row["council_code"]: (row["easting"], row["northing"])
        for row in centres.iter_rows(named=True)
    }
    history: dict[str, set[str]] = {}
    for _row, row in read_csv_rows(
        data_dir / CODE_HISTORY, ["geographic_level", "old_la_code", "new_la_code"]
    ):
        if row["geographic_level"] == "Local authority":
            history.setdefault(row["old_la_code"], set()).add(row["new_la_code"])
    for council in Council.objects.all():
        codes = [
            council.ons_code,
            *sorted(history.get(council.dfe_code, set()) - {council.ons_code}),
        ]
        centre = next((by_code[code] for code in codes if code in by_code), None)
        if centre is None:
            report.rejected += 1
            report.notes.append(f"no postcodes found for {council.name} ({council.ons_code})")
            continue
        if (council.easting, council.northing) == centre:
            report.unchanged += 1
        else:
            council.easting, council.northing = centre
            council.save(update_fields=["easting", "northing"])
            report.changed += 1
    return report
