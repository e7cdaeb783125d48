"""Realistic synthetic SSDA903 returns for N children: this year's and last year's, consistent.

Each child gets one period of care on a timeline covering both collection years (and the years
before), split into episodes by placement and legal-status changes; each year's return is then
the slice a council would have sent that year (an episode still open at last year's 31 March
has no end date in last year's return). Around the episodes: Header, reviews, missing
episodes, UASC, OC2 (looked after 12 months at 31 March), care leavers' OC3 (17th-21st birthday
in the year), adoptions (AD1, PlacedAdoption), previous permanence and social worker episodes.

Everything is vectorised (numpy + Polars): 200,000 children take a few seconds. The data are
mostly valid; `error_rate` plants that share of rows with a typical mistake (bad code, date in
the wrong format or order, blank required item) so validation has something to find.
Postcodes are real (sampled from the ONS Postcode Directory in the shared data) when it is
there, so distance rules behave; otherwise made-up postcodes of the right shape.
"""

# numpy's stubs cannot type object arrays holding None (np.where(mask, None, values)):
# mypy: disable-error-code="call-overload,arg-type"
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from statutory.reference import shared_path
from statutory.ssda903.schemas import load_schema

EPOCH = dt.date(1970, 1, 1)
DAY = 365.25
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"

# Age of children looked after at 31 March (England, DfE statistics, rounded).
_AGE_WEIGHTS = np.array(
    [5, 3.5, 3.5, 3, 3, 3.5, 3.5, 3.5, 3.5, 3.5, 5, 6, 6.5, 7, 7.5, 8, 10, 11], dtype=float
)
_ETHNIC = {
    "WBRI": 70,
    "WOTH": 4,
    "MWBC": 3,
    "MOTH": 3,
    "AOTH": 2,
    "APKN": 2,
    "BAFR": 3,
    "BCRB": 2,
    "BOTH": 2,
    "OOTH": 4,
    "WIRT": 1,
    "WROM": 1,
    "MWBA": 1,
    "ABAN": 1,
    "NOBT": 1,
}
_CIN = {"N1": 65, "N2": 3, "N3": 3, "N4": 13, "N5": 5, "N6": 3, "N7": 2, "N8": 6}
_PLACE = {
    "U1": 8,
    "U2": 2,
    "U3": 4,
    "U4": 25,
    "U5": 8,
    "U6": 15,
    "K2": 10,
    "P1": 6,
    "H5": 5,
    "K1": 1,
    "R1": 1,
    "R2": 1,
    "R3": 1,
    "R5": 1,
    "S1": 1,
    "A3": 1,
    "A4": 1,
    "A5": 1,
    "A6": 1,
    "P3": 1,
    "T0": 1,
    "T3": 1,
    "Z1": 1,
    "K3": 2,
    "Z11": 1,
    "Z12": 1,
}
# Placement types Ofsted does not register: no URN (the others carry the provider's URN).
_NO_URN = {
    "P1",
    "P2",
    "P3",
    "R1",
    "R2",
    "R5",
    "T0",
    "T1",
    "T2",
    "T3",
    "T4",
    "Z1",
    "Z11",
    "Z12",
    "Z13",
    "Z14",
}
_REC_END = {
    "E4A": 30,
    "E4B": 5,
    "E8": 8,
    "E13": 5,
    "E41": 5,
    "E45": 4,
    "E46": 4,
    "E47": 2,
    "E48": 2,
    "E11": 8,
    "E12": 2,
    "E5": 4,
    "E6": 1,
    "E7": 1,
    "E9": 1,
    "E14": 2,
    "E15": 2,
    "E16": 2,
    "E17": 5,
    "E3": 1,
    "E2": 0.2,
}
_REASON_CHANGE = {
    "CARPL": 30,
    "CLOSE": 5,
    "ALLEG": 2,
    "STAND": 10,
    "APPRR": 2,
    "CREQB": 10,
    "CREQO": 5,
    "CHILD": 8,
    "LAREQ": 10,
    "PLACE": 8,
    "CUSTOD": 1,
    "OTHER": 9,
}
_ACTIV = {
    "F1": 8,
    "P1": 1,
    "F2": 25,
    "P2": 4,
    "F4": 8,
    "P4": 2,
    "F5": 10,
    "P5": 4,
    "G4": 8,
    "G5": 25,
    "G6": 5,
}
_ACCOM_LETTERS = list("BCDEGHKRTUVWYZ")
_IN_TOUCH = {"YES": 88, "NO": 5, "REFU": 3, "NREQ": 2, "RHOM": 2}
_SW_REASONS = [
    "MANAGE",
    "FCONTA",
    "LEFTRL",
    "ORGRST",
    "TSPROC",
    "ABSENC",
    "CHCHAN",
    "PCCHAN",
    "OTHERS",
]


def _frame(columns: dict[str, object]) -> pl.DataFrame:
    """numpy arrays of text (with None for blanks) -> String columns; others as they are."""
    out: dict[str, pl.Series] = {}
    for name, values in columns.items():
        if isinstance(values, pl.Series):
            out[name] = values.alias(name)
        elif isinstance(values, np.ndarray) and values.dtype.kind in ("O", "U"):
            out[name] = pl.Series(name, values.tolist(), dtype=pl.String)
        elif values is None:
            out[name] = pl.Series(name, [None], dtype=pl.String)
        else:
            out[name] = pl.Series(name, values)
    height = max((len(v) for v in out.values() if len(v) != 1), default=1)
    return pl.DataFrame(
        [v.extend_constant(None, height - 1) if len(v) == 1 < height else v for v in out.values()]
    )


def _within(counts: np.ndarray) -> np.ndarray:
    """0..k-1 for each group of size k, concatenated (np.repeat's companion)."""
    counts = np.asarray(counts, dtype=np.int64)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(int(counts.sum()), dtype=np.int64) - starts


def _day(date: dt.date) -> int:
    return (date - EPOCH).days


def _pick(
    rng: np.random.Generator, weights: dict[str, float], size: int, allowed: set[str] | None = None
) -> np.ndarray:
    items = [k for k in weights if allowed is None or k in allowed]
    p = np.array([weights[k] for k in items], dtype=float)
    return rng.choice(np.array(items, dtype=object), size=size, p=p / p.sum())


def _dates(days: np.ndarray | pl.Series, name: str) -> pl.Series:
    """Days since 1970 (nullable) -> dd/mm/YYYY text."""
    series = pl.Series(name, days).cast(pl.Int32).cast(pl.Date)
    return series.dt.strftime("%d/%m/%Y").alias(name)


def upn(rng: np.random.Generator, n: int, la: int = 393) -> np.ndarray:
    """Well-formed unique pupil numbers: check letter + LA (3) + school (4) + year (2) + serial
    (3); the check letter is the weighted sum (weights 2-13) mod 23 over the DfE's alphabet."""
    digits = np.empty((n, 12), dtype=np.int64)
    la_digits = [int(c) for c in f"{la:03d}"]
    digits[:, 0:3] = la_digits
    digits[:, 3:12] = rng.integers(0, 10, size=(n, 9))
    weights = np.arange(2, 14)
    check = (digits * weights).sum(axis=1) % 23
    chars = np.empty((n, 13), dtype=np.uint8)
    chars[:, 0] = np.frombuffer(UPN_LETTERS.encode(), dtype=np.uint8)[check]
    chars[:, 1:] = digits + ord("0")
    return chars.view("S13").ravel().astype(str)


@dataclass
class _Postcodes:
    home: np.ndarray
    anywhere: np.ndarray


def _postcodes(rng: np.random.Generator, home_district: str) -> _Postcodes:
    path = shared_path("reference", "onspd", "onspd_postcodes.csv.gz")
    if path.exists():
        from statutory.engine.postcodes import Postcodes

        # the cached directory (Parquet after the first run): English postcodes with a grid
        # reference, the council's own and a national sample, written as people write them
        english = Postcodes.shared().frame.filter(
            pl.col("easting").is_not_null() & pl.col("lad_code").str.starts_with("E")
        )
        written = pl.concat_str(
            pl.col("postcode_key").str.head(-3), pl.lit(" "), pl.col("postcode_key").str.tail(3)
        )
        home = english.filter(pl.col("lad_code") == home_district).select(written).to_series()
        anywhere = (
            english.sample(n=min(20_000, english.height), seed=int(rng.integers(1 << 31)))
            .select(written)
            .to_series()
            .to_numpy()
        )
        if home.len():
            return _Postcodes(home.to_numpy(), anywhere)
        return _Postcodes(anywhere[:2000], anywhere)
    letters = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
    made = np.array(
        [
            f"NE{a} {b}{c}{d}"
            for a, b, c, d in zip(
                rng.integers(1, 40, 3000),
                rng.integers(0, 10, 3000),
                rng.choice(letters, 3000),
                rng.choice(letters, 3000),
                strict=True,
            )
        ]
    )
    return _Postcodes(made, made)


def generate(  # noqa: PLR0915 - the timeline is built step by step, each step commented
    children: int,
    year: int = 2025,
    *,
    seed: int = 0,
    error_rate: float = 0.01,
    home_district: str = "E08000023",
    la_number: int = 393,
) -> tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame]]:
    """-> (this year's tables, last year's tables), each table a frame of text columns."""
    rng = np.random.default_rng(seed)
    cur_start, cur_end = _day(dt.date(year - 1, 4, 1)), _day(dt.date(year, 3, 31))
    prev_start, prev_end = _day(dt.date(year - 2, 4, 1)), _day(dt.date(year - 1, 3, 31))
    postcodes = _postcodes(rng, home_district)

    # ---- children looked after in the two years, and care leavers ------------------------
    n_lac = max(int(children), 1)
    n_cl = max(int(children * 0.15), 1)
    n = n_lac + n_cl
    ids = np.char.add("C", (rng.permutation(n) + 1_000_000).astype(str))
    is_cl = np.zeros(n, dtype=bool)
    is_cl[n_lac:] = True

    age = rng.choice(18, size=n, p=_AGE_WEIGHTS / _AGE_WEIGHTS.sum()).astype(float)
    # care leavers: 17th..21st birthday falls in this collection year
    age[is_cl] = rng.integers(17, 22, size=n_cl)
    dob = (cur_end - (age * DAY + rng.uniform(1, 364, n))).astype(np.int64)
    dob[is_cl] = (cur_start + rng.integers(0, 365, n_cl) - (age[is_cl] * DAY)).astype(np.int64)

    # one period of care per child
    duration = rng.exponential(900, n)
    p_start = np.maximum((cur_end - duration).astype(np.int64), dob)
    ceased = rng.random(n) < 0.33
    lo = np.maximum(p_start, prev_start) + 1
    p_end = np.where(
        ceased, lo + (rng.random(n) * np.maximum(cur_end - lo, 1)).astype(np.int64), -1
    )
    p_end = np.where(ceased & (p_end > cur_end), cur_end, p_end)
    # care leavers left care before this year: at 18 (older ones) or at 16-17 (younger ones)
    eighteenth = (dob + 18 * DAY).astype(np.int64)
    cl_end = np.where(
        age >= 19, eighteenth, np.minimum(cur_start - 1 - rng.integers(0, 300, n), eighteenth)
    )
    p_end = np.where(is_cl, cl_end, p_end)
    p_start = np.where(is_cl, cl_end - rng.integers(120, 4 * 365, n), p_start)
    p_start = np.maximum(p_start, dob)
    ceased = ceased | is_cl

    # ---- episodes -------------------------------------------------------------------------
    history = np.maximum(p_start, prev_start - 400)
    end_or_now = np.where(ceased, p_end, cur_end)
    span = np.maximum(end_or_now - history, 1)
    changes = np.minimum(rng.poisson(1.1 * span / 365), 10)
    changes = np.minimum(changes, np.maximum(span - 2, 0))
    k = changes + 1
    child_of = np.repeat(np.arange(n), k)
    first = np.zeros(child_of.size, dtype=bool)
    first[np.concatenate([[0], np.cumsum(k)[:-1]])] = True
    u = rng.random(child_of.size)
    cut = history[child_of] + 1 + (u * (span[child_of] - 1)).astype(np.int64)
    decom = np.where(first, p_start[child_of], cut)
    ep = (
        pl.DataFrame({"c": child_of, "DECOM": decom, "first": first})
        .sort("c", "DECOM")
        .unique(subset=["c", "DECOM"], keep="first", maintain_order=True)
    )
    ep = ep.with_columns(
        pl.col("DECOM").shift(-1).over("c").alias("DEC"),
        pl.int_range(pl.len()).over("c").alias("i"),
        (pl.int_range(pl.len()).over("c") == pl.len().over("c") - 1).alias("last"),
    )
    c = ep["c"].to_numpy()
    last = ep["last"].to_numpy()
    n_ep = ep.height
    dec = ep["DEC"].to_numpy(allow_copy=True).astype(float)
    dec = np.where(last, np.where(ceased[c], p_end[c], np.nan), dec)

    schema = load_schema(year)
    place_codes = set(schema.codes["PLACE"])
    rne = np.where(
        ep["i"].to_numpy() == 0,
        "S",
        rng.choice(np.array(["P", "L", "T", "U", "B"]), n_ep, p=[0.7, 0.15, 0.1, 0.03, 0.02]),
    )
    # Legal status: one per child, changed only by episodes that say so (RNE L or T).
    ls_base = rng.choice(np.array(["C2", "V2", "C1"]), n, p=[0.6, 0.25, 0.15])
    changes_ls = (rne == "L") | (rne == "T")
    ls_step = pl.Series(changes_ls).cum_sum().to_numpy()
    first_step = (
        pl.select(
            pl.when(pl.Series(ep["i"].to_numpy() == 0)).then(pl.Series(ls_step)).forward_fill()
        )
        .to_series()
        .to_numpy()
    )
    changes_so_far = ls_step - first_step
    ls_cycle = np.array(["C1", "C2", "E1", "C2"])
    start_at = np.where(ls_base == "C1", 0, np.where(ls_base == "C2", 1, -1))[c]
    age_at_decom = (ep["DECOM"].to_numpy() - dob[c]) / DAY
    ls = np.where(
        start_at < 0,
        np.where(changes_so_far > 0, "C2", "V2"),
        ls_cycle[(np.maximum(start_at, 0) + changes_so_far) % 4],
    )
    ls = np.where((ls == "E1") & (age_at_decom > 10), "C2", ls)
    # Placement: new for S/P/T/U/B episodes, carried over for L (legal status only).
    place = _pick(rng, _PLACE, n_ep, place_codes)
    place = np.where((place == "H5") & (age_at_decom < 16), "U4", place)
    place = np.where(np.isin(place, ["A3", "A4", "A5", "A6"]) & (age_at_decom > 8), "U6", place)
    place = np.where((place == "P1") & (ls == "V2"), "U4", place)
    if "U4" not in place_codes:  # not expected, but keep codes valid for any year
        place = np.where(np.isin(place, list(place_codes)), place, sorted(place_codes)[0])
    no_provider = set(schema.codes.get("PLACE_NO_PROVIDER", ()))
    provider: np.ndarray = np.asarray(
        np.where(
            np.isin(place, list(no_provider)),
            None,
            np.where(
                place == "P1",
                "PR0",
                np.where(
                    np.isin(place, ["R2", "R5"]),
                    "PR4",
                    rng.choice(
                        np.array(["PR1", "PR2", "PR4", "PR5"]), n_ep, p=[0.55, 0.05, 0.35, 0.05]
                    ),
                ),
            ),
        ),
        dtype=object,
    )
    urn: np.ndarray = np.asarray(
        np.where(
            np.isin(place, list(_NO_URN)),
            None,
            np.char.add("SC", rng.integers(100000, 999999, n_ep).astype(str)),
        ),
        dtype=object,
    )
    # reason the episode ended
    rne_next = np.roll(rne, -1)
    rec = np.where(last, None, "X1").astype(object)
    final_reason = _pick(rng, _REC_END, n_ep)
    age_at_dec = (np.nan_to_num(dec, nan=0) - dob[c]) / DAY
    final_reason = np.where(
        age_at_dec >= 17.99,
        rng.choice(np.array(["E17", "E8", "E5", "E15"]), n_ep),
        np.where(np.isin(final_reason, ["E17", "E5"]), "E4A", final_reason),
    )
    final_reason = np.where(
        np.isin(final_reason, ["E11", "E12"]) & (age_at_dec > 10), "E4A", final_reason
    )
    rec = np.where(last & ~np.isnan(dec), final_reason, rec)
    temporary = np.isin(place, ["T0", "T1", "T2", "T3", "T4"])
    reason_change = np.where(
        ~last & ~temporary & np.isin(rne_next, ["P", "T", "U", "B"]),
        _pick(rng, _REASON_CHANGE, n_ep),
        None,
    )
    uasc_child = (rng.random(n) < 0.06) & (age >= 14)
    home_post = np.where(uasc_child, None, postcodes.home[rng.integers(0, postcodes.home.size, n)])[
        c
    ]
    # own-provision (PR1) placements are in the council's area; others mostly nearby
    local = (rng.random(n_ep) < 0.7) | (provider == "PR1")
    pl_post = np.where(
        local,
        postcodes.home[rng.integers(0, postcodes.home.size, n_ep)],
        postcodes.anywhere[rng.integers(0, postcodes.anywhere.size, n_ep)],
    )
    # an L episode (legal status change only) keeps the placement it continues
    same_placement = rne == "L"
    carried = (
        pl.DataFrame(
            {
                "PLACE": pl.Series(place.tolist(), dtype=pl.String),
                "PLACE_PROVIDER": pl.Series(provider.tolist(), dtype=pl.String),
                "PL_POST": pl.Series(pl_post.tolist(), dtype=pl.String),
                "URN": pl.Series(urn.tolist(), dtype=pl.String),
                "keep": same_placement,
            }
        )
        .with_columns(
            pl.when(~pl.col("keep"))
            .then(pl.struct("PLACE", "PLACE_PROVIDER", "PL_POST", "URN"))
            .forward_fill()
            .alias("s")
        )
        .select(pl.col("s").struct.unnest())
    )
    place = carried["PLACE"].to_numpy()
    provider = carried["PLACE_PROVIDER"].to_numpy()
    pl_post = carried["PL_POST"].to_numpy()
    urn = carried["URN"].to_numpy()

    episodes_all = _frame(
        {
            "c": c,
            "CHILD": ids[c],
            "DECOM_d": ep["DECOM"].to_numpy(),
            "DEC_d": dec,
            "RNE": rne,
            "LS": ls.astype(str),
            "CIN": _pick(rng, _CIN, n, None)[c],
            "PLACE": place.astype(str),
            "PLACE_PROVIDER": provider,
            "REC": rec,
            "REASON_PLACE_CHANGE": reason_change,
            "HOME_POST": home_post,
            "PL_POST": pl_post,
            "URN": urn,
        },
    ).with_columns(pl.col("DEC_d").fill_nan(None).cast(pl.Int64))

    people = _frame(
        {
            "c": np.arange(n),
            "CHILD": ids,
            "dob": dob,
            "sex": rng.choice(np.array([1, 2]), n, p=[0.56, 0.44]),
            "ETHNIC": _pick(rng, _ETHNIC, n),
            "upn": upn(rng, n, la_number),
            "is_cl": is_cl,
            "p_start": p_start,
            "p_end": np.where(ceased, p_end, -1),
            "uasc": uasc_child,
            "mother": rng.random(n) < 0.03,
            "adopted_plan": rng.random(n) < 0.5,
        },
    )

    # Social worker episodes on the same timeline, changing about once a year, so both years'
    # returns agree.
    # social work usually starts before care, and the return wants the whole year covered
    sw_from = np.minimum(p_start, prev_start) - rng.integers(30, 400, n)
    sw_to = np.where(ceased, p_end, cur_end)
    sw_span = np.maximum(sw_to - sw_from, 1)
    sw_count = 1 + np.minimum(rng.poisson(0.8 * sw_span / 365), 6)
    sc = np.repeat(np.arange(n), sw_count)
    idx = _within(sw_count)
    total = np.repeat(sw_count, sw_count)
    sw_start = sw_from[sc] + (idx * sw_span[sc] // total)
    sw_end = np.where(
        idx == total - 1,
        np.where(ceased[sc], sw_to[sc], -1),
        sw_from[sc] + ((idx + 1) * sw_span[sc] // total),
    )
    social_work = pl.DataFrame(
        {
            "c": sc,
            "SW_ID": np.char.add("SW", rng.integers(100000, 999999, sc.size).astype(str)),
            "SW_DECOM_d": sw_start,
            "SW_DEC_d": pl.Series(sw_end).replace(-1, None),
            "SW_REASON": rng.choice(np.array(_SW_REASONS), sc.size),
        }
    )

    def build(y: int, start: int, end: int, ep_all: pl.DataFrame) -> dict[str, pl.DataFrame]:
        return _year_tables(rng, y, start, end, ep_all, people, error_rate, social_work=social_work)

    current = build(year, cur_start, cur_end, episodes_all)
    previous = build(year - 1, prev_start, prev_end, episodes_all)
    return current, previous


def _year_tables(  # noqa: PLR0915 - one table after another reads best in sequence
    rng: np.random.Generator,
    year: int,
    start: int,
    end: int,
    episodes_all: pl.DataFrame,
    people: pl.DataFrame,
    error_rate: float,
    *,
    social_work: pl.DataFrame,
) -> dict[str, pl.DataFrame]:
    schema = load_schema(year) if year >= 2018 else load_schema(2018)
    eps = episodes_all.filter(
        (pl.col("DECOM_d") <= end) & (pl.col("DEC_d").is_null() | (pl.col("DEC_d") >= start))
    )
    after = pl.col("DEC_d") > end
    eps = eps.with_columns(
        pl.when(after).then(None).otherwise(pl.col("DEC_d")).alias("DEC_d"),
        pl.when(after).then(None).otherwise(pl.col("REC")).alias("REC"),
        pl.when(after)
        .then(None)
        .otherwise(pl.col("REASON_PLACE_CHANGE"))
        .alias("REASON_PLACE_CHANGE"),
    )
    in_return = people.join(eps.select("c").unique(), on="c", how="semi")
    leavers = people.filter(pl.col("is_cl") & (pl.col("dob").cast(pl.Int64) + (17 * DAY)).le(end))
    # 17th-21st birthday in this year
    birthday_age = ((pl.lit(end) - pl.col("dob")) / DAY).floor()
    leavers = leavers.filter(birthday_age.is_between(17, 21))
    everyone = pl.concat([in_return, leavers]).unique(subset="c", keep="first").sort("c")
    m = everyone.height

    new_sex = year >= 2025
    sex = everyone["sex"].to_numpy()
    sex_text = np.where(sex == 1, "M", "F") if new_sex else sex.astype(str)
    dob_d = everyone["dob"].to_numpy()
    age_end = (end - dob_d) / DAY
    female = sex == 2
    # MOTHER for every girl looked after this year; not for care leavers out of care
    mother = np.where(
        female & ~everyone["is_cl"].to_numpy(),
        np.where(everyone["mother"].to_numpy() & (age_end >= 14), "1", "0"),
        None,
    )
    mc_dob = np.where(mother == "1", end - rng.integers(30, 700, m), -1)
    upn_col = np.where(age_end < 4, "UN1", everyone["upn"].to_numpy())
    header = _frame(
        {
            "CHILD": everyone["CHILD"],
            "SEX": sex_text,
            "DOB": _dates(dob_d, "DOB"),
            "ETHNIC": everyone["ETHNIC"],
            "UPN": upn_col,
            "MOTHER": mother,
            "MC_DOB": _dates(pl.Series(mc_dob).replace(-1, None), "MC_DOB"),
        },
    )

    episodes = eps.select(
        "CHILD",
        _dates(eps["DECOM_d"], "DECOM"),
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        _dates(eps["DEC_d"], "DEC"),
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    )

    # per-child facts within the year
    per_child = (
        eps.group_by("c")
        .agg(
            pl.col("DECOM_d").min().alias("first"),
            pl.col("DEC_d").max().alias("last_dec"),
            pl.col("DEC_d").is_null().any().alias("open"),
        )
        .join(people.select("c", "CHILD", "dob", "p_start", "uasc", "adopted_plan", "sex"), on="c")
        .sort("c")
    )
    h = per_child.height
    window_start = np.maximum(per_child["first"].to_numpy(), start)
    window_end = np.where(
        per_child["open"].to_numpy(), end, per_child["last_dec"].fill_null(end).to_numpy()
    )
    days = np.maximum(window_end - window_start, 0)
    child = per_child["CHILD"].to_numpy()
    dob_c = per_child["dob"].to_numpy()

    # reviews: first 20 days after starting, then every ~6 months
    n_rev = np.where(days >= 20, 1 + days // 182, 0)
    rc = np.repeat(np.arange(h), n_rev)
    step = _within(n_rev)
    rev_day = window_start[rc] + 19 + step * 182 - rng.integers(0, 10, rc.size)
    rev_day = np.minimum(rev_day, window_end[rc])
    age_rev = (rev_day - dob_c[rc]) / DAY
    reviews = _frame(
        {
            "CHILD": child[rc],
            "DOB": _dates(dob_c[rc], "DOB"),
            "REVIEW": _dates(rev_day, "REVIEW"),
            "REVIEW_CODE": np.where(
                age_rev < 4,
                "PN0",
                rng.choice(
                    np.array(["PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"]),
                    rc.size,
                    p=[0.55, 0.15, 0.1, 0.08, 0.05, 0.04, 0.03],
                ),
            ),
        },
    )

    # UASC
    u = per_child.filter(pl.col("uasc"))
    sex_u = u["sex"].to_numpy()
    uasc = _frame(
        {
            "CHILD": u["CHILD"],
            "SEX": np.where(sex_u == 1, "M", "F") if new_sex else sex_u.astype(str),
            "DOB": _dates(u["dob"].to_numpy(), "DOB"),
            "DUC": _dates((u["dob"].to_numpy() + 18 * DAY).astype(np.int64), "DUC"),
        },
    )

    # OC2: looked after continuously for 12 months at 31 March
    o = per_child.filter(pl.col("open") & (pl.col("p_start") <= end - 365))
    k2 = o.height
    age_o = (end - o["dob"].to_numpy()) / DAY
    scored = (age_o >= 4) & (age_o < 17) & (rng.random(k2) < 0.97)
    oc2 = _frame(
        {
            "CHILD": o["CHILD"],
            "DOB": _dates(o["dob"].to_numpy(), "DOB"),
            "SDQ_SCORE": np.where(scored, rng.integers(0, 41, k2).astype(str), None),
            "SDQ_REASON": np.where(
                scored | (age_o < 4) | (age_o >= 18),
                None,
                rng.choice(np.array(["SDQ1", "SDQ2", "SDQ3", "SDQ4", "SDQ5"]), k2),
            ),
            "CONVICTED": np.where(age_o >= 10, np.where(rng.random(k2) < 0.03, "1", "0"), None),
            # the health check item is for under-fives only
            "HEALTH_CHECK": np.where(age_o < 5, np.where(rng.random(k2) < 0.9, "1", "0"), None),
            "IMMUNISATIONS": np.where(rng.random(k2) < 0.85, "1", "0"),
            "TEETH_CHECK": np.where(rng.random(k2) < 0.8, "1", "0"),
            "HEALTH_ASSESSMENT": np.where(rng.random(k2) < 0.9, "1", "0"),
            "SUBSTANCE_MISUSE": np.where(rng.random(k2) < 0.04, "1", "0"),
            "INTERVENTION_RECEIVED": None,
            "INTERVENTION_OFFERED": None,
        },
    )
    misuse = oc2["SUBSTANCE_MISUSE"] == "1"
    oc2 = oc2.with_columns(
        pl.when(misuse).then(pl.lit("1")).otherwise(None).alias("INTERVENTION_RECEIVED"),
        pl.lit(None, dtype=pl.String).alias("INTERVENTION_OFFERED"),
    )

    # OC3: care leavers with their 17th-21st birthday in the year
    q = leavers.height
    in_touch = _pick(rng, _IN_TOUCH, q)
    touching = in_touch == "YES"
    suitable = rng.random(q) < 0.88
    accom = np.char.add(rng.choice(np.array(_ACCOM_LETTERS), q), np.where(suitable, "1", "2"))
    accom = np.where(accom == "S1", "S2", accom)
    accom = np.where(accom == "X1", "X2", accom)
    oc3 = _frame(
        {
            "CHILD": leavers["CHILD"],
            "DOB": _dates(leavers["dob"].to_numpy(), "DOB"),
            "IN_TOUCH": in_touch,
            "ACTIV": np.where(touching, _pick(rng, _ACTIV, q), None),
            "ACCOM": np.where(touching, accom, None),
        },
    )

    # Adoptions: AD1 for children adopted (REC E11/E12) in the year; PlacedAdoption for
    # young children with a decision to place for adoption.
    adopted = eps.filter(pl.col("REC").is_in(["E11", "E12"]) & pl.col("DEC_d").is_not_null())
    a = adopted.height
    adec = adopted["DEC_d"].to_numpy()
    adob = adopted.join(people.select("c", "dob"), on="c", how="left")["dob"].to_numpy()
    ad1 = _frame(
        {
            "CHILD": adopted["CHILD"],
            "DOB": _dates(adob, "DOB"),
            "DATE_INT": _dates(np.maximum(adec - rng.integers(250, 500, a), adob + 30), "DATE_INT"),
            "DATE_MATCH": _dates(
                np.maximum(adec - rng.integers(120, 240, a), adob + 40), "DATE_MATCH"
            ),
            "FOSTER_CARE": np.where(rng.random(a) < 0.15, "1", "0"),
            "NB_ADOPTR": np.where(rng.random(a) < 0.8, "2", "1"),
            "SEX_ADOPTR": rng.choice(
                np.array(["MF", "MM", "FF", "M1", "F1"]), a, p=[0.7, 0.1, 0.1, 0.03, 0.07]
            ),
            "LS_ADOPTR": rng.choice(
                np.array(["L0", "L11", "L12", "L2", "L4"]), a, p=[0.6, 0.15, 0.05, 0.1, 0.1]
            ),
        },
    )
    young = per_child.filter(((pl.lit(end) - pl.col("dob")) / DAY < 6) & pl.col("adopted_plan"))
    young = young.join(adopted.select("c").unique(), on="c", how="anti")
    placed_ids = (
        pl.concat([adopted.select("c", "CHILD"), young.select("c", "CHILD")]).unique("c").sort("c")
    )
    pdob = placed_ids.join(people.select("c", "dob", "p_start"), on="c", how="left")
    pa = pdob.height
    date_placed = np.minimum(pdob["p_start"].to_numpy() + rng.integers(60, 300, pa), end)
    ceased_plan = rng.random(pa) < 0.05
    placed = _frame(
        {
            "CHILD": pdob["CHILD"],
            "DOB": _dates(pdob["dob"].to_numpy(), "DOB"),
            "DATE_PLACED": _dates(date_placed, "DATE_PLACED"),
            "DATE_PLACED_CEASED": _dates(
                pl.Series(np.where(ceased_plan, np.minimum(date_placed + 200, end), -1)).replace(
                    -1, None
                ),
                "DATE_PLACED_CEASED",
            ),
            "REASON_PLACED_CEASED": np.where(
                ceased_plan, rng.choice(np.array(["RD1", "RD2", "RD3", "RD4"]), pa), None
            ),
        },
    )

    # Previous permanence: children starting a period of care in the year
    starters = (
        eps.filter((pl.col("RNE") == "S") & (pl.col("DECOM_d") >= start)).unique("c").sort("c")
    )
    s = starters.height
    prev = rng.choice(np.array(["Z1", "P1", "P2", "P3"]), s, p=[0.93, 0.01, 0.03, 0.03])
    sdob = starters.join(people.select("c", "dob"), on="c", how="left")["dob"].to_numpy()
    perm_day = np.maximum(starters["DECOM_d"].to_numpy() - rng.integers(200, 2000, s), sdob + 1)
    prev_perm = _frame(
        {
            "CHILD": starters["CHILD"],
            "DOB": _dates(sdob, "DOB"),
            "PREV_PERM": prev,
            "LA_PERM": np.where(prev == "Z1", None, "393"),
            "DATE_PERM": _dates(
                pl.Series(np.where(prev == "Z1", -1, perm_day)).replace(-1, None), "DATE_PERM"
            ),
        },
    )

    # Missing: ~10% of children, 1-6 incidents each, within their time in care this year
    went = rng.random(h) < 0.1
    times = np.where(went & (days > 10), rng.integers(1, 7, h), 0)
    mc = np.repeat(np.arange(h), times)
    mis_start = window_start[mc] + (rng.random(mc.size) * np.maximum(days[mc] - 3, 1)).astype(
        np.int64
    )
    back = rng.random(mc.size) < 0.98
    mis_end = np.where(back, np.minimum(mis_start + rng.integers(0, 4, mc.size), end), -1)
    missing = _frame(
        {
            "CHILD": child[mc],
            "DOB": _dates(dob_c[mc], "DOB"),
            "MISSING": np.where(rng.random(mc.size) < 0.8, "M", "A"),
            "MIS_START": _dates(mis_start, "MIS_START"),
            "MIS_END": _dates(pl.Series(mis_end).replace(-1, None), "MIS_END"),
        },
    )

    tables = {
        "Header": header,
        "Episodes": episodes,
        "Reviews": reviews,
        "UASC": uasc,
        "OC2": oc2,
        "OC3": oc3,
        "AD1": ad1,
        "PlacedAdoption": placed,
        "PrevPerm": prev_perm,
        "Missing": missing,
    }

    if "SWEpisodes" in schema.tables:
        # the social worker episodes that touch the year, for children in this year's episodes
        sw = (
            social_work.join(per_child.select("c", "CHILD", "dob"), on="c", how="inner")
            .filter(
                (pl.col("SW_DECOM_d") <= end)
                & (pl.col("SW_DEC_d").is_null() | (pl.col("SW_DEC_d") >= start))
            )
            .with_columns(
                pl.when(pl.col("SW_DEC_d") > end)
                .then(None)
                .otherwise(pl.col("SW_DEC_d"))
                .alias("SW_DEC_d")
            )
            .sort("c", "SW_DECOM_d")
        )
        tables["SWEpisodes"] = sw.select(
            "CHILD",
            _dates(sw["dob"], "DOB"),
            "SW_ID",
            _dates(sw["SW_DECOM_d"], "SW_DECOM"),
            _dates(sw["SW_DEC_d"], "SW_DEC"),
            "SW_REASON",
        )

    tables = {
        name: frame.select(list(schema.tables[name].columns)) for name, frame in tables.items()
    }
    if error_rate > 0:
        tables = plant_errors(rng, tables, error_rate)
    return tables


# A typical mistake per (table, column): what the planted value is.
_MISTAKES: list[tuple[str, str, str]] = [
    ("Header", "ETHNIC", "XXXX"),
    ("Header", "DOB", "31/02/2010"),
    ("Header", "SEX", "9"),
    ("Header", "UPN", "A12345"),
    ("Episodes", "PLACE", "Q9"),
    ("Episodes", "LS", ""),
    ("Episodes", "DECOM", "2024/13/45"),
    ("Episodes", "CIN", "N9"),
    ("Episodes", "REC", "E99"),
    ("Episodes", "PLACE_PROVIDER", "PR9"),
    ("Reviews", "REVIEW_CODE", "PN9"),
    ("Reviews", "REVIEW", "not a date"),
    ("OC3", "ACTIV", "Z9"),
    ("OC2", "SDQ_SCORE", "55"),
    ("Missing", "MISSING", "X"),
    ("Missing", "MIS_START", "01-13-2024"),
]


def plant_errors(
    rng: np.random.Generator, tables: dict[str, pl.DataFrame], rate: float
) -> dict[str, pl.DataFrame]:
    """Overwrite a share `rate` of each table's rows with one typical mistake each."""
    out = dict(tables)
    by_table: dict[str, list[tuple[str, str]]] = {}
    for table, column, value in _MISTAKES:
        by_table.setdefault(table, []).append((column, value))
    for table, mistakes in by_table.items():
        frame = out.get(table)
        if frame is None or frame.height == 0:
            continue
        hit = rng.random(frame.height) < rate
        which = rng.integers(0, len(mistakes), frame.height)
        exprs = []
        for i, (column, value) in enumerate(mistakes):
            mask = pl.Series(hit & (which == i))
            exprs.append(
                pl.when(mask)
                .then(pl.lit(value if value else None, dtype=pl.String))
                .otherwise(pl.col(column))
                .alias(column)
            )
        out[table] = frame.with_columns(exprs)
    # a few exact duplicate episode rows
    episodes = out["Episodes"]
    dup = episodes.filter(pl.Series(rng.random(episodes.height) < rate / 10))
    out["Episodes"] = pl.concat([episodes, dup])
    return out


def write_return(tables: dict[str, pl.DataFrame], folder: Path) -> None:
    """One CSV per table, named as councils' systems commonly name them."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.write_csv(folder / f"{name.lower()}.csv", date_format="%d/%m/%Y")


def generate_to(
    out: Path, children: int, year: int = 2025, *, seed: int = 0, error_rate: float = 0.01
) -> tuple[Path, Path]:
    """Write `out/current` and `out/previous`; returns both folders."""
    current, previous = generate(children, year, seed=seed, error_rate=error_rate)
    write_return(current, out / "current")
    write_return(previous, out / "previous")
    return out / "current", out / "previous"
