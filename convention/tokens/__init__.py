"""API tokens: per-device secrets that organizers issue and revoke (scan API, read APIs)."""
