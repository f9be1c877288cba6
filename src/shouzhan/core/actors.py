"""Who is acting: one type and one set of helpers for every module's services.

An actor is either a user (a person logged in; `AnonymousUser` for a visitor) or a named system actor,
a string such as ``"system:worker"`` or ``"system:cases"`` (the background worker, an import, another
module acting on its own). Services take ``actor: Actor`` and ask these helpers, never
``isinstance``/``getattr`` of their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias, TypeGuard

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from shouzhan.accounts.models import User

    Actor: TypeAlias = "User | AbstractBaseUser | AnonymousUser | str"
else:
    Actor: TypeAlias = Any

SYSTEM_PREFIX = "system:"
LABEL_MAX = 150  # AuditEntry.actor_label, Entry.actor_label …


def system_actor(name: str) -> str:
    """The system actor called `name`, e.g. ``system_actor("worker") == "system:worker"``."""
    return name if name.startswith(SYSTEM_PREFIX) else f"{SYSTEM_PREFIX}{name}"


def is_system(actor: Actor | None) -> TypeGuard[str]:
    """A named system actor (not a person)."""
    return isinstance(actor, str) and actor.startswith(SYSTEM_PREFIX)


def actor_user(actor: Actor | None) -> User | None:
    """The logged-in user behind the actor, or None (a system actor or a visitor)."""
    if isinstance(actor, str) or not getattr(actor, "is_authenticated", False):
        return None
    return actor  # type: ignore[return-value]


def actor_label(actor: Actor) -> str:
    """How the actor is named in the audit trail and the books: a user's display name, a system actor's name."""
    if isinstance(actor, str):
        return actor[:LABEL_MAX]
    label = getattr(actor, "display_name", "") or getattr(actor, "name", "") or str(actor)
    return str(label)[:LABEL_MAX]
