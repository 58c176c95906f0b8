"""Signals registration sends; other domains subscribe (registration never imports them).

``order_released`` is sent with ``sender=order`` (and ``reason``: "expired",
"payment_failed" or "cancelled") whenever an unpaid order's reservation is released,
in the transaction that releases it; payments listens to expire the order's open
Checkout Session.
"""

from blinker import Namespace

_signals = Namespace()

order_released = _signals.signal("registration.order-released")
