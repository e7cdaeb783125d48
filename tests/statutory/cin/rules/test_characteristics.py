"""ChildCharacteristics and Disabilities rules."""

from __future__ import annotations

from cin_builders import flagged, la_level, rows


def test_4220_ethnicity():
    found = rows(
        "4220",
        "ChildCharacteristics",
        ChildCharacteristics=[
            {"LAchildID": "a", "Ethnicity": "WBRI"},
            {"LAchildID": "b", "Ethnicity": "XXXX"},
            {"LAchildID": "c"},
        ],
    )
    assert found == [2, 3]


def test_8540_disability_invalid_or_missing():
    ids = [
        {"LAchildID": "a", "PersonBirthDate": "2015-01-01"},
        {"LAchildID": "b", "PersonBirthDate": "2015-01-01"},
        {"LAchildID": "c"},
        {"LAchildID": "d", "PersonBirthDate": "2015-01-01"},
    ]
    cin = [{"LAchildID": x, "ReferralNFA": "0"} for x in "abc"] + [
        {"LAchildID": "d", "ReferralNFA": "1"}
    ]
    dis = [
        {"LAchildID": "a", "Disability": "NONE"},
        {"LAchildID": "a", "Disability": "ZZZ"},
        {"LAchildID": "d", "Disability": "ZZZ"},
    ]
    # a: an invalid code; b: born, further action, no disability; c: unborn; d: NFA only
    assert flagged("8540", ChildIdentifiers=ids, CINdetails=cin, Disabilities=dis) == {
        ("Disabilities", 2),
        ("ChildIdentifiers", 1),
        ("ChildIdentifiers", 2),
        ("CINdetails", 1),
        ("CINdetails", 2),
    }


def test_2887q_few_codes():
    ids = [{"LAchildID": "a"}]
    few = [{"LAchildID": "a", "Disability": c} for c in ("MOB", "HAND", "NONE")]
    many = [
        {"LAchildID": "a", "Disability": c}
        for c in ("MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS")
    ]
    assert la_level("2887Q", ChildIdentifiers=ids, Disabilities=few)
    assert not la_level("2887Q", ChildIdentifiers=ids, Disabilities=many)


def test_2888q_one_code_each():
    single = [{"LAchildID": "a", "Disability": "MOB"}, {"LAchildID": "b", "Disability": "HAND"}]
    assert la_level("2888Q", Disabilities=single)
    assert not la_level("2888Q", Disabilities=[*single, {"LAchildID": "b", "Disability": "AUT"}])


def test_8790_none_and_other():
    dis = [
        {"LAchildID": "a", "Disability": "NONE"},
        {"LAchildID": "a", "Disability": "AUT"},
        {"LAchildID": "b", "Disability": "NONE"},
    ]
    assert rows("8790", "Disabilities", Disabilities=dis) == [2]


def test_8794_repeated_code():
    dis = [
        {"LAchildID": "a", "Disability": "AUT"},
        {"LAchildID": "a", "Disability": "AUT"},
        {"LAchildID": "b", "Disability": "AUT"},
    ]
    assert rows("8794", "Disabilities", Disabilities=dis) == [1, 2]
