"""Benchmarks of the helpdesk. `python -m bench` (or `make bench`) runs them all.

Each (backend, size) case runs in its own subprocess against its own scratch database,
because Django settings choose the database when they are imported.
"""
