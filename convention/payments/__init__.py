"""Payments: the Stripe adapter, its webhook and the payment provider registration reads."""
