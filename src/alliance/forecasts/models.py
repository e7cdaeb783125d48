"""What the forecast stores: each council's own weekly unit costs, the scenarios its analysts (or
an alliance's lead) saved, and each council's baseline forecast from returns (a computed result,
stored so that every web process reads it instead of simulating again). Everything else it shows
is computed from published figures or the council's stored returns, and not kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from alliance.organisations.models import Organisation


class UnitCost(models.Model):
    """A council's own weekly cost of a child in one state of the forecast (a placement
    category), in whole pence. A state the council has not priced uses the default
    (`forecast.bottom_up.costs.default_unit_costs`), shown with its source."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    # a state of `forecast.bottom_up.states.STATES`, checked by the service that saves it
    state = models.CharField(max_length=40)
    weekly_pence = models.PositiveIntegerField()
    changed_at = models.DateTimeField(auto_now=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "state"], name="forecast_one_unit_cost_per_state"
            )
        ]

    def __str__(self) -> str:
        return f"Weekly unit cost ({self.state})"


class SavedScenario(models.Model):
    """A scenario an analyst saved under a name for their council's forecast from returns (or an
    alliance lead for the alliance's pooled forecast), to open again without retyping it. Holds
    the scenario form's values as typed (checked again when opened); no child's data."""

    # the council, or the alliance for its pooled forecast: whoever may see that page sees these
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    # the scenario form's fields that were filled in, {field name: value as typed}
    values = models.JSONField()
    saved_at = models.DateTimeField(auto_now=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="forecast_one_saved_scenario_per_name"
            )
        ]

    def __str__(self) -> str:
        return f"Saved scenario {self.pk}"


class StoredBaseline(models.Model):
    """A council's baseline forecast from its returns (the 500 simulations and their summaries),
    stored once so that every web process reads it instead of simulating again. `inputs` names
    what it was made from (the accepted returns, the unit costs, the seed and the number of
    simulations); a new accepted return or a changed cost gives other inputs, so a new forecast,
    and the council's older rows are deleted then. Counts of children, no child's record."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    inputs = models.CharField(max_length=64)
    horizon = models.PositiveSmallIntegerField()
    # `alliance.forecasts.stored_baselines.to_bytes`: NumPy's npz, no pickle
    projection = models.BinaryField()
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "inputs", "horizon"], name="forecast_one_stored_baseline"
            )
        ]

    def __str__(self) -> str:
        return f"Stored baseline forecast {self.pk}"
