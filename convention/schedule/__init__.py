"""The schedule: rooms' formats, days and opening hours, blocks, the draft grid of
confirmed talks, the automatic scheduler, and the published versions that public pages
and exports read.

`problem.py`, `solver.py`, `diagnostics.py` and `conflicts.py` are pure: they take frozen
dataclasses and know nothing of the database, so the grid editor, the background job
and `bench/scheduler.py` all use the same rules.
"""
