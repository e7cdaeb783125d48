"""Fictional Edge of Care families in North Tyneside, for trying the service. Every name,
address and story here is made up; each summary says so."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from alliance.edgeofcare import outcomes, referrals, targets, workers
from alliance.edgeofcare.models import (
    OUTCOME_MONTHS,
    ClosureReason,
    ConsentBasis,
    Contact,
    Need,
    Referral,
    ReferrerType,
    Risk,
    Service,
    ServiceAllocation,
    Urgency,
)
from alliance.organisations.models import Council

MARKER = "(Fictional demo family.)"
SERVICES = [
    (
        "Intensive family support",
        "Daily support at home for families in crisis, for up to 12 weeks",
        12,
    ),
    (
        "Family group conference",
        "A family-led meeting to make a plan with wider family and friends",
        8,
    ),
    (
        "Respite and short breaks",
        "Planned short breaks that give children and parents time apart",
        6,
    ),
    ("Mentoring", "A trusted adult for young people at risk", 15),
    ("Therapeutic support", "Family therapy and counselling", 10),
    ("Parenting programme", "Group and one-to-one parenting courses", 20),
    ("Mediation", "Help for parents and teenagers to talk when relationships break down", 10),
    ("Education support", "Help back into school after exclusion or long absence", 12),
    ("Out-of-hours outreach", "Evening and weekend crisis visits", 5),
]
FIRST = [
    "Ava",
    "Leo",
    "Mia",
    "Noah",
    "Isla",
    "Jack",
    "Ruby",
    "Alfie",
    "Evie",
    "Harry",
    "Lily",
    "Oscar",
    "Freya",
    "Theo",
    "Poppy",
    "Finley",
]
LAST = [
    "Armstrong",
    "Bell",
    "Charlton",
    "Dodds",
    "Elliott",
    "Forster",
    "Gibson",
    "Hall",
    "Irving",
    "Jobling",
    "Kerr",
    "Lamb",
    "Milburn",
    "Nesbitt",
    "Oliver",
    "Purvis",
    "Robson",
    "Scott",
    "Thompson",
    "Wilkinson",
]
STREETS = ["Demo Terrace", "Example Road", "Sample Close", "Fictional Avenue", "Pretend Street"]
POSTCODES = ["NE25 8AB", "NE26 1XY", "NE27 0QQ", "NE28 6HT", "NE29 7LD", "NE30 4NP", "NE12 9BG"]
TOWNS = {
    "NE25": "Whitley Bay",
    "NE26": "Whitley Bay",
    "NE27": "Shiremoor",
    "NE28": "Wallsend",
    "NE29": "North Shields",
    "NE30": "Tynemouth",
    "NE12": "Killingworth",
}


def _give_a_worker(referral: Referral, i: int) -> None:
    """The families being worked with get one of the demo's Edge of Care practitioners."""
    team = list(workers.workers(referral.organisation))
    if team:
        workers.allocate_worker(referral, team[i % len(team)])


def load() -> str:
    council = Council.objects.filter(dfe_code="392").select_related("organisation").first()
    if council is None:
        return ""
    org = council.organisation
    if Referral.objects.filter(organisation=org, summary__endswith=MARKER).exists():
        return "Edge of Care: demo families already loaded"
    rng = random.Random(392)  # noqa: S311 - repeatable fictional data, not security
    now = timezone.now()
    with transaction.atomic():
        cs = targets.council_settings(org)
        cs.team_lead_email = cs.team_lead_email or "edge-of-care-lead@north-tyneside.demo"
        cs.save()
        catalogue = []
        for name, description, capacity in SERVICES:
            s, _ = Service.objects.get_or_create(
                organisation=org,
                name=name,
                defaults={"description": description, "capacity": capacity},
            )
            catalogue.append(s)
        made = 0
        for i in range(60):
            # Spread over the last two years; the most recent few still wait for first contact.
            days_ago = 730 - i * 12 if i < 56 else 0
            received = now - dt.timedelta(
                days=days_ago, hours=rng.randint(1, 8) if i >= 56 else rng.randint(0, 9)
            )
            last = rng.choice(LAST)
            postcode = rng.choice(POSTCODES)
            n_children = rng.choice([1, 1, 2, 2, 3])
            children = []
            for k in range(n_children):
                age_days = rng.randint(2 * 365, 17 * 365)
                children.append(
                    {
                        "first_name": rng.choice(FIRST),
                        "last_name": last,
                        "date_of_birth": (received - dt.timedelta(days=age_days)).date(),
                        "la_child_id": f"DEMO{i:03d}{k}",
                        "school": "Demo Academy" if age_days > 4 * 365 else "",
                        "primary_need": rng.choice(["N1", "N4", "N4", "N5", "N6", "N3"]),
                        "disabled": rng.random() < 0.1,
                        "uasc": False,
                        "prior_referrals": rng.choice([0, 0, 1, 2]),
                        "cp_history": rng.random() < 0.2,
                    }
                )
            referral = referrals.create_referral(
                org,
                None,
                {
                    "received_at": received,
                    "referrer_type": rng.choice(list(ReferrerType.values)),
                    "referrer_name": "Demo referrer",
                    "referrer_contact": "",
                    "address_line_1": f"{rng.randint(1, 99)} {rng.choice(STREETS)}",
                    "address_town": TOWNS[postcode.split()[0]],
                    "postcode": postcode,
                    "needs": rng.sample(list(Need.values), rng.randint(1, 3)),
                    "risk": rng.choice(list(Risk.values)),
                    "urgency": rng.choice(list(Urgency.values)),
                    "consent_basis": rng.choice(
                        [ConsentBasis.CONSENT, ConsentBasis.CONSENT, ConsentBasis.PUBLIC_TASK]
                    ),
                    "summary": f"The {last} family need support to stay together. {MARKER}",
                },
                children,
                [{"name": f"Sam {last}", "relationship": "Parent"}],
            )
            made += 1
            if i >= 56:
                continue  # in the live queue
            hours = targets.target_hours(org)[referral.urgency]
            contact_at = received + dt.timedelta(hours=hours * rng.uniform(0.2, 1.3))
            referrals.record_contact(
                referral,
                None,
                Contact.Kind.HOME_VISIT,
                contact_at,
                "First visit to the family (fictional).",
            )
            if i >= 53:
                continue  # awaiting triage
            referrals.triage(
                referral, rng.sample(catalogue, rng.randint(1, 2)), waiting_list_ok=True
            )
            triaged = contact_at + dt.timedelta(days=1)
            referral.allocations.update(allocated_at=triaged)
            referral.allocations.filter(waiting_from__isnull=False).update(waiting_from=triaged)
            referral.allocations.filter(started_at__isnull=False).update(started_at=triaged)
            referral.triaged_at = triaged
            referral.save(update_fields=["triaged_at"])
            _give_a_worker(referral, i)
            referral.goals.create(description="Children attend school every day")
            referral.goals.create(description="Family agree a plan for calmer evenings")
            if days_ago > 120:
                referrals.close_referral(
                    referral,
                    rng.choice(
                        [
                            ClosureReason.GOALS_MET,
                            ClosureReason.GOALS_MET,
                            ClosureReason.STEP_DOWN,
                            ClosureReason.ENTERED_CARE,
                            ClosureReason.DISENGAGED,
                        ]
                    ),
                    "Fictional closing summary.",
                )
                Referral.objects.filter(pk=referral.pk).update(
                    closed_at=received + dt.timedelta(days=100)
                )
                ServiceAllocation.objects.filter(referral=referral).update(
                    ended_at=received + dt.timedelta(days=100)
                )
                for child in referral.children.all():
                    for months in OUTCOME_MONTHS:
                        due = outcomes.outcome_due_on(child, months)
                        if due <= timezone.localdate():
                            in_care = referral.closure_reason == ClosureReason.ENTERED_CARE
                            outcomes.record_outcome(
                                child,
                                months,
                                {
                                    "checked_on": due,
                                    "living_at_home": not in_care,
                                    "same_school": rng.random() < 0.8,
                                    "entered_care": in_care,
                                    "re_referred": rng.random() < 0.15,
                                    "notes": "",
                                },
                            )
    return f"Edge of Care: {made} fictional North Tyneside families, {len(SERVICES)} services"
