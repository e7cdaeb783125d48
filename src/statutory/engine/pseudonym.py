"""One pseudonym for a child across both returns: SSDA903 `CHILD` and CIN `LAchildID`.

Councils use the same LA child id in both returns, and the service must be able to look a CIN
child up in SSDA903 (did a child in need enter care?), so the same id under the same council key
gives the same pseudonym in both:

- **Normalisation**: surrounding whitespace stripped and letters upper-cased. The SSDA903 reader
  upper-cases every text column, so in that return `ab12` and `AB12` are already one child; the
  pseudonym follows that reading so both returns agree.
- **Keyed hash**: HMAC-SHA256(key, "child:" + normalised id), as upper-case hex. Without the key
  the mapping cannot be rebuilt or reversed; a different council's key gives other pseudonyms.
- **Shape**: the first 16 hex characters (64 bits), which passes CIN rules 1570 (at most 20
  characters) and 1580 (letters and digits only). An id that breaks one of those rules gets a
  pseudonym that breaks it the same way, so validation finds the same things: an id longer than
  20 characters gives a pseudonym of its length, an id with any character other than A-Z, a-z,
  0-9 gives one with a hyphen. No SSDA903 rule reads the content of `CHILD`, only whether ids
  match, which a keyed hash keeps.

The CIN census, unlike SSDA903, tells `ab12` and `AB12` apart (its reader keeps the case of
`LAchildID`), so folding case could merge two of its children and change rule 8510 (duplicate
ids) or the joins between its tables. `child_pseudonyms(..., case_sensitive=True)` therefore
looks at all the ids of one census together: where two spellings of one id differ only in case,
the upper-case spelling (if present) keeps the shared pseudonym and every other spelling gets a
census-only one (a hash under another label). Ids that do not collide like that (all of them in
any real census we know of) get the shared pseudonym.

Missing or blank ids are returned unchanged, so "missing id" rules still see them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable

SHORT = 16
"""Characters of the hash a pseudonym keeps (64 bits: no collisions in practice)."""
LONGEST_ALLOWED = 20
"""CIN rule 1570: an LAchildID longer than this is an error, so a longer id stays longer."""
_NOT_ALPHANUMERIC = re.compile(r"[^A-Za-z0-9]")


def normalise(child_id: str) -> str:
    """The id as both returns read it: stripped, upper-cased."""
    return child_id.strip().upper()


def _shaped(digest: str, original: str) -> str:
    out = digest[:SHORT]
    if len(original) > LONGEST_ALLOWED:
        out = (digest * (len(original) // len(digest) + 1))[: len(original)]
    if _NOT_ALPHANUMERIC.search(original):
        out = out[:8] + "-" + out[9:]
    return out


def _digest(key: bytes, label: str, value: str) -> str:
    return hmac.new(key, f"{label}:{value}".encode(), hashlib.sha256).hexdigest().upper()


def child_pseudonym(key: bytes, child_id: str | None) -> str | None:
    """The council's pseudonym for a child id, the same in SSDA903 and the CIN census.
    None and blank ids are returned as given."""
    if child_id is None or not child_id.strip():
        return child_id
    value = normalise(child_id)
    return _shaped(_digest(key, "child", value), value)


def child_pseudonyms(
    key: bytes, child_ids: Iterable[str | None], *, case_sensitive: bool = False
) -> dict[str, str]:
    """{id as supplied: pseudonym} for every distinct non-blank id, hashing each once.

    `case_sensitive=True` is for a return whose reader tells ids apart by case (the CIN census):
    spellings of one id that differ only in case keep distinct pseudonyms (see the module's
    docstring); otherwise the result is `child_pseudonym` of each id."""
    distinct = {i for i in child_ids if i is not None and i.strip()}
    out = {i: child_pseudonym(key, i) or i for i in distinct}
    if not case_sensitive:
        return out
    spellings: dict[str, dict[str, list[str]]] = {}
    for each in distinct:
        stripped = each.strip()
        spellings.setdefault(normalise(each), {}).setdefault(stripped, []).append(each)
    for upper, spelt in spellings.items():
        if len(spelt) < 2:
            continue
        for stripped, supplied in spelt.items():
            if stripped != upper:
                own = _shaped(_digest(key, "child-case", stripped), stripped)
                out.update(dict.fromkeys(supplied, own))
    return out
