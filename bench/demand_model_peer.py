"""Runs cs-demand-model headless on a folder of SSDA903 returns; prints its forecast as CSV.

Run by `bench/demand_model_compare.py` with the Python of cs-demand-model's own virtual
environment (var/peers/demand-model/venv: it needs pandas < 2 and Python < 3.12), never with the
project's. It does what the model's own `predict` command does (cs_demand_model/__main__.py),
without the progress bar, plots or Excel:

    Config() -> fs_datastore(FOLDER) -> DemandModellingDataContainer -> PopulationStats
    -> ModelPredictor.from_model(stats, reference_start, reference_end) -> predict(days)

FOLDER holds one sub-folder per year (`2021/header.csv`, `2021/episodes.csv`, …), the layout
the model's file-system data store reads. Output: `date,category,forecast`, the model's
population summed over its age bands, for each date asked for (31 March of the years ahead);
`category` is the model's own placement category (Fostering, Residential, Supported, Other).

    python demand_model_peer.py FOLDER --reference-years 1 --dates 2024-03-31,2025-03-31
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

import pandas as pd
from cs_demand_model import (
    Config,
    DemandModellingDataContainer,
    ModelPredictor,
    PopulationStats,
    fs_datastore,
)
from dateutil.relativedelta import relativedelta


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument(
        "--reference-months",
        type=int,
        default=6,
        help="months before the end of the data the rates are measured over (the model's own "
        "default is 6)",
    )
    parser.add_argument("--dates", required=True, help="comma-separated YYYY-MM-DD")
    args = parser.parse_args()

    config = Config()
    container = DemandModellingDataContainer(fs_datastore(args.folder), config)
    stats = PopulationStats(container.enriched_view, config)
    end = container.end_date
    start = end - relativedelta(months=args.reference_months)
    predictor = ModelPredictor.from_model(stats, start, end)
    dates = [datetime.strptime(d, "%Y-%m-%d") for d in args.dates.split(",")]
    days = (max(dates) - end).days
    predicted = predictor.predict(days)
    predicted.index = pd.to_datetime(predicted.index)
    out = sys.stdout
    out.write("date,category,forecast\n")
    # the start population too, so the caller can check it equals the returns' 31 March count
    start_population = stats.stock_at(end)
    rows = [("start", start_population)] + [
        (f"{d:%Y-%m-%d}", predicted.loc[pd.Timestamp(d)]) for d in dates
    ]
    for label, population in rows:
        by_category: dict[str, float] = {}
        for (_age_band, category), value in population.items():
            name = config.PlacementCategories[category].label
            by_category[name] = by_category.get(name, 0.0) + float(value)
        for name, value in sorted(by_category.items()):
            out.write(f"{label},{name},{value:.3f}\n")
    out.write(f"# data end {end:%Y-%m-%d}, reference {start:%Y-%m-%d} to {end:%Y-%m-%d}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
