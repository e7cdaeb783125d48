"""The access policy: roles × organisations → what a person may see or change.

Every view is wrapped in `guard(...)` or marked `public`; every queryset of organisation-owned
records goes through `visible_to(...)`; a record fetched by id from a URL goes through
`get_visible_or_404(...)`, which audits an attempt to reach another organisation's record. A test
walks every URL and proves each view is guarded, and another walks the role × organisation matrix.

A grant gives a role some actions in an *area* of the service, with a *reach*:
- OWN: records owned by the organisation the person has that role in;
- ALLIANCE: for alliance leads, the alliance's own records and those of its member councils;
- ALL: every organisation's records (the DfE's view of the programme, administrators' tools).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.dispatch import Signal
from django.http import Http404, HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from alliance.access.roles import Role

#: Sent each time the policy refuses a person (a guarded page, or another organisation's record),
#: with `request`, `area`, `action` and, for a record, `model` and `lookup`. The audit app records
#: every refusal from it; the policy itself imports nothing above it (see docs/architecture.md).
refused = Signal()


class Area(StrEnum):
    """The parts of the service access is granted to."""

    PEOPLE = "people"  # people, memberships, organisations
    AUDIT = "audit"  # the audit log
    REFERENCE = "reference"  # loading public reference data
    RETURNS = "returns"  # a council's own statutory returns (record level, pseudonymised)
    POOLED_RETURNS = "pooled-returns"  # records pooled across an alliance under agreements
    AGGREGATES = "aggregates"  # suppressed aggregate figures from returns
    PROGRAMME_SETUP = "programme-setup"  # programmes, partners, grant shares
    PROGRAMME = "programme"  # engagements, plans, milestones, money, practice library
    # who needs support (the need ranking) and matching: partners propose, the DfE confirms
    MATCHING = "matching"
    WORKPLACE = "workplace"  # WorkPlace young people's records and careers work
    EMPLOYER_PORTAL = "employer-portal"  # an employer's own opportunities and applicants
    MY_RECORD = "my-record"  # a young person's own record
    EDGE_OF_CARE = "edge-of-care"  # Edge of Care referrals, families and case work
    EDGE_OF_CARE_FIGURES = "edge-of-care-figures"  # Edge of Care dashboard and evaluation
    # WorkPlace outcomes: care leavers in education, employment or training, the pipeline,
    # employers; unsuppressed, so for the council's own staff only
    WORKPLACE_FIGURES = "workplace-figures"
    INSIGHT = "insight"  # de-identified dashboards and evidence
    # the demand and cost forecast from published figures (every council) and its backtest
    PUBLISHED_FORECAST = "published-forecast"
    # a council's forecast from its own returns, its unit costs and scenarios
    FORECAST = "forecast"
    # an alliance's forecast from the returns its councils agreed to share
    POOLED_FORECAST = "pooled-forecast"


class Action(StrEnum):
    VIEW = "view"
    CHANGE = "change"
    EXPORT = "export"
    DELETE = "delete"


class Reach(StrEnum):
    OWN = "own"
    ALLIANCE = "alliance"
    ALL = "all"


V, C, E, D = Action.VIEW, Action.CHANGE, Action.EXPORT, Action.DELETE


@dataclass(frozen=True)
class Grant:
    reach: Reach
    actions: frozenset[Action]


def _g(reach: Reach, *actions: Action) -> Grant:
    return Grant(reach, frozenset(actions))


GRANTS: dict[Role, dict[Area, Grant]] = {
    Role.COUNCIL_ANALYST: {
        Area.RETURNS: _g(Reach.OWN, V, C, E),
        Area.AGGREGATES: _g(Reach.OWN, V, E),
        Area.PROGRAMME: _g(Reach.OWN, V),
        Area.INSIGHT: _g(Reach.OWN, V, E),
        Area.EDGE_OF_CARE_FIGURES: _g(Reach.OWN, V, E),
        Area.WORKPLACE_FIGURES: _g(Reach.OWN, V, E),
        Area.PUBLISHED_FORECAST: _g(Reach.ALL, V, E),
        Area.FORECAST: _g(Reach.OWN, V, C, E),
    },
    Role.COUNCIL_PRACTITIONER: {
        Area.WORKPLACE: _g(Reach.OWN, V, C, E),
        Area.WORKPLACE_FIGURES: _g(Reach.OWN, V, E),
        Area.EDGE_OF_CARE: _g(Reach.OWN, V, C, E),
        # the service's own figures (response times, outcomes, whether it works) for the team
        # that runs it
        Area.EDGE_OF_CARE_FIGURES: _g(Reach.OWN, V, E),
    },
    Role.COUNCIL_LEADER: {
        Area.RETURNS: _g(Reach.OWN, V, E),
        Area.AGGREGATES: _g(Reach.OWN, V, E),
        Area.PROGRAMME: _g(Reach.OWN, V, C, E),
        Area.INSIGHT: _g(Reach.OWN, V, E),
        # a director of children's services: their council's Edge of Care and WorkPlace figures,
        # not the families' or young people's records
        Area.EDGE_OF_CARE_FIGURES: _g(Reach.OWN, V, E),
        Area.WORKPLACE_FIGURES: _g(Reach.OWN, V, E),
        # and their council's forecast from its own returns, with its unit costs
        Area.PUBLISHED_FORECAST: _g(Reach.ALL, V, E),
        Area.FORECAST: _g(Reach.OWN, V, C, E),
    },
    Role.ALLIANCE_LEAD: {
        Area.POOLED_RETURNS: _g(Reach.ALLIANCE, V, E),
        Area.AGGREGATES: _g(Reach.ALLIANCE, V, E),
        Area.PROGRAMME: _g(Reach.ALLIANCE, V, C, E),
        Area.MATCHING: _g(Reach.ALLIANCE, V, C),  # their region's ranking; proposing matches
        Area.INSIGHT: _g(Reach.ALLIANCE, V, E),
        Area.EDGE_OF_CARE_FIGURES: _g(Reach.ALLIANCE, V, E),
        Area.PUBLISHED_FORECAST: _g(Reach.ALL, V, E),
        # the alliance's pooled forecast only: not each member council's own (that would pass
        # around the councils' data-sharing agreements); C: saving scenarios for it
        Area.POOLED_FORECAST: _g(Reach.ALLIANCE, V, C, E),
    },
    Role.DFE_ANALYST: {
        Area.AGGREGATES: _g(Reach.ALL, V, E),
        # E: the programme at a glance's download, every alliance
        Area.PROGRAMME_SETUP: _g(Reach.ALL, V, C, E),
        Area.PROGRAMME: _g(Reach.ALL, V, E),
        Area.MATCHING: _g(Reach.ALL, V, C),
        Area.INSIGHT: _g(Reach.ALL, V, E),
        Area.EDGE_OF_CARE_FIGURES: _g(Reach.ALL, V, E),
        Area.PUBLISHED_FORECAST: _g(Reach.ALL, V, E),
    },
    Role.ADMINISTRATOR: {
        Area.PEOPLE: _g(Reach.ALL, V, C, D),
        Area.AUDIT: _g(Reach.ALL, V, E),
        Area.REFERENCE: _g(Reach.ALL, V, C),
        # E: the programme at a glance's download (every alliance's money and engagements, no
        # child's record), as the DfE has it
        Area.PROGRAMME_SETUP: _g(Reach.ALL, V, C, E),
        Area.MATCHING: _g(Reach.ALL, V, C),
    },
    # Manages the people of their own organisation: invites, roles, deactivation, two-step resets.
    Role.ORGANISATION_ADMINISTRATOR: {
        Area.PEOPLE: _g(Reach.OWN, V, C, D),
    },
    Role.EMPLOYER: {
        Area.EMPLOYER_PORTAL: _g(Reach.OWN, V, C),
    },
    Role.YOUNG_PERSON: {
        Area.MY_RECORD: _g(Reach.OWN, V, C),
    },
}


#: Areas a person reaches only once this sign-in has shown a second factor: the service's own
#: security code (django-otp), or a sign-in through their organisation's own sign-in service, whose
#: multi-factor authentication stands in for it (docs/people.md). A password alone is not enough
#: to manage people and organisations.
TWO_STEP_AREAS = frozenset({Area.PEOPLE})

#: Set in the session by a sign-in through an organisation's sign-in service (single sign-on): the
#: organisation's id.
SIGNED_IN_THROUGH = "alliance_signed_in_through"


def two_step_verified(request: HttpRequest) -> bool:
    """Has this sign-in shown a second factor?"""
    is_verified = getattr(request.user, "is_verified", None)
    if callable(is_verified) and is_verified():
        return True
    return bool(request.session.get(SIGNED_IN_THROUGH))


@dataclass(frozen=True)
class Scope:
    """The organisations whose records a person reaches in an area for an action."""

    everything: bool
    organisation_ids: frozenset[int]

    @property
    def nothing(self) -> bool:
        return not self.everything and not self.organisation_ids

    def includes(self, organisation_id: int | None) -> bool:
        return self.everything or (
            organisation_id is not None and organisation_id in self.organisation_ids
        )


NO_SCOPE = Scope(everything=False, organisation_ids=frozenset())


def _memberships(user: Any) -> list[tuple[int, str, str]]:
    """(organisation id, organisation kind, role) for each of the person's memberships, cached on
    the user object for the request."""
    cached = getattr(user, "_alliance_memberships", None)
    if cached is None:
        cached = list(user.memberships.values_list("organisation_id", "organisation__kind", "role"))
        user._alliance_memberships = cached
    return cached


def _alliance_reach(alliance_ids: Iterable[int]) -> set[int]:
    """The alliances and their member councils' organisations. The model is looked up in the app
    registry, not imported: organisations sit above the policy in the layers."""
    members = apps.get_model("organisations", "AllianceMember")
    ids = set(alliance_ids)
    ids.update(
        members.objects.filter(alliance_id__in=ids).values_list(
            "council__organisation_id", flat=True
        )
    )
    return ids


def scope(user: Any, area: Area, action: Action = Action.VIEW) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    key = (area, action)
    cache: dict[tuple[Area, Action], Scope] = user.__dict__.setdefault("_alliance_scopes", {})
    if key in cache:
        return cache[key]
    everything = False
    own: set[int] = set()
    alliances: set[int] = set()
    for organisation_id, _kind, role in _memberships(user):
        grant = GRANTS.get(Role(role), {}).get(area)
        if grant is None or action not in grant.actions:
            continue
        if grant.reach is Reach.ALL:
            everything = True
        elif grant.reach is Reach.ALLIANCE:
            alliances.add(organisation_id)
        else:
            own.add(organisation_id)
    if alliances and not everything:
        # one query per request, not one per area the page asks about (a lead's dashboard asked
        # for the same member councils six times)
        reaches: dict[frozenset[int], set[int]] = user.__dict__.setdefault("_alliance_reach", {})
        wanted = frozenset(alliances)
        if wanted not in reaches:
            reaches[wanted] = _alliance_reach(wanted)
        own |= reaches[wanted]
    result = Scope(everything=everything, organisation_ids=frozenset(own))
    cache[key] = result
    return result


def can(user: Any, area: Area, action: Action = Action.VIEW, organisation: Any = None) -> bool:
    """May this person do `action` in `area` at all (no organisation given), or for records owned by
    `organisation` (an Organisation, or its id)?"""
    s = scope(user, area, action)
    if organisation is None:
        return not s.nothing
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    return s.includes(organisation_id)


M = TypeVar("M", bound=Model)


def visible_to[M: Model](
    user: Any,
    queryset: QuerySet[M],
    area: Area,
    action: Action = Action.VIEW,
    via: str | tuple[str, ...] = "organisation",
) -> QuerySet[M]:
    """The records of `queryset` this person reaches. `via` names the field(s) holding the owning
    organisation (a record reached through any of them is visible)."""
    s = scope(user, area, action)
    if s.everything:
        return queryset
    if s.nothing:
        return queryset.none()
    fields = (via,) if isinstance(via, str) else via
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__in": s.organisation_ids})
    return queryset.filter(condition).distinct() if len(fields) > 1 else queryset.filter(condition)


def get_visible_or_404[M: Model](
    request: HttpRequest,
    queryset: QuerySet[M],
    area: Area,
    action: Action = Action.VIEW,
    via: str | tuple[str, ...] = "organisation",
    **lookup: Any,
) -> M:
    """Fetch one record the person reaches, or 404. When the record exists but belongs to an
    organisation out of reach, the attempt is audited (through `refused`) before the 404 (which
    reveals nothing)."""
    try:
        return visible_to(request.user, queryset, area, action, via).get(**lookup)
    except ObjectDoesNotExist:
        if queryset.filter(**lookup).exists():
            refused.send(
                get_visible_or_404,
                request=request,
                area=area,
                action=action,
                model=queryset.model,
                lookup=lookup,
            )
        raise Http404("No such record") from None


ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponseBase])


def _to_sign_in(request: HttpRequest) -> HttpResponseBase:
    # django.contrib.auth.views imports the auth models, which need the app registry; app configs
    # import this module (for Area) while the registry is still being filled
    from django.contrib.auth.views import redirect_to_login  # noqa: PLC0415  registry not ready

    return redirect_to_login(request.get_full_path())


def public[ViewFunc: Callable[..., HttpResponseBase]](view: ViewFunc) -> ViewFunc:
    """Mark a view as open to everyone (published data, sign-in pages)."""
    view._alliance_access = "public"  # type: ignore[attr-defined]
    return view


def signed_in[ViewFunc: Callable[..., HttpResponseBase]](view: ViewFunc) -> ViewFunc:
    """A view any signed-in person may use (their own home page, their own account)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return _to_sign_in(request)
        return view(request, *args, **kwargs)

    wrapper._alliance_access = "signed-in"  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def guard(area: Area, action: Action = Action.VIEW) -> Callable[[ViewFunc], ViewFunc]:
    """Require sign-in and a grant of `action` in `area`; otherwise redirect to sign in, or refuse:
    the attempt is audited (through `refused`) and `PermissionDenied` shows the service's 403 page
    (`handler403` in alliance.config.urls). In `TWO_STEP_AREAS` a sign-in that has not shown a
    second factor is sent to set one up (or to sign in again with it) first."""

    def decorate(view: ViewFunc) -> ViewFunc:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return _to_sign_in(request)
            if not can(request.user, area, action):
                refused.send(guard, request=request, area=area, action=action)
                raise PermissionDenied
            if area in TWO_STEP_AREAS and not two_step_verified(request):
                return HttpResponseRedirect(
                    reverse("accounts:two-step-needed")
                    + "?"
                    + urlencode({"next": request.get_full_path()})
                )
            return view(request, *args, **kwargs)

        wrapper._alliance_access = (area, action)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def roles_of(user: Any) -> set[Role]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return {Role(role) for _org, _kind, role in _memberships(user)}


def belongs_to(user: Any, organisation_id: int) -> bool:
    """Whether the person is a member of this organisation (its own staff), whatever their role:
    for figures shown in full to a council's own staff and with small numbers hidden to others
    who may see them."""
    if not getattr(user, "is_authenticated", False):
        return False
    return any(org == organisation_id for org, _kind, _role in _memberships(user))
