"""The forecast's forms: a council's unit costs, and a scenario."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from alliance.forecasts.unit_costs import Cost


def _pounds(pence: int) -> str:
    return f"£{pence / 100:,.2f}".removesuffix(".00")


class UnitCostsForm(forms.Form):
    """One weekly cost in pounds for each state; blank means the default."""

    def __init__(self, *args: Any, costs: list[Cost], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.costs = costs
        for cost in costs:
            self.fields[cost.state] = forms.DecimalField(
                label=f"{cost.label}: weekly cost in pounds",
                help_text=(
                    f"Leave blank to use the default, {_pounds(cost.default_pence)} a week"
                    if cost.default_pence is not None
                    else "No published figure: leave blank to leave it out of spending"
                ),
                required=False,
                min_value=Decimal(0),
                max_value=Decimal(100_000),
                decimal_places=2,
                initial=(cost.weekly_pence / 100)
                if cost.own and cost.weekly_pence is not None
                else None,
                error_messages={
                    "invalid": "Enter an amount in pounds, like 950 or 950.50",
                    "min_value": "The weekly cost cannot be negative",
                    "max_value": "Enter a weekly cost of £100,000 or less",
                    "max_decimal_places": "Enter pounds and pence only",
                    "max_digits": "Enter a weekly cost of £100,000 or less",
                },
            )

    def pence(self) -> dict[str, int | None]:
        """{state: weekly pence, or None for the default}."""
        return {
            state: None if value is None else round(value * 100)
            for state, value in self.cleaned_data.items()
        }


BAND_FIELDS = {
    "under 1": "entry_under_1",
    "1-4": "entry_1_4",
    "5-9": "entry_5_9",
    "10-15": "entry_10_15",
    "16-17": "entry_16_17",
}


def _percent(label: str, low: int, high: int, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        required=False,
        min_value=Decimal(low),
        max_value=Decimal(high),
        decimal_places=1,
        error_messages={
            "invalid": "Enter a percentage as a number, like -10 or 5",
            "min_value": f"Enter a percentage of {low} or more",
            "max_value": f"Enter a percentage of {high} or less",
            "max_decimal_places": "Enter a percentage to one decimal place at most",
        },
    )


class ScenarioForm(forms.Form):
    """What to change from the baseline. Every field blank: the baseline alone."""

    horizon = forms.TypedChoiceField(
        label="Years ahead",
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        initial="3",
        required=False,
        empty_value=None,
    )
    entry_under_1 = _percent("Children starting care aged under 1: change (%)", -100, 500)
    entry_1_4 = _percent("Aged 1 to 4: change (%)", -100, 500)
    entry_5_9 = _percent("Aged 5 to 9: change (%)", -100, 500)
    entry_10_15 = _percent(
        "Aged 10 to 15: change (%)",
        -100,
        500,
        "For example -10 if an edge of care service keeps one in ten out of care",
    )
    entry_16_17 = _percent("Aged 16 or 17: change (%)", -100, 500)
    step_down = _percent(
        "Step-downs from residential care to the council's own foster carers (% a year)",
        0,
        100,
        "The share of children in residential care who move to foster care each year, on top of the moves the returns show",
    )
    in_house_places = forms.IntegerField(
        label="Extra places with the council's own foster carers each year",
        help_text="Taken by children who would otherwise be with agency foster carers",
        required=False,
        min_value=0,
        max_value=1000,
        error_messages={
            "invalid": "Enter a whole number of places, like 10",
            "min_value": "The number of extra places cannot be negative: that would make a number of children negative",
            "max_value": "Enter 1,000 places or fewer",
        },
    )
    inflation = _percent("Unit cost inflation (% a year)", -50, 100)

    def changes_anything(self) -> bool:
        data = self.cleaned_data
        return any(
            data.get(name)
            for name in [*BAND_FIELDS.values(), "step_down", "in_house_places", "inflation"]
        )

    def scenario(self) -> Any:
        from forecast.bottom_up.scenarios import Scenario  # noqa: PLC0415  one place for the library

        data = self.cleaned_data
        return Scenario(
            entry_change={
                band: float(data[name]) / 100
                for band, name in BAND_FIELDS.items()
                if data.get(name)
            },
            step_down_share=float(data.get("step_down") or 0) / 100,
            in_house_recruitment=float(data.get("in_house_places") or 0),
            cost_inflation=float(data.get("inflation") or 0) / 100,
        )
