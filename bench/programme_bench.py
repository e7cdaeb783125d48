"""Improvement programme benchmark: the real pages at a national programme's volumes.

    .venv/bin/python bench/programme_bench.py [--requests 40] [--out bench/results/programme.md]

1. A temporary database is migrated and loaded with the public reference data (as `make run` does).
2. `--generate` (run in a subprocess with that database) makes 9 alliances (the real 2018 partners),
   150 engagements with baselines, plans, milestones and quarterly reviews, 5,000 activities and
   20,000 spend entries, plus an alliance lead and a DfE analyst who can sign in.
3. The real service is started with `alliance serve --bind 127.0.0.1:PORT` on that database.
4. Each page is requested by a signed-in session over loopback: a few warm-up requests, then a
   bounded loop of `--requests` timed requests one after another; p50 and p95 per page are written
   to a markdown table with the machine's load average (2 cores are shared, so figures vary).

Nothing here is a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from service import ROOT, Session, running_service, throwaway_env  # bench/service.py

PASSWORD = "bench-password-2026"  # noqa: S105 - a throwaway database
LEAD = "lead@bench.test"
DFE = "dfe@bench.test"
ENGAGEMENTS, ACTIVITIES, SPEND = 150, 5_000, 20_000


def _profiles_and_returns(programme: Any, partners: list[Any], lines: list[Any]) -> None:
    """Spend profiles for the innovation lines (the support lines stay on even spend), and the
    first two quarters' grant returns submitted, as a programme a year in would have."""
    from alliance.programme.models import GrantReturn, PlannedSpend, SpendEntry
    from alliance.programme.quarters import quarters

    all_quarters = quarters(programme.starts, programme.ends)
    for line in lines:
        if line.kind != "innovation":
            continue
        planned = [line.amount_pence // len(all_quarters)] * len(all_quarters)
        planned[-1] += line.amount_pence - sum(planned)
        PlannedSpend.objects.bulk_create(
            PlannedSpend(budget_line=line, quarter=q.number, amount_pence=a)
            for q, a in zip(all_quarters, planned, strict=True)
        )
    for p in partners:
        for q in all_quarters[:2]:
            grant_return = GrantReturn.objects.create(
                partner=p, quarter=q.number, period_ends=q.ends, total_pence=0
            )
            SpendEntry.objects.filter(
                budget_line__partner=p, spent_on__lte=q.ends, reported_in__isnull=True
            ).update(reported_in=grant_return)


def generate() -> None:
    """Runs inside the temporary database (DJANGO_SETTINGS_MODULE and DATABASE_URL set)."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction

    from alliance.accounts.models import Membership, Role, User
    from alliance.nationalpicture.services import latest_judgements
    from alliance.organisations.models import Council, Organisation
    from alliance.programme import demo
    from alliance.programme.models import (
        Activity,
        BudgetLine,
        Diagnostic,
        Engagement,
        ImprovementPlan,
        Match,
        Milestone,
        Partner,
        Programme,
        QuarterlyReview,
        SpendEntry,
    )
    from alliance.programme.services.engagements import _quarters

    rng = random.Random(2018)
    with transaction.atomic():
        dfe = Organisation.objects.create(kind="dfe", name="Department for Education", slug="dfe")
        programme = Programme.objects.create(
            organisation=dfe,
            name="Benchmark programme",
            starts=dt.date(2025, 4, 1),
            ends=dt.date(2027, 3, 31),
            grant_total_pence=15_000_000_00,
            is_demo=True,
        )
        specs = demo.partners_2018(Path(settings.SHARED_DATA_DIR))
        partners = []
        for spec in specs:
            alliance = demo._alliance(spec)
            assert alliance is not None
            partners.append(
                Partner.objects.create(
                    programme=programme,
                    alliance=alliance,
                    grant_share_pence=15_000_000_00 // len(specs),
                    capacity=17,
                )
            )
        members = {m.council_id for p in partners for m in p.alliance.alliance_members.all()}
        councils = [c for c in Council.objects.order_by("name") if c.pk not in members][
            :ENGAGEMENTS
        ]
        latest = latest_judgements(dt.date(2025, 4, 1))
        engagements = []
        for i, council in enumerate(councils):
            partner = partners[i % len(partners)]
            match = Match.objects.create(
                programme=programme, partner=partner, council=council, reasons=["benchmark"]
            )
            engagements.append(
                Engagement(
                    programme=programme,
                    partner=partner,
                    alliance_id=partner.alliance_id,
                    supported_council=council,
                    match=match,
                    starts=dt.date(2025, 5, 1),
                    ends=dt.date(2027, 3, 31),
                    is_demo=True,
                )
            )
        # 143 councils are not partners: the rest of the 150 are earlier, short engagements with
        # some of them (never overlapping, as the service requires).
        for i, council in enumerate(councils[: ENGAGEMENTS - len(councils)]):
            partner = partners[i % len(partners)]
            engagements.append(
                Engagement(
                    programme=programme,
                    partner=partner,
                    alliance_id=partner.alliance_id,
                    supported_council=council,
                    starts=dt.date(2025, 4, 1),
                    ends=dt.date(2025, 4, 30),
                    status="closed",
                    is_demo=True,
                )
            )
        Engagement.objects.bulk_create(engagements)
        engagements = list(Engagement.objects.filter(programme=programme))
        Diagnostic.objects.bulk_create(
            Diagnostic(
                engagement=e,
                as_at=e.starts,
                judgement={"overall": getattr(latest.get(e.supported_council_id), "overall", "")},
                indicators=[],
            )
            for e in engagements
        )
        ImprovementPlan.objects.bulk_create(
            ImprovementPlan(engagement=e, summary="Plan") for e in engagements
        )
        QuarterlyReview.objects.bulk_create(
            QuarterlyReview(engagement=e, due=d)
            for e in engagements
            for d in _quarters(e.starts, e.ends)
        )
        Milestone.objects.bulk_create(
            Milestone(
                engagement=e,
                title=f"Milestone {k}",
                owner="Owner",
                due=e.starts + dt.timedelta(days=60 * k + rng.randint(0, 30)),
                rag=rng.choice(["red", "amber", "green"]),
                completed_on=None if rng.random() < 0.6 else e.starts + dt.timedelta(days=60 * k),
            )
            for e in engagements
            for k in range(1, 11)
        )
        Activity.objects.bulk_create(
            Activity(
                engagement=rng.choice(engagements),
                kind=rng.choice(list(Activity.Kind.values)),
                held_on=dt.date(2025, 5, 1) + dt.timedelta(days=rng.randint(0, 560)),
                people="Team",
                hours=rng.choice([2, 3.5, 7]),
            )
            for _ in range(ACTIVITIES)
        )
        lines = [
            BudgetLine.objects.create(
                partner=p, kind=kind, name=name, amount_pence=p.grant_share_pence // 2
            )
            for p in partners
            for kind, name in (
                ("support", "Support to councils"),
                ("innovation", "Innovation project"),
            )
        ]
        by_partner: dict[int, list[Engagement]] = {}
        for e in engagements:
            by_partner.setdefault(e.partner_id, []).append(e)
        SpendEntry.objects.bulk_create(
            (
                SpendEntry(
                    budget_line=(line := lines[n % len(lines)]),
                    engagement=rng.choice(by_partner[line.partner_id])
                    if line.kind == "support"
                    else None,
                    spent_on=dt.date(2025, 4, 1) + dt.timedelta(days=rng.randint(0, 600)),
                    amount_pence=rng.randint(100, 2_000_00),
                    description="Benchmark spend",
                    evidence=f"INV-{n}",
                )
                for n in range(SPEND)
            ),
            batch_size=2000,
        )
        _profiles_and_returns(programme, partners, lines)
        lead = User.objects.create_user(username=LEAD, email=LEAD, password=PASSWORD)
        tyneside = next(p for p in partners if p.alliance.slug == "tyneside-alliance")
        Membership.objects.create(
            user=lead, organisation=tyneside.alliance, role=Role.ALLIANCE_LEAD
        )
        analyst = User.objects.create_user(username=DFE, email=DFE, password=PASSWORD)
        Membership.objects.create(user=analyst, organisation=dfe, role=Role.DFE_ANALYST)
    print(
        f"generated {len(partners)} alliances, {Engagement.objects.count()} engagements, "
        f"{Activity.objects.count()} activities, {SpendEntry.objects.count()} spend entries, "
        f"{Milestone.objects.count()} milestones"
    )


def server_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by the service: the gunicorn master and its workers,
    read from /proc, so a page's cost can be reported apart from the machine's load."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        own = int(stat.parent.name)
        parents[own] = int(fields[1])
        used[own] = (int(fields[11]) + int(fields[12])) / tick
    total = 0.0
    for own, seconds in used.items():  # the service and every process under it
        ancestor = own
        while ancestor not in (0, 1, pid):
            ancestor = parents.get(ancestor, 0)
        if ancestor == pid:
            total += seconds
    return total


def measure(
    session: Session, path: str, requests: int, server_pid: int
) -> tuple[float, float, int, float]:
    for _ in range(3):
        session.get(path)
    times = []
    size = 0
    cpu_before = server_cpu_seconds(server_pid)
    for _ in range(requests):
        start = time.perf_counter()
        status, body = session.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert status == 200, (path, status)
        size = len(body)
    cpu_ms = (server_cpu_seconds(server_pid) - cpu_before) * 1000 / requests
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, size, cpu_ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "programme.md"))
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        generate()
        return
    work = Path(tempfile.mkdtemp(prefix="programme-bench-"))
    env = throwaway_env(work)
    alliance = [sys.executable, "-m", "alliance"]
    started = time.perf_counter()
    for step in (["manage", "migrate", "--no-input", "-v0"], ["load-reference"]):
        subprocess.run([*alliance, *step], env=env, cwd=ROOT, check=True, capture_output=True)
    made = subprocess.run(
        [sys.executable, __file__, "--generate"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    print(made.stdout.strip(), f"({time.perf_counter() - started:.0f} s to set up)")
    with running_service(env, work / "service.log", start_timeout=180) as (base, server):
        lead, dfe = Session(base, timeout=60), Session(base, timeout=60)
        lead.sign_in(LEAD, PASSWORD)
        dfe.sign_in(DFE, PASSWORD)
        _s, listing = lead.get("/programme/engagements/")
        first = re.search(rb"/programme/engagements/(\d+)/", listing)
        assert first is not None
        engagement = int(first.group(1))
        _s, money_page = dfe.get("/programme/money/")
        line_match = re.search(rb"/programme/money/lines/(\d+)/", money_page)
        assert line_match is not None
        line_id = int(line_match.group(1))
        _s, engagement_page = lead.get(f"/programme/engagements/{engagement}/")
        milestone_match = re.search(rb"/programme/records/milestones/(\d+)/", engagement_page)
        assert milestone_match is not None
        milestone = int(milestone_match.group(1))
        pages = [
            ("Alliance lead dashboard", lead, "/programme/"),
            ("DfE dashboard (all 9 alliances)", dfe, "/programme/"),
            ("Engagements list (DfE, 150)", dfe, "/programme/engagements/"),
            ("Engagement page (lead)", lead, f"/programme/engagements/{engagement}/"),
            ("Funding and spend (DfE, 20,000 entries)", dfe, "/programme/money/"),
            ("Budget line page (DfE, ~1,100 entries)", dfe, f"/programme/money/lines/{line_id}/"),
            (
                "Change a milestone, form (lead)",
                lead,
                f"/programme/records/milestones/{milestone}/",
            ),
            ("Dashboard CSV (DfE)", dfe, "/programme/dashboard.csv"),
            ("History of changes (lead)", lead, "/programme/changes/"),
            ("Who needs support (DfE, 153 councils)", dfe, "/programme/setup/1/needs/"),
            ("Matching suggestions (DfE)", dfe, "/programme/setup/1/matching/"),
            ("Spend export, Excel (DfE, 20,000 rows)", dfe, "/programme/money/export.xlsx"),
        ]
        rows = []
        for label, session, path in pages:
            count = args.requests if "Excel" not in label else max(5, args.requests // 8)
            p50, p95, size, cpu = measure(session, path, count, server.pid)
            rows.append((label, path, count, p50, p95, cpu, size))
            print(
                f"{label:45s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  CPU {cpu:7.1f} ms/request "
                f"({count} requests, {size:,} bytes)"
            )
    load = os.getloadavg()
    lines = [
        "# Improvement programme: page times",
        "",
        f"Run {dt.datetime.now():%Y-%m-%d %H:%M} on {platform.node()} ({os.cpu_count()} cores, shared; "
        f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end), Python {platform.python_version()}, SQLite.",
        "",
        f"Data: 9 alliances (the real 2018 partners), {ENGAGEMENTS} engagements with 10 milestones and quarterly "
        f"reviews each, {ACTIVITIES:,} activities, {SPEND:,} spend entries. The real service "
        "(`alliance serve`, gunicorn, 2 workers) on loopback; one signed-in session per person, requests "
        "one after another after 3 warm-up requests. Target: p95 under 200 ms for dashboards and lists.",
        "",
        "| page | path | requests | p50 ms | p95 ms | server CPU ms/request | bytes |",
        "|---|---|---:|---:|---:|---:|---:|",
        *[
            f"| {label} | `{path}` | {count} | {p50:.0f} | {p95:.0f} | {cpu:.0f} | {size:,} |"
            for label, path, count, p50, p95, cpu, size in rows
        ],
        "",
        "Wall times (p50, p95) are what a person waits; the server's CPU time per request (the "
        "gunicorn master and workers, from /proc) is the page's own cost, which the machine's load "
        "does not inflate. The data has spend profiles on the innovation lines and the first two "
        "quarters' grant returns submitted.",
        "",
        "Reproduce: `.venv/bin/python bench/programme_bench.py [--requests 40]`.",
        "",
    ]
    Path(args.out).write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
