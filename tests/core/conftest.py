from typing import Any

import pytest

from shouzhan.core.roles import Role


@pytest.fixture
def admin_user_role(make_user: Any) -> Any:
    return make_user(role=Role.ADMIN)


# Actions the audit trail's own tests write: not any module's, so declared for the core tests only (the
# registry is restored after each test). Everything else must be declared by its module.
TRAIL_TEST_ACTIONS = ("test.step", "test.odd", "test.raw", "test.concurrent", "test.one", "test.two")
TRAIL_TEST_ACTIONS += ("test.three", "test.four", "x.y")


@pytest.fixture
def trail_test_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    from shouzhan.core import audit

    for code in TRAIL_TEST_ACTIONS:
        monkeypatch.setitem(audit._actions, code, audit.AuditAction(code, "测试"))
