"""Signals of the call for papers. Other domains subscribe; cfp never imports them.

``talk_confirmed`` is sent once per speaker when a proposal becomes confirmed (and for a
co-speaker who joins a confirmed talk); ``talk_cancelled`` once per speaker when a
confirmed proposal is cancelled or withdrawn (and for a speaker removed from it). Both
are sent with the edition as sender and ``user=`` and ``proposal=`` as keywords, e.g.
registration gives confirmed speakers a free ticket and voids it on cancellation.
"""

import blinker

talk_confirmed = blinker.signal("cfp.talk-confirmed")
talk_cancelled = blinker.signal("cfp.talk-cancelled")
