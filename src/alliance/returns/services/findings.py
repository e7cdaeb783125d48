"""An upload's findings and their drill-down: the flagged values, stored pseudonymised with a
re-identification file for the council's own report, and what changed since the last upload."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from alliance.returns import shared_storage, storage
from alliance.returns.models import Upload
from statutory.engine.pseudonym import child_pseudonyms
from statutory.ssda903.pseudonymise import postcode_sector


def with_values(
    findings: pl.DataFrame, tables: dict[str, pl.DataFrame], *, masked: bool = False
) -> pl.DataFrame:
    """Add `values`: 'FIELD: value; …' for the cells each finding fails on (`fields`), and
    `read_values` the same for the other fields its rule reads (`reads`), so a person can see
    the row's problem and the whole condition without the file (the file itself is not kept).
    A field of another table than the flagged row's is shown as the child's values there,
    'SW_DECOM (SWEpisodes): 01/04/2025' or '(none for this child)'. `masked` shows direct
    identifiers as the pseudonymised tables hold them (`_masked`)."""
    out = findings.with_columns(
        _values_of(findings, "fields", tables, masked=masked).alias("values"),
        _values_of(findings, "reads", tables, masked=masked).alias("read_values"),
    )
    return out


# Fields the rules work out from the return's own (a placement's council, whether it is in the
# council's area, its distance from home all come from the postcodes): a finding on one is a
# finding on the fields it comes from, which are what the council can put right.
DERIVED_FROM: dict[str, list[str]] = {
    "PL_LA": ["PL_POST"],
    "PL_LOCATION": ["PL_POST"],
    "PL_DISTANCE": ["HOME_POST", "PL_POST"],
}

# At most this many of a child's values of a field in another table are listed.
OTHER_TABLE_VALUES = 5


def _shown(source: pl.DataFrame, name: str, *, masked: bool) -> pl.Expr:
    """A column's value as text, as supplied (dates dd/mm/yyyy, the raw text a typed column
    kept), or masked."""
    if masked and name in IDENTIFYING:
        return _masked(name, source.schema[name])
    column = f"{name}__raw" if f"{name}__raw" in source.columns else name
    if source.schema[name] == pl.Date:
        return pl.coalesce(pl.col(name).dt.strftime("%d/%m/%Y"), pl.col(column))
    return pl.col(column).cast(pl.String)


def _values_of(
    findings: pl.DataFrame, column: str, tables: dict[str, pl.DataFrame], *, masked: bool
) -> pl.Series:
    """'FIELD: value; …' for the fields each finding names in `column`, in its order."""
    if findings.is_empty() or column not in findings.columns:
        return pl.Series([None] * findings.height, dtype=pl.String)
    exploded = (
        findings.with_row_index("_i")
        .select(
            "_i",
            "table",
            "row_number",
            "child_id",
            pl.col(column).str.split(";").alias("field"),
        )
        .explode("field")
        .filter(pl.col("field").is_not_null() & (pl.col("field") != ""))
        # a field the rules work out from others is shown as the fields it comes from
        .with_columns(
            pl.col("field").replace_strict(
                DERIVED_FROM,
                default=pl.concat_list(pl.col("field")),
                return_dtype=pl.List(pl.String),
            )
        )
        .explode("field")
        .unique(subset=["_i", "field"], keep="first", maintain_order=True)
        .with_row_index("_order")
    )
    births = _births(tables) if masked else None
    pieces: list[pl.DataFrame] = []
    for (table, field), rows in exploded.group_by("table", "field"):
        name, source = str(field), tables.get(str(table))
        if source is not None and name in source.columns:
            looked = _no_birthdays(
                source,
                name,
                births,
                source.select(
                    pl.col("ROW_NUMBER").alias("row_number"),
                    _shown(source, name, masked=masked).alias("v"),
                    *_date_and_child(source, name),
                ),
            )
            pieces.append(
                rows.join(looked, on="row_number", how="left").select(
                    "_i",
                    "_order",
                    pl.concat_str(pl.lit(name + ": "), pl.col("v").fill_null("(blank)")).alias("v"),
                )
            )
            continue
        other = _other_table(tables, name, str(table))
        if other is None:
            # named by the rule but in none of the return's tables: said, not left out
            pieces.append(
                rows.select("_i", "_order", pl.lit(f"{name}: (not in the return)").alias("v"))
            )
            continue
        other_name, frame, child = other
        per_child = (
            _no_birthdays(
                frame,
                name,
                births,
                frame.select(
                    pl.col(child).cast(pl.String).alias("child_id"),
                    _shown(frame, name, masked=masked).alias("v"),
                    *_date_and_child(frame, name),
                ),
            )
            .drop_nulls("v")
            .unique(maintain_order=True)
            .group_by("child_id", maintain_order=True)
            .agg(
                pl.col("v").head(OTHER_TABLE_VALUES).str.join(", "),
                pl.len().cast(pl.Int64).alias("n"),
            )
        )
        more = pl.col("n") - OTHER_TABLE_VALUES
        pieces.append(
            rows.join(per_child, on="child_id", how="left").select(
                "_i",
                "_order",
                pl.concat_str(
                    pl.lit(f"{name} ({other_name}): "),
                    pl.when(pl.col("v").is_null())
                    .then(pl.lit("(none for this child)"))
                    .when(more > 0)
                    .then(pl.format("{} and {} more", pl.col("v"), more))
                    .otherwise(pl.col("v")),
                ).alias("v"),
            )
        )
    empty = pl.Series([None] * findings.height, dtype=pl.String)
    if not pieces:
        return empty
    joined = (
        pl.concat(pieces)
        .sort("_order")
        .group_by("_i", maintain_order=True)
        .agg(pl.col("v").str.join("; "))
    )
    return (
        pl.DataFrame({"_i": pl.int_range(findings.height, eager=True).cast(pl.UInt32)})
        .join(joined, on="_i", how="left")
        .sort("_i")["v"]
    )


def _births(tables: dict[str, pl.DataFrame]) -> pl.Series | None:
    """Every child's date of birth in the return, from its own table of them."""
    for table, column in (("Header", "DOB"), ("ChildIdentifiers", "PersonBirthDate")):
        frame = tables.get(table)
        if frame is not None and column in frame.columns and frame.schema[column] == pl.Date:
            return frame[column].drop_nulls().unique()
    return None


def _date_and_child(source: pl.DataFrame, name: str) -> list[pl.Expr]:
    return [pl.col(name).alias("_d")] if source.schema[name] == pl.Date else []


def _no_birthdays(
    source: pl.DataFrame, name: str, births: pl.Series | None, looked: pl.DataFrame
) -> pl.DataFrame:
    """In stored findings, a date that is a date of birth in the return (a baby coming into care
    the day it was born, or by chance another child's birthday) is shown as the first of its
    month, as a date of birth is: any field could otherwise give a birth date away. The
    council's own report shows it in full (the re-identification file)."""
    if births is None or "_d" not in looked.columns:
        return looked.drop("_d", strict=False)
    return looked.with_columns(
        pl.when(pl.col("_d").is_in(births.implode()))
        .then(pl.col("_d").dt.truncate("1mo").dt.strftime("%d/%m/%Y"))
        .otherwise(pl.col("v"))
        .alias("v")
    ).drop("_d")


def _other_table(
    tables: dict[str, pl.DataFrame], name: str, flagged: str
) -> tuple[str, pl.DataFrame, str] | None:
    """The first other table with the field and a child id: (its name, frame, child id column)."""
    for table, frame in tables.items():
        if table == flagged or name not in frame.columns:
            continue
        for child in ("CHILD", "LAchildID"):
            if child in frame.columns:
                return table, frame, child
    return None


# Direct identifiers in the returns' fields: never stored in clear outside the council's
# re-identification file (below), never in anything that leaves the council's own view.
IDENTIFYING_IDS = frozenset({"CHILD", "LAchildID", "UPN", "FormerUPN"})
IDENTIFYING_DATES = frozenset({"DOB", "MC_DOB", "PersonBirthDate", "ExpectedPersonBirthDate"})
IDENTIFYING_POSTCODES = frozenset({"HOME_POST", "PL_POST"})
IDENTIFYING = IDENTIFYING_IDS | IDENTIFYING_DATES | IDENTIFYING_POSTCODES
WITHHELD = "(withheld)"
IDENTITIES = "identities"
"""The report's re-identification file: the real child id and values of each finding, in the
findings' order, read only for the council's own report and deleted with it."""


def _masked(name: str, dtype: pl.DataType) -> pl.Expr:
    """A direct identifier as the pseudonymised tables show it: a date of birth as the first of
    its month, a postcode as its sector, an id or UPN not at all."""
    if name in IDENTIFYING_DATES and dtype == pl.Date:
        return pl.col(name).dt.truncate("1mo").dt.strftime("%d/%m/%Y").fill_null(WITHHELD)
    if name in IDENTIFYING_POSTCODES:
        return postcode_sector(pl.col(name).cast(pl.String))
    return pl.lit(WITHHELD)


def pseudonymised_findings(
    findings: pl.DataFrame, tables: dict[str, pl.DataFrame], key: bytes
) -> pl.DataFrame:
    """The findings as they are stored: child ids as the council's pseudonyms (the ones the
    stored tables hold), direct identifiers among the flagged values masked (`_masked`)."""
    frame = with_values(findings, tables, masked=True)
    if frame.is_empty() or "child_id" not in frame.columns:
        return frame
    ids = frame["child_id"].cast(pl.String)
    mapping = child_pseudonyms(key, ids.drop_nulls().unique().to_list())
    return frame.with_columns(
        pl.col("child_id").cast(pl.String).replace_strict(mapping, default=None)
    )


def findings_frame(upload: Upload, *, identified: bool = False) -> pl.DataFrame:
    """The upload's stored findings (pseudonymised), or an empty frame once they are deleted
    (`remove_expired_findings`). `identified=True` is for the council's own report only: the
    real child ids and values from the re-identification file put back."""
    folder = storage.report_dir(upload.organisation_id, upload.pk)
    shared_storage.fetch(folder, problem=shared_storage.NO_STORAGE_TO_SHOW)
    path = folder / "findings.parquet"
    if not path.exists():
        return pl.DataFrame()
    frame = pl.read_parquet(path)
    ids = folder / f"{IDENTITIES}.parquet"
    if identified and ids.exists():
        real = pl.read_parquet(ids)
        if real.height == frame.height:
            frame = frame.with_columns(
                real[c] for c in ("child_id", "values", "read_values") if c in real.columns
            )
    return frame


@dataclass(frozen=True)
class RuleChange:
    rule_code: str
    message: str
    severity: str
    before: int
    now: int

    @property
    def change(self) -> int:
        return self.now - self.before


def changes(upload: Upload) -> list[RuleChange]:
    """Per rule, findings in the upload this one was compared with and in this one (rules that
    found nothing in both are left out), biggest change first."""
    earlier = upload.compared_with
    if earlier is None or earlier.status != Upload.Status.ACCEPTED:
        return []
    before = {c["rule_code"]: c for c in earlier.summary.get("counts", [])}
    now = {c["rule_code"]: c for c in upload.summary.get("counts", [])}
    out = []
    for code in set(before) | set(now):
        item = now.get(code) or before[code]
        out.append(
            RuleChange(
                code,
                item["message"],
                item["severity"],
                int(before.get(code, {}).get("findings", 0)),
                int(now.get(code, {}).get("findings", 0)),
            )
        )
    return sorted(out, key=lambda c: (-abs(c.change), c.rule_code))
