"""A working day on Alliance for the load benchmark (bench/load_bench.py): signed-in people of
every role browsing, searching, exporting and uploading returns at once, and visitors reading the
public pages. Each simulated person signs in once through the real form, then works, pausing
1 to 3 seconds between pages as people do.

The simulated people use locust's FastHttpUser (geventhttpclient), which costs the load generator a
fraction of the processor time of its requests-based HttpUser: the generator shares the service's
two cores, so what it spends is taken from the service being measured."""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

from locust import FastHttpUser, between, task

PASSWORD = "demo-password-2026"  # noqa: S105 - the demo people's, refused in production
CIN_RETURN = Path(os.environ.get("LOAD_CIN_RETURN", ""))
COUNCILS = ["392", "393", "394", "201", "202", "380", "822", "886", "330", "926"]


class SignedIn(FastHttpUser):
    abstract = True
    wait_time = between(1, 3)
    username = ""

    def on_start(self) -> None:
        page = self.client.get("/sign-in/", name="/sign-in/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        self.client.post(
            "/sign-in/",
            {
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "username": self.username,
                "password": PASSWORD,
                "next": "/",
            },
            headers={"Referer": self.host + "/sign-in/"},
            name="/sign-in/",
        )

    def csrf(self) -> str:
        return next((c.value or "" for c in self.client.cookiejar if c.name == "csrftoken"), "")


class CouncilAnalyst(SignedIn):
    weight = 3
    username = "analyst@north-tyneside.demo"

    @task(3)
    def returns(self) -> None:
        self.client.get("/returns/")

    @task(2)
    def performance(self) -> None:
        self.client.get("/returns/performance/")

    @task(2)
    def council(self) -> None:
        self.client.get(f"/national-picture/councils/{random.choice(COUNCILS)}/",
                        name="/national-picture/councils/[code]/")  # fmt: skip

    @task(1)
    def aggregates_csv(self) -> None:
        self.client.get("/returns/aggregates.csv?kind=cin", name="/returns/aggregates.csv")

    @task(1)
    def upload(self) -> None:
        if not CIN_RETURN.is_file():
            return
        with self.client.post(
            "/returns/upload/",
            data={"csrfmiddlewaretoken": self.csrf(), "kind": "cin", "year": "2026"},
            files={"current": (CIN_RETURN.name, CIN_RETURN.read_bytes(), "text/xml")},
            headers={"Referer": self.host + "/returns/"},
            name="/returns/upload/",
            catch_response=True,
        ) as response:
            # one check of a council's return at a time: a second is refused, as designed
            if response.status_code == 400 and b"already being checked" in response.content:
                response.success()


class AllianceLead(SignedIn):
    weight = 2
    username = "lead@tyneside-alliance.demo"

    @task(3)
    def dashboard(self) -> None:
        self.client.get("/programme/")

    @task(2)
    def engagements(self) -> None:
        self.client.get("/programme/engagements/")

    @task(1)
    def money(self) -> None:
        self.client.get("/programme/money/")

    @task(1)
    def pooled(self) -> None:
        self.client.get("/returns/pooled/")


class DfeAnalyst(SignedIn):
    weight = 2
    username = "analyst@dfe.demo"

    @task(2)
    def dashboard(self) -> None:
        self.client.get("/programme/")

    @task(2)
    def aggregates(self) -> None:
        self.client.get("/returns/aggregates/")

    @task(1)
    def dashboard_csv(self) -> None:
        self.client.get("/programme/dashboard.csv")

    @task(2)
    def insight(self) -> None:
        self.client.get("/insight/")


class PersonalAdviser(SignedIn):
    weight = 2
    username = "adviser@south-tyneside.demo"

    @task(3)
    def overview(self) -> None:
        self.client.get("/workplace/")

    @task(3)
    def young_people(self) -> None:
        self.client.get("/workplace/young-people/")

    @task(2)
    def opportunities(self) -> None:
        self.client.get("/workplace/opportunities/")

    @task(1)
    def outcomes(self) -> None:
        self.client.get("/workplace/outcomes/")


class EdgeOfCarePractitioner(SignedIn):
    weight = 2
    username = "practitioner@north-tyneside.demo"

    @task(3)
    def queue(self) -> None:
        self.client.get("/edge-of-care/queue/")

    @task(3)
    def cases(self) -> None:
        self.client.get("/edge-of-care/cases/")

    @task(1)
    def home(self) -> None:
        self.client.get("/edge-of-care/")


class Visitor(FastHttpUser):
    """Someone reading the published figures without signing in."""

    weight = 3
    wait_time = between(1, 3)

    @task(3)
    def national_picture(self) -> None:
        self.client.get("/national-picture/")

    @task(2)
    def search(self) -> None:
        self.client.get(f"/national-picture/?q={random.choice(['tyne', 'sunder', 'york', 'kent'])}",
                        name="/national-picture/?q=")  # fmt: skip

    @task(2)
    def council(self) -> None:
        self.client.get(f"/national-picture/councils/{random.choice(COUNCILS)}/",
                        name="/national-picture/councils/[code]/")  # fmt: skip

    @task(1)
    def councils_csv(self) -> None:
        self.client.get("/national-picture/councils.csv")

    @task(1)
    def insight(self) -> None:
        self.client.get("/insight/")
