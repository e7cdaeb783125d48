"""Each child's period of care on one timeline over both collection years, sliced into this
year's and last year's returns."""

# numpy's stubs cannot type object arrays holding None (np.where(mask, None, values)):
# mypy: disable-error-code="call-overload,arg-type"
from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from statutory.ssda903.generator.children import (
    _birthday,
    _day,
    _frame,
    _pick,
    _placements,
    _postcodes,
    _short_break_children,
    _with_temporary_placements,
    _within,
    upn,
)
from statutory.ssda903.generator.mistakes import _PLANTED_COLUMNS, _no_planted, plant_errors
from statutory.ssda903.generator.shapes import (
    _ADOPTION_SHARE,
    _AGE_WEIGHTS,
    _CIN,
    _ETHNIC,
    _LS_ON_STARTING,
    _MAX_MOVES,
    _MOVES_SETTLED,
    _MOVES_UNSETTLED,
    _NO_URN,
    _NOT_CHOSEN,
    _REASON_CHANGE,
    _REC_END,
    _SETTLED_SHARE,
    _SHORT_BREAK_SHARE,
    _SUPPORTED_MOVE,
    _SW_REASONS,
    _TEMPORARY_FROM,
    DAY,
)
from statutory.ssda903.generator.year_tables import _year_tables
from statutory.ssda903.schemas import load_schema


def generate(
    children: int,
    year: int = 2025,
    *,
    seed: int = 0,
    error_rate: float = 0.01,
    home_district: str = "E08000023",
    la_number: int = 393,
    linked: pl.DataFrame | None = None,
) -> tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame]]:
    """-> (this year's tables, last year's tables), each table a frame of text columns."""
    current, previous, _planted = generate_with_planted(
        children,
        year,
        seed=seed,
        error_rate=error_rate,
        home_district=home_district,
        la_number=la_number,
        linked=linked,
    )
    return current, previous


def generate_with_planted(  # noqa: PLR0915 - the timeline is built step by step
    children: int,
    year: int = 2025,
    *,
    seed: int = 0,
    error_rate: float = 0.01,
    home_district: str = "E08000023",
    la_number: int = 393,
    linked: pl.DataFrame | None = None,
) -> tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame], pl.DataFrame]:
    """-> (this year's tables, last year's tables, the planted mistakes).

    The planted mistakes are one row each: `year`, `table`, `row_number` (1-based data row in
    that table's file), `child_id`, `column` and the `value` written (`duplicate` for a copied
    episode row): everything else in the return is meant to be clean.

    `linked`: children known elsewhere (a CIN census) who enter care on a given day, one row
    each: `CHILD` (their id), `dob` and `entered` (dates), `sex` (1 boy, 2 girl) and optionally
    `need` (their CIN category of need, N1-N8) and `upn`. Each is one of the children looked
    after, with that id, birthday, sex and UPN, whose period of care starts that day (some
    leave care later, as others do; none stays past their 18th birthday). Without them the
    return is exactly as it was."""
    rng = np.random.default_rng(seed)
    cur_start, cur_end = _day(dt.date(year - 1, 4, 1)), _day(dt.date(year, 3, 31))
    prev_start = _day(dt.date(year - 2, 4, 1))
    postcodes = _postcodes(rng, home_district)
    schema, schema_prev = load_schema(year), load_schema(max(year - 1, 2018))
    place_codes = set(schema.codes["PLACE"]) & set(schema_prev.codes["PLACE"])
    supported = next((c for c in ("K3", "H5") if c in place_codes), "K2")

    # ---- children looked after in the two years, and care leavers ------------------------
    k = 0 if linked is None else linked.height
    n_lac = max(int(children), k, 1)
    n_cl = max(int(children * 0.15), 1)
    n = n_lac + n_cl
    ids = np.char.add("C", (rng.permutation(n) + 1_000_000).astype(str))
    is_cl = np.zeros(n, dtype=bool)
    is_cl[n_lac:] = True
    is_linked = np.zeros(n, dtype=bool)
    is_linked[:k] = True

    age = rng.choice(18, size=n, p=_AGE_WEIGHTS / _AGE_WEIGHTS.sum()).astype(float)
    age[is_cl] = rng.integers(17, 22, size=n_cl)  # 17th..21st birthday in this year
    dob = (cur_end - (age * DAY + rng.uniform(1, 364, n))).astype(np.int64)
    dob[is_cl] = (cur_start + rng.integers(0, 365, n_cl) - (age[is_cl] * DAY)).astype(np.int64)

    # one period of care per child: most children who leave care do so within a year or two
    duration = rng.exponential(900, n)
    p_start = np.maximum((cur_end - duration).astype(np.int64), dob)
    if linked is not None and k:
        ids = ids.astype(object)
        ids[:k] = linked["CHILD"].to_list()
        dob[:k] = linked["dob"].cast(pl.Int64).to_numpy()
        age[:k] = np.floor((cur_end - dob[:k]) / DAY)
        p_start[:k] = np.minimum(linked["entered"].cast(pl.Int64).to_numpy(), cur_end - 1)
    ceased = rng.random(n) < 0.33
    lo = np.maximum(p_start, prev_start) + 1
    p_end = np.where(
        ceased, lo + (rng.random(n) * np.maximum(cur_end - lo, 1)).astype(np.int64), -1
    )
    # leaving care on 31 March counts as looked after all year (rules 187, 191): a day before
    p_end = np.where(ceased & (p_end >= cur_end), cur_end - 1, p_end)
    p_end = np.where(ceased & (p_end == cur_start - 1), cur_start - 2, p_end)
    if k:
        # a child linked from elsewhere leaves care by their 18th birthday (the day before)
        adult = _birthday(dob, 18) - 1
        too_old = is_linked & (adult <= np.where(ceased, p_end, cur_end))
        p_end = np.where(too_old, np.maximum(adult, p_start + 1), p_end)
        ceased = ceased | too_old
        p_end = np.where(too_old & (p_end >= cur_end), cur_end - 1, p_end)

    # care leavers: 19-21 left care at 18; 17-18 left at 16 or 17, last year (so that last
    # year's return shows the care that makes them care leavers)
    sixteenth, eighteenth = _birthday(dob, 16), _birthday(dob, 18)
    left_from = np.maximum(sixteenth, prev_start) + 1
    early = left_from + (rng.random(n) * np.maximum(cur_start - 2 - left_from, 1)).astype(np.int64)
    # (18s still looked after at 17 have no OC3 information: rule 1016)
    at_18 = age >= 19
    cl_end = np.where(at_18, eighteenth, np.minimum(early, cur_start - 1))
    p_end = np.where(is_cl, cl_end, p_end)
    p_start = np.where(is_cl, cl_end - rng.integers(150, 4 * 365, n), p_start)
    p_start = np.maximum(p_start, dob)
    ceased = (ceased & (p_end > p_start)) | is_cl  # an episode lasts a day at least

    # ---- adoption: young children with a plan for adoption --------------------------------
    # C1 (interim care order) -> E1 (placement order, same foster carers, RNE L) -> placed
    # for adoption (A5 with the foster carers, RNE T; A6 with new carers, RNE P) -> adopted
    # (E11/E12). Adoption dates spread over both years and beyond 31 March (in progress).
    adopt = ~is_cl & (rng.random(n) < _ADOPTION_SHARE) & ~is_linked
    t_ad = prev_start + rng.integers(0, 1200, n)
    # not on a 31 March: a child adopted that day counts as looked after for the whole year
    t_ad = np.where((t_ad == cur_end) | (t_ad == cur_start - 1), t_ad - 1, t_ad)
    placed_len = rng.integers(120, 400, n)
    match_gap = rng.integers(7, 60, n)
    order_to_match = rng.integers(60, 250, n)
    start_to_order = rng.integers(250, 500, n)
    t_pa = t_ad - placed_len
    t_match = t_pa - match_gap
    t_po = t_match - order_to_match
    a_start = t_po - start_to_order
    decision = t_po - rng.integers(20, 120, n)  # the agency decision: should be placed
    age_in = rng.uniform(0, 3, n)
    dob = np.where(adopt, (a_start - age_in * DAY).astype(np.int64), dob)
    p_start = np.where(adopt, a_start, p_start)
    ceased = np.where(adopt, t_ad <= cur_end, ceased)
    p_end = np.where(adopt, np.where(t_ad <= cur_end, t_ad, -1), p_end)
    foster_adopt = rng.random(n) < 0.15  # adopted by their foster carers (A5)
    adopt_sheet = pl.DataFrame(
        {
            "c": np.arange(n),
            "adopt": adopt,
            "decision": decision,
            "t_match": t_match,
            "t_pa": t_pa,
            "foster_adopt": foster_adopt,
        }
    ).filter(pl.col("adopt"))

    # ---- legal status: interim care order then full care order, or accommodated (V2) -------
    ls_first = rng.choice(
        np.array(list(_LS_ON_STARTING)), n, p=np.array(list(_LS_ON_STARTING.values()))
    )
    ls_first = np.where(adopt, "C1", ls_first)
    to_c1 = (ls_first == "V2") & (rng.random(n) < 0.25)
    ls1_day = np.where(
        ls_first == "C1",
        p_start + rng.integers(40, 260, n),
        np.where(to_c1, p_start + rng.integers(30, 300, n), -1),
    )
    ls1_code = np.where(ls_first == "C1", "C2", "C1")
    ls2_day = np.where(to_c1, ls1_day + rng.integers(90, 400, n), -1)
    # adoption: the interim order runs to the placement order
    ls1_day = np.where(adopt, t_po, ls1_day)
    ls1_code = np.where(adopt, "E1", ls1_code)
    ls2_day = np.where(adopt, -1, ls2_day)

    # ---- placement moves: most children settle, some move often --------------------------
    end_or_now = np.where(ceased, p_end, cur_end)
    span = np.maximum(end_or_now - p_start, 1)
    settled = rng.random(n) < _SETTLED_SHARE
    rate = np.where(settled, _MOVES_SETTLED, _MOVES_UNSETTLED) / DAY
    moves = np.where(adopt, 0, np.minimum(rng.poisson(rate * span), _MAX_MOVES))
    mc = np.repeat(np.arange(n), moves)
    move_day = (
        p_start[mc] + 1 + (rng.random(mc.size) * np.maximum(span[mc] - 2, 1)).astype(np.int64)
    )

    # many 16- and 17-year-olds move to supported accommodation
    sup = np.flatnonzero(~adopt & (rng.random(n) < _SUPPORTED_MOVE))
    sup_day = sixteenth[sup] + rng.integers(1, 600, sup.size)

    # every event that starts an episode: S (start), P (new carers), L (legal status), the
    # adoption placements and the moves to supported accommodation (their placement type
    # given); an event on or after the period's end is not an episode
    a = np.flatnonzero(adopt)
    everyone_ = np.arange(n)
    ev_c = np.concatenate([everyone_, mc, everyone_, everyone_, a, sup])
    ev_day = np.concatenate([p_start, move_day, ls1_day, ls2_day, t_pa[a], sup_day])
    ev_rne = np.concatenate(
        [
            np.full(n, "S"),
            np.full(mc.size, "P"),
            np.full(2 * n, "L"),
            np.where(foster_adopt[a], "T", "P"),
            np.full(sup.size, "P"),
        ]
    )
    ev_ls = np.concatenate(
        [
            ls_first,
            np.full(mc.size, None),
            ls1_code,
            np.full(n, "C2"),
            np.full(a.size + sup.size, None),
        ]
    ).astype(object)
    ev_forced = np.concatenate(
        [
            np.full(ev_c.size - a.size - sup.size, None),
            np.where(foster_adopt[a], "A5", "A6"),
            np.full(sup.size, supported),
        ]
    ).astype(object)
    ev_order = np.concatenate(
        [np.zeros(n), np.ones(mc.size), np.full(2 * n, 2), np.ones(a.size + sup.size)]
    ).astype(np.int8)
    keep = (ev_rne == "S") | ((ev_day > p_start[ev_c]) & (ev_day < end_or_now[ev_c]))
    ep = (
        pl.DataFrame(
            {
                "c": ev_c[keep],
                "DECOM": ev_day[keep],
                "RNE": ev_rne[keep],
                "new_ls": pl.Series(ev_ls[keep].tolist(), dtype=pl.String),
                "forced": pl.Series(ev_forced[keep].tolist(), dtype=pl.String),
                "order": ev_order[keep],
            }
        )
        .sort("c", "DECOM", "order")
        .unique(subset=["c", "DECOM"], keep="first", maintain_order=True)
        .with_columns(
            pl.col("DECOM").shift(-1).over("c").alias("DEC"),
            (pl.int_range(pl.len()).over("c") == pl.len().over("c") - 1).alias("last"),
            pl.col("new_ls").forward_fill().alias("LS"),
            pl.col("RNE").is_in(["S", "P", "T"]).alias("new_place"),
        )
        .with_columns(
            (pl.col("new_place").cum_sum() - 1).alias("placement"),
            pl.col("new_place").shift(-1).over("c").fill_null(False).alias("moves_next"),
            pl.col("forced")
            .shift(-1)
            .over("c")
            .is_in(["A5", "A6"])
            .fill_null(False)
            .alias("adoptive_next"),
        )
    )
    c = ep["c"].to_numpy()
    last = ep["last"].to_numpy()
    n_ep = ep.height
    decom = ep["DECOM"].to_numpy()
    dec = ep["DEC"].to_numpy(allow_copy=True).astype(float)
    dec = np.where(last, np.where(ceased[c], p_end[c], np.nan), dec)
    ls = ep["LS"].to_numpy().astype(str)
    rne = ep["RNE"].to_numpy().astype(str)

    uasc_child = (rng.random(n) < 0.06) & (age >= 14) & ~adopt & ~is_linked
    home_post = np.where(uasc_child, None, postcodes.home[rng.integers(0, postcodes.home.size, n)])

    # ---- each placement: type by age, provider, Ofsted URN, postcode -----------------------
    starts = ep.filter(pl.col("new_place"))
    pc = starts["c"].to_numpy()
    p_day = starts["DECOM"].to_numpy()
    p_ls = starts["LS"].to_numpy().astype(str)
    forced = starts["forced"].to_numpy()
    k_pl = starts.height
    place = _placements(rng, (p_day - dob[pc]) / DAY, place_codes - _NOT_CHOSEN, supported)
    place = np.where((place == "P1") & (p_ls == "V2"), "U4", place)
    place = np.where(forced != None, forced, place)  # noqa: E711
    no_provider = set(schema.codes.get("PLACE_NO_PROVIDER", ()))
    provider: np.ndarray = np.asarray(
        np.where(
            np.isin(place, list(no_provider)),
            None,
            np.where(
                place == "P1",
                "PR0",
                rng.choice(
                    np.array(["PR1", "PR2", "PR4", "PR5"]), k_pl, p=[0.55, 0.05, 0.35, 0.05]
                ),
            ),
        ),
        dtype=object,
    )
    urn = np.asarray(
        np.where(
            np.isin(place, list(_NO_URN)),
            None,
            np.char.add("SC", rng.integers(100000, 999999, k_pl).astype(str)),
        ),
        dtype=object,
    )
    # own-provision (PR1) placements are in the council's area; others mostly nearby
    local = (rng.random(k_pl) < 0.7) | (provider == "PR1")
    pl_post = np.where(
        local,
        postcodes.home[rng.integers(0, postcodes.home.size, k_pl)],
        postcodes.anywhere[rng.integers(0, postcodes.anywhere.size, k_pl)],
    ).astype(object)
    # placed for adoption with the foster carers: the same home
    with_carers = place == "A5"
    before = np.maximum(np.arange(k_pl) - 1, 0)
    pl_post = np.where(with_carers, pl_post[before], pl_post)
    # placed with parents: at home; anywhere else: not at the home address (rule 392d)
    home_of = home_post[pc]
    pl_post = np.where((place == "P1") & (home_of != None), home_of, pl_post)  # noqa: E711
    clash = (pl_post == home_of) & (place != "P1")
    other = np.where(
        local,
        postcodes.home[rng.integers(0, postcodes.home.size, k_pl)],
        postcodes.anywhere[rng.integers(0, postcodes.anywhere.size, k_pl)],
    )
    pl_post = np.where(clash, other, pl_post)
    which = ep["placement"].to_numpy()
    place_ep, provider_ep, urn_ep, post_ep = (
        place[which],
        provider[which],
        urn[which],
        pl_post[which],
    )

    # ---- why each episode ended -------------------------------------------------------------
    age_at_dec = (np.nan_to_num(dec, nan=0) - dob[c]) / DAY
    final = _pick(rng, _REC_END, n_ep)
    fostered = np.isin(place_ep, ["U1", "U2", "U3", "U4", "U5", "U6"])
    final = np.where(np.isin(final, ["E45", "E46"]) & ~fostered, "E47", final)
    final = np.where(np.isin(final, ["E5", "E6"]) & (age_at_dec < 16), "E4A", final)
    final = np.where(np.isin(final, ["E7"]) & (age_at_dec < 16), "E4A", final)
    final = np.where(np.isin(final, ["E9", "E14"]) & (age_at_dec < 12), "E4A", final)
    at_eighteen = np.nan_to_num(dec, nan=-1) >= eighteenth[c]
    final = np.where(
        at_eighteen,
        np.where(
            fostered & (rng.random(n_ep) < 0.5),
            "E17",
            rng.choice(np.array(["E8", "E5", "E6"]), n_ep),
        ),
        final,
    )
    final = np.where(is_cl[c] & (final == "E2"), "E8", final)  # care leavers are alive
    final = np.where(adopt[c], np.where(rng.random(n_ep) < 0.6, "E11", "E12"), final)
    rec = np.where(last, np.where(np.isnan(dec), None, final), "X1").astype(object)
    reason_change = np.where(
        ep["moves_next"].to_numpy() & ~last,
        np.where(ep["adoptive_next"].to_numpy(), "CARPL", _pick(rng, _REASON_CHANGE, n_ep)),
        None,
    )
    # nobody under 10 moves because they were taken into custody (rule 234): the care plan instead
    under_ten = (decom - dob[c]) / DAY < 10
    reason_change = np.where(under_ten & (reason_change == "CUSTOD"), "CARPL", reason_change)

    episodes_all = _frame(
        {
            "c": c,
            "CHILD": ids[c],
            "DECOM_d": decom,
            "DEC_d": dec,
            "RNE": rne,
            "LS": ls,
            "CIN": _linked_needs(_pick(rng, _CIN, n, None), linked)[c],
            "PLACE": place_ep.astype(str),
            "PLACE_PROVIDER": provider_ep,
            "REC": rec,
            "REASON_PLACE_CHANGE": reason_change,
            "HOME_POST": home_post[c],
            "PL_POST": post_ep,
            "URN": urn_ep,
        },
    ).with_columns(pl.col("DEC_d").fill_nan(None).cast(pl.Int64))
    episodes_all = _with_temporary_placements(
        rng,
        episodes_all,
        eligible=np.isin(place_ep, list(_TEMPORARY_FROM)) & ~adopt[c],
        today=cur_end,
        year_ends=(cur_start - 1, cur_end),
        codes=place_codes,
    )

    people = _frame(
        {
            "c": np.arange(n),
            "CHILD": ids,
            "dob": dob,
            "sex": _linked_column(rng.choice(np.array([1, 2]), n, p=[0.56, 0.44]), linked, "sex"),
            "ETHNIC": _pick(rng, _ETHNIC, n),
            "upn": _linked_column(upn(rng, n, la_number), linked, "upn"),
            "is_cl": is_cl,
            "p_start": p_start,
            "p_end": np.where(ceased, p_end, -1),
            "uasc": uasc_child,
            # a girl's first child: born on this day (a few teenagers a year)
            # (girls still looked after this year: a care leaver's MOTHER is blank, rule 628)
            "mc_day": np.where(
                (rng.random(n) < 0.03) & ~is_cl & (~ceased | (p_end >= cur_start)),
                prev_start + rng.integers(60, 2 * 365, n),
                -1,
            ),
            "adopt": adopt,
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
    # a social worker episode ending in the last days of March runs into April (the return
    # wants the next one otherwise)
    late = ((sw_to >= cur_end - 7) & (sw_to <= cur_end)) | (
        (sw_to >= cur_start - 8) & (sw_to < cur_start)
    )
    sw_to = np.where(late, sw_to + 10, sw_to)
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

    # children on a series of short breaks, numbered after everyone else
    sb_people, sb_episodes = _short_break_children(
        rng,
        max(int(n_lac * _SHORT_BREAK_SHARE), 1),
        first=n,
        days=(prev_start, cur_start, cur_end),
        codes=place_codes,
        la_number=la_number,
    )
    people = pl.concat(
        [
            people.with_columns(pl.lit(False).alias("short_breaks")),
            sb_people.cast(dict(people.schema)).with_columns(pl.lit(True).alias("short_breaks")),
        ]
    )
    episodes_all = pl.concat([episodes_all, sb_episodes.cast(dict(episodes_all.schema))])

    def build(y: int, start: int, end: int, ep_all: pl.DataFrame) -> dict[str, pl.DataFrame]:
        return _year_tables(
            rng, y, start, end, ep_all, people, social_work=social_work, adoption=adopt_sheet
        )

    current = build(year, cur_start, cur_end, episodes_all)
    previous = build(year - 1, prev_start, cur_start - 1, episodes_all)
    planted: list[pl.DataFrame] = []
    if error_rate > 0:
        current, planted_now = plant_errors(rng, current, error_rate)
        previous, planted_before = plant_errors(rng, previous, error_rate)
        planted = [
            planted_now.with_columns(pl.lit(year).alias("year")),
            planted_before.with_columns(pl.lit(year - 1).alias("year")),
        ]
    manifest = pl.concat(planted) if planted else _no_planted()
    return current, previous, manifest.select(_PLANTED_COLUMNS)


def _linked_column(values: np.ndarray, linked: pl.DataFrame | None, column: str) -> np.ndarray:
    """`values` with the linked children's own (the first rows), where they have one."""
    if linked is None or column not in linked.columns or linked.height == 0:
        return values
    out = values.astype(object)
    for i, value in enumerate(linked[column].to_list()):
        if value is not None and value != "":
            out[i] = value
    return out if values.dtype.kind in ("O", "U") else out.astype(values.dtype)


def _linked_needs(needs: np.ndarray, linked: pl.DataFrame | None) -> np.ndarray:
    """Each child's category of need, the linked children's from their CIN record (N1-N8)."""
    if linked is None or "need" not in linked.columns:
        return needs
    known = linked.with_columns(
        pl.when(pl.col("need").is_in(list(_CIN))).then(pl.col("need")).alias("need")
    )
    return _linked_column(needs, known, "need")
