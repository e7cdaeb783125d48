"""Advisers' pages for young people and their duties: the list and record of each young person,
appointments, goals, care leaver information, pathway reviews and letters."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from alliance.access.policy import Action, get_visible_or_404, guard, visible_to
from alliance.audit import services as audit
from alliance.workplace import codes, forms, leaving_care, matching, wording
from alliance.workplace import young_people as young_people_records
from alliance.workplace.models import Appointment, Goal, StatusLetter, YoungPerson
from alliance.workplace.views.shared import (
    PAGE_SIZE,
    WP,
    acting_user,
    adviser_council,
    choice_labels,
    opportunities_for_advisers,
    visible_people,
    visible_person,
)


@guard(WP)
def index(request: HttpRequest) -> HttpResponse:
    people = visible_people(request)
    today = dt.date.today()
    duties = leaving_care.duties(people, today)
    upcoming = (
        visible_to(request.user, Appointment.objects.all(), WP)
        .filter(starts_at__gte=timezone.now(), status=Appointment.Status.BOOKED)
        .select_related("young_person", "adviser__user")
        .order_by("starts_at")[:10]
    )
    overdue = [d for d in duties if d.overdue][:15]
    due = [d for d in duties if not d.overdue][:15]
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
            "open_count": opportunities_for_advisers(request)
            .filter(closing_date__gte=today)
            .count(),
            "overdue": overdue,
            "due": due,
            "overdue_count": sum(d.overdue for d in duties),
            "due_count": sum(not d.overdue for d in duties),
            "appointments": upcoming,
        },
    )


@guard(WP)
def duties(request: HttpRequest) -> HttpResponse:
    found = leaving_care.duties(visible_people(request))
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
    people = visible_people(request).select_related("personal_adviser__user")
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
    council = adviser_council(request)
    user = acting_user(request)
    form = forms.YoungPersonForm(request.POST or None, organisation=council)
    if request.method == "POST" and form.is_valid():
        try:
            person = young_people_records.add_young_person(form.save(commit=False), user=user)
        except ValidationError as err:
            form.add_error(None, err)
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
    person = visible_person(request, pk, Action.CHANGE)
    form = forms.YoungPersonForm(
        request.POST or None, instance=person, organisation=person.organisation
    )
    if request.method == "POST" and form.is_valid():
        person = young_people_records.change_young_person(
            form.save(commit=False), form.changed_data, user=acting_user(request)
        )
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
    person = visible_person(request, pk)
    audit.record(request, audit.Action.VIEW, person)
    today = dt.date.today()
    return render(
        request,
        "workplace/young_person.html",
        {
            "title": person.name,
            "person": person,
            "codes": codes,
            # the same duties, by the same rule, as the overview and the reminder email
            "duties": leaving_care.duties(YoungPerson.objects.filter(pk=person.pk), today),
            "review_due": leaving_care.review_due(
                person.pathway_plan_started, person.pathway_plan_reviewed, today
            ),
            "info": person.care_leaver_info.order_by("birthday"),
            "reviews": person.pathway_reviews.all()[:5],
            "appointments": person.appointments.select_related("adviser__user")[:20],
            "goals": person.goals.all(),
            "referrals": person.referrals.select_related("opportunity__employer"),
            "letters": person.status_letters.select_related("issued_by"),
            "interests": choice_labels(person.interests, matching.INTEREST_LABELS),
            "skills": choice_labels(person.skills, matching.SKILL_LABELS),
            "barriers": choice_labels(person.barriers, dict(forms.BARRIERS)),
        },
    )


def _shown(request: HttpRequest, obj: Any, form: Any = None) -> None:
    """A page showing a young person's record (a form to change it included) is a view of their
    personal data: audited like any other view."""
    detail: dict[str, Any] = {"form": True} if form is not None else {}
    if form is not None and form.is_bound:
        detail["errors"] = sorted(form.errors)
    audit.record(request, audit.Action.VIEW, obj, detail=detail)


def _form_page(
    request: HttpRequest, person: YoungPerson, form: Any, title: str, shown: Any = None
) -> HttpResponse:
    """A form about a young person's record, its showing audited as a view of `shown` (the
    record the form changes; the young person by default)."""
    _shown(request, shown if shown is not None else person, form)
    return render(
        request, "workplace/child_form.html", {"title": title, "form": form, "person": person}
    )


def _child_form(
    request: HttpRequest,
    pk: int,
    form_class: type,
    template_title: str,
    done: str,
    instance: Any = None,
    **form_kwargs: Any,
) -> HttpResponse:
    person = visible_person(request, pk, Action.CHANGE)
    form = form_class(request.POST or None, instance=instance, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        young_people_records.save_plan_item(
            form.save(commit=False), person, user=acting_user(request)
        )
        messages.success(request, done)
        return redirect("workplace:young-person", person.pk)
    return _form_page(request, person, form, template_title, shown=instance)


@guard(WP, Action.CHANGE)
def appointment_new(request: HttpRequest, pk: int) -> HttpResponse:
    council = visible_person(request, pk, Action.CHANGE).organisation
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
    person = visible_person(request, pk, Action.CHANGE)
    today = dt.date.today()
    initial = {
        "birthday": leaving_care.info_birthday_for(person, today),
        "recorded_on": today,
        "in_touch": person.in_touch,
        "activity": person.activity,
        "accommodation": person.accommodation,
    }
    form = forms.CareLeaverInfoForm(request.POST or None, initial=initial, young_person=person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        info = leaving_care.record_care_leaver_info(
            person,
            age=data["birthday"],
            recorded_on=data["recorded_on"],
            in_touch=data["in_touch"],
            activity=data["activity"],
            accommodation=data["accommodation"],
            user=acting_user(request),
        )
        messages.success(
            request, f"Information for the {wording.birthday_label(info.birthday)} is recorded"
        )
        return redirect("workplace:young-person", person.pk)
    return _form_page(request, person, form, "Record care leaver information")


@guard(WP, Action.CHANGE)
def pathway_review(request: HttpRequest, pk: int) -> HttpResponse:
    person = visible_person(request, pk, Action.CHANGE)
    form = forms.PathwayReviewForm(request.POST or None, initial={"reviewed_on": dt.date.today()})
    if request.method == "POST" and form.is_valid():
        leaving_care.record_pathway_review(
            person,
            reviewed_on=form.cleaned_data["reviewed_on"],
            summary=form.cleaned_data["summary"],
            user=acting_user(request),
        )
        messages.success(request, "The pathway plan review is recorded")
        return redirect("workplace:young-person", person.pk)
    return _form_page(request, person, form, "Record a pathway plan review")


@guard(WP, Action.CHANGE)
def letter_new(request: HttpRequest, pk: int) -> HttpResponse:
    person = visible_person(request, pk, Action.CHANGE)
    eligible = person.legal_status in (
        YoungPerson.LegalStatus.RELEVANT,
        YoungPerson.LegalStatus.FORMER_RELEVANT,
        YoungPerson.LegalStatus.ELIGIBLE,
    )
    form = forms.LetterForm(request.POST or None)
    if request.method == "POST" and eligible and form.is_valid():
        letter = leaving_care.issue_status_letter(
            person, form.cleaned_data["addressed_to"], acting_user(request)
        )
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
