"""Year schemas: base 2017/18 plus each year's differences."""

from __future__ import annotations

import pytest

from statutory.ssda903.schemas import load_schema, supported_years


def test_every_year_loads_with_the_required_tables() -> None:
    for year in supported_years():
        schema = load_schema(year)
        assert schema.required_tables == ["Header", "Episodes"]
        assert "CHILD" in schema.table("Episodes").columns


def test_differences_apply_from_their_year() -> None:
    assert "SWEpisodes" not in load_schema(2023).tables
    assert "SWEpisodes" in load_schema(2024).tables
    assert load_schema(2024).codes["SEX"] == ("1", "2")
    assert load_schema(2025).codes["SEX"] == ("M", "F", "U")
    assert "K3" not in load_schema(2024).codes["PLACE"]
    assert {"K3", "H5", "Z1"} <= set(load_schema(2025).codes["PLACE"])
    place_2026 = set(load_schema(2026).codes["PLACE"])
    assert {"Z11", "Z12", "Z13", "Z14", "K3"} <= place_2026
    assert not {"H5", "P2", "Z1"} & place_2026
    assert "DoLo" in load_schema(2027).tables


def test_types_are_as_the_contract_says() -> None:
    episodes = load_schema(2025).table("Episodes").columns
    assert episodes["DECOM"] == "date"
    assert episodes["PLACE"] == "text"
    assert load_schema(2025).table("OC2").columns["SDQ_SCORE"] == "int"
    typed = load_schema(2025).table("Episodes").empty()
    assert "DECOM__raw" in typed.columns
    assert "PLACE__raw" not in typed.columns


def test_unsupported_year() -> None:
    with pytest.raises(ValueError, match="2024/25"):
        load_schema(2017)
