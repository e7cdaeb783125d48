"""One collection year's tables (Header, Episodes, reviews, missing, UASC, OC2, OC3,
adoptions, previous permanence, social worker episodes) from the children's timelines."""

# numpy's stubs cannot type object arrays holding None (np.where(mask, None, values)):
# mypy: disable-error-code="call-overload,arg-type"
from __future__ import annotations

import numpy as np
import polars as pl

from statutory.ssda903.generator.children import _birthday, _dates, _frame, _pick, _within
from statutory.ssda903.generator.shapes import (
    _ACCOM_LETTERS,
    _ACCOM_SUITABLE,
    _ACTIV_EET,
    _ACTIV_NEET,
    _IN_TOUCH,
    _MISSING_TEEN,
    DAY,
    NATIONAL,
)
from statutory.ssda903.schemas import load_schema


def _year_tables(  # noqa: PLR0915 - one table after another reads best in sequence
    rng: np.random.Generator,
    year: int,
    start: int,
    end: int,
    episodes_all: pl.DataFrame,
    people: pl.DataFrame,
    *,
    social_work: pl.DataFrame,
    adoption: pl.DataFrame,
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

    new_sex = year >= 2025
    sex = everyone["sex"].to_numpy()
    sex_text = np.where(sex == 1, "M", "F") if new_sex else sex.astype(str)
    dob_d = everyone["dob"].to_numpy()
    age_end = (end - dob_d) / DAY
    female = sex == 2
    # MOTHER for every girl looked after this year; not for care leavers out of care
    # (short-break children are not looked after in the sense of MOTHER: rule 399)
    looked_after = (
        everyone["c"].is_in(in_return["c"].implode()).to_numpy()
        & ~everyone["short_breaks"].to_numpy()
    )
    mc_day = everyone["mc_day"].to_numpy()
    left = everyone["p_end"].to_numpy()
    is_mother = (
        (mc_day >= 0)
        & (mc_day <= end)
        & (mc_day - dob_d >= 14 * DAY)
        & ((left < 0) | (mc_day <= left))  # born while she was looked after (rule 625)
    )
    mother = np.where(female & looked_after, np.where(is_mother, "1", "0"), None)
    mc_dob = np.where(mother == "1", mc_day, -1)
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
        .join(
            people.select("c", "CHILD", "dob", "p_start", "uasc", "adopt", "sex", "short_breaks"),
            on="c",
        )
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
    # (none for short breaks: rule 399)
    short_breaks = per_child["short_breaks"].to_numpy()
    n_rev = np.where((days >= 20) & ~short_breaks, 1 + days // 182, 0)
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
            "DUC": _dates(_birthday(u["dob"].to_numpy(), 18), "DUC"),
        },
    )

    # OC2: looked after continuously for 12 months at 31 March
    o = per_child.filter(pl.col("open") & (pl.col("p_start") <= start) & ~pl.col("short_breaks"))
    k2 = o.height
    age_o = (end - o["dob"].to_numpy()) / DAY
    # an SDQ for children 4 or over on 1 April and under 17 on 31 March, else a reason
    o_dob = o["dob"].to_numpy()
    due = (_birthday(o_dob, 4) <= end) & (_birthday(o_dob, 17) >= start)  # 186 and 197B
    # (no score for a child already 17 on 1 April: rule 189)
    scored = due & (_birthday(o_dob, 17) > start) & (rng.random(k2) < 0.9)
    oc2 = _frame(
        {
            "CHILD": o["CHILD"],
            "DOB": _dates(o["dob"].to_numpy(), "DOB"),
            "SDQ_SCORE": np.where(scored, rng.integers(0, 41, k2).astype(str), None),
            "SDQ_REASON": np.where(
                due & ~scored,
                rng.choice(np.array(["SDQ2", "SDQ3", "SDQ4", "SDQ5"]), k2),
                None,
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

    # OC3: care leavers with their 17th-21st birthday in the year. Not in touch, refused or
    # no longer needing services: activity and accommodation "0" (not known); returned home
    # for six months: "0" too (not applicable).
    q = leavers.height
    age_q = np.floor((end - leavers["dob"].to_numpy()) / DAY)
    in_touch = _pick(rng, _IN_TOUCH, q)
    touching = in_touch == "YES"
    eet_target = np.where(
        age_q <= 18,
        NATIONAL["care_leavers_17_18_eet_pct"][0],
        NATIONAL["care_leavers_19_21_eet_pct"][0],
    ) / (100 * _IN_TOUCH["YES"] / sum(_IN_TOUCH.values()))
    activ = np.where(
        rng.random(q) < eet_target, _pick(rng, _ACTIV_EET, q), _pick(rng, _ACTIV_NEET, q)
    )
    letter = _pick(rng, _ACCOM_LETTERS, q)
    adult_start = _birthday(leavers["dob"].to_numpy(), 18) <= start
    letter = np.where(np.isin(letter, ["Z", "T"]) & ~adult_start, "U", letter)
    accom = np.char.add(letter.astype(str), np.where(rng.random(q) < _ACCOM_SUITABLE, "1", "2"))
    oc3 = _frame(
        {
            "CHILD": leavers["CHILD"],
            "DOB": _dates(leavers["dob"].to_numpy(), "DOB"),
            "IN_TOUCH": in_touch,
            "ACTIV": np.where(touching, activ, "0"),
            "ACCOM": np.where(touching, accom, "0"),
        },
    )

    # Adoptions. AD1: children adopted (REC E11/E12) in the year, with the agency's decision
    # (DATE_INT, the same date as PlacedAdoption's DATE_PLACED) and the match before the
    # adoptive placement. PlacedAdoption: every child in the year's return with a decision
    # to place for adoption by 31 March (adopted or still waiting).
    adopted = eps.filter(pl.col("REC").is_in(["E11", "E12"]) & pl.col("DEC_d").is_not_null())
    adopted = adopted.join(adoption, on="c", how="inner").join(
        people.select("c", "dob"), on="c", how="left"
    )
    a = adopted.height
    couple = rng.choice(
        np.array(["L11", "L0", "L12", "L2", "L3", "L4"]), a, p=[0.55, 0.15, 0.1, 0.07, 0.08, 0.05]
    )
    same_sex = rng.choice(np.array(["MM", "FF"]), a)
    ad1 = _frame(
        {
            "CHILD": adopted["CHILD"],
            "DOB": _dates(adopted["dob"].to_numpy(), "DOB"),
            "DATE_INT": _dates(adopted["decision"].to_numpy(), "DATE_INT"),
            "DATE_MATCH": _dates(adopted["t_match"].to_numpy(), "DATE_MATCH"),
            "FOSTER_CARE": np.where(adopted["foster_adopt"].to_numpy(), "1", "0"),
            "NB_ADOPTR": np.where(couple == "L0", "1", "2"),
            "SEX_ADOPTR": np.where(
                couple == "L0",
                rng.choice(np.array(["F1", "M1"]), a, p=[0.8, 0.2]),
                np.where(np.isin(couple, ["L11", "L3"]), "MF", same_sex),
            ),
            "LS_ADOPTR": couple,
        },
    )
    deciding = (
        adoption.filter(pl.col("decision") <= end)
        .join(eps.select("c", "CHILD").unique("c"), on="c", how="inner")
        .join(people.select("c", "dob"), on="c", how="left")
        .sort("c")
    )
    placed = _frame(
        {
            "CHILD": deciding["CHILD"],
            "DOB": _dates(deciding["dob"].to_numpy(), "DOB"),
            "DATE_PLACED": _dates(deciding["decision"].to_numpy(), "DATE_PLACED"),
            "DATE_PLACED_CEASED": np.full(deciding.height, None, dtype=object),
            "REASON_PLACED_CEASED": np.full(deciding.height, None, dtype=object),
        },
    )

    # Previous permanence: children starting a period of care in the year
    starters = (
        eps.filter((pl.col("RNE") == "S") & (pl.col("DECOM_d") >= start)).unique("c").sort("c")
    )
    s = starters.height
    prev = rng.choice(np.array(["Z1", "P1", "P2", "P3"]), s, p=[0.93, 0.01, 0.03, 0.03])
    sdob = starters.join(people.select("c", "dob"), on="c", how="left")["dob"].to_numpy()
    prev = np.where(starters["DECOM_d"].to_numpy() - sdob < 400, "Z1", prev)  # babies
    # short breaks (every break starts a period of care, rule 630): living with their parents
    prev = np.where(starters["LS"].to_numpy() == "V3", "Z1", prev)
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

    # Missing: mostly teenagers (the national share of children looked after who went missing
    # is in NATIONAL); 1-6 incidents each, one after another, each back within a few days
    age_mid = (window_start - dob_c) / DAY
    chance = np.select(
        [age_mid >= 13, age_mid >= 10], [_MISSING_TEEN, _MISSING_TEEN / 4], _MISSING_TEEN / 40
    )
    went = (rng.random(h) < chance) & (days > 20) & ~short_breaks
    times = np.where(went, rng.integers(1, 7, h), 0)
    mc = np.repeat(np.arange(h), times)
    slot = np.maximum((days[mc] - 1) // np.maximum(times[mc], 1), 1)
    mis_start = (
        window_start[mc]
        + 1
        + _within(times) * slot
        + (rng.random(mc.size) * np.maximum(slot - 5, 1)).astype(np.int64)
    )
    mis_end = np.minimum(
        mis_start + rng.integers(0, 4, mc.size), np.maximum(window_end[mc], mis_start)
    )
    missing = _frame(
        {
            "CHILD": child[mc],
            "DOB": _dates(dob_c[mc], "DOB"),
            "MISSING": np.where(rng.random(mc.size) < 0.8, "M", "A"),
            "MIS_START": _dates(mis_start, "MIS_START"),
            "MIS_END": _dates(mis_end, "MIS_END"),
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

    return {name: frame.select(list(schema.tables[name].columns)) for name, frame in tables.items()}
