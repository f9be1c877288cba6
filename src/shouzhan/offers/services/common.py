"""What the offers' services share: the system actor of runs, input bounds."""

from __future__ import annotations

from shouzhan.core.actors import system_actor

PUSHER = system_actor("offers")  # the audit trail's actor of runs nobody started by hand
CONTACT_MAX = 120
REASON_MAX = 500
