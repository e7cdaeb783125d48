"""Correcting and removing any programme record, and the list of changes made."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.views.decorators.http import require_http_methods

from alliance.access.policy import Action, Area, can, get_visible_or_404, guard, visible_to
from alliance.common.jinja import dates_written_out
from alliance.programme import editing, forms
from alliance.programme.history import label as history_label
from alliance.programme.history import snapshot
from alliance.programme.models import (
    ChangeRecord,
    Engagement,
    PracticeItem,
    SpendEntry,
)
from alliance.programme.services.money import spend_fixed
from alliance.programme.services.records import CLOSED, FIELDS, owner_of
from alliance.programme.services.removing import removal_refused, remove_record
from alliance.programme.views.shared import _form_page, _refuse, _saved


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
    owner = owner_of(obj)
    if not can(request.user, Area.PROGRAMME, Action.CHANGE, owner.organisation_id):
        return _refuse(request, Area.PROGRAMME, Action.CHANGE, obj)
    if (
        spec.in_engagement
        and owner.engagement is not None
        and owner.engagement.status == Engagement.Status.CLOSED
    ):
        messages.error(request, CLOSED)
        return redirect(spec.back(obj))
    return None


def _record_caption(obj: Any) -> str:
    if isinstance(obj, PracticeItem):
        return f"Practice library, published by {obj.organisation.name}"
    owner = owner_of(obj)
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
    fixed = spend_fixed(obj) if isinstance(obj, SpendEntry) else ""
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
    if _saved(
        request,
        form,
        lambda: spec.save(spec.apply(form, obj), user=request.user),
        f"{spec.noun.capitalize()} changed",
    ):
        return redirect(spec.back(obj))
    owner = owner_of(obj)
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
        (label, dates_written_out(value) or "(blank)")
        for label, value in (
            (capfirst(history_label(obj, name)), snapshot(obj, (name,))[name])
            for name in FIELDS[type(obj)]
        )
    ]
    why_not = (
        "This kind of record cannot be removed: change it instead"
        if not spec.removable
        else removal_refused(obj)
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
    if _saved(
        request,
        form,
        lambda: remove_record(obj, reason=form.cleaned_data["reason"], user=request.user),
        f"{spec.noun.capitalize()} {verb}{'n' if verb == 'withdraw' else 'd'}",
    ):
        return redirect(back)
    return _form_page(
        request,
        form,
        title=f"{verb.capitalize()} this {spec.noun}?",
        caption=_record_caption(obj),
        back=back,
        details=details,
        button=f"{verb.capitalize()} {spec.noun}",
        demo=obj.is_demo if isinstance(obj, PracticeItem) else owner_of(obj).is_demo,
    )
