"""Pages of the improvement programme. Access: every view is guarded; lists go through
`visible_to`, records from a URL through `get_visible_or_404`; every POST that changes a record
checks `can(user, Area.PROGRAMME, Action.CHANGE, owning organisation)`."""
