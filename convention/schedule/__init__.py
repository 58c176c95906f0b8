"""The schedule: rooms and days, the grid, the automatic scheduler, versions and exports.

`problem.py`, `solver.py`, `diagnostics.py` and `conflicts.py` are pure: they take frozen
dataclasses and know nothing of the database, so the grid editor, the background job
and `bench/scheduler.py` all use the same rules.
"""
