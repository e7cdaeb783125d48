"""Page helpers every programme page uses: today's date, a posted form saved by a service (or its refusal onto the form), the refused page, the form page and the engagements a person may see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alliance.access.policy import Action, Area, can, visible_to
from alliance.audit import services as audit
from alliance.common.query_values import whole_number
from alliance.common.views import forbidden
from alliance.programme import editing
from alliance.programme.models import (
    Engagement,
    Programme,
)

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


def _saved(
    request: HttpRequest,
    form: Any,
    save: Callable[[], object],
    done: str | Callable[[], str],
) -> bool:
    """Whether the form was posted, passed its checks and `save` (a service call) took it; the
    service's refusal goes onto the form, and `done` (or what it gives once saved) is said on the
    next page."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        save()
    except ValidationError as error:
        _apply_errors(form, error)
        return False
    messages.success(request, done if isinstance(done, str) else done())
    return True


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


def _visible_engagements(request: HttpRequest) -> QuerySet[Engagement]:
    return visible_to(request.user, Engagement.objects.all(), Area.PROGRAMME, via=ENGAGEMENT_VIA)


def _programme_choice(request: HttpRequest, engagements: QuerySet[Engagement]) -> Programme | None:
    programmes = Programme.objects.filter(pk__in=engagements.values("programme_id"))
    if can(request.user, Area.PROGRAMME_SETUP):
        programmes = Programme.objects.all()
    chosen = whole_number(request.GET.get("programme", ""))
    if chosen is not None:
        found = programmes.filter(pk=chosen).first()
        if found is not None:
            return found
    return programmes.order_by("-starts").first()
