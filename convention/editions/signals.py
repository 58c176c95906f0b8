"""Signals other domains subscribe to (editions never imports them).

``role_granted`` lets registration give committee and door staff their free badge.
``item_in_use`` is asked before a theme, format or room is deleted (sender: the edition,
keywords ``item=`` and ``kind=`` "themes"/"formats"/"rooms"); each receiver returns what
of its domain uses the item ("12 proposals") or None, and the deletion is refused if any
does, so no row is left pointing at nothing.
"""

from blinker import Namespace

_signals = Namespace()

role_granted = _signals.signal("edition-role-granted")
role_revoked = _signals.signal("edition-role-revoked")
item_in_use = _signals.signal("edition-item-in-use")
