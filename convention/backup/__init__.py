"""Backups: ``flask backup create`` and ``flask backup restore`` (the database and the uploads)."""
