"""Demo WorkPlace data for South Tyneside: entirely fictional young people, employers and
opportunities, with sign-ins for a careers adviser, an employer and a young person.

Postcodes are real South Tyneside postcodes picked from the ONS directory (so distances are real);
the people and businesses at them are made up. Running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from alliance.accounts.demo import DEMO_PASSWORD
from alliance.accounts.models import Membership, Role, User
from alliance.organisations.models import Council, Organisation
from alliance.organisations.postcodes import normalise
from alliance.workplace import codes, leaving_care, matching, pipeline
from alliance.workplace.models import (
    BARRIERS,
    INTERESTS,
    SKILLS,
    Adviser,
    Appointment,
    CareLeaverInfo,
    EmployerProfile,
    Goal,
    GroupAttendee,
    GroupSession,
    Hours,
    LocalOfferItem,
    Opportunity,
    PathwayPlanReview,
    Referral,
    YoungPerson,
)
from alliance.workplace.postcodes import NORTH_EAST

SOUTH_TYNESIDE = "393"
ADVISER = "adviser@south-tyneside.demo"  # made by accounts.demo: Priya Adviser
CAREERS_ADVISER = "careers.adviser@south-tyneside.demo"
EMPLOYER = "employer@tyne-gateway-logistics.demo"
YOUNG_PERSON = "young.person@south-tyneside.demo"

EMPLOYERS = [
    ("Tyne Gateway Logistics (demo)", "logistics", "Dana Fairless"),
    ("Harton Bay Care Homes (demo)", "care", "Mo Ashworth"),
    ("Sandhaven Cafés (demo)", "hospitality", "Gill Pattison"),
    ("Marsden Point Engineering (demo)", "engineering", "Ravi Chandra"),
    ("Westoe Digital Studio (demo)", "digital", "Nell Armstrong"),
    ("Jarrow Riverside Construction (demo)", "construction", "Stu Hedley"),
    ("Boldon Garden Centre (demo)", "retail", "Ann Dodds"),
    ("Mill Dam Hair Studio (demo)", "beauty", "Kaz Iley"),
]
OPPORTUNITIES: dict[str, list[tuple[str, str, int, int | None, list[str]]]] = {
    "logistics": [
        ("Warehouse operative apprenticeship", "apprenticeship", 37, 800, ["teamwork"]),
        ("Forklift training course", "course", 16, None, []),
    ],
    "care": [
        ("Care assistant (nights or days)", "job", 30, 1221, ["first-aid"]),
        ("Health and social care work experience", "work-experience", 15, None, []),
    ],
    "hospitality": [
        ("Barista and kitchen assistant", "job", 20, 1221, ["food-hygiene"]),
        ("Hospitality traineeship", "traineeship", 25, None, []),
    ],
    "engineering": [
        ("Engineering maintenance apprenticeship", "apprenticeship", 39, 800, ["maths"]),
    ],
    "digital": [
        ("Junior web developer apprenticeship", "apprenticeship", 37, 750, ["it", "maths"]),
        ("Digital skills mentoring", "mentoring", 2, None, []),
    ],
    "construction": [
        ("Groundworker apprenticeship", "apprenticeship", 39, 800, ["cscs"]),
        ("Site work experience week", "work-experience", 30, None, []),
    ],
    "retail": [
        ("Retail assistant, weekends", "job", 16, 1221, ["customer"]),
    ],
    "beauty": [
        ("Hairdressing apprenticeship", "apprenticeship", 32, 800, []),
    ],
}
FIRST = [
    "Jordan",
    "Kayleigh",
    "Liam",
    "Chloe",
    "Tyler",
    "Ellie",
    "Connor",
    "Amber",
    "Kyle",
    "Megan",
    "Callum",
    "Jade",
    "Reece",
    "Shannon",
    "Ryan",
    "Paige",
    "Declan",
    "Courtney",
    "Nathan",
    "Abbie",
]
LAST = [
    "Robson",
    "Charlton",
    "Milburn",
    "Armstrong",
    "Nixon",
    "Hedley",
    "Forster",
    "Dobson",
    "Elliott",
    "Bell",
    "Ridley",
    "Heron",
    "Stobbs",
    "Pearson",
    "Lamb",
    "Rutherford",
]
LOCAL_OFFER = [
    (
        "money",
        "Setting-up-home allowance",
        "Up to £3,000 towards furniture and essentials when you move into your first home.",
        "Care leavers aged 18 to 25",
        "Ask your personal adviser: they apply with you.",
    ),
    (
        "money",
        "Care leaver apprenticeship bursary",
        "A £3,000 payment from the government when you start an apprenticeship, paid through your training provider.",
        "Care leavers starting an apprenticeship, aged 16 to 24",
        "Ask WorkPlace for a letter confirming you are a care leaver, then give it to your training provider.",
    ),
    (
        "money",
        "Council tax exemption",
        "You do not pay council tax in South Tyneside until you are 25.",
        "Care leavers living in South Tyneside, aged 18 to 25",
        "Your personal adviser tells the council tax team for you.",
    ),
    (
        "housing",
        "Staying Put",
        "Stay with your foster carers after you turn 18, until you are 21.",
        "Young people in foster care at 18",
        "Talk to your foster carers and your social worker before your 18th birthday.",
    ),
    (
        "housing",
        "Supported lodgings and training flats",
        "Somewhere to live with support while you learn to run a home.",
        "Care leavers aged 16 to 21",
        "Your personal adviser refers you.",
    ),
    (
        "education",
        "Higher education bursary",
        "£2,000 a year towards university costs, and help with housing in the holidays.",
        "Care leavers going to university",
        "Tell your personal adviser when you get your offer.",
    ),
    (
        "education",
        "Free college travel",
        "A bus and Metro pass for getting to college or training.",
        "Care leavers in education or training, aged 16 to 25",
        "Ask WorkPlace.",
    ),
    (
        "work",
        "WorkPlace careers advice",
        "One-to-one careers advice, help with CVs and interviews, and opportunities with local employers who have pledged to support care leavers.",
        "All care leavers, and looked-after young people from 13",
        "Ask your personal adviser or contact WorkPlace.",
    ),
    (
        "work",
        "Guaranteed interviews with the council",
        "An interview for any South Tyneside Council job or apprenticeship you meet the essential criteria for.",
        "Care leavers aged 16 to 25",
        "Say you are a care leaver on your application form.",
    ),
    (
        "health",
        "Free prescriptions and gym pass",
        "Free NHS prescriptions and a free pass to council leisure centres.",
        "Care leavers aged 18 to 25",
        "Ask your personal adviser for the letter and the pass.",
    ),
    (
        "rights",
        "Your personal adviser until 25",
        "You can have a personal adviser until you are 25, even if you said no before.",
        "Care leavers aged 21 to 25",
        "Contact the Leaving Care Service at any time.",
    ),
]


def _user(username: str, full_name: str, role: Role, organisation: Organisation) -> User:
    model = get_user_model()
    user = model.objects.filter(username=username).first()
    if user is None:
        user = model.objects.create_user(
            username=username, email=username, password=DEMO_PASSWORD, full_name=full_name
        )
    Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    return user


def _postcodes(rng: random.Random, districts: tuple[str, ...]) -> list[str]:
    keys = sorted(k for k in NORTH_EAST.table() if k[:-3] in districts)
    return [normalise(k) for k in rng.sample(keys, 200)]


@transaction.atomic
def load() -> str:  # noqa: PLR0912, PLR0915 - one straight-line recipe for the demo
    council = Council.objects.filter(dfe_code=SOUTH_TYNESIDE).select_related("organisation").first()
    if council is None:
        return "WorkPlace demo: skipped (South Tyneside not loaded)"
    south = council.organisation
    rng = random.Random(393)  # noqa: S311 - repeatable demo data, not security
    today = dt.date.today()
    pool = _postcodes(rng, ("NE31", "NE32", "NE33", "NE34", "NE35", "NE36"))

    adviser_user = get_user_model().objects.filter(username=ADVISER).first()
    careers_user = _user(CAREERS_ADVISER, "Casey Careers (demo)", Role.COUNCIL_PRACTITIONER, south)
    # Phone numbers from Ofcom's range kept for drama (0191 498 0000 to 0999): never real.
    personal = (
        Adviser.objects.get_or_create(
            user=adviser_user,
            organisation=south,
            kind="personal",
            defaults={"phone": "0191 498 0123"},
        )[0]
        if adviser_user
        else None
    )
    careers = Adviser.objects.get_or_create(
        user=careers_user, organisation=south, kind="careers", defaults={"phone": "0191 498 0456"}
    )[0]

    if not LocalOfferItem.objects.filter(organisation=south).exists():
        for category, title, description, who, how in LOCAL_OFFER:
            LocalOfferItem.objects.create(
                organisation=south,
                category=category,
                title=title,
                description=description,
                who_can_get_it=who,
                how_to_get_it=how,
            )

    employer_orgs: list[Organisation] = []
    for i, (name, sector, contact) in enumerate(EMPLOYERS):
        slug = "demo-" + name.lower().split(" (")[0].replace(" ", "-").replace("é", "e")
        org, _ = Organisation.objects.get_or_create(
            slug=slug, defaults={"kind": Organisation.Kind.EMPLOYER, "name": name}
        )
        employer_orgs.append(org)
        if not EmployerProfile.objects.filter(organisation=org).exists():
            EmployerProfile.objects.create(
                organisation=org,
                council=south,
                sector=sector,
                postcode=pool[i],
                contact_name=f"{contact} (demo)",
                status=EmployerProfile.Status.APPROVED,
                contact_email=f"{contact.split()[0].lower()}@{slug}.demo",
                pledge=(
                    "We guarantee an interview to every care leaver who applies and give each "
                    "new starter a workplace mentor."
                    if i % 2 == 0
                    else ""
                ),
                pledged_on=today - dt.timedelta(days=200 - i) if i % 2 == 0 else None,
            )
    _user(EMPLOYER, "Dana Fairless (demo)", Role.EMPLOYER, employer_orgs[0])
    _pending_registration(south)

    if YoungPerson.objects.filter(organisation=south).exists():
        return _summary()

    opportunities: list[Opportunity] = []
    for org, (_name, sector, _contact) in zip(employer_orgs, EMPLOYERS, strict=True):
        where = EmployerProfile.objects.get(organisation=org).postcode
        grid = NORTH_EAST.grid_reference(where)
        for j, (title, kind, hours, pay, skills) in enumerate(OPPORTUNITIES[sector]):
            opportunities.append(
                Opportunity.objects.create(
                    employer=org,
                    council=south,
                    title=title,
                    kind=kind,
                    description=f"{title} with {org.name}. Full training given; no experience needed.",
                    places=rng.randint(1, 4),
                    postcode=where,
                    easting=grid[0] if grid else None,
                    northing=grid[1] if grid else None,
                    hours_per_week=hours,
                    pay_pence_per_hour=pay,
                    min_age=16,
                    max_age=25 if kind != "apprenticeship" else 24,
                    eligibility="Care leavers and looked-after young people",
                    interests=[sector],
                    skills=skills,
                    support=rng.sample(
                        ["interview", "mentor", "travel", "flexible", "kit", "bursary"], 2
                    ),
                    closing_date=today + dt.timedelta(days=10 + 17 * j + rng.randint(0, 40)),
                )
            )

    eet = sorted(codes.eet_codes())
    not_eet = ["G4", "G5", "G6"]
    suitable = sorted(codes.suitable_accommodation_codes())
    people: list[YoungPerson] = []
    for n in range(40):
        age_days = rng.randint(16 * 365 + 30, 22 * 365)
        born = today - dt.timedelta(days=age_days)
        in_eet = rng.random() < 0.55
        grid_pc = pool[20 + n]
        grid = NORTH_EAST.grid_reference(grid_pc)
        started = born + dt.timedelta(days=16 * 365 + rng.randint(0, 200))
        reviewed = today - dt.timedelta(days=rng.randint(20, 220))
        person = YoungPerson.objects.create(
            organisation=south,
            first_name=FIRST[n % len(FIRST)],
            last_name=LAST[(n * 7) % len(LAST)],
            date_of_birth=born,
            legal_status=(
                YoungPerson.LegalStatus.FORMER_RELEVANT
                if age_days >= 18 * 365
                else YoungPerson.LegalStatus.RELEVANT
            ),
            personal_adviser=personal,
            careers_adviser=careers,
            pathway_plan_started=min(started, today),
            pathway_plan_reviewed=max(reviewed, min(started, today)),
            in_touch="YES" if rng.random() < 0.9 else "NO",
            activity=rng.choice(eet if in_eet else not_eet),
            accommodation=rng.choice(suitable),
            qualifications=rng.choice(
                [
                    "GCSE English grade 4, Maths grade 3",
                    "Level 1 Food Hygiene",
                    "BTEC Level 2 Sport",
                    "",
                ]
            ),
            interests=rng.sample([k for k, _ in INTERESTS], 2),
            skills=rng.sample([k for k, _ in SKILLS], rng.randint(0, 3)),
            barriers=rng.sample([k for k, _ in BARRIERS], rng.randint(0, 2)),
            postcode=grid_pc,
            easting=grid[0] if grid else None,
            northing=grid[1] if grid else None,
            max_travel_miles=rng.choice([3, 5, 8, 10, 15]),
            hours=rng.choice([Hours.EITHER, Hours.FULL_TIME, Hours.PART_TIME]),
            consent_to_share=rng.random() < 0.7,
            consent_recorded=today - dt.timedelta(days=rng.randint(10, 300)),
        )
        if not person.consent_to_share:
            person.consent_recorded = None
            person.save(update_fields=["consent_recorded"])
        people.append(person)
        # Birthday information for past birthdays (as the SSDA903 return collects it), so the
        # outcomes have history; the most recent birthday's is left out for some, so duties show.
        for age in leaving_care.INFO_AGES:
            day = leaving_care.birthday(born, age)
            if day > today or (day > today - dt.timedelta(days=60) and n % 3 == 0):
                continue
            CareLeaverInfo.objects.create(
                organisation=south,
                young_person=person,
                birthday=age,
                recorded_on=min(day + dt.timedelta(days=rng.randint(-30, 20)), today),
                in_touch="YES",
                activity=rng.choice(eet if rng.random() < 0.5 + 0.02 * age - 0.3 else not_eet),
                accommodation=rng.choice(suitable),
                recorded_by=adviser_user or careers_user,
            )
        PathwayPlanReview.objects.create(
            organisation=south,
            young_person=person,
            reviewed_on=person.pathway_plan_reviewed or today,
            summary="Reviewed housing, money and next steps into work or training.",
            recorded_by=adviser_user or careers_user,
        )

    # The young person who signs in: Jordan, with a plan, an appointment and a referral.
    jordan = people[0]
    jordan.user = _user(YOUNG_PERSON, f"{jordan.name} (demo)", Role.YOUNG_PERSON, south)
    jordan.interests = ["logistics", "engineering"]
    jordan.consent_to_share = True
    jordan.consent_recorded = today - dt.timedelta(days=30)
    jordan.save()
    for i, person in enumerate(people[:12]):
        Appointment.objects.create(
            organisation=south,
            young_person=person,
            adviser=careers,
            starts_at=timezone.now() - dt.timedelta(days=14 + i, hours=i),
            place="WorkPlace, South Shields Town Hall",
            purpose="Careers guidance",
            status=Appointment.Status.ATTENDED if i % 4 else Appointment.Status.MISSED,
            notes="Talked through interests and what jobs are around. Agreed next steps."
            if i % 4
            else "",
        )
        Appointment.objects.create(
            organisation=south,
            young_person=person,
            adviser=careers,
            starts_at=(timezone.now() + dt.timedelta(days=3 + i)).replace(
                hour=10 + i % 5, minute=0, second=0, microsecond=0
            ),
            place="WorkPlace, South Shields Town Hall",
            purpose="CV and interview practice",
        )
        Goal.objects.create(
            organisation=south,
            young_person=person,
            description="Write a CV with the careers adviser",
            due=today + dt.timedelta(days=14),
            progress=Goal.Progress.IN_PROGRESS,
        )
        Goal.objects.create(
            organisation=south,
            young_person=person,
            description="Apply for two opportunities",
            due=today + dt.timedelta(days=30),
        )
    # Referrals at every stage of the pipeline, with dates that move forward.
    for i, person in enumerate(people[:24]):
        found, _total = matching.matches_for_young_person(
            person, Opportunity.objects.filter(council=south)
        )
        if not found:
            continue
        opportunity = Opportunity.objects.get(pk=found[0].opportunity_id)
        referral = pipeline.suggest(person, opportunity, found[0], user=careers_user)
        stages = pipeline.STAGES[1 : 1 + i % len(pipeline.STAGES)]
        start = today - dt.timedelta(days=10 * len(stages) + 200 * (len(stages) >= 6))
        dates: dict[str, str] = {str(Referral.Stage.SUGGESTED): start.isoformat()}
        for k, stage in enumerate(stages):
            gap = 95 if stage.startswith("sustained") else 7
            start = min(start + dt.timedelta(days=gap if k else 5), today)
            dates[stage] = start.isoformat()
        referral.stage = stages[-1] if stages else Referral.Stage.SUGGESTED
        referral.stage_dates = dates
        referral.save()
    # Jordan has applied to the demo employer's apprenticeship, so the employer sees an applicant
    # (Jordan agreed to share their details).
    warehouse = Opportunity.objects.filter(employer=employer_orgs[0]).order_by("pk").first()
    if warehouse is not None:
        applied = pipeline.suggest(jordan, warehouse, None, user=careers_user)
        applied.stage = Referral.Stage.APPLIED
        applied.stage_dates = {
            Referral.Stage.SUGGESTED: (today - dt.timedelta(days=9)).isoformat(),
            Referral.Stage.INTERESTED: (today - dt.timedelta(days=8)).isoformat(),
            Referral.Stage.APPLIED: (today - dt.timedelta(days=5)).isoformat(),
        }
        applied.save()
    for title, setting, venue, days in (
        ("Jobs of the future", "school", "Harton Academy (demo)", 40),
        ("Talking careers with your young person", "foster-carers", "Jarrow Hall (demo)", 25),
        ("Meet the employers", "school", "Mortimer Community College (demo)", 8),
    ):
        session = GroupSession.objects.create(
            organisation=south,
            title=title,
            setting=setting,
            venue=venue,
            held_on=today - dt.timedelta(days=days),
            led_by="Casey Careers (demo)",
        )
        for k in range(8):
            carer = setting == "foster-carers" and k % 2 == 0
            GroupAttendee.objects.create(
                organisation=south,
                session=session,
                name=f"{FIRST[(k * 3 + days) % len(FIRST)]} {LAST[(k + days) % len(LAST)]}",
                kind="foster-carer" if carer else "young-person",
                age=None if carer else 13 + k % 4,
                attended=k % 5 != 0,
            )
    return _summary()


PENDING_EMPLOYER = "owner@cleadon-bakehouse.demo"


def _pending_registration(south: Organisation) -> None:
    """A business that registered itself and waits for the careers adviser's decision, so the
    approval journey has something to show."""
    org, _ = Organisation.objects.get_or_create(
        slug="demo-cleadon-bakehouse",
        defaults={"kind": Organisation.Kind.EMPLOYER, "name": "Cleadon Bakehouse (demo)"},
    )
    if EmployerProfile.objects.filter(organisation=org).exists():
        return
    _user(PENDING_EMPLOYER, "Robin Tait (demo)", Role.EMPLOYER, org)
    EmployerProfile.objects.create(
        organisation=org,
        council=south,
        sector="hospitality",
        address="3 Front Street (fictional)\nCleadon",
        postcode="NE36 0AA" if NORTH_EAST.grid_reference("NE36 0AA") else "NE33 2RL",
        contact_name="Robin Tait (demo)",
        contact_email=PENDING_EMPLOYER,
        offers=["apprenticeship", "work-experience"],
        pledge="A paid week of work experience for every care leaver who asks.",
        pledged_on=dt.date.today(),
        status=EmployerProfile.Status.PENDING,
        registered_at=timezone.now(),
    )


def _summary() -> str:
    people = YoungPerson.objects.filter(organisation__council__dfe_code=SOUTH_TYNESIDE).count()
    opportunities = Opportunity.objects.filter(council__council__dfe_code=SOUTH_TYNESIDE).count()
    return (
        f"WorkPlace demo: {people} fictional young people and {opportunities} opportunities in "
        f"South Tyneside; sign in as {CAREERS_ADVISER} (careers adviser), {EMPLOYER} (employer) "
        f"or {YOUNG_PERSON} (young person; {PENDING_EMPLOYER} is an employer waiting for "
        f"approval), password {DEMO_PASSWORD}"
    )
