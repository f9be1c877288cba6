"""What a case transition tells other modules: one typed event, and the effects the case type declares.

A case type says, as data in `workflow.py`, which effects each transition has on other modules
("grant the approved amount", "confirm the booking", "record the introduction's outcome"). The module that
owns an effect registers its one handler at start-up (its AppConfig.ready()):

    effect_handler_register(wf.GRANT_APPROVED_AMOUNT, on_grant_approved_amount)

`case_transition` builds one frozen `CaseTransitioned` and runs the transition's effects: an effect that must
not be lost (money, a booking) runs inside the transition's transaction, so a refusal there rolls the
transition back and the caller sees the handler's message; one that only tells somebody (e-mail, a message)
runs after commit, so nobody hears of a transition that did not happen. No handler reads state names: what
it needs is in the event (the action, the target state's outcome, the note).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import transaction

from shouzhan.core.actors import Actor

if TYPE_CHECKING:
    from shouzhan.cases.models import Case


class When(StrEnum):
    IN_TRANSACTION = "in_transaction"  # must not be lost: part of the transition, a refusal rolls it back
    AFTER_COMMIT = "after_commit"  # only tells somebody: runs once the transition is saved


@dataclass(frozen=True)
class Effect:
    """An effect of a case transition on another module, declared by the case type."""

    key: str  # "<owning module>.<what it does>", e.g. "ledger.approved_amount_grant"
    label: Any  # what it does, in words (the workflow page shows it)
    when: When = When.IN_TRANSACTION


@dataclass(frozen=True)
class CaseTransitioned:
    """One transition of one case, as every effect handler receives it."""

    case: Case
    case_type: str
    action: str
    from_state: str
    to_state: str
    outcome: (
        str  # the target state's outcome: "ok" (granted, done), "bad" (refused, withdrawn) or "" (not final)
    )
    actor: Actor
    note: str
    at: dt.datetime
    on: dt.date | None = None  # the working day the transition counts as taken on (a back-dated record's)
    answers: Mapping[str, Any] = field(
        default_factory=dict
    )  # what the step asked for (Transition.asks), checked


Handler = Callable[[CaseTransitioned], None]
_handlers: dict[str, tuple[Effect, Handler]] = {}


class EffectNotDeclared(LookupError):
    """A handler for an effect no case type declares (a renamed or removed effect): refused at start-up."""


def effect_handler_register(effect: Effect, handler: Handler) -> None:
    """Register the one handler of `effect` (the owning module does, in its AppConfig.ready())."""
    from shouzhan.cases.workflow import declared_effects

    if effect.key not in declared_effects():
        raise EffectNotDeclared(f"no case type declares the effect {effect.key!r}")
    known = _handlers.get(effect.key)
    if known is not None and _name(known[1]) != _name(handler):
        raise ValueError(f"effect {effect.key!r} already has the handler {_name(known[1])}")
    _handlers[effect.key] = (effect, handler)


def effect_handler(effect: Effect) -> Handler | None:
    found = _handlers.get(effect.key)
    return found[1] if found else None


def effects_run(event: CaseTransitioned, effects: Iterable[Effect]) -> None:
    """Run a transition's effects: in-transaction ones now, the others after commit. Call inside the
    transition's transaction, after the case and its history are saved."""
    for effect in effects:
        handler = effect_handler(effect)
        if handler is None:  # the owning module is not installed
            continue
        if effect.when is When.IN_TRANSACTION:
            handler(event)
        else:
            transaction.on_commit(partial(handler, event), robust=True)


def _name(handler: Handler) -> str:
    return f"{getattr(handler, '__module__', '')}.{getattr(handler, '__qualname__', repr(handler))}"
