"""An upload's findings and their drill-down: the flagged values, stored pseudonymised with a
re-identification file for the council's own report, and what changed since the last upload."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from alliance.returns import storage
from alliance.returns.models import Upload
from statutory.engine.pseudonym import child_pseudonyms
from statutory.ssda903.pseudonymise import postcode_sector


def with_values(
    findings: pl.DataFrame, tables: dict[str, pl.DataFrame], *, masked: bool = False
) -> pl.DataFrame:
    """Add `values`: 'FIELD: value; …' for the cells each finding names, so a person can see the
    row's problem without the file (the file itself is not kept). `masked` shows direct
    identifiers as the pseudonymised tables hold them (`_masked`)."""
    if findings.is_empty():
        return findings.with_columns(pl.lit(None, dtype=pl.String).alias("values"))
    parts: list[pl.DataFrame] = []
    indexed = findings.with_row_index("_i")
    for (table,), group in indexed.group_by("table", maintain_order=True):
        source = tables.get(str(table))
        exploded = group.select(
            "_i", "row_number", pl.col("fields").str.split(";").alias("field")
        ).explode("field")
        if source is None or source.is_empty():
            continue
        pieces = []
        for (field,), rows in exploded.group_by("field"):
            name = str(field or "")
            if name not in source.columns:
                continue
            column = f"{name}__raw" if f"{name}__raw" in source.columns else name
            value = (
                pl.coalesce(pl.col(name).dt.strftime("%d/%m/%Y"), pl.col(column))
                if source.schema[name] == pl.Date
                else pl.col(column).cast(pl.String)
            )
            if masked and name in IDENTIFYING:
                value = _masked(name, source.schema[name])
            looked = source.select(pl.col("ROW_NUMBER").alias("row_number"), value.alias("v"))
            pieces.append(
                rows.join(looked, on="row_number", how="left").select(
                    "_i",
                    pl.concat_str(pl.lit(name + ": "), pl.col("v").fill_null("(blank)")).alias("v"),
                )
            )
        if pieces:
            parts.append(pl.concat(pieces))
    if not parts:
        return findings.with_columns(pl.lit(None, dtype=pl.String).alias("values"))
    values = pl.concat(parts).group_by("_i").agg(pl.col("v").str.join("; ").alias("values"))
    return indexed.join(values, on="_i", how="left").sort("_i").drop("_i")


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
    path = folder / "findings.parquet"
    if not path.exists():
        return pl.DataFrame()
    frame = pl.read_parquet(path)
    ids = folder / f"{IDENTITIES}.parquet"
    if identified and ids.exists():
        real = pl.read_parquet(ids)
        if real.height == frame.height:
            frame = frame.with_columns(real["child_id"], real["values"])
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
