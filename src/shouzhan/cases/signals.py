"""Signals other modules listen to.

`case_state_changed` is sent inside the transition's transaction, after the case is
saved, with kwargs `case, action, from_state, to_state, actor`. A listener that raises
rolls the transition back and its error reaches the caller (use ValidationError with a
clear Chinese message for refusals).
"""

from django.dispatch import Signal

case_state_changed = Signal()
