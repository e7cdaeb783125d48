"""The young person's own pages: their record and the opportunities they are interested in."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from alliance.access.policy import Action, guard, scope
from alliance.audit import services as audit
from alliance.workplace import matching, pipeline
from alliance.workplace.models import Appointment, Goal, Opportunity, Referral, YoungPerson
from alliance.workplace.views.shared import ME, acting_user

# A referral at these stages leaves the opportunity among those offered to the young person.
NOT_YET_TAKEN_UP = (Referral.Stage.SUGGESTED, Referral.Stage.INTERESTED)


def _me(request: HttpRequest) -> YoungPerson:
    person = (
        YoungPerson.objects.filter(user_id=int(request.user.pk or 0))
        .select_related("personal_adviser__user", "careers_adviser__user")
        .first()
    )
    if person is None or not scope(request.user, ME).includes(person.organisation_id):
        raise Http404("No record")
    return person


@guard(ME)
def me(request: HttpRequest) -> HttpResponse:
    person = _me(request)
    audit.record(request, audit.Action.VIEW, person, detail={"page": "my record"})
    now = timezone.now()
    # Not offered again: jobs they have applied for, are in, or have finished.
    taken_up = person.referrals.exclude(stage__in=NOT_YET_TAKEN_UP).values("opportunity_id")
    opportunities = Opportunity.objects.filter(council_id=person.organisation_id).exclude(
        pk__in=taken_up
    )
    suggested, _total = matching.matches_for_young_person(
        person, opportunities, limit=5, to_young_person=True
    )
    return render(
        request,
        "workplace/me.html",
        {
            "title": "Your plan",
            "person": person,
            "next_appointment": person.appointments.filter(
                starts_at__gte=now, status=Appointment.Status.BOOKED
            )
            .select_related("adviser__user")
            .order_by("starts_at")
            .first(),
            "goals": person.goals.exclude(progress=Goal.Progress.DONE),
            "done_goals": person.goals.filter(progress=Goal.Progress.DONE).count(),
            "referrals": person.referrals.select_related("opportunity__employer").exclude(
                stage=Referral.Stage.ENDED
            ),
            "suggested": suggested,
            # they have said they are interested (a suggestion alone still has the button)
            "referred": set(
                person.referrals.filter(stage=Referral.Stage.INTERESTED).values_list(
                    "opportunity_id", flat=True
                )
            ),
        },
    )


@guard(ME, Action.CHANGE)
@require_POST
def me_interested(request: HttpRequest, pk: int) -> HttpResponse:
    person = _me(request)
    opportunity = Opportunity.objects.filter(
        pk=pk, council_id=person.organisation_id, closing_date__gte=dt.date.today()
    ).first()
    if opportunity is None:
        audit.record_denied(
            request, area=ME, action=Action.CHANGE, model=Opportunity, lookup={"pk": pk}
        )
        raise Http404("No such opportunity")
    pipeline.say_interested(person, opportunity, user=acting_user(request))
    messages.success(request, f"Thanks – your adviser will talk to you about {opportunity.title}")
    return redirect("workplace:me")
