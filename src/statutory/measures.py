"""What every computed indicator carries besides its figure: a short, stable `code` (how the
service stores, joins and links the figure; never changes when the label is reworded), its English
`label` (free to reword), and, where it matches one, the `published` measure (the DfE's table code
as the national picture holds it) it can be set beside.

A breakdown (counts by category of need, by reason, by factor) is one `Breakdown`: its members'
codes are `<breakdown code>:<category>` (`cla_starts_by_need:N1`), their labels the breakdown's
`prefix` followed by the category.

Figures stored before indicators had codes hold the label only: `code_for_label` maps those old
labels (as they were worded when codes came in, `FIRST_LABELS`) to codes, once, when they are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# "(ONS mid-2024)" and the like, added to a rate's label with the population estimate's year
POPULATION_NOTE = re.compile(r"\s*\((?:ONS )?mid-\d{4}\)")
NOT_RECORDED = "not_recorded"


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    published: str = ""


@dataclass(frozen=True)
class Breakdown:
    code: str
    prefix: str

    def member_code(self, category: str | None) -> str:
        """`<code>:<category>`; a category not recorded is `not_recorded`."""
        return f"{self.code}:{category or NOT_RECORDED}"

    def category(self, code: str) -> str | None:
        """The category of a member's code, or None when the code is not one of this breakdown's."""
        head, sep, tail = code.partition(":")
        return tail if sep and head == self.code else None


def catalogue(measures: Iterable[Measure]) -> dict[str, Measure]:
    """The measures by code; a code given twice is a mistake, refused at import."""
    found: dict[str, Measure] = {}
    for measure in measures:
        if measure.code in found:
            raise ValueError(f"indicator code {measure.code!r} is given twice")
        found[measure.code] = measure
    return found


def code_for_label(
    label: str,
    first_labels: Mapping[str, str],
    breakdowns: Iterable[Breakdown],
    measures: Mapping[str, Measure],
) -> str:
    """The code of an indicator stored by its label only. Tried in turn: the labels as they were
    worded when codes came in, today's labels, a breakdown's prefix; anything else (a label no
    version of the library gave) keeps a code made from its words, so it is still shown."""
    plain = POPULATION_NOTE.sub("", label).strip()
    if plain in first_labels:
        return first_labels[plain]
    for measure in measures.values():
        if POPULATION_NOTE.sub("", measure.label) == plain:
            return measure.code
    for breakdown in breakdowns:
        if plain.startswith(breakdown.prefix):
            rest = plain[len(breakdown.prefix) :]
            return breakdown.member_code(None if "not recorded" in rest else rest.split(" ", 1)[0])
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")
