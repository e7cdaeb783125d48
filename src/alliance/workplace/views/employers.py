"""Employers: the advisers' list of employers, and the employer's own pages (their
opportunities, applicants and pledge)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from alliance.access.policy import Action, can, get_visible_or_404, guard, scope, visible_to
from alliance.audit import services as audit
from alliance.organisations.models import Organisation
from alliance.workplace import employers as employers_records
from alliance.workplace import forms, matching, pipeline
from alliance.workplace.models import EmployerProfile, Opportunity, Referral
from alliance.workplace.views.shared import EP, PAGE_SIZE, WP, acting_user, choice_labels


@guard(WP)
def employers(request: HttpRequest) -> HttpResponse:
    today = dt.date.today()
    items = (
        visible_to(request.user, EmployerProfile.objects.all(), WP, via="council")
        .select_related("organisation")
        .annotate(
            open_count=Count(
                "organisation__workplace_opportunities",
                filter=Q(organisation__workplace_opportunities__closing_date__gte=today),
            )
        )
    )
    page = Paginator(
        items.filter(status=EmployerProfile.Status.APPROVED).order_by("organisation__name"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    waiting = items.filter(status=EmployerProfile.Status.PENDING).order_by("registered_at")
    return render(
        request,
        "workplace/employers.html",
        {"title": "Employers", "page": page, "waiting": waiting[:100]},
    )


def _employer(request: HttpRequest) -> Organisation:
    ids = sorted(scope(request.user, EP, Action.VIEW).organisation_ids)
    organisation = Organisation.objects.filter(pk__in=ids, kind=Organisation.Kind.EMPLOYER).first()
    if organisation is None:
        raise Http404("No employer")
    return organisation


def _own_opportunities(request: HttpRequest, action: Action = Action.VIEW) -> QuerySet[Opportunity]:
    return visible_to(request.user, Opportunity.objects.all(), EP, action, via="employer")


@guard(EP)
def employer_home(request: HttpRequest) -> HttpResponse:
    employer = _employer(request)
    profile = EmployerProfile.objects.filter(organisation=employer).first()
    items = _own_opportunities(request).annotate(
        applicants=Count("referrals", filter=Q(referrals__stage__in=pipeline.EMPLOYER_STAGES))
    )
    today = dt.date.today()
    return render(
        request,
        "workplace/employer_home.html",
        {
            "title": employer.name,
            "employer": employer,
            "profile": profile,
            "pending": profile is not None and profile.status == EmployerProfile.Status.PENDING,
            "open": [o for o in items if o.closing_date >= today],
            "closed": [o for o in items if o.closing_date < today][:20],
        },
    )


def _approved_profile(request: HttpRequest) -> EmployerProfile | None:
    """The employer's profile when the council has approved it; otherwise None, with a message
    saying why they cannot post or change opportunities yet."""
    profile = EmployerProfile.objects.filter(organisation=_employer(request)).first()
    if profile is None:
        messages.error(
            request, "Your organisation is not registered with a council’s WorkPlace yet"
        )
        return None
    if not profile.approved:
        messages.error(
            request,
            f"{profile.council.name}’s WorkPlace team has not approved your registration yet: "
            "you can post opportunities once they have",
        )
        audit.record_denied(
            request, area=EP, action=Action.CHANGE, model=EmployerProfile, lookup={"pk": profile.pk}
        )
        return None
    return profile


@guard(EP, Action.CHANGE)
def employer_opportunity_new(request: HttpRequest) -> HttpResponse:
    profile = _approved_profile(request)
    if profile is None:
        return redirect("workplace:employer-home")
    form = forms.OpportunityForm(request.POST or None, initial={"postcode": profile.postcode})
    if request.method == "POST" and form.is_valid():
        item = employers_records.post_opportunity(
            form.save(commit=False), profile, user=acting_user(request)
        )
        messages.success(request, f"“{item.title}” is posted: WorkPlace advisers can see it now")
        return redirect("workplace:employer-opportunity", item.pk)
    return render(
        request,
        "workplace/simple_form.html",
        {"title": "Post an opportunity", "form": form, "back": "workplace:employer-home"},
    )


@guard(EP)
def employer_opportunity(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(
        request, Opportunity.objects.select_related("employer"), EP, via="employer", pk=pk
    )
    referrals = item.referrals.filter(stage__in=pipeline.EMPLOYER_STAGES).select_related(
        "young_person"
    )
    shared = [r for r in referrals if r.young_person.consent_to_share]
    withheld = len(referrals) - len(shared)
    audit.record(
        request,
        audit.Action.VIEW,
        item,
        organisation_id=item.employer_id,
        detail={"applicants_shown": [r.young_person_id for r in shared]},
    )
    return render(
        request,
        "workplace/employer_opportunity.html",
        {
            "title": item.title,
            "item": item,
            "shared": shared,
            "withheld": withheld,
            "support": choice_labels(item.support, matching.SUPPORT_LABELS),
            "skill_labels": matching.SKILL_LABELS,
            "can_change": can(request.user, EP, Action.CHANGE, item.employer_id),
            "moves": {r.pk for r in shared if pipeline.employer_next_stages(r)},
        },
    )


def _own_opportunity(request: HttpRequest, pk: int) -> Opportunity:
    return get_visible_or_404(
        request,
        Opportunity.objects.select_related("employer"),
        EP,
        Action.CHANGE,
        via="employer",
        pk=pk,
    )


@guard(EP, Action.CHANGE)
def employer_opportunity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _own_opportunity(request, pk)
    if _approved_profile(request) is None:
        return redirect("workplace:employer-opportunity", item.pk)
    if not item.is_open:
        messages.error(
            request,
            "This opportunity has closed: reopen it before changing it"
            if item.can_reopen
            else "This opportunity has closed and cannot be changed",
        )
        return redirect("workplace:employer-opportunity", item.pk)
    form = forms.OpportunityForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        item = employers_records.change_opportunity(
            form.save(commit=False), form.changed_data, user=acting_user(request)
        )
        messages.success(request, f"“{item.title}” is updated")
        return redirect("workplace:employer-opportunity", item.pk)
    return render(
        request,
        "workplace/simple_form.html",
        {"title": f"Change “{item.title}”", "form": form, "back": "workplace:employer-home"},
    )


@guard(EP, Action.CHANGE)
def employer_opportunity_close(request: HttpRequest, pk: int) -> HttpResponse:
    item = _own_opportunity(request, pk)
    if _approved_profile(request) is None:
        return redirect("workplace:employer-opportunity", item.pk)
    if request.method == "POST":
        try:
            pipeline.close_early(item, user=acting_user(request))
        except pipeline.StageError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, f"“{item.title}” is closed: young people and advisers no longer see it"
            )
        return redirect("workplace:employer-opportunity", item.pk)
    if not item.is_open:
        return redirect("workplace:employer-opportunity", item.pk)
    return render(
        request,
        "workplace/employer_close.html",
        {"title": f"Close “{item.title}” early?", "item": item},
    )


@guard(EP, Action.CHANGE)
@require_POST
def employer_opportunity_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    item = _own_opportunity(request, pk)
    if _approved_profile(request) is None:
        return redirect("workplace:employer-opportunity", item.pk)
    try:
        pipeline.reopen(item, user=acting_user(request))
    except pipeline.StageError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"“{item.title}” is open again until {item.closing_date:%-d %B %Y}"
        )
    return redirect("workplace:employer-opportunity", item.pk)


@guard(EP, Action.CHANGE)
def employer_applicant(request: HttpRequest, pk: int) -> HttpResponse:
    """An applicant to one of the employer's own opportunities, who agreed to share their
    details: the employer records an interview, an offer, or that they are not taken forward."""
    reachable = Referral.objects.filter(
        opportunity__in=_own_opportunities(request, Action.CHANGE),
        young_person__consent_to_share=True,
        stage__in=pipeline.EMPLOYER_STAGES,
    ).select_related("young_person", "opportunity")
    item = reachable.filter(pk=pk).first()
    if item is None:
        if Referral.objects.filter(pk=pk).exists():
            audit.record_denied(
                request, area=EP, action=Action.CHANGE, model=Referral, lookup={"pk": pk}
            )
        raise Http404("No such applicant")
    labels = {**dict(Referral.Stage.choices), Referral.Stage.ENDED: "Not taken forward"}
    stages = [(s, labels[s]) for s in pipeline.employer_next_stages(item)]
    form = forms.StageForm(request.POST or None, stages=stages, initial={"on": dt.date.today()})
    form.fields["stage"].label = "What has happened?"
    if request.method == "POST" and stages and form.is_valid():
        try:
            pipeline.employer_move(
                item, form.cleaned_data["stage"], form.cleaned_data["on"], user=acting_user(request)
            )
        except pipeline.StageError as error:
            form.add_error("on", error)
        else:
            messages.success(request, f"Recorded: {labels[item.stage].lower()}")
            return redirect("workplace:employer-opportunity", item.opportunity_id)
    elif request.method != "POST":
        audit.record(request, audit.Action.VIEW, item, detail={"by": "employer"})
    person = item.young_person
    return render(
        request,
        "workplace/employer_applicant.html",
        {
            "title": f"{person.first_name} {person.last_name[:1]}.",
            "item": item,
            "form": form,
            "stages": stages,
            "stage_label": labels[item.stage],
            "skills": choice_labels(person.skills, matching.SKILL_LABELS),
        },
    )


@guard(EP, Action.CHANGE)
def employer_pledge(request: HttpRequest) -> HttpResponse:
    employer = _employer(request)
    profile = EmployerProfile.objects.filter(organisation=employer).first()
    if profile is None:
        raise Http404("No employer profile")
    form = forms.PledgeForm(request.POST or None, initial={"pledge": profile.pledge})
    if request.method == "POST" and form.is_valid():
        employers_records.record_pledge(
            profile, form.cleaned_data["pledge"], user=acting_user(request)
        )
        messages.success(request, "Your pledge is recorded. Thank you")
        return redirect("workplace:employer-home")
    return render(
        request,
        "workplace/simple_form.html",
        {"title": "Your pledge to care leavers", "form": form, "back": "workplace:employer-home"},
    )
