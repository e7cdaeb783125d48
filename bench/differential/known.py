"""The known differences from the DfE's open-source validators, and how a rule's comparison is judged.

`docs/statutory/known-differences.csv` lists every rule whose findings may differ from the peer's
(`csc-validator-be-903` for SSDA903, `csc-validator-be-cin` for CIN), one row per return and rule:

- `return`: ssda903 or cin;
- `rule`: the DfE code;
- `flags_more`: project, peer or both -- which side may flag rows the other does not;
- `kind`: peer-bug (the peer does not do what the DfE text says), reading (the DfE text is read
  differently, on purpose) or input (the two read the same cell differently: dates, spaces);
- `status`: settled, or pending (being changed on another branch; to be settled after the merge);
- `cause`: what differs and why;
- `dfe_text`: the DfE wording relied on.

Pure Python (no Polars, no pandas): the harness, the docs test and the peers' driver share it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KNOWN_DIFFERENCES = ROOT / "docs" / "statutory" / "known-differences.csv"
COLUMNS = ("return", "rule", "flags_more", "kind", "status", "cause", "dfe_text")
SIDES = ("project", "peer", "both")
KINDS = ("peer-bug", "reading", "input")
STATUSES = ("settled", "pending")
RETURNS = ("ssda903", "cin")


@dataclass(frozen=True)
class KnownDifference:
    collection: str
    rule: str
    flags_more: str
    kind: str
    status: str
    cause: str
    dfe_text: str

    def allows(self, project_only: int, peer_only: int) -> bool:
        """Whether this entry explains rows only the project flags and rows only the peer flags."""
        if self.flags_more == "both":
            return True
        if self.flags_more == "project":
            return peer_only == 0
        return project_only == 0


def load(path: Path = KNOWN_DIFFERENCES) -> dict[tuple[str, str], KnownDifference]:
    """The CSV as a mapping (return, rule) -> entry; a malformed row raises ValueError."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{path.name}: the columns must be {', '.join(COLUMNS)}")
        entries: dict[tuple[str, str], KnownDifference] = {}
        for line, row in enumerate(reader, start=2):
            entry = KnownDifference(
                row["return"],
                row["rule"],
                row["flags_more"],
                row["kind"],
                row["status"],
                row["cause"].strip(),
                row["dfe_text"].strip(),
            )
            checks = {
                f"return {entry.collection!r}": entry.collection in RETURNS,
                f"flags_more {entry.flags_more!r}": entry.flags_more in SIDES,
                f"kind {entry.kind!r}": entry.kind in KINDS,
                f"status {entry.status!r}": entry.status in STATUSES,
                "no cause": bool(entry.cause),
                "no DfE text": bool(entry.dfe_text),
            }
            problems = [problem for problem, fine in checks.items() if not fine]
            if (entry.collection, entry.rule) in entries:
                problems.append("listed twice")
            if problems:
                raise ValueError(f"{path.name} line {line} ({entry.rule}): {'; '.join(problems)}")
            entries[entry.collection, entry.rule] = entry
    return entries


Finding = tuple[str, str]  # (table, 1-based row); ("", "") for a council-level finding


@dataclass
class RuleComparison:
    """One rule over every return compared."""

    collection: str
    rule: str
    returns: int = 0
    both: int = 0
    project_only: int = 0
    peer_only: int = 0
    crashes: int = 0
    crash_detail: str = ""
    example_project_only: str = ""
    example_peer_only: str = ""

    def add(self, label: str, ours: Iterable[Finding], theirs: Iterable[Finding]) -> None:
        ours, theirs = set(ours), set(theirs)
        self.returns += 1
        self.both += len(ours & theirs)
        mine, peers = sorted(ours - theirs), sorted(theirs - ours)
        self.project_only += len(mine)
        self.peer_only += len(peers)
        if mine and not self.example_project_only:
            self.example_project_only = f"{label}: {mine[0][0]} row {mine[0][1]}"
        if peers and not self.example_peer_only:
            self.example_peer_only = f"{label}: {peers[0][0]} row {peers[0][1]}"

    def crashed(self, label: str, detail: str) -> None:
        self.returns += 1
        self.crashes += 1
        if not self.crash_detail:
            self.crash_detail = f"{label}: {detail}"

    def verdict(self, known: dict[tuple[str, str], KnownDifference]) -> str:
        """agree | known difference | peer crash | unlisted difference | listed, wrong side."""
        if self.crashes == self.returns:
            return "peer crash"
        if self.project_only == 0 and self.peer_only == 0:
            return "agree"
        entry = known.get((self.collection, self.rule))
        if entry is None:
            return "unlisted difference"
        if not entry.allows(self.project_only, self.peer_only):
            return "listed, wrong side"
        return "known difference"


FAILING = ("unlisted difference", "listed, wrong side")


# --- the docs' tables of differences, checked against the CSV ---------------------------------

DOCS = {
    "ssda903": ROOT / "docs" / "statutory" / "ssda903-readings.md",
    "cin": ROOT / "docs" / "statutory" / "cin.md",
}
_YEAR = re.compile(r"\d{4}/\d{2}")
_SW_SERIES = re.compile(r"\bSW(\d+)([a-z])-([a-z])\b")
_CODE = re.compile(r"\b(SW\d+[a-z]?STG\d|\d{3,4}[A-Za-z]?Q?)\b")
_RANGE = re.compile(r"\b(\d{3,4})-(\d{3,4})\b")


def codes_in(cell: str, known_codes: set[str]) -> set[str]:
    """The rule codes a table cell names: single codes, numeric ranges (131-133) and social work
    series (SW16a-c); collection years (2024/25) are not codes. Only codes in known_codes count."""
    text = _YEAR.sub(" ", cell)
    found: set[str] = set()
    for number, first, last in _SW_SERIES.findall(text):
        found |= {c for c in known_codes if re.fullmatch(rf"SW{number}[{first}-{last}]STG\d", c)}
    text = _SW_SERIES.sub(" ", text)
    for start, end in _RANGE.findall(text):
        found |= {str(n) for n in range(int(start), int(end) + 1)}
    text = _RANGE.sub(" ", text)
    found |= set(_CODE.findall(text))
    return found & known_codes


def _table_rows(collection: str) -> Iterable[tuple[list[str], list[str], str]]:
    """Each row of the doc's tables that begin with a "rule" column: (header cells, cells, line).
    Two kinds of table are read: "rule | here | validator" (the readings) and "rule | DfE text |
    decision | validator" (rules settled against the DfE's wording); in both the validator is
    the last column."""
    header: list[str] = []
    for line in DOCS[collection].read_text(encoding="utf-8").splitlines():
        if line.startswith("|-"):  # the line under the header
            continue
        if not line.startswith("| "):
            header = []
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "rule":
            header = [c.lower() for c in cells]
            continue
        if len(header) in (3, 4) and len(cells) == len(header):
            yield header, cells, line


def _agrees(validator_cell: str) -> bool:
    """A validator column that begins "same": the validator does the same, no difference to list
    ("the same day counts as an overlap" is a difference)."""
    return validator_cell.lower().startswith("same")


def documented_differences(collection: str, known_codes: set[str]) -> dict[str, str]:
    """Each rule code named in a row of the doc's tables whose validator column does not begin
    "same", mapped to that row's text (the first such row)."""
    named: dict[str, str] = {}
    for _header, cells, line in _table_rows(collection):
        if _agrees(cells[-1]):
            continue
        for code in codes_in(cells[0], known_codes):
            named.setdefault(code, line)
    return named


def documented_agreements(collection: str, known_codes: set[str]) -> set[str]:
    """Rule codes the doc's tables name only in rows whose validator column begins "same"."""
    agreed: set[str] = set()
    for _header, cells, _line in _table_rows(collection):
        if _agrees(cells[-1]):
            agreed |= codes_in(cells[0], known_codes)
    return agreed - set(documented_differences(collection, known_codes))


def documented_dfe_text(collection: str, known_codes: set[str]) -> dict[str, str]:
    """For each rule documented as a difference in a table with a "DfE text" column, that
    column's text."""
    texts: dict[str, str] = {}
    for header, cells, _line in _table_rows(collection):
        if "dfe text" not in header or _agrees(cells[-1]):
            continue
        for code in codes_in(cells[0], known_codes):
            texts.setdefault(code, cells[header.index("dfe text")])
    return texts
