"""The national shapes the synthetic returns are calibrated to, and the codes they draw from."""

# numpy's stubs cannot type object arrays holding None (np.where(mask, None, values)):
# mypy: disable-error-code="call-overload,arg-type"
from __future__ import annotations

import datetime as dt

import numpy as np

EPOCH = dt.date(1970, 1, 1)
DAY = 365.25
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"

# ---- the national shapes the generator is calibrated to --------------------------------
# England, year ending 31 March 2025, each figure with where it is published: `lait:` a
# measure of the DfE's LAIT data sheet (../shared/data/reference/dfe-lait/bds_long_0.parquet,
# row "England"), `ees:` a DfE explore-education-statistics file in
# ../shared/data/reference/dfe-csc-outcomes-enablers/ (row "National"). The generator's
# tests check every figure against its file and a 5,000-child return against the figures.
NATIONAL: dict[str, tuple[float, str]] = {
    "three_plus_placements_pct": (10, "lait:LACStable_2016on"),
    "long_term_stability_pct": (69, "lait:LAC_LongStable%"),
    "went_missing_pct": (11, "lait:Children_missing"),
    "adopted_of_ceased_pct": (9, "lait:%_of LAC Adopted"),
    "foster_pct": (67, "lait:LAC_Foster_Placements"),
    "childrens_homes_pct": (12, "lait:LAC_SecHome_And_ChildHome"),
    "independent_living_pct": (9, "lait:LAC_Ind_SInd_Liv_Arr"),
    "with_parents_pct": (6, "lait:LAC_Parents_OR_Others"),
    "other_placements_pct": (3, "lait:LAC_Other_Place_Inc_Unreg"),
    "care_leavers_17_18_eet_pct": (64, "ees:la_care_leavers_activity.csv"),
    "care_leavers_19_21_eet_pct": (54, "ees:la_care_leavers_activity.csv"),
    "care_leavers_not_in_touch_pct": (4, "lait:CareLeavers_LA_NotInTouch"),
    "care_leavers_19_21_suitable_pct": (89, "lait:CareLeaverAcc"),
}
# Not in the shared data: the age and legal-status mix at 31 March, approximately as the
# DfE's national tables publish them (Children looked after in England including adoptions,
# 2025): under 1 about 5%, 1-4 14%, 5-9 17%, 10-15 38%, 16-17 26%; care orders about 77%
# (interim C1 about 9%, full C2 68%), placement orders (E1) 5%, accommodated (V2) 17%.
# Age at 31 March, by single year (0..17), in that shape:
_AGE_WEIGHTS = np.array(
    [5, 3.5, 3.5, 3.5, 3.5, 3.4, 3.4, 3.4, 3.4, 3.4, 5.5, 6, 6.3, 6.5, 6.8, 6.9, 12.5, 13.5],
    dtype=float,
)
# Legal status on starting: interim care order (C1, a full order C2 follows), accommodated
# by agreement (V2; a quarter later go to court), or a full care order straight away.
_LS_ON_STARTING = {"C1": 0.66, "V2": 0.27, "C2": 0.07}
_ADOPTION_SHARE = 0.066  # children on the adoption path (E1 placement order, then A5/A6)
_SUPPORTED_MOVE = 0.45  # children who move to supported accommodation at 16 or 17
# Placement moves: a settled child moves rarely, an unsettled one often (moves a year);
# tuned so that the two stability figures in NATIONAL come out (tested).
_SETTLED_SHARE = 0.63
_MOVES_SETTLED = 0.05
_MOVES_UNSETTLED = 1.3
_MAX_MOVES = 12
# Children 13 and over who went missing in a year (younger children much less often); tuned
# to NATIONAL["went_missing_pct"] (tested).
_MISSING_TEEN = 0.26
# Placement type of a new placement by age on starting it (0-3, 4-9, 10-15, 16-17): foster
# care (U1-U6), children's homes (K2), with parents (P1), residential (R1) and supported
# accommodation from 16 (K3, or H5 before 2024/25), in the NATIONAL placement shape at 31
# March (foster 67%, children's homes 12%, independent living 9%, with parents 6%, other 3%,
# the rest placed for adoption): foster care is drawn less often than that share because
# foster placements last longer than the others (tested at 31 March).
_FOSTER = {"U1": 7.2, "U2": 2.7, "U3": 8.1, "U4": 45, "U5": 7.2, "U6": 10.8}
_PLACE_BY_AGE: tuple[dict[str, float], ...] = (
    {**_FOSTER, "P1": 12},
    {**_FOSTER, "K2": 8.5, "P1": 11, "R1": 3},
    {**{k: v * 0.75 for k, v in _FOSTER.items()}, "K2": 23, "P1": 8, "R1": 3},
    {**{k: v * 0.55 for k, v in _FOSTER.items()}, "K2": 16, "SUPPORTED": 42, "P1": 5, "R1": 2},
)
# Never drawn as an ordinary placement: temporary placements (added to settled placements
# below) and the placed-for-adoption types (only on the adoption path).
_NOT_CHOSEN = {"T0", "T1", "T2", "T3", "T4", "A3", "A4", "A5", "A6"}
# Temporary placements (T0-T4): the child leaves a foster or children's home placement for a
# few days and comes back to the same carers (hospital T1, the child's holiday T2, the foster
# carers' holiday T3, anything else for up to 7 days T4; T0 where the year has it). Not in
# the shared data nor in the DfE's published tables (they count 2-3% of children at 31 March
# in "other placements", temporary ones among them); our estimate: about 6 a year per 100
# children in such placements, each lasting (code: longest day count drawn, inclusive) within
# the DfE's limits (rules 375, 376, 379).
_TEMPORARY_A_YEAR = 0.06
_TEMPORARY = {"T0": 5, "T1": 25, "T2": 20, "T3": 35, "T4": 15}
_TEMPORARY_DAYS = {"T0": 7, "T1": 28, "T2": 14, "T3": 14, "T4": 7}
_TEMPORARY_FROM = {"U1", "U2", "U3", "U4", "U5", "U6", "K2"}
# Disabled children on an agreed series of short breaks (legal status V3: each break a period
# of care of its own, RNE S, in short-break foster care or a children's home). Not in the
# shared data; the DfE's tables leave them out of every count ("excluding children looked
# after under a series of short-term placements"); our estimate: about 3 for every 100
# children looked after, with 4-10 breaks a year of 1-7 nights, within the DfE's limits of
# 17 days a break and 75 days a year (rules 365, 367). A short-break child is not in
# UASC, OC2, OC3, adoption, missing, reviews or previous permanence, and has no postcodes,
# URN or MOTHER (rules 398, 399, 420, 1015).
_SHORT_BREAK_SHARE = 0.03
_SHORT_BREAKS_A_YEAR = (4, 11)
_SHORT_BREAK_NIGHTS = 7
_SHORT_BREAK_PLACE = {"U6": 55, "U3": 10, "K2": 35}
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
    "E5": 4,
    "E6": 1,
    "E7": 1,
    "E9": 1,
    "E14": 2,
    "E16": 2,
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
# Care leavers' activity: in education, employment or training (the EET share by age group
# is in NATIONAL), or not (G4-G6); where they live, as a letter (Z, with former foster
# carers, from 18; T, a foyer, from 18) and the suitability digit.
_ACTIV_EET = {"F1": 8, "P1": 1, "F2": 25, "P2": 4, "F4": 8, "P4": 2, "F5": 10, "P5": 4}
_ACTIV_NEET = {"G4": 8, "G5": 25, "G6": 5}
_ACCOM_LETTERS = {"U": 30, "D": 15, "Z": 12, "B": 10, "E": 8, "K": 5, "Y": 5, "T": 3, "C": 2}
_ACCOM_SUITABLE = 0.96
_IN_TOUCH = {"YES": 93.5, "NO": 2.5, "REFU": 1.5, "NREQ": 1, "RHOM": 1.5}
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
