"""Forecasts of children looked after from the published figures (no Django, no service imports).

- `published`: reads the published figures (LAIT, the DfE's older releases, ONS population,
  statistical neighbours) into one table per measure, suppressed values missing, never zero.
- `model`: the forecast for every council, 1-5 years ahead, with 80% and 95% intervals.
- `spending`: the forecast of spending on children looked after (£), 1-3 years ahead.
- `backtest`: forecasts from past years only, compared with what happened.
- `cli`: `alliance forecast published` and `alliance forecast backtest`.
"""
