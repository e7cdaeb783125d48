"""The children in need (CIN) census: read, validate with the DfE rules, indicators.

- `reader`: the census XML streamed (or the tables as CSV) into typed Polars tables;
- `schema` and `schemas/`: one data file per collection year (structure, code lists);
- `rules/`: the DfE validation rules on the shared engine (`statutory.engine`);
- `workdays`: England and Wales working days from the `holidays` package;
- `indicators`: the DfE's children-in-need indicators from the records;
- `pseudonymise`: keyed pseudonyms that keep the validation and indicator results;
- `generator`: realistic synthetic censuses for tests and the benchmark;
- `cli`: `alliance cin ...`.

See docs/statutory/cin.md and docs/statutory/cin-indicators.md.
"""
