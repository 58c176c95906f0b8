"""Users, sign-up, login, password reset and profiles."""
