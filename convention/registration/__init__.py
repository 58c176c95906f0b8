"""Registration: ticket types, quotas, vouchers, orders, attendees, the waiting list."""
