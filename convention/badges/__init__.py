"""Badges: the signed ticket code each registration carries (its QR code), and the
edition's signing keys. Sits above registration, below checkin."""
