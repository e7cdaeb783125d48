"""The demo returns: both returns for both councils, linked by one pseudonym per child, made once;
a demo census stored with the old CIN-only pseudonyms is uploaded again."""

from __future__ import annotations

import polars as pl
import pytest

from alliance.returns import demo, storage
from alliance.returns.models import Upload
from alliance.returns.services import stored_returns
from tests import factories

pytestmark = pytest.mark.django_db


def _ids(org, kind: str) -> set[str]:  # type: ignore[no-untyped-def]
    table, column = ("Header", "CHILD") if kind == "ssda903" else ("ChildIdentifiers", "LAchildID")
    return set(stored_returns.latest_tables(org, kind)[table][column].to_list())


def test_demo_returns_link_children_across_returns_and_are_made_once(reference_data):
    first = demo.load()
    assert "SSDA903 for North Tyneside" in first
    assert "CIN census for South Tyneside" in first
    for code in ("392", "393"):
        org = factories.council(code).organisation
        # North Tyneside: four years of one history, for its forecast; South Tyneside: two
        years = demo.FORECAST_YEARS if code == "392" else 2
        assert Upload.objects.accepted().filter(organisation=org, kind="ssda903").count() == years
        assert Upload.objects.accepted().filter(organisation=org, kind="cin").count() == 1
        # half the census are children looked after, found in SSDA903 under the same pseudonym
        assert len(_ids(org, "cin") & _ids(org, "ssda903")) == demo.DEMO_CHILDREN // 2
    assert demo.load() == "returns: demo returns already loaded"

    # a census stored the old way (P + 15 hex characters) is checked again under the new pseudonyms
    north = factories.council("392").organisation
    old = Upload.objects.accepted().get(organisation=north, kind="cin")
    stored = storage.version_dir(old.stored_version) / "ChildIdentifiers.parquet"
    frame = pl.read_parquet(stored)
    frame.with_columns(("P" + pl.col("LAchildID").str.slice(1)).alias("LAchildID")).write_parquet(
        stored
    )
    assert "CIN census for North Tyneside" in demo.load()
    assert Upload.objects.accepted().filter(organisation=north, kind="cin").count() == 2
    assert not any(i.startswith("P") for i in _ids(north, "cin"))
    assert len(_ids(north, "cin") & _ids(north, "ssda903")) == demo.DEMO_CHILDREN // 2
