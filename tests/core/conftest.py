from typing import Any

import pytest

from shouzhan.core.roles import Role


@pytest.fixture
def admin_user_role(make_user: Any) -> Any:
    return make_user(role=Role.ADMIN)
