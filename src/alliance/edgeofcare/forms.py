"""Edge of Care's forms. Every message says what to do, as GOV.UK error messages do."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone

from alliance.edgeofcare.models import (
    OUTCOME_MONTHS,
    PRIMARY_NEED,
    Arm,
    ClosureReason,
    ConsentBasis,
    Contact,
    CouncilSettings,
    Goal,
    Need,
    PlacementType,
    ReferrerType,
    Risk,
    Service,
    ServiceAllocation,
    Urgency,
)
from alliance.organisations import postcodes

YES_NO = [("yes", "Yes"), ("no", "No")]
YES_NO_UNKNOWN = [("yes", "Yes"), ("no", "No"), ("unknown", "Not known yet")]


def _required(message: str) -> dict[str, str]:
    return {"required": message, "invalid_choice": message}


class ReferralForm(forms.Form):
    referrer_type = forms.ChoiceField(
        label="Who is making the referral",
        choices=[("", "Choose who is referring"), *ReferrerType.choices],
        error_messages=_required("Select who is making the referral"),
    )
    referrer_name = forms.CharField(
        label="Referrer's name and role",
        max_length=120,
        error_messages={"required": "Enter the referrer's name and role"},
    )
    referrer_contact = forms.CharField(
        label="Referrer's phone number or email (optional)", max_length=120, required=False
    )
    address_line_1 = forms.CharField(
        label="Address line 1",
        max_length=120,
        error_messages={"required": "Enter the first line of the family's address"},
    )
    address_town = forms.CharField(
        label="Town or city", max_length=80, error_messages={"required": "Enter the town or city"}
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=20,
        error_messages={"required": "Enter the family's postcode"},
    )
    needs = forms.MultipleChoiceField(
        label="Presenting needs",
        help_text="Select all that apply",
        choices=Need.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages=_required("Select at least one presenting need"),
    )
    risk = forms.ChoiceField(
        label="How likely is it that a child will enter care?",
        choices=Risk.choices,
        widget=forms.RadioSelect,
        error_messages=_required("Select how likely it is that a child will enter care"),
    )
    urgency = forms.ChoiceField(
        label="How urgent is it?",
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        error_messages=_required("Select how urgent the referral is"),
    )
    consent_basis = forms.ChoiceField(
        label="Lawful basis for sharing the family's information",
        choices=ConsentBasis.choices,
        widget=forms.RadioSelect,
        error_messages=_required("Select the lawful basis for sharing the family's information"),
    )
    summary = forms.CharField(
        label="What is happening for the family",
        widget=forms.Textarea,
        required=False,
        max_length=5000,
    )
    outside_area_ok = forms.BooleanField(
        label="The family lives outside the council's area and I still want to refer them",
        required=False,
    )
    not_a_duplicate = forms.BooleanField(
        label="This is a different family, or a new referral for the same family",
        required=False,
    )

    def clean_postcode(self) -> str:
        return postcodes.valid_postcode(self.cleaned_data["postcode"])


class ChildForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=80, required=False)
    last_name = forms.CharField(label="Last name", max_length=80, required=False)
    date_of_birth = forms.DateField(
        label="Date of birth",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the date of birth as a real date"},
    )
    la_child_id = forms.CharField(
        label="Council's child id (optional)",
        help_text="The id the CIN census and SSDA903 use, so outcomes can be matched",
        max_length=20,
        required=False,
    )
    school = forms.CharField(label="School (optional)", max_length=120, required=False)
    primary_need = forms.ChoiceField(
        label="Primary need (CIN census code)",
        choices=[("", "Choose the primary need"), *PRIMARY_NEED],
        required=False,
    )
    disabled = forms.BooleanField(label="The child is disabled", required=False)
    uasc = forms.BooleanField(
        label="The child is an unaccompanied asylum-seeking child", required=False
    )
    cp_history = forms.BooleanField(
        label="The child has had a child protection plan", required=False
    )
    prior_referrals = forms.IntegerField(
        label="Referrals to children's social care in the last 12 months",
        min_value=0,
        max_value=50,
        required=False,
        error_messages={"invalid": "Enter the number of earlier referrals, like 0 or 2"},
    )
    looked_after = forms.ChoiceField(
        label="Is the child looked after by a council now?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = any(data.get(k) for k in ("first_name", "last_name", "date_of_birth"))
        data["_empty"] = not given
        if not given:
            return data
        if not data.get("first_name"):
            self.add_error("first_name", "Enter the child's first name")
        if not data.get("last_name"):
            self.add_error("last_name", "Enter the child's last name")
        dob = data.get("date_of_birth")
        if dob is None and "date_of_birth" not in self.errors:
            self.add_error("date_of_birth", "Enter the child's date of birth")
        elif dob is not None:
            today = timezone.localdate()
            if dob > today:
                self.add_error("date_of_birth", "Date of birth must be in the past")
            elif dob < today.replace(year=today.year - 18):
                self.add_error("date_of_birth", "The child must be under 18")
        if not data.get("primary_need"):
            self.add_error("primary_need", "Select the child's primary need")
        if not data.get("looked_after"):
            self.add_error("looked_after", "Select yes if the child is looked after now")
        elif data["looked_after"] == "yes":
            self.add_error(
                "looked_after",
                "This child is already in care: Edge of Care supports children who are not. "
                "Contact the child's social worker instead",
            )
        return data

    def child_fields(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "first_name": d["first_name"].strip(),
            "last_name": d["last_name"].strip(),
            "date_of_birth": d["date_of_birth"],
            "la_child_id": d.get("la_child_id", "").strip(),
            "school": d.get("school", ""),
            "primary_need": d["primary_need"],
            "disabled": d.get("disabled", False),
            "uasc": d.get("uasc", False),
            "cp_history": d.get("cp_history", False),
            "prior_referrals": d.get("prior_referrals") or 0,
        }


ChildFormSet = forms.formset_factory(ChildForm, extra=3, max_num=8)


class MemberForm(forms.Form):
    name = forms.CharField(label="Name", max_length=120, required=False)
    relationship = forms.CharField(
        label="Relationship to the children", max_length=60, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("name") and not data.get("relationship"):
            self.add_error("relationship", "Enter how this person is related to the children")
        if data.get("relationship") and not data.get("name"):
            self.add_error("name", "Enter the family member's name")
        return data


MemberFormSet = forms.formset_factory(MemberForm, extra=3, max_num=8)


class ContactForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type of contact",
        choices=Contact.Kind.choices,
        widget=forms.RadioSelect,
        error_messages=_required("Select the type of contact"),
    )
    date = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the date of the contact",
            "invalid": "Enter a real date",
        },
    )
    time = forms.TimeField(
        label="Time",
        help_text="For example, 14:30",
        error_messages={
            "required": "Enter the time of the contact",
            "invalid": "Enter a time like 14:30",
        },
    )
    allocation = forms.ChoiceField(label="Service (optional)", required=False, choices=[])
    notes = forms.CharField(
        label="What happened",
        widget=forms.Textarea,
        max_length=10000,
        error_messages={"required": "Enter what happened"},
    )

    def __init__(
        self, *args: Any, allocations: list[ServiceAllocation] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["allocation"]).choices = [
            ("", "Not for one service")
        ] + [(str(a.pk), a.service.name) for a in allocations or []]

    def happened_at(self) -> dt.datetime:
        d = self.cleaned_data
        return timezone.make_aware(dt.datetime.combine(d["date"], d["time"]))


class WorkerForm(forms.Form):
    worker = forms.ChoiceField(
        label="Allocated worker",
        help_text="Someone in the council's Edge of Care service",
        choices=[],
        required=False,
    )

    def __init__(self, *args: Any, workers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["worker"]).choices = [("", "Nobody yet")] + [
            (str(w.pk), w.display_name) for w in workers
        ]


class TriageForm(forms.Form):
    services = forms.MultipleChoiceField(
        label="Services for this family",
        help_text="Select all the services the family needs",
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    waiting_list_ok = forms.BooleanField(
        label="If a service is full, add the family to its waiting list", required=False
    )
    arm = forms.ChoiceField(
        label="Result of random allocation",
        choices=Arm.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        services: list[Service],
        randomised: bool,
        taken: dict[int, tuple[int, int]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.randomised = randomised
        cast(forms.ChoiceField, self.fields["services"]).choices = [
            (
                str(s.pk),
                f"{s.name} — {max(0, s.capacity - taken[s.pk][0])} of {s.capacity} places free"
                + (f", {taken[s.pk][1]} waiting" if taken[s.pk][1] else ""),
            )
            for s in services
        ]
        if not randomised:
            del self.fields["arm"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.randomised and not data.get("arm"):
            self.add_error("arm", "Select the arm the family was randomised to")
        if data.get("arm") != Arm.USUAL_CARE and not data.get("services"):
            self.add_error("services", "Select at least one service")
        return data


class GoalForm(forms.Form):
    description = forms.CharField(
        label="Goal", max_length=300, error_messages={"required": "Enter the goal"}
    )
    allocation = forms.ChoiceField(label="Service (optional)", required=False, choices=[])

    def __init__(
        self, *args: Any, allocations: list[ServiceAllocation] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["allocation"]).choices = [("", "The whole plan")] + [
            (str(a.pk), a.service.name) for a in allocations or []
        ]


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Goal.Status.choices, label="Progress")


class ProgressForm(forms.Form):
    progress = forms.ChoiceField(
        choices=ServiceAllocation.Progress.choices, label="Progress with this service"
    )


class ReviewForm(forms.Form):
    held_on = forms.DateField(
        label="Date of the review",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the date of the review", "invalid": "Enter a real date"},
    )
    summary = forms.CharField(
        label="What the review found and decided",
        widget=forms.Textarea,
        max_length=10000,
        error_messages={"required": "Enter what the review found and decided"},
    )
    next_review_on = forms.DateField(
        label="Next review (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real date"},
    )

    def __init__(self, *args: Any, received: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.received = received

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        held = data.get("held_on")
        if held and held < self.received:
            self.add_error("held_on", "The review must be on or after the referral date")
        if held and held > timezone.localdate():
            self.add_error("held_on", "The review date cannot be in the future")
        nxt = data.get("next_review_on")
        if held and nxt and nxt <= held:
            self.add_error("next_review_on", "The next review must be after this one")
        return data


class CloseForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why is the case closing?",
        choices=ClosureReason.choices,
        widget=forms.RadioSelect,
        error_messages=_required("Select why the case is closing"),
    )
    notes = forms.CharField(
        label="Closing summary (optional)", widget=forms.Textarea, required=False
    )


def _tri(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class OutcomeForm(forms.Form):
    months = forms.TypedChoiceField(
        label="Outcome point",
        choices=[(m, f"{m} months after referral") for m in OUTCOME_MONTHS],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages=_required("Select the outcome point"),
    )
    checked_on = forms.DateField(
        label="Date checked",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the date the outcome was checked",
            "invalid": "Enter a real date",
        },
    )
    living_at_home = forms.ChoiceField(
        label="Living at home?", choices=YES_NO_UNKNOWN, widget=forms.RadioSelect
    )
    same_school = forms.ChoiceField(
        label="At the same school?", choices=YES_NO_UNKNOWN, widget=forms.RadioSelect
    )
    entered_care = forms.ChoiceField(
        label="Entered care since the referral?",
        help_text="Filled from the council's SSDA903 return when the child's id matches",
        choices=YES_NO_UNKNOWN,
        widget=forms.RadioSelect,
    )
    re_referred = forms.ChoiceField(
        label="Referred to children's social care again?",
        help_text="Filled from the council's CIN census when the child's id matches",
        choices=YES_NO_UNKNOWN,
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(label="Notes (optional)", widget=forms.Textarea, required=False)

    def values(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "checked_on": d["checked_on"],
            "living_at_home": _tri(d["living_at_home"]),
            "same_school": _tri(d["same_school"]),
            "entered_care": _tri(d["entered_care"]),
            "re_referred": _tri(d["re_referred"]),
            "notes": d.get("notes", ""),
        }


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = ["name", "description", "capacity", "active"]
        labels = {"active": "Taking new families"}
        error_messages = {
            "name": {"required": "Enter the name of the service"},
            "capacity": {"required": "Enter how many families the service can work with at once"},
        }


class SettingsForm(forms.ModelForm):
    class Meta:
        model = CouncilSettings
        fields = [
            "team_lead_email",
            "warn_minutes",
            "allocation_method",
            "retention_years",
            "retention_until_age",
        ]
        widgets = {"allocation_method": forms.RadioSelect}
        help_texts = {
            "allocation_method": "Recorded on every referral, and used by the evaluation",
            "retention_years": "Counted from the date the case closed",
        }

    def clean_retention_years(self) -> int:
        value = self.cleaned_data["retention_years"]
        if value < 1 or value > 100:
            raise forms.ValidationError("Enter a number of years between 1 and 100")
        return value


class TargetsForm(forms.Form):
    def __init__(self, *args: Any, hours: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for urgency in Urgency:
            self.fields[urgency.value] = forms.IntegerField(
                label=f"{urgency.label}: hours to first contact",
                min_value=1,
                max_value=24 * 14,
                initial=hours[urgency.value],
                error_messages={
                    "required": f"Enter the target in hours for {urgency.label.split(':')[0].lower()} referrals",
                    "invalid": "Enter a whole number of hours, like 4",
                    "min_value": "The target must be at least 1 hour",
                    "max_value": "The target must be 336 hours (14 days) or less",
                },
            )


class CostsForm(forms.Form):
    def __init__(self, *args: Any, costs: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for t in PlacementType:
            self.fields[t.value] = forms.DecimalField(
                label=f"{t.label}: weekly cost in pounds",
                min_value=0,
                max_value=100000,
                decimal_places=2,
                initial=costs[t.value] / 100,
                error_messages={
                    "required": f"Enter the weekly cost of {t.label.lower()}",
                    "invalid": "Enter an amount in pounds, like 950 or 950.50",
                    "min_value": "The cost cannot be negative",
                    "max_value": "Enter a weekly cost of £100,000 or less",
                    "max_decimal_places": "Enter pounds and pence only",
                },
            )

    def pence(self) -> dict[str, int]:
        return {k: round(v * 100) for k, v in self.cleaned_data.items()}
