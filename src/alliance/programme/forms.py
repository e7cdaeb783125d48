"""Forms: every field checked, with messages in GOV.UK style. Checks that need other records
(capacity, budget left, overlapping engagements) are made by services inside the save's transaction
and come back onto the form as field errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from alliance.common.form_fields import DateField
from alliance.organisations.models import Organisation
from alliance.programme.models import (
    Activity,
    BudgetLine,
    Diagnostic,
    Engagement,
    ImprovementPlan,
    Milestone,
    OfstedArea,
    Partner,
    Priority,
    Programme,
    QuarterlyReview,
    Rag,
    SpendEntry,
)
from alliance.programme.money import parse_pence, pence_as_text
from alliance.programme.partner_standing import partner_concerns


class MoneyField(forms.CharField):
    """Takes '£1,234.56' and gives whole pence (an int)."""

    def __init__(self, *args: Any, allow_zero: bool = True, **kwargs: Any) -> None:
        self.allow_zero = allow_zero
        kwargs.setdefault("help_text", "In pounds and pence, for example £1,234.56")
        super().__init__(*args, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        return pence_as_text(value) if isinstance(value, int) else value

    def clean(self, value: Any) -> int:
        label = str(self.label or "Amount")
        pence = parse_pence(value or "", label)
        if pence < 0:
            raise ValidationError(
                f"{label} must be £0 or more"
                if self.allow_zero
                else f"{label} must be more than £0"
            )
        if pence == 0 and not self.allow_zero:
            raise ValidationError(f"{label} must be more than £0")
        return pence


class PenceForm(forms.ModelForm):
    """A model form whose money fields, typed in pounds and pence, are the model's whole-pence
    fields (`pence_fields`: form field name to model field name)."""

    pence_fields = {"amount": "amount_pence"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            for name, model_field in self.pence_fields.items():
                self.initial.setdefault(name, getattr(self.instance, model_field))

    def save(self, commit: bool = True) -> Any:
        for name, model_field in self.pence_fields.items():
            setattr(self.instance, model_field, self.cleaned_data[name])
        return super().save(commit)


def required(label: str) -> dict[str, str]:
    return {"required": f"Enter {label.lower()}"}


class ProgrammeForm(PenceForm):
    name = forms.CharField(
        label="Name", max_length=200, error_messages=required("the programme's name")
    )
    starts = DateField(label="Start date")
    ends = DateField(label="End date")
    grant_total = MoneyField(label="Grant total", allow_zero=False)

    pence_fields = {"grant_total": "grant_total_pence"}

    class Meta:
        model = Programme
        fields = ["name", "starts", "ends", "grant_total"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            self.add_error("ends", "End date must be after the start date")
        return data


class PartnerForm(PenceForm):
    alliance = forms.ModelChoiceField(
        label="Alliance",
        queryset=Organisation.objects.filter(kind=Organisation.Kind.ALLIANCE),
        empty_label="Choose an alliance",
        error_messages={"required": "Choose an alliance", "invalid_choice": "Choose an alliance"},
    )
    grant_share = MoneyField(label="Grant share")
    capacity = forms.IntegerField(
        label="Capacity",
        min_value=1,
        max_value=50,
        help_text="How many councils the partner can support",
        error_messages={
            "required": "Enter how many councils the partner can support",
            "invalid": "Capacity must be a whole number, like 10",
            "min_value": "Capacity must be 1 or more",
            "max_value": "Capacity must be 50 or fewer",
        },
    )
    innovation_project = forms.CharField(
        label="Innovation project (optional)", required=False, max_length=200
    )

    pence_fields = {"grant_share": "grant_share_pence"}

    class Meta:
        model = Partner
        fields = ["alliance", "grant_share", "capacity", "innovation_project"]


class EngagementForm(forms.ModelForm):
    starts = DateField(label="Start date")
    ends = DateField(label="End date", help_text="Engagements last up to two years")

    class Meta:
        model = Engagement
        fields = ["starts", "ends"]


class MilestoneForm(forms.ModelForm):
    due = DateField(label="Due date")
    completed_on = DateField(label="Date completed (optional)", required=False)

    class Meta:
        model = Milestone
        fields = [
            "title",
            "priority",
            "owner",
            "owner_email",
            "due",
            "rag",
            "evidence",
            "completed_on",
        ]
        labels = {
            "title": "Milestone",
            "priority": "Priority it serves (optional)",
            "owner": "Owner",
            "owner_email": "Owner's email address (optional)",
            "rag": "RAG status",
            "evidence": "Evidence (optional)",
        }
        widgets = {"rag": forms.RadioSelect, "evidence": forms.Textarea}
        error_messages = {
            "title": required("the milestone"),
            "owner": required("the owner's name"),
            "owner_email": {
                "invalid": "Enter an email address in the correct format, like name@example.com"
            },
            "rag": {"required": "Choose a RAG status"},
        }

    def __init__(self, *args: Any, plan: ImprovementPlan | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = (  # type: ignore[attr-defined]
            Priority.objects.filter(plan=plan) if plan is not None else Priority.objects.none()
        )
        self.fields["priority"].empty_label = "Not tied to a priority"  # type: ignore[attr-defined]
        self.fields["rag"].choices = Rag.choices  # type: ignore[attr-defined]


class ActivityForm(forms.ModelForm):
    held_on = DateField(label="Date")

    class Meta:
        model = Activity
        fields = ["kind", "held_on", "people", "hours", "notes"]
        labels = {
            "kind": "Kind of activity",
            "people": "Who took part",
            "hours": "Hours",
            "notes": "Notes (optional)",
        }
        widgets = {"kind": forms.RadioSelect, "notes": forms.Textarea, "hours": forms.TextInput}
        error_messages = {
            "kind": {"required": "Choose the kind of activity"},
            "people": required("who took part"),
            "hours": {"required": "Enter the hours", "invalid": "Hours must be a number, like 3.5"},
        }

    def clean_hours(self) -> Any:
        hours = self.cleaned_data["hours"]
        if hours is not None and hours <= 0:
            raise ValidationError("Hours must be more than 0")
        return hours

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Activity.Kind.choices  # type: ignore[attr-defined]


class ReviewForm(forms.ModelForm):
    held_on = DateField(label="Date held")

    class Meta:
        model = QuarterlyReview
        fields = ["held_on", "rag", "notes"]
        labels = {"rag": "Overall RAG status", "notes": "Notes"}
        widgets = {"rag": forms.RadioSelect, "notes": forms.Textarea}
        error_messages = {"notes": required("the review's notes")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rag"].required = True
        self.fields["rag"].error_messages["required"] = "Choose an overall RAG status"
        self.fields["rag"].choices = Rag.choices  # type: ignore[attr-defined]
        self.fields["notes"].required = True


class PriorityForm(forms.ModelForm):
    class Meta:
        model = Priority
        fields = ["ofsted_area", "description"]
        labels = {"ofsted_area": "Ofsted area", "description": "Priority"}
        widgets = {"ofsted_area": forms.RadioSelect, "description": forms.Textarea}
        error_messages = {
            "ofsted_area": {"required": "Choose the Ofsted area"},
            "description": required("the priority"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ofsted_area"].choices = OfstedArea.choices  # type: ignore[attr-defined]


class PlanForm(forms.ModelForm):
    agreed_on = DateField(label="Date agreed (optional)", required=False)

    class Meta:
        model = ImprovementPlan
        fields = ["summary", "agreed_on"]
        labels = {"summary": "Summary of the plan"}
        widgets = {"summary": forms.Textarea}


class DiagnosticForm(forms.ModelForm):
    class Meta:
        model = Diagnostic
        fields = ["strengths", "concerns"]
        labels = {"strengths": "Strengths found", "concerns": "Concerns found"}
        widgets = {"strengths": forms.Textarea, "concerns": forms.Textarea}


class ClosureForm(forms.Form):
    closed_on = DateField(label="Date closed")
    impact_summary = forms.CharField(
        label="Impact summary", widget=forms.Textarea, error_messages=required("the impact summary")
    )


class BudgetLineForm(PenceForm):
    kind = forms.ChoiceField(
        label="Kind",
        choices=BudgetLine.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of budget line"},
    )
    name = forms.CharField(label="Name", max_length=200, error_messages=required("a name"))
    amount = MoneyField(label="Budget")

    class Meta:
        model = BudgetLine
        fields = ["kind", "name", "amount"]


class SpendForm(PenceForm):
    budget_line = forms.ModelChoiceField(
        label="Budget line",
        queryset=BudgetLine.objects.none(),
        empty_label="Choose a budget line",
        error_messages={
            "required": "Choose a budget line",
            "invalid_choice": "Choose a budget line",
        },
    )
    engagement = forms.ModelChoiceField(
        label="Engagement (optional)",
        queryset=BudgetLine.objects.none(),
        required=False,
        empty_label="Not for one engagement",
    )
    spent_on = DateField(label="Date spent")
    amount = MoneyField(label="Amount", allow_zero=False)
    description = forms.CharField(
        label="What it was for", max_length=300, error_messages=required("what it was for")
    )
    evidence = forms.CharField(
        label="Evidence",
        max_length=300,
        help_text="Invoice, claim or timesheet reference",
        error_messages=required("the evidence reference"),
    )

    class Meta:
        model = SpendEntry
        fields = ["budget_line", "engagement", "spent_on", "amount", "description", "evidence"]

    def __init__(self, *args: Any, partner: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].queryset = partner.budget_lines.all()  # type: ignore[attr-defined]
        self.fields["engagement"].queryset = partner.engagements.select_related("supported_council")  # type: ignore[attr-defined]
        self.fields["engagement"].label_from_instance = lambda e: e.supported_council.name  # type: ignore[attr-defined]


def today() -> dt.date:
    return dt.date.today()


ATTACHMENT_TYPES = {".pdf", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".txt", ".csv"}
ATTACHMENT_MAX_BYTES = 4 * 1024 * 1024


class PracticeForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200, error_messages=required("a title"))
    summary = forms.CharField(
        label="What you did and what you learned",
        widget=forms.Textarea,
        error_messages=required("what you did and what you learned"),
    )
    ofsted_areas = forms.MultipleChoiceField(
        label="Ofsted areas it speaks to",
        choices=OfstedArea.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one Ofsted area"},
    )
    tags = forms.CharField(
        label="Other keywords (optional)",
        required=False,
        max_length=300,
        help_text="Separate them with commas",
    )
    attachment = forms.FileField(
        label="Attachment (optional)",
        required=False,
        help_text="PDF, Word, Excel, PowerPoint, OpenDocument, text or CSV; up to 4 MB",
    )

    def clean_attachment(self) -> Any:
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return upload
        if Path(upload.name).suffix.lower() not in ATTACHMENT_TYPES:
            raise ValidationError(
                "The attachment must be a PDF, Word, Excel, PowerPoint, OpenDocument, text or CSV file"
            )
        if upload.size > ATTACHMENT_MAX_BYTES:
            raise ValidationError("The attachment must be smaller than 4 MB")
        return upload


class PracticeChangeForm(PracticeForm):
    """Correcting a published item: the same checks as publishing it, and the attachment can be
    replaced (a new file) or taken off."""

    remove_attachment = forms.BooleanField(label="Take the current attachment off", required=False)

    def __init__(self, *args: Any, has_attachment: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachment"].label = (
            "Replace the attachment (optional)" if has_attachment else "Attachment (optional)"
        )
        if not has_attachment:
            del self.fields["remove_attachment"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("remove_attachment") and cleaned.get("attachment"):
            self.add_error(
                "attachment", "Either give a new attachment or take the current one off, not both"
            )
        return cleaned


class RemoveForm(forms.Form):
    reason = forms.CharField(
        label="Why are you removing it?",
        max_length=500,
        widget=forms.Textarea,
        help_text="For example, entered twice or entered against the wrong engagement. The history "
        "keeps what it said and your reason",
        error_messages=required("why it is being removed"),
    )


class CorrectionForm(forms.Form):
    spent_on = DateField(
        label="Date of the correction",
        help_text="In the current quarter, after the last spend report. For example, 27 3 2019",
    )
    reason = forms.CharField(
        label="Why is the spend being corrected?",
        max_length=300,
        widget=forms.Textarea,
        error_messages=required("why the spend is being corrected"),
    )


class ProfileForm(forms.Form):
    """The line's budget and the amount planned for each quarter of the programme."""

    def __init__(self, *args: Any, quarters: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.quarters = quarters
        self.fields["budget"] = MoneyField(
            label="Budget for the line",
            help_text="The quarters must add up to this. In pounds and pence, for example £1,234.56",
        )
        for quarter in quarters:
            self.fields[f"q{quarter.number}"] = MoneyField(
                label=f"{quarter.label}: {quarter.period}",
                help_text="",
                error_messages=required(f"the amount planned for {quarter.label.lower()}"),
            )

    def planned(self) -> dict[int, int]:
        return {q.number: self.cleaned_data[f"q{q.number}"] for q in self.quarters}


class SpendReportForm(forms.Form):
    confirm = forms.BooleanField(
        label="I confirm the spend to the end of this quarter is complete and correct",
        error_messages={"required": "Confirm the spend is complete and correct"},
    )


class MatchMoveForm(forms.Form):
    partner = forms.ModelChoiceField(
        label="Partner",
        queryset=Partner.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a partner", "invalid_choice": "Choose a partner"},
    )

    def __init__(self, *args: Any, programme: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partners = programme.partners.select_related("alliance").prefetch_related(
            "alliance__alliance_members__council"
        )
        self.fields["partner"].queryset = partners  # type: ignore[attr-defined]
        concerns = partner_concerns(partners)
        # a partner whose own council is rated below good says so beside its name
        self.fields["partner"].label_from_instance = lambda p: (  # type: ignore[attr-defined]
            f"{p.alliance}: {'; '.join(str(c) for c in concerns[p.pk])}"
            if p.pk in concerns
            else str(p.alliance)
        )
