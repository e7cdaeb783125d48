"""The practice library: finding, publishing, reading and downloading practice, and linking it to an engagement."""

from __future__ import annotations

from pathlib import Path

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from alliance.access.policy import Action, Area, can, guard, scope
from alliance.audit import services as audit
from alliance.common.query_values import whole_number
from alliance.organisations.models import Organisation
from alliance.programme import editing, forms
from alliance.programme.models import (
    ChangeRecord,
    OfstedArea,
    PracticeItem,
)
from alliance.programme.services.practice import link_practice_item, publish_practice_item
from alliance.programme.views.engagements import _engagement_change
from alliance.programme.views.shared import _form_page, _refuse, _visible_engagements


@guard(Area.PROGRAMME)
def practice_list(request: HttpRequest) -> HttpResponse:
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
        item = publish_practice_item(
            PracticeItem(
                organisation=publisher,
                title=cleaned["title"],
                summary=cleaned["summary"],
                ofsted_areas=cleaned["ofsted_areas"],
                tags=cleaned["tags"],
                attachment=cleaned["attachment"] or "",
            ),
            user=request.user,
        )
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
    engagement, refused = _engagement_change(request, pk)
    if refused is not None:
        return refused
    raw = whole_number(request.POST.get("item", ""))
    item = (
        PracticeItem.objects.filter(pk=raw, withdrawn_at__isnull=True).first()
        if raw is not None
        else None
    )
    if item is None:
        messages.error(request, "Choose an item from the practice library")
    else:
        try:
            link_practice_item(item, engagement, user=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"“{item.title}” linked to this engagement")
    return redirect(reverse("programme:engagement", args=[engagement.pk]) + "#practice")
