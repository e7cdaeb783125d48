"""What other apps may read from the national picture: the one module they import (an
import-linter contract enforces it).

- Ofsted's judgements: `Judgement` and its `Grade`, the frameworks that give an overall judgement
  (`OVERALL_FRAMEWORKS`) and the SIF's sub-judgements, every council's latest (`latest_judgements`)
  and one council's history (`judgement_history`);
- published indicators: `Indicator` and `IndicatorValue`, the key ones (`KEY_INDICATORS`), and a
  council's figures beside England's and its statistical neighbours' (`compare`, `neighbours_of`,
  under the neighbour model `NEIGHBOUR_MODEL`).
"""

from __future__ import annotations

from alliance.nationalpicture.loaders import KEY_INDICATORS
from alliance.nationalpicture.models import (
    OVERALL_FRAMEWORKS,
    SIF_SUB_JUDGEMENTS,
    Grade,
    Indicator,
    IndicatorValue,
    Judgement,
)
from alliance.nationalpicture.services import (
    NEIGHBOUR_MODEL,
    compare,
    judgement_history,
    latest_judgements,
    neighbours_of,
)

__all__ = [
    "KEY_INDICATORS",
    "NEIGHBOUR_MODEL",
    "OVERALL_FRAMEWORKS",
    "SIF_SUB_JUDGEMENTS",
    "Grade",
    "Indicator",
    "IndicatorValue",
    "Judgement",
    "compare",
    "judgement_history",
    "latest_judgements",
    "neighbours_of",
]
