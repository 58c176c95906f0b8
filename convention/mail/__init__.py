"""The outbox: every email is rendered into a table, then sent (or kept) from here."""
