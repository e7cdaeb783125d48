"""Insight: improvement across the country, from Ofsted's published judgements (issue #18)."""
