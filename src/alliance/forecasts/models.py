"""What the forecast stores: each council's own weekly unit costs. Everything else it shows is
computed from published figures or the council's stored returns, and not kept."""

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
