"""The fast reader of plain censuses gives exactly what the lxml reader gives, or stands aside.

Every test reads the same file both ways -- `read_xml(path, year)` (the plain reader when the
file is plain) and `read_xml(path, year, fast=False)` (lxml alone) -- and requires identical
typed tables and notes, or the identical error message. Edits a council's system might make
(whitespace, line ends, empty and self-closing elements, entities, element order, repeated
items, missing blocks) must keep the file plain; anything else (comments, CDATA, unknown
elements, the other years' sex element, damage) must make the plain reader stand aside.
"""

from __future__ import annotations

import io
import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statutory.cin import plain_xml, reader
from statutory.cin.generator import generate
from statutory.cin.reader import read_xml
from statutory.cin.schema import load_schema
from statutory.engine.context import Return
from statutory.engine.errors import InputError

Edit = Callable[[str, random.Random], str]


def read_both(path: Path, year: int) -> tuple[Return | str, Return | str]:
    out: list[Return | str] = []
    for fast in (True, False):
        try:
            out.append(read_xml(path, year, fast=fast))
        except InputError as exc:
            out.append(str(exc))
    return out[0], out[1]


def assert_same(path: Path, year: int) -> None:
    fast, slow = read_both(path, year)
    if isinstance(fast, str) or isinstance(slow, str):
        assert fast == slow
        return
    assert fast.notes == slow.notes
    for name, frame in slow.tables.items():
        assert fast.tables[name].equals(frame), name


def is_plain(path: Path, year: int) -> bool:
    schema = load_schema(year)

    def head(document: bytes) -> tuple[dict, list[str]]:  # type: ignore[type-arg]
        return reader._parse(io.BytesIO(document), str(path), schema)

    return plain_xml.read_plain(path, schema, head, lambda tag, line: "") is not None


def children_part(text: str) -> tuple[str, str, str]:
    start = text.index("<Children>") + len("<Children>")
    end = text.rindex("</Children>")
    return text[:start], text[start:end], text[end:]


def in_children(edit: Callable[[str, random.Random], str]) -> Edit:
    """An edit of the <Children> part only (the header is lxml's in both readers anyway)."""

    def apply(text: str, rng: random.Random) -> str:
        head, body, tail = children_part(text)
        return head + edit(body, rng) + tail

    return apply


def _some(
    pattern: str, text: str, rng: random.Random, change: Callable[[re.Match[str]], str]
) -> str:
    """`change` applied to about a third of the matches of `pattern` (at least one)."""
    matches = list(re.finditer(pattern, text))
    if not matches:
        return text
    chosen = {m.start() for m in matches if rng.random() < 0.33} or {rng.choice(matches).start()}
    return re.sub(pattern, lambda m: change(m) if m.start() in chosen else m.group(0), text)


# -- edits that keep a census plain ---------------------------------------------------------
def pretty(text: str, rng: random.Random) -> str:
    return _some(r"><", text, rng, lambda m: ">\n\t  <")


def crlf(text: str, rng: random.Random) -> str:
    return text.replace("\n", "\r\n") if rng.random() < 0.5 else text.replace("\n", "\r")


def emptied(text: str, rng: random.Random) -> str:
    leaf = r"<(UPN|Ethnicity|ReferralSource|CPPendDate|AssessmentFactors|CPPreviewDate|Disability)>[^<]*</\1>"
    return _some(leaf, text, rng, lambda m: rng.choice([f"<{m[1]}></{m[1]}>", f"<{m[1]}/>"]))


def empty_blocks(text: str, rng: random.Random) -> str:
    block = r"<(Reviews|FactorsIdentifiedAtAssessment|Disabilities|Section47|CINPlanDates)>.*?</\1>"
    return _some(block, text, rng, lambda m: rng.choice([f"<{m[1]}/>", f"<{m[1]}>\n</{m[1]}>"]))


def entities(text: str, rng: random.Random) -> str:
    odd = ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&amp;lt;", ">", "é", "\u00a0", "'"]
    return _some(
        r"<LAchildID>([^<]*)</LAchildID>",
        text,
        rng,
        lambda m: f"<LAchildID>{m[1]}{rng.choice(odd)}x</LAchildID>",
    )


def spaced_values(text: str, rng: random.Random) -> str:
    return _some(
        r"<(Sex|GenderCurrent|PrimaryNeedCode)>([^<]*)<",
        text,
        rng,
        lambda m: f"<{m[1]}> \t{m[2].lower()} \n<",
    )


def reordered(text: str, rng: random.Random) -> str:
    """A data item after the blocks of its episode (the XSD's order is not required)."""
    return _some(
        r"(<ReferralNFA>[^<]*</ReferralNFA>)(.*?)(</CINdetails>)",
        text,
        rng,
        lambda m: m[2] + m[1] + m[3],
    )


def repeated(text: str, rng: random.Random) -> str:
    """An item given twice: the later one counts, in both readers."""
    return _some(
        r"<(UPN|CINreferralDate|CPPstartDate|Ethnicity)>([^<]*)</\1>",
        text,
        rng,
        lambda m: f"{m[0]}<{m[1]}>{rng.choice(['X', '', '2020-01-01'])}</{m[1]}>",
    )


def without_characteristics(text: str, rng: random.Random) -> str:
    return _some(r"<ChildCharacteristics>.*?</ChildCharacteristics>", text, rng, lambda m: "")


def without_episodes(text: str, rng: random.Random) -> str:
    return _some(r"<CINdetails>.*?</CINdetails>", text, rng, lambda m: "")


def other_sex(text: str, rng: random.Random) -> str:
    """The other years' sex element (a changeover-year export), instead of or beside the
    year's, maybe empty: read into the year's column, with a note naming its first line."""
    year, other, value = (
        ("Sex", "GenderCurrent", "1") if "<Sex>" in text else ("GenderCurrent", "Sex", "F")
    )
    options = [
        f"<{other}>{value}</{other}>",  # instead
        f"<{year}></{year}><{other}>{value}</{other}>",  # the year's empty
        f"<{other}></{other}><{other}>{value}</{other}>",  # the first one empty
        f"<{year}> </{year}><{other}>{value}</{other}>",  # the year's only blank
        rf"\g<0><{other}>{value}</{other}>",  # beside
    ]
    return _some(rf"<{year}>[^<]*</{year}>", text, rng, lambda m: m.expand(rng.choice(options)))


PLAIN: list[Edit] = [
    in_children(e)
    for e in (
        other_sex,
        pretty,
        emptied,
        empty_blocks,
        entities,
        spaced_values,
        reordered,
        repeated,
        without_characteristics,
        without_episodes,
    )
] + [crlf]


# -- edits that make it not plain (lxml reads it; the answers must still agree) -------------
def commented(text: str, rng: random.Random) -> str:
    return _some(r"</ReferralSource>", text, rng, lambda m: m[0] + "<!-- checked -->")


def cdata(text: str, rng: random.Random) -> str:
    return _some(
        r"<Ethnicity>([^<]*)</Ethnicity>",
        text,
        rng,
        lambda m: f"<Ethnicity><![CDATA[{m[1]}]]></Ethnicity>",
    )


def unknown(text: str, rng: random.Random) -> str:
    where = rng.choice(["</UPN>", "</CINreferralDate>", "</ChildIdentifiers>", "</CPPstartDate>"])
    return _some(re.escape(where), text, rng, lambda m: m[0] + "<Extra>1</Extra>")


def attribute(text: str, rng: random.Random) -> str:
    return _some(r"<CINdetails>", text, rng, lambda m: '<CINdetails status="x">')


def char_reference(text: str, rng: random.Random) -> str:
    return _some(r"<LAchildID>", text, rng, lambda m: "<LAchildID>&#65;")


def processing_instruction(text: str, rng: random.Random) -> str:
    return _some(r"<CINdetails>", text, rng, lambda m: "<?app note?>" + m[0])


def text_between(text: str, rng: random.Random) -> str:
    return _some(r"</ChildIdentifiers>", text, rng, lambda m: m[0] + "stray text")


def characteristics_first(text: str, rng: random.Random) -> str:
    return _some(
        r"(<ChildIdentifiers>.*?</ChildIdentifiers>)(<ChildCharacteristics>.*?</ChildCharacteristics>)",
        text,
        rng,
        lambda m: m[2] + m[1],
    )


def control_character(text: str, rng: random.Random) -> str:
    return _some(r"</UPN>", text, rng, lambda m: "\x01" + m[0])


def bad_sequence(text: str, rng: random.Random) -> str:
    return _some(r"</UPN>", text, rng, lambda m: "]]>" + m[0])


def child_inside_episode(text: str, rng: random.Random) -> str:
    return _some(r"</CINdetails>", text, rng, lambda m: "<Child><ChildIdentifiers/></Child>" + m[0])


def mismatched(text: str, rng: random.Random) -> str:
    return _some(r"</PrimaryNeedCode>", text, rng, lambda m: "</PrimaryNeed>")


def truncated(text: str, rng: random.Random) -> str:
    return text[: rng.randrange(len(text) // 3, len(text) - len("Message>\n"))]


def without_identifiers(text: str, rng: random.Random) -> str:
    return _some(r"<ChildIdentifiers>.*?</ChildIdentifiers>", text, rng, lambda m: "")


def namespaced(text: str, rng: random.Random) -> str:
    return text.replace("<Message>", '<Message xmlns="urn:cin">', 1)


def declared_entity(text: str, rng: random.Random) -> str:
    text = text.replace("<Message>", '<!DOCTYPE Message [<!ENTITY la "201">]><Message>', 1)
    return _some(r"<LAchildID>", text, rng, lambda m: m[0] + "&la;")


def latin1(text: str, rng: random.Random) -> str:
    text = text.replace('encoding="utf-8"', 'encoding="ISO-8859-1"')
    return _some(r"<LAchildID>", text, rng, lambda m: m[0] + "é")


NOT_PLAIN: list[Edit] = [
    in_children(e)
    for e in (
        commented,
        cdata,
        unknown,
        attribute,
        char_reference,
        processing_instruction,
        text_between,
        characteristics_first,
        control_character,
        bad_sequence,
        child_inside_episode,
        mismatched,
        without_identifiers,
    )
] + [truncated, namespaced, declared_entity, latin1]


@pytest.fixture(scope="module")
def censuses(tmp_path_factory: pytest.TempPathFactory) -> dict[int, str]:
    folder = tmp_path_factory.mktemp("plain")
    return {
        year: generate(folder / f"c{year}.xml", 40, year=year, seed=year, error_rate=0.2).read_text(
            encoding="utf-8"
        )
        for year in (2019, 2024, 2025)
    }


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "edited.xml"
    path.write_bytes(text.encode("latin-1" if 'encoding="ISO-8859-1"' in text else "utf-8"))
    return path


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("year", [2018, 2024, 2025])
def test_generated_censuses_are_plain_and_read_the_same(
    tmp_path: Path, seed: int, year: int
) -> None:
    path = generate(tmp_path / "g.xml", 300, year=year, seed=seed, error_rate=0.1)
    assert is_plain(path, year)
    assert_same(path, year)


def test_many_small_slices_on_two_threads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = generate(tmp_path / "g.xml", 500, seed=7, error_rate=0.1)
    monkeypatch.setattr(plain_xml, "SLICE_BYTES", 3000)  # a few children a slice
    assert is_plain(path, 2025)
    assert_same(path, 2025)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    year=st.sampled_from([2019, 2024, 2025]),
    edits=st.lists(st.sampled_from(PLAIN), min_size=1, max_size=4),
    seed=st.integers(0, 10_000),
)
def test_edits_that_keep_a_census_plain(
    censuses: dict[int, str], tmp_path: Path, year: int, edits: list[Edit], seed: int
) -> None:
    rng = random.Random(seed)
    text = censuses[year]
    for edit in edits:
        text = edit(text, rng)
    path = write(tmp_path, text)
    assert is_plain(path, year)
    assert_same(path, year)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    year=st.sampled_from([2019, 2024, 2025]),
    edit=st.sampled_from(NOT_PLAIN),
    more=st.lists(st.sampled_from(PLAIN), max_size=2),
    seed=st.integers(0, 10_000),
)
def test_anything_else_is_left_to_lxml_with_the_same_answer(
    censuses: dict[int, str], tmp_path: Path, year: int, edit: Edit, more: list[Edit], seed: int
) -> None:
    rng = random.Random(seed)
    text = censuses[year]
    for plain_edit in more:
        text = plain_edit(text, rng)
    edited = edit(text, rng)
    if edited == text:  # nothing to edit in this census (no <Sex> before 2024/25, say)
        return
    path = write(tmp_path, edited)
    assert not is_plain(path, year)
    assert_same(path, year)


def test_error_messages_keep_their_lines(tmp_path: Path) -> None:
    """The reader's own error for a damaged file, with its line, whichever reader tried first."""
    text = generate(tmp_path / "g.xml", 20, seed=5).read_text(encoding="utf-8")
    damaged = text.replace("</PrimaryNeedCode>", "</PrimaryNeed>", 1)
    line = damaged[: damaged.index("</PrimaryNeed>")].count("\n") + 1
    path = write(tmp_path, damaged)
    with pytest.raises(InputError, match=rf"line {line}: malformed or truncated XML"):
        read_xml(path, 2025)
    # a census of another year: the header's own message
    with pytest.raises(InputError, match="names the 2025 collection, not 2024"):
        read_xml(tmp_path / "g.xml", 2024)


def test_every_schema_year_has_a_plain_reading() -> None:
    """Each year's items are told apart (DateOfInitialCPC: CINdetails' or Section47's)."""
    from statutory.cin.schema import years

    for year in years():
        plan = plain_xml._plan(load_schema(year))
        assert plan.ends == ("Section47",)
        assert load_schema(year).sex_column in plan.items["ChildIdentifiers"]


HEADER = (
    "<Header><CollectionDetails><Collection>CIN</Collection><Year>2025</Year>"
    "<ReferenceDate>2025-03-31</ReferenceDate></CollectionDetails>"
    "<Source><SourceLevel>L</SourceLevel><LEA>201</LEA></Source></Header>"
)


@pytest.mark.parametrize(
    "children",
    [
        "",
        "\n  \n",
        "<Child><ChildIdentifiers/></Child>",
        "<Child><ChildIdentifiers><LAchildID>a &amp; b</LAchildID></ChildIdentifiers>"
        "<CINdetails/><CINdetails><Assessments/><ChildProtectionPlans><Reviews/>"
        "</ChildProtectionPlans><Section47></Section47></CINdetails></Child>",
    ],
)
def test_empty_and_bare_blocks(tmp_path: Path, children: str) -> None:
    path = write(
        tmp_path,
        f'<?xml version="1.0"?>\n<Message>{HEADER}<Children>{children}</Children></Message>',
    )
    assert is_plain(path, 2025)
    assert_same(path, 2025)
