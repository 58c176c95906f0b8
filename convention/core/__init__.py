"""Shared pieces used by every domain: time, money, codes, errors, permissions."""
