"""Conventions: one edition a year, with its themes, session formats, rooms and roles."""
