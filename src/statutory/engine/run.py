"""Run every applicable check on a return and gather the findings into one frame."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import polars as pl

from statutory.engine.columns import RAW_SUFFIX, ROW_NUMBER
from statutory.engine.context import Context, Return
from statutory.engine.errors import NotRun
from statutory.engine.findings import Findings, RuleError, empty_findings_frame
from statutory.engine.registry import Registry, code_sort_key
from statutory.engine.rule import Flag, Rule


class RuleOutputError(Exception):
    pass


def _as_flags(item: Rule, result: object) -> list[Flag]:
    if isinstance(result, pl.DataFrame):
        return [Flag(table=item.table, rows=result, fields=item.fields)]
    if isinstance(result, pl.LazyFrame):
        return [Flag(table=item.table, rows=result.collect(), fields=item.fields)]
    if isinstance(result, Flag):
        return [result]
    if isinstance(result, Sequence) and all(isinstance(f, Flag) for f in result):
        return list(result)
    raise RuleOutputError(
        f"check returned {type(result).__name__}; expected a DataFrame or a list of Flag"
    )


def _reads(item: Rule, flag: Flag, failing: Sequence[str], return_: Return) -> list[str]:
    """The fields the rule reads besides those the finding fails on: the names its code gives
    that are columns of the return, the flagged table's first (in its order), then the others'
    (a field of another table is shown as the child's values there). The child's id and the
    row number are shown apart, so they are left out."""
    own = return_.tables.get(flag.table)
    first = list(own.columns) if own is not None else []
    others = sorted(
        {c for name, frame in return_.tables.items() if name != flag.table for c in frame.columns}
    )
    skip = {*failing, return_.child_id, ROW_NUMBER}
    names = item.names
    out: list[str] = []
    for column in [*first, *others]:
        if column in names and column not in skip and not column.endswith(RAW_SUFFIX):
            skip.add(column)
            out.append(column)
    return out


def _finding_frame(
    item: Rule, flag: Flag, ctx: Context, message: str, severity: str
) -> pl.DataFrame | None:
    rows = flag.rows
    if rows.height == 0:
        return None
    if "ROW_NUMBER" not in rows.columns:
        raise RuleOutputError(f"rows flagged in {flag.table} lost the ROW_NUMBER column")
    child_id = ctx.child_id
    failing = flag.fields or item.fields
    fields = ";".join(failing)
    reads = ";".join(_reads(item, flag, failing, ctx.return_))
    child = (
        pl.col(child_id).cast(pl.String)
        if child_id in rows.columns
        else pl.lit(None, dtype=pl.String)
    )
    # in file order, so a report is the same from run to run whatever order the check's
    # joins and group-bys produced
    return rows.sort("ROW_NUMBER").select(
        pl.lit(item.code, dtype=pl.String).alias("rule_code"),
        pl.lit(severity, dtype=pl.String).alias("severity"),
        pl.lit(flag.table, dtype=pl.String).alias("table"),
        pl.col("ROW_NUMBER").cast(pl.Int64).alias("row_number"),
        child.alias("child_id"),
        pl.lit(fields, dtype=pl.String).alias("fields"),
        pl.lit(reads, dtype=pl.String).alias("reads"),
        pl.lit(message, dtype=pl.String).alias("message"),
    )


def run_rule(
    registry: Registry,
    item: Rule,
    ctx: Context,
    *,
    raise_errors: bool = False,
    timings: dict[str, float] | None = None,
    not_run: dict[str, str] | None = None,
) -> tuple[list[pl.DataFrame], RuleError | None]:
    """One check -> its finding frames, or the error it raised (timed into `timings`); a check
    that raises `NotRun` gives no frames and its reason goes into `not_run`."""
    started = time.perf_counter()
    try:
        frames = []
        for flag in _as_flags(item, item.check(ctx)):
            frame = _finding_frame(
                item,
                flag,
                ctx,
                registry.message(item.code),
                registry.severity(item.code),
            )
            if frame is not None:
                frames.append(frame)
        return frames, None
    except NotRun as exc:
        if not_run is not None:
            not_run[item.code] = str(exc)
        return [], None
    except Exception as exc:
        if raise_errors:
            raise
        return [], RuleError(
            code=item.code,
            error=f"{type(exc).__name__}: {exc}".splitlines()[0][:300],
            detail=traceback.format_exc(limit=4),
        )
    finally:
        if timings is not None:
            timings[item.code] = time.perf_counter() - started


def run(
    registry: Registry,
    return_: Return,
    year: int | None = None,
    *,
    codes: Sequence[str] | None = None,
    threads: int = 1,
    raise_errors: bool = False,
    on_rule: Callable[[str], None] | None = None,
) -> Findings:
    """Run every check that applies to the year (or just `codes`) and build the Findings.

    A check that raises is reported as a `RuleError` for its code and the run carries on.
    `threads` > 1 runs checks on a thread pool (Polars releases the GIL while it works).
    """
    started = time.perf_counter()
    year = return_.year if year is None else year
    ctx = Context(return_, year=year)
    if codes is not None:
        wanted = set(codes)
        rules = [item for item in registry if item.code in wanted]
    else:
        rules = registry.applicable(year)

    timings: dict[str, float] = {}
    not_run: dict[str, str] = {}
    results: list[tuple[list[pl.DataFrame], RuleError | None]]

    def one(item: Rule) -> tuple[list[pl.DataFrame], RuleError | None]:
        out = run_rule(
            registry, item, ctx, raise_errors=raise_errors, timings=timings, not_run=not_run
        )
        if on_rule is not None:
            on_rule(item.code)
        return out

    if threads > 1 and len(rules) > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            results = list(pool.map(one, rules))
    else:
        results = [one(item) for item in rules]

    frames = [frame for found, _ in results for frame in found]
    errors = [err for _, err in results if err is not None]
    errors.extend(
        RuleError(code=f"import {module}", error=detail.strip().splitlines()[-1], detail=detail)
        for module, detail in registry.import_errors.items()
    )
    frame = (
        pl.concat(frames, how="vertical").unique(
            subset=["rule_code", "table", "row_number"], maintain_order=True
        )
        if frames
        else empty_findings_frame()
    )
    return Findings(
        frame=frame,
        year=year,
        rules_run=[item.code for item in rules if item.code not in not_run],
        errors=errors,
        seconds=time.perf_counter() - started,
        return_=return_,
        timings=timings,
        not_run={code: not_run[code] for code in sorted(not_run, key=code_sort_key)},
    )
