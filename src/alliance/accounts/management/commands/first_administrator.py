"""`alliance manage first_administrator EMAIL "FULL NAME"`: the one step of setting up a service
from nothing that needs the command line. It makes the first service administrator (in the
Department for Education unless another organisation is named) and prints their one-time link to
choose a password; everyone after them is invited on the People pages. Refused once the service
has an active administrator."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from alliance.accounts.models import Membership, Role, User
from alliance.accounts.people import links
from alliance.audit import services as audit
from alliance.organisations.models import Organisation


class Command(BaseCommand):
    help = "Make the first service administrator and print their link to choose a password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("full_name")
        parser.add_argument(
            "--organisation",
            default="department-for-education",
            help="the organisation's short name (slug); the DfE by default",
        )
        parser.add_argument(
            "--site",
            default="http://localhost:8000",
            help="the service's address, for the link (e.g. https://alliance.example.gov.uk)",
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if Membership.objects.filter(role=Role.ADMINISTRATOR, user__is_active=True).exists():
            raise CommandError(
                "The service already has an administrator: they invite people on the People page."
            )
        email = options["email"].strip().lower()
        if User.objects.filter(username__iexact=email).exists():
            raise CommandError(f"{email} already has an account.")
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            if options["organisation"] != "department-for-education":
                raise CommandError(f"No organisation called {options['organisation']}.")
            organisation = Organisation.objects.create(
                kind=Organisation.Kind.DFE,
                name="Department for Education",
                slug="department-for-education",
            )
        person = User(username=email, email=email, full_name=options["full_name"].strip())
        person.set_unusable_password()
        person.save()
        membership = Membership.objects.create(
            user=person, organisation=organisation, role=Role.ADMINISTRATOR
        )
        audit.record(
            None,
            audit.Action.CREATE,
            membership,
            detail={"via": "command line", "what": "first service administrator"},
        )
        path = links.link_path("accounts:invitation", links.INVITATION, person)
        self.stdout.write(
            f"{person.full_name} is the service's administrator in {organisation.name}.\n"
            f"Open this link to choose a password (it works once, for {links.link_days()} days):\n"
            f"{options['site'].rstrip('/')}{path}"
        )
