"""The schedule: rooms' formats, days and opening hours, blocks, the draft grid of
confirmed talks, and the published versions that public pages and exports read."""
