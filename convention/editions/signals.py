"""Signals other domains subscribe to (editions never imports them).

``role_granted`` lets registration give committee and door staff their free badge.
"""

from blinker import Namespace

_signals = Namespace()

role_granted = _signals.signal("edition-role-granted")
role_revoked = _signals.signal("edition-role-revoked")
