"""Pseudonymise an SSDA903 return so it can be pooled: nothing identifies a child without the key.

- `CHILD` -> `statutory.engine.pseudonym.child_pseudonym`: 16 hex characters of HMAC-SHA256
  of the stripped, upper-cased id under the council's key, the same pseudonym the CIN census's
  `LAchildID` gets for that id. The same id gives the same pseudonym in every table, every year
  and both returns, so joins and year-on-year checks still work; without the key the mapping
  cannot be rebuilt (and the key is never written with the data).
- `UPN` -> a well-formed UPN derived from the same keyed hash (check letter correct), so UPN
  format and duplicate checks still behave; the DfE's "unknown" codes UN1-UN5 are kept; a UPN
  that is not well formed becomes `INVALIDUPN` (still invalid, but no longer the original).
- `SW_ID` (social worker) -> its first two characters (SW/XX) + a keyed hash.
- Every date of birth (`DOB`, `MC_DOB`) -> the first of its month; an unreadable date is kept
  as supplied so format checks still see it.
- Postcodes (`HOME_POST`, `PL_POST`) -> postcode sector ("NE33 1AB" -> "NE33 1").

Checks that depend on the exact day of birth (ages on a given day) or on full postcodes
(distances, `PL_LA`) can give different answers on pseudonymised data; all others are unchanged.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import polars as pl

from statutory.engine.columns import parse_date_series
from statutory.engine.errors import InputError
from statutory.engine.pseudonym import child_pseudonyms
from statutory.engine.reports import atomic_write
from statutory.ssda903.reader import read_raw_tables

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
MIN_KEY_BYTES = 16
DATE_OF_BIRTH_COLUMNS = ("DOB", "MC_DOB")
POSTCODE_COLUMNS = ("HOME_POST", "PL_POST")


def load_key(key_file: Path | None, env_value: str | None = None) -> bytes:
    """The council's key, from a file (preferred) or an environment variable's value."""
    if key_file is not None:
        if not key_file.exists():
            raise InputError(str(key_file), None, None, "key file not found")
        key = key_file.read_bytes().strip()
    elif env_value:
        key = env_value.encode("utf-8").strip()
    else:
        raise ValueError(
            "a key is needed: pass --key-file or set ALLIANCE_PSEUDONYMISE_KEY "
            "(one secret per council, kept apart from the data)"
        )
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the key must be at least {MIN_KEY_BYTES} bytes long")
    return key


def _digest(key: bytes, purpose: str, value: str) -> str:
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest().upper()


def _mapping(values: pl.Series, key: bytes, purpose: str, make: object = None) -> dict[str, str]:
    """Keyed pseudonym for each distinct value (hashing runs once per distinct id, not per row)."""
    out: dict[str, str] = {}
    for value in values.drop_nulls().unique().to_list():
        digest = _digest(key, purpose, value)
        out[value] = make(digest) if callable(make) else digest[:16]
    return out


def _upn_from(digest: str) -> str:
    digits = [int(c, 16) % 10 for c in digest[:12]]
    check = sum(d * w for d, w in zip(digits, range(2, 14), strict=True)) % 23
    return UPN_LETTERS[check] + "".join(str(d) for d in digits)


def _upn_valid(upn: str) -> bool:
    if len(upn) != 13 or upn[0] not in UPN_LETTERS or not upn[1:].isdigit():
        return False
    check = sum(int(d) * w for d, w in zip(upn[1:], range(2, 14), strict=True)) % 23
    return UPN_LETTERS[check] == upn[0]


def postcode_sector(expr: pl.Expr) -> pl.Expr:
    """'NE33 1AB' / 'ne331ab' -> 'NE33 1'; shorter text is kept (upper-cased, unspaced)."""
    compact = expr.str.to_uppercase().str.replace_all(r"\s+", "")
    return (
        pl.when(compact.str.len_chars() >= 5)
        .then(pl.concat_str(compact.str.head(-3), pl.lit(" "), compact.str.slice(-3, 1)))
        .otherwise(compact)
    )


def first_of_month(text: pl.Series) -> pl.Series:
    """Readable dates -> 01/mm/YYYY; unreadable text is kept as supplied."""
    parsed = parse_date_series(text)
    shown = parsed.dt.truncate("1mo").dt.strftime("%d/%m/%Y")
    return pl.select(pl.coalesce(shown, text)).to_series().alias(text.name)


def pseudonymise_tables(tables: dict[str, pl.DataFrame], key: bytes) -> dict[str, pl.DataFrame]:
    """Text tables in -> text tables out (same columns, same rows, same order)."""
    ids = (
        pl.concat(
            [t.get_column("CHILD").cast(pl.String) for t in tables.values() if "CHILD" in t.columns]
            or [pl.Series("CHILD", [], dtype=pl.String)]
        )
        .str.strip_chars()
        .str.to_uppercase()
    )
    child_map = child_pseudonyms(key, ids.drop_nulls().unique().to_list())
    upns = (
        pl.concat(
            [t.get_column("UPN").cast(pl.String) for t in tables.values() if "UPN" in t.columns]
            or [pl.Series("UPN", [], dtype=pl.String)]
        )
        .str.strip_chars()
        .str.to_uppercase()
    )
    upn_map = {
        value: (
            value
            if value.startswith("UN") and len(value) == 3
            else (_upn_from(_digest(key, "upn", value)) if _upn_valid(value) else "INVALIDUPN")
        )
        for value in upns.drop_nulls().unique().to_list()
    }
    out: dict[str, pl.DataFrame] = {}
    for name, frame in tables.items():
        exprs: list[pl.Expr] = []
        if "CHILD" in frame.columns:
            child = pl.col("CHILD").cast(pl.String).str.strip_chars().str.to_uppercase()
            exprs.append(child.replace_strict(child_map, default=None).alias("CHILD"))
        if "UPN" in frame.columns:
            upn = pl.col("UPN").cast(pl.String).str.strip_chars().str.to_uppercase()
            exprs.append(upn.replace_strict(upn_map, default=None).alias("UPN"))
        if "SW_ID" in frame.columns:
            sw = frame.get_column("SW_ID").cast(pl.String).str.strip_chars().str.to_uppercase()
            sw_map = _mapping(sw, key, "sw", lambda d: d[:10])
            exprs.append(
                pl.concat_str(
                    pl.col("SW_ID").str.strip_chars().str.to_uppercase().str.head(2),
                    pl.col("SW_ID")
                    .str.strip_chars()
                    .str.to_uppercase()
                    .replace_strict(sw_map, default=None),
                ).alias("SW_ID")
            )
        exprs.extend(
            postcode_sector(pl.col(c).cast(pl.String)).alias(c)
            for c in POSTCODE_COLUMNS
            if c in frame.columns
        )
        result = frame.with_columns(exprs) if exprs else frame
        for column in DATE_OF_BIRTH_COLUMNS:
            if column in result.columns:
                result = result.with_columns(
                    first_of_month(result.get_column(column).cast(pl.String))
                )
        out[name] = result
    return out


def pseudonymise_path(path: Path, out: Path, key: bytes, *, year: int = 2025) -> list[Path]:
    """Read a return (folder, zip or XML; previous/ sub-folder too) and write pseudonymised CSVs
    to `out` (and `out/previous`). The key is not written anywhere."""
    current, previous = read_raw_tables(path, year)
    written: list[Path] = []
    for folder, tables in ((out, current), (out / "previous", previous)):
        if not tables:
            continue
        frames = {name: raw.frame.drop("ROW_NUMBER", strict=False) for name, raw in tables.items()}
        for name, frame in pseudonymise_tables(frames, key).items():
            target = folder / f"{name.lower()}.csv"
            written.append(atomic_write(target, frame.write_csv))
    return written
