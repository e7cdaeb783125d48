"""`alliance demo`: demo people for every role and each app's fictional demo records."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from alliance.accounts.demo import DEMO_PASSWORD, create_demo_people
from alliance.organisations.models import Organisation


class Command(BaseCommand):
    help = "Create demo people (one per role) and fictional demo records; print how to sign in."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "Demo data is never created in production (ALLIANCE_ENV=production)."
            )
        people = create_demo_people()
        if not people:
            raise CommandError("Load the reference data first: alliance load-reference")
        configs = sorted(apps.get_app_configs(), key=lambda c: getattr(c, "reference_order", 50))
        for config in configs:
            for name in getattr(config, "demo_loaders", ()):
                message = import_string(name)()
                if message:
                    self.stdout.write(f"  {message}")
        width = max(len(p.username) for p in people)
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                "Demo sign-ins (fictional people; password for all: " + DEMO_PASSWORD + ")"
            )
        )
        names = dict(Organisation.objects.values_list("slug", "name"))
        for person in people:
            organisation = names.get(person.organisation_slug, person.organisation_slug)
            self.stdout.write(
                f"  {person.username.ljust(width)}  {person.role.label}, {organisation}"
            )
