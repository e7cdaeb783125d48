"""The programme's domain logic: matches, engagements, milestones, money, history, summaries and
reminders. No request objects: callers pass the person acting (`user`); the audit row takes where
the change came from from the request being served, if any.

Every change to plans, milestones and money goes through `record_change`, which writes the
programme's own history (who, when, each field before and after) and an audit row. Checks that
need other records (capacity, overlapping engagements, budget left) run here, inside the same
transaction as the save, with the rows they depend on locked, so nothing is half-saved.
"""
