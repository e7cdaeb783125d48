"""Pages of the improvement programme. Access: every view is guarded; lists go through
`visible_to`, records from a URL through `get_visible_or_404`; every POST that changes a record
checks `can(user, Area.PROGRAMME, Action.CHANGE, owning organisation)`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

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
from alliance.common import charts
from alliance.common.exports import csv_response, xlsx_response
from alliance.common.views import forbidden
from alliance.organisations.models import AllianceMember, Council, Organisation
from alliance.programme import editing, forecast, forms, needs, services
from alliance.programme.models import (
    BudgetLine,
    ChangeRecord,
    Engagement,
    Match,
    Milestone,
    Partner,
    PracticeItem,
    Programme,
    QuarterlyReview,
    SpendEntry,
)
from alliance.programme.quarters import quarters

# Who reaches an engagement: the supported council, the alliance running it, and the alliance's
# own partner councils (the people doing the work).
ENGAGEMENT_VIA = editing.ENGAGEMENT_VIA


def _today() -> dt.date:
    return dt.date.today()


def _apply_errors(form: Any, error: ValidationError) -> None:
    """A service's refusal onto the form: a field's message beside the field, anything else at the
    top of the error summary."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, messages_ in error.message_dict.items():
        form.add_error(name if name in form.fields else None, messages_)


def _refuse(request: HttpRequest, area: Area, action: Action, obj: Any) -> HttpResponse:
    audit.record_denied(request, area=area, action=action, model=type(obj), lookup={"pk": obj.pk})
    return forbidden(request)


def _form_page(
    request: HttpRequest,
    form: Any,
    *,
    title: str,
    back: str,
    caption: str = "",
    button: str = "Save",
    intro: str = "",
    demo: bool = False,
    multipart: bool = False,
    remove: str = "",
    remove_text: str = "Remove it",
    details: list[tuple[str, str]] | None = None,
    warning: str = "",
) -> HttpResponse:
    return render(
        request,
        "programme/form.html",
        {
            "remove": remove,
            "remove_text": remove_text,
            "details": details or [],
            "warning": warning,
            "multipart": multipart,
            "title": title,
            "form": form,
            "back": back,
            "caption": caption,
            "button": button,
            "intro": intro,
            "demo": demo,
        },
    )


# ---------------------------------------------------------------------------------------------
# Dashboard


def _visible_engagements(request: HttpRequest) -> QuerySet[Engagement]:
    return visible_to(request.user, Engagement.objects.all(), Area.PROGRAMME, via=ENGAGEMENT_VIA)


def _programme_choice(request: HttpRequest, engagements: QuerySet[Engagement]) -> Programme | None:
    programmes = Programme.objects.filter(pk__in=engagements.values("programme_id"))
    if can(request.user, Area.PROGRAMME_SETUP):
        programmes = Programme.objects.all()
    chosen = request.GET.get("programme", "")
    if chosen.isdigit():
        found = programmes.filter(pk=int(chosen)).first()
        if found is not None:
            return found
    return programmes.order_by("-starts").first()


@guard(Area.PROGRAMME)
def index(request: HttpRequest) -> HttpResponse:
    """The dashboard: an alliance lead sees the engagements their alliance runs; the DfE sees every
    alliance; a supported council sees its own engagement."""
    today = _today()
    everything = visible_to(
        request.user, Engagement.objects.all(), Area.PROGRAMME, via=ENGAGEMENT_VIA
    )
    programme = _programme_choice(request, everything)
    engagements = everything.filter(programme=programme) if programme else everything.none()
    by_alliance = services.alliance_summary(engagements, today)
    engagement_count = sum(item["engagements"] for item in by_alliance.values())
    upcoming = list(services.upcoming_milestones(engagements, today)[:15])
    partners = visible_to(
        request.user, Partner.objects.filter(programme=programme), Area.PROGRAMME, via="alliance"
    )
    lines = BudgetLine.objects.filter(partner__in=partners)
    money = services.money_summary(lines, today)
    spend_by_alliance: dict[str, list[int]] = {}
    for line_summary in money:
        pair = spend_by_alliance.setdefault(str(line_summary.line.partner.alliance), [0, 0])
        pair[0] += line_summary.line.amount_pence
        pair[1] += line_summary.spent
    totals = {
        "red": sum(i["red"] for i in by_alliance.values()),
        "amber": sum(i["amber"] for i in by_alliance.values()),
        "green": sum(i["green"] for i in by_alliance.values()),
        "overdue": sum(i["overdue"] for i in by_alliance.values()),
        "budget": sum(i.line.amount_pence for i in money),
        "spent": sum(i.spent for i in money),
        "forecast": sum(i.forecast_to_date for i in money),
    }
    rag_chart = charts.bar_chart(
        "Open milestones by RAG status",
        "Number of open milestones rated red, amber and green",
        ["Red", "Amber", "Green"],
        [totals["red"], totals["amber"], totals["green"]],
        colours=["#d4351c", "#f47738", "#00703c"],
    )
    spend_chart = (
        charts.bar_chart(
            "Spend by alliance (£)",
            "Actual spend in pounds by alliance",
            list(spend_by_alliance),
            [v[1] / 100 for v in spend_by_alliance.values()],
        )
        if spend_by_alliance
        else None
    )
    burn = None
    if programme is not None and money:
        labels, actual, planned = services.burn_down(programme, lines, today)
        burn = {
            "labels": labels,
            "actual": actual,
            "planned": planned,
            "chart": _burn_chart(labels, actual, planned),
        }
    movement = (
        services.movement_table(services.judgement_movement(engagements))
        if engagement_count
        else []
    )
    context = {
        "title": "Improvement programme",
        "programme": programme,
        "programmes": Programme.objects.filter(pk__in=everything.values("programme_id"))
        if not can(request.user, Area.PROGRAMME_SETUP)
        else Programme.objects.all(),
        "engagement_count": engagement_count,
        "upcoming": upcoming,
        "by_alliance": by_alliance,
        "spend_by_alliance": spend_by_alliance,
        "totals": totals,
        "rag_chart": rag_chart,
        "spend_chart": spend_chart,
        "burn": burn,
        "movement": movement,
        "today": today,
        "sees_all": can(request.user, Area.PROGRAMME) and services_scope_all(request),
        "can_setup": can(request.user, Area.PROGRAMME_SETUP),
        "may_export": can(request.user, Area.PROGRAMME, Action.EXPORT),
    }
    return render(request, "programme/index.html", context)


def services_scope_all(request: HttpRequest) -> bool:
    from alliance.access.policy import scope

    return scope(request.user, Area.PROGRAMME).everything


@guard(Area.PROGRAMME, Action.EXPORT)
def dashboard_csv(request: HttpRequest) -> HttpResponseBase:
    today = _today()
    everything = _visible_engagements(request)
    programme = _programme_choice(request, everything)
    engagements = everything.filter(programme=programme) if programme else everything.none()
    rows = services.engagement_rows(engagements, today)
    moved = {m["engagement_id"]: m for m in services.judgement_movement(engagements)}
    header = [
        "Programme",
        "Alliance",
        "Supported council",
        "Region",
        "Starts",
        "Ends",
        "Status",
        "Red",
        "Amber",
        "Green",
        "Overdue",
        "Next milestone due",
        "Spend (£)",
        "Judgement at the start",
        "Next judgement",
        "Next judgement published",
        "Demo data",
    ]
    lines = [
        [
            e.programme.name,
            e.alliance.name,
            e.supported_council.name,
            e.supported_council.region.name,
            e.starts.isoformat(),
            e.ends.isoformat(),
            e.get_status_display(),
            row.red,
            row.amber,
            row.green,
            row.overdue,
            row.next_due.isoformat() if row.next_due else "",
            Decimal(row.spent).scaleb(-2),  # pounds, as a number: exact to the penny
            moved[e.pk]["before"],
            moved[e.pk]["after"],
            moved[e.pk]["after_published"].isoformat() if moved[e.pk]["after_published"] else "",
            "fictional" if e.is_demo else "",
        ]
        for row in rows
        for e in [row.engagement]
    ]
    audit.record(
        request, audit.Action.EXPORT, object_type="programme.Engagement", detail={"rows": len(rows)}
    )
    return csv_response("programme-engagements.csv", header, lines)


# ---------------------------------------------------------------------------------------------
# Programme set-up (DfE, administrators)


@guard(Area.PROGRAMME_SETUP)
def setup(request: HttpRequest) -> HttpResponse:
    programmes = Programme.objects.annotate(n_partners=Count("partners", distinct=True))
    return render(
        request,
        "programme/setup.html",
        {
            "title": "Programme set-up",
            "programmes": programmes,
            "can_change": can(request.user, Area.PROGRAMME_SETUP, Action.CHANGE),
        },
    )


@guard(Area.PROGRAMME_SETUP, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def programme_new(request: HttpRequest) -> HttpResponse:
    form = forms.ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        dfe = Organisation.objects.filter(kind=Organisation.Kind.DFE).first()
        owner = dfe or request.user.memberships.first().organisation  # type: ignore[union-attr]
        programme = Programme.objects.create(
            organisation=owner,
            name=form.cleaned_data["name"],
            starts=form.cleaned_data["starts"],
            ends=form.cleaned_data["ends"],
            grant_total_pence=form.cleaned_data["grant_total"],
        )
        services.record_change(
            user=request.user,
            obj=programme,
            programme=programme,
            organisation_id=owner.pk,
            before=None,
            after=services.snapshot(programme, ("name", "starts", "ends", "grant_total_pence")),
            request=request,
        )
        messages.success(request, f"{programme.name} created")
        return redirect("programme:programme", programme.pk)
    return _form_page(
        request,
        form,
        title="Set up a programme",
        back=reverse("programme:setup"),
        button="Create programme",
    )


@guard(Area.PROGRAMME_SETUP)
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_visible_or_404(request, Programme.objects.all(), Area.PROGRAMME_SETUP, pk=pk)
    partners = (
        programme.partners.select_related("alliance")
        .prefetch_related(
            Prefetch(
                "alliance__alliance_members",
                queryset=AllianceMember.objects.select_related("council"),
            )
        )
        .annotate(n_matches=Count("matches", distinct=True))
    )
    matches = (
        programme.matches.select_related("council", "partner__alliance", "confirmed_by")
        .prefetch_related("engagement")
        .annotate(started=Exists(Engagement.objects.filter(match=OuterRef("pk"))))
    )
    return render(
        request,
        "programme/programme.html",
        {
            "title": programme.name,
            "programme": programme,
            "partners": partners,
            "matches": matches,
            "totals": services.programme_totals(programme),
            "can_change": can(request.user, Area.PROGRAMME_SETUP, Action.CHANGE),
        },
    )


@guard(Area.PROGRAMME_SETUP, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def partner_edit(request: HttpRequest, pk: int, partner_pk: int | None = None) -> HttpResponse:
    programme = get_visible_or_404(
        request, Programme.objects.all(), Area.PROGRAMME_SETUP, Action.CHANGE, pk=pk
    )
    partner = (
        get_visible_or_404(
            request,
            programme.partners.all(),
            Area.PROGRAMME_SETUP,
            Action.CHANGE,
            via="alliance",
            pk=partner_pk,
        )
        if partner_pk
        else None
    )
    initial = (
        {
            "alliance": partner.alliance_id,
            "grant_share": partner.grant_share_pence,
            "capacity": partner.capacity,
            "innovation_project": partner.innovation_project,
        }
        if partner
        else {}
    )
    form = forms.PartnerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        target = partner or Partner(programme=programme)
        target.alliance = form.cleaned_data["alliance"]
        target.grant_share_pence = form.cleaned_data["grant_share"]
        target.capacity = form.cleaned_data["capacity"]
        target.innovation_project = form.cleaned_data["innovation_project"]
        if partner is None and programme.partners.filter(alliance=target.alliance).exists():
            form.add_error("alliance", f"{target.alliance} is already a partner in this programme")
        else:
            try:
                services.save_partner(target, user=request.user, request=request)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, f"{target.alliance} saved")
                return redirect("programme:programme", programme.pk)
    return _form_page(
        request,
        form,
        title=f"Change {partner.alliance}" if partner else "Add a partner",
        caption=programme.name,
        back=reverse("programme:programme", args=[programme.pk]),
        intro="A partner is an alliance of councils rated good or outstanding. Its member councils are set under People and organisations.",
    )


# ---------------------------------------------------------------------------------------------
# Who needs support and why; matching


def _weights(request: HttpRequest) -> tuple[needs.Weights, dict[str, str]]:
    return needs.Weights.from_query(request.GET)


def _as_at(request: HttpRequest, programme: Programme) -> tuple[dt.date, str]:
    raw = request.GET.get("as_at", "")
    if raw:
        try:
            return dt.date.fromisoformat(raw), ""
        except ValueError:
            return programme.starts, "Date must be a real date, like 2018-03-16"
    return programme.starts, ""


@guard(Area.PROGRAMME_SETUP)
def needs_list(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_visible_or_404(request, Programme.objects.all(), Area.PROGRAMME_SETUP, pk=pk)
    weights, errors = _weights(request)
    as_at, date_error = _as_at(request, programme)
    if date_error:
        errors["as_at"] = date_error
    only_below_good = request.GET.get("all") != "yes"
    assessed = needs.assess(as_at, weights)
    shown = [n for n in assessed if n.below_good] if only_below_good else assessed
    matched = dict(programme.matches.values_list("council_id", "partner__alliance__name"))
    return render(
        request,
        "programme/needs.html",
        {
            "title": "Who needs support and why",
            "programme": programme,
            "needs": shown,
            "weights": weights,
            "labels": needs.Weights.LABELS,
            "errors": errors,
            "as_at": as_at,
            "only_below_good": only_below_good,
            "matched": matched,
            "query": request.GET.urlencode(),
        },
    )


@guard(Area.PROGRAMME_SETUP)
def need_detail(request: HttpRequest, pk: int, dfe_code: str) -> HttpResponse:
    programme = get_visible_or_404(request, Programme.objects.all(), Area.PROGRAMME_SETUP, pk=pk)
    council = (
        Council.objects.select_related("region", "organisation").filter(dfe_code=dfe_code).first()
    )
    if council is None:
        from django.http import Http404

        raise Http404("No such council")
    weights, _errors = _weights(request)
    as_at, _ = _as_at(request, programme)
    need = needs.assess(as_at, weights, councils=[council])[0]
    return render(
        request,
        "programme/need.html",
        {
            "title": f"{council.name}: need for support",
            "programme": programme,
            "need": need,
            "as_at": as_at,
            "own_returns": needs.own_returns(
                council, exact=scope(request.user, Area.RETURNS).includes(council.organisation_id)
            ),
            "query": request.GET.urlencode(),
        },
    )


@guard(Area.PROGRAMME_SETUP)
@require_http_methods(["GET", "POST"])
def matching(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_visible_or_404(request, Programme.objects.all(), Area.PROGRAMME_SETUP, pk=pk)
    weights, _errors = _weights(request)
    as_at, _ = _as_at(request, programme)
    partners = list(
        programme.partners.select_related("alliance").prefetch_related(
            Prefetch(
                "alliance__alliance_members",
                queryset=AllianceMember.objects.select_related("council__region"),
            )
        )
    )
    problem = ""
    if request.method == "POST":
        if not can(request.user, Area.PROGRAMME_SETUP, Action.CHANGE):
            audit.record_denied(request, area=Area.PROGRAMME_SETUP, action=Action.CHANGE)
            return forbidden(request)
        council = Council.objects.filter(
            pk=request.POST.get("council", "0")
            if str(request.POST.get("council", "")).isdigit()
            else 0
        ).first()
        partner = next((p for p in partners if str(p.pk) == request.POST.get("partner")), None)
        if council is None or partner is None:
            problem = "Choose a council and a partner from the suggestions"
        else:
            need = needs.assess(as_at, weights, councils=[council])[0]
            strengths = needs.partner_strengths([partner], as_at)[partner.pk]
            used = services.Match.objects.filter(partner=partner).count()
            option = needs.score_option(need, partner, strengths, partner.capacity - used)
            try:
                services.confirm_match(
                    programme=programme,
                    partner=partner,
                    council=council,
                    need_score=need.score,
                    need_reasons=[f"{r.text} ({r.points:g})" for r in need.reasons],
                    weights=weights.as_dict(),
                    as_at=as_at,
                    suitability=option.score,
                    reasons=option.reasons,
                    user=request.user,
                    request=request,
                )
            except ValidationError as error:
                problem = " ".join(m for ms in error.message_dict.values() for m in ms)
            else:
                messages.success(request, f"{council.name} matched with {partner.alliance.name}")
                return redirect(request.get_full_path())
    matched = set(programme.matches.values_list("council_id", flat=True))
    assessed = needs.assess(as_at, weights)
    suggestions = needs.suggest(assessed, partners, as_at, matched)
    places_used = needs.capacity_used(partners)
    return render(
        request,
        "programme/matching.html",
        {
            "title": "Match councils to partners",
            "programme": programme,
            "suggestions": suggestions[:40],
            "total": len(suggestions),
            "partners": [(p, places_used.get(p.pk, 0)) for p in partners],
            "problem": problem,
            "as_at": as_at,
            "can_change": can(request.user, Area.PROGRAMME_SETUP, Action.CHANGE),
            "query": request.GET.urlencode(),
        },
        status=400 if problem else 200,
    )


# ---------------------------------------------------------------------------------------------
# Engagements


@guard(Area.PROGRAMME)
def engagements(request: HttpRequest) -> HttpResponse:
    today = _today()
    visible = _visible_engagements(request)
    status = request.GET.get("status", "")
    if status in Engagement.Status.values:
        visible = visible.filter(status=status)
    rows = services.engagement_rows(
        visible.order_by("alliance__name", "supported_council__name"), today
    )
    matches = visible_to(
        request.user,
        Match.objects.filter(engagement__isnull=True),
        Area.PROGRAMME,
        Action.CHANGE,
        via="partner__alliance",
    ).select_related("council", "partner__alliance", "programme")
    return render(
        request,
        "programme/engagements.html",
        {"title": "Engagements", "rows": rows, "status": status, "waiting": matches},
    )


@guard(Area.PROGRAMME, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def engagement_start(request: HttpRequest, match_pk: int) -> HttpResponse:
    match = get_visible_or_404(
        request,
        Match.objects.select_related("council", "partner__alliance", "programme"),
        Area.PROGRAMME,
        Action.CHANGE,
        via="partner__alliance",
        pk=match_pk,
    )
    form = forms.EngagementForm(request.POST or None, initial={"starts": match.programme.starts})
    if request.method == "POST" and form.is_valid():
        try:
            engagement = services.start_engagement(
                match=match,
                starts=form.cleaned_data["starts"],
                ends=form.cleaned_data["ends"],
                user=request.user,
                request=request,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Engagement with {match.council.name} started")
            return redirect("programme:engagement", engagement.pk)
    return _form_page(
        request,
        form,
        title=f"Start the engagement with {match.council.name}",
        caption=match.partner.alliance.name,
        back=reverse("programme:engagements"),
        button="Start engagement",
        intro="The diagnostic baseline (the council's Ofsted judgement and key indicators as at the start date) is taken when you start, and a quarterly review is scheduled every three months.",
    )


def _engagement(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> Engagement:
    return get_visible_or_404(
        request,
        Engagement.objects.select_related(
            "supported_council__region", "alliance", "programme", "partner", "plan", "diagnostic"
        ),
        Area.PROGRAMME,
        Action.VIEW,
        via=ENGAGEMENT_VIA,
        pk=pk,
    )


def _may_change(request: HttpRequest, engagement: Engagement) -> bool:
    return can(request.user, Area.PROGRAMME, Action.CHANGE, engagement.alliance_id)


@guard(Area.PROGRAMME)
def engagement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = _engagement(request, pk)
    audit.record(request, audit.Action.VIEW, engagement, organisation_id=engagement.alliance_id)
    today = _today()
    plan = engagement.plan
    spend = engagement.spend.select_related("budget_line").order_by("-spent_on")
    return render(
        request,
        "programme/engagement.html",
        {
            "title": f"{engagement.supported_council.name}: engagement",
            "e": engagement,
            "diagnostic": getattr(engagement, "diagnostic", None),
            "plan": plan,
            "priorities": plan.priorities.all(),
            "milestones": engagement.milestones.select_related("priority"),
            "activities": engagement.activities.all()[:50],
            "activity_count": engagement.activities.count(),
            "activity_hours": engagement.activities.aggregate(h=Sum("hours"))["h"],
            "reviews": engagement.reviews.all(),
            "closure": getattr(engagement, "closure", None),
            "spend": spend[:20],
            "spend_total": spend.aggregate(t=Sum("amount_pence"))["t"] or 0,
            "changes": engagement.changes.all()[:10],
            "practice_used": engagement.practice_used.select_related("organisation"),
            "practice_all": _practice_choices(),
            "today": today,
            # A closed engagement is a record of what happened: nothing more is added to it.
            "may_change": _may_change(request, engagement)
            and engagement.status == Engagement.Status.ACTIVE,
            "may_see_money": can(request.user, Area.PROGRAMME, Action.VIEW, engagement.alliance_id),
        },
    )


def _practice_choices() -> list[tuple[int, str]]:
    from alliance.programme.models import PracticeItem

    return list(
        PracticeItem.objects.filter(withdrawn_at__isnull=True).values_list("pk", "title")[:200]
    )


@guard(Area.PROGRAMME)
def engagement_history(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = _engagement(request, pk)
    return render(
        request,
        "programme/history.html",
        {
            "title": f"{engagement.supported_council.name}: history of changes",
            "e": engagement,
            "changes": engagement.changes.all(),
        },
    )


def _engagement_change(request: HttpRequest, pk: int) -> tuple[Engagement, HttpResponse | None]:
    engagement = _engagement(request, pk)
    if not _may_change(request, engagement):
        return engagement, _refuse(request, Area.PROGRAMME, Action.CHANGE, engagement)
    if engagement.status == Engagement.Status.CLOSED and request.method == "POST":
        messages.error(request, "This engagement is closed: nothing more can be added")
        return engagement, redirect("programme:engagement", engagement.pk)
    return engagement, None


def _engagement_form(
    request: HttpRequest,
    pk: int,
    *,
    make_form: Any,
    save: Any,
    title: str,
    button: str = "Save",
    done: str,
    intro: str = "",
) -> HttpResponse:
    engagement, refused = _engagement_change(request, pk)
    if refused is not None:
        return refused
    form = make_form(engagement, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            save(engagement, form)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("programme:engagement", engagement.pk)
    return _form_page(
        request,
        form,
        title=title,
        caption=f"{engagement.supported_council.name}, supported by {engagement.alliance.name}",
        back=reverse("programme:engagement", args=[engagement.pk]),
        button=button,
        intro=intro,
        demo=engagement.is_demo,
    )


@guard(Area.PROGRAMME, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def milestone_edit(request: HttpRequest, pk: int, milestone_pk: int | None = None) -> HttpResponse:
    if milestone_pk:  # changing a saved milestone goes the way every saved record is changed
        return record_edit(request, "milestones", milestone_pk)

    def make(e: Engagement, data: Any) -> forms.MilestoneForm:
        return forms.MilestoneForm(data, instance=Milestone(engagement=e), plan=e.plan)

    def save(e: Engagement, form: forms.MilestoneForm) -> None:
        services.save_milestone(form.save(commit=False), user=request.user, request=request)

    return _engagement_form(
        request,
        pk,
        make_form=make,
        save=save,
        title="Add a milestone",
        done="Milestone saved",
    )


@guard(Area.PROGRAMME, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def activity_new(request: HttpRequest, pk: int) -> HttpResponse:
    from alliance.programme.models import Activity

    def save(e: Engagement, form: forms.ActivityForm) -> None:
        services.save_activity(form.save(commit=False), user=request.user, request=request)

    return _engagement_form(
        request,
        pk,
        make_form=lambda e, data: forms.ActivityForm(data, instance=Activity(engagement=e)),
        save=save,
        title="Record an activity",
        done="Activity recorded",
    )


@guard(Area.PROGRAMME, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def priority_new(request: HttpRequest, pk: int) -> HttpResponse:
    from alliance.programme.models import Priority

    def save(e: Engagement, form: forms.PriorityForm) -> None:
        services.save_priority(form.save(commit=False), user=request.user, request=request)

    return _engagement_form(
        request,
        pk,
        make_form=lambda e, data: forms.PriorityForm(data, instance=Priority(plan=e.plan)),
        save=save,
        title="Add a priority to the plan",
        done="Priority added",
    )


@guard(Area.PROGRAMME, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    def save(e: Engagement, form: forms.PlanForm) -> None:
        services.save_plan(form.save(commit=False), user=request.user, request=request)

    return _engagement_form(
        request,
        pk,
        make_form=lambda e, data: forms.PlanForm(data, instance=e.plan),
        save=save,
        title="Improvement plan",
        done="Plan saved",
    )


@guard(Area.PROGRAMME, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def diagnostic_edit(request: HttpRequest, pk: int) -> HttpResponse:
    def save(e: Engagement, form: forms.DiagnosticForm) -> None:
        services.save_diagnostic(form.save(commit=False), user=request.user, request=request)

    return _engagement_form(
        request,
        pk,
        make_form=lambda e, data: forms.DiagnosticForm(data, instance=e.diagnostic),
        save=save,
        title="Diagnostic: strengths and concerns",
        done="Diagnostic saved",
    )


@guard(Area.PROGRAMME, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def review_edit(request: HttpRequest, pk: int, review_pk: int) -> HttpResponse:
    def make(e: Engagement, data: Any) -> forms.ReviewForm:
        review = get_visible_or_404(
            request,
            QuarterlyReview.objects.filter(engagement=e),
            Area.PROGRAMME,
            via="engagement__alliance",
            pk=review_pk,
        )
        return forms.ReviewForm(data, instance=review)

    def save(e: Engagement, form: forms.ReviewForm) -> None:
        services.save_review(form.save(commit=False), user=request.user, request=request)

    return _engagement_form(
        request,
        pk,
        make_form=make,
        save=save,
        title="Record the quarterly review",
        done="Review recorded",
    )


@guard(Area.PROGRAMME, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def engagement_close(request: HttpRequest, pk: int) -> HttpResponse:
    def save(e: Engagement, form: forms.ClosureForm) -> None:
        services.close_engagement(
            e,
            closed_on=form.cleaned_data["closed_on"],
            impact_summary=form.cleaned_data["impact_summary"],
            user=request.user,
            request=request,
        )

    return _engagement_form(
        request,
        pk,
        make_form=lambda e, data: forms.ClosureForm(data),
        save=save,
        title="Close the engagement",
        button="Close engagement",
        done="Engagement closed",
        intro="Closing records the impact: each baseline indicator beside its latest published figure, and the first Ofsted judgement published after the engagement began.",
    )


# ---------------------------------------------------------------------------------------------
# Money


@guard(Area.PROGRAMME)
def money(request: HttpRequest) -> HttpResponse:
    today = _today()
    partners = visible_to(
        request.user, Partner.objects.all(), Area.PROGRAMME, via="alliance"
    ).select_related("alliance", "programme")
    programme_id = request.GET.get("programme", "")
    programmes = Programme.objects.filter(pk__in=partners.values("programme_id"))
    programme = (
        programmes.filter(pk=int(programme_id)).first()
        if programme_id.isdigit()
        else programmes.first()
    )
    partners = partners.filter(programme=programme)
    lines = BudgetLine.objects.filter(partner__in=partners)
    summary = services.money_summary(lines, today)
    burn = None
    # Spend per day, read once for the quarters and the burn-down.
    by_day = forecast.actual_by_day([i.line for i in summary]) if summary else []
    if programme is not None and summary:
        labels, actual, planned = services.burn_down(programme, lines, today, by_day=by_day)
        burn = {
            "labels": labels,
            "actual": actual,
            "planned": planned,
            "chart": _burn_chart(labels, actual, planned),
        }
    returns = {
        p.pk: list(p.grant_returns.all())
        for p in partners.prefetch_related("grant_returns__submitted_by")
    }
    return render(
        request,
        "programme/money.html",
        {
            "title": "Funding and spend",
            "programme": programme,
            "programmes": programmes,
            "partners": [
                (
                    p,
                    can(request.user, Area.PROGRAMME, Action.CHANGE, p.alliance_id),
                    returns.get(p.pk, []),
                    services.return_due(p, today, returns.get(p.pk, [])),
                )
                for p in partners
            ],
            "quarters": forecast.quarter_table(programme, [i.line for i in summary], by_day)
            if programme is not None
            else [],
            "burn": burn,
            "any_profile": any(i.profiled for i in summary),
            "summary": summary,
            "totals": {
                k: sum(getattr(i, k) for i in summary)
                for k in ("spent", "forecast_to_date", "variance", "left")
            }
            | {"budget": sum(i.line.amount_pence for i in summary)},
            "may_export": can(request.user, Area.PROGRAMME, Action.EXPORT),
            "recent": SpendEntry.objects.filter(budget_line__in=lines).select_related(
                "budget_line__partner__alliance", "engagement__supported_council"
            )[:25],
        },
    )


def _partner_for_change(
    request: HttpRequest, partner_pk: int
) -> tuple[Partner, HttpResponse | None]:
    partner = get_visible_or_404(
        request,
        Partner.objects.select_related("alliance", "programme"),
        Area.PROGRAMME,
        via="alliance",
        pk=partner_pk,
    )
    if not can(request.user, Area.PROGRAMME, Action.CHANGE, partner.alliance_id):
        return partner, _refuse(request, Area.PROGRAMME, Action.CHANGE, partner)
    return partner, None


@guard(Area.PROGRAMME, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def budget_line_new(request: HttpRequest, partner_pk: int) -> HttpResponse:
    partner, refused = _partner_for_change(request, partner_pk)
    if refused:
        return refused
    form = forms.BudgetLineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        line = BudgetLine(
            partner=partner,
            kind=form.cleaned_data["kind"],
            name=form.cleaned_data["name"],
            amount_pence=form.cleaned_data["amount"],
        )
        try:
            services.save_budget_line(line, user=request.user, request=request)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Budget line {line.name} added")
            return redirect(reverse("programme:money") + f"?programme={partner.programme_id}")
    return _form_page(
        request,
        form,
        title="Add a budget line",
        caption=partner.alliance.name,
        back=reverse("programme:money"),
    )


@guard(Area.PROGRAMME, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def spend_new(request: HttpRequest, partner_pk: int) -> HttpResponse:
    partner, refused = _partner_for_change(request, partner_pk)
    if refused:
        return refused
    form = forms.SpendForm(request.POST or None, partner=partner)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        entry = SpendEntry(
            budget_line=data["budget_line"],
            engagement=data["engagement"],
            spent_on=data["spent_on"],
            amount_pence=data["amount"],
            description=data["description"],
            evidence=data["evidence"],
            entered_by=cast(Any, request.user),
        )
        try:
            services.add_spend(entry, user=request.user, request=request)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Spend recorded")
            return redirect(reverse("programme:money") + f"?programme={partner.programme_id}")
    return _form_page(
        request,
        form,
        title="Record spend",
        caption=partner.alliance.name,
        back=reverse("programme:money"),
        button="Record spend",
    )


@guard(Area.PROGRAMME, Action.EXPORT)
def money_export(request: HttpRequest) -> HttpResponseBase:
    partners = visible_to(
        request.user, Partner.objects.all(), Area.PROGRAMME, Action.EXPORT, via="alliance"
    )
    programme_id = request.GET.get("programme", "")
    programmes = Programme.objects.filter(pk__in=partners.values("programme_id"))
    programme = (
        programmes.filter(pk=int(programme_id)).first()
        if programme_id.isdigit()
        else programmes.first()
    )
    if programme is None:
        from django.http import Http404

        raise Http404("No programme")
    lines = BudgetLine.objects.filter(partner__in=partners.filter(programme=programme))
    today = _today()
    audit.record(
        request,
        audit.Action.EXPORT,
        programme,
        organisation_id=programme.organisation_id,
        detail={"what": "spend workbook"},
    )
    return xlsx_response(
        f"spend-{programme.pk}-{today:%Y-%m-%d}.xlsx",
        lambda book: services.write_spend_workbook(book, programme, lines, today),
    )


@guard(Area.PROGRAMME)
def changes(request: HttpRequest) -> HttpResponse:
    """Every change to plans, milestones and money the person may see."""
    rows = visible_to(
        request.user,
        ChangeRecord.objects.select_related("engagement__supported_council"),
        Area.PROGRAMME,
    )[:200]
    return render(
        request,
        "programme/history.html",
        {"title": "History of changes", "e": None, "changes": rows},
    )


# ---------------------------------------------------------------------------------------------
# Practice library: learning partners publish for everyone in the programme


@guard(Area.PROGRAMME)
def practice_list(request: HttpRequest) -> HttpResponse:
    from django.db.models import Q

    from alliance.programme.models import OfstedArea, PracticeItem

    items = (
        PracticeItem.objects.filter(withdrawn_at__isnull=True)  # withdrawn: out of the library
        .select_related("organisation")
        .annotate(n_used=Count("engagements"))
    )
    query = request.GET.get("q", "").strip()[:100]
    area = request.GET.get("area", "")
    if query:
        for word in query.split():
            items = items.filter(
                Q(title__icontains=word) | Q(summary__icontains=word) | Q(tags__icontains=word)
            )
    if area in OfstedArea.values:
        items = [item for item in items if area in item.ofsted_areas]  # type: ignore[assignment]
    return render(
        request,
        "programme/practice_list.html",
        {
            "title": "Practice library",
            "items": list(items),
            "query": query,
            "area": area,
            "areas": OfstedArea.choices,
            "may_publish": can(request.user, Area.PROGRAMME, Action.CHANGE),
        },
    )


def _publishers(request: HttpRequest) -> QuerySet[Organisation]:
    from alliance.access.policy import scope

    reach = scope(request.user, Area.PROGRAMME, Action.CHANGE)
    organisations = (
        Organisation.objects.all()
        if reach.everything
        else Organisation.objects.filter(pk__in=reach.organisation_ids)
    )
    return organisations.order_by("kind", "name")


@guard(Area.PROGRAMME, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def practice_new(request: HttpRequest) -> HttpResponse:
    from alliance.programme.models import PracticeItem

    publishers = _publishers(request)
    alliances = publishers.filter(kind=Organisation.Kind.ALLIANCE)
    default = alliances.first() or publishers.first()
    data = None
    if request.method == "POST":
        data = request.POST.copy()
        if not data.get("publisher") and default is not None:
            data["publisher"] = str(default.pk)  # the person's alliance, when the form does not say
    form = forms.PracticeForm(data, request.FILES or None)
    form.fields["publisher"] = django_forms.ModelChoiceField(
        label="Published by",
        queryset=publishers,
        empty_label=None,
        error_messages={"invalid_choice": "Choose who publishes it"},
    )
    form.fields["publisher"].initial = default.pk if default is not None else None
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        publisher = cleaned["publisher"]
        if not can(
            request.user, Area.PROGRAMME, Action.CHANGE, publisher
        ):  # pragma: no cover - queryset already limits it
            return _refuse(request, Area.PROGRAMME, Action.CHANGE, publisher)
        item = PracticeItem.objects.create(
            organisation=publisher,
            title=cleaned["title"],
            summary=cleaned["summary"],
            ofsted_areas=cleaned["ofsted_areas"],
            tags=cleaned["tags"],
            attachment=cleaned["attachment"] or "",
            published_by=cast(Any, request.user),
        )
        audit.record(request, audit.Action.CREATE, item)
        messages.success(request, f"“{item.title}” published in the practice library")
        return redirect("programme:practice", item.pk)
    return _form_page(
        request,
        form,
        title="Publish learning or practice",
        back=reverse("programme:practice-list"),
        button="Publish",
        multipart=True,
    )


@guard(Area.PROGRAMME)
def practice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from django.http import Http404

    from alliance.programme.models import PracticeItem

    item = PracticeItem.objects.select_related("organisation", "published_by").filter(pk=pk).first()
    if item is None:
        raise Http404("No such item")
    used_in = (
        _visible_engagements(request)
        .filter(practice_used=item)
        .select_related("supported_council", "alliance")
    )
    may_change = not item.is_withdrawn and can(
        request.user, Area.PROGRAMME, Action.CHANGE, item.organisation_id
    )
    history = ChangeRecord.objects.filter(
        object_type=PracticeItem._meta.verbose_name, object_id=str(item.pk), action__in=_EDITS
    )
    return render(
        request,
        "programme/practice.html",
        {
            "title": item.title,
            "item": item,
            "used_in": used_in,
            "may_change": may_change,
            "change_url": editing.change_url(item) if may_change else "",
            "withdraw_url": editing.remove_url(item) if may_change else "",
            "changes": history,
        },
    )


# The history shown on an item's page: its corrections and withdrawal (links to engagements are
# in each engagement's own history).
_EDITS = ("changed", "withdrawn")


@guard(Area.PROGRAMME)
def practice_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    from pathlib import Path

    from django.http import FileResponse, Http404

    from alliance.programme.models import PracticeItem

    item = PracticeItem.objects.filter(pk=pk).first()
    if item is None or not item.attachment or item.is_withdrawn:
        raise Http404("No attachment")
    audit.record(request, audit.Action.DOWNLOAD, item)
    return FileResponse(
        item.attachment.open("rb"),
        as_attachment=True,
        filename=Path(item.attachment.name or "attachment").name,
    )


@guard(Area.PROGRAMME, Action.CHANGE)
@require_http_methods(["POST"])
def practice_link(request: HttpRequest, pk: int) -> HttpResponse:
    from alliance.programme.models import PracticeItem

    engagement, refused = _engagement_change(request, pk)
    if refused is not None:
        return refused
    raw = request.POST.get("item", "")
    item = (
        PracticeItem.objects.filter(pk=int(raw), withdrawn_at__isnull=True).first()
        if raw.isdigit()
        else None
    )
    if item is None:
        messages.error(request, "Choose an item from the practice library")
    else:
        item.engagements.add(engagement)
        services.record_change(
            user=request.user,
            obj=item,
            programme=engagement.programme,
            organisation_id=engagement.alliance_id,
            before={},
            after={"title": f"used in {engagement.supported_council.name}"},
            engagement=engagement,
            request=request,
        )
        messages.success(request, f"“{item.title}” linked to this engagement")
    return redirect(reverse("programme:engagement", args=[engagement.pk]) + "#practice")


# ---------------------------------------------------------------------------------------------
# Changing and removing what was saved: one pair of views for every kind of record
# (`editing.KINDS`), with the same access rules, GOV.UK errors and history for each.


def _record(request: HttpRequest, kind: str, pk: int) -> tuple[editing.Kind, Any]:
    spec = editing.KINDS.get(kind)
    if spec is None:
        raise Http404("No such kind of record")
    obj = get_visible_or_404(request, spec.queryset(), Area.PROGRAMME, via=spec.via, pk=pk)
    return spec, obj


def _record_refused(request: HttpRequest, spec: editing.Kind, obj: Any) -> HttpResponse | None:
    """Only the organisation that owns a record changes it (403, audited, for anyone else who can
    see it); a closed engagement's records stay as they were."""
    owner = services.owner_of(obj)
    if not can(request.user, Area.PROGRAMME, Action.CHANGE, owner.organisation_id):
        return _refuse(request, Area.PROGRAMME, Action.CHANGE, obj)
    if (
        spec.in_engagement
        and owner.engagement is not None
        and owner.engagement.status == Engagement.Status.CLOSED
    ):
        messages.error(request, services.CLOSED)
        return redirect(spec.back(obj))
    return None


def _record_caption(obj: Any) -> str:
    if isinstance(obj, PracticeItem):
        return f"Practice library, published by {obj.organisation.name}"
    owner = services.owner_of(obj)
    if owner.engagement is not None and not isinstance(obj, SpendEntry):
        return (
            f"{owner.engagement.supported_council.name}, supported by "
            f"{owner.engagement.alliance.name}"
        )
    return str(obj.budget_line.partner if isinstance(obj, SpendEntry) else obj.partner)


@guard(Area.PROGRAMME, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec, obj = _record(request, kind, pk)
    refused = _record_refused(request, spec, obj)
    if refused is not None:
        return refused
    fixed = services.spend_fixed(obj) if isinstance(obj, SpendEntry) else ""
    if isinstance(obj, SpendEntry) and obj.reverses_id and not fixed:
        fixed = "A correcting entry cannot be changed: remove it, with the reason, if it is wrong"
    if fixed:
        return _form_page(
            request,
            None,
            title=f"Change {spec.noun}",
            caption=_record_caption(obj),
            back=spec.back(obj),
            warning=fixed,
            details=[("Record", str(obj))],
        )
    data = request.POST if request.method == "POST" else None
    form = (
        spec.form(obj, data, request.FILES if data is not None else None)
        if spec.multipart
        else spec.form(obj, data)
    )
    if request.method == "POST" and form.is_valid():
        try:
            spec.save(spec.apply(form, obj), user=request.user, request=request)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{spec.noun.capitalize()} changed")
            return redirect(spec.back(obj))
    owner = services.owner_of(obj)
    return _form_page(
        request,
        form,
        title=f"Change {spec.noun}",
        caption=_record_caption(obj),
        back=spec.back(obj),
        demo=obj.is_demo if isinstance(obj, PracticeItem) else owner.is_demo,
        multipart=spec.multipart,
        remove=editing.remove_url(obj) if spec.removable else "",
        remove_text=f"{spec.remove_verb.capitalize()} it",
        intro="Every change is kept in the history: who made it, when, and each detail before and after.",
    )


@guard(Area.PROGRAMME, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def record_remove(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec, obj = _record(request, kind, pk)
    refused = _record_refused(request, spec, obj)
    if refused is not None:
        return refused
    back = spec.back(obj)
    details = [
        (label, value or "(blank)")
        for label, value in (
            (
                str(type(obj)._meta.get_field(name).verbose_name).capitalize(),
                services.snapshot(obj, (name,))[name],
            )
            for name in services.FIELDS[type(obj)]
        )
    ]
    why_not = (
        "This kind of record cannot be removed: change it instead"
        if not spec.removable
        else services.removal_refused(obj)
    )
    verb = spec.remove_verb
    if why_not:
        return _form_page(
            request,
            None,
            title=f"{verb.capitalize()} {spec.noun}",
            caption=_record_caption(obj),
            back=back,
            details=details,
            warning=why_not,
        )
    form = forms.RemoveForm(request.POST if request.method == "POST" else None)
    if verb != "remove":
        form.fields["reason"].label = f"Why are you {verb}ing it?"
        form.fields["reason"].help_text = (
            "For example, the approach has been replaced or the write-up was wrong. Engagements "
            "that used it will show it was withdrawn and your reason"
        )
        form.fields["reason"].error_messages["required"] = f"Enter why it is being {verb}n"
    if request.method == "POST" and form.is_valid():
        try:
            services.remove_record(
                obj, reason=form.cleaned_data["reason"], user=request.user, request=request
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request, f"{spec.noun.capitalize()} {verb}{'n' if verb == 'withdraw' else 'd'}"
            )
            return redirect(back)
    return _form_page(
        request,
        form,
        title=f"{verb.capitalize()} this {spec.noun}?",
        caption=_record_caption(obj),
        back=back,
        details=details,
        button=f"{verb.capitalize()} {spec.noun}",
        demo=obj.is_demo if isinstance(obj, PracticeItem) else services.owner_of(obj).is_demo,
    )


# ---------------------------------------------------------------------------------------------
# A budget line: its spend profile, forecast against actual by quarter, burn-down, its spend


def _line(request: HttpRequest, pk: int) -> BudgetLine:
    return get_visible_or_404(
        request,
        BudgetLine.objects.select_related("partner__programme", "partner__alliance"),
        Area.PROGRAMME,
        via="partner__alliance",
        pk=pk,
    )


def _burn_chart(labels: list[str], actual: list[float | None], planned: list[float]) -> Any:
    return charts.line_chart(
        "Budget left (£ thousands), actual and planned",
        "Budget left at the end of each month: actual to date, and planned from the spend "
        "profiles (even spend for a line without one)",
        [label if label.startswith(("Mar", "Sep")) else "" for label in labels],
        [
            charts.Series("Actual", [v / 1000 if v is not None else None for v in actual]),
            charts.Series("Planned", [v / 1000 for v in planned]),
        ],
    )


@guard(Area.PROGRAMME)
def budget_line(request: HttpRequest, pk: int) -> HttpResponse:
    today = _today()
    line = _line(request, pk)
    programme = line.partner.programme
    lines = BudgetLine.objects.filter(pk=line.pk)
    summary = services.money_summary(lines, today)[0]
    by_day = forecast.actual_by_day([line])
    labels, actual, planned = services.burn_down(programme, lines, today, by_day=by_day)
    may_change = can(request.user, Area.PROGRAMME, Action.CHANGE, line.partner.alliance_id)
    return render(
        request,
        "programme/budget_line.html",
        {
            "title": f"{line.name}: budget line",
            "line": line,
            "programme": programme,
            "summary": summary,
            "quarters": forecast.quarter_table(programme, [line], by_day),
            "burn": {
                "labels": labels,
                "actual": actual,
                "planned": planned,
                "chart": _burn_chart(labels, actual, planned),
            },
            "spend": line.spend.select_related(
                "engagement__supported_council", "reported_in", "reverses"
            ).annotate(
                reversed_by_exists=Exists(SpendEntry.objects.filter(reverses=OuterRef("pk")))
            )[:200],
            "spend_count": line.spend.count(),
            "may_change": may_change,
            "today": today,
        },
    )


@guard(Area.PROGRAMME, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line(request, pk)
    if not can(request.user, Area.PROGRAMME, Action.CHANGE, line.partner.alliance_id):
        return _refuse(request, Area.PROGRAMME, Action.CHANGE, line)
    programme = line.partner.programme
    all_quarters = quarters(programme.starts, programme.ends)
    current = dict(line.profile.values_list("quarter", "amount_pence"))
    if not current:  # a starting point: the even spread the forecast uses until a profile is set
        rows = forecast.quarter_table(programme, [line])
        current = {row.quarter.number: row.planned for row in rows}
    initial: dict[str, Any] = {"budget": line.amount_pence} | {
        f"q{number}": amount for number, amount in current.items()
    }
    form = forms.ProfileForm(
        request.POST if request.method == "POST" else None, initial=initial, quarters=all_quarters
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_profile(
                line,
                form.planned(),
                budget=form.cleaned_data["budget"],
                user=request.user,
                request=request,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Spend profile saved")
            return redirect("programme:budget-line", line.pk)
    return _form_page(
        request,
        form,
        title="Spend profile",
        caption=f"{line.name}, {line.partner.alliance.name}",
        back=reverse("programme:budget-line", args=[line.pk]),
        demo=programme.is_demo,
        intro="Plan how much of the line's budget you expect to spend in each quarter of the "
        "programme. The quarters must add up to the budget exactly; the forecast, variance and "
        "burn-down follow this profile.",
    )


@guard(Area.PROGRAMME, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def spend_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """A correcting entry that reverses spend already reported in a grant return."""
    spec, entry = _record(request, "spend", pk)
    refused = _record_refused(request, spec, entry)
    if refused is not None:
        return refused
    back = spec.back(entry)
    form = forms.CorrectionForm(
        request.POST if request.method == "POST" else None,
        initial={"spent_on": min(_today(), entry.budget_line.partner.programme.ends)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.reverse_spend(
                entry,
                spent_on=form.cleaned_data["spent_on"],
                reason=form.cleaned_data["reason"],
                user=request.user,
                request=request,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                "Correcting entry recorded. If the spend should have been different, record the right figures as new spend",
            )
            return redirect(back)
    return _form_page(
        request,
        form,
        title="Correct reported spend",
        caption=_record_caption(entry),
        back=back,
        button="Record correcting entry",
        details=[("Reported spend", str(entry))],
        intro="Spend reported in a grant return stays as it was reported. A correcting entry of "
        "the same amount, negative, cancels it in the current quarter; then record the right "
        "figures, if any, as new spend.",
        demo=entry.budget_line.partner.programme.is_demo,
    )


@guard(Area.PROGRAMME, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def grant_return_new(request: HttpRequest, partner_pk: int) -> HttpResponse:
    partner, refused = _partner_for_change(request, partner_pk)
    if refused:
        return refused
    today = _today()
    due = services.return_due(partner, today)
    back = reverse("programme:money") + f"?programme={partner.programme_id}"
    if due is None:
        return _form_page(
            request,
            None,
            title="Submit a grant return",
            caption=partner.alliance.name,
            back=back,
            warning="No grant return is due: the current quarter has not ended yet, or every "
            "quarter has been returned.",
        )
    lines = BudgetLine.objects.filter(partner=partner)
    row = forecast.quarter_table(partner.programme, list(lines))[due.number - 1]
    form = forms.ReturnForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_return(
                partner, due.number, today=today, user=request.user, request=request
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Grant return for {due.label.lower()} submitted")
            return redirect(back)
    from alliance.common.jinja import money as as_money

    return _form_page(
        request,
        form,
        title=f"Submit the grant return for {due.label.lower()}",
        caption=partner.alliance.name,
        back=back,
        button="Submit grant return",
        details=[
            ("Quarter", due.period),
            ("Planned in the quarter", as_money(row.planned)),
            ("Spent in the quarter", as_money(row.actual)),
            ("Spent to the quarter's end", as_money(row.actual_to_date)),
        ],
        intro="Once submitted, the spend it reports is fixed: it cannot be changed or removed, "
        "and a mistake is put right by a correcting entry.",
        demo=partner.programme.is_demo,
    )


# ---------------------------------------------------------------------------------------------
# Matches: moved to another partner or withdrawn (with the reason) before the engagement starts


def _match_for_change(request: HttpRequest, pk: int, match_pk: int) -> Match:
    return get_visible_or_404(
        request,
        Match.objects.filter(programme_id=pk).select_related(
            "council", "partner__alliance", "programme"
        ),
        Area.PROGRAMME_SETUP,
        Action.CHANGE,
        via="partner__alliance",
        pk=match_pk,
    )


@guard(Area.PROGRAMME_SETUP, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def match_move(request: HttpRequest, pk: int, match_pk: int) -> HttpResponse:
    match = _match_for_change(request, pk, match_pk)
    back = reverse("programme:programme", args=[pk])
    form = forms.MatchMoveForm(
        request.POST if request.method == "POST" else None,
        programme=match.programme,
        initial={"partner": match.partner_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.move_match(
                match, form.cleaned_data["partner"], user=request.user, request=request
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{match.council.name} moved to {match.partner}")
            return redirect(back)
    return _form_page(
        request,
        form,
        title=f"Move {match.council.name} to another partner",
        caption=match.programme.name,
        back=back,
        remove=reverse("programme:match-withdraw", args=[pk, match.pk]),
        details=[("Matched with", str(match.partner)), *[("Why", r) for r in match.reasons[:3]]],
        intro="Only before the engagement starts. The new partner must have a place left.",
    )


@guard(Area.PROGRAMME_SETUP, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def match_withdraw(request: HttpRequest, pk: int, match_pk: int) -> HttpResponse:
    match = _match_for_change(request, pk, match_pk)
    back = reverse("programme:programme", args=[pk])
    form = forms.RemoveForm(request.POST if request.method == "POST" else None)
    form.fields["reason"].label = "Why are you withdrawing the match?"
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_match(
                match, reason=form.cleaned_data["reason"], user=request.user, request=request
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"The match of {match.council.name} was withdrawn")
            return redirect(back)
    return _form_page(
        request,
        form,
        title=f"Withdraw the match of {match.council.name}?",
        caption=match.programme.name,
        back=back,
        button="Remove match",
        details=[("Matched with", str(match.partner))],
    )
