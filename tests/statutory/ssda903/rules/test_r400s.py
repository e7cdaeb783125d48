"""Rules 406-460 on small hand-made returns: each case passes or fails on purpose."""

from __future__ import annotations

import polars as pl
import pytest
from builders import flagged_rows, run_rule

from statutory.engine.postcodes import Postcodes

HOME, NEAR, SCOTLAND = "AA1 1AA", "BB1 1BB", "CC1 1CC"


@pytest.fixture
def postcodes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A three-postcode directory: home in Hartlepool (a unitary council), a placement 10
    miles away in Allerdale (a 2021 district of Cumbria county), one 400 miles away in
    Scotland."""
    frame = pl.DataFrame(
        {
            "postcode_key": ["AA11AA", "BB11BB", "CC11CC"],
            "easting": [400000, 400000, 400000],
            "northing": [300000, 316093, 943738],
            "lad_code": ["E06000001", "E07000026", "S12000033"],
        }
    )
    monkeypatch.setattr(Postcodes, "_shared", Postcodes(frame))


def by_table(code: str, **kwargs: object) -> dict[str, list[int]]:
    found = run_rule(code, **kwargs)
    out: dict[str, list[int]] = {}
    for table, row in zip(found["table"], found["row_number"], strict=True):
        out.setdefault(table, []).append(row)
    return {t: sorted(set(r)) for t, r in out.items()}


def ep(child: str, decom: str, **values: str | None) -> dict[str, str | None]:
    return {"CHILD": child, "DECOM": decom, **values}


def test_407_sgo_after_eighteen_flags_episode_and_header() -> None:
    found = by_table(
        "407",
        Episodes=[
            ep("1", "01/01/2024", DEC="01/01/2025", REC="E45"),  # 18 on 01/01/2024: fail
            ep("2", "01/01/2024", DEC="01/06/2024", REC="E46"),  # 17: pass
            ep("3", "01/01/2024", DEC="01/01/2025", REC="E13"),  # not SGO
        ],
        Header=[
            {"CHILD": "1", "DOB": "01/01/2006"},
            {"CHILD": "2", "DOB": "01/01/2007"},
            {"CHILD": "3", "DOB": "01/01/2000"},
        ],
    )
    assert found == {"Episodes": [1], "Header": [1]}


def test_408_adoption_placement_needs_placement_order() -> None:
    rows = [
        {"CHILD": "1", "PLACE": "A5", "LS": "C2"},
        {"CHILD": "2", "PLACE": "A6", "LS": "E1"},
        {"CHILD": "3", "PLACE": "A5", "LS": None},
        {"CHILD": "4", "PLACE": "U1", "LS": "C2"},
    ]
    assert flagged_rows("408", Episodes=rows) == [1, 3]


def test_426_v3_and_v4_in_the_same_year() -> None:
    rows = [
        {"CHILD": "1", "LS": "V3"},
        {"CHILD": "1", "LS": "V4"},
        {"CHILD": "1", "LS": "C2"},
        {"CHILD": "2", "LS": "V3"},
        {"CHILD": "2", "LS": "V3"},
    ]
    assert flagged_rows("426", Episodes=rows) == [1, 2]


def test_431_start_of_care_on_the_day_the_last_ended() -> None:
    rows = [
        ep("1", "01/06/2024", RNE="S", DEC="04/06/2024"),
        ep("1", "04/06/2024", RNE="S", DEC="10/06/2024"),  # fail: same day
        ep("1", "11/06/2024", RNE="S"),  # next day: pass
        ep("2", "01/06/2024", RNE="S"),
    ]
    assert flagged_rows("431", Episodes=rows) == [2]


def test_432_after_care_ended_the_next_episode_starts_a_period() -> None:
    rows = [
        ep("1", "01/06/2024", RNE="S", DEC="04/06/2024", REC="E3"),
        ep("1", "05/06/2024", RNE="P", DEC="06/06/2024", REC="X1"),  # fail
        ep("1", "06/06/2024", RNE="P"),  # previous X1: pass
        ep("2", "01/06/2024", RNE="S", DEC="04/06/2024", REC="E13"),
        ep("2", "10/06/2024", RNE="S"),  # pass
    ]
    assert flagged_rows("432", Episodes=rows) == [2]


def test_433_continuation_must_start_when_the_last_ended() -> None:
    rows = [
        ep("1", "04/04/2024", RNE="S", DEC="12/09/2024", REC="X1"),
        ep("1", "11/09/2024", RNE="B", DEC="06/01/2025", REC="X1"),  # fail: gap/overlap
        ep("1", "06/01/2025", RNE="P"),  # contiguous: pass
        ep("2", "01/05/2024", RNE="P"),  # first episode: not checked
    ]
    assert flagged_rows("433", Episodes=rows) == [2]


def test_434_legal_status_change_only() -> None:
    base = {"PLACE": "U1", "PL_POST": "AB1 1AA", "URN": "SC1", "PLACE_PROVIDER": "PR1"}
    rows = [
        ep("1", "01/05/2024", RNE="S", LS="C2", **base),
        ep("1", "01/06/2024", RNE="L", LS="C2", **base),  # fail: LS unchanged
        ep("1", "01/07/2024", RNE="L", LS="E1", **base),  # pass
        ep("1", "01/08/2024", RNE="L", LS="C1", **{**base, "URN": "SC2"}),  # fail: moved
    ]
    assert flagged_rows("434", Episodes=rows) == [2, 4]


def test_435_placement_change_only() -> None:
    base = {"PLACE": "U1", "PL_POST": "AB1 1AA", "URN": "SC1", "PLACE_PROVIDER": "PR1"}
    rows = [
        ep("1", "01/05/2024", RNE="S", LS="C2", **base),
        ep("1", "01/06/2024", RNE="P", LS="C2", **base),  # fail: nothing moved
        ep("1", "01/07/2024", RNE="P", LS="C2", **{**base, "PL_POST": "AB2 2BB"}),  # pass
        ep("1", "01/08/2024", RNE="T", LS="E1", **{**base, "URN": "SC9"}),  # fail: LS changed
    ]
    assert flagged_rows("435", Episodes=rows) == [2, 4]


def test_436_both_changes() -> None:
    base = {"PLACE": "U1", "PL_POST": "AB1 1AA", "URN": "SC1", "PLACE_PROVIDER": "PR1"}
    rows = [
        ep("1", "01/05/2024", RNE="S", LS="C2", **base),
        ep("1", "01/06/2024", RNE="U", LS="C2", **{**base, "URN": "SC2"}),  # fail: LS same
        ep("1", "01/07/2024", RNE="B", LS="E1", **{**base, "URN": "SC3"}),  # pass
        ep("1", "01/08/2024", RNE="U", LS="C1", **{**base, "URN": "SC3"}),  # fail: not moved
    ]
    assert flagged_rows("436", Episodes=rows) == [2, 4]


def test_437_died_or_eighteen_then_another_episode() -> None:
    rows = [
        ep("1", "01/05/2024", REC="E15", DEC="01/06/2024"),  # fail: more after
        ep("1", "01/07/2024", REC="X1"),
        ep("2", "01/05/2024", REC="E2", DEC="01/06/2024"),  # last: pass
    ]
    assert flagged_rows("437", Episodes=rows) == [1]


def test_440_and_441_participation_code_against_age() -> None:
    rows = [
        {"CHILD": "1", "DOB": "01/01/2020", "REVIEW": "01/06/2024", "REVIEW_CODE": "PN0"},
        {"CHILD": "2", "DOB": "01/01/2022", "REVIEW": "01/06/2024", "REVIEW_CODE": "PN0"},
        {"CHILD": "3", "DOB": "01/01/2022", "REVIEW": "01/06/2024", "REVIEW_CODE": "PN1"},
        {"CHILD": "4", "DOB": "01/01/2010", "REVIEW": "01/06/2024", "REVIEW_CODE": "PN5"},
    ]
    assert flagged_rows("440", Reviews=rows) == [1]
    assert flagged_rows("441", Reviews=rows) == [3]


def test_442_upn_needed_unless_short_breaks_only() -> None:
    assert flagged_rows(
        "442",
        "Header",
        Episodes=[
            {"CHILD": "1", "LS": "C2"},
            {"CHILD": "2", "LS": "V3"},
            {"CHILD": "3", "LS": "C2"},
        ],
        Header=[
            {"CHILD": "1", "UPN": None},  # fail
            {"CHILD": "2", "UPN": None},  # short breaks: pass
            {"CHILD": "3", "UPN": "UN1"},  # pass
            {"CHILD": "4", "UPN": None},  # no episodes: not checked
        ],
    ) == [1]


def test_444_duplicate_upn() -> None:
    rows = [
        {"CHILD": "1", "UPN": "A123456789012"},
        {"CHILD": "2", "UPN": "A123456789012"},
        {"CHILD": "3", "UPN": "UN1"},
        {"CHILD": "4", "UPN": "UN1"},
        {"CHILD": "5", "UPN": "B123456789012"},
    ]
    assert flagged_rows("444", year=2026, Header=rows) == [1, 2]


def test_445_and_446_freeing_and_placement_order_dates() -> None:
    rows = [
        ep("1", "20/01/2006", LS="D1"),
        ep("2", "01/11/2005", LS="D1"),
        ep("3", "20/09/2004", LS="E1"),
        ep("4", "01/12/2005", LS="E1"),
    ]
    assert flagged_rows("445", year=2024, Episodes=rows) == [1]
    assert flagged_rows("446", Episodes=rows) == [3]


def test_451_still_freed_for_adoption() -> None:
    rows = [
        ep("1", "01/01/2004", LS="D1"),  # open: fail
        ep("2", "01/01/2004", LS="D1", DEC="01/06/2023", REC="E11"),
        ep("3", "01/01/2004", LS="C2"),
    ]
    assert flagged_rows("451", year=2024, Episodes=rows) == [1]


def test_460_stayed_put_under_eighteen() -> None:
    assert flagged_rows(
        "460",
        Episodes=[
            ep("1", "01/01/2024", REC="E17", DEC="17/06/2024"),  # 17: fail
            ep("2", "01/01/2024", REC="E17", DEC="16/03/2025"),  # 18 that day: pass
            ep("3", "01/01/2024", REC="E17", DEC="16/03/2025"),  # no DOB: pass
        ],
        Header=[
            {"CHILD": "1", "DOB": "23/09/2006"},
            {"CHILD": "2", "DOB": "16/03/2007"},
        ],
    ) == [1]


@pytest.mark.usefixtures("postcodes")
def test_406_uasc_child_has_no_distance() -> None:
    assert flagged_rows(
        "406",
        Episodes=[
            ep("1", "01/05/2024", HOME_POST=HOME, PL_POST=NEAR),  # UASC: fail
            ep("2", "01/05/2024", HOME_POST=HOME, PL_POST=NEAR),
            ep("1", "01/06/2024", HOME_POST=None, PL_POST=NEAR),  # no distance: pass
        ],
        UASC=[{"CHILD": "1", "DUC": "01/01/2026"}],
    ) == [1]


@pytest.mark.usefixtures("postcodes")
def test_411_420_454_placement_location_and_distance() -> None:
    rows = [
        ep("1", "01/05/2024", LS="V3", HOME_POST=HOME, PL_POST=NEAR),  # 420
        ep("2", "01/05/2024", LS="C2", HOME_POST=HOME, PL_POST=SCOTLAND),  # 454: 400 miles
        ep("3", "01/05/2024", LS="V4", HOME_POST=HOME, PL_POST=None),
        ep("4", "01/05/2024", LS="C2", HOME_POST=HOME, PL_POST=HOME),
    ]
    assert flagged_rows("420", Episodes=rows) == [1]
    assert flagged_rows("454", year=2026, Episodes=rows) == [2]
    # Derived locations always agree with the derived LA, so 411 cannot fire on them.
    assert flagged_rows("411", Episodes=rows) == []


@pytest.mark.usefixtures("postcodes")
def test_452_453_continuing_episode_moved_between_years() -> None:
    previous = {
        "Episodes": [
            ep("1", "01/06/2023", RNE="S", HOME_POST=HOME, PL_POST=NEAR),
            ep("2", "01/06/2023", RNE="S", HOME_POST=HOME, PL_POST=NEAR),
            ep("3", "01/06/2023", RNE="S", HOME_POST=HOME, PL_POST=NEAR),
        ]
    }
    current = [
        ep("1", "01/06/2023", RNE="S", HOME_POST=HOME, PL_POST=HOME),  # moved: fail
        ep("2", "01/06/2023", RNE="S", HOME_POST=HOME, PL_POST=NEAR),  # same: pass
        ep("3", "01/06/2023", RNE="P", HOME_POST=HOME, PL_POST=HOME),  # RNE differs: pass
    ]
    assert flagged_rows("452", Episodes=current, previous=previous) == [1]
    assert flagged_rows("453", Episodes=current, previous=previous) == [1]


def test_411_location_in_but_another_councils_code() -> None:
    """Returns that carry PL_LA and PL_LOCATION themselves (and a council code) are read as
    given: 'IN' with another council's PL_LA is flagged."""
    from builders import make_return, registry

    from statutory.engine import run

    return_ = make_return(
        Episodes=[ep("1", "01/05/2024"), ep("2", "01/05/2024"), ep("3", "01/05/2024")]
    )
    given = pl.DataFrame(
        {"PL_LA": ["E06000001", "E10000006", "E10000006"], "PL_LOCATION": ["IN", "IN", "OUT"]},
        schema={"PL_LA": pl.String, "PL_LOCATION": pl.String},
    )
    return_.tables["Episodes"] = pl.concat(
        [
            return_.tables["Episodes"],
            given.with_columns(pl.lit(None, pl.Float64).alias("PL_DISTANCE")),
        ],
        how="horizontal",
    )
    return_.la_code = "E06000001"
    found = run(registry(), return_, codes=["411"], raise_errors=True).frame
    assert found["row_number"].to_list() == [2]
