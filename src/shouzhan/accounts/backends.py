"""Authenticate with a mobile number or an e-mail address and a password (argon2)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from shouzhan.accounts.models import User
from shouzhan.accounts.validators import normalize_login


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
        if user is None:
            User().set_password(
                password
            )  # same work as a real check: no timing hint that the name is unknown
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
