"""WorkPlace pages for the three kinds of user: advisers (council practitioners), employers and
young people. Access is decided by the policy (`guard`, `visible_to`, `get_visible_or_404`);
every view or change of a record is audited."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from alliance.access.policy import (
    Action,
    Area,
    can,
    get_visible_or_404,
    guard,
    scope,
    visible_to,
)
from alliance.audit import services as audit
from alliance.common.charts import Series, line_chart
from alliance.common.exports import csv_response
from alliance.organisations.models import Organisation
from alliance.workplace import codes, forms, services
from alliance.workplace.models import (
    Appointment,
    EmployerProfile,
    Goal,
    GroupSession,
    LocalOfferItem,
    Opportunity,
    Referral,
    StatusLetter,
    YoungPerson,
)

WP = Area.WORKPLACE
EP = Area.EMPLOYER_PORTAL
ME = Area.MY_RECORD
PAGE_SIZE = 50


def _council(request: HttpRequest, action: Action = Action.CHANGE) -> Organisation:
    """The council whose WorkPlace this practitioner works in (the first, if several)."""
    ids = sorted(scope(request.user, WP, action).organisation_ids)
    organisation = Organisation.objects.filter(pk__in=ids, kind=Organisation.Kind.COUNCIL).first()
    if organisation is None:
        raise Http404("No council")
    return organisation


def _people(request: HttpRequest, action: Action = Action.VIEW) -> QuerySet[YoungPerson]:
    return visible_to(request.user, YoungPerson.objects.all(), WP, action)


def _person(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> YoungPerson:
    return get_visible_or_404(
        request,
        YoungPerson.objects.select_related("personal_adviser__user", "careers_adviser__user"),
        WP,
        action,
        pk=pk,
    )


def _opportunities_for_advisers(request: HttpRequest) -> QuerySet[Opportunity]:
    return visible_to(request.user, Opportunity.objects.all(), WP, Action.VIEW, via="council")


def _choices_view(values: list[str], labels: dict[str, str]) -> list[str]:
    return [labels.get(v, v) for v in values]


# ---------------------------------------------------------------------------------------------
# Advisers


@guard(WP)
def index(request: HttpRequest) -> HttpResponse:
    people = _people(request)
    today = dt.date.today()
    duties = services.duties(people, today)
    upcoming = (
        visible_to(request.user, Appointment.objects.all(), WP)
        .filter(starts_at__gte=timezone.now(), status=Appointment.Status.BOOKED)
        .select_related("young_person", "adviser__user")
        .order_by("starts_at")[:10]
    )
    overdue = [d for d in duties if d.status == "overdue"][:15]
    due = [d for d in duties if d.status != "overdue"][:15]
    # the page names young people (their duties due and their appointments): audited
    audit.record(
        request,
        audit.Action.VIEW,
        object_type="workplace.Duties",
        object_repr="WorkPlace home: duties due and appointments",
        detail={"duties": len(overdue) + len(due), "appointments": len(upcoming)},
    )
    return render(
        request,
        "workplace/index.html",
        {
            "title": "WorkPlace",
            "people_count": people.count(),
            "open_count": _opportunities_for_advisers(request)
            .filter(closing_date__gte=today)
            .count(),
            "overdue": overdue,
            "due": due,
            "overdue_count": sum(d.status == "overdue" for d in duties),
            "due_count": sum(d.status != "overdue" for d in duties),
            "appointments": upcoming,
        },
    )


@guard(WP)
def duties(request: HttpRequest) -> HttpResponse:
    found = services.duties(_people(request))
    audit.record(
        request, audit.Action.VIEW, object_type="workplace.Duties", detail={"count": len(found)}
    )
    page = Paginator(found, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "workplace/duties.html",
        {
            "title": "Leaving-care duties",
            "page": page,
            "counts": Counter(d.status_label for d in found),
        },
    )


@guard(WP)
def young_people(request: HttpRequest) -> HttpResponse:
    people = _people(request).select_related("personal_adviser__user")
    q = request.GET.get("q", "").strip()
    activity = request.GET.get("activity", "")
    if q:
        for word in q.split()[:3]:
            people = people.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    if activity == "eet":
        people = people.filter(activity__in=codes.eet_codes())
    elif activity == "neet":
        people = people.exclude(activity__in=codes.eet_codes())
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record(
        request,
        audit.Action.VIEW,
        object_type="workplace.YoungPerson",
        object_repr="List of young people",
        detail={"q": q, "activity": activity, "page": page.number},
    )
    return render(
        request,
        "workplace/young_people.html",
        {
            "title": "Young people",
            "page": page,
            "q": q,
            "activity": activity,
            "activity_label": codes.activity_label,
            "eet": codes.eet_codes(),
        },
    )


@guard(WP, Action.CHANGE)
def young_person_new(request: HttpRequest) -> HttpResponse:
    council = _council(request)
    form = forms.YoungPersonForm(request.POST or None, organisation=council)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                person = form.save()
                audit.record(request, audit.Action.CREATE, person)
        except IntegrityError:
            form.add_error(None, "This young person already has a WorkPlace record")
        else:
            messages.success(request, f"{person.name}’s record has been added")
            return redirect("workplace:young-person", person.pk)
    return render(
        request,
        "workplace/young_person_form.html",
        {"title": "Add a young person", "form": form},
    )


@guard(WP, Action.CHANGE)
def young_person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, Action.CHANGE)
    form = forms.YoungPersonForm(
        request.POST or None, instance=person, organisation=person.organisation
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            person = form.save()
            audit.record(request, audit.Action.CHANGE, person, detail={"fields": form.changed_data})
        messages.success(request, f"{person.name}’s record has been updated")
        return redirect("workplace:young-person", person.pk)
    _shown(request, person, form)
    return render(
        request,
        "workplace/young_person_form.html",
        {"title": f"Change {person.name}’s record", "form": form, "person": person},
    )


@guard(WP)
def young_person(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    audit.record(request, audit.Action.VIEW, person)
    today = dt.date.today()
    recorded = {pk: set(person.care_leaver_info.values_list("birthday", flat=True))}
    return render(
        request,
        "workplace/young_person.html",
        {
            "title": person.name,
            "person": person,
            "codes": codes,
            "duties": services.duties_for([person], recorded, today),
            "review_due": services.review_due(
                person.pathway_plan_started, person.pathway_plan_reviewed, today
            ),
            "info": person.care_leaver_info.order_by("birthday"),
            "reviews": person.pathway_reviews.all()[:5],
            "appointments": person.appointments.select_related("adviser__user")[:20],
            "goals": person.goals.all(),
            "referrals": person.referrals.select_related("opportunity__employer"),
            "letters": person.status_letters.select_related("issued_by"),
            "interests": _choices_view(person.interests, services.INTEREST_LABELS),
            "skills": _choices_view(person.skills, services.SKILL_LABELS),
            "barriers": _choices_view(person.barriers, dict(forms.BARRIERS)),
        },
    )


@guard(WP)
def matches(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    found, total = services.matches_for_young_person(person, _opportunities_for_advisers(request))
    referred = set(person.referrals.values_list("opportunity_id", flat=True))
    audit.record(request, audit.Action.VIEW, person, detail={"page": "matches"})
    return render(
        request,
        "workplace/matches.html",
        {
            "title": f"Opportunities for {person.name}",
            "person": person,
            "matches": found,
            "total": total,
            "referred": referred,
        },
    )


@guard(WP, Action.CHANGE)
@require_POST
def suggest(request: HttpRequest, pk: int, opportunity_pk: int) -> HttpResponse:
    person = _person(request, pk, Action.CHANGE)
    opportunity = get_visible_or_404(
        request, Opportunity.objects.all(), WP, Action.VIEW, via="council", pk=opportunity_pk
    )
    if not opportunity.is_open:
        messages.error(request, "That opportunity has closed")
        return redirect("workplace:matches", person.pk)
    found = list(
        services.matches_for_young_person(person, Opportunity.objects.filter(pk=opportunity.pk))[0]
    )
    referral = services.suggest(person, opportunity, found[0] if found else None)
    audit.record(request, audit.Action.CREATE, referral, detail={"opportunity": opportunity.pk})
    messages.success(request, f"{opportunity.title} has been suggested to {person.name}")
    return redirect("workplace:young-person", person.pk)


@guard(WP, Action.CHANGE)
def referral(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(
        request,
        Referral.objects.select_related("young_person", "opportunity__employer"),
        WP,
        Action.CHANGE,
        pk=pk,
    )
    stages = [(s, Referral.Stage(s).label) for s in services.next_stages(item)]
    form = forms.StageForm(request.POST or None, stages=stages, initial={"on": dt.date.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.move(item, form.cleaned_data["stage"], form.cleaned_data["on"])
        except services.StageError as error:
            form.add_error("on", str(error))
        else:
            audit.record(request, audit.Action.CHANGE, item, detail={"stage": item.stage})
            messages.success(request, f"Moved on to “{item.get_stage_display()}”")
            return redirect("workplace:young-person", item.young_person_id)
    else:
        audit.record(request, audit.Action.VIEW, item)
    history = [
        (Referral.Stage(s).label, item.date_of(s))
        for s in [*services.STAGES, "ended"]
        if item.date_of(s)
    ]
    return render(
        request,
        "workplace/referral.html",
        {"title": "Update the referral", "item": item, "form": form, "history": history},
    )


def _shown(request: HttpRequest, obj: Any, form: Any = None) -> None:
    """A page showing a young person's record (a form to change it included) is a view of their
    personal data: audited like any other view."""
    detail: dict[str, Any] = {"form": True} if form is not None else {}
    if form is not None and form.is_bound:
        detail["errors"] = sorted(form.errors)
    audit.record(request, audit.Action.VIEW, obj, detail=detail)


def _child_form(
    request: HttpRequest,
    pk: int,
    form_class: type,
    template_title: str,
    done: str,
    instance: Any = None,
    **form_kwargs: Any,
) -> HttpResponse:
    person = _person(request, pk, Action.CHANGE)
    form = form_class(request.POST or None, instance=instance, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            obj = form.save(commit=False)
            obj.organisation = person.organisation
            obj.young_person = person
            obj.save()
            audit.record(request, audit.Action.CHANGE if instance else audit.Action.CREATE, obj)
        messages.success(request, done)
        return redirect("workplace:young-person", person.pk)
    _shown(request, instance if instance is not None else person, form)
    return render(
        request,
        "workplace/child_form.html",
        {"title": template_title, "form": form, "person": person},
    )


@guard(WP, Action.CHANGE)
def appointment_new(request: HttpRequest, pk: int) -> HttpResponse:
    council = _person(request, pk, Action.CHANGE).organisation
    return _child_form(
        request,
        pk,
        forms.AppointmentForm,
        "Book an appointment",
        "The appointment has been booked",
        organisation=council,
    )


@guard(WP, Action.CHANGE)
def appointment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(request, Appointment.objects.all(), WP, Action.CHANGE, pk=pk)
    return _child_form(
        request,
        item.young_person_id,
        forms.AppointmentForm,
        "Update the appointment and session notes",
        "The appointment has been updated",
        instance=item,
        organisation=item.organisation,
    )


@guard(WP, Action.CHANGE)
def goal_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _child_form(
        request, pk, forms.GoalForm, "Add a goal to the action plan", "The goal has been added"
    )


@guard(WP, Action.CHANGE)
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(request, Goal.objects.all(), WP, Action.CHANGE, pk=pk)
    return _child_form(
        request,
        item.young_person_id,
        forms.GoalForm,
        "Update a goal",
        "The goal has been updated",
        instance=item,
    )


@guard(WP, Action.CHANGE)
def care_leaver_info(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, Action.CHANGE)
    today = dt.date.today()
    initial = {
        "birthday": services.info_birthday_for(person, today),
        "recorded_on": today,
        "in_touch": person.in_touch,
        "activity": person.activity,
        "accommodation": person.accommodation,
    }
    form = forms.CareLeaverInfoForm(request.POST or None, initial=initial, young_person=person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        info = services.record_care_leaver_info(
            person,
            age=data["birthday"],
            recorded_on=data["recorded_on"],
            in_touch=data["in_touch"],
            activity=data["activity"],
            accommodation=data["accommodation"],
            user=request.user,
        )
        audit.record(request, audit.Action.CREATE, info, detail={"birthday": info.birthday})
        messages.success(request, f"Information for the {info.birthday}th birthday is recorded")
        return redirect("workplace:young-person", person.pk)
    _shown(request, person, form)
    return render(
        request,
        "workplace/child_form.html",
        {"title": "Record care leaver information", "form": form, "person": person},
    )


@guard(WP, Action.CHANGE)
def pathway_review(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, Action.CHANGE)
    form = forms.PathwayReviewForm(request.POST or None, initial={"reviewed_on": dt.date.today()})
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            review = person.pathway_reviews.create(
                organisation=person.organisation,
                reviewed_on=form.cleaned_data["reviewed_on"],
                summary=form.cleaned_data["summary"],
                recorded_by=request.user,  # type: ignore[misc]  # signed in: guard
            )
            latest = person.pathway_reviews.order_by("-reviewed_on").first()
            person.pathway_plan_reviewed = latest.reviewed_on if latest else None
            if person.pathway_plan_started is None:
                person.pathway_plan_started = review.reviewed_on
            person.save(update_fields=["pathway_plan_reviewed", "pathway_plan_started"])
            audit.record(request, audit.Action.CREATE, review)
        messages.success(request, "The pathway plan review is recorded")
        return redirect("workplace:young-person", person.pk)
    _shown(request, person, form)
    return render(
        request,
        "workplace/child_form.html",
        {"title": "Record a pathway plan review", "form": form, "person": person},
    )


@guard(WP, Action.CHANGE)
def letter_new(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, Action.CHANGE)
    eligible = person.legal_status in (
        YoungPerson.LegalStatus.RELEVANT,
        YoungPerson.LegalStatus.FORMER_RELEVANT,
        YoungPerson.LegalStatus.ELIGIBLE,
    )
    form = forms.LetterForm(request.POST or None)
    if request.method == "POST" and eligible and form.is_valid():
        letter = services.issue_status_letter(
            person, form.cleaned_data["addressed_to"], request.user
        )
        audit.record(request, audit.Action.CREATE, letter, detail={"to": letter.addressed_to})
        return redirect("workplace:letter", letter.pk)
    _shown(request, person, form)
    return render(
        request,
        "workplace/letter_form.html",
        {
            "title": "Letter confirming care leaver status",
            "form": form,
            "person": person,
            "eligible": eligible,
        },
    )


@guard(WP)
def letter(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(
        request,
        StatusLetter.objects.select_related("young_person", "issued_by", "organisation"),
        WP,
        pk=pk,
    )
    audit.record(request, audit.Action.DOWNLOAD, item)
    return render(
        request,
        "workplace/letter.html",
        {"title": f"Care leaver status letter {item.reference}", "letter": item},
    )


@guard(WP)
def local_offer(request: HttpRequest) -> HttpResponse:
    items = visible_to(request.user, LocalOfferItem.objects.all(), WP)
    return render(
        request,
        "workplace/local_offer.html",
        {"title": "Local Offer for care leavers", "groups": _grouped(items)},
    )


def _grouped(items: QuerySet[LocalOfferItem]) -> list[tuple[str, list[LocalOfferItem]]]:
    groups: dict[str, list[LocalOfferItem]] = {}
    for item in items:
        groups.setdefault(item.get_category_display(), []).append(item)
    return list(groups.items())


@guard(WP)
def opportunities(request: HttpRequest) -> HttpResponse:
    today = dt.date.today()
    items = (
        _opportunities_for_advisers(request)
        .filter(closing_date__gte=today)
        .select_related("employer")
    )
    kind = request.GET.get("kind", "")
    if kind in Opportunity.Kind.values:
        items = items.filter(kind=kind)
    q = request.GET.get("q", "").strip()
    if q:
        items = items.filter(Q(title__icontains=q) | Q(employer__name__icontains=q))
    page = Paginator(items.order_by("closing_date", "title"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "workplace/opportunities.html",
        {
            "title": "Opportunities",
            "page": page,
            "kind": kind,
            "q": q,
            "kinds": Opportunity.Kind.choices,
        },
    )


@guard(WP)
def opportunity(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(
        request,
        Opportunity.objects.select_related("employer"),
        WP,
        via="council",
        pk=pk,
    )
    suitable, total = services.matches_for_opportunity(item, _people(request))
    referred = dict(item.referrals.values_list("young_person_id", "stage"))
    audit.record(request, audit.Action.VIEW, item, detail={"suitable": total})
    return render(
        request,
        "workplace/opportunity.html",
        {
            "title": item.title,
            "item": item,
            "suitable": suitable,
            "total": total,
            "referred": referred,
            "support": _choices_view(item.support, services.SUPPORT_LABELS),
            "interests": _choices_view(item.interests, services.INTEREST_LABELS),
            "skills": _choices_view(item.skills, services.SKILL_LABELS),
            "for_adviser": True,
        },
    )


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


@guard(WP)
def group_sessions(request: HttpRequest) -> HttpResponse:
    items = visible_to(request.user, GroupSession.objects.all(), WP).annotate(
        invited=Count("attendees"),
        came=Count("attendees", filter=Q(attendees__attended=True)),
    )
    return render(
        request,
        "workplace/group_sessions.html",
        {"title": "Group sessions", "items": items.order_by("-held_on")[:100]},
    )


@guard(WP, Action.CHANGE)
def group_session_new(request: HttpRequest) -> HttpResponse:
    council = _council(request)
    form = forms.GroupSessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            session = form.save(commit=False)
            session.organisation = council
            session.save()
            audit.record(request, audit.Action.CREATE, session)
        messages.success(request, "The group session has been added: now add who came")
        return redirect("workplace:group-session", session.pk)
    return render(
        request, "workplace/simple_form.html", {"title": "Add a group session", "form": form}
    )


@guard(WP)
def group_session(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_visible_or_404(request, GroupSession.objects.all(), WP, pk=pk)
    form = forms.AttendeeForm(request.POST or None)
    if request.method == "POST":
        if not can(request.user, WP, Action.CHANGE, session.organisation_id):
            audit.record_denied(
                request, area=WP, action=Action.CHANGE, model=GroupSession, lookup={"pk": pk}
            )
            from alliance.common.views import forbidden

            return forbidden(request)
        if form.is_valid():
            with transaction.atomic():
                attendee = form.save(commit=False)
                attendee.session, attendee.organisation = session, session.organisation
                attendee.save()
                audit.record(request, audit.Action.CREATE, attendee)
            messages.success(request, f"{attendee.name} has been added")
            return redirect("workplace:group-session", session.pk)
    else:
        audit.record(request, audit.Action.VIEW, session)
    return render(
        request,
        "workplace/group_session.html",
        {
            "title": session.title,
            "session": session,
            "attendees": session.attendees.all(),
            "form": form,
        },
    )


@guard(WP)
def outcomes(request: HttpRequest) -> HttpResponse:
    council = _council(request, Action.VIEW)
    data = _outcomes(request, council)
    return render(request, "workplace/outcomes.html", {"title": "Outcomes", **data})


def _outcomes(request: HttpRequest, council: Organisation) -> dict[str, Any]:
    ours = services.eet_by_year(council)
    national = services.national_comparison(council)
    has_returns, returns = services.returns_history(council)
    bands: list[dict[str, Any]] = []
    for band, *_ in services.AGE_BANDS:
        comparison = national.get(band)
        years: set[int] = set(ours[band]) | set(returns.get(band, {}))
        published: dict[int, tuple[Any, Any, Any]] = {}
        if comparison is not None:
            for i, period in enumerate(comparison.periods):
                year = _period_year(period)
                if year is not None:
                    published[year] = (
                        comparison.council[i],
                        comparison.neighbours[i],
                        comparison.england[i],
                    )
                    years.add(year)
        rows: list[dict[str, Any]] = []
        for year in sorted(years):
            share = ours[band].get(year)
            pub = published.get(year)
            rows.append(
                {
                    "year": year,
                    "label": services.year_label(year),
                    "workplace": share.percent if share else None,
                    "workplace_n": f"{share.numerator} of {share.denominator}" if share else "",
                    "returns": returns.get(band, {}).get(year),
                    "published": pub[0].value if pub else None,
                    "neighbours": pub[1].value if pub else None,
                    "england": pub[2].value if pub else None,
                }
            )
        series = [
            Series("WorkPlace records", [r["workplace"] for r in rows]),
            Series(f"{council.name} (published)", [r["published"] for r in rows]),
            Series("Statistical neighbours (mean)", [r["neighbours"] for r in rows]),
            Series("England", [r["england"] for r in rows]),
        ]
        if has_returns:
            series.insert(1, Series("Council's SSDA903 returns", [r["returns"] for r in rows]))
        chart = (
            line_chart(
                f"Care leavers aged {band.replace('-', ' to ')} in education, employment or training",
                "Percentage by collection year: WorkPlace's own records beside the published "
                "figures for the council, its statistical neighbours and England",
                [r["label"] for r in rows],
                series,
                unit="%",
            )
            if rows
            else None
        )
        bands.append({"band": band, "rows": rows, "chart": chart})
    opportunities = visible_to(request.user, Opportunity.objects.all(), WP, via="council")
    return {
        "council": council,
        "bands": bands,
        "now": services.eet_now(_people(request)),
        "has_returns": has_returns,
        "employers": services.by_employer(opportunities),
        "pipeline": services.pipeline_counts(visible_to(request.user, Referral.objects.all(), WP)),
    }


def _period_year(period: str) -> int | None:
    """'2024' or '2023/24' or '2023-24' → the collection year's end (2024)."""
    digits = period.replace("-", "/").split("/")
    try:
        first = int(digits[0][:4])
    except ValueError:
        return None
    if len(digits) > 1 and digits[1]:
        return first + 1
    return first


UNSUPPRESSED_NOTE = (
    "Unsuppressed management information for the council's own staff: small numbers are not "
    "hidden, so do not publish or share these figures outside the council."
)


@guard(WP, Action.EXPORT)
def outcomes_csv(request: HttpRequest) -> HttpResponseBase:
    council = _council(request, Action.EXPORT)
    data = _outcomes(request, council)
    rows: list[list[Any]] = []
    rows.append(
        [
            "age_band",
            "collection_year",
            "workplace_eet_percent",
            "workplace_count",
            "council_ssda903_eet_percent",
            "council_published_eet_percent",
            "statistical_neighbours_mean_percent",
            "england_percent",
        ]
    )
    for band in data["bands"]:
        for r in band["rows"]:
            rows.append(
                [
                    band["band"],
                    r["label"],
                    "" if r["workplace"] is None else r["workplace"],
                    r["workplace_n"],
                    "" if r["returns"] is None else r["returns"],
                    "" if r["published"] is None else r["published"],
                    "" if r["neighbours"] is None else r["neighbours"],
                    "" if r["england"] is None else r["england"],
                ]
            )
    rows.append([])
    rows.append(
        [
            "employer",
            "opportunities",
            "places",
            "started",
            "sustained_3_months",
            "sustained_6_months",
        ]
    )
    for e in data["employers"]:
        rows.append(
            [e.employer, e.opportunities, e.places, e.started, e.sustained_3, e.sustained_6]
        )
    rows.append([])
    rows.append([UNSUPPRESSED_NOTE])
    audit.record(
        request, audit.Action.EXPORT, object_type="workplace.Outcomes", organisation_id=council.pk
    )
    return csv_response("workplace-outcomes-unsuppressed.csv", None, rows)


# ---------------------------------------------------------------------------------------------
# Employers


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
        applicants=Count("referrals", filter=Q(referrals__stage__in=services.EMPLOYER_STAGES))
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
    employer = profile.organisation
    form = forms.OpportunityForm(request.POST or None, initial={"postcode": profile.postcode})
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            item = form.save(commit=False)
            item.employer, item.council = employer, profile.council
            item.save()
            audit.record(request, audit.Action.CREATE, item, organisation_id=employer.pk)
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
    referrals = item.referrals.filter(stage__in=services.EMPLOYER_STAGES).select_related(
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
            "support": _choices_view(item.support, services.SUPPORT_LABELS),
            "skill_labels": services.SKILL_LABELS,
            "can_change": can(request.user, EP, Action.CHANGE, item.employer_id),
            "moves": {r.pk for r in shared if services.employer_next_stages(r)},
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
        with transaction.atomic():
            item = form.save()
            audit.record(
                request,
                audit.Action.CHANGE,
                item,
                organisation_id=item.employer_id,
                detail={"fields": form.changed_data},
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
            services.close_early(item)
        except services.StageError as error:
            messages.error(request, str(error))
        else:
            audit.record(
                request,
                audit.Action.CHANGE,
                item,
                organisation_id=item.employer_id,
                detail={
                    "closed_early": item.closed_early_on.isoformat() if item.closed_early_on else ""
                },
            )
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
        services.reopen(item)
    except services.StageError as error:
        messages.error(request, str(error))
    else:
        audit.record(
            request,
            audit.Action.CHANGE,
            item,
            organisation_id=item.employer_id,
            detail={"reopened_until": item.closing_date.isoformat()},
        )
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
        stage__in=services.EMPLOYER_STAGES,
    ).select_related("young_person", "opportunity")
    item = reachable.filter(pk=pk).first()
    if item is None:
        if Referral.objects.filter(pk=pk).exists():
            audit.record_denied(
                request, area=EP, action=Action.CHANGE, model=Referral, lookup={"pk": pk}
            )
        raise Http404("No such applicant")
    labels = {**dict(Referral.Stage.choices), Referral.Stage.ENDED: "Not taken forward"}
    stages = [(s, labels[s]) for s in services.employer_next_stages(item)]
    form = forms.StageForm(request.POST or None, stages=stages, initial={"on": dt.date.today()})
    form.fields["stage"].label = "What has happened?"
    if request.method == "POST" and stages and form.is_valid():
        try:
            services.move(item, form.cleaned_data["stage"], form.cleaned_data["on"])
        except services.StageError as error:
            form.add_error("on", str(error))
        else:
            audit.record(
                request,
                audit.Action.CHANGE,
                item,
                detail={
                    "stage": item.stage,
                    "by": "employer",
                    "employer": item.opportunity.employer_id,
                },
            )
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
            "skills": _choices_view(person.skills, services.SKILL_LABELS),
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
        with transaction.atomic():
            profile.pledge = form.cleaned_data["pledge"]
            profile.pledged_on = dt.date.today()
            profile.save(update_fields=["pledge", "pledged_on"])
            audit.record(request, audit.Action.CHANGE, profile, organisation_id=employer.pk)
        messages.success(request, "Your pledge is recorded. Thank you")
        return redirect("workplace:employer-home")
    return render(
        request,
        "workplace/simple_form.html",
        {"title": "Your pledge to care leavers", "form": form, "back": "workplace:employer-home"},
    )


# ---------------------------------------------------------------------------------------------
# Young people


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
    opportunities = Opportunity.objects.filter(council_id=person.organisation_id)
    suggested, _total = services.matches_for_young_person(person, opportunities, limit=5)
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
            "referred": set(person.referrals.values_list("opportunity_id", flat=True)),
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
    referral = services.say_interested(person, opportunity)
    audit.record(request, audit.Action.CHANGE, referral, detail={"stage": referral.stage})
    messages.success(request, f"Thanks – your adviser will talk to you about {opportunity.title}")
    return redirect("workplace:me")
