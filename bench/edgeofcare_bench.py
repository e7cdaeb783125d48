"""Edge of Care benchmark: the live queue, the case list and the dashboard with 3,000 referrals a
year over five years (15,000 referrals, ~27,000 children), driven through the real service; and
the evaluation of one year's cohort.

    .venv/bin/python bench/edgeofcare_bench.py [--requests 200] [--out bench/results/edgeofcare.md]

A temporary SQLite database is migrated, loaded with the reference data and filled with fictional
referrals (bulk inserts, with contacts, allocations and outcomes as the service would make them);
`alliance serve` is started on a free loopback port; a signed-in practitioner and a council
leader request each page in a bounded loop, one request at a time; p50/p95 are reported. The
evaluation is timed on a simulated year's cohort (3,000 referrals' children against a CIN pool)
through `alliance.edgeofcare.evaluation`, the same code the evaluation page calls. Nothing here is a
test; the 2 cores are shared, so the load average is reported beside the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
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
import datetime as dt, random, sys
from django.contrib.auth import get_user_model
from django.utils import timezone
from alliance.accounts.models import Membership, Role
from alliance.edgeofcare import outcomes, targets
from alliance.edgeofcare.models import (Child, Contact, Outcome, Referral, Service,
    ServiceAllocation, Urgency, Need, OUTCOME_MONTHS)
from alliance.organisations.models import Council

password, per_year, years = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
org = Council.objects.get(dfe_code="392").organisation
User = get_user_model()
for name, role in (("practitioner@bench.test", Role.COUNCIL_PRACTITIONER), ("leader@bench.test", Role.COUNCIL_LEADER)):
    u = User.objects.create_user(username=name, email=name, password=password, full_name=name)
    Membership.objects.create(user=u, organisation=org, role=role)
catalogue = [Service.objects.create(organisation=org, name=f"Service {i}", capacity=60) for i in range(9)]
rng = random.Random(1)
now = timezone.now()
hours = targets.target_hours(org)
total = per_year * years
referrals = []
for i in range(total):
    received = now - dt.timedelta(minutes=int((total - i) * (years * 365 * 24 * 60) / total))
    urgency = rng.choice(list(Urgency.values))
    referrals.append(Referral(
        organisation=org, received_at=received, referrer_type="school", referrer_name="Bench",
        address_line_1="1 Bench Street", address_town="North Shields",
        postcode=f"NE{rng.randint(25, 30)} {rng.randint(1, 9)}AB",
        needs=rng.sample(list(Need.values), 2), risk="medium", urgency=urgency,
        consent_basis="consent", summary="Fictional benchmark family.",
        due_at=received + dt.timedelta(hours=hours[urgency]),
        status=("closed" if i < total - 400 else "open" if i < total - 60 else "awaiting-contact"),
        first_contact_at=(received + dt.timedelta(hours=hours[urgency] * rng.uniform(0.2, 1.2)) if i < total - 60 else None),
        closed_at=(received + dt.timedelta(days=90) if i < total - 400 else None),
        closure_reason=("goals-met" if i < total - 400 else ""),
    ))
Referral.objects.bulk_create(referrals, batch_size=2000)
referrals = list(Referral.objects.filter(organisation=org).order_by("pk"))
children, contacts, allocations = [], [], []
for r in referrals:
    for k in range(rng.choice([1, 1, 2, 3])):
        children.append(Child(referral=r, first_name=f"C{k}", last_name=f"F{r.pk}",
            date_of_birth=(r.received_at - dt.timedelta(days=rng.randint(700, 6200))).date(),
            primary_need=rng.choice(["N1", "N4", "N5"]), la_child_id=f"B{r.pk}-{k}"))
    if r.first_contact_at:
        contacts.append(Contact(referral=r, kind="phone", happened_at=r.first_contact_at, notes="Bench"))
        allocations.append(ServiceAllocation(referral=r, service=rng.choice(catalogue),
            status=("ended" if r.closed_at else "active"), allocated_at=r.first_contact_at))
Child.objects.bulk_create(children, batch_size=2000)
Contact.objects.bulk_create(contacts, batch_size=2000)
ServiceAllocation.objects.bulk_create(allocations, batch_size=2000)
outcomes = []
for c in Child.objects.select_related("referral").filter(referral__organisation=org, referral__closed_at__isnull=False).iterator():
    for m in OUTCOME_MONTHS:
        due = outcomes.outcome_due_on(c, m)
        if due <= timezone.localdate():
            outcomes.append(Outcome(child=c, months=m, checked_on=due, living_at_home=True,
                entered_care=rng.random() < 0.1, entered_care_source="practitioner"))
Outcome.objects.bulk_create(outcomes, batch_size=5000)
print(len(referrals), len(children), len(outcomes), referrals[len(referrals) // 2].pk)
"""


IN_PROCESS = r"""
import json, os, statistics, sys, time
import django
django.setup()
from django.conf import settings
from django.db import connection
from django.test import Client
settings.ALLOWED_HOSTS = ["*"]
password, requests, pages = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
clients = {}
for who in ("practitioner", "leader"):
    clients[who] = Client()
    assert clients[who].login(username=f"{who}@bench.test", password=password)
out = []
for name, who, path in pages:
    client = clients[who]
    assert client.get(path).status_code == 200, path
    queries = []
    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)
    with connection.execute_wrapper(count):
        client.get(path)
    wall, cpu = [], []
    for _ in range(requests):
        t, c = time.perf_counter(), time.process_time()
        client.get(path)
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    wall.sort()
    cpu.sort()
    out.append({"name": name, "queries": len(queries), "p50": statistics.median(wall),
                "p95": wall[int(0.95 * (len(wall) - 1))], "cpu_p50": statistics.median(cpu),
                "cpu_p95": cpu[int(0.95 * (len(cpu) - 1))]})
print(json.dumps(out))
"""


EVAL_SCRIPT = r"""
import json, time
from alliance.edgeofcare import evaluation, matching
out = {}
frame = evaluation.simulate(n_treated=4500, n_pool=15000, effect=-0.05, seed=1)
# scikit-learn is imported by the first evaluation a web process runs (not at start-up): timed
# apart, so the figure for the matching itself is the one every later evaluation sees.
t, c = time.perf_counter(), time.process_time()
import sklearn.linear_model
out["import_s"], out["import_cpu_s"] = time.perf_counter() - t, time.process_time() - c
t, c = time.perf_counter(), time.process_time()
r = matching.matched(frame)
out["matched_s"], out["matched_cpu_s"] = time.perf_counter() - t, time.process_time() - c
out["pairs"] = r.n_matched
out["difference"] = r.difference; out["ci"] = [r.ci_low, r.ci_high]
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--per-year", type=int, default=3000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "edgeofcare.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="eoc-bench-") as tmp:
        var = Path(tmp)
        env = throwaway_env(var)
        t = time.perf_counter()
        run_alliance(env, "manage", "migrate", "--no-input", "-v0")
        run_alliance(env, "load-reference")
        filled = run_alliance(
            env,
            "manage",
            "shell",
            "-c",
            FILL.replace(
                "sys.argv[1], int(sys.argv[2]), int(sys.argv[3])",
                f"{PASSWORD!r}, {args.per_year}, {args.years}",
            ),
        ).split()[-4:]
        n_referrals, n_children, n_outcomes, sample_pk = (int(x) for x in filled)
        fill_s = time.perf_counter() - t
        with running_service(env, var / "serve.log") as (base, _server):
            practitioner = Session(base)
            practitioner.sign_in("practitioner@bench.test", PASSWORD, "/edge-of-care/")
            leader = Session(base)
            leader.sign_in("leader@bench.test", PASSWORD, "/edge-of-care/dashboard/")
            pages = [
                ("Live queue", practitioner, "/edge-of-care/queue/"),
                ("Case list (first page of 15,000)", practitioner, "/edge-of-care/cases/"),
                ("Case list, open cases", practitioner, "/edge-of-care/cases/?status=open"),
                ("A family's record", practitioner, f"/edge-of-care/referrals/{sample_pk}/"),
                ("Services and waiting lists", practitioner, "/edge-of-care/services/"),
                ("Dashboard", leader, "/edge-of-care/dashboard/"),
            ]
            load_before = os.getloadavg()
            results = [
                (name, path, timed(client, path, args.requests)) for name, client, path in pages
            ]
            load_during = os.getloadavg()
        # The same pages in one process through Django's test client: no HTTP, no gunicorn, no
        # other process; CPU time beside wall time shows how much of the wall time was waiting.
        who = {"Dashboard": "leader"}
        in_process = json.loads(
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    IN_PROCESS,
                    PASSWORD,
                    str(args.requests),
                    json.dumps([[n, who.get(n, "practitioner"), p] for n, _c, p in pages]),
                ],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        evaluation = json.loads(
            subprocess.run(
                [sys.executable, "-c", EVAL_SCRIPT],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
    load = os.getloadavg()
    lines = [
        "# Edge of Care benchmark",
        "",
        f"`bench/edgeofcare_bench.py`, {time.strftime('%Y-%m-%d %H:%M')}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores (shared), load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}, SQLite.",
        "",
        f"Data: {n_referrals:,} referrals ({args.per_year:,} a year over {args.years} years), "
        f"{n_children:,} children, {n_outcomes:,} outcomes; filled in {fill_s:.0f} s. "
        f"The real service (`alliance serve`, gunicorn, 2 workers) on loopback; {args.requests} "
        "sequential requests per page after one warm-up, each signed in.",
        "",
        "| page | path | p50 ms | p95 ms | max ms | p95 < 200 ms |",
        "|---|---|---:|---:|---:|---|",
    ]
    for name, path, r in results:
        ok = "yes" if r["p95"] < 200 else "**no**"
        lines.append(
            f"| {name} | `{path}` | {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} | {ok} |"
        )
    lines += [
        "",
        f"Load average while the pages were timed: {load_before[0]:.1f} at the start, "
        f"{load_during[0]:.1f} at the end.",
        "",
        "## The same pages in one process",
        "",
        f"Django's test client in one process (no HTTP server), {args.requests} requests per page "
        "after one warm-up: wall and CPU time of the whole request (sessions, access checks, "
        "audit, queries, template), and the number of database queries it makes (the same "
        "however many referrals there are: `tests/alliance/edgeofcare/test_page_costs.py`).",
        "",
        "| page | queries | wall p50 ms | wall p95 ms | CPU p50 ms | CPU p95 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in in_process:
        lines.append(
            f"| {r['name']} | {r['queries']} | {r['p50']:.1f} | {r['p95']:.1f} | "
            f"{r['cpu_p50']:.1f} | {r['cpu_p95']:.1f} |"
        )
    lines += [
        "",
        "## Evaluation of a year's cohort",
        "",
        f"Propensity-score matching (`matching.matched`) of 4,500 supported children (a year's "
        f"3,000 referrals) against a pool of 15,000 children from CIN records: "
        f"**{evaluation['matched_s']:.2f} s** ({evaluation['matched_cpu_s']:.2f} s CPU), "
        f"{evaluation['pairs']:,} matched pairs "
        f"(planted effect -5.0 points; estimated {evaluation['difference'] * 100:+.1f}, 95% CI "
        f"{evaluation['ci'][0] * 100:+.1f} to {evaluation['ci'][1] * 100:+.1f}). The first "
        f"evaluation in a web process also imports scikit-learn: {evaluation['import_s']:.2f} s "
        f"({evaluation['import_cpu_s']:.2f} s CPU).",
        "",
    ]
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
