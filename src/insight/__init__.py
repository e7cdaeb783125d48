"""Insight: improvement across the country, from Ofsted's published judgements.

A library with no Django and no service imports (import-linter enforces it), so the national
picture, the DfE's pages and analysts' command line can all use the same figures:

- `insight.judgements` reads every council's judgement history from the published files;
- `insight.transitions` counts how judgements move from one inspection to the next;
- `insight.improvement` estimates how long councils take to be judged good after a requires
  improvement or inadequate judgement (Kaplan-Meier, with 95% confidence intervals);
- `insight.cli` is `alliance insight …`.

Every choice behind the figures is written in the modules' docstrings and in docs/insight.md.
"""
