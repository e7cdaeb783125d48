"""Administrators' pages for API tokens: the list, issuing one (shown once) and revoking it.
Service administrators manage every organisation's tokens; an organisation's administrator its
own organisation's."""

from __future__ import annotations

import contextlib

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from alliance.access.policy import Action, Area, guard, visible_to
from alliance.accounts.people import rules
from alliance.api import tokens
from alliance.api.forms import IssueForm
from alliance.api.models import ApiToken
from alliance.audit import services as audit


def _tokens(request: HttpRequest, action: Action = Action.VIEW) -> QuerySet[ApiToken]:
    return visible_to(
        request.user,
        ApiToken.objects.select_related("organisation", "issued_by", "revoked_by"),
        Area.PEOPLE,
        action,
    )


@guard(Area.PEOPLE)
def token_list(request: HttpRequest) -> HttpResponse:
    found = list(_tokens(request).order_by("revoked_at", "organisation__name", "name"))
    audit.record(
        request,
        audit.Action.QUERY,
        object_type="api.ApiToken",
        object_repr=f"API tokens list ({len(found)} tokens)",
    )
    return render(
        request,
        "api/tokens.html",
        {
            "title": "API tokens",
            "tokens": found,
            "may_issue": bool(rules.organisations_managed_by(request.user)),
            "today": timezone.localdate(),
        },
    )


@guard(Area.PEOPLE, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def issue(request: HttpRequest) -> HttpResponse:
    form = IssueForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = next(
            (
                o
                for o in rules.organisations_managed_by(request.user)
                if str(o.pk) == form.cleaned_data["organisation"]
            ),
            None,
        )
        if organisation is None:
            form.add_error("organisation", "Choose an organisation you manage")
        else:
            try:
                token, secret = tokens.issue(
                    request,
                    organisation=organisation,
                    name=form.cleaned_data["name"],
                    role=form.cleaned_data["role"],
                    scopes=form.cleaned_data["scopes"],
                    expires_on=form.cleaned_data["expires_on"],
                )
            except tokens.TokenRefused as problem:
                form.add_error(None, problem)
            else:
                # Shown on this response only: it is not stored and the page is not cached.
                response = render(
                    request,
                    "api/issued.html",
                    {"title": "Copy the token now", "token": token, "secret": secret},
                )
                response["Cache-Control"] = "no-store"
                return response
    return render(
        request,
        "api/issue.html",
        {"title": "Issue an API token", "form": form},
        status=400 if request.method == "POST" else 200,
    )


@guard(Area.PEOPLE, Action.CHANGE)
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = _tokens(request, Action.CHANGE).filter(pk=pk).first()
    if token is None:
        if ApiToken.objects.filter(pk=pk).exists():
            audit.record_denied(
                request, area=Area.PEOPLE, action=Action.CHANGE, model=ApiToken, lookup={"pk": pk}
            )
        raise Http404("No such token")
    with contextlib.suppress(tokens.TokenRefused):  # already revoked: the list says so
        tokens.revoke(request, token)
    return redirect("api-tokens:list")
