"""Signals of registration. Other domains subscribe; registration never imports them.

``order_released`` is sent with sender=order when an unpaid order's reservation is
released (expired, payment failed or cancelled), e.g. payments ends the order's open
Stripe Checkout Session so nobody can pay for seats that went back on sale.
"""

from blinker import Namespace

_signals = Namespace()

order_released = _signals.signal("registration.order-released")
