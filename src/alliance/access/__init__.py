"""Who may see or change what: decided here, in one place, for every view and queryset."""
