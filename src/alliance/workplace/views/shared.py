"""What every WorkPlace page uses: the areas of the access policy and finding the council,
young people and opportunities the signed-in user may see. Access is decided by the policy
(`guard`, `visible_to`, `get_visible_or_404`); every view or change of a record is audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from alliance.access.policy import Action, Area, get_visible_or_404, scope, visible_to
from alliance.accounts.models import User
from alliance.organisations.models import Organisation
from alliance.workplace.models import Opportunity, YoungPerson

WP = Area.WORKPLACE
EP = Area.EMPLOYER_PORTAL
ME = Area.MY_RECORD
PAGE_SIZE = 50


def adviser_council(
    request: HttpRequest, action: Action = Action.CHANGE, area: Area = WP
) -> Organisation:
    """The council whose WorkPlace this person works in, or whose WorkPlace figures they see
    (`area`), the first if several."""
    ids = sorted(scope(request.user, area, action).organisation_ids)
    organisation = Organisation.objects.filter(pk__in=ids, kind=Organisation.Kind.COUNCIL).first()
    if organisation is None:
        raise Http404("No council")
    return organisation


def visible_people(request: HttpRequest, action: Action = Action.VIEW) -> QuerySet[YoungPerson]:
    return visible_to(request.user, YoungPerson.objects.all(), WP, action)


def visible_person(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> YoungPerson:
    return get_visible_or_404(
        request,
        YoungPerson.objects.select_related("personal_adviser__user", "careers_adviser__user"),
        WP,
        action,
        pk=pk,
    )


def opportunities_for_advisers(request: HttpRequest) -> QuerySet[Opportunity]:
    return visible_to(request.user, Opportunity.objects.all(), WP, Action.VIEW, via="council")


def choice_labels(values: list[str], labels: dict[str, str]) -> list[str]:
    return [labels.get(v, v) for v in values]


def acting_user(request: HttpRequest) -> User:
    """The acting user of a guarded page (the guard has already turned away anyone signed out)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
