"""A practice item's evidence level: its publisher states it, the DfE confirms it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from alliance.access.policy import Action, Area, guard
from alliance.programme.models import EvidenceLevel, PracticeItem
from alliance.programme.services import practice_evidence as evidence
from alliance.programme.views.shared import _refuse


def _item(pk: int) -> PracticeItem:
    item = (
        PracticeItem.objects.select_related("organisation", "evidence_confirmed_by")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404("No such item")
    return item


def _page(
    request: HttpRequest,
    item: PracticeItem,
    errors: dict[str, str] | None = None,
    posted: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "programme/practice_evidence.html",
        {
            "title": f"Evidence for “{item.title}”",
            "item": item,
            "levels": EvidenceLevel.choices,
            "may_state": evidence.may_state(request.user, item),
            "may_confirm": evidence.may_confirm(request.user, item),
            "errors": errors or {},
            "posted": posted or {},
        },
        status=status,
    )


def _errors(error: ValidationError) -> dict[str, str]:
    if hasattr(error, "error_dict"):
        return {name: " ".join(msgs) for name, msgs in error.message_dict.items()}
    return {"summary": " ".join(error.messages)}


@guard(Area.PROGRAMME)
@require_http_methods(["GET", "POST"])
def practice_evidence(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The item's evidence level: its page, and the publisher's form to state it."""
    item = _item(pk)
    if request.method == "GET":
        return _page(request, item)
    if not evidence.may_state(request.user, item):
        return _refuse(request, Area.PROGRAMME, Action.CHANGE, item)
    posted = {
        "evidence_level": request.POST.get("evidence_level", ""),
        "evidence_note": request.POST.get("evidence_note", ""),
    }
    try:
        evidence.state_evidence_level(
            item, posted["evidence_level"], posted["evidence_note"], user=request.user
        )
    except ValidationError as error:
        return _page(request, item, _errors(error), posted, status=400)
    messages.success(request, "Evidence level saved")
    return redirect("programme:practice-evidence", item.pk)


@guard(Area.PROGRAMME)
@require_POST
def practice_evidence_confirm(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The DfE confirms the item's evidence level."""
    item = _item(pk)
    if not evidence.may_confirm(request.user, item):
        return _refuse(request, Area.PROGRAMME, Action.CHANGE, item)
    level = request.POST.get("confirmed_level", "")
    try:
        evidence.confirm_evidence_level(item, level, user=request.user)
    except ValidationError as error:
        found = _errors(error)
        found = {("confirmed_level" if k == "evidence_level" else k): v for k, v in found.items()}
        return _page(request, item, found, {"confirmed_level": level}, status=400)
    messages.success(request, "Evidence level confirmed")
    return redirect("programme:practice-evidence", item.pk)
