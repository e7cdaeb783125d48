"""Pooled figures against their parts (issue #16: "a pooled share must lie between its parts").

The alliance lead's pooled indicators and each council's beside them are computed from the same
pooled, pseudonymised records with the same definitions (`pooled_figures.pooled_figures`). Whatever
way the children are shared out between councils, a pooled count is the sum of the councils'
counts, a pooled share's numerator and denominator are the sums of theirs (so the share lies
between the councils' shares), and an average lies between the councils' averages. A child id
that two councils' keys happen to map to one pseudonym stays two children."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliance.returns.services import pooled_figures, reading
from statutory.cin.generator import generate as generate_census
from statutory.cin.pseudonymise import pseudonymise_tables as pseudonymise_census
from statutory.cin.reader import read_return as read_census
from statutory.ssda903.generator import generate_to
from statutory.ssda903.pseudonymise import pseudonymise_tables
from statutory.ssda903.reader import build_return, read_return

YEAR = 2026
KEY = b"k" * 32
COUNCILS = ("Council A", "Council B", "Council C")


@functools.cache
def stored() -> tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame]]:
    """A generated SSDA903 return as the service stores it, typed and pseudonymised: this year's
    tables and last year's sent with them."""
    folder = Path(tempfile.mkdtemp(prefix="alliance-pooled-"))
    current, previous = generate_to(folder / "903", 120, YEAR, seed=11)
    return_ = read_return(current, YEAR, previous=previous)
    assert return_.previous is not None
    out = []
    for each, year in ((return_, YEAR), (return_.previous, YEAR - 1)):
        supplied = {n: reading._as_text(each.tables[n]) for n in sorted(each.supplied)}
        typed = build_return(year, pseudonymise_tables(supplied, KEY))
        out.append({n: typed.tables[n] for n in supplied})
    return out[0], out[1]


def stored_tables() -> dict[str, pl.DataFrame]:
    return stored()[0]


def pooled(
    assignment: dict[str, str], shared: dict[str, str], *, last_year: bool = False
) -> dict[str, pl.DataFrame]:
    """The stored tables shared out: each child to one council (`assignment`), and the children
    in `shared` copied to a second council under the same pseudonym."""
    out = {}
    mapping = pl.DataFrame(
        {"CHILD": list(assignment), "COUNCIL": list(assignment.values())},
        schema={"CHILD": pl.String, "COUNCIL": pl.String},
    )
    extra = pl.DataFrame(
        {"CHILD": list(shared), "COUNCIL": list(shared.values())},
        schema={"CHILD": pl.String, "COUNCIL": pl.String},
    )
    for name, frame in stored()[1 if last_year else 0].items():
        mine = frame.join(mapping, on="CHILD", how="inner")
        copies = frame.join(extra, on="CHILD", how="inner")
        out[name] = pl.concat([mine, copies], how="vertical_relaxed")
    return out


def children() -> list[str]:
    return sorted(stored_tables()["Header"]["CHILD"].drop_nulls().unique().to_list())


@st.composite
def share_outs(draw):  # type: ignore[no-untyped-def]
    ids = children()
    councils = draw(st.integers(2, 3))
    assignment = {child: COUNCILS[draw(st.integers(0, councils - 1), label=child)] for child in ids}
    copied = draw(st.lists(st.sampled_from(ids), max_size=5, unique=True))
    shared = {
        child: next(c for c in COUNCILS[:councils] if c != assignment[child]) for child in copied
    }
    return assignment, shared


def _between(value: float, parts: list[float]) -> bool:
    return min(parts) - 0.051 <= value <= max(parts) + 0.051  # values are rounded to 0.1


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(share_outs())
def test_pooled_figures_add_up_from_their_councils(share_out):
    assignment, shared = share_out
    tables = pooled(assignment, shared)
    previous = pooled(assignment, shared, last_year=True)
    rows, per_council = pooled_figures.pooled_figures("ssda903", YEAR, tables, previous)
    councils = sorted(set(assignment.values()) | set(shared.values()))
    assert sorted(per_council) == councils
    assert rows
    for row in rows:
        parts = [per_council[c].get(row["code"]) for c in councils]
        parts = [p for p in parts if p is not None]
        if row["unit"] == "count":
            total = sum(p["value"] or 0 for p in parts)
            assert (row["value"] or 0) == total, row["indicator"]
            continue
        for side in ("numerator", "denominator"):
            if row[side] is not None:
                assert row[side] == sum(p[side] or 0 for p in parts), (row["indicator"], side)
        values = [p["value"] for p in parts if p["value"] is not None]
        if row["value"] is not None and values:
            assert _between(row["value"], values), (row["indicator"], row["value"], values)


CIN_YEAR = 2025


@functools.cache
def stored_census() -> dict[str, pl.DataFrame]:
    """A generated CIN census as the service stores it: typed and pseudonymised."""
    folder = Path(tempfile.mkdtemp(prefix="alliance-pooled-cin-"))
    census = generate_census(folder / "census.xml", 150, year=CIN_YEAR, la="392", seed=7)
    return_ = read_census(census, CIN_YEAR)
    supplied = {n: return_.tables[n] for n in sorted(return_.supplied)}
    return reading._cin_pseudonymised(supplied, pseudonymise_census, KEY)


def census_children() -> list[str]:
    return sorted(stored_census()["ChildIdentifiers"]["LAchildID"].drop_nulls().unique().to_list())


@st.composite
def census_share_outs(draw):  # type: ignore[no-untyped-def]
    ids = census_children()
    councils = draw(st.integers(2, 3))
    return {child: COUNCILS[draw(st.integers(0, councils - 1), label=child)] for child in ids}


def pooled_census(assignment: dict[str, str]) -> dict[str, pl.DataFrame]:
    mapping = pl.DataFrame(
        {"LAchildID": list(assignment), "COUNCIL": list(assignment.values())},
        schema={"LAchildID": pl.String, "COUNCIL": pl.String},
    )
    out = {}
    for name, frame in stored_census().items():
        if "LAchildID" in frame.columns:
            out[name] = frame.join(mapping, on="LAchildID", how="inner")
        else:  # the header: one per council, as each council's census has its own
            out[name] = pl.concat(
                [frame.with_columns(pl.lit(c).alias("COUNCIL")) for c in set(assignment.values())]
            )
    return out


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(census_share_outs())
def test_pooled_census_figures_add_up_from_their_councils(assignment):
    """The same for the CIN census: every share between its councils' shares, every count and
    every share's numerator and denominator the sum of theirs."""
    rows, per_council = pooled_figures.pooled_figures("cin", CIN_YEAR, pooled_census(assignment))
    councils = sorted(set(assignment.values()))
    assert sorted(per_council) == councils
    assert rows
    shares = 0
    for row in rows:
        parts = [per_council[c][row["code"]] for c in councils if row["code"] in per_council[c]]
        if row["unit"] == "count":
            assert (row["value"] or 0) == sum(p["value"] or 0 for p in parts), row["indicator"]
            continue
        for side in ("numerator", "denominator"):
            if row[side] is not None:
                assert row[side] == sum(p[side] or 0 for p in parts), (row["indicator"], side)
        values = [p["value"] for p in parts if p["value"] is not None]
        if row["value"] is not None and values:
            shares += 1
            assert _between(row["value"], values), (row["indicator"], row["value"], values)
    assert shares >= 3  # the census's shares were checked, not skipped
