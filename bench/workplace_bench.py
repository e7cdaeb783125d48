"""WorkPlace benchmark: matching and lists at a large council's volumes (2,000 young people,
500 employers, 5,000 open opportunities), driven through the real service.

    .venv/bin/python bench/workplace_bench.py [--requests 100] [--out bench/results/workplace.md]

A temporary SQLite database is migrated, loaded with the reference data and filled with fictional
records (bulk inserts: young people at real North East postcodes with their grid references,
employers, open opportunities, referrals, birthday information and appointments); `alliance serve`
is started on a free loopback port; a signed-in careers adviser, employer and young person request
each page in a bounded loop, one request at a time; p50/p95 are reported. Nothing here is a test;
the 2 cores are shared, so the load average is reported beside the figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

from service import (  # bench/service.py
    ROOT,
    Session,
    run_alliance,
    running_service,
    throwaway_env,
    timed,
)

PASSWORD = "bench-password-2026"  # noqa: S105 - a throwaway database's fictional people

FILL = r"""
import datetime as dt, random
from django.contrib.auth import get_user_model
from django.utils import timezone
from alliance.accounts.models import Membership, Role
from alliance.organisations.models import Council, Organisation
from alliance.organisations.postcodes import normalise
from alliance.workplace import codes, leaving_care, pipeline, postcodes
from alliance.workplace.models import (INTERESTS, SKILLS, SUPPORT, Adviser, Appointment,
    CareLeaverInfo, EmployerProfile, Opportunity, Referral, YoungPerson)

password, n_people, n_employers, n_open = PARAMS
org = Council.objects.get(dfe_code="393").organisation
User = get_user_model()
def person(name, role, where):
    u = User.objects.create_user(username=name, email=name, password=password, full_name=name)
    Membership.objects.create(user=u, organisation=where, role=role)
    return u
adviser_user = person("adviser@bench.test", Role.COUNCIL_PRACTITIONER, org)
adviser = Adviser.objects.create(user=adviser_user, organisation=org, kind="careers")
rng = random.Random(7)
today = dt.date.today()
pool = [k for k in sorted(postcodes.NORTH_EAST.table()) if k[:-3] in ("NE31", "NE32", "NE33", "NE34", "NE35", "NE36", "SR5", "SR6", "NE10", "NE8")]
interests = [k for k, _ in INTERESTS]; skills = [k for k, _ in SKILLS]; support = [k for k, _ in SUPPORT]
eet = sorted(codes.eet_codes()); accom = sorted(codes.suitable_accommodation_codes())
employers = Organisation.objects.bulk_create([
    Organisation(kind="employer", name=f"Bench Employer {i:03d}", slug=f"bench-employer-{i}") for i in range(n_employers)])
profiles = []
for e in employers:
    pc = rng.choice(pool)
    profiles.append(EmployerProfile(organisation=e, council=org, sector=rng.choice(interests),
        postcode=normalise(pc), contact_name="Bench", contact_email="bench@example.test",
        status="approved"))
EmployerProfile.objects.bulk_create(profiles)
employer_user = person("employer@bench.test", Role.EMPLOYER, employers[0])
opps = []
for i in range(n_open):
    pc = rng.choice(pool); e, n = postcodes.NORTH_EAST.table()[pc]
    opps.append(Opportunity(employer=employers[i % n_employers], council=org, title=f"Opportunity {i}",
        kind=rng.choice(list(Opportunity.Kind.values)), description="Fictional benchmark opportunity.",
        places=rng.randint(1, 5), postcode=normalise(pc), easting=e, northing=n,
        hours_per_week=rng.choice([16, 20, 30, 37, 39]), pay_pence_per_hour=rng.choice([None, 800, 1221]),
        min_age=16, max_age=rng.choice([21, 24, 25]), interests=rng.sample(interests, 2),
        skills=rng.sample(skills, rng.randint(0, 2)), support=rng.sample(support, 2),
        closing_date=today + dt.timedelta(days=rng.randint(0, 120))))
for o in opps: o.set_bits()
Opportunity.objects.bulk_create(opps, batch_size=2000)
people = []
for i in range(n_people):
    pc = rng.choice(pool); e, n = postcodes.NORTH_EAST.table()[pc]
    born = today - dt.timedelta(days=rng.randint(16 * 365 + 30, 22 * 365))
    people.append(YoungPerson(organisation=org, first_name=f"Young{i}", last_name=f"Person{i % 97}",
        date_of_birth=born, legal_status="former-relevant", personal_adviser=adviser, careers_adviser=adviser,
        pathway_plan_started=today - dt.timedelta(days=400), pathway_plan_reviewed=today - dt.timedelta(days=rng.randint(1, 250)),
        in_touch="YES", activity=rng.choice(eet + ["G4", "G5", "G6"]), accommodation=rng.choice(accom),
        interests=rng.sample(interests, 2), skills=rng.sample(skills, rng.randint(0, 3)),
        barriers=rng.sample(["transport", "housing", "health"], rng.randint(0, 2)),
        postcode=normalise(pc), easting=e, northing=n, max_travel_miles=rng.choice([5, 10, 15]),
        hours=rng.choice(["either", "full-time", "part-time"]), consent_to_share=rng.random() < 0.7))
for p in people: p.set_bits()
YoungPerson.objects.bulk_create(people, batch_size=2000)
people = list(YoungPerson.objects.filter(organisation=org, first_name__startswith="Young").order_by("pk"))
young_user = person("young.person@bench.test", Role.YOUNG_PERSON, org)
people[0].user = young_user; people[0].save(update_fields=["user"])
opp_ids = list(Opportunity.objects.filter(employer=employers[0]).values_list("pk", flat=True))
all_opp = list(Opportunity.objects.values_list("pk", flat=True))
info, refs, appts = [], [], []
stages = pipeline.STAGES
for i, p in enumerate(people):
    for age in leaving_care.INFO_AGES:
        day = leaving_care.birthday(p.date_of_birth, age)
        if day < today - dt.timedelta(days=40):
            info.append(CareLeaverInfo(organisation=org, young_person=p, birthday=age, recorded_on=day,
                in_touch="YES", activity=rng.choice(eet + ["G5", "G6"]), accommodation=rng.choice(accom), recorded_by=adviser_user))
    for k, opp in enumerate(rng.sample(all_opp, 2) + ([opp_ids[i % len(opp_ids)]] if i % 10 == 0 else [])):
        stage = rng.choice(stages)
        dates = {s: (today - dt.timedelta(days=200 - 20 * j)).isoformat() for j, s in enumerate(stages[: stages.index(stage) + 1])}
        refs.append(Referral(organisation=org, young_person=p, opportunity_id=opp, stage=stage, stage_dates=dates))
    appts.append(Appointment(organisation=org, young_person=p, adviser=adviser, place="Town Hall", purpose="Careers",
        starts_at=timezone.now() + dt.timedelta(days=rng.randint(-60, 30), hours=rng.randint(0, 8))))
CareLeaverInfo.objects.bulk_create(info, batch_size=5000)
Referral.objects.bulk_create(refs, batch_size=5000, ignore_conflicts=True)
Appointment.objects.bulk_create(appts, batch_size=5000)
print(len(people), len(employers), Opportunity.objects.filter(closing_date__gte=today).count(), len(info), Referral.objects.count(), people[len(people) // 2].pk, opps[0].pk if opps[0].pk else Opportunity.objects.order_by("pk").first().pk, opp_ids[0])
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--employers", type=int, default=500)
    parser.add_argument("--opportunities", type=int, default=5000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "workplace.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="workplace-bench-") as tmp:
        var = Path(tmp)
        env = throwaway_env(var)
        t = time.perf_counter()
        run_alliance(env, "manage", "migrate", "--no-input", "-v0")
        run_alliance(env, "load-reference")
        params = f"{PASSWORD!r}, {args.people}, {args.employers}, {args.opportunities}"
        filled = run_alliance(env, "manage", "shell", "-c", FILL.replace("PARAMS", params)).split()[
            -8:
        ]
        n_people, n_employers, n_open, n_info, n_refs, person_pk, opp_pk, own_pk = (
            int(x) for x in filled
        )
        fill_s = time.perf_counter() - t
        with running_service(env, var / "serve.log") as (base, _server):
            adviser = Session(base)
            adviser.sign_in("adviser@bench.test", PASSWORD, "/", b"Sign out")
            employer = Session(base)
            employer.sign_in("employer@bench.test", PASSWORD, "/", b"Sign out")
            young = Session(base)
            young.sign_in("young.person@bench.test", PASSWORD, "/workplace/me/", b"Sign out")
            pages = [
                (
                    "Matching: opportunities for a young person",
                    adviser,
                    f"/workplace/young-people/{person_pk}/opportunities/",
                ),
                (
                    "Matching: young people for an opportunity",
                    adviser,
                    f"/workplace/opportunities/{opp_pk}/",
                ),
                ("Young person's own page with suggestions (phone)", young, "/workplace/me/"),
                ("Young people list (first page)", adviser, "/workplace/young-people/"),
                ("Young people list, search", adviser, "/workplace/young-people/?q=Person4"),
                ("Open opportunities list (first page)", adviser, "/workplace/opportunities/"),
                ("Employers list", adviser, "/workplace/employers/"),
                ("A young person's record", adviser, f"/workplace/young-people/{person_pk}/"),
                ("Overview with duties", adviser, "/workplace/"),
                ("Leaving-care duties list", adviser, "/workplace/duties/"),
                ("Outcomes", adviser, "/workplace/outcomes/"),
                ("Employer's own opportunities", employer, "/workplace/employer/"),
                (
                    "Employer's opportunity with applicants",
                    employer,
                    f"/workplace/employer/opportunities/{own_pk}/",
                ),
            ]
            results = [
                (name, path, timed(client, path, args.requests)) for name, client, path in pages
            ]
    load = os.getloadavg()
    lines = [
        "# WorkPlace benchmark",
        "",
        f"`bench/workplace_bench.py`, {time.strftime('%Y-%m-%d %H:%M')}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores (shared), load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}, SQLite.",
        "",
        f"Data: {n_people:,} young people, {n_employers:,} employers, {n_open:,} open opportunities, "
        f"{n_info:,} birthday records, {n_refs:,} referrals; filled in {fill_s:.0f} s (with migrate "
        f"and reference data). The real service (`alliance serve`, gunicorn, 2 workers) on loopback; "
        f"{args.requests} sequential requests per page after one warm-up, each signed in. "
        "Target: p95 under 200 ms for matching and lists.",
        "",
        "| page | path | p50 ms | p95 ms | max ms | p95 < 200 ms |",
        "|---|---|---:|---:|---:|---|",
    ]
    for name, path, r in results:
        ok = "yes" if r["p95"] < 200 else "**no**"
        lines.append(
            f"| {name} | `{path}` | {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} | {ok} |"
        )
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
