"""The synthetic return generator: consistent years, mostly valid, seeded."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from statutory.engine import Context
from statutory.ssda903.generator import generate, generate_to, upn
from statutory.ssda903.pseudonymise import _upn_valid
from statutory.ssda903.reader import read_return


def test_seeded_and_complete() -> None:
    a, prev_a = generate(300, 2025, seed=5)
    b, _ = generate(300, 2025, seed=5)
    assert a["Episodes"].equals(b["Episodes"])
    assert set(a) == {
        "Header",
        "Episodes",
        "Reviews",
        "UASC",
        "OC2",
        "OC3",
        "AD1",
        "PlacedAdoption",
        "PrevPerm",
        "Missing",
        "SWEpisodes",
    }
    for name in ("Header", "Episodes", "Reviews", "OC3", "Missing"):
        assert a[name].height > 0
        assert prev_a[name].height > 0


def test_years_agree(tmp_path: Path) -> None:
    current, previous = generate_to(tmp_path, 500, 2025, seed=2, error_rate=0)
    r = read_return(current, 2025, previous=previous)
    ctx = Context(r)
    # an episode open at last year's 31 March starts the same in this year's return
    open_last_year = ctx.previous("Episodes").filter(pl.col("DEC").is_null())
    now = ctx.table("Episodes").select("CHILD", "DECOM")
    matched = open_last_year.join(now, on=["CHILD", "DECOM"], how="semi")
    assert matched.height >= open_last_year.height * 0.6
    # every episode touches the collection year; nothing ends after 31 March
    episodes = ctx.table("Episodes")
    assert episodes.filter(pl.col("DEC") > ctx.reference_date).is_empty()
    assert episodes.filter(pl.col("DECOM") > ctx.reference_date).is_empty()
    # SEX codes follow the year's schema
    assert set(ctx.table("Header")["SEX"].unique()) <= {"M", "F"}
    assert set(ctx.previous("Header")["SEX"].unique()) <= {"1", "2"}


def test_error_rate_plants_mistakes() -> None:
    clean, _ = generate(1000, 2025, seed=1, error_rate=0)
    dirty, _ = generate(1000, 2025, seed=1, error_rate=0.05)
    assert not clean["Header"]["ETHNIC"].is_in(["XXXX"]).any()
    assert dirty["Header"]["ETHNIC"].is_in(["XXXX"]).any()


def test_upns_are_well_formed() -> None:
    import numpy as np

    assert all(_upn_valid(u) for u in upn(np.random.default_rng(1), 100))
