"""Pseudonymise a CIN census: keyed-hash ids, months of birth; the result still validates.

- `LAchildID` -> `statutory.engine.pseudonym`: 16 hex characters of HMAC-SHA256 of the
  stripped, upper-cased id under the council's key, the same pseudonym SSDA903's `CHILD` gets
  for that id, so a child in need can be looked up in the council's SSDA903 return. An id that
  broke rule 1570 (longer than 20) or 1580 (not alphanumeric) gets a pseudonym that breaks it
  the same way. Ids of one census that differ only in letter case (which this census, unlike
  SSDA903, tells apart) keep distinct pseudonyms, so rule 8510 and the joins are unchanged; the
  XML is read twice for that (once for the ids, once to write).
- `UPN` and `FormerUPN` -> the same shape with the digits replaced by keyed digits, the LA code
  (characters 2-4) and any letters kept, and the check letter recomputed: right where the
  original's was right, wrong where it was wrong. The same UPN always maps to the same
  pseudonym, so duplicates stay duplicates.
- `PersonBirthDate` and `ExpectedPersonBirthDate` -> the first of their month.
- The CIN census carries no postcodes; `PersonDeathDate` and the case dates are kept (the rules
  and indicators depend on them to the day).

The key is the council's own secret (a file or `$ALLIANCE_PSEUDONYMISE_KEY`), never written
with the data; without it the mapping cannot be recomputed or reversed. XML in gives XML out
(streamed one `<Child>` at a time); CSV tables in give CSV tables out. Output is written to a
temporary name and renamed.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
from pathlib import Path

import polars as pl
from lxml import etree

from statutory.cin.csv_census import _csv_items
from statutory.cin.parallel import _check_records
from statutory.engine.errors import InputError
from statutory.engine.limits import Budget, default_limits, scan_csv, too_big
from statutory.engine.pseudonym import child_pseudonym, child_pseudonyms

__all__ = [
    "child_pseudonym",
    "load_key",
    "month_of",
    "pseudonymise_path",
    "pseudonymise_tables",
    "pseudonymise_xml",
    "upn_pseudonym",
]

CHECK = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_OK = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")
_MONTH_DATE = re.compile(r"^(\d{4})-(\d{2})-\d{2}")


def load_key(key_file: str | Path | None, env_value: str | None) -> bytes:
    """The council's key from a file (stripped) or the environment; at least 16 bytes."""
    if key_file is not None:
        try:
            key = Path(key_file).read_bytes().strip()
        except OSError as exc:
            raise InputError(
                str(key_file), None, None, f"cannot read the key: {exc.strerror}"
            ) from None
    elif env_value:
        key = env_value.encode()
    else:
        raise ValueError("no key: give --key-file or set ALLIANCE_PSEUDONYMISE_KEY")
    if len(key) < 16:
        raise ValueError("the key must be at least 16 bytes")
    return key


def _digest(key: bytes, kind: str, value: str) -> str:
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _check_letter(body12: str) -> str | None:
    total = 0
    for weight, ch in zip(range(2, 14), body12, strict=False):
        if ch.isdigit():
            total += int(ch) * weight
        elif weight == 13 and ch in CHECK:
            total += CHECK.index(ch) * weight
        else:
            return None
    return CHECK[total % 23]


def upn_pseudonym(key: bytes, upn: str | None) -> str | None:
    if upn is None or not upn.strip():
        return upn
    value = upn.strip().upper()
    digits = "".join(str(int(c, 16) % 10) for c in _digest(key, "upn", value))
    chars = list(value)
    for i, ch in enumerate(chars):
        if i >= 4 and ch.isdigit():  # keep the check letter slot and the LA code
            chars[i] = digits[i % len(digits)]
    body = "".join(chars[1:13])
    if len(value) == 13 and len(body) == 12:
        right = _check_letter(value[1:13])
        new_letter = _check_letter(body)
        if right is not None and new_letter is not None:
            if value[0] == right:
                chars[0] = new_letter
            elif value[0] in CHECK:
                chars[0] = CHECK[(CHECK.index(new_letter) + 1) % 23]
    return "".join(chars)


def month_of(date_text: str | None) -> str | None:
    """`2016-05-23` -> `2016-05-01`; anything else unchanged (a format rule will flag it)."""
    if date_text is None:
        return None
    match = _MONTH_DATE.match(date_text.strip())
    return f"{match.group(1)}-{match.group(2)}-01" if match else date_text


def _pseudonymise_child(child: etree._Element, key: bytes, child_ids: dict[str, str]) -> None:
    for el in child.iter():
        tag = el.tag
        if tag == "LAchildID":
            el.text = child_ids.get(el.text, el.text) if el.text is not None else None
        elif tag in ("UPN", "FormerUPN"):
            el.text = upn_pseudonym(key, el.text)
        elif tag in ("PersonBirthDate", "ExpectedPersonBirthDate"):
            el.text = month_of(el.text)


def _xml_child_ids(source: str | Path) -> set[str]:
    """Every LAchildID in the census (a first, light pass: ids only)."""
    ids: set[str] = set()
    for _event, elem in etree.iterparse(
        str(source),
        events=("end",),
        tag="LAchildID",
        huge_tree=True,
        remove_comments=True,
        resolve_entities=False,
        no_network=True,
    ):
        if elem.text is not None:
            ids.add(elem.text)
        elem.clear()
    return ids


def pseudonymise_xml(source: str | Path, out: str | Path, key: bytes) -> Path:
    """Stream `source` to `out` with every child pseudonymised."""
    out_path = Path(out)
    tmp = out_path.with_name(out_path.name + ".part")
    try:
        child_ids = child_pseudonyms(key, _xml_child_ids(source), case_sensitive=True)
        with tmp.open("wb") as handle:
            handle.write(b'<?xml version="1.0" encoding="utf-8"?>\n<Message>')
            opened_children = False
            for _event, elem in etree.iterparse(
                str(source),
                events=("end",),
                tag=("Header", "Child"),
                huge_tree=True,
                remove_comments=True,
                resolve_entities=False,
                no_network=True,
            ):
                if elem.tag == "Header":
                    handle.write(etree.tostring(elem))
                    elem.clear()
                    continue
                if not opened_children:
                    handle.write(b"<Children>\n")
                    opened_children = True
                _pseudonymise_child(elem, key, child_ids)
                elem.tail = None
                handle.write(etree.tostring(elem))
                handle.write(b"\n")
                parent = elem.getparent()
                elem.clear()
                if parent is not None:
                    while elem.getprevious() is not None:
                        del parent[0]
            if not opened_children:
                handle.write(b"<Children>")
            handle.write(b"</Children></Message>\n")
    except etree.XMLSyntaxError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(
            str(source), None, None, f"line {exc.lineno}: malformed or truncated XML: {exc.msg}"
        ) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(out_path)
    return out_path


def pseudonymise_tables(tables: dict[str, pl.DataFrame], key: bytes) -> dict[str, pl.DataFrame]:
    """The same mapping over flattened text tables (CSV input)."""
    ids = child_pseudonyms(
        key,
        (
            value
            for frame in tables.values()
            if "LAchildID" in frame.columns
            for value in frame.get_column("LAchildID").cast(pl.String).unique().to_list()
        ),
        case_sensitive=True,
    )
    out = {}
    for name, frame in tables.items():
        exprs = []
        if "LAchildID" in frame.columns:
            exprs.append(pl.col("LAchildID").cast(pl.String).replace(ids))
        for column in ("UPN", "FormerUPN"):
            if column in frame.columns:
                exprs.append(
                    pl.col(column).map_elements(
                        lambda v: upn_pseudonym(key, v), return_dtype=pl.String
                    )
                )
        for column in ("PersonBirthDate", "ExpectedPersonBirthDate"):
            if column in frame.columns:
                exprs.append(pl.col(column).map_elements(month_of, return_dtype=pl.String))
        out[name] = frame.with_columns(exprs) if exprs else frame
    return out


def pseudonymise_path(source: str | Path, out: str | Path, key: bytes) -> list[Path]:
    """XML file -> pseudonymised XML file; a folder / zip of CSVs -> a folder of CSVs."""
    src = Path(source)
    if not src.exists():
        raise InputError(str(source), None, None, "no such file or folder")
    # held to the readers' limits (`statutory.engine.limits`), checked before anything is parsed
    limits = default_limits()
    if src.is_file() and src.suffix.lower() == ".xml":
        if src.stat().st_size > limits.max_bytes:
            raise too_big(str(src), src.stat().st_size, limits)
        _check_records(src, limits)
        return [pseudonymise_xml(src, out, key)]
    items = [(Path(n.split("!")[-1]).name, data) for n, data in _csv_items(src, Budget(limits))]
    if not items:
        raise InputError(str(source), None, None, "no CSV files found")
    for name, data in items:
        scan_csv(name, data, limits)
    frames = {name: pl.read_csv(io.BytesIO(data), infer_schema=False) for name, data in items}
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in pseudonymise_tables(frames, key).items():
        target = folder / name
        tmp = target.with_name(target.name + ".part")
        frame.write_csv(tmp)
        tmp.replace(target)
        written.append(target)
    return written
