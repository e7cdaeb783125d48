"""The kinds of record people change and remove after saving them, described once each, so one
pair of views (`views.record_change`, `views.record_remove`) serves them all: how a record is
found (and who may reach it), its form filled from what was saved, how the form's answers go back
onto it, which service saves it (with its rules) and where the person goes afterwards."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.db.models import Model, QuerySet
from django.urls import reverse

from alliance.programme import forms
from alliance.programme.models import (
    Activity,
    BudgetLine,
    Engagement,
    Milestone,
    PracticeItem,
    Priority,
    QuarterlyReview,
    SpendEntry,
)
from alliance.programme.services.engagements import (
    save_activity,
    save_engagement_dates,
    save_milestone,
    save_priority,
    save_review,
)
from alliance.programme.services.money import save_budget_line, save_spend
from alliance.programme.services.practice import save_practice_item
from alliance.programme.services.records import engagement_of

# Who reaches an engagement (the supported council, the alliance running it and the alliance's
# partner councils); a record of an engagement is reached the same way through it.
ENGAGEMENT_VIA = (
    "supported_council__organisation",
    "alliance",
    "alliance__alliance_members__council__organisation",
)


def _through(prefix: str) -> tuple[str, ...]:
    return tuple(f"{prefix}__{path}" for path in ENGAGEMENT_VIA)


def _model_form_save(form: Any, obj: Model) -> Model:
    saved: Model = form.save(commit=False)
    return saved


def _engagement_page(anchor: str) -> Callable[[Any], str]:
    def back(obj: Any) -> str:
        engagement = engagement_of(obj)
        assert engagement is not None
        return reverse("programme:engagement", args=[engagement.pk]) + f"#{anchor}"

    return back


def _money_page(obj: Any) -> str:
    line = obj if isinstance(obj, BudgetLine) else obj.budget_line
    return reverse("programme:budget-line", args=[line.pk])


def _practice_form(obj: PracticeItem, data: Any, files: Any = None) -> django_forms.Form:
    return forms.PracticeChangeForm(
        data,
        files,
        has_attachment=bool(obj.attachment),
        initial={
            "title": obj.title,
            "summary": obj.summary,
            "ofsted_areas": obj.ofsted_areas,
            "tags": obj.tags,
        },
    )


def _practice_apply(form: Any, obj: PracticeItem) -> PracticeItem:
    data = form.cleaned_data
    obj.title = data["title"]
    obj.summary = data["summary"]
    obj.ofsted_areas = data["ofsted_areas"]
    obj.tags = data["tags"]
    if data["attachment"]:
        obj.attachment = data["attachment"]
    elif data.get("remove_attachment"):
        obj.attachment = ""
    return obj


def _practice_page(obj: PracticeItem) -> str:
    return reverse("programme:practice", args=[obj.pk])


@dataclass(frozen=True)
class Kind:
    slug: str  # in the URL: /programme/records/<slug>/<pk>/
    noun: str  # "milestone", in titles and messages
    queryset: Callable[[], QuerySet[Any]]
    via: tuple[str, ...] | str  # the field path(s) to the organisations that reach it
    form: Callable[..., django_forms.BaseForm]  # (obj, data) or, multipart, (obj, data, files)
    apply: Callable[[Any, Any], Any]
    save: Callable[..., Any]
    back: Callable[[Any], str]
    removable: bool = True
    in_engagement: bool = True  # closes with its engagement
    multipart: bool = False  # its form takes files: `form(obj, data, files)`
    remove_verb: str = "remove"  # a practice item is withdrawn (kept, out of the lists)


KINDS: dict[str, Kind] = {
    kind.slug: kind
    for kind in (
        Kind(
            "engagements",
            "engagement dates",
            lambda: Engagement.objects.select_related(
                "programme", "supported_council", "alliance", "diagnostic"
            ),
            ENGAGEMENT_VIA,
            lambda obj, data: forms.EngagementForm(data, instance=obj),
            _model_form_save,
            save_engagement_dates,
            _engagement_page("main-content"),
            removable=False,
        ),
        Kind(
            "milestones",
            "milestone",
            lambda: Milestone.objects.select_related(
                "engagement__programme", "engagement__plan", "engagement__supported_council"
            ),
            _through("engagement"),
            lambda obj, data: forms.MilestoneForm(data, instance=obj, plan=obj.engagement.plan),
            _model_form_save,
            save_milestone,
            _engagement_page("milestones"),
        ),
        Kind(
            "priorities",
            "priority",
            lambda: Priority.objects.select_related(
                "plan__engagement__programme", "plan__engagement__supported_council"
            ),
            _through("plan__engagement"),
            lambda obj, data: forms.PriorityForm(data, instance=obj),
            _model_form_save,
            save_priority,
            _engagement_page("plan"),
        ),
        Kind(
            "activities",
            "activity",
            lambda: Activity.objects.select_related(
                "engagement__programme", "engagement__supported_council"
            ),
            _through("engagement"),
            lambda obj, data: forms.ActivityForm(data, instance=obj),
            _model_form_save,
            save_activity,
            _engagement_page("activities"),
        ),
        Kind(
            "reviews",
            "quarterly review",
            lambda: QuarterlyReview.objects.select_related(
                "engagement__programme", "engagement__supported_council"
            ),
            _through("engagement"),
            lambda obj, data: forms.ReviewForm(data, instance=obj),
            _model_form_save,
            save_review,
            _engagement_page("reviews"),
            removable=False,
        ),
        Kind(
            "budget-lines",
            "budget line",
            lambda: BudgetLine.objects.select_related("partner__programme", "partner__alliance"),
            "partner__alliance",
            lambda obj, data: forms.BudgetLineForm(data, instance=obj),
            _model_form_save,
            save_budget_line,
            _money_page,
            in_engagement=False,
        ),
        Kind(
            "spend",
            "spend entry",
            lambda: SpendEntry.objects.select_related(
                "budget_line__partner__programme",
                "budget_line__partner__alliance",
                "engagement__supported_council",
                "reported_in",
            ),
            "budget_line__partner__alliance",
            lambda obj, data: forms.SpendForm(data, instance=obj, partner=obj.budget_line.partner),
            _model_form_save,
            save_spend,
            _money_page,
            in_engagement=False,
        ),
        Kind(
            "practice",
            "practice item",
            # a withdrawn item is kept as it was: it is neither changed nor withdrawn again
            lambda: PracticeItem.objects.select_related("organisation").filter(
                withdrawn_at__isnull=True
            ),
            "organisation",
            _practice_form,
            _practice_apply,
            save_practice_item,
            _practice_page,
            in_engagement=False,
            multipart=True,
            remove_verb="withdraw",
        ),
    )
}


def change_url(obj: Model) -> str:
    return reverse("programme:record-change", args=[slug_of(obj), obj.pk])


def remove_url(obj: Model) -> str:
    return reverse("programme:record-remove", args=[slug_of(obj), obj.pk])


def slug_of(obj: Model) -> str:
    return {
        Engagement: "engagements",
        Milestone: "milestones",
        Priority: "priorities",
        Activity: "activities",
        QuarterlyReview: "reviews",
        BudgetLine: "budget-lines",
        SpendEntry: "spend",
        PracticeItem: "practice",
    }[type(obj)]
