"""Demand and cost forecast (issue #19): how many children will be looked after, where, and at what
cost, from the published figures (every council) and from a council's own SSDA903 returns, with
unit costs and scenarios."""
