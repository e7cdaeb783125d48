"""What the statutory returns' codes mean, for pages that show a code ("E4A", "N1") in a table:
a code is never shown without its meaning beside it or in a key below.

The categories of need (N0 to N9) are the CIN census's, shared with the SSDA903 return, as the
statutory library names them. The reasons an episode of care ended (REC) are worded from the
DfE's SSDA903 guide for 2024 to 2025, shortened for a key; a code added in a later year shows
as itself until it is added here."""

from __future__ import annotations

import re
from collections.abc import Iterable

from statutory.cin.indicators import NEED_NAMES

REASON_EPISODE_CEASED = {
    "E11": "adopted, the application unopposed",
    "E12": "adopted, consent dispensed with by the court",
    "E13": "left care to live with parents, relatives or others without parental responsibility",
    "E14": "accommodation on remand ended",
    "E15": "age assessment found the child to be 18 or over",
    "E16": "moved abroad",
    "E17": "aged 18 or over and stayed with their carers (including staying put)",
    "E2": "died",
    "E3": "care taken over by another local authority in the UK",
    "E41": "residence order or child arrangements order granted",
    "E45": "special guardianship order to former foster carers who are relatives or friends",
    "E46": "special guardianship order to former foster carers who are not relatives or friends",
    "E47": "special guardianship order to other carers who are relatives or friends",
    "E48": "special guardianship order to other carers who are not relatives or friends",
    "E4A": "returned home to parents or others with parental responsibility, as planned",
    "E4B": "returned home to parents or others with parental responsibility, not as planned",
    "E5": "moved to live independently, with formal advice and support",
    "E6": "moved to live independently, without formal advice and support",
    "E7": "moved to residential care funded by adult social care",
    "E8": "care ended for another reason",
    "E9": "sentenced to custody",
}
MEANINGS = {
    **{code: name[0].lower() + name[1:] for code, name in NEED_NAMES.items()},
    **REASON_EPISODE_CEASED,
}
_ENDS_WITH_CODE = re.compile(r"(?<![\w-])([A-Z]\d[A-Z\d]?)$")


def meaning(code: str) -> str:
    """The code's meaning, or "" for a code not known here."""
    return MEANINGS.get(code.strip(), "")


def with_meaning(label: str) -> str:
    """'Ceased by reason: E4A' → 'Ceased by reason: E4A (returned home … as planned)'."""
    found = _ENDS_WITH_CODE.search(label.strip())
    if found and meaning(found.group(1)):
        return f"{label.strip()} ({meaning(found.group(1))})"
    return label


def key_for(codes: Iterable[str]) -> list[tuple[str, str]]:
    """(code, meaning) for the known codes among a table's column headings, in their order."""
    return [(c, meaning(c)) for c in codes if isinstance(c, str) and meaning(c)]
