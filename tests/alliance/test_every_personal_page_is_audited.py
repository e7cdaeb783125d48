"""Views of personal data are audited (issue #12 item 9): the test walks every URL in the URL
conf (as test_every_view_is_guarded.py does) and GETs each, with the demo records, as someone
who may see it. A page that answers without writing an audit row for that person must be listed
in SHOWS_NO_PERSONAL_DATA with the reason; so a new page showing a child's, a young person's or
a family's details without an audit row fails here."""

from __future__ import annotations

from typing import Any

import pytest

from alliance.audit.models import AuditEvent
from tests.alliance import world

pytestmark = pytest.mark.django_db

# The admin site is walked by its own tests (every page there is audited: tests/alliance/accounts).
# The API signs in by token, not by session: tests/alliance/api attack it the same ways.
SKIPPED_PREFIXES = ("django-admin/", "api/v1/")
READS = {
    AuditEvent.Action.VIEW,
    AuditEvent.Action.QUERY,
    AuditEvent.Action.EXPORT,
    AuditEvent.Action.DOWNLOAD,
}

# Pages that show no one's personal data, and why (public pages are public by decision: the
# access test lists them; they show published figures and forms only).
_PROGRAMME = (
    "the improvement programme's records are about councils and alliances (plans, milestones, "
    "money), not about children, young people or families"
)
_EMPTY_FORM = "an empty form: nothing recorded about anyone is shown"
SHOWS_NO_PERSONAL_DATA: dict[str, str] = {
    "account/": "the person's own account details, shown only to them",
    "account/two-step-verification/": "the person's own two-step set-up, shown only to them",
    "account/two-step-verification/needed/": "why a page needs two-step verification: no one's data",
    "account/sessions/": "the person's own sign-ins, shown only to them",
    "account/password/": "the person's own change-password form: no one else's data, and changing it is audited",
    "organisations/": "organisations' names and kinds: no one is named",
    "organisations/new/": _EMPTY_FORM,
    "people/invite/": _EMPTY_FORM + " (the organisations the administrator manages)",
    "returns/": "the council's uploads (names, dates, counts): no child's data",
    "returns/uploads/<int:pk>/status.json": "progress polled every 1.5 s: no child's data",
    "returns/agreements/": "the council's data-sharing agreements: no child's data",
    "returns/agreements/new/": _EMPTY_FORM,
    "programme/": _PROGRAMME,
    "programme/setup/": _PROGRAMME,
    "programme/setup/new/": _EMPTY_FORM,
    "programme/setup/<int:pk>/": _PROGRAMME,
    "programme/setup/<int:pk>/partners/new/": _EMPTY_FORM,
    "programme/setup/<int:pk>/partners/<int:partner_pk>/": _PROGRAMME,
    "programme/setup/<int:pk>/needs/": _PROGRAMME + " (published judgements and indicators)",
    "programme/setup/<int:pk>/needs/<str:dfe_code>/": _PROGRAMME,
    "programme/setup/<int:pk>/matching/": _PROGRAMME,
    "programme/setup/<int:pk>/matches/<int:match_pk>/": _PROGRAMME,
    "programme/setup/<int:pk>/matches/<int:match_pk>/withdraw/": _PROGRAMME,
    "programme/engagements/": _PROGRAMME,
    "programme/matches/<int:match_pk>/start/": _PROGRAMME,
    "programme/engagements/<int:pk>/history/": _PROGRAMME,
    "programme/engagements/<int:pk>/milestones/new/": _EMPTY_FORM,
    "programme/engagements/<int:pk>/milestones/<int:milestone_pk>/": _PROGRAMME,
    "programme/engagements/<int:pk>/activities/new/": _EMPTY_FORM,
    "programme/engagements/<int:pk>/priorities/new/": _EMPTY_FORM,
    "programme/engagements/<int:pk>/plan/": _PROGRAMME,
    "programme/engagements/<int:pk>/diagnostic/": _PROGRAMME,
    "programme/engagements/<int:pk>/reviews/<int:review_pk>/": _PROGRAMME,
    "programme/engagements/<int:pk>/close/": _PROGRAMME,
    "programme/money/": _PROGRAMME,
    "programme/money/<int:partner_pk>/lines/new/": _EMPTY_FORM,
    "programme/money/<int:partner_pk>/spend/new/": _EMPTY_FORM,
    "programme/money/lines/<int:pk>/": _PROGRAMME,
    "programme/money/lines/<int:pk>/profile/": _PROGRAMME,
    "programme/money/spend/<int:pk>/correct/": _PROGRAMME,
    "programme/money/<int:partner_pk>/spend-reports/new/": _EMPTY_FORM,
    "programme/changes/": _PROGRAMME,
    "programme/practice/": _PROGRAMME + " (shared practice documents)",
    "programme/practice/new/": _EMPTY_FORM,
    "programme/practice/<int:pk>/": _PROGRAMME + " (a shared practice document)",
    "programme/practice/<int:pk>/evidence/": _PROGRAMME + " (a practice item's evidence level)",
    "programme/at-a-glance/": _PROGRAMME + " (figures by alliance)",
    "programme/at-a-glance/alliance/": _PROGRAMME + " (figures by alliance)",
    "programme/spend-reports/": _PROGRAMME + " (alliances' spend reports to the DfE)",
    "workplace/young-people/new/": _EMPTY_FORM,
    "workplace/local-offer/": "the council's published Local Offer for care leavers",
    "workplace/opportunities/": "employers' opportunities: no young person is named",
    "workplace/employers/": "businesses registered with the council: no young person is named",
    "workplace/group-sessions/": "session titles, dates and numbers attending: no one is named",
    "workplace/group-sessions/new/": _EMPTY_FORM,
    "workplace/outcomes/": "figures only, no young person can be identified",
    "workplace/employer/": "the employer's own business and opportunities (applicants are "
    "shown, and audited, on their own page)",
    "workplace/employer/opportunities/new/": _EMPTY_FORM,
    "workplace/employer/opportunities/<int:pk>/change/": "the employer's own opportunity",
    "workplace/employer/opportunities/<int:pk>/close/": "the employer's own opportunity",
    "workplace/employer/pledge/": "the employer's own pledge",
    "edge-of-care/": "counts of cases waiting and open: no family is named",
    "edge-of-care/referrals/new/": _EMPTY_FORM,
    "edge-of-care/services/new/": _EMPTY_FORM,
    "edge-of-care/services/<int:service_pk>/": "a service's name, places and cost",
    "edge-of-care/settings/": "the council's Edge of Care settings",
    "edge-of-care/settings/costs/": "the council's placement costs",
    "edge-of-care/dashboard/": "figures only: no family can be identified",
    "edge-of-care/evaluation/": "figures only: no family can be identified",
    "scheduled-jobs/": "the scheduled jobs and when they last ran",
    "forecast/": "what the forecast is and whose forecasts the person may see: no child's data",
    "forecast/published/": "sends the chooser on to a council's page: nothing shown",
    "forecast/published/forecast.csv": "every council's forecast from published statistics",
    "forecast/published/spending.csv": "every council's spending forecast from published statistics",
    "forecast/published/<str:dfe_code>/": "a council's forecast from published statistics",
    "forecast/backtest/": "the forecast's past errors, from published statistics",
    "forecast/council/<str:dfe_code>/unit-costs/": "a council's weekly costs of placements: no child's data (changes are audited)",
    "forecast/council/<str:dfe_code>/unit-costs/change/": "the form to change them: no child's data (a change is audited)",
    "api-tokens/new/": "the form to issue an API token (organisations, roles, what it may do)",
}


def _reads_by(who: Any, after: int) -> list[str]:
    return list(
        AuditEvent.objects.filter(pk__gt=after, user_id=who.pk, action__in=READS).values_list(
            "action", flat=True
        )
    )


def test_every_page_showing_personal_data_writes_an_audit_row(
    client, reference_data, settings, tmp_path
):
    world.build(settings, tmp_path)
    world.prepare_workbooks()
    unaudited: list[str] = []
    unreached: list[str] = []
    for route, view in world.routes():
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if getattr(view, "_alliance_access", None) == "public":
            continue
        answers = world.answers(client, route, view)
        statuses = []
        while True:
            last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            try:
                response, who = next(answers)
            except StopIteration:
                break
            statuses.append(response.status_code)
            if response.status_code in (302, 405):
                break  # changes only (POST; a GET is sent back to the record): nothing shown
            if response.status_code != 200:
                continue
            if not _reads_by(who, last) and route not in SHOWS_NO_PERSONAL_DATA:
                unaudited.append(f"/{route} as {who}")
            break
        if statuses and statuses[-1] not in (200, 302, 405):
            unreached.append(f"/{route}: {statuses}")
    assert not unaudited, "pages showing personal data with no audit row:\n" + "\n".join(unaudited)
    assert not unreached, "pages the walk could not reach:\n" + "\n".join(unreached)
    stale = set(SHOWS_NO_PERSONAL_DATA) - {route for route, _ in world.routes()}
    assert not stale, f"listed here but no longer a URL: {stale}"
