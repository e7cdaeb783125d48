"""Demo data for the improvement programme (`alliance demo`).

Real: the partners of the programme's 2018 wave (the verified rows of
`reference/partners-in-practice/pip_councils_compiled.csv`), the councils they are matched with
(rated requires improvement or inadequate as at the wave's announcement, 16 March 2018, from the
national picture's judgement history, matched by this app's own matching), the baselines and the
later Ofsted judgements. Each partner supports `PER_PARTNER_2018` councils, a handful as the
real partners did, the neediest first. Fictional, and labelled "Demo data: fictional" wherever
shown: the grant shares, engagements' dates, plans, milestones, activities, reviews, people and
spend.

A second, current demo programme gives the Tyneside Alliance two live engagements, so the
dashboards, upcoming milestones and reminders have something to show today.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from alliance.accounts.demo import ensure_core_organisations
from alliance.organisations.models import AllianceMember, Council, Organisation
from alliance.programme import needs
from alliance.programme.models import (
    Activity,
    BudgetLine,
    Closure,
    Engagement,
    Milestone,
    OfstedArea,
    Partner,
    PlannedSpend,
    PracticeItem,
    Priority,
    Programme,
    QuarterlyReview,
    Rag,
    SpendEntry,
)
from alliance.programme.money import split_pence
from alliance.programme.quarters import quarters
from alliance.programme.services.engagements import close_engagement, start_engagement
from alliance.programme.services.setup import confirm_match
from alliance.programme.services.spend_reports import submit_spend_report

PIP_FILE = Path("reference") / "partners-in-practice" / "pip_councils_compiled.csv"
WAVE_2018 = "Partners in Practice, 2018 wave"
CURRENT = "Tyneside Alliance regional support 2025 to 2027"
ANNOUNCED = dt.date(2018, 3, 16)
# Councils each 2018 partner supports in the demo. The real partners each supported a handful of
# councils (which ones is not published), so not every council below good was supported: those
# left are what "Did support work?" compares the supported councils with.
PER_PARTNER_2018 = 4
OWNERS = [
    "Jo Reed (demo)",
    "Sam Patel (demo)",
    "Chris Okafor (demo)",
    "Alex Morgan (demo)",
    "Kim Walsh (demo)",
]
MILESTONES = {
    OfstedArea.LEADERS.value: [
        "Practice standards agreed and shared",
        "Caseload review completed",
        "Quality assurance framework in place",
    ],
    OfstedArea.HELP_AND_PROTECTION.value: [
        "Front door (MASH) review completed",
        "Strategy meeting audit completed",
        "Re-referral audit acted on",
    ],
    OfstedArea.CHILDREN_IN_CARE.value: [
        "Permanence tracking meeting running",
        "Placement sufficiency plan agreed",
        "Care plan audit completed",
    ],
    OfstedArea.CARE_LEAVERS.value: [
        "Local offer for care leavers published",
        "Pathway plan audit completed",
        "Education, employment and training panel running",
    ],
}


@dataclass(frozen=True)
class PartnerSpec:
    slug: str
    name: str
    dfe_codes: tuple[str, ...]
    innovation: str = ""


def partners_2018(data_dir: Path) -> list[PartnerSpec]:
    """The 2018 wave's verified partners, grouped as they were funded (the two Tynesides as the
    Tyneside Alliance)."""
    groups: dict[str, list[dict[str, str]]] = {}
    with (data_dir / PIP_FILE).open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["verified"].strip().lower() != "yes" or not row["pip_wave"].startswith("2"):
                continue
            key = row["pip_grouping"] or row["la_name"]
            groups.setdefault(key, []).append(row)
    specs = []
    for key, rows in groups.items():
        codes = tuple(r["old_la_code"] for r in rows)
        if set(codes) == {"392", "393"}:
            specs.append(
                PartnerSpec(
                    "tyneside-alliance",
                    "Tyneside Alliance",
                    codes,
                    "WorkPlace (South Tyneside) and Edge of Care (North Tyneside)",
                )
            )
        else:
            name = key if len(rows) == 1 and key == rows[0]["la_name"] else f"{key}"
            slug = "pip-" + "-".join(r["la_name"].lower().replace(" ", "-") for r in rows)
            specs.append(PartnerSpec(slug[:100], f"{name} (Partner in Practice)", codes))
    return specs


def _alliance(spec: PartnerSpec) -> Organisation | None:
    councils = list(Council.objects.filter(dfe_code__in=spec.dfe_codes))
    if not councils:
        return None
    org, _ = Organisation.objects.get_or_create(
        slug=spec.slug, defaults={"kind": Organisation.Kind.ALLIANCE, "name": spec.name}
    )
    for council in councils:
        AllianceMember.objects.get_or_create(alliance=org, council=council)
    return org


def _fill(engagement: Engagement, rng: random.Random, today: dt.date, close: bool) -> None:
    """Fictional plan, milestones, activities, reviews and (for past engagements) closure."""
    grades = (engagement.diagnostic.judgement or {}).get("grades", {})
    weak = [area for area, _label in needs.AREAS if grades.get(area) in needs.BELOW_GOOD] or [
        OfstedArea.LEADERS.value,
        OfstedArea.HELP_AND_PROTECTION.value,
    ]
    diagnostic = engagement.diagnostic
    diagnostic.strengths = (
        "Committed leadership team; stable senior managers (demo data: fictional)."
    )
    diagnostic.concerns = (
        "Inconsistent management oversight of casework; "
        + ", ".join(needs.AREA_LABELS[a].lower() for a in weak)
        + " below good (demo data: fictional)."
    )
    diagnostic.save()
    plan = engagement.plan
    plan.summary = f"Two-year plan agreed with {engagement.supported_council.name}: {len(weak)} priorities tied to Ofsted areas (demo data: fictional)."
    plan.agreed_on = engagement.starts + dt.timedelta(days=42)
    plan.save()
    span = (engagement.ends - engagement.starts).days
    milestones = []
    for area in weak:
        priority = Priority.objects.create(
            plan=plan,
            ofsted_area=area,
            description=f"Improve {needs.AREA_LABELS[area].lower()} to good (demo)",
        )
        for i, title in enumerate(MILESTONES[area]):
            due = engagement.starts + dt.timedelta(
                days=int(span * (i + 1) / 4) + rng.randint(-10, 10)
            )
            done = due < today and rng.random() < (0.9 if close else 0.6)
            rag = Rag.GREEN if done else rng.choice([Rag.GREEN, Rag.AMBER, Rag.AMBER, Rag.RED])
            milestones.append(
                Milestone(
                    engagement=engagement,
                    priority=priority,
                    title=title,
                    owner=rng.choice(OWNERS),
                    owner_email="",
                    due=min(due, engagement.ends),
                    rag=rag,
                    evidence="Audit report and action log (demo)" if done else "",
                    completed_on=min(due + dt.timedelta(days=rng.randint(0, 20)), engagement.ends)
                    if done
                    else None,
                )
            )
    Milestone.objects.bulk_create(milestones)
    kinds = list(Activity.Kind.values)
    activities = []
    for _ in range(rng.randint(8, 16)):
        day = engagement.starts + dt.timedelta(days=rng.randint(0, span))
        if day > today:
            continue
        activities.append(
            Activity(
                engagement=engagement,
                kind=rng.choice(kinds),
                held_on=day,
                people=f"{rng.choice(OWNERS)} and team",
                hours=rng.choice([2, 3.5, 7, 14, 35]),
                notes="Demo data: fictional",
            )
        )
    Activity.objects.bulk_create(activities)
    for review in engagement.reviews.filter(due__lt=today):
        review.held_on = review.due + dt.timedelta(days=rng.randint(0, 10))
        review.held_on = min(review.held_on, engagement.ends)
        review.rag = rng.choice([Rag.GREEN, Rag.AMBER, Rag.AMBER, Rag.RED])
        review.notes = "Progress reviewed against the plan (demo data: fictional)."
        review.save()
    if close:
        close_engagement(
            engagement,
            closed_on=engagement.ends,
            impact_summary="Support completed as planned. Impact below compares published figures at the start with the latest (demo narrative: fictional; figures and judgements real).",
            user=None,
        )


def _spend(
    partner: Partner, engagements: list[Engagement], rng: random.Random, today: dt.date
) -> None:
    programme = partner.programme
    support = BudgetLine.objects.create(
        partner=partner,
        kind=BudgetLine.Kind.SUPPORT,
        name="Support to councils",
        amount_pence=partner.grant_share_pence * 7 // 10,
    )
    innovation = BudgetLine.objects.create(
        partner=partner,
        kind=BudgetLine.Kind.INNOVATION,
        name=partner.innovation_project or "Innovation project",
        amount_pence=partner.grant_share_pence - support.amount_pence,
    )
    # A spend profile for the innovation project (fictional): half as much in the first and last
    # quarters as in the others, split to the penny so the quarters sum exactly.
    all_quarters = quarters(programme.starts, programme.ends)
    weights = [1 if i in (0, len(all_quarters) - 1) else 2 for i in range(len(all_quarters))]
    planned = split_pence(innovation.amount_pence, weights)
    PlannedSpend.objects.bulk_create(
        PlannedSpend(budget_line=innovation, quarter=q.number, amount_pence=amount)
        for q, amount in zip(all_quarters, planned, strict=True)
    )
    last = min(today, programme.ends)
    days = max((last - programme.starts).days, 1)
    entries = []
    for line, share in ((support, 0.85), (innovation, 0.8)):
        target = int(
            line.amount_pence * share * days / max((programme.ends - programme.starts).days, 1)
        )
        spent = 0
        while spent < target:
            amount = min(rng.randint(150_000, 2_500_000), target - spent)
            if amount <= 0:
                break
            engagement = rng.choice(engagements) if line is support and engagements else None
            entries.append(
                SpendEntry(
                    budget_line=line,
                    engagement=engagement,
                    spent_on=programme.starts + dt.timedelta(days=rng.randint(0, days)),
                    amount_pence=amount,
                    description=("Practice lead time" if engagement else "Project costs")
                    + " (demo)",
                    evidence=f"INV-{rng.randint(10000, 99999)} (demo)",
                )
            )
            spent += amount
    SpendEntry.objects.bulk_create(entries)
    # Spend reports (fictional) for the quarters that have ended: all of them once the programme
    # is over; otherwise all but the latest, which is left for the lead to submit.
    ended = [q for q in all_quarters if q.ends < today]
    for quarter in ended if programme.ends < today else ended[:-1]:
        submit_spend_report(partner, quarter.number, today=today, user=None)


def _build(
    name: str,
    starts: dt.date,
    ends: dt.date,
    grant: int,
    specs: list[PartnerSpec],
    as_at: dt.date,
    per_partner: int,
    engagement_ends: dt.date,
    close: bool,
    dfe: Organisation,
    region_only: bool = False,
) -> tuple[int, int]:
    today = dt.date.today()
    programme = Programme.objects.create(
        organisation=dfe, name=name, starts=starts, ends=ends, grant_total_pence=grant, is_demo=True
    )
    alliances = [(spec, org) for spec in specs if (org := _alliance(spec)) is not None]
    # Equal shares that add up to the grant to the penny (largest remainder)
    shares = split_pence(grant, [1] * len(alliances)) if alliances else []
    partners = [
        Partner.objects.create(
            programme=programme,
            alliance=org,
            grant_share_pence=share,
            capacity=per_partner,
            innovation_project=spec.innovation,
        )
        for (spec, org), share in zip(alliances, shares, strict=True)
    ]
    assessed = needs.assess(as_at)
    strengths = needs.partner_strengths(partners, as_at)
    members = {m.council_id for p in partners for m in p.alliance.alliance_members.all()}
    used = {p.pk: 0 for p in partners}
    matched = 0
    for need in assessed:
        if not need.below_good or need.council.pk in members:
            continue
        options = [
            needs.score_option(need, p, strengths[p.pk], p.capacity - used[p.pk])
            for p in partners
            if used[p.pk] < p.capacity
            and (
                not region_only
                or any(
                    m.council.region_id == need.council.region_id
                    for m in p.alliance.alliance_members.all()
                )
            )
        ]
        if not options:
            continue
        best = max(options, key=lambda o: o.score)
        confirm_match(
            programme=programme,
            partner=best.partner,
            council=need.council,
            need_score=need.score,
            need_reasons=[f"{r.text} ({r.points:g})" for r in need.reasons],
            weights=needs.Weights().as_dict(),
            as_at=as_at,
            suitability=best.score,
            reasons=best.reasons,
            user=None,
        )
        used[best.partner.pk] += 1
        matched += 1
    engagements_made = 0
    for partner in partners:
        rng = random.Random(f"{name}-{partner.alliance.slug}")  # noqa: S311 - demo data, not security
        made = []
        for match in partner.matches.select_related("council", "partner__alliance", "programme"):
            begin = starts + dt.timedelta(days=rng.randint(30, 120))
            engagement = start_engagement(
                match=match, starts=begin, ends=engagement_ends, user=None, is_demo=True
            )
            engagement = Engagement.objects.select_related(
                "diagnostic", "plan", "supported_council"
            ).get(pk=engagement.pk)
            _fill(engagement, rng, today, close)
            made.append(engagement)
        _spend(partner, made, rng, today)
        engagements_made += len(made)
    return matched, engagements_made


def _practice(tyneside: Organisation) -> None:
    """Two fictional write-ups about the Tyneside innovation projects, linked from its engagements."""
    items = [
        PracticeItem.objects.create(
            organisation=tyneside,
            title="WorkPlace: careers advice built around care leavers (demo)",
            summary="How South Tyneside's WorkPlace project works with schools, carers and employers so that "
            "young people leaving care reach education, employment or training.\n\nDemo data: fictional write-up.",
            ofsted_areas=[OfstedArea.CARE_LEAVERS.value],
            tags="WorkPlace, education employment and training, employers",
            is_demo=True,
        ),
        PracticeItem.objects.create(
            organisation=tyneside,
            title="Edge of Care: responding to families in crisis (demo)",
            summary="How North Tyneside's Edge of Care project keeps young people safely at home, with "
            "services close to them when a family is in crisis.\n\nDemo data: fictional write-up.",
            ofsted_areas=[OfstedArea.HELP_AND_PROTECTION.value, OfstedArea.CHILDREN_IN_CARE.value],
            tags="Edge of Care, families, crisis support",
            is_demo=True,
        ),
    ]
    engagements = list(Engagement.objects.filter(alliance=tyneside).order_by("starts")[:6])
    for n, engagement in enumerate(engagements):
        items[n % 2].engagements.add(engagement)


@transaction.atomic
def load() -> str:
    if Programme.objects.filter(name=WAVE_2018, is_demo=True).exists():
        return "Programme: demo programmes already loaded"
    core = ensure_core_organisations()
    data_dir = Path(settings.SHARED_DATA_DIR)
    specs = partners_2018(data_dir)
    matched, made = _build(
        WAVE_2018,
        dt.date(2018, 4, 1),
        dt.date(2020, 3, 31),
        15_000_000_00,
        specs,
        ANNOUNCED,
        per_partner=PER_PARTNER_2018,
        engagement_ends=dt.date(2020, 3, 31),
        close=True,
        dfe=core["dfe"],
    )
    tyneside = [s for s in specs if s.slug == "tyneside-alliance"]
    today = dt.date.today()
    _current_matched, current_made = _build(
        CURRENT,
        dt.date(2025, 4, 1),
        dt.date(2027, 3, 31),
        1_200_000_00,
        tyneside,
        today,
        per_partner=2,
        engagement_ends=dt.date(2027, 3, 31),
        close=False,
        dfe=core["dfe"],
    )
    for review in QuarterlyReview.objects.filter(
        engagement__programme__name=CURRENT, held_on__isnull=True
    ):
        review.last_reminded = None
        review.save(update_fields=["last_reminded"])
    _practice(core["tyneside"])
    closed = Closure.objects.filter(engagement__programme__name=WAVE_2018).count()
    return (
        f"Programme: {len(specs)} real partners of the 2018 wave, {matched} councils matched, {made} engagements "
        f"({closed} closed with impact); {current_made} live Tyneside engagements; plans and spend fictional"
    )
