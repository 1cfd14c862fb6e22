"""Hand-written OpenAPI contracts of the five vendors and of the control API."""
