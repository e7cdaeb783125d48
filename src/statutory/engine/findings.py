"""The result of a validation run: one row per finding, per-rule counts, what could not run.

Its own module so that the reports (`reports.py`) and the run (`run.py`) both depend on it and
not on each other: the run builds `Findings`, the reports read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from statutory.engine.context import Return
from statutory.engine.registry import code_sort_key
from statutory.engine.reports import write_report

# `fields`: the fields the finding fails on; `reads`: the other fields the rule reads (both
# ';'-separated), so a person sees the whole condition, not just the cell at fault
FINDING_COLUMNS = (
    "rule_code",
    "severity",
    "table",
    "row_number",
    "child_id",
    "fields",
    "reads",
    "message",
)
FINDING_SCHEMA = {
    "rule_code": pl.String,
    "severity": pl.String,
    "table": pl.String,
    "row_number": pl.Int64,
    "child_id": pl.String,
    "fields": pl.String,
    "reads": pl.String,
    "message": pl.String,
}


@dataclass(frozen=True)
class RuleError:
    """A check that crashed or returned something unusable: reported, never fatal to the run."""

    code: str
    error: str
    detail: str = ""


@dataclass
class Findings:
    """One row per finding (`frame`), per-rule counts, and what could not be checked."""

    frame: pl.DataFrame
    year: int
    rules_run: list[str] = field(default_factory=list)
    errors: list[RuleError] = field(default_factory=list)
    seconds: float = 0.0
    return_: Return | None = None
    # seconds each check took (to find the slow ones: bench/ssda903_bench.py prints them)
    timings: dict[str, float] = field(default_factory=dict)
    # rules that apply but could not run on this input, with the reason (never counted as passed)
    not_run: dict[str, str] = field(default_factory=dict)

    @property
    def counts(self) -> pl.DataFrame:
        """rule_code, severity, message, findings, children — in code order."""
        if self.frame.is_empty():
            return pl.DataFrame(
                schema={
                    "rule_code": pl.String,
                    "severity": pl.String,
                    "message": pl.String,
                    "findings": pl.UInt32,
                    "children": pl.UInt32,
                }
            )
        counts = self.frame.group_by("rule_code", maintain_order=True).agg(
            pl.col("severity").first(),
            pl.col("message").first(),
            pl.len().alias("findings"),
            pl.col("child_id").n_unique().alias("children"),
        )
        order = sorted(counts["rule_code"].to_list(), key=code_sort_key)
        rank = {code: i for i, code in enumerate(order)}
        return counts.sort(pl.col("rule_code").replace_strict(rank, return_dtype=pl.Int64))

    def __len__(self) -> int:
        return self.frame.height

    def for_rule(self, code: str) -> pl.DataFrame:
        return self.frame.filter(pl.col("rule_code") == code)

    def write(self, path: str) -> None:
        write_report(self, path)


def empty_findings_frame() -> pl.DataFrame:
    return pl.DataFrame(schema=FINDING_SCHEMA)
