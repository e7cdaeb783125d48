"""Practitioners' pages for referrals: the start page, the live queue, the cases list, taking a
referral and a family's record."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from alliance.access.policy import Action, Area, can, get_visible_or_404, guard
from alliance.audit import services as audit
from alliance.common.query_values import whole_number
from alliance.edgeofcare import (
    family_postcodes,
    forms,
    live_queue,
    outcomes,
    referrals,
    retention,
    returns_data,
    targets,
    workers,
)
from alliance.edgeofcare.errors import EdgeOfCareError, message_of
from alliance.edgeofcare.models import Goal, Referral, ServiceAllocation
from alliance.edgeofcare.views.shared import (
    error_summary,
    no_council_page,
    practitioner_council,
    record_listed,
    visible_referrals,
)
from alliance.organisations.models import Organisation


@guard(Area.EDGE_OF_CARE_FIGURES)
def index(request: HttpRequest) -> HttpResponse:
    """The service's start page for practitioners; a director of children's services or an
    analyst, whose job is the figures, not the families, is taken to the figures."""
    if not can(request.user, Area.EDGE_OF_CARE):
        return redirect("edgeofcare:dashboard")
    referrals = visible_referrals(request)
    counts = referrals.aggregate(
        waiting=Count("id", filter=Q(status=Referral.Status.AWAITING_CONTACT)),
        overdue=Count(
            "id", filter=Q(status=Referral.Status.AWAITING_CONTACT, due_at__lt=timezone.now())
        ),
        triage=Count("id", filter=Q(status=Referral.Status.AWAITING_TRIAGE)),
        open=Count("id", filter=Q(status=Referral.Status.OPEN)),
        mine=Count(
            "id",
            filter=Q(allocated_worker_id=request.user.pk) & ~Q(status=Referral.Status.CLOSED),
        ),
    )
    return render(
        request,
        "edgeofcare/index.html",
        {"title": "Edge of Care", "counts": counts, "council": practitioner_council(request)},
    )


@guard(Area.EDGE_OF_CARE)
def queue(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = live_queue.queue(visible_referrals(request), now)
    record_listed(request, "Families waiting for first contact", [row.referral for row in rows])
    return render(
        request,
        "edgeofcare/queue.html",
        {"title": "Families waiting for first contact", "rows": rows, "now": now},
    )


@guard(Area.EDGE_OF_CARE)
def cases(request: HttpRequest) -> HttpResponse:
    council = practitioner_council(request, action=Action.VIEW)
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()[:40]
    worker = request.GET.get("worker", "")
    qs = visible_referrals(request)
    if status in Referral.Status.values:
        qs = qs.filter(status=status)
    if worker == "me":
        qs = qs.filter(allocated_worker_id=request.user.pk)
    elif worker == "none":
        qs = qs.filter(allocated_worker__isnull=True)
    elif (worker_id := whole_number(worker)) is not None:
        qs = qs.filter(allocated_worker_id=worker_id)
    if q:
        ref = whole_number(q.upper().removeprefix("EOC-").lstrip("0"))
        cond = Q(postcode__istartswith=q) | Q(children__last_name__iexact=q)
        if ref is not None:
            cond |= Q(pk=ref)
        qs = qs.filter(cond).distinct()
    page = Paginator(
        qs.order_by("-received_at")
        .select_related("allocated_worker")
        .only(
            "id",
            "received_at",
            "status",
            "urgency",
            "postcode",
            "risk",
            "allocated_worker__full_name",
            "allocated_worker__first_name",
            "allocated_worker__last_name",
            "allocated_worker__username",
        ),
        50,
    ).get_page(request.GET.get("page"))
    # a search by surname, postcode or reference shows full postcodes: audited, with what was
    # asked (the audit log is where a search should be seen, not the access log)
    record_listed(
        request,
        "Case search",
        list(page.object_list),
        status=status,
        worker=worker,
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
            "worker": worker,
            "workers": list(workers.workers(council)) if council else [],
        },
    )


@guard(Area.EDGE_OF_CARE, Action.CHANGE)
def referral_new(request: HttpRequest) -> HttpResponse:
    council = practitioner_council(request)
    if council is None:
        return no_council_page(request)
    duplicates: list[Referral] = []
    error: str | None = None
    outside: str | None = None
    if request.method == "POST":
        form = forms.ReferralForm(request.POST)
        children = forms.ChildFormSet(request.POST, prefix="child")
        members = forms.MemberFormSet(request.POST, prefix="member")
        valid = form.is_valid() & children.is_valid() & members.is_valid()
        kids = [c for c in children if c.is_valid() and not c.cleaned_data.get("_empty", True)]
        if valid and not kids:
            error = "Add at least one child: their name and date of birth"
            valid = False
        if form.is_valid():
            outside = _outside_the_council(council, form)
            if outside and not form.cleaned_data["outside_area_ok"]:
                valid = False
            valid = valid and form.is_valid()
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
                error = message_of(exc)
            else:
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
    errors = error_summary(form, children, members)
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
            "outside": outside,
            "council": council,
        },
    )


def _outside_the_council(council: Organisation, form: forms.ReferralForm) -> str | None:
    """Check the family's postcode exists (an error on the form when it does not) and say whose
    area it is in when that is not the council's. Families do live out of area for a while
    (with relatives, in a refuge, in temporary housing) and still need the service, so an
    outside postcode is a warning the practitioner confirms, not a refusal; a postcode that
    does not exist is almost always mistyped, so that is an error to correct."""
    postcode = form.cleaned_data["postcode"]
    place = family_postcodes.locate(council, postcode)
    if place.where is family_postcodes.Where.UNKNOWN:
        form.add_error(
            "postcode",
            f"{postcode} is not in the ONS Postcode Directory: check the family's postcode",
        )
        return None
    if place.where is family_postcodes.Where.OUTSIDE:
        return f"{postcode} is in {family_postcodes.area_name(place)}, not {council}'s"
    return None


@guard(Area.EDGE_OF_CARE)
def referral(request: HttpRequest, pk: int) -> HttpResponse:
    # A fixed number of queries however many children, contacts and outcomes the family has.
    r = get_visible_or_404(
        request,
        Referral.objects.select_related("organisation", "allocated_worker").prefetch_related(
            "members"
        ),
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
    in_care = returns_data.care_episodes(r.organisation, [c.la_child_id for c in children])
    for child in children:
        child.episodes = in_care.get(child.la_child_id, [])  # type: ignore[attr-defined]
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
