"""The audit log, readable: per edition for its organizers, site-wide for admins, with
filters, pages and a CSV export. Above every domain (audit itself is the lowest layer)."""
