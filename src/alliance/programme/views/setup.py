"""Setting up a programme: its partners, the councils' needs, and matching councils to partners (confirming, moving and withdrawing matches)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods

from alliance.access.policy import Action, Area, can, get_visible_or_404, guard, scope
from alliance.audit import services as audit
from alliance.common.query_values import whole_number
from alliance.common.views import forbidden
from alliance.organisations.models import AllianceMember, Council
from alliance.programme import forms, needs
from alliance.programme.models import (
    Engagement,
    Match,
    MatchProposal,
    Partner,
    Programme,
)
from alliance.programme.partner_standing import partner_concerns
from alliance.programme.services.proposals import (
    confirm_proposal,
    decline_proposal,
    propose_match,
)
from alliance.programme.services.setup import (
    confirm_match,
    create_programme,
    move_match,
    programme_totals,
    save_partner,
    withdraw_match,
)
from alliance.programme.views.shared import _apply_errors, _form_page, _saved


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
        programme = create_programme(form.save(commit=False), user=request.user)
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
            "concerns": partner_concerns(partners),
            "matches": matches,
            "totals": programme_totals(programme),
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
    title = f"Change {partner.alliance}" if partner else "Add a partner"  # as saved
    form = forms.PartnerForm(request.POST or None, instance=partner or Partner(programme=programme))
    if request.method == "POST" and form.is_valid():
        target = form.save(commit=False)
        if partner is None and programme.partners.filter(alliance=target.alliance).exists():
            form.add_error("alliance", f"{target.alliance} is already a partner in this programme")
        else:
            try:
                save_partner(target, user=request.user)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, f"{target.alliance} saved")
                return redirect("programme:programme", programme.pk)
    return _form_page(
        request,
        form,
        title=title,
        caption=programme.name,
        back=reverse("programme:programme", args=[programme.pk]),
        intro=format_html(
            "A partner is an alliance of councils rated good or outstanding. Its member councils "
            'are set on the alliance\'s page under <a class="govuk-link" href="{}">Organisations</a>.',
            reverse("organisations:list"),
        ),
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
            return programme.starts, "Judgements and figures as at must be a real date"
    return programme.starts, ""


def _matching_programme(request: HttpRequest, pk: int) -> Programme:
    """The programme, for the DfE (every one) or an alliance lead (one their alliance is a partner
    in); 404 otherwise."""
    return get_visible_or_404(
        request,
        Programme.objects.all(),
        Area.MATCHING,
        via=("partners__alliance", "organisation"),
        pk=pk,
    )


def _regions(request: HttpRequest) -> set[int] | None:
    """The regions whose councils this person ranks and matches: None for everywhere (the DfE),
    else the regions of the lead's alliance's councils."""
    reach = scope(request.user, Area.MATCHING)
    if reach.everything:
        return None
    return set(
        Council.objects.filter(organisation_id__in=reach.organisation_ids).values_list(
            "region_id", flat=True
        )
    )


def _in_regions(council: Council, regions: set[int] | None) -> bool:
    return regions is None or council.region_id in regions


@guard(Area.MATCHING)
def needs_list(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _matching_programme(request, pk)
    regions = _regions(request)
    weights, errors = _weights(request)
    as_at, date_error = _as_at(request, programme)
    if date_error:
        errors["as_at"] = date_error
    only_below_good = request.GET.get("all") != "yes"
    assessed = [n for n in needs.assess(as_at, weights) if _in_regions(n.council, regions)]
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
            "region_names": _region_names(regions),
            "can_setup": can(request.user, Area.PROGRAMME_SETUP),
        },
    )


def _region_names(regions: set[int] | None) -> list[str]:
    if regions is None:
        return []
    return sorted(
        {
            c.region.name
            for c in Council.objects.filter(region_id__in=regions).select_related("region")
        }
    )


@guard(Area.MATCHING)
def need_detail(request: HttpRequest, pk: int, dfe_code: str) -> HttpResponse:
    programme = _matching_programme(request, pk)
    council = (
        Council.objects.select_related("region", "organisation").filter(dfe_code=dfe_code).first()
    )
    if council is None or not _in_regions(council, _regions(request)):
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


def _agree(
    request: HttpRequest,
    programme: Programme,
    partner: Partner,
    council: Council,
    as_at: dt.date,
    weights: needs.Weights,
    confirms: bool,
) -> str:
    """Confirm the pairing (the DfE) or propose it (a lead): what to say once done."""
    need = needs.assess(as_at, weights, councils=[council])[0]
    strengths = needs.partner_strengths([partner], as_at)[partner.pk]
    used = Match.objects.filter(partner=partner).count()
    option = needs.score_option(need, partner, strengths, partner.capacity - used)
    agreed: dict[str, Any] = {
        "programme": programme,
        "partner": partner,
        "council": council,
        "need_score": need.score,
        "need_reasons": [f"{r.text} ({r.points:g})" for r in need.reasons],
        "weights": weights.as_dict(),
        "as_at": as_at,
        "suitability": option.score,
        "reasons": option.reasons,
        "user": request.user,
    }
    if confirms:
        confirm_match(**agreed)
        return f"{council.name} matched with {partner.alliance.name}"
    propose_match(**agreed)
    return f"You proposed {partner.alliance.name} to support {council.name}: the DfE will confirm or decline it"


@guard(Area.MATCHING)
@require_http_methods(["GET", "POST"])
def matching(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _matching_programme(request, pk)
    weights, _errors = _weights(request)
    as_at, _ = _as_at(request, programme)
    regions = _regions(request)
    confirms = can(request.user, Area.PROGRAMME_SETUP, Action.CHANGE)
    proposes = not confirms and can(request.user, Area.MATCHING, Action.CHANGE)
    reach = scope(request.user, Area.MATCHING)
    partners = [
        p
        for p in programme.partners.select_related("alliance").prefetch_related(
            Prefetch(
                "alliance__alliance_members",
                queryset=AllianceMember.objects.select_related("council__region"),
            )
        )
        if reach.includes(p.alliance_id)  # a lead suggests and proposes for their own partner
    ]
    problem = ""
    if request.method == "POST":
        if not (confirms or proposes):
            audit.record_denied(request, area=Area.MATCHING, action=Action.CHANGE)
            return forbidden(request)
        raw = whole_number(request.POST.get("council", ""))
        council = (
            Council.objects.select_related("region").filter(pk=raw).first()
            if raw is not None
            else None
        )
        partner = next((p for p in partners if str(p.pk) == request.POST.get("partner")), None)
        if council is None or partner is None or not _in_regions(council, regions):
            problem = "Choose a council and a partner from the suggestions"
        else:
            try:
                done = _agree(request, programme, partner, council, as_at, weights, confirms)
            except ValidationError as error:
                problem = " ".join(m for ms in error.message_dict.values() for m in ms)
            else:
                messages.success(request, done)
                return redirect(request.get_full_path())
    matched = set(programme.matches.values_list("council_id", flat=True))
    assessed = [n for n in needs.assess(as_at, weights) if _in_regions(n.council, regions)]
    suggestions = needs.suggest(assessed, partners, as_at, matched)
    places_used = needs.capacity_used(partners)
    proposals = (
        programme.proposals.filter(partner__in=partners)
        .select_related("council", "partner__alliance", "proposed_by", "decided_by")
        .order_by("status", "-proposed_at")
    )
    waiting = {p.council_id: p for p in proposals if p.status == MatchProposal.Status.PROPOSED}
    return render(
        request,
        "programme/matching.html",
        {
            "title": "Match councils to partners",
            "programme": programme,
            "suggestions": suggestions[:40],
            "total": len(suggestions),
            "partners": [(p, places_used.get(p.pk, 0)) for p in partners],
            "places_left": any(p.capacity > places_used.get(p.pk, 0) for p in partners),
            "concerns": partner_concerns(partners),
            "problem": problem,
            "as_at": as_at,
            "can_change": confirms or proposes,
            "confirms": confirms,
            "proposals": proposals,
            "waiting": waiting,
            "region_names": _region_names(regions),
            "can_setup": can(request.user, Area.PROGRAMME_SETUP),
            "query": request.GET.urlencode(),
        },
        status=400 if problem else 200,
    )


@guard(Area.PROGRAMME_SETUP, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def proposal_decide(request: HttpRequest, pk: int, proposal_pk: int) -> HttpResponse:
    """The DfE confirms a partner's proposal (a button on the matching page) or declines it with
    its reason (this page's form)."""
    proposal = get_visible_or_404(
        request,
        MatchProposal.objects.filter(programme_id=pk).select_related(
            "council", "partner__alliance", "programme", "proposed_by"
        ),
        Area.PROGRAMME_SETUP,
        Action.CHANGE,
        via="partner__alliance",
        pk=proposal_pk,
    )
    back = reverse("programme:matching", args=[pk])
    if request.method == "POST" and request.POST.get("decision") == "confirm":
        try:
            confirm_proposal(proposal, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, f"{proposal.council.name} matched with {proposal.partner.alliance.name}"
            )
        return redirect(back)
    form = forms.RemoveForm(request.POST if request.method == "POST" else None)
    form.fields["reason"].label = "Why are you declining the proposal?"
    form.fields[
        "reason"
    ].help_text = f"{proposal.partner.alliance.name} will see your reason on the matching page"
    form.fields["reason"].error_messages["required"] = "Enter why the proposal is declined"
    if _saved(
        request,
        form,
        lambda: decline_proposal(proposal, reason=form.cleaned_data["reason"], user=request.user),
        f"The proposal for {proposal.council.name} was declined",
    ):
        return redirect(back)
    # who proposed it, and when, are shown: a view of the record, as every such page is audited
    audit.record(request, audit.Action.VIEW, proposal, detail={"page": "decline proposal"})
    return _form_page(
        request,
        form,
        title=f"Decline the proposal for {proposal.council.name}?",
        caption=proposal.programme.name,
        back=back,
        button="Decline proposal",
        details=[
            ("Proposed by", str(proposal.partner.alliance)),
            ("Proposed", f"{proposal.proposed_at:%-d %B %Y}"),
            *[("Why", r) for r in proposal.reasons[:3]],
        ],
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
    if _saved(
        request,
        form,
        lambda: move_match(match, form.cleaned_data["partner"], user=request.user),
        lambda: f"{match.council.name} moved to {match.partner}",
    ):
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
    if _saved(
        request,
        form,
        lambda: withdraw_match(match, reason=form.cleaned_data["reason"], user=request.user),
        f"The match of {match.council.name} was withdrawn",
    ):
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
