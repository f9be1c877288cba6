"""Authenticate with a mobile number or an e-mail address and a password (argon2).

Every password check goes through `password_check`, which goes through the login throttle: the
login page, the admin and any future API login (all via django.contrib.auth.authenticate, which
calls this backend), and the old-password check of the password change page.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest
from django.utils.translation import gettext as _

from shouzhan.accounts import audit_actions as A
from shouzhan.accounts import throttle
from shouzhan.accounts.models import User
from shouzhan.accounts.validators import normalize_login
from shouzhan.core.actors import Actor
from shouzhan.core.audit import audit_record
from shouzhan.core.middleware import client_ip


class MobileOrEmailBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        login = username or kwargs.get("login") or kwargs.get("email")
        if not login or password is None:
            return None
        kind, value = normalize_login(login)
        user = User.objects.filter(**{kind: value}).first()
        # Throttled is a PermissionDenied: authenticate() stops there and tries no other backend.
        return password_check(request=request, user=user, login=value, password=password)


def _masked(login: str) -> str:
    if "@" in login:
        name, _at, domain = login.partition("@")
        return f"{name[:1]}***@{domain}"
    return f"{login[:3]}****{login[-4:]}" if len(login) >= 7 else "***"


def password_check(
    *, request: HttpRequest | None, user: User | None, login: str, password: str, purpose: str = "login"
) -> User | None:
    """The user when `password` is theirs (and they may log in), else None; raises throttle.Throttled
    (remembered on the request) when this client must wait. Writes the audit entries; never the password."""
    identity = throttle.identity_for(user, login)
    try:
        attempt = throttle.reserve(
            throttle.LOGIN, identity=identity, address=client_ip(request) if request is not None else None
        )
    except throttle.Throttled as refusal:
        throttle.remember(request, refusal)
        raise
    throttle.pause(attempt.delay)
    if user is None:
        User().set_password(password)  # same work as a real check: no timing hint that the name is unknown
        ok = False
    else:
        ok = user.check_password(password) and user.is_active
    target: dict[str, Any] = (
        {"target": user}
        if user is not None
        else {"target_type": "accounts.login", "target_label": _masked(login)}
    )
    changing = purpose == "password_change"
    note = _("修改密码时核对原密码") if changing else ""
    actor: Actor = user if changing and user is not None else A.ANONYMOUS
    if ok:
        attempt.succeeded()
        if purpose == "login":
            after = {"delayed_seconds": attempt.delay} if attempt.delay else None
            audit_record(actor=user, action=A.LOGIN_SUCCEED, after=after, **target)
        return user
    audit_record(actor=actor, action=A.LOGIN_FAIL, note=note, **target)
    if attempt.reaches_limit:
        audit_record(
            actor=actor,
            action=A.LOGIN_LOCK,
            after={"locked_seconds": int(throttle.LOGIN.window.total_seconds())},
            note=note,
            **target,
        )
    return None
