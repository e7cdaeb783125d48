"""Realistic synthetic CIN census XML for N children, seeded, streamed to disk.

Each child gets identifiers (a valid UPN with its check letter, or a reason it is unknown),
characteristics and disabilities, and one or two CIN details episodes: a referral (a tenth end
as no further action), an assessment with its factors, for some a section 47 enquiry with an
initial conference, a child protection plan with reviews, or a CIN plan, and a closure for
about half. Dates keep the order the DfE rules expect. `error_rate` plants that share of
children with one known mistake each (an invalid code, a date out of order, a weekend
conference, ...), so validation has something to find. Nothing is held in memory beyond one
batch of children.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path

from statutory.cin.schema import load_schema

CHECK = "ABCDEFGHJKLMNPQRTUVWXYZ"
ETHNIC_WEIGHTS = {
    "WBRI": 60,
    "WOTH": 6,
    "MWBC": 4,
    "MOTH": 3,
    "APKN": 4,
    "AIND": 2,
    "BAFR": 5,
    "BCRB": 2,
    "OOTH": 3,
    "REFU": 2,
    "NOBT": 2,
    "AOTH": 2,
    "WIRI": 1,
    "MWAS": 1,
    "ABAN": 1,
    "BOTH": 1,
    "CHNE": 1,
}
FACTORS = [
    "1B",
    "2B",
    "3A",
    "3B",
    "4B",
    "4A",
    "5B",
    "6B",
    "7A",
    "8B",
    "9A",
    "10A",
    "11A",
    "12A",
    "13A",
    "14A",
    "15A",
    "16A",
    "17A",
    "18B",
    "18C",
    "19B",
    "19C",
    "20",
    "22A",
    "23A",
    "24A",
    "1A",
    "2A",
    "5A",
    "6A",
    "1C",
    "2C",
    "3C",
    "4C",
    "5C",
    "6C",
]
SOURCES = [
    "1A",
    "1B",
    "1C",
    "1D",
    "2A",
    "2B",
    "3A",
    "3B",
    "3C",
    "3D",
    "3E",
    "3F",
    "4",
    "5A",
    "5B",
    "5C",
    "5D",
    "6",
    "7",
    "8",
    "9",
    "10",
]
NEEDS = ["N1", "N1", "N1", "N1", "N2", "N3", "N4", "N4", "N5", "N6", "N7", "N8", "N9"]
DISABILITIES = ["MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS", "BEH", "CON", "AUT", "DDA"]
ABUSE = ["NEG", "NEG", "NEG", "EMO", "EMO", "PHY", "SAB", "MUL"]


def upn_for(la: str, serial: int) -> str:
    """A valid 13-character UPN: check letter, LA code, 9 digits."""
    body = f"{la}{serial % 10**9:09d}"
    total = sum(int(ch) * weight for weight, ch in zip(range(2, 14), body, strict=True))
    return CHECK[total % 23] + body


def _d(day: dt.date) -> str:
    return day.isoformat()


def _weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


class _Child:
    def __init__(self, rng: random.Random, year: int, index: int, la: str, sex_column: str):
        self.rng = rng
        self.ref = dt.date(year, 3, 31)
        self.start = dt.date(year - 1, 4, 1)
        self.index = index
        self.la = la
        self.sex_column = sex_column
        self.errors: list[str] = []

    def days(self, low: int, high: int) -> dt.timedelta:
        return dt.timedelta(days=self.rng.randint(low, high))

    def xml(self, plant: str | None) -> str:  # noqa: PLR0912
        rng = self.rng
        ref = self.ref
        unborn = rng.random() < 0.02
        ids = [f"<LAchildID>C{self.index:07d}</LAchildID>"]
        if unborn:
            birth = None
            expected = ref + self.days(5, 200)
        else:
            birth = ref - self.days(20, 17 * 365)
            expected = None
        school_age = birth is not None and birth <= dt.date(ref.year - 4, 8, 31)
        if school_age or rng.random() < 0.5:
            ids.append(f"<UPN>{upn_for(self.la, self.index)}</UPN>")
        else:
            ids.append("<UPNunknown>UN1</UPNunknown>")
        if birth is not None:
            ids.append(f"<PersonBirthDate>{_d(birth)}</PersonBirthDate>")
        else:
            ids.append(f"<ExpectedPersonBirthDate>{_d(expected)}</ExpectedPersonBirthDate>")  # type: ignore[arg-type]
        if self.sex_column == "Sex":
            sex = "U" if unborn else rng.choice("MF")
        else:
            sex = "0" if unborn else rng.choice("12")
        ids.append(f"<{self.sex_column}>{sex}</{self.sex_column}>")
        ethnicity = rng.choices(list(ETHNIC_WEIGHTS), weights=list(ETHNIC_WEIGHTS.values()))[0]
        if plant == "ethnicity":
            ethnicity = "XXXX"
        disabilities = (
            ["NONE"] if rng.random() < 0.85 else rng.sample(DISABILITIES, rng.randint(1, 3))
        )
        if plant == "disability_none_and_other":
            disabilities = ["NONE", "AUT"]
        chars = (
            f"<ChildCharacteristics><Ethnicity>{ethnicity}</Ethnicity><Disabilities>"
            + "".join(f"<Disability>{d}</Disability>" for d in disabilities)
            + "</Disabilities></ChildCharacteristics>"
        )
        episodes = []
        if birth is not None:
            born_or_due = birth
        else:
            assert expected is not None
            born_or_due = expected - dt.timedelta(days=200)
        earliest: dt.date = max(self.start - dt.timedelta(days=700), born_or_due)
        latest_referral = self.start + self.days(0, 364)
        latest_referral = max(latest_referral, earliest)
        if birth is not None and rng.random() < 0.15 and (latest_referral - self.start).days > 60:
            episodes.append(self.earlier_episode(latest_referral))
        elif rng.random() < 0.3:
            # an episode still open, referred last year
            latest_referral = max(earliest, self.start - self.days(1, 400))
        episodes.append(self.episode(latest_referral, ref, plant))
        return (
            "<Child><ChildIdentifiers>"
            + "".join(ids)
            + "</ChildIdentifiers>"
            + chars
            + "".join(episodes)
            + "</Child>"
        )

    def earlier_episode(self, next_referral: dt.date) -> str:
        """A short episode in the year that closed before the child's next referral."""
        rng = self.rng
        referral = self.start + self.days(0, (next_referral - self.start).days - 40)
        a_start = referral + self.days(0, 3)
        auth = a_start + self.days(5, 25)
        closure = min(auth + self.days(0, 5), next_referral - dt.timedelta(days=1))
        only_21 = rng.random() < 0.5
        factors = ["21"] if only_21 else rng.sample(FACTORS, rng.randint(1, 3))
        return (
            f"<CINdetails><CINreferralDate>{_d(referral)}</CINreferralDate>"
            f"<ReferralSource>{rng.choice(SOURCES)}</ReferralSource>"
            f"<PrimaryNeedCode>{rng.choice(NEEDS)}</PrimaryNeedCode>"
            f"<CINclosureDate>{_d(closure)}</CINclosureDate>"
            f"<ReasonForClosure>{'RC8' if only_21 else 'RC7'}</ReasonForClosure>"
            "<ReferralNFA>0</ReferralNFA>"
            f"<Assessments><AssessmentActualStartDate>{_d(a_start)}</AssessmentActualStartDate>"
            f"<AssessmentAuthorisationDate>{_d(auth)}</AssessmentAuthorisationDate>"
            "<FactorsIdentifiedAtAssessment>"
            + "".join(f"<AssessmentFactors>{f}</AssessmentFactors>" for f in factors)
            + "</FactorsIdentifiedAtAssessment></Assessments></CINdetails>"
        )

    def episode(  # noqa: PLR0912, PLR0915 (one pass down an episode's timeline)
        self, referral: dt.date, must_close_by: dt.date, plant: str | None
    ) -> str:
        rng = self.rng
        ref = self.ref
        parts: list[str] = [f"<CINreferralDate>{_d(referral)}</CINreferralDate>"]
        source = rng.choice(SOURCES) if plant != "referral_source" else "ZZ"
        parts.append(f"<ReferralSource>{source}</ReferralSource>")
        nfa = rng.random() < 0.1 and referral >= self.start
        inner: list[str] = []
        last = referral
        closure_reason = None
        if nfa:
            closure = referral
            closure_reason = "RC7"
        else:
            parts.append(f"<PrimaryNeedCode>{rng.choice(NEEDS)}</PrimaryNeedCode>")
            a_start = referral + self.days(0, 5)
            a_end = a_start + self.days(10, 70)
            a_start = min(a_start, ref)
            factors: list[str] = []
            auth = None
            if a_end <= must_close_by and a_end <= ref:
                auth = a_end
                last = max(last, a_end)
                factors = ["21"] if rng.random() < 0.08 else rng.sample(FACTORS, rng.randint(1, 4))
            if plant == "factor_21_with_other" and auth is not None:
                factors = ["21", "3A"]
            assessment = (
                f"<Assessments><AssessmentActualStartDate>{_d(a_start)}</AssessmentActualStartDate>"
            )
            if auth is not None:
                assessment += (
                    f"<AssessmentAuthorisationDate>{_d(auth)}</AssessmentAuthorisationDate>"
                )
            assessment += (
                "<FactorsIdentifiedAtAssessment>"
                + "".join(f"<AssessmentFactors>{f}</AssessmentFactors>" for f in factors)
                + "</FactorsIdentifiedAtAssessment></Assessments>"
            )
            included = auth is None or auth >= self.start
            if included:
                # assessments completed before the year are not returned
                inner.append(assessment)
            if auth is None:
                self._open = True
            last = max(last, a_start)
            if factors == ["21"] and included:
                closure_reason = "RC8"
            elif rng.random() < 0.22:
                inner.extend(self.protection(referral, must_close_by, plant))
                last = max(last, self._last)
            elif auth is not None and rng.random() < 0.5:
                plan_start = auth
                plan_end = plan_start + self.days(30, 400)
                text = f"<CINPlanDates><CINPlanStartDate>{_d(plan_start)}</CINPlanStartDate>"
                if plan_end < self.start:
                    plan_end = self.start + self.days(0, 200)
                if plan_end <= must_close_by and plan_end <= ref:
                    text += f"<CINPlanEndDate>{_d(plan_end)}</CINPlanEndDate>"
                    last = max(last, plan_end)
                else:
                    self._open = True
                text += "</CINPlanDates>"
                inner.append(text)
            closure = last + self.days(0, 30)
        open_activity = getattr(self, "_open", False)
        self._open = False
        close = (
            closure_reason is not None or must_close_by < ref or rng.random() < 0.5
        ) and not open_activity
        if close and closure <= must_close_by and closure >= self.start:
            reason = closure_reason or rng.choice(
                ["RC1", "RC3", "RC4", "RC5", "RC6", "RC7", "RC7", "RC7"]
            )
            if plant == "closure_before_referral":
                closure = referral - dt.timedelta(days=3)
            parts.append(f"<CINclosureDate>{_d(closure)}</CINclosureDate>")
            parts.append(f"<ReasonForClosure>{reason}</ReasonForClosure>")
        parts.append(f"<ReferralNFA>{'1' if nfa else '0'}</ReferralNFA>")
        return "<CINdetails>" + "".join(parts) + "".join(inner) + "</CINdetails>"

    def protection(self, referral: dt.date, must_close_by: dt.date, plant: str | None) -> list[str]:
        rng = self.rng
        ref = self.ref
        s_start = min(referral + self.days(0, 10), self.ref)
        self._last = s_start
        target = _weekday(s_start + dt.timedelta(days=21))
        icpc = _weekday(s_start + self.days(7, 20))
        out = [f"<Section47><S47ActualStartDate>{_d(s_start)}</S47ActualStartDate>"]
        out.append(f"<InitialCPCtarget>{_d(target)}</InitialCPCtarget>")
        if icpc > must_close_by or icpc > ref:
            out.append("<ICPCnotRequired>false</ICPCnotRequired></Section47>")
            self._open = True
            return out
        if rng.random() < 0.35:
            if icpc < self.start:
                return []
            out.append("<ICPCnotRequired>true</ICPCnotRequired></Section47>")
            return out
        if icpc < self.start:
            return []
        if plant == "weekend_icpc":
            icpc = icpc + dt.timedelta(days=(5 - icpc.weekday()) % 7)
        out.append(f"<DateOfInitialCPC>{_d(icpc)}</DateOfInitialCPC>")
        out.append("<ICPCnotRequired>false</ICPCnotRequired></Section47>")
        self._last = icpc
        if rng.random() < 0.15:
            return out
        cpp_end = max(icpc + self.days(60, 800), self.start + self.days(0, 300))
        category = rng.choice(ABUSE) if plant != "abuse_category" else "ZZZ"
        plan = [f"<ChildProtectionPlans><CPPstartDate>{_d(icpc)}</CPPstartDate>"]
        ended = cpp_end <= must_close_by and cpp_end <= ref
        if ended:
            plan.append(f"<CPPendDate>{_d(cpp_end)}</CPPendDate>")
            self._last = cpp_end
        else:
            self._open = True
        plan.append(f"<InitialCategoryOfAbuse>{category}</InitialCategoryOfAbuse>")
        plan.append(f"<LatestCategoryOfAbuse>{category}</LatestCategoryOfAbuse>")
        plan.append(f"<NumberOfPreviousCPP>{rng.choice([0, 0, 0, 1, 1, 2])}</NumberOfPreviousCPP>")
        review = icpc + dt.timedelta(days=90)
        stop = cpp_end if ended else ref
        while review <= stop:
            plan.append(f"<Reviews><CPPreviewDate>{_d(_weekday(review))}</CPPreviewDate></Reviews>")
            review += dt.timedelta(days=180)
        plan.append("</ChildProtectionPlans>")
        out.extend(plan)
        return out


PLANTS = (
    "ethnicity",
    "referral_source",
    "closure_before_referral",
    "weekend_icpc",
    "abuse_category",
    "disability_none_and_other",
    "factor_21_with_other",
)


def header(year: int, la: str) -> str:
    return (
        "<Header><CollectionDetails><Collection>CIN</Collection>"
        f"<Year>{year}</Year><ReferenceDate>{year}-03-31</ReferenceDate></CollectionDetails>"
        f"<Source><SourceLevel>L</SourceLevel><LEA>{la}</LEA>"
        "<SoftwareCode>Alliance generator</SoftwareCode><Release>1</Release>"
        f"<SerialNo>1</SerialNo><DateTime>{year}-05-01T09:00:00</DateTime></Source></Header>"
    )


def generate(
    out: str | Path,
    children: int,
    *,
    year: int = 2025,
    seed: int = 1,
    error_rate: float = 0.01,
    la: str = "201",
    progress: Callable[[int], None] | None = None,
) -> Path:
    """Write a CIN census XML for `children` children to `out` (written to a temporary name and
    renamed, so a half-written file is never left behind)."""
    sex_column = load_schema(year).sex_column
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)
    path = Path(out)
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write('<?xml version="1.0" encoding="utf-8"?>\n<Message>')
        handle.write(header(year, la))
        handle.write("<Children>\n")
        batch: list[str] = []
        for index in range(1, children + 1):
            plant = rng.choice(PLANTS) if rng.random() < error_rate else None
            batch.append(_Child(rng, year, index, la, sex_column).xml(plant))
            if len(batch) >= 2000:
                handle.write("\n".join(batch))
                handle.write("\n")
                batch.clear()
                if progress is not None:
                    progress(index)
        handle.write("\n".join(batch))
        handle.write("\n</Children></Message>\n")
    tmp.replace(path)
    if progress is not None:
        progress(children)
    return path
