"""The statutory-data library: read, validate and summarise councils' statutory returns.

Plain Python over Polars. It never imports Django or the service (an import-linter contract in
pyproject.toml keeps that true); the service and the `alliance` CLI call it.
"""
