"""Every public service of accounts (and its login backend) writes exactly its declared audit entries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from shouzhan.accounts import audit_actions as A
from shouzhan.accounts import services
from shouzhan.accounts.backends import password_check
from shouzhan.accounts.models import Membership, Organisation
from shouzhan.core.audit import audit_action_get
from shouzhan.core.models import AuditEntry
from tests.conftest import PASSWORD


def _founder(w: dict[str, Any]) -> None:
    services.founder_account_create(
        name="林晓", password="Guanghe-2026!", mobile="13811117777", organisation_name="光合"
    )


def _member_add(w: dict[str, Any]) -> Membership:
    return services.member_add(
        actor=w["owner"],
        organisation=w["organisation"],
        name="小周",
        mobile="13955552222",
        password="Edit-2026-x",
    )


def _member_remove(w: dict[str, Any]) -> None:
    services.member_remove(actor=w["owner"], membership=_member_add(w))


def _login_fails_until_locked(w: dict[str, Any], settings: Any) -> None:
    settings.LOGIN_MAX_FAILURES = 2
    for _ in range(2):
        password_check(request=None, user=w["owner"], login=w["owner"].mobile, password="wrong")


CASES: dict[str, tuple[Callable[..., Any], list[str]]] = {
    "founder_account_create": (_founder, [A.USER_REGISTER]),
    "member_add": (_member_add, [A.MEMBER_ADD]),
    "member_remove": (_member_remove, [A.MEMBER_ADD, A.MEMBER_REMOVE]),
    "password_set (change)": (
        lambda w: services.password_set(
            actor=w["owner"], user=w["owner"], password="New-pass-2026!", action=A.PASSWORD_CHANGE
        ),
        [A.PASSWORD_CHANGE],
    ),
    "password_set (reset)": (
        lambda w: services.password_set(
            actor=w["owner"], user=w["owner"], password="New-pass-2026!", action=A.PASSWORD_RESET
        ),
        [A.PASSWORD_RESET],
    ),
    "password_reset_requested": (
        lambda w: services.password_reset_requested(user=w["owner"]),
        [A.PASSWORD_RESET_REQUEST],
    ),
    "password_check (right)": (
        lambda w: password_check(request=None, user=w["owner"], login=w["owner"].mobile, password=PASSWORD),
        [A.LOGIN_SUCCEED],
    ),
    "password_check (wrong, then locked)": (
        _login_fails_until_locked,
        [A.LOGIN_FAIL, A.LOGIN_FAIL, A.LOGIN_LOCK],
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(CASES))
def test_each_service_writes_exactly_its_declared_entries(name: str, make_user: Any, settings: Any) -> None:
    owner = make_user()
    organisation = Organisation.objects.create(name="测试")
    Membership.objects.create(user=owner, organisation=organisation, is_owner=True)
    world = {"owner": owner, "organisation": organisation}
    call, expected = CASES[name]
    start = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    if call.__code__.co_argcount == 2:
        call(world, settings)
    else:
        call(world)
    written = list(AuditEntry.objects.filter(id__gt=start).order_by("id").values_list("action", flat=True))
    assert written == expected
    assert all(audit_action_get(code) is not None for code in written)


def test_every_declared_accounts_action_is_written_by_some_service() -> None:
    declared = {
        v for k, v in vars(A).items() if k.isupper() and isinstance(v, str) and v.startswith("accounts.")
    }
    assert declared == {code for _call, codes in CASES.values() for code in codes}
