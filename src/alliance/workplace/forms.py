"""Forms: every field validated, with messages in the words GOV.UK style asks for."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from alliance.workplace import minimum_wage, wording
from alliance.workplace.form_fields import (
    ClockTimeField,
    CodeField,
    checked_postcode,
    choice_field,
    postcode_field,
    record_field,
)
from alliance.workplace.models import (
    BARRIERS,
    INTERESTS,
    SKILLS,
    SUPPORT,
    Adviser,
    Appointment,
    Goal,
    GroupAttendee,
    GroupSession,
    Hours,
    Opportunity,
    YoungPerson,
)

DATE = forms.DateInput(attrs={"type": "date"})


class YoungPersonForm(forms.ModelForm):
    postcode = postcode_field(
        "Home postcode",
        "Enter the young person’s home postcode",
        "Used only to work out travel distances to opportunities",
    )
    interests = forms.MultipleChoiceField(
        choices=INTERESTS, required=False, widget=forms.CheckboxSelectMultiple
    )
    skills = forms.MultipleChoiceField(
        choices=SKILLS, required=False, widget=forms.CheckboxSelectMultiple
    )
    barriers = forms.MultipleChoiceField(
        choices=BARRIERS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Barriers to education, employment or training",
    )
    in_touch = CodeField(code_list="IN_TOUCH", what="in touch", required=False)
    activity = CodeField(code_list="ACTIV", what="main activity", required=False)
    accommodation = CodeField(code_list="ACCOM", what="accommodation", required=False)

    class Meta:
        model = YoungPerson
        fields = [
            "first_name",
            "last_name",
            "date_of_birth",
            "legal_status",
            "personal_adviser",
            "careers_adviser",
            "pathway_plan_started",
            "pathway_plan_reviewed",
            "in_touch",
            "activity",
            "accommodation",
            "qualifications",
            "interests",
            "skills",
            "barriers",
            "postcode",
            "max_travel_miles",
            "hours",
            "consent_to_share",
        ]
        widgets = {
            "date_of_birth": DATE,
            "pathway_plan_started": DATE,
            "pathway_plan_reviewed": DATE,
            "legal_status": forms.RadioSelect,
            "hours": forms.RadioSelect,
        }
        labels = {
            "pathway_plan_started": "Date of the first pathway plan",
            "pathway_plan_reviewed": "Date the pathway plan was last reviewed",
            "max_travel_miles": "How far they will travel, in miles",
            "hours": "Hours they want",
            "consent_to_share": "They agree WorkPlace may share their name, skills and "
            "qualifications with employers they apply to",
            "postcode": "Home postcode",
            "in_touch": "In touch",
        }
        help_texts = {
            "qualifications": "For example, GCSE English grade 5, Level 1 Food Hygiene",
            "postcode": "Used only to work out travel distances to opportunities",
        }
        error_messages = {
            "first_name": {"required": "Enter the young person’s first name"},
            "last_name": {"required": "Enter the young person’s last name"},
            "date_of_birth": {
                "required": "Enter the young person’s date of birth",
                "invalid": "Date of birth must be a real date",
            },
            "legal_status": {"required": "Select the young person’s legal status"},
            "postcode": {"required": "Enter the young person’s home postcode"},
        }

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        for name in ("in_touch", "activity", "accommodation"):
            self.fields[name]._set_choices()  # type: ignore[attr-defined]
        advisers = Adviser.objects.filter(organisation=organisation).select_related("user")
        record_field(self, "personal_adviser").queryset = advisers.filter(
            kind=Adviser.Kind.PERSONAL
        )
        record_field(self, "careers_adviser").queryset = advisers.filter(kind=Adviser.Kind.CAREERS)
        choice_field(self, "legal_status").choices = YoungPerson.LegalStatus.choices
        choice_field(self, "hours").choices = Hours.choices

    def clean_date_of_birth(self) -> dt.date:
        born = self.cleaned_data["date_of_birth"]
        today = dt.date.today()
        if born > today:
            raise forms.ValidationError("Date of birth must be in the past")
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if not 13 <= age <= 25:
            raise forms.ValidationError(
                "WorkPlace supports young people aged 13 to 25: check the date of birth"
            )
        return born

    def clean_postcode(self) -> str:
        text, where = checked_postcode(self.cleaned_data["postcode"])
        self.grid = where
        return text

    def clean_max_travel_miles(self) -> int:
        miles = self.cleaned_data["max_travel_miles"]
        if miles is None or not 1 <= miles <= 60:
            raise forms.ValidationError("How far they will travel must be between 1 and 60 miles")
        return int(miles)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last, born = data.get("first_name"), data.get("last_name"), data.get("date_of_birth")
        if first and last and born:
            twins = YoungPerson.objects.filter(
                organisation=self.organisation,
                first_name__iexact=first.strip(),
                last_name__iexact=last.strip(),
                date_of_birth=born,
            )
            if self.instance.pk:
                twins = twins.exclude(pk=self.instance.pk)
            if twins.exists():
                raise forms.ValidationError(
                    f"{first} {last}, born {born.day} {born:%B %Y}, already has a WorkPlace "
                    "record: open their record instead of adding them again"
                )
        started, reviewed = data.get("pathway_plan_started"), data.get("pathway_plan_reviewed")
        if started and reviewed and reviewed < started:
            self.add_error(
                "pathway_plan_reviewed",
                "The review date must be on or after the date of the first pathway plan",
            )
        return data

    def save(self, commit: bool = True) -> YoungPerson:
        person: YoungPerson = super().save(commit=False)
        person.organisation = self.organisation
        person.easting, person.northing = self.grid
        if person.consent_to_share and not person.consent_recorded:
            person.consent_recorded = dt.date.today()
        if not person.consent_to_share:
            person.consent_recorded = None
        if commit:
            person.save()
        return person

    # The `validate_unique` check would name the constraint; clean() says it in plain words.
    def validate_constraints(self, exclude: Any = None) -> None:
        return None


class CareLeaverInfoForm(forms.Form):
    birthday = forms.TypedChoiceField(
        coerce=int,
        choices=[(a, wording.birthday_label(a)) for a in range(17, 22)],
        label="Which birthday is this information for?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the birthday this information is for"},
    )
    recorded_on = forms.DateField(
        widget=DATE,
        label="Date the information was gathered",
        error_messages={"required": "Enter the date the information was gathered"},
    )
    in_touch = CodeField(code_list="IN_TOUCH", what="in touch")
    activity = CodeField(code_list="ACTIV", what="main activity", label="Main activity")
    accommodation = CodeField(code_list="ACCOM", what="accommodation", label="Accommodation")

    def __init__(self, *args: Any, young_person: YoungPerson, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.young_person = young_person
        for name in ("in_touch", "activity", "accommodation"):
            self.fields[name]._set_choices()  # type: ignore[attr-defined]

    def clean_recorded_on(self) -> dt.date:
        day = self.cleaned_data["recorded_on"]
        if day > dt.date.today():
            raise forms.ValidationError("The date the information was gathered must be in the past")
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        age = data.get("birthday")
        if age and self.young_person.care_leaver_info.filter(birthday=age).exists():
            self.add_error(
                "birthday", f"Information for the {wording.birthday_label(age)} is already recorded"
            )
        return data


class PathwayReviewForm(forms.Form):
    reviewed_on = forms.DateField(
        widget=DATE,
        label="Date of the review",
        error_messages={"required": "Enter the date of the review"},
    )
    summary = forms.CharField(
        widget=forms.Textarea,
        label="What changed in the plan",
        error_messages={"required": "Enter what changed in the plan"},
    )

    def clean_reviewed_on(self) -> dt.date:
        day = self.cleaned_data["reviewed_on"]
        if day > dt.date.today():
            raise forms.ValidationError("The date of the review must be today or in the past")
        return day


class AppointmentForm(forms.ModelForm):
    date = forms.DateField(widget=DATE, error_messages={"required": "Enter the date"})
    time = ClockTimeField(
        help_text="For example, 2:30pm or 14:30", error_messages={"required": "Enter the time"}
    )

    class Meta:
        model = Appointment
        fields = ["adviser", "place", "purpose", "status", "notes"]
        widgets = {"status": forms.RadioSelect}
        labels = {"purpose": "What the appointment is for", "notes": "Session notes"}
        error_messages = {
            "place": {"required": "Enter where the appointment is"},
            "purpose": {"required": "Enter what the appointment is for"},
        }

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        record_field(self, "adviser").queryset = Adviser.objects.filter(
            organisation=organisation
        ).select_related("user")
        choice_field(self, "status").choices = Appointment.Status.choices
        if self.instance.pk and not self.is_bound:
            local = self.instance.starts_at

            local = timezone.localtime(local)
            self.initial.update(date=local.date(), time=wording.clock_time(local))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date") and data.get("time"):
            data["starts_at"] = timezone.make_aware(dt.datetime.combine(data["date"], data["time"]))
            happened = (Appointment.Status.ATTENDED, Appointment.Status.MISSED)
            if data.get("status") in happened and data["starts_at"] > timezone.now():
                self.add_error("status", "An appointment that has not happened yet is still booked")
        return data

    def save(self, commit: bool = True) -> Appointment:
        appointment: Appointment = super().save(commit=False)
        appointment.starts_at = self.cleaned_data["starts_at"]
        if commit:
            appointment.save()
        return appointment


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["description", "due", "progress"]
        widgets = {"due": DATE, "progress": forms.RadioSelect}
        labels = {"description": "Goal", "due": "Due by"}
        error_messages = {
            "description": {"required": "Enter the goal"},
            "due": {"required": "Enter the date the goal is due by"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "progress").choices = Goal.Progress.choices


class StageForm(forms.Form):
    stage = forms.ChoiceField(
        label="Stage reached", error_messages={"required": "Select the stage reached"}
    )
    on = forms.DateField(
        widget=DATE, label="Date", error_messages={"required": "Enter the date of this stage"}
    )

    def __init__(self, *args: Any, stages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "stage").choices = stages
        self.fields["stage"].widget = forms.RadioSelect(choices=stages)


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why was it recorded by mistake?",
        max_length=500,
        error_messages={"required": "Enter why the stage was recorded by mistake"},
    )


class LetterForm(forms.Form):
    addressed_to = forms.CharField(
        label="Who the letter is for",
        help_text="The training provider or employer, for example Tyne Coast College",
        max_length=200,
        error_messages={"required": "Enter who the letter is for"},
    )


# Kinds of opportunity that are paid work, so the minimum wage applies.
PAID = (Opportunity.Kind.JOB, Opportunity.Kind.APPRENTICESHIP)


class OpportunityForm(forms.ModelForm):
    postcode = postcode_field("Postcode of the workplace", "Enter the postcode of the workplace")
    interests = forms.MultipleChoiceField(
        choices=INTERESTS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Areas of work",
    )
    skills = forms.MultipleChoiceField(
        choices=SKILLS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Skills or certificates asked for",
    )
    support = forms.MultipleChoiceField(
        choices=SUPPORT,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Support you offer care leavers",
    )
    pay = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=2,
        label="Pay per hour, in pounds",
        help_text="Leave empty for unpaid work experience, mentoring or courses",
        error_messages={"invalid": "Pay must be a number, like 11.44"},
    )

    class Meta:
        model = Opportunity
        fields = [
            "title",
            "kind",
            "description",
            "places",
            "postcode",
            "hours_per_week",
            "min_age",
            "max_age",
            "eligibility",
            "interests",
            "skills",
            "support",
            "closing_date",
        ]
        widgets = {"closing_date": DATE, "kind": forms.RadioSelect}
        labels = {
            "kind": "Type of opportunity",
            "postcode": "Postcode of the workplace",
            "min_age": "Youngest age",
            "max_age": "Oldest age",
            "eligibility": "Who can apply",
        }
        error_messages = {
            "title": {"required": "Enter a title"},
            "kind": {"required": "Select the type of opportunity"},
            "description": {"required": "Enter a description"},
            "places": {"required": "Enter how many places there are"},
            "postcode": {"required": "Enter the postcode of the workplace"},
            "hours_per_week": {"required": "Enter the hours a week"},
            "closing_date": {
                "required": "Enter the closing date",
                "invalid": "Closing date must be a real date",
            },
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "kind").choices = Opportunity.Kind.choices
        if self.instance.pk and self.instance.pay_pence_per_hour is not None:
            self.initial["pay"] = self.instance.pay_pence_per_hour / 100

    def clean_closing_date(self) -> dt.date:
        day = self.cleaned_data["closing_date"]
        if day < dt.date.today():
            raise forms.ValidationError("The closing date must be today or in the future")
        return day

    def clean_postcode(self) -> str:
        text, where = checked_postcode(self.cleaned_data["postcode"])
        self.grid = where
        return text

    def clean_places(self) -> int:
        n = self.cleaned_data["places"]
        if not 1 <= n <= 500:
            raise forms.ValidationError("Places must be between 1 and 500")
        return n

    def clean_hours_per_week(self) -> int:
        n = self.cleaned_data["hours_per_week"]
        if not 1 <= n <= 48:
            raise forms.ValidationError("Hours a week must be between 1 and 48")
        return n

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_age"), data.get("max_age")
        if low is not None and high is not None and low > high:
            self.add_error("max_age", "The oldest age must be the same as or above the youngest")
        if low is not None and low < 16:
            self.add_error("min_age", "Opportunities are for young people aged 16 or over")
        self._check_pay(data)
        return data

    def _check_pay(self, data: dict[str, Any]) -> None:
        """Paid work must pay at least the minimum wage for every age it is open to, today and
        on the closing date (a new rate may start in between): the apprentice rate for an
        apprenticeship."""
        kind, pay = data.get("kind"), data.get("pay")
        low, high, closing = data.get("min_age"), data.get("max_age"), data.get("closing_date")
        if kind not in PAID or self.errors.keys() & {"min_age", "max_age", "pay"}:
            return
        if pay is None:
            self.add_error("pay", "Enter the pay per hour: jobs and apprenticeships are paid")
            return
        if low is None or high is None:
            return
        days = [dt.date.today(), *([closing] if closing else [])]
        try:
            minimum_wage.check_pay(
                int(pay * 100),
                low,
                high,
                days,
                apprentice=kind == Opportunity.Kind.APPRENTICESHIP,
            )
        except minimum_wage.PayBelowMinimum as error:
            self.add_error("pay", error.messages[0])

    def save(self, commit: bool = True) -> Opportunity:
        opportunity: Opportunity = super().save(commit=False)
        opportunity.easting, opportunity.northing = self.grid
        pay = self.cleaned_data.get("pay")
        opportunity.pay_pence_per_hour = int(pay * 100) if pay is not None else None
        if commit:
            opportunity.save()
        return opportunity


class PledgeForm(forms.Form):
    pledge = forms.CharField(
        widget=forms.Textarea,
        label="Your pledge to care leavers",
        help_text="For example, we guarantee an interview to every care leaver who applies",
        error_messages={"required": "Enter your pledge"},
    )


class GroupSessionForm(forms.ModelForm):
    class Meta:
        model = GroupSession
        fields = ["title", "setting", "venue", "held_on", "led_by"]
        widgets = {"held_on": DATE, "setting": forms.RadioSelect}
        labels = {"setting": "Who the session is with", "held_on": "Date", "led_by": "Led by"}
        error_messages = {
            "title": {"required": "Enter a title"},
            "setting": {"required": "Select who the session is with"},
            "venue": {"required": "Enter where the session is held"},
            "held_on": {"required": "Enter the date"},
            "led_by": {"required": "Enter who leads the session"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "setting").choices = GroupSession.Setting.choices


class AttendeeForm(forms.ModelForm):
    class Meta:
        model = GroupAttendee
        fields = ["name", "kind", "age", "attended"]
        widgets = {"kind": forms.RadioSelect}
        labels = {"kind": "Who they are", "attended": "They attended"}
        error_messages = {
            "name": {"required": "Enter their name"},
            "kind": {"required": "Select who they are"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "kind").choices = GroupAttendee.Kind.choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == GroupAttendee.Kind.YOUNG_PERSON:
            age = data.get("age")
            if age is None:
                self.add_error("age", "Enter the young person’s age")
            elif age < 13:
                self.add_error(
                    "age", "Group sessions are for looked-after young people aged 13 and over"
                )
        return data
