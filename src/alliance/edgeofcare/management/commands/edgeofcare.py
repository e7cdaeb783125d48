"""`alliance manage edgeofcare escalate|purge|match-outcomes`: Edge of Care's scheduled work, for
cron or a systemd timer. `--enqueue` puts escalation or purge on the task queue for the worker
instead of running it here."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alliance.edgeofcare import live_queue, outcomes, retention, tasks
from alliance.organisations.models import Organisation


class Command(BaseCommand):
    help = "Escalate referrals about to miss their target, purge records past retention, or match outcomes with the returns."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("job", choices=["escalate", "purge", "match-outcomes"])
        parser.add_argument("--enqueue", action="store_true", help="Queue it for the task worker")

    def handle(self, *args: Any, **options: Any) -> None:
        job = options["job"]
        if options["enqueue"]:
            if job == "match-outcomes":
                raise CommandError("match-outcomes runs here; it is not a queued task")
            task = (
                tasks.escalate_missed_targets if job == "escalate" else tasks.purge_expired_records
            )
            result = task.enqueue()
            self.stdout.write(f"Queued {job} ({result.id})")
        elif job == "escalate":
            self.stdout.write(f"Escalated {live_queue.escalate()} referral(s)")
        elif job == "purge":
            removed = retention.purge()
            self.stdout.write(
                f"Purged {len(removed)} referral(s) past retention: {', '.join(removed) or 'none'}"
            )
        else:
            councils = Organisation.objects.filter(referral__isnull=False).distinct()
            filled = sum(outcomes.match_outcomes(c) for c in councils)
            self.stdout.write(f"Filled {filled} outcome answer(s) from the returns")
