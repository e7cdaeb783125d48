"""Edge of Care pages. Practitioners (Area.EDGE_OF_CARE) run the service on their own council's
records; leaders and analysts (Area.INSIGHT) see the dashboard and the evaluation, which show no
family's details."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone

from alliance.access.policy import Action, Area, get_visible_or_404, guard, scope, visible_to
from alliance.audit import services as audit
from alliance.common.charts import Series, bar_chart, line_chart
from alliance.common.exports import csv_response
from alliance.edgeofcare import (
    comparison,
    figures,
    forms,
    live_queue,
    outcomes,
    placement_costs,
    referrals,
    retention,
    targets,
    waiting_lists,
)
from alliance.edgeofcare.errors import EdgeOfCareError
from alliance.edgeofcare.models import (
    AllocationMethod,
    Child,
    Goal,
    Referral,
    Service,
    ServiceAllocation,
)
from alliance.organisations.models import Organisation


def _council(
    request: HttpRequest, area: Area = Area.EDGE_OF_CARE, action: Action = Action.CHANGE
) -> Organisation | None:
    """The council whose service this person runs (their first council with the grant)."""
    s = scope(request.user, area, action)
    qs = Organisation.objects.filter(kind=Organisation.Kind.COUNCIL)
    if not s.everything:
        qs = qs.filter(pk__in=s.organisation_ids)
    return qs.order_by("name").first()


def _no_council(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "edgeofcare/no_council.html",
        {"title": "Edge of Care is run by councils"},
        status=403,
    )


def _referrals(request: HttpRequest, area: Area = Area.EDGE_OF_CARE) -> QuerySet[Referral]:
    return visible_to(request.user, Referral.objects.all(), area)


def _referral(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> Referral:
    return get_visible_or_404(request, Referral.objects.all(), Area.EDGE_OF_CARE, action, pk=pk)


def _posted(request: HttpRequest) -> Any:
    """The POST data to bind a form to (even when empty, so a blank submission shows errors)."""
    return request.POST if request.method == "POST" else None


def _errors(*forms_: Any) -> list[dict[str, str]]:
    """One error summary for a page with several forms (formsets included)."""
    items = []
    for form in forms_:
        if form is None:
            continue
        subforms = list(form) if hasattr(form, "management_form") else [form]
        if hasattr(form, "non_form_errors"):
            items += [{"text": e, "href": "#children"} for e in form.non_form_errors()]
        for sub in subforms:
            for e in sub.non_field_errors():
                items.append({"text": e, "href": "#main-content"})
            for bf in sub:
                for e in bf.errors:
                    items.append({"text": e, "href": "#" + bf.auto_id})
    return items


@guard(Area.EDGE_OF_CARE)
def index(request: HttpRequest) -> HttpResponse:
    referrals = _referrals(request)
    counts = referrals.aggregate(
        waiting=Count("id", filter=Q(status=Referral.Status.AWAITING_CONTACT)),
        overdue=Count(
            "id", filter=Q(status=Referral.Status.AWAITING_CONTACT, due_at__lt=timezone.now())
        ),
        triage=Count("id", filter=Q(status=Referral.Status.AWAITING_TRIAGE)),
        open=Count("id", filter=Q(status=Referral.Status.OPEN)),
    )
    return render(
        request,
        "edgeofcare/index.html",
        {"title": "Edge of Care", "counts": counts, "council": _council(request)},
    )


@guard(Area.EDGE_OF_CARE)
def queue(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = live_queue.queue(_referrals(request), now)
    _listed(request, "Families waiting for first contact", [row.referral for row in rows])
    return render(
        request,
        "edgeofcare/queue.html",
        {"title": "Families waiting for first contact", "rows": rows, "now": now},
    )


@guard(Area.EDGE_OF_CARE)
def cases(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()[:40]
    qs = _referrals(request)
    if status in Referral.Status.values:
        qs = qs.filter(status=status)
    if q:
        ref = q.upper().removeprefix("EOC-").lstrip("0")
        cond = Q(postcode__istartswith=q) | Q(children__last_name__iexact=q)
        if ref.isdigit():
            cond |= Q(pk=int(ref))
        qs = qs.filter(cond).distinct()
    page = Paginator(
        qs.order_by("-received_at").only(
            "id", "received_at", "status", "urgency", "postcode", "risk"
        ),
        50,
    ).get_page(request.GET.get("page"))
    # a search by surname, postcode or reference shows full postcodes: audited, with what was
    # asked (the audit log is where a search should be seen, not the access log)
    _listed(
        request,
        "Case search",
        list(page.object_list),
        status=status,
        searched=q,
        page=page.number,
    )
    return render(
        request,
        "edgeofcare/cases.html",
        {
            "title": "Cases",
            "page": page,
            "status": status,
            "q": q,
            "statuses": Referral.Status.choices,
        },
    )


@guard(Area.EDGE_OF_CARE, Action.CHANGE)
def referral_new(request: HttpRequest) -> HttpResponse:
    council = _council(request)
    if council is None:
        return _no_council(request)
    duplicates: list[Referral] = []
    error: str | None = None
    if request.method == "POST":
        form = forms.ReferralForm(request.POST)
        children = forms.ChildFormSet(request.POST, prefix="child")
        members = forms.MemberFormSet(request.POST, prefix="member")
        valid = form.is_valid() & children.is_valid() & members.is_valid()
        kids = [c for c in children if c.is_valid() and not c.cleaned_data.get("_empty", True)]
        if valid and not kids:
            error = "Add at least one child: their name and date of birth"
            valid = False
        if valid:
            duplicates = referrals.find_duplicates(
                council,
                form.cleaned_data["postcode"],
                [
                    referrals.ChildDetails(
                        c.cleaned_data["first_name"],
                        c.cleaned_data["last_name"],
                        c.cleaned_data["date_of_birth"],
                    )
                    for c in kids
                ],
            )
            if duplicates and not form.cleaned_data["not_a_duplicate"]:
                valid = False
        if valid:
            fields = {
                k: form.cleaned_data[k]
                for k in (
                    "referrer_type",
                    "referrer_name",
                    "referrer_contact",
                    "address_line_1",
                    "address_town",
                    "postcode",
                    "needs",
                    "risk",
                    "urgency",
                    "consent_basis",
                    "summary",
                )
            }
            try:
                referral = referrals.create_referral(
                    council,
                    request.user,
                    fields,
                    [c.child_fields() for c in kids],
                    [
                        {
                            "name": m.cleaned_data["name"],
                            "relationship": m.cleaned_data["relationship"],
                        }
                        for m in members
                        if m.cleaned_data.get("name")
                    ],
                )
            except EdgeOfCareError as exc:
                error = str(exc)
            else:
                audit.record(request, audit.Action.CREATE, referral)
                messages.success(
                    request,
                    f"Referral {referral.reference} saved. First contact is due by "
                    f"{timezone.localtime(referral.due_at):%-d %B at %H:%M}.",
                )
                return redirect("edgeofcare:referral", pk=referral.pk)
    else:
        form = forms.ReferralForm()
        children = forms.ChildFormSet(prefix="child")
        members = forms.MemberFormSet(prefix="member")
    errors = _errors(form, children, members)
    if error:
        errors.insert(0, {"text": error, "href": "#children"})
    return render(
        request,
        "edgeofcare/referral_form.html",
        {
            "title": "Make a referral",
            "form": form,
            "children": children,
            "members": members,
            "errors": errors,
            "duplicates": duplicates,
            "council": council,
        },
    )


@guard(Area.EDGE_OF_CARE)
def referral(request: HttpRequest, pk: int) -> HttpResponse:
    # A fixed number of queries however many children, contacts and outcomes the family has.
    r = get_visible_or_404(
        request,
        Referral.objects.select_related("organisation").prefetch_related("members"),
        Area.EDGE_OF_CARE,
        Action.VIEW,
        pk=pk,
    )
    audit.record(request, audit.Action.VIEW, r)
    allocations = list(r.allocations.select_related("service"))
    children = list(r.children.prefetch_related("outcomes"))
    for child in children:
        child.points = [  # type: ignore[attr-defined]
            (
                m,
                outcomes.outcome_due_on(child, m),
                next((o for o in child.outcomes.all() if o.months == m), None),
            )
            for m in (3, 6, 12, 21)
        ]
    now = timezone.now()
    return render(
        request,
        "edgeofcare/referral.html",
        {
            "title": f"Referral {r.reference}",
            "r": r,
            "children": children,
            "allocations": allocations,
            "contacts": list(r.contacts.select_related("allocation__service")[:50]),
            "goals": list(r.goals.select_related("allocation__service")),
            "reviews": list(r.reviews.all()),
            "minutes_left": int((r.due_at - now).total_seconds() // 60),
            "today": timezone.localdate(),
            "goal_statuses": Goal.Status.choices,
            "progress_choices": ServiceAllocation.Progress.choices,
            "retain_until": retention.retain_until(
                r, targets.council_settings(r.organisation), [c.date_of_birth for c in children]
            ),
        },
    )


def _shown_with(form: Any) -> dict[str, Any]:
    return {"errors": sorted(form.errors)} if form.is_bound else {}


def _listed(request: HttpRequest, what: str, referrals: list[Any], **detail: Any) -> None:
    """A list of families (references, postcodes, urgency) is a view of their data: one audit
    row naming the cases shown."""
    audit.record(
        request,
        audit.Action.QUERY,
        object_type="edgeofcare.Referral",
        object_repr=what,
        detail={"shown": [r.pk for r in referrals], **detail},
    )


def _case_form_page(
    request: HttpRequest, r: Referral, template: str, title: str, form: Any, **extra: Any
) -> HttpResponse:
    """A form on a family's case shows the case (names, address, children): audited as a view,
    as the case page is."""
    audit.record(
        request,
        audit.Action.VIEW,
        r,
        detail={"form": template.rsplit("/", 1)[-1], "path": request.path, **_shown_with(form)},
    )
    return render(
        request,
        template,
        {"title": title, "r": r, "form": form, "errors": _errors(form), **extra},
    )


@guard(Area.EDGE_OF_CARE, Action.CHANGE)
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    r = _referral(request, pk, Action.CHANGE)
    allocations = list(
        r.allocations.exclude(status=ServiceAllocation.Status.ENDED).select_related("service")
    )
    form = forms.ContactForm(_posted(request), allocations=allocations)
    if request.method == "POST" and form.is_valid():
        allocation = next(
            (a for a in allocations if str(a.pk) == form.cleaned_data["allocation"]), None
        )
        try:
            referrals.record_contact(
                r,
                request.user,
                form.cleaned_data["kind"],
                form.happened_at(),
                form.cleaned_data["notes"],
                allocation,
            )
        except EdgeOfCareError as exc:
            form.add_error("date", str(exc))
        else:
            audit.record(request, audit.Action.CHANGE, r, detail={"added": "contact"})
            messages.success(request, "Contact recorded")
            return redirect("edgeofcare:referral", pk=r.pk)
    return _case_form_page(
        request, r, "edgeofcare/contact_form.html", "Record a contact or visit", form
    )


@guard(Area.EDGE_OF_CARE, Action.CHANGE)
def triage(request: HttpRequest, pk: int) -> HttpResponse:
    r = _referral(request, pk, Action.CHANGE)
    catalogue = list(Service.objects.filter(organisation=r.organisation, active=True))
    taken = waiting_lists.places_taken(catalogue)
    randomised = r.allocation_method == AllocationMethod.RANDOM
    form = forms.TriageForm(
        _posted(request), services=catalogue, randomised=randomised, taken=taken
    )
    if request.method == "POST" and form.is_valid():
        chosen = [s for s in catalogue if str(s.pk) in form.cleaned_data["services"]]
        try:
            made = referrals.triage(
                r,
                chosen,
                waiting_list_ok=form.cleaned_data["waiting_list_ok"],
                arm=form.cleaned_data.get("arm", ""),
            )
        except EdgeOfCareError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            audit.record(
                request, audit.Action.CHANGE, r, detail={"triage": [a.service.name for a in made]}
            )
            waiting = [a.service.name for a in made if a.status == ServiceAllocation.Status.WAITING]
            text = (
                "Family allocated to " + ", ".join(a.service.name for a in made)
                if made
                else "Triage recorded"
            )
            if waiting:
                text += f". On the waiting list for {', '.join(waiting)}"
            messages.success(request, text)
            return redirect("edgeofcare:referral", pk=r.pk)
    return _case_form_page(
        request,
        r,
        "edgeofcare/triage_form.html",
        "Triage and allocate services",
        form,
        method=r.get_allocation_method_display(),
    )


@guard(Area.EDGE_OF_CARE, Action.CHANGE)
def allocation_update(request: HttpRequest, pk: int, allocation_pk: int) -> HttpResponse:
    r = _referral(request, pk, Action.CHANGE)
    allocation = get_visible_or_404(
        request,
        ServiceAllocation.objects.filter(referral=r),
        Area.EDGE_OF_CARE,
        Action.CHANGE,
        via="referral__organisation",
        pk=allocation_pk,
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "start":
                waiting_lists.start_from_waiting_list(allocation)
                messages.success(request, f"{allocation.service.name} has started with the family")
            elif action == "end":
                waiting_lists.end_allocation(allocation)
                messages.success(request, f"{allocation.service.name} has ended for the family")
            elif action == "progress":
                progress_form = forms.ProgressForm(request.POST)
                if progress_form.is_valid():
                    allocation.progress = progress_form.cleaned_data["progress"]
                    allocation.save(update_fields=["progress"])
                    messages.success(request, "Progress updated")
        except EdgeOfCareError as exc:
            messages.error(request, str(exc))
        else:
            audit.record(
                request,
                audit.Action.CHANGE,
                r,
                detail={"allocation": allocation.pk, "action": action},
            )
    return redirect("edgeofcare:referral", pk=r.pk)


@guard(Area.EDGE_OF_CARE, Action.CHANGE)
def goal_add(request: HttpRequest, pk: int) -> HttpResponse:
    r = _referral(request, pk, Action.CHANGE)
    allocations = list(r.allocations.select_related("service"))
    form = forms.GoalForm(_posted(request), allocations=allocations)
    if request.method == "POST" and form.is_valid():
        allocation = next(
            (a for a in allocations if str(a.pk) == form.cleaned_data["allocation"]), None
        )
        r.goals.create(description=form.cleaned_data["description"], allocation=allocation)
        audit.record(request, audit.Action.CHANGE, r, detail={"added": "goal"})
        messages.success(request, "Goal added to the plan")
        return redirect("edgeofcare:referral", pk=r.pk)
    return _case_form_page(
        request, r, "edgeofcare/simple_form.html", "Add a goal to the plan", form
    )


@guard(Area.EDGE_OF_CARE, Action.CHANGE)
def goal_update(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    r = _referral(request, pk, Action.CHANGE)
    goal = get_visible_or_404(
        request,
        Goal.objects.filter(referral=r),
        Area.EDGE_OF_CARE,
        Action.CHANGE,
        via="referral__organisation",
        pk=goal_pk,
    )
    form = forms.GoalStatusForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        goal.status = form.cleaned_data["status"]
        goal.save(update_fields=["status"])
        audit.record(
            request, audit.Action.CHANGE, r, detail={"goal": goal.pk, "status": goal.status}
        )
        messages.success(request, "Goal updated")
    return redirect("edgeofcare:referral", pk=r.pk)


@guard(Area.EDGE_OF_CARE, Action.CHANGE)
def review_add(request: HttpRequest, pk: int) -> HttpResponse:
    r = _referral(request, pk, Action.CHANGE)
    form = forms.ReviewForm(_posted(request), received=timezone.localdate(r.received_at))
    if request.method == "POST" and form.is_valid():
        r.reviews.create(**form.cleaned_data)
        audit.record(request, audit.Action.CHANGE, r, detail={"added": "review"})
        messages.success(request, "Review recorded")
        return redirect("edgeofcare:referral", pk=r.pk)
    return _case_form_page(request, r, "edgeofcare/simple_form.html", "Record a review", form)


@guard(Area.EDGE_OF_CARE, Action.CHANGE)
def close(request: HttpRequest, pk: int) -> HttpResponse:
    r = _referral(request, pk, Action.CHANGE)
    form = forms.CloseForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            referrals.close_referral(r, form.cleaned_data["reason"], form.cleaned_data["notes"])
        except EdgeOfCareError as exc:
            form.add_error(None, str(exc))
        else:
            audit.record(request, audit.Action.CHANGE, r, detail={"closed": r.closure_reason})
            messages.success(request, f"Case {r.reference} closed")
            return redirect("edgeofcare:referral", pk=r.pk)
    return _case_form_page(
        request, r, "edgeofcare/simple_form.html", "Close the case", form, button="Close the case"
    )


@guard(Area.EDGE_OF_CARE, Action.CHANGE)
def outcome(request: HttpRequest, pk: int, child_pk: int) -> HttpResponse:
    r = _referral(request, pk, Action.CHANGE)
    child = get_visible_or_404(
        request,
        Child.objects.filter(referral=r),
        Area.EDGE_OF_CARE,
        Action.CHANGE,
        via="referral__organisation",
        pk=child_pk,
    )
    wanted = request.GET.get("months", "")
    months = int(wanted) if wanted.isdigit() and len(wanted) < 3 else 0
    initial: dict[str, Any] = {"months": months or None}
    existing = child.outcomes.filter(months=months).first() if months else None
    if existing is not None:

        def tri(value: bool | None) -> str:
            return "unknown" if value is None else ("yes" if value else "no")

        initial.update(
            checked_on=existing.checked_on,
            living_at_home=tri(existing.living_at_home),
            same_school=tri(existing.same_school),
            entered_care=tri(existing.entered_care),
            re_referred=tri(existing.re_referred),
            notes=existing.notes,
        )
    form = forms.OutcomeForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            outcomes.record_outcome(child, form.cleaned_data["months"], form.values())
        except EdgeOfCareError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            audit.record(request, audit.Action.CHANGE, r, detail={"outcome": child.pk})
            messages.success(request, f"Outcome recorded for {child.first_name}")
            return redirect("edgeofcare:referral", pk=r.pk)
    return _case_form_page(
        request,
        r,
        "edgeofcare/simple_form.html",
        f"Record an outcome for {child.first_name} {child.last_name}",
        form,
    )


@guard(Area.EDGE_OF_CARE)
def service_list(request: HttpRequest) -> HttpResponse:
    s = scope(request.user, Area.EDGE_OF_CARE)
    rows = figures.services_in_use(None if s.everything else s.organisation_ids)
    waiting = (
        ServiceAllocation.objects.filter(
            status=ServiceAllocation.Status.WAITING, service__in=[r["service"] for r in rows]
        )
        .select_related("service", "referral")
        .order_by("allocated_at")
    )
    _listed(request, "Families waiting for a service", [a.referral for a in waiting])
    return render(
        request, "edgeofcare/services.html", {"title": "Services", "rows": rows, "waiting": waiting}
    )


@guard(Area.EDGE_OF_CARE, Action.CHANGE)
def service_edit(request: HttpRequest, service_pk: int | None = None) -> HttpResponse:
    council = _council(request)
    if council is None:
        return _no_council(request)
    instance = (
        get_visible_or_404(
            request, Service.objects.all(), Area.EDGE_OF_CARE, Action.CHANGE, pk=service_pk
        )
        if service_pk
        else Service(organisation=council)
    )
    form = forms.ServiceForm(_posted(request), instance=instance)
    if request.method == "POST" and form.is_valid():
        if (
            Service.objects.filter(
                organisation=instance.organisation, name=form.cleaned_data["name"]
            )
            .exclude(pk=instance.pk)
            .exists()
        ):
            form.add_error("name", "There is already a service with this name")
        else:
            form.save()
            audit.record(
                request, audit.Action.CHANGE if service_pk else audit.Action.CREATE, instance
            )
            messages.success(request, f"{instance.name} saved")
            return redirect("edgeofcare:services")
    return render(
        request,
        "edgeofcare/simple_form.html",
        {
            "title": "Change a service" if service_pk else "Add a service",
            "form": form,
            "errors": _errors(form),
            "back": "edgeofcare:services",
        },
    )


@guard(Area.EDGE_OF_CARE, Action.CHANGE)
def council_settings(request: HttpRequest) -> HttpResponse:
    council = _council(request)
    if council is None:
        return _no_council(request)
    cs = targets.council_settings(council)
    hours = targets.target_hours(council)
    post = request.POST if request.method == "POST" else None
    settings_form = forms.SettingsForm(post, instance=cs, prefix="s")
    targets_form = forms.TargetsForm(post, hours=hours, prefix="t")
    if post is not None and settings_form.is_valid() & targets_form.is_valid():
        settings_form.save()
        targets.set_target_hours(council, targets_form.cleaned_data)
        audit.record(request, audit.Action.CHANGE, cs)
        messages.success(request, "Settings saved")
        return redirect("edgeofcare:settings")
    return render(
        request,
        "edgeofcare/settings.html",
        {
            "title": "Edge of Care settings",
            "settings_form": settings_form,
            "targets_form": targets_form,
            "errors": _errors(settings_form, targets_form),
            "council": council,
        },
    )


# ---------------------------------------------------------------- insight (no family details)


def _insight_council(request: HttpRequest) -> Organisation | None:
    """The council the dashboard is about: ?council=<id> among those the person reaches, or
    the first that runs the service."""
    s = scope(request.user, Area.INSIGHT)
    qs = Organisation.objects.filter(
        Exists(Referral.objects.filter(organisation=OuterRef("pk"))),
        kind=Organisation.Kind.COUNCIL,
    )
    if not s.everything:
        qs = qs.filter(pk__in=s.organisation_ids)
    wanted = request.GET.get("council", "")
    if wanted.isdigit():
        found = qs.filter(pk=int(wanted)).first()
        if found:
            return found
    return qs.order_by("name").first()


@guard(Area.INSIGHT)
def dashboard(request: HttpRequest) -> HttpResponseBase:
    council = _insight_council(request)
    if council is None:
        return render(
            request,
            "edgeofcare/dashboard.html",
            {"title": "Edge of Care dashboard", "council": None},
        )
    # Every figure is a bounded number of grouped queries (no per-row work), and the rolling
    # ones cover the last twelve months, so the page costs the same after five years as after one.
    referrals = Referral.objects.filter(organisation=council)
    now = timezone.now()
    since = figures.last_twelve_months(now)
    monthly = figures.monthly_referrals(referrals)
    targets = figures.target_figures(referrals, now, since)
    in_use = figures.services_in_use([council.pk])
    outcomes = figures.outcome_figures(council)
    closures = figures.closure_figures(referrals, since)
    if request.GET.get("format") == "csv":
        audit.record(
            request,
            audit.Action.EXPORT,
            object_type="edgeofcare.Dashboard",
            object_repr=f"Edge of Care figures, {council}",
            organisation_id=council.pk,
        )
        rows: list[list[Any]] = []
        for label, n in monthly:
            rows.append(["referrals", label, n])
        for t in targets:
            rows.append(["first contacts on time, last 12 months", t["urgency"], t["met"]])
            rows.append(["first contacts late, last 12 months", t["urgency"], t["missed"]])
            rows.append(["waiting and overdue", t["urgency"], t["waiting_overdue"]])
        for row in in_use:
            rows.append(["families with service", row["service"].name, row["active"]])
            rows.append(["families waiting", row["service"].name, row["waiting"]])
        for o in outcomes:
            for k in ("checked", "at_home", "same_school", "in_care", "re_referred"):
                rows.append([f"outcome {k}", f"{o['months']} months", o[k]])
        for label, n in closures:
            rows.append(["cases closed in the last 12 months", label, n])
        return csv_response(f"edge-of-care-{council.slug}.csv", ["measure", "group", "value"], rows)
    chart = line_chart(
        "Referrals each month",
        f"Referrals to Edge of Care in {council} over the last 12 months",
        [m[:3] + " " + m[-2:] for m, _ in monthly],  # "Dec 25": room for twelve on the axis
        [Series("Referrals", [float(n) for _, n in monthly])],
    )
    services_chart = bar_chart(
        "Families working with each service",
        "Families each service is working with now",
        [row["service"].name for row in in_use],
        [float(row["active"]) for row in in_use],
    )
    return render(
        request,
        "edgeofcare/dashboard.html",
        {
            "title": "Edge of Care dashboard",
            "council": council,
            "monthly": monthly,
            "chart": chart,
            "services_chart": services_chart,
            "targets": targets,
            "in_use": in_use,
            "outcomes": outcomes,
            "closures": closures,
            "total": referrals.count(),
        },
    )


@guard(Area.INSIGHT)
def evaluation(request: HttpRequest) -> HttpResponse:
    council = _insight_council(request)
    years: list[int] = []
    result = None
    costs = None
    year = None
    if council is not None:
        years = sorted(
            {
                d.year
                for d in Referral.objects.filter(organisation=council).dates("received_at", "year")
            },
            reverse=True,
        )
        wanted = request.GET.get("year", "")
        year = (
            int(wanted)
            if wanted.isdigit() and int(wanted) in years
            else (years[1] if len(years) > 1 else (years[0] if years else None))
        )
        if year is not None:
            result = comparison.evaluate(council, year)
            if result.result is not None:
                kept_out = -result.result.difference * result.result.n_treated
                costs = placement_costs.costs_avoided(council, kept_out)
    return render(
        request,
        "edgeofcare/evaluation.html",
        {
            "title": "Does Edge of Care keep children out of care?",
            "council": council,
            "years": years,
            "year": year,
            "outcome": result,
            "costs": costs,
            "can_edit_costs": council is not None
            and scope(request.user, Area.EDGE_OF_CARE, Action.CHANGE).includes(council.pk),
        },
    )


@guard(Area.EDGE_OF_CARE, Action.CHANGE)
def unit_costs(request: HttpRequest) -> HttpResponse:
    council = _council(request)
    if council is None:
        return _no_council(request)
    form = forms.CostsForm(_posted(request), costs=placement_costs.unit_costs(council))
    if request.method == "POST" and form.is_valid():
        placement_costs.set_unit_costs(council, form.pence())
        audit.record(
            request,
            audit.Action.CHANGE,
            object_type="edgeofcare.UnitCost",
            object_repr=f"Placement unit costs, {council}",
            organisation_id=council.pk,
        )
        messages.success(request, "Weekly placement costs saved")
        return redirect("edgeofcare:evaluation")
    return render(
        request,
        "edgeofcare/simple_form.html",
        {
            "title": f"Weekly placement costs, {council}",
            "form": form,
            "errors": _errors(form),
            "back": "edgeofcare:evaluation",
        },
    )
